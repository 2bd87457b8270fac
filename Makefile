# Two commands for a fresh machine: `make serve` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint bench bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

serve: $(VENV)/.installed
	$(BIN)/acctcheck serve --host $(HOST) --port $(PORT) --rules rules

test: $(VENV)/.installed-test
	$(BIN)/acctcheck lint rules
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/acctcheck lint rules

bench: $(VENV)/.installed-test
	$(BIN)/python bench/engine_bench.py

# HTTP throughput against a bare FastAPI endpoint, scaling, RSS, start time (needs wrk and taskset)
bench-http: $(VENV)/.installed-test
	$(BIN)/python bench/http_bench.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
