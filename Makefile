# regiograph: `make demo` runs the main job on the bundled data, `make test` runs every test.
# Both set themselves up: a .venv with the project and its test extras (and, for the
# browser tests, Debian's chromium when it is missing and apt is available).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/lapland
OUT ?= out

.PHONY: demo test lint bench clean setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/regiograph validate $(DATA)
	$(BIN)/regiograph build $(DATA) -o $(OUT)
	$(BIN)/regiograph info $(OUT)/$(notdir $(DATA)).store

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(OUT) build dist *.egg-info .pytest_cache
