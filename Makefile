# spapi.onboarding: `make demo` onboards against a local AWS stand-in, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(VENV)/collections
LINK := $(COLLECTIONS)/ansible_collections/spapi/onboarding

export ANSIBLE_COLLECTIONS_PATH := $(abspath $(COLLECTIONS))

.PHONY: setup test unit demo clean

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

demo: setup
	scripts/demo.sh

unit: setup
	$(BIN)/python -m pytest tests/unit

clean:
	rm -rf $(VENV) .demo .pytest_cache tests/output
