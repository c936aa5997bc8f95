# regiograph: `make demo` runs the main job on the bundled data, `make test` runs every test.
# Both set themselves up: a .venv with the project and its test extras (and, for the
# browser tests, Debian's chromium, for the store tests Debian's Virtuoso 7, when they are
# missing and apt is available).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/lapland
OUT ?= out
STRATEGY ?= amo-2008-programme
EGO ?= lapin-liitto
# two years to see the seed's story in: the AMO programme (2008) and the S3 plans (2023)
THEN ?= 2008
NOW ?= 2023

.PHONY: demo test lint bench clean setup browser virtuoso notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

NAME := $(notdir $(patsubst %/,%,$(DATA)))

demo: $(STAMP)
	@echo "== validate $(DATA)"
	$(BIN)/regiograph validate $(DATA)
	@echo "== build the graph store and the exports"
	$(BIN)/regiograph build $(DATA) -o $(OUT)
	@echo "== check for overlaps and gaps"
	$(BIN)/regiograph check $(OUT)/$(NAME).store
	@echo "== write the report"
	$(BIN)/regiograph report $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-report.html
	@echo "== draw the maps (one per view)"
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-actors.html --view actors
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-strategy.html --view strategy --id $(STRATEGY)
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-ego.html --view ego --id $(EGO) --depth 2
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-cross-border.html --view cross-border
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-findings.html --view findings
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-overview.html --view overview --group area
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-actors.svg --view actors
	@echo "== $(EGO)'s neighbourhood and the findings as of $(THEN) and as of $(NOW)"
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-ego-$(THEN).html --view ego --id $(EGO) --depth 2 --as-of $(THEN)
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-ego-$(NOW).html --view ego --id $(EGO) --depth 2 --as-of $(NOW)
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-findings-$(THEN).html --view findings --as-of $(THEN)
	$(BIN)/regiograph map $(OUT)/$(NAME).store -o $(OUT)/$(NAME)-map-findings-$(NOW).html --view findings --as-of $(NOW)
	@echo
	@echo "Done. Open in a browser (offline is fine):"
	@echo "  $(OUT)/$(NAME)-report.html          the report: findings, timeline, sources, network"
	@echo "  $(OUT)/$(NAME)-map-*.html           the maps: actors, strategy, ego, cross-border, findings, overview"
	@echo "                                       (actors, strategy, ego and cross-border have a year slider: Play)"
	@echo "  $(OUT)/$(NAME)-map-actors.svg       a picture of the actors map, for a report or a slide"
	@echo "  $(OUT)/$(NAME)-map-{ego,findings}-$(THEN).html, -$(NOW).html   the same maps as of $(THEN) and $(NOW)"
	@echo "The graph is in $(OUT)/$(NAME).ttl (and .nt, .jsonld, .graphml, -tables/), the store in"
	@echo "$(OUT)/$(NAME).store: try $(BIN)/regiograph info $(OUT)/$(NAME).store"

# The browser tests drive Debian's chromium; install it when it is missing.
CHROMIUM := $(shell command -v chromium 2>/dev/null)
browser:
ifeq ($(CHROMIUM),)
	@echo "Installing Debian's chromium for the browser tests (apt-get)..."
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium
endif

# The store tests (tests/stores.py) start Debian's Virtuoso 7; install it when it is
# missing and apt is available. Without apt the tests say that Virtuoso is missing and skip.
VIRTUOSO := $(shell command -v virtuoso-t 2>/dev/null)
APT := $(shell command -v apt-get 2>/dev/null)
virtuoso:
ifeq ($(VIRTUOSO),)
ifneq ($(APT),)
	@echo "Installing Debian's Virtuoso 7 for the store tests (apt-get)..."
	( $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq virtuoso-opensource-7-bin ) || \
	  echo "Could not install virtuoso-opensource-7-bin: the tests against Virtuoso will be skipped."
else
	@echo "Virtuoso 7 is missing and apt-get is not available: the tests against Virtuoso will be skipped."
endif
endif

test: $(STAMP) browser virtuoso
	$(BIN)/python -m pytest -q -rs

# JupyterLab in the project's venv, on 127.0.0.1, opened on notebooks/ (not part of the tests).
notebooks: $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,notebooks]'
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir notebooks

lint: $(STAMP)
	$(BIN)/ruff check .

# 10k and 100k triples by default; BENCH_MAX=1000000 adds 1M (tens of minutes: rdflib).
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(OUT) build dist *.egg-info .pytest_cache
