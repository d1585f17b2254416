# launchwatch: two commands do all set-up on a fresh machine.
#   make demo   creates .venv, installs launchwatch, runs the reference scenario
#   make test   creates .venv if missing, installs test extras, runs the whole suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean vendor

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test,atmosphere,bench]"
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/launchwatch demo

test: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/python -m pytest -q

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
	for p in leaflet topojson-client world-atlas; do cp web/node_modules/$$p/LICENSE $(VENDOR)/LICENSE-$$p; done
	cd web && node -e 'for (const p of ["leaflet","topojson-client","world-atlas"]) console.log(p, require("./node_modules/"+p+"/package.json").version)' > ../$(VENDOR)/VERSIONS

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
