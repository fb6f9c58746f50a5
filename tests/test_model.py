"""The model as a whole: the default theatre, the daily pipeline, and reproducibility."""

import json
import subprocess
import sys

import pandas as pd
from theatres import passive_model

from wargame import ConflictModel
from wargame.engine.agents import CivilianGroup, Unit

RECORD = """
import json, sys
from wargame import build_model



def record(folder, seed):
    model = build_model(folder, {"travel_friction": 0.5}, seed=seed)
    model.run(30)
    result = {"summary": model.summary(), "series": model.series().to_dict("list"),
              "events": [event.sentence for event in model.events]}
    return json.loads(json.dumps(result))
"""


def record(folder, seed: int) -> dict:
    namespace: dict = {}
    exec(RECORD, namespace)
    return namespace["record"](folder, seed)


def two_armies(theatre_dir):
    return theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 100, "count": 3},
            {"faction": "blue", "place": "delta", "strength": 80, "count": 3},
        ]
    )


def test_the_default_model_is_the_kachin_theatre():
    model = ConflictModel("kachin", rng=1)
    assert model.theatre.name == "kachin"
    assert len(model.theatre.map.places) >= 30
    assert model.day == 0 and model.date.isoformat() == "2024-03-07"
    model.step()
    assert model.day == 1 and model.date.isoformat() == "2024-03-08"


def test_same_seed_same_run_in_one_process(theatre_dir):
    folder = two_armies(theatre_dir)
    first = record(folder, 11)
    assert first["events"], "the two armies should have met and fought"
    assert first == record(folder, 11)


def test_same_seed_same_run_in_a_new_process(theatre_dir):
    folder = two_armies(theatre_dir)
    program = RECORD + "\nprint(json.dumps(record(sys.argv[1], int(sys.argv[2]))))"
    child = subprocess.run(
        [sys.executable, "-c", program, str(folder), "11"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(child.stdout) == record(folder, 11)


def test_different_seeds_give_different_runs(theatre_dir):
    folder = two_armies(theatre_dir)
    runs = [record(folder, seed)["series"] for seed in range(5)]
    assert any(run != runs[0] for run in runs[1:])


def test_civilian_groups_hold_every_place_population_exactly(theatre_dir):
    model = passive_model(two_armies(theatre_dir), {"civilian_group_size": 500}, rng=1)
    groups = model.civilians
    # alpha 1200 -> 500+500+200, bravo 800 -> 500+300, charlie 300, delta 100
    assert sorted(g.size for g in groups) == [100, 200, 300, 300, 500, 500, 500]
    assert sum(g.size for g in groups) == model.summary()["civilians"]["population"] == 2400
    assert all(isinstance(g, CivilianGroup) and g.cell.coordinate == g.home for g in groups)


def test_units_are_created_from_the_order_of_battle(theatre_dir):
    model = passive_model(two_armies(theatre_dir), rng=1)
    assert len(model.agents_by_type[Unit]) == 6
    summary = model.summary()["factions"]
    assert summary["red"]["strength"] == 300 and summary["blue"]["strength"] == 240


def test_series_has_a_row_per_day_including_the_start(theatre_dir):
    model = passive_model(two_armies(theatre_dir), rng=1)
    model.run(9)
    frame = model.series()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["day"]) == list(range(10))
    assert frame["red_strength"].iloc[-1] == 300 + frame["red_recruited"].iloc[-1]


def test_series_columns_names_every_column_of_the_daily_series_in_order():
    from wargame.engine.measures import columns

    model = ConflictModel("kachin", rng=1)
    assert list(model.series().columns) == [name for name, _ in columns(model.theatre)]


def test_the_summarys_columns_and_types_are_known_before_any_run():
    """The batch's runs table schema comes from the measures table, not from a sample run."""
    from wargame.analysis.batch import flatten
    from wargame.engine.measures import summary_kinds
    from wargame.scenario import PlaceKind

    model = ConflictModel("kachin", rng=1)
    model.run(3)
    flat = flatten(model.summary())
    places = [p.id for p in model.theatre.map.places.values() if p.kind is not PlaceKind.SANCTUARY]
    parameters = {k.removeprefix("parameters."): None for k in flat if k.startswith("parameters.")}
    kinds = summary_kinds(model.factions, places, parameters, model.theatre.commodities)
    assert list(kinds) == list(flat)
    for key, kind in kinds.items():
        value = flat[key]
        if kind is None or value is None:
            continue
        assert isinstance(value, kind) or (kind is float and isinstance(value, int)), key
