"""Counterfactual levers move the odds the way a reader expects, over many seeds.

Each lever is set low and high on the same seeds; the difference of the means
must exceed two standard errors. Slow; CI runs it.
"""

import statistics

import pytest

from wargame.patterns import run_many

pytestmark = pytest.mark.slow
SEEDS = range(30)


def arms(parameter: str, low: float, high: float) -> tuple[list[dict], list[dict]]:
    return (
        run_many(SEEDS, parameters={parameter: low}),
        run_many(SEEDS, parameters={parameter: high}),
    )


def assert_higher(high: list[float], low: list[float]) -> None:
    difference = statistics.mean(high) - statistics.mean(low)
    error = (statistics.variance(high) / len(high) + statistics.variance(low) / len(low)) ** 0.5
    assert difference > 2 * error, (statistics.mean(low), statistics.mean(high), error)


def test_chinas_pressure_brings_more_ceasefires_and_fewer_captures():
    calm, pressed = arms("broker_pressure", 0.0, 1.0)
    assert all(o["ceasefires"] == 0 for o in calm)
    assert_higher([o["ceasefires"] for o in pressed], [o["ceasefires"] for o in calm])
    # captures that stick: places held at the end by someone other than their first holder
    assert_higher([o["places_taken"] for o in calm], [o["places_taken"] for o in pressed])


def test_a_loyal_militia_stands_by_the_military_longer():
    wavering, loyal = arms("militia_loyalty", 0.35, 1.0)

    def stopped(outcomes):
        return [float("ndak" in o["stopped_fighting_for_patron"]) for o in outcomes]

    assert_higher(stopped(wavering), stopped(loyal))


def test_a_high_rare_earth_price_makes_the_kia_richer():
    cheap, dear = arms("prices.rare_earth", 15_000.0, 60_000.0)
    assert_higher([o["revenue"]["kia"] for o in dear], [o["revenue"]["kia"] for o in cheap])
