# spapi.onboarding: `make demo` onboards against a local AWS stand-in, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(VENV)/collections
LINK := $(COLLECTIONS)/ansible_collections/spapi/onboarding

export ANSIBLE_COLLECTIONS_PATH := $(abspath $(COLLECTIONS))

.PHONY: setup test unit demo clean bench

setup: $(STAMP) $(LINK)

$(STAMP): requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r tests/requirements.txt
	touch $@

$(LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile tests

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
