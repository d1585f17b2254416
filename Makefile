# launchwatch: two commands do all set-up on a fresh machine.
#   make demo       creates .venv, installs launchwatch, runs the reference scenario
#   make test       creates .venv if missing, installs test extras, runs the gates (ruff check,
#                   the format check over src, tests and scripts, mypy over the whole package:
#                   strict on earth/, flight/, track/, assess/) and the whole suite on every core
#   make test-fast  the same without the tests marked slow (for development)
#   make lint       the gates alone: ruff check + ruff format --check + mypy (whole package)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test test-fast prepare gates kernels lint bench clean vendor vendor-cesium

# numba's compiled kernels are cached outside the clone, under a folder keyed on the kernel
# sources (launchwatch/__init__.py); this is the base folder.  numba keys entries by each
# source file's path and time stamp, so a new clone compiles once and keeps its kernels across
# `make clean`.
export NUMBA_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/launchwatch/numba
# mypy's cache lives beside it, outside the clone, so a new clone checks only the modules whose
# contents differ from the last run's (mypy compares each file's hash when its time stamp moved).
export MYPY_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/launchwatch/mypy
# Files held to `ruff format` (all) and to mypy by `make test` (the whole package), at
# pyproject's [tool.mypy] settings: strict on earth/, flight/, track/ and assess/ (the core),
# default settings on the rest.
FORMATTED := src tests scripts
TYPED := src/launchwatch

# Install steps say what they do and pip shows its progress (a first install takes minutes).
$(BIN)/python:
	@echo "== [1/3] creating $(VENV) with $(PY)"
	$(PY) -m venv $(VENV)
	@echo "== [2/3] upgrading pip"
	$(BIN)/python -m pip install --progress-bar on --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "== [3/3] installing launchwatch and its dependencies (a few minutes the first time)"
	$(BIN)/pip install --progress-bar on -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@echo "== [3/3] installing launchwatch with the test, atmosphere and bench extras"
	$(BIN)/pip install --progress-bar on -e ".[test,atmosphere,bench]"
	touch $@ $(STAMP)

demo: $(STAMP)
	@echo "== running the reference scenario (launchwatch demo)"
	$(BIN)/launchwatch demo

gates: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check $(FORMATTED)
	$(BIN)/mypy --follow-imports=silent $(TYPED)

# The suite runs on every core (pytest-xdist) in groups (tests/conftest.py): a file's tests
# together (its module fixtures are built once), except those that name a shared run's group;
# groups with slow tests are handed out first, in collection order (no reordering by size).
# PYTEST_WORKERS=0 runs it in this process (for debugging).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# Before the suite, numba's kernels are compiled into the cache once, in two disjoint halves side
# by side (scripts/compile_kernels.py): otherwise both workers compile the same kernels at the
# same time in a fresh clone or after a kernel edit.  With a warm cache it only loads them.
kernels: $(TEST_STAMP)
	$(BIN)/python scripts/compile_kernels.py

# The gates (one process) and the compile (two) run side by side, each target's output in one
# piece (-O); either failing fails the target.
prepare: $(TEST_STAMP)
	$(MAKE) --no-print-directory -j2 -O gates kernels

# The suite runs with Python's bytecode caches allowed (git ignores them): in an environment
# that sets PYTHONDONTWRITEBYTECODE, pytest rewrote and compiled all ~420 test modules again in
# every worker of every run (about 5 s of CPU each, measured), as nothing was kept.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

test: prepare
	$(PYTEST) -q $(PYTEST_PARALLEL)

test-fast: prepare
	$(PYTEST) -q $(PYTEST_PARALLEL) -m "not slow"

lint: gates

bench: $(STAMP)
	$(BIN)/launchwatch bench flight

# Refresh the dashboard's committed front-end files from web/package-lock.json (npm).
VENDOR := src/launchwatch/service/static/vendor
vendor:
	cd web && npm ci --no-audit --no-fund
	mkdir -p $(VENDOR)/images
	cp web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css $(VENDOR)/
	cp web/node_modules/leaflet/dist/images/*.png $(VENDOR)/images/
	cp web/node_modules/topojson-client/dist/topojson-client.min.js $(VENDOR)/
	cp web/node_modules/world-atlas/countries-50m.json $(VENDOR)/
	mkdir -p $(VENDOR)/swagger-ui $(VENDOR)/redoc
	cp web/node_modules/swagger-ui-dist/swagger-ui-bundle.js web/node_modules/swagger-ui-dist/swagger-ui.css web/node_modules/swagger-ui-dist/favicon-32x32.png $(VENDOR)/swagger-ui/
	cp web/node_modules/redoc/bundles/redoc.standalone.js $(VENDOR)/redoc/
	for p in leaflet topojson-client world-atlas swagger-ui-dist redoc; do cp web/node_modules/$$p/LICENSE $(VENDOR)/LICENSE-$$p; done
	cd web && node -e 'for (const p of ["leaflet","topojson-client","world-atlas","swagger-ui-dist","redoc"]) console.log(p, require("./node_modules/"+p+"/package.json").version)' > ../$(VENDOR)/VERSIONS
	$(MAKE) vendor-cesium

# CesiumJS for the 3-D view (/static/globe.html): not committed (about 10 MB of built files;
# git ignores the folder), copied here from the npm package: the built Cesium.js, its widgets'
# CSS, its workers and the assets an offline globe needs (the bundled Natural Earth II imagery,
# approximate terrain heights, the IAU 2006 XYS tables, its credit images). Without it the
# dashboard simply offers no 3-D view.
CESIUM := web/node_modules/cesium/Build/Cesium
vendor-cesium:
	test -f $(CESIUM)/Cesium.js || (cd web && npm ci --no-audit --no-fund)
	rm -rf $(VENDOR)/cesium
	mkdir -p $(VENDOR)/cesium/Assets/Textures
	cp -r $(CESIUM)/Cesium.js $(CESIUM)/Widgets $(CESIUM)/Workers $(VENDOR)/cesium/
	cp -r $(CESIUM)/Assets/Textures/NaturalEarthII $(VENDOR)/cesium/Assets/Textures/
	cp -r $(CESIUM)/Assets/approximateTerrainHeights.json $(CESIUM)/Assets/IAU2006_XYS $(CESIUM)/Assets/Images $(VENDOR)/cesium/Assets/
	cp web/node_modules/cesium/LICENSE.md $(VENDOR)/cesium/LICENSE.md
	cd web && node -e 'console.log("cesium", require("./node_modules/cesium/package.json").version)' > ../$(VENDOR)/cesium/VERSION

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
