"""Combat: the square law's closed form, its use in the model, and casualties in expectation."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from theatres import passive_model, place, road

from wargame.engine.events import EventKind
from wargame.phases.combat import expected_losses, losses_by_rates, square_law

DUEL = [(1000, 800, 0.01, 0.01), (500, 900, 0.03, 0.005), (300, 300, 0.02, 0.01)]


@pytest.mark.parametrize(("a0", "b0", "alpha", "beta"), DUEL)
def test_the_closed_form_run_to_the_end_leaves_the_square_law_survivors(a0, b0, alpha, beta):
    a, b = square_law(a0, b0, alpha, beta, t=10_000.0)
    if alpha * a0**2 > beta * b0**2:
        assert b == 0 and a == pytest.approx(math.sqrt(a0**2 - beta / alpha * b0**2), rel=1e-9)
    else:
        assert a == 0 and b == pytest.approx(math.sqrt(b0**2 - alpha / beta * a0**2), rel=1e-9)


@pytest.mark.parametrize(("a0", "b0", "alpha", "beta"), DUEL)
def test_a_partial_day_keeps_the_square_law_invariant(a0, b0, alpha, beta):
    a, b = square_law(a0, b0, alpha, beta, t=1.0)
    assert 0 < a < a0 and 0 < b < b0
    assert alpha * a**2 - beta * b**2 == pytest.approx(alpha * a0**2 - beta * b0**2, rel=1e-9)


def test_days_compose():
    half = square_law(*square_law(1000, 800, 0.01, 0.02, t=0.3), 0.01, 0.02, t=0.7)
    assert half == pytest.approx(square_law(1000, 800, 0.01, 0.02, t=1.0), rel=1e-12)


def test_the_closed_form_matches_the_rates_for_short_times():
    a, b = square_law(1000, 800, 0.01, 0.02, t=1e-4)
    assert (1000 - a) / 1e-4 == pytest.approx(0.02 * 800, rel=1e-3)
    assert (800 - b) / 1e-4 == pytest.approx(0.01 * 1000, rel=1e-3)


def test_degenerate_fights():
    assert square_law(0, 500, 0.01, 0.01) == (0, 500)
    assert square_law(100, 500, 0.0, 0.01) == (pytest.approx(95.0), 500)
    assert square_law(100, 500, 0.0, 0.0) == (100, 500)


def test_numerical_integration_agrees_with_the_closed_form_for_two_sides():
    strengths = np.array([600.0, 400.0, 900.0])  # two units against one
    effectiveness = np.array([0.02, 0.02, 0.015])
    hostile = np.array([[0, 0, 1], [0, 0, 1], [1, 1, 0]], dtype=float)
    losses = losses_by_rates(strengths, effectiveness, hostile)
    a, b = square_law(1000, 900, 0.02, 0.015)
    assert losses[0] + losses[1] == pytest.approx(1000 - a, rel=1e-6)
    assert losses[2] == pytest.approx(900 - b, rel=1e-6)
    # fire is split across a side's units by their strength
    assert losses[0] / losses[1] == pytest.approx(600 / 400, rel=1e-6)


def duel_theatre(theatre_dir, red: int, blue: int, red_eff: float, blue_eff: float):
    features = [
        place("field", 97.0, 25.0, "town"),
        place("redhome", 96.9, 25.0, "town"),
        place("bluehome", 97.1, 25.0, "town"),
        road("field", "redhome", "road", 10.0),
        road("field", "bluehome", "road", 10.0),
    ]
    folder = theatre_dir(
        features=features,
        control={"redhome": "red", "bluehome": "blue"},
        units=[
            {"faction": "red", "place": "field", "strength": red},
            {"faction": "blue", "place": "field", "strength": blue},
        ],
        faction_overrides={
            "red": {"effectiveness": red_eff, "break_point": 0.0},
            "blue": {"effectiveness": blue_eff, "break_point": 0.0},
        },
    )
    return passive_model(
        folder,
        {"combat_mode": "deterministic", "travel_friction": 0.0, "collapse_strength_share": 0.0},
    )


@pytest.mark.parametrize(
    ("red", "blue", "red_eff", "blue_eff"), [(1000, 800, 0.01, 0.01), (600, 900, 0.03, 0.01)]
)
def test_a_duel_in_the_model_ends_as_the_square_law_says(theatre_dir, red, blue, red_eff, blue_eff):
    model = duel_theatre(theatre_dir, red, blue, red_eff, blue_eff)
    for _ in range(2000):
        if len({u.faction for u in model.units}) < 2:
            break
        model.step()
    survivors = {u.faction: u.strength for u in model.units}
    red_wins = red_eff * red**2 > blue_eff * blue**2
    winner, loser = ("red", "blue") if red_wins else ("blue", "red")
    assert set(survivors) == {winner}
    a0, b0, alpha, beta = (
        (red, blue, red_eff, blue_eff) if red_wins else (blue, red, blue_eff, red_eff)
    )
    assert survivors[winner] == pytest.approx(math.sqrt(a0**2 - beta / alpha * b0**2), rel=0.01)
    assert [e.kind for e in model.events.of_kind(EventKind.DESTROYED)] == [EventKind.DESTROYED]
    assert model.factions[loser].killed == pytest.approx(b0)


def fort_model(theatre_dir, red: float, blue: float, bonus: float = 1.5):
    """Red holds a fort (fortification 0.6) that Blue attacks; both of effectiveness 0.01."""
    features = [
        place("fort", 97.0, 25.0, "base", fortification=0.6),
        place("open", 97.1, 25.0, "town"),
        road("fort", "open", "road", 10.0),
    ]
    units = [
        {"faction": "red", "place": "fort", "strength": red},
        {"faction": "blue", "place": "fort", "strength": blue},
    ]
    folder = theatre_dir(
        features=features,
        control={"fort": "red", "open": "blue"},
        units=units,
        faction_overrides={
            "red": {"break_point": 0.0},
            "blue": {"break_point": 0.0},
        },
    )
    return passive_model(
        folder,
        {
            "fortification_bonus": bonus,
            "combat_mode": "deterministic",
            "collapse_strength_share": 0.0,
        },
    )


def test_the_fortification_protects_the_defender_and_does_not_add_to_its_fire(theatre_dir):
    model = fort_model(theatre_dir, 500, 500)
    red, blue = model.units
    losses = expected_losses(model, "fort", [red, blue])
    # Blue's fire on the fort is divided by its cover 1 + 1.5 x 0.6 = 1.9; Red's is not raised
    a, b = square_law(500, 500, 0.01, 0.01 / 1.9)
    assert losses[0] == pytest.approx(500 - a, rel=1e-12)
    assert losses[1] == pytest.approx(500 - b, rel=1e-12)
    assert losses[1] / losses[0] == pytest.approx(1.9, rel=0.02)
    # the garrison kills what it would kill in the open, give or take its own slower wear
    in_open = 500 - square_law(500, 500, 0.01, 0.01)[1]
    assert in_open < losses[1] < in_open * 1.01


def test_an_attacker_at_sqrt_of_the_cover_times_the_garrison_is_an_even_fight(theatre_dir):
    # by hand: the attacker wins when (alpha / f) A^2 > beta B^2, so with equal
    # effectiveness it needs A / B > sqrt(f) = sqrt(1.9); at exactly that ratio
    # both sides wear as exp(-gamma t), gamma = sqrt(alpha beta / f) = 0.01 / sqrt(1.9)
    garrison = 1000.0
    model = fort_model(theatre_dir, 1000, 1378)
    model.units[1].strength = garrison * math.sqrt(1.9)
    losses = expected_losses(model, "fort", model.units)
    lost = 1 - math.exp(-0.01 / math.sqrt(1.9))
    assert losses[0] / garrison == pytest.approx(lost, rel=1e-12)
    assert losses[1] / (garrison * math.sqrt(1.9)) == pytest.approx(lost, rel=1e-12)


def test_a_fortified_duel_ends_as_the_square_law_with_cover_says(theatre_dir):
    # Blue (1500) attacks Red's fort (1000): (0.01 / 1.9) 1500^2 > 0.01 x 1000^2, so Blue
    # wins with sqrt(1500^2 - 1.9 x 1000^2) = 574.5 left; in the open it would keep 1118
    # (as with the old multiplied fire); but the walls slow the wear: the fight lasts
    # atanh(sqrt(1.9 x 1000^2 / 1500^2)) / gamma days, gamma = 0.01 / sqrt(1.9) (218.5 days,
    # where a garrison firing 1.9 times harder would have fallen in 115)
    model = fort_model(theatre_dir, 1000, 1500)
    garrison, attacker = model.units
    days = 0
    while garrison.strength > 0 and days < 3000:
        # (Red's recruits trickle in too: the garrison is the unit it started with)
        model.step()
        days += 1
    assert attacker.strength == pytest.approx(math.sqrt(1500**2 - 1.9 * 1000**2), rel=1e-3)
    lasts = math.atanh(math.sqrt(1.9 * 1000**2 / 1500**2)) / (0.01 / math.sqrt(1.9))
    assert days == math.ceil(lasts)


def test_the_cover_acts_in_a_many_sided_fight():
    # three sides, unit 0 behind walls of cover 2: its loss rate is halved
    strengths = np.array([300.0, 300.0, 300.0])
    hostile = np.ones((3, 3)) - np.eye(3)
    effectiveness = np.full(3, 0.01)
    t = 1e-4  # so short that the rates are the first-order losses
    open_losses = losses_by_rates(strengths, effectiveness, hostile, t)
    walled = losses_by_rates(strengths, effectiveness, hostile, t, walls=np.array([2.0, 1, 1]))
    assert walled[0] == pytest.approx(open_losses[0] / 2, rel=1e-6)
    assert walled[1:] == pytest.approx(open_losses[1:], rel=1e-6)


def test_stochastic_casualties_have_the_deterministic_expectation(theatre_dir):
    folder = duel_theatre(theatre_dir, 800, 600, 0.02, 0.02).theatre
    expected = None
    draws = []
    for seed in range(300):
        model = passive_model(folder, {"combat_mode": "stochastic"}, rng=seed)
        if expected is None:
            expected = expected_losses(model, "field", model.units)
        before = [u.strength for u in model.units]
        model.step()
        draws.append([b - u.strength for b, u in zip(before, model.units, strict=True)])
        assert all(float(d).is_integer() for d in draws[-1])
    draws = np.array(draws, dtype=float)
    for column, mean_loss in enumerate(expected):
        p = mean_loss / [800, 600][column]
        standard_error = math.sqrt([800, 600][column] * p * (1 - p) / len(draws))
        assert abs(draws[:, column].mean() - mean_loss) < 4 * standard_error


def test_fire_is_split_across_a_sides_units_by_strength(theatre_dir):
    folder = theatre_dir(
        control={},
        units=[
            {"faction": "red", "place": "bravo", "strength": 600},
            {"faction": "red", "place": "bravo", "strength": 300},
            {"faction": "blue", "place": "bravo", "strength": 700},
        ],
        faction_overrides={"red": {"effectiveness": 0.02}, "blue": {"effectiveness": 0.03}},
    )
    model = passive_model(folder)
    losses = expected_losses(model, "bravo", model.units)
    red, blue = square_law(900, 700, 0.02, 0.03)
    assert losses[0] / 600 == pytest.approx(losses[1] / 300, rel=1e-12)
    assert losses[0] + losses[1] == pytest.approx(900 - red, rel=1e-9)
    assert losses[2] == pytest.approx(700 - blue, rel=1e-9)


def test_a_neutral_holders_fortification_helps_neither_side(theatre_dir):
    neutral = {"relations": {"red": 0.0, "blue": 0.0}}
    folder = theatre_dir(
        features=[
            place("fort", 97.0, 25.0, "base", fortification=0.6),
            place("open", 97.1, 25.0),
            road("fort", "open", "road", 10.0),
        ],
        factions=["red", "blue", "green"],
        control={"fort": "green"},
        units=[
            {"faction": "red", "place": "fort", "strength": 500},
            {"faction": "blue", "place": "fort", "strength": 500},
        ],
        faction_overrides={
            "green": neutral,
            "red": {"relations": {"blue": -1.0, "green": 0.0}},
            "blue": {"relations": {"red": -1.0, "green": 0.0}},
        },
    )
    model = passive_model(folder, {"fortification_bonus": 1.5})
    a, b = square_law(500, 500, 0.01, 0.01)
    assert list(expected_losses(model, "fort", model.units)) == pytest.approx([500 - a, 500 - b])


def test_an_even_fight_run_for_long_wears_both_sides_to_nothing():
    a, b = square_law(500, 500, 0.01, 0.01, t=1e5)
    assert a == pytest.approx(0, abs=1e-9) and b == pytest.approx(0, abs=1e-9)


def test_a_many_sided_fight_summed_by_faction_equals_the_unit_by_unit_sums():
    rng = np.random.default_rng(4)
    for _ in range(20):
        units, factions = int(rng.integers(3, 60)), int(rng.integers(3, 6))
        side = np.sort(rng.integers(0, factions, units))
        between = np.triu((rng.random((factions, factions)) < 0.7).astype(float), 1)
        between += between.T
        strengths = rng.integers(1, 800, units).astype(float)
        effectiveness = rng.uniform(0.001, 0.05, units)
        by_unit = losses_by_rates(strengths, effectiveness, between[np.ix_(side, side)])
        by_faction = losses_by_rates(strengths, effectiveness, between, side=side)
        np.testing.assert_allclose(by_faction, by_unit, rtol=1e-9, atol=1e-9)


FIGHTS = """
import json, numpy as np
from wargame.phases.combat import losses_by_rates
rng = np.random.default_rng(5)
out = []
for _ in range(300):
    n, k = int(rng.integers(4, 12)), int(rng.integers(4, 7))
    side = rng.permutation(np.arange(n) % k)
    hostile = ~np.eye(k, dtype=bool)
    strengths = rng.uniform(50, 2000, n)
    effectiveness = rng.uniform(0.01, 0.2, n)
    out.append(losses_by_rates(strengths, effectiveness, hostile, side=side).tolist())
print(json.dumps(out))
"""


def test_a_fight_of_many_sides_loses_the_same_bits_whichever_blas_kernel_the_cpu_picks():
    """BLAS picks its kernel by CPU and kernels add in their own orders: a fight of four or
    more sides summed with it lost other last bits on an older CPU's kernel."""
    runs = [
        subprocess.run(
            [sys.executable, "-c", FIGHTS],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **kernel},
        )
        for kernel in ({}, {"OPENBLAS_CORETYPE": "Sandybridge"})
    ]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
