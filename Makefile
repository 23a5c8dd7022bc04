# spapi.onboarding: `make demo` onboards against a local AWS stand-in, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(VENV)/collections
LINK := $(COLLECTIONS)/ansible_collections/spapi/onboarding

export ANSIBLE_COLLECTIONS_PATH := $(abspath $(COLLECTIONS))

.PHONY: setup test unit demo clean sanity lint changelog docs build bench

setup: $(STAMP) $(LINK)

# A current pip first: it resolves and downloads these requirements in about half the time of the pip
# a new venv comes with. pip also compiles every module it installs, which the tests need: they start
# hundreds of Python processes, and where PYTHONDONTWRITEBYTECODE is set nothing compiled later is kept
# (without those .pyc files the suite takes twice the CPU).
$(STAMP): requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r tests/requirements.txt
	touch $@

$(LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

# Whole files per worker (a file's module-scoped scenario runs once), the longest files first
# (tests/conftest.py orders them; xdist must not reorder by test count). Three workers on two cores:
# much of a run waits (moto, the network while sanity builds its virtualenvs), and a third worker
# keeps both cores busy meanwhile (measured: 225 s instead of 282 s for the same files).
# Python may keep the bytecode it compiles (git ignores __pycache__/, the build leaves it out): the
# suite starts hundreds of Python processes that import the same code.
test: setup
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder tests

demo: setup
	scripts/demo.sh

# The amazon.aws baseline of `make bench` lives in its own virtualenv (ansible 11 = ansible-core 2.18).
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: bench/requirements-baseline.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements-baseline.txt
	touch $@

bench: setup $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

unit: setup
	$(BIN)/python -m pytest tests/unit

clean:
	rm -rf $(VENV) .demo .pytest_cache tests/output $(BENCH_VENV) bench/output

# Collection conventions (each is also checked by tests/ecosystem, so `make test` runs them).
sanity: setup
	$(BIN)/python tests/sanity/run_sanity.py

lint: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/ansible-lint

changelog: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/antsibull-changelog release --reload-plugins

docs: setup
	$(BIN)/python tools/docs.py

build: setup
	$(BIN)/ansible-galaxy collection build --force --output-path build
