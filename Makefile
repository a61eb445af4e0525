# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# The French catalogs, compiled from every .po (pip install compiles them too).
MO := generator/locale/fr/LC_MESSAGES/generator.mo
PO := $(wildcard generator/locale/*/LC_MESSAGES/*.po)

.PHONY: run test test-fast bench lint clean serve messages wheelhouse update-dsfr

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

bench: $(TEST_STAMP) $(MO)
	$(BIN)/python benchmarks/bench.py --repeat 5
	$(BIN)/python benchmarks/phases.py
	$(BIN)/python benchmarks/web_bench.py
	$(BIN)/python benchmarks/load.py --seconds 60

# Every Python file of the repository, checked and formatted alike; the package typed strictly.
LINTED := generator tests benchmarks build_catalogs.py tools

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
