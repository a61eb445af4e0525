# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/python -m generator build --out output
	$(BIN)/python -m generator personalise data/roster.example.csv --out output/people

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/bench.py

lint: $(TEST_STAMP)
	$(BIN)/python -m ruff check generator tests benchmarks
	$(BIN)/python -m ruff format --check generator benchmarks
	$(BIN)/python -m mypy generator

clean:
	rm -rf $(VENV) output/* build *.egg-info
	touch output/.gitkeep
