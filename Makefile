# The two commands a newcomer types: `make run` and `make test`.
# Everything else (virtual environment, packages, Chromium) is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,server]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	bash scripts/run-demo.sh

test: $(STAMP)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)
