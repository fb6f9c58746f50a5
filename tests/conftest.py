import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from browser import BrowserMissing, launch_chromium
from theatres import write_theatre

# CI draws the same examples every time (a red build is reproducible); `deep` hunts
# with many more, drawn afresh: HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz.py
settings.register_profile("ci", derandomize=True, max_examples=50)
settings.register_profile("deep", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The longest files start first. On two workers (pytest-xdist, a file to a worker) a long
# file that starts late runs alone at the end: the soaks (about 680 s together) started
# last and ran alone for the final ten minutes of a 38-minute suite. xdist would put the files
# with the most tests first instead, so the Makefile passes --no-loadscope-reorder.
LONGEST_FIRST = ("test_soak.py", "test_levers.py", "test_calibration.py", "test_rakhine.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: number for number, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))


@pytest.fixture
def theatre_dir(tmp_path: Path):
    """A factory: write a small theatre into a fresh folder and return the folder."""

    def make(**kwargs) -> Path:
        return write_theatre(tmp_path / "theatre", **kwargs)

    return make


@pytest.fixture(scope="session")
def kachin_results(tmp_path_factory) -> Path:
    """The calibration experiment (experiments/historical.toml: 200 default campaigns of
    270 days) run by the batch on all cores into a results folder, shared by the slow tests."""
    from wargame.analysis.batch import run_batch
    from wargame.analysis.experiments import load_experiment

    out = tmp_path_factory.mktemp("historical")
    run_batch(load_experiment("historical"), out)
    return out


@pytest.fixture(scope="session")
def kachin_runs(kachin_results: Path):
    """The calibration's runs table, one row per campaign."""
    from wargame.analysis.results import read_runs

    return read_runs(kachin_results)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (the browser tests')."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = launch_chromium(playwright)
        except BrowserMissing as error:
            pytest.fail(str(error))
        yield chromium
        chromium.close()


@pytest.fixture
def no_run(monkeypatch):
    """A run that fails the test if it starts: what is refused must be refused before it."""
    from wargame import ConflictModel

    def started(model):
        raise AssertionError("the run started")

    monkeypatch.setattr(ConflictModel, "step", started)


DEPRECATIONS_AS_ERRORS = "WARGAME_DEPRECATIONS_AS_ERRORS"
"""Set by `make test-mesa-next`: Mesa's deprecations, and any raised where wargame or its
tests call a library, fail the test; a library's warning about its own insides does not
(Solara's server imports websockets' legacy module, for one)."""


def pytest_configure(config):
    if os.environ.get(DEPRECATIONS_AS_ERRORS):
        for category in ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"):
            line = f"error::{category}:(wargame|mesa|test_|conftest)"
            config.addinivalue_line("filterwarnings", line)
