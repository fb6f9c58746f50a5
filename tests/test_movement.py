"""Movement: travel time from road length and kind; units in transit between places."""

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from theatres import passive_model, place, road, write_theatre

from wargame import ConflictModel
from wargame.engine.agents import Transit
from wargame.phases.movement import _whereabouts, daily_progress

EXACT = {"travel_friction": 0.0}


def red_unit_model(theatre_dir, parameters=None, **kwargs):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 300}], **kwargs)
    return passive_model(folder, {**EXACT, **(parameters or {})}, rng=3)


def days_to_arrive(model, unit, destination, limit=100):
    assert unit.order_to(destination)
    for _ in range(limit):
        model.step()
        if unit.place == destination:
            return model.day
    raise AssertionError("never arrived")


@pytest.mark.parametrize(
    ("destination", "expected_days"),
    # 80 km highway at 40 km/day, + 50 km road at 25, + 24 km track at 12
    [("bravo", 80 / 40), ("charlie", 80 / 40 + 50 / 25), ("delta", 80 / 40 + 50 / 25 + 24 / 12)],
)
def test_travel_time_is_length_over_speed_of_each_road_kind(
    theatre_dir, destination, expected_days
):
    model = red_unit_model(theatre_dir)
    assert days_to_arrive(model, model.units[0], destination) == expected_days


def test_speed_parameters_change_travel_time(theatre_dir):
    model = red_unit_model(
        theatre_dir, {"speed_highway_km_per_day": 20.0, "speed_road_km_per_day": 20.0}
    )
    assert days_to_arrive(model, model.units[0], "bravo") == 4


def coast() -> list[dict]:
    """A river port (alpha), 120 km by river from a coast town (bravo), 150 km by sea
    from an island town (charlie)."""
    return [
        place("alpha", 92.9, 20.1, "base", population=1000),
        place("bravo", 93.6, 20.9, "town", population=500),
        place("charlie", 93.6, 19.6, "town", population=500),
        road("alpha", "bravo", "river", 120.0),
        road("bravo", "charlie", "sea", 150.0),
    ]


@pytest.mark.parametrize(
    ("speeds", "expected_days"),
    # 120 km by river at 60 km/day, then 150 km by sea at 150 (the defaults), or slower boats
    [
        ({}, 120 / 60 + 150 / 150),
        ({"speed_river_km_per_day": 40.0, "speed_sea_km_per_day": 50.0}, 3 + 3),
    ],
)
def test_boat_routes_take_their_own_speeds(theatre_dir, speeds, expected_days):
    """The river and sea routes are road kinds with their own speed parameters, as a land
    road is."""
    model = red_unit_model(theatre_dir, speeds, features=coast(), control={"alpha": "red"})
    assert days_to_arrive(model, model.units[0], "charlie") == expected_days


def test_a_new_river_speed_re_times_the_river_alone(theatre_dir):
    """A fork or an outside event may set one boat speed in a run under way: the river
    route is timed again at it, the sea route keeps its own."""
    model = red_unit_model(theatre_dir, features=coast(), control={"alpha": "red"})
    model.parameters = model.parameters.model_copy(update={"speed_river_km_per_day": 30.0})
    assert model.routes.travel_days("alpha", "bravo") == pytest.approx(120 / 30)
    assert model.routes.travel_days("bravo", "charlie") == pytest.approx(150 / 150)


def test_a_unit_is_in_transit_between_places_with_the_km_left(theatre_dir):
    model = red_unit_model(theatre_dir)
    unit = model.units[0]
    unit.order_to("bravo")
    model.step()
    assert unit.place is None
    assert unit.cell is None
    assert unit.transit.origin == "alpha" and unit.transit.destination == "bravo"
    assert unit.transit.km_left == pytest.approx(40.0)
    assert unit not in model.grid["alpha"].agents and unit not in model.grid["bravo"].agents


def test_a_fast_unit_passes_through_several_places_in_one_day(theatre_dir):
    model = red_unit_model(
        theatre_dir, {"speed_highway_km_per_day": 200.0, "speed_road_km_per_day": 200.0}
    )
    unit = model.units[0]
    unit.order_to("charlie")  # 80 + 50 km at 200 km/day: 0.65 days
    model.step()
    assert unit.place == "charlie"
    assert unit.route == []


def test_a_unit_can_be_ordered_elsewhere_while_on_the_road(theatre_dir):
    model = red_unit_model(theatre_dir)
    unit = model.units[0]
    unit.order_to("charlie")
    model.step()  # half way to bravo
    unit.order_to("alpha")  # turning back is faster than going on to bravo and back
    assert unit.transit.destination == "alpha"
    assert unit.transit.km_left == 40.0
    model.step()
    assert unit.place == "alpha"


def test_a_unit_on_the_road_goes_on_when_that_is_faster(theatre_dir):
    model = red_unit_model(theatre_dir)
    unit = model.units[0]
    unit.order_to("bravo")
    model.step()
    unit.order_to("charlie")
    assert unit.transit.destination == "bravo"
    assert unit.route == ["bravo", "charlie"]
    model.run(3)
    assert unit.place == "charlie"


