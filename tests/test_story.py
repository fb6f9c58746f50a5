"""The seed story beyond the battlefield, over 200 default campaigns.

Patterns of the economy and people issue; thresholds are the issue's. Slow;
CI runs it.
"""

import pytest

from wargame.patterns import story_patterns

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def patterns(kachin_outcomes) -> dict[str, float]:
    return story_patterns(kachin_outcomes)


def test_losing_the_mines_costs_the_military_its_rare_earth_revenue(patterns):
    assert patterns["tatmadaw_rare_earth_halved"] >= 0.60


def test_but_does_not_cripple_its_income(patterns):
    assert patterns["median_tatmadaw_income_change"] > -0.30


def test_people_flee_and_some_come_home(patterns):
    assert patterns["displaced_peak_and_some_return"] >= 0.60


def test_the_ndak_is_worn_down_or_drifts_from_its_alliance(patterns):
    assert patterns["ndak_halved_or_stopped_fighting"] >= 0.60


def test_china_brokers_ceasefires_that_are_broken(patterns):
    assert patterns["ceasefire_brokered_and_broken"] >= 0.50
