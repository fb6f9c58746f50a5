# The two commands of the README. Both set up .venv first: from pylock.toml's exact versions
# where it fits (CPython 3.12 on x86-64 Linux with glibc 2.34+, as CI), else from
# pyproject.toml's ranges.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve campaign test test-mesa-next bench lock clean

# (the uninstall: a .venv made before the distribution was named wargame-abm holds it as
# `wargame`)
# The libraries are pylock.toml's exact versions (made by `make lock`), so every install and
# CI run tests the same set; wargame itself is then installed editable on top of them. The
# lock holds the wheels of one platform: elsewhere the ranges are resolved instead.
$(STAMP): pyproject.toml pylock.toml wargame/__init__.py
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12) and "wargame needs Python 3.12 or newer (see README)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip uninstall --quiet --yes wargame 2>/dev/null || true
	if $(BIN)/python tools/lock.py --fits; then \
		$(BIN)/pip install --quiet -r pylock.toml && $(BIN)/pip install --quiet --no-deps -e .; \
	else \
		echo "pylock.toml is for CPython 3.12 on x86-64 Linux (glibc 2.34+): installing from pyproject.toml"; \
		$(BIN)/pip install --quiet -e '.[dev]'; \
	fi
	touch $(STAMP)

# the main command: the viewer on the default theatre, at http://localhost:8765
run: $(STAMP)
	$(BIN)/wargame serve

serve: run

# the same campaign without a browser: 270 days, the summary as tables
campaign: $(STAMP)
	$(BIN)/wargame run --scenario kachin --days 270 --seed 7

# --durations: the slowest tests close every log, so CI shows where its half hour goes
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder --durations=25

# The fast tests against Mesa's next major release (a pre-release while there is one), with
# its deprecation warnings as errors (tests/conftest.py: DEPRECATIONS_AS_ERRORS), in a venv of their own: CI's early warning that a
# Mesa release would break wargame. The lock test is left out: Mesa is not the locked one.
NEXT := .venv-mesa-next
$(NEXT)/.installed: pyproject.toml pylock.toml wargame/__init__.py
	$(PYTHON) -m venv $(NEXT)
	$(NEXT)/bin/pip install --quiet --upgrade pip
	$(NEXT)/bin/pip install --quiet -r pylock.toml
	$(NEXT)/bin/pip install --quiet --pre --upgrade 'mesa>=4.0.0a0,<5'
	$(NEXT)/bin/pip install --quiet --no-deps -e .
	touch $@

# Only the engine imports Mesa (tests/test_architecture.py holds it there); code elsewhere
# reads the Mesa objects the engine builds (a unit's cell, its unique_id: the GeoJSON, the
# viewer's inspector, the classroom's fog and orders). The tests that build and step models
# through every phase, fork them, run them in batch workers, in the viewer's sessions and the
# classroom's rooms, export them and compare them with the digests meet those calls: about a
# third of the fast tests, in about a third of the time.
MESA_FACING := architecture model world digest conservation fork presence movement combat \
	command commanders supply morale control diplomacy economy civilians meetings road_fights \
	routes synthetic soak viewer closed_tabs batch workers geojson classroom classroom_fog \
	classroom_orders
test-mesa-next: $(NEXT)/.installed
	$(NEXT)/bin/python -c 'import mesa; print("Mesa", mesa.__version__)'
	WARGAME_DEPRECATIONS_AS_ERRORS=1 $(NEXT)/bin/pytest -n auto --dist loadfile --no-loadscope-reorder -q --durations=10 \
		-m "not slow and not browser" $(patsubst %,tests/test_%.py,$(MESA_FACING))

# pylock.toml again from pyproject.toml's ranges, on the public package index
lock: $(STAMP)
	$(BIN)/python tools/lock.py

bench: $(STAMP)
	$(BIN)/python benchmarks/suite.py

clean:
	rm -rf $(VENV) $(NEXT) dist build .pytest_cache .ruff_cache
