import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

from theatres import write_theatre

# CI draws the same examples every time (a red build is reproducible); `deep` hunts
# with many more, drawn afresh: HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz.py
settings.register_profile("ci", derandomize=True, max_examples=50)
settings.register_profile("deep", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def theatre_dir(tmp_path: Path):
    """A factory: write a small theatre into a fresh folder and return the folder."""

    def make(**kwargs) -> Path:
        return write_theatre(tmp_path / "theatre", **kwargs)

    return make


@pytest.fixture(scope="session")
def kachin_outcomes() -> list[dict]:
    """200 default campaigns of 270 days on all cores, shared by the pattern tests."""
    from wargame.patterns import run_many

    return run_many(range(200), days=270, scenario="kachin")
