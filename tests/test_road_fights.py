"""Arrival within the day and fights on roads, worked by hand on two-town theatres."""

import pytest
from theatres import passive_model, place, road

from wargame.engine.posture import Posture
from wargame.phases.combat import square_law

DETERMINISTIC = {
    "combat_mode": "deterministic",
    "travel_friction": 0.0,
    "collapse_strength_share": 0.0,
}


def two_towns(theatre_dir, units, km: float, faction_overrides=None, control=None):
    """West and East joined by `km` of road (25 km a day); Red holds West, Blue East."""
    features = [
        place("west", 97.0, 25.0, "town"),
        place("east", 97.0 + km * 0.008, 25.0, "town"),
        road("west", "east", "road", km),
    ]
    overrides = {"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}}
    for faction, settings in (faction_overrides or {}).items():
        overrides[faction] = {**overrides[faction], **settings}
    folder = theatre_dir(
        features=features,
        control=control or {"west": "red", "east": "blue"},
        units=units,
        faction_overrides=overrides,
    )
    return passive_model(folder, DETERMINISTIC)


def test_a_unit_arriving_partway_through_the_day_fights_only_the_rest_of_it(theatre_dir):
    # 10 km at 25 km a day: Red reaches East at 0.4 of the day and fights the other 0.6
    model = two_towns(
        theatre_dir,
        [
            {"faction": "red", "place": "west", "strength": 1000},
            {"faction": "blue", "place": "east", "strength": 800},
        ],
        km=10.0,
    )
    red, blue = model.units
    assert red.order_to("east")
    model.step()
    assert red.place == "east" and red.arrival == pytest.approx(0.4)
    a, b = square_law(1000, 800, 0.01, 0.01, t=0.6)
    assert red.strength == pytest.approx(a, rel=1e-12)
    assert blue.strength == pytest.approx(b, rel=1e-12)
    # the next day both are there from dawn: a whole day
    model.step()
    a, b = square_law(a, b, 0.01, 0.01)
    assert red.strength == pytest.approx(a, rel=1e-12) and red.arrival == 0.0


def test_columns_meeting_head_on_fight_where_they_meet(theatre_dir):
    # 40 km: Red leaves West and Blue leaves East at dawn, each at 25 km a day; they meet
    # 20 km from each town at 0.8 of the day and fight the last 0.2 of it on the road
    model = two_towns(
        theatre_dir,
        [
            {"faction": "red", "place": "west", "strength": 1000},
            {"faction": "blue", "place": "east", "strength": 600},
        ],
        km=40.0,
    )
    red, blue = model.units
    assert red.order_to("east") and blue.order_to("west")
    model.step()
    for unit in (red, blue):
        assert unit.place is None and unit.transit.km_left == pytest.approx(20.0)
        assert unit.clash == ("east", "west", pytest.approx(20.0))
        assert unit.arrival == pytest.approx(0.8)
    a, b = square_law(1000, 600, 0.01, 0.01, t=0.2)
    assert red.strength == pytest.approx(a, rel=1e-9)
    assert blue.strength == pytest.approx(b, rel=1e-9)
    # the losses go to the same ledgers, with no fortification on a road
    assert model.factions["red"].killed == pytest.approx(1000 - a, rel=1e-9)
    assert model.factions["blue"].killed == pytest.approx(600 - b, rel=1e-9)
    # neither breaks: the next day they are still face to face and fight all day
    model.step()
    a, b = square_law(a, b, 0.01, 0.01)
    assert blue.strength == pytest.approx(b, rel=1e-9)


def test_the_broken_column_falls_back_and_the_winner_goes_on(theatre_dir):
    model = two_towns(
        theatre_dir,
        [
            {"faction": "red", "place": "west", "strength": 1000},
            {"faction": "blue", "place": "east", "strength": 300},
        ],
        km=40.0,
        faction_overrides={"blue": {"break_point": 0.79}},
    )
    red, blue = model.units
    assert red.order_to("east") and blue.order_to("west")
    model.step()
    assert blue.posture is Posture.WITHDRAW
    assert blue.transit.destination == "east" and blue.route == ["east"]
    red_before, blue_before = red.strength, blue.strength
    model.step()
    # both now head east from where they met, so no fight on the road: both reach East
    # at 0.8 of the day (20 km at 25 km a day) and fight there the rest of the day
    assert red.clash is None and blue.clash is None
    assert red.place == blue.place == "east"
    assert red.arrival == pytest.approx(0.8) and blue.arrival == pytest.approx(0.8)
    _, b = square_law(red_before, blue_before, 0.01, 0.01, t=0.2)
    assert blue.strength == pytest.approx(b, rel=1e-9)


def test_a_column_reaching_a_fight_on_the_road_joins_it(theatre_dir):
    # Blue's second column leaves East with the first; Red's second leaves West half a
    # day's march behind the first (a place 12.5 km back): it reaches the fight later
    model = two_towns(
        theatre_dir,
        [
            {"faction": "red", "place": "west", "strength": 1000},
            {"faction": "blue", "place": "east", "strength": 600},
        ],
        km=40.0,
    )
    red, blue = model.units
    assert red.order_to("east") and blue.order_to("west")
    model.step()
    # a fresh Red column starts from West the next morning and reaches the fight
    # (20 km at 25 km a day) at 0.8 of the day
    from wargame.engine.agents import Unit

    fresh = Unit(model, "red", 500, "west")
    assert fresh.order_to("east")
    before = blue.strength
    model.step()
    assert fresh.clash == red.clash and fresh.arrival == pytest.approx(0.8)
    assert fresh.strength < 500 and blue.strength < before


def test_friendly_columns_pass_each_other(theatre_dir):
    model = two_towns(
        theatre_dir,
        [
            {"faction": "red", "place": "west", "strength": 1000},
            {"faction": "red", "place": "east", "strength": 600},
        ],
        km=40.0,
        control={"west": "red", "east": "red"},
    )
    one, other = model.units
    assert one.order_to("east") and other.order_to("west")
    model.step()
    assert one.clash is None and one.transit.km_left == pytest.approx(15.0)
    assert model.factions["red"].killed == 0
