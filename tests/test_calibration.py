"""The default theatre, over many seeds, tells the seed story's military part most often.

These are the calibration patterns of the military issue; the thresholds are
the issue's, not fitted to a run. Slow (200 campaigns on all cores, shared with
test_story.py); CI runs it.
"""

import pytest

from wargame.patterns import military_patterns


@pytest.fixture(scope="module")
def patterns(kachin_outcomes) -> dict[str, float]:
    return military_patterns(kachin_outcomes)


pytestmark = pytest.mark.slow


def test_the_kia_takes_kanpaiti_late_and_holds_it(patterns):
    assert patterns["kia_holds_kanpaiti"] >= 0.60
    assert 90 <= patterns["median_day_kia_takes_kanpaiti"] <= 270


def test_the_kia_holds_lweje(patterns):
    assert patterns["kia_holds_lweje"] >= 0.60


def test_the_military_keeps_its_strongholds(patterns):
    assert patterns["tatmadaw_holds_myitkyina"] >= 0.90
    assert patterns["tatmadaw_holds_bhamo"] >= 0.50


def test_the_military_is_left_with_at_most_one_border_post(patterns):
    assert patterns["tatmadaw_at_most_one_border_post"] >= 0.50


def test_some_military_troops_retreat_into_china(patterns):
    assert patterns["tatmadaw_interned_some"] >= 0.50


def test_no_faction_is_annihilated_in_the_median_run(patterns):
    # annihilated = every soldier killed; soldiers interned abroad survive
    for faction in ("kia", "tatmadaw", "ndak"):
        assert patterns[f"median_killed_share_{faction}"] < 1.0, faction
    assert patterns["median_strength_share_kia"] > 0
    assert patterns["median_strength_share_tatmadaw"] > 0
