"""The model as a whole: the default theatre, the daily pipeline, and reproducibility."""

import json
import subprocess
import sys

import pandas as pd

from wargame import ConflictModel, build_model
from wargame.agents import CivilianGroup, Unit
from wargame.observation import series

RUN_IN_CHILD = """
import json, sys
from wargame import build_model
from wargame.observation import series
model = build_model(sys.argv[1], {"travel_friction": 0.5}, seed=int(sys.argv[2]))
for unit in model.units:
    unit.order_to("delta" if unit.faction == "red" else "alpha")
model.run(12)
print(json.dumps({"summary": model.summary(), "series": series(model).to_dict("list")}))
"""


def moving_run(folder, seed: int) -> dict:
    model = build_model(folder, {"travel_friction": 0.5}, seed=seed)
    for unit in model.units:
        unit.order_to("delta" if unit.faction == "red" else "alpha")
    model.run(12)
    return json.loads(
        json.dumps({"summary": model.summary(), "series": series(model).to_dict("list")})
    )


def two_armies(theatre_dir):
    return theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 100, "count": 3},
            {"faction": "blue", "place": "delta", "strength": 80, "count": 3},
        ]
    )


def test_the_default_model_is_the_kachin_theatre():
    model = ConflictModel(rng=1)
    assert model.theatre.name == "kachin"
    assert len(model.theatre.map.places) >= 30
    assert model.day == 0 and model.date.isoformat() == "2024-03-07"
    model.step()
    assert model.day == 1 and model.date.isoformat() == "2024-03-08"


def test_same_seed_same_run_in_one_process(theatre_dir):
    folder = two_armies(theatre_dir)
    assert moving_run(folder, 11) == moving_run(folder, 11)


def test_same_seed_same_run_in_a_new_process(theatre_dir):
    folder = two_armies(theatre_dir)
    child = subprocess.run(
        [sys.executable, "-c", RUN_IN_CHILD, str(folder), "11"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(child.stdout) == moving_run(folder, 11)


def test_different_seeds_give_different_runs(theatre_dir):
    folder = two_armies(theatre_dir)
    runs = [moving_run(folder, seed)["series"] for seed in range(5)]
    assert any(run != runs[0] for run in runs[1:])


def test_civilian_groups_hold_every_place_population_exactly(theatre_dir):
    model = ConflictModel(two_armies(theatre_dir), {"civilian_group_size": 500}, rng=1)
    groups = model.civilians
    # alpha 1200 -> 500+500+200, bravo 800 -> 500+300, charlie 300, delta 100
    assert sorted(g.size for g in groups) == [100, 200, 300, 300, 500, 500, 500]
    assert sum(g.size for g in groups) == model.summary()["civilians"]["population"] == 2400
    assert all(isinstance(g, CivilianGroup) and g.cell.coordinate == g.home for g in groups)


def test_units_are_created_from_the_order_of_battle(theatre_dir):
    model = ConflictModel(two_armies(theatre_dir), rng=1)
    assert len(model.agents_by_type[Unit]) == 6
    summary = model.summary()["factions"]
    assert summary["red"]["strength"] == 300 and summary["blue"]["strength"] == 240


def test_series_has_a_row_per_day_including_the_start(theatre_dir):
    model = ConflictModel(two_armies(theatre_dir), rng=1)
    model.run(9)
    frame = series(model)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["day"]) == list(range(10))
    assert frame["red_strength"].iloc[-1] == 300
