"""Morale and retreat: wear in battle, rest on friendly ground, falling back, internment."""

import pytest
from theatres import line_map, passive_model, place, road

from wargame.engine.events import EventKind
from wargame.engine.posture import Posture


def test_morale_falls_with_losses_in_a_fight(theatre_dir):
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "charlie", "strength": 300},
            {"faction": "blue", "place": "charlie", "strength": 600},
        ]
    )
    model = passive_model(folder)
    red, blue = model.units
    model.step()
    assert red.morale < 0.8 and blue.morale < 0.8
    assert red.morale < blue.morale  # outnumbered, and losing a larger share


def test_morale_recovers_at_rest_on_friendly_ground_up_to_its_initial_level(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 300}])
    model = passive_model(folder)
    unit = model.units[0]
    unit.morale = 0.6
    model.step()
    assert unit.morale == pytest.approx(0.65)  # recovery_per_day = 0.05
    model.run(10)
    assert unit.morale == pytest.approx(0.8)


def detour_map() -> list[dict]:
    """x, where a broken unit stands; a short way home through blue's b, a long way via m."""
    return [
        place("x", 97.0, 25.0),
        place("b", 97.1, 25.0),
        place("near", 97.2, 25.0),
        place("m", 97.0, 25.2),
        place("far", 97.2, 25.35),
        road("x", "b", "road", 5.0),
        road("b", "near", "road", 5.0),
        road("x", "m", "road", 30.0),
        road("m", "far", "road", 30.0),
        road("near", "far", "road", 100.0),
    ]


def test_a_broken_unit_falls_back_by_a_path_that_avoids_the_enemy(theatre_dir):
    folder = theatre_dir(
        features=detour_map(),
        control={"b": "blue", "near": "red", "far": "red"},
        units=[{"faction": "red", "place": "x", "strength": 200}],
    )
    model = passive_model(folder)
    unit = model.units[0]
    unit.morale = 0.1
    model.step()
    assert unit.posture is Posture.WITHDRAW
    assert unit.route == ["m", "far"]
    retreats = model.events.of_kind(EventKind.RETREAT)
    assert len(retreats) == 1 and retreats[0].place == "x"
    model.run(5)
    assert unit.place == "far"


def cut_off(theatre_dir, reach: float, features=None, **theatre):
    """Red broken at charlie; bravo (blue) blocks the way home; delta faces a sanctuary."""
    folder = theatre_dir(
        features=features or line_map(),
        control={"alpha": "red", "bravo": "blue"},
        units=[{"faction": "red", "place": "charlie", "strength": 300}],
        **theatre,
    )
    model = passive_model(
        folder,
        {"internment_reach_days": reach, "travel_friction": 0.0, "recruits_per_base_per_day": 0},
    )
    model.units[0].morale = 0.1
    return model


def test_a_cut_off_broken_unit_crosses_the_border_and_is_interned(theatre_dir):
    model = cut_off(theatre_dir, reach=2.0)  # charlie-delta: 24 km of track at 12 km/day
    model.step()
    assert model.units == []
    assert model.factions["red"].interned == 300
    interned = model.events.of_kind(EventKind.INTERNMENT)
    assert [e.sentence for e in interned] == [
        "Day 1: 1 Red unit (300 soldiers) crossed into China at Delta"
    ]
    assert model.summary()["factions"]["red"]["interned"] == 300


def test_the_country_a_unit_crosses_into_is_named_as_the_theatre_names_it(theatre_dir):
    """The sanctuary lies in XB, which the set-up calls Vardia; the theatre has no broker
    (the names of countries are the theatre's whether or not one of them brokers)."""
    features = line_map()
    for feature in features:
        if feature["properties"].get("id") == "sanctum":
            feature["properties"]["country"] = "XB"
    model = cut_off(
        theatre_dir, 2.0, features, countries={"XA": "Tamsen", "XB": "Vardia"}, broker=None
    )
    model.step()
    (interned,) = model.events.of_kind(EventKind.INTERNMENT)
    assert interned.text == "1 Red unit (300 soldiers) crossed into Vardia at Delta"


def test_a_cut_off_broken_unit_out_of_reach_of_the_border_stands(theatre_dir):
    model = cut_off(theatre_dir, reach=1.0)
    model.step()
    unit = model.units[0]
    assert unit.place == "charlie" and unit.route == [] and unit.posture is Posture.WITHDRAW
    assert model.factions["red"].interned == 0


def test_a_withdrawn_unit_rallies_when_its_morale_returns(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 300}])
    model = passive_model(folder)
    unit = model.units[0]
    unit.posture = Posture.WITHDRAW
    unit.morale = 0.35  # break point 0.3, rally margin 0.15: rallies at 0.45
    model.step()
    assert unit.posture is Posture.WITHDRAW
    model.run(2)
    assert unit.morale >= 0.45 and unit.posture is Posture.HOLD
