# The two commands of the README. Both set up .venv from pyproject.toml first.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve campaign test bench clean

# (the uninstall: a .venv made before the distribution was named wargame-abm holds it as
# `wargame`)
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12) and "wargame needs Python 3.12 or newer (see README)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip uninstall --quiet --yes wargame 2>/dev/null || true
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the main command: the viewer on the default theatre, at http://localhost:8765
run: $(STAMP)
	$(BIN)/wargame serve

serve: run

# the same campaign without a browser: 270 days, the summary as tables
campaign: $(STAMP)
	$(BIN)/wargame run --scenario kachin --days 270 --seed 7

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/suite.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache
