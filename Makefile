# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The whole suite runs one worker a core (pytest-xdist), a test file's tests on one worker so that its module
# fixtures are built once.
PYTEST_PARALLEL := -n auto --dist loadfile

.PHONY: run test lint typecheck pytest bench clean serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

## make run: install, build a small synthetic set, ingest it, process it, show the queue, serve the web app
run: $(VENV)/.installed
	$(BIN)/lanzarote demo

## make test: install the test tools, then lint, type-check and run the whole suite
test: $(VENV)/.installed-test
	bash scripts/ensure-chromium
	$(BIN)/ruff check lanzarote tests benchmarks
	$(BIN)/mypy lanzarote
	$(BIN)/pytest $(PYTEST_PARALLEL)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check lanzarote tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy lanzarote

pytest: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_PARALLEL)

clean:
	rm -rf $(VENV) lanzarote.db lanzarote.db-* .lanzarote demo-data