def test_routes_never_cross_a_foreign_sanctuary(theatre_dir):
    model = red_unit_model(theatre_dir)
    assert model.units[0].order_to("sanctum") is False
    assert model.routes.path("alpha", "delta") == ["alpha", "bravo", "charlie", "delta"]


def test_friction_keeps_the_expected_daily_progress_at_one_day(theatre_dir):
    model = red_unit_model(theatre_dir, {"travel_friction": 0.4})
    draws = daily_progress(model, np.arange(200_000))
    assert draws.mean() == pytest.approx(1.0, abs=0.01)
    assert draws.std() / draws.mean() == pytest.approx(0.4, rel=0.05)
    assert np.all(draws > 0)


def test_friction_spreads_arrival_days_around_the_exact_time(theatre_dir):
    arrivals = []
    for seed in range(40):
        folder_model = red_unit_model(theatre_dir, {"travel_friction": 0.3})
        model = passive_model(folder_model.theatre, {"travel_friction": 0.3}, rng=seed)
        arrivals.append(days_to_arrive(model, model.units[0], "delta"))
    assert len(set(arrivals)) > 1
    # whole days, so arrival is the ceiling of a time whose mean is 6 days
    assert 5 <= np.mean(arrivals) <= 8


def crossroads(folder_root: Path, blue_first: bool) -> ConflictModel:
    features = [
        place("a", 97.0, 25.0),
        place("b", 97.1, 25.0),
        place("c", 97.2, 25.0),
        place("z", 97.1, 25.1),
        road("a", "b", "road", 10.0),
        road("b", "c", "road", 10.0),
        road("b", "z", "road", 10.0),
    ]
    units = [
        {"faction": "red", "place": "a", "strength": 300},
        {"faction": "blue", "place": "b", "strength": 200},
    ]
    folder = write_theatre(
        folder_root / str(blue_first),
        features=features,
        control={},
        units=units[::-1] if blue_first else units,
    )
    return passive_model(folder, {"travel_friction": 0.0})


def test_a_column_stops_where_the_enemy_stood_this_morning_whatever_the_unit_order(tmp_path):
    for blue_first in (False, True):
        model = crossroads(tmp_path, blue_first)
        red = next(u for u in model.units if u.faction == "red")
        blue = next(u for u in model.units if u.faction == "blue")
        assert red.order_to("c") and blue.order_to("z")
        model.step()  # 10 km of road at 25 km/day: red reaches b, where blue stood
        assert blue.place == "z"
        assert red.place == "b", blue_first


def test_a_columns_morning_keeps_every_field_of_its_road():
    """`_whereabouts` copies a unit's Transit field by field (for speed): a field added to
    Transit and not copied would come back as its default after a halt."""
    values = {
        field.name: f"{field.name}-value" if field.type == "str" else 1.5 + number
        for number, field in enumerate(dataclasses.fields(Transit))
    }
    unit = SimpleNamespace(place=None, transit=Transit(**values), route=["a", "b"])
    place, transit, route = _whereabouts(unit)
    assert transit == unit.transit and transit is not unit.transit
    assert (place, route) == (None, ["a", "b"]) and route is not unit.route


def test_a_day_through_several_places_leaves_the_unit_in_the_last_cell_alone(theatre_dir):
    """A column passes bravo and charlie in one day and stops on the track to delta: its
    place and cell are the road's (none), no place it passed keeps it, and it has moved."""
    fast = {"speed_highway_km_per_day": 400.0, "speed_road_km_per_day": 250.0}
    model = red_unit_model(theatre_dir, fast)
    unit = model.units[0]
    assert unit.order_to("delta") and not unit.moved
    assert model.strength_at()["alpha"] == {"red": 300}
    unit.travel(0.5)  # 80 km at 400 + 50 km at 250: 0.4 days, then 1.2 km of track
    assert unit.place is None and unit.cell is None and unit.moved
    assert unit.transit.origin == "charlie" and unit.transit.km_left == pytest.approx(22.8)
    assert all(unit not in model.grid[p].agents for p in ("alpha", "bravo", "charlie"))
    assert model.strength_at().get("alpha") is None  # presence answers see the march
    unit.travel(2.0)  # on to delta: a unit that starts the day on the road arrives
    assert unit.place == "delta" and unit.cell is model.grid["delta"]
    assert unit in model.grid["delta"].agents and model.strength_at()["delta"] == {"red": 300}


def test_a_march_that_fails_half_way_leaves_the_unit_in_the_cell_of_its_place(theatre_dir):
    """A route through a place no road joins fails mid-march; the cell still follows."""
    model = red_unit_model(theatre_dir, {"speed_highway_km_per_day": 400.0})
    unit = model.units[0]
    unit.route = ["bravo", "delta"]  # no road from bravo to delta
    with pytest.raises(KeyError):
        unit.travel(1.0)
    assert unit.place == "bravo" and unit.cell is model.grid["bravo"]


def test_a_unit_that_goes_out_and_back_in_a_day_has_moved(theatre_dir):
    fast = {"speed_highway_km_per_day": 400.0}
    model = red_unit_model(theatre_dir, fast)
    unit = model.units[0]
    assert unit.order_to("bravo")
    unit.route.append("alpha")  # out to bravo and back, 160 km of highway in 0.4 days
    unit.travel(1.0)
    assert unit.place == "alpha" and unit.cell is model.grid["alpha"] and unit.moved
