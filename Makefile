# Protection data workbench — run `make` or `make help` for the list of commands.
# Everything installs into .venv from requirements/constraints.txt (exact versions),
# so a fresh machine needs only Python 3.11 and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
KERNEL := protection-workbench
DEMO_DATA := data/demo
DEMO_INDIVIDUALS ?= 20000
DEMO_SEED ?= 2026
# The demo exports end on the last Sunday (as if exported on Monday morning), so the demo's
# highlights and the weekly run both describe the last complete week.
AS_OF ?= $(shell date -d 'last sunday' +%F)
STAMP := $(VENV)/.installed
# Headless Chromium for the browser tests of the reviewers' site (Debian's package).
CHROMIUM ?= /usr/bin/chromium
# LibreOffice Writer (headless) opens the Word copies of the reports in the tests.
SOFFICE ?= /usr/bin/soffice
# Poppler's pdftotext and pdftoppm read the rendered pages back in the print-quality tests.
PDFTOPPM ?= /usr/bin/pdftoppm
# libfaketime starts the README's cron line "on a Monday morning" in the scheduled-run test.
FAKETIME ?= /usr/bin/faketime
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install browser office demo test lint format lab lock clean-venv

help: ## Show this list of commands
	@echo "Protection data workbench. Usage: make <command>"
	@echo
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, .venv has {sys.version.split()[0]}: remove .venv and set PYTHON=python3.11"'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Protection workbench" >/dev/null
	@touch $(STAMP)

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests (once per machine)"
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

$(SOFFICE):
	@echo "Installing Debian's LibreOffice Writer (no GUI) for the Word-report tests (once per machine)"
	$(SUDO) apt-get install -y --no-install-recommends libreoffice-writer-nogui || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends libreoffice-writer-nogui)

$(PDFTOPPM):
	@echo "Installing Debian's poppler-utils for the print-quality tests (once per machine)"
	$(SUDO) apt-get install -y --no-install-recommends poppler-utils || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends poppler-utils)

$(FAKETIME):
	@echo "Installing Debian's faketime for the scheduled-run test (once per machine)"
	$(SUDO) apt-get install -y --no-install-recommends faketime || \
	  ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends faketime)

office: $(SOFFICE) ## Install LibreOffice Writer (Debian's package) if missing, for the Word-report tests

browser: $(CHROMIUM) ## Install headless Chromium (Debian's package) if missing, for the browser tests

install: $(STAMP) ## Create .venv (if missing), install the workbench and register the Jupyter kernel

demo: $(STAMP) ## Generate demo exports into data/demo and run the weekly reports into outputs/
	$(BIN)/workbench demo-data --out $(DEMO_DATA) --individuals $(DEMO_INDIVIDUALS) --seed $(DEMO_SEED) --as-of $(AS_OF) --defect-rate 0.01 --replace
	@# exit 1 = reports produced, quality gate failed: expected, the demo data carries defects
	@# no --as-of: the last complete week, as the scheduled Monday run reports it
	$(BIN)/workbench run weekly --data $(DEMO_DATA) --out outputs || [ $$? -eq 1 ]

test: $(STAMP) $(CHROMIUM) $(SOFFICE) $(PDFTOPPM) $(FAKETIME) ## Install what is needed and run every test (lint, notebooks, unit and end-to-end)
	$(BIN)/ruff check lib tests notebooks
	$(BIN)/ruff format --check lib tests notebooks
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP) ## Lint and check formatting (what pre-commit runs)
	$(BIN)/ruff check lib tests notebooks
	$(BIN)/ruff format --check lib tests notebooks

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff check --fix lib tests notebooks
	$(BIN)/ruff format lib tests notebooks

lab: $(STAMP) ## Open the notebooks in JupyterLab with the project kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

lock: ## Re-resolve dependencies and rewrite requirements/constraints.txt (after editing pyproject.toml)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Exact versions for reproducible runs (scheduled runs next month resolve the same)."; \
	  echo "# Regenerate with: make lock   (after changing dependencies in pyproject.toml)"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > requirements/constraints.txt
	rm -rf .lock-venv

clean-venv: ## Remove .venv (the next command rebuilds it)
	rm -rf $(VENV)
