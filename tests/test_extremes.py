"""Extreme settings run without errors, and nothing that counts goes below zero.

The issue's four on the default theatre - no budget, China's pressure at its
full 1, a rare-earth price of 0, every faction at war with every other - alone
and together, for a year; then every parameter at each end of its valid range
on a small theatre.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest
from invariants import check_day, starting_counts
from theatres import write_theatre

from wargame import ConflictModel
from wargame.scenario import Theatre, load_theatre
from wargame.scenario.parameters import PRICE_MAX, PRICES, Parameters


def broke(theatre: Theatre) -> Theatre:
    """Every faction starts with an empty treasury and no income from outside."""
    factions = {
        faction_id: spec.model_copy(
            update={
                "economy": spec.economy.model_copy(
                    update={"treasury": 0.0, "external_income_per_day": 0.0}
                )
            }
        )
        for faction_id, spec in theatre.factions.items()
    }
    return dataclasses.replace(theatre, factions=factions)


def all_at_war(theatre: Theatre) -> Theatre:
    factions = {
        faction_id: spec.model_copy(
            update={"relations": {other: -1.0 for other in theatre.factions if other != faction_id}}
        )
        for faction_id, spec in theatre.factions.items()
    }
    return dataclasses.replace(theatre, factions=factions)


def run_checked(model: ConflictModel, days: int) -> pd.DataFrame:
    start, people = starting_counts(model)
    for _ in range(days):
        model.step()
        check_day(model, start, people)
    frame = model.series()
    numbers = frame.select_dtypes("number")
    assert numbers.notna().all().all() and (numbers >= 0).all().all()
    assert all(math.isfinite(v) for v in numbers.to_numpy().ravel())
    return frame


EXTREMES = {
    "no budget": (broke, {}),
    "pressure 1": (None, {"broker_pressure": 1.0}),
    "price 0": (None, {"prices.rare_earth": 0.0, "prices.jade": 0.0, "prices.gold": 0.0}),
    "all at war": (all_at_war, {}),
}


@pytest.mark.slow
@pytest.mark.parametrize("names", [[n] for n in EXTREMES] + [list(EXTREMES)], ids=str)
def test_the_default_theatre_runs_a_year_at_the_extremes(names):
    theatre, parameters = load_theatre("kachin"), {}
    for name in names:
        change, overrides = EXTREMES[name]
        theatre = change(theatre) if change else theatre
        parameters |= overrides
    model = ConflictModel(theatre, parameters, rng=3)
    run_checked(model, 365)
    if "no budget" in names:  # what is spent can only be what the ground earned
        for faction in model.factions.values():
            assert sum(faction.spent.values()) <= faction.revenue_total + 1e-6
    if "price 0" in names:
        for faction in model.factions.values():
            assert set(faction.commodity_income_total.values()) == {0.0}
    if "all at war" in names:
        factions = list(model.factions)
        # at war by relation: a truce the broker makes (pressure 1) may hold on any one day
        assert all(model.factions[a].is_hostile(b) for a in factions for b in factions if a != b)


def ends_of_range(name: str) -> list[object]:
    field = Parameters.model_fields[name]
    values = []
    for bound in field.metadata:
        for key, nudge in (("ge", 0.0), ("le", 0.0), ("gt", 1e-6), ("lt", -1e-6)):
            if hasattr(bound, key):
                values.append(getattr(bound, key) + nudge)
    if not values:  # a choice, not a range
        values = list(getattr(field.annotation, "__args__", ()))
    return values


CASES = [
    (name, value)
    for name in Parameters.model_fields
    if name != PRICES
    for value in ends_of_range(name)
] + [(f"{PRICES}.rare_earth", 0.0), (f"{PRICES}.rare_earth", PRICE_MAX)]  # the test theatre's


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v}" for n, v in CASES])
# a speed at an end of its range ranks the road kinds out of order: warned about, and run
@pytest.mark.filterwarnings("ignore::wargame.scenario.errors.ScenarioWarning")
def test_every_parameter_at_either_end_of_its_range_runs(tmp_path, name, value):
    units = [
        {"faction": "red", "place": "alpha", "strength": 600, "count": 3},
        {"faction": "blue", "place": "delta", "strength": 400, "count": 2},
        {"faction": "green", "place": "charlie", "strength": 300},
    ]
    folder = write_theatre(
        tmp_path / "t",
        units=units,
        factions=["red", "blue", "green"],
        neighbours={"CN": {"soldiers": "hand_back", "hand_back_after_days": 5}},
    )
    arms_on = {"arms_edge_max": 0.5}  # the test theatres buy no arms unless told to
    run_checked(ConflictModel(folder, {**arms_on, name: value}, rng=1), 60)
