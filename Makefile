# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# The French catalogs, compiled from every .po (pip install compiles them too).
MO := generator/locale/fr/LC_MESSAGES/generator.mo
PO := $(wildcard generator/locale/*/LC_MESSAGES/*.po)

.PHONY: run test test-fast bench lint clean serve messages wheelhouse update-dsfr deps-latest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

$(MO): $(PO) build_catalogs.py | $(STAMP)
	$(BIN)/python build_catalogs.py

# The examples go to their own folder: output/people holds the sheets of a real session.
run: $(STAMP) $(MO)
	$(BIN)/python -m generator build --out output/examples
	$(BIN)/python -m generator personalise data/roster.example.csv --out output/examples/people

test: $(TEST_STAMP) $(MO)
	$(BIN)/python -m pytest

# Everything but the slow tests that drive Chromium or LibreOffice (about a minute).
test-fast: $(TEST_STAMP) $(MO)
	$(BIN)/python -m pytest -m "not browser and not soffice"

# The desk in a browser, on this machine only: http://127.0.0.1:8000/
serve: $(STAMP) $(MO)
	$(BIN)/python -m generator serve

# Every msgid of the package (code and templates), to check a .po against.
messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract --no-location -F babel.cfg -o build/messages.pot generator

# About three minutes; -u prints each figure as it comes (a pipe would hold them to the end).
bench: $(TEST_STAMP) $(MO)
	$(BIN)/python -u benchmarks/bench.py --repeat 5
	$(BIN)/python -u benchmarks/phases.py
	$(BIN)/python -u benchmarks/web_bench.py
	$(BIN)/python -u benchmarks/load.py --seconds 60

# Every Python file of the repository, checked and formatted alike; the package typed strictly.
LINTED := generator tests benchmarks build_catalogs.py tools

# The whole suite with the newest release of every dependency, the upper pins of
# pyproject.toml ignored (each named dependency upgraded after the install), in a
# throwaway virtualenv: run it before moving a pin. PYTEST_ARGS narrows the run,
# e.g. make deps-latest PYTEST_ARGS='-k version'.
DEPS_VENV ?= /tmp/aesh-generator-deps-latest
PYTEST_ARGS ?=
DEPENDENCY_NAMES = import re, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print(" ".join(re.match(r"[A-Za-z0-9._-]+", r)[0] for r in p["dependencies"] + p["optional-dependencies"]["test"]))
deps-latest:
	rm -rf $(DEPS_VENV)
	$(PYTHON) -m venv $(DEPS_VENV)
	$(DEPS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DEPS_VENV)/bin/python -m pip install --quiet -e '.[test]'
	$(DEPS_VENV)/bin/python -m pip install --quiet --upgrade $$($(DEPS_VENV)/bin/python -c '$(DEPENDENCY_NAMES)')
	$(DEPS_VENV)/bin/python -m pip list --format=freeze
	$(DEPS_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/python -m ruff check $(LINTED)
	$(BIN)/python -m ruff format --check $(LINTED)
	$(BIN)/python -m mypy --strict generator

# Offline Windows bundle: build/wheelhouse/ (win_amd64 wheels for CPython 3.11-3.13, checked
# complete by pip) and build/aesh-generator-windows.zip for school PCs that cannot reach PyPI.
wheelhouse: $(STAMP)
	$(BIN)/python tools/wheelhouse.py --build-dir build

# The vendored DSFR, again from a pinned version (needs npm; the tarball's integrity is checked).
DSFR_VERSION ?= 1.15.3
update-dsfr: $(STAMP)
	$(BIN)/python tools/update_dsfr.py $(DSFR_VERSION)

clean:
	rm -rf $(VENV) output/* build *.egg-info $(MO)
	touch output/.gitkeep
