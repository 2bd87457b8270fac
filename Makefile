# Two commands for a fresh machine: `make serve` and `make test`. Both create .venv when it is missing and
# install from constraints.txt (the pinned versions; `make lock` regenerates it), so every machine runs the
# same dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CONSTRAINTS := constraints.txt
INSTALL := $(BIN)/python -m pip install --quiet --constraint $(CONSTRAINTS)

.PHONY: serve test lint lock dist readme bench bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(INSTALL) -e '.[test]'
	touch $(VENV)/.installed $@

serve: $(VENV)/.installed
	$(BIN)/acctcheck serve --host $(HOST) --port $(PORT) --rules rules

# tests/test_wheel.py builds the sdist + wheel and smoke-tests the wheel in a fresh venv (as CI does)
test: $(VENV)/.installed-test
	$(BIN)/acctcheck lint rules
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/acctcheck lint rules

# Resolve the runtime, test and distributed dependencies for every platform, Python 3.11 and later, after a
# change to pyproject.toml. Versions already pinned are kept; `make lock LOCK_FLAGS=--upgrade` takes the newest.
LOCK_FLAGS ?=
lock: $(VENV)/.installed-test
	$(BIN)/uv pip compile pyproject.toml --extra test --extra distributed --universal --python-version 3.11 \
	  --custom-compile-command "make lock" --quiet --output-file $(CONSTRAINTS) $(LOCK_FLAGS)

# sdist and wheel in dist/ (the wheel carries the bundled rules and the embedded IP database)
dist: $(VENV)/.installed-test
	$(BIN)/uv build --out-dir dist

# Rewrite the README's quick tour from a running service: `ACCTCHECK_ADMIN_TOKEN=s3cret make serve` in
# another terminal first
readme: $(VENV)/.installed
	$(BIN)/python tools/readme_tour.py --url http://$(HOST):$(PORT)

bench: $(VENV)/.installed-test
	$(BIN)/python bench/engine_bench.py

# HTTP throughput against a bare FastAPI endpoint, scaling, RSS, start time (needs wrk and taskset)
bench-http: $(VENV)/.installed-test
	$(BIN)/python bench/http_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info
