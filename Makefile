# launchwatch: two commands do all set-up on a fresh machine.
#   make demo   creates .venv, installs launchwatch, runs the reference scenario
#   make test   creates .venv if missing, installs test extras, runs the whole suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint bench clean

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

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
