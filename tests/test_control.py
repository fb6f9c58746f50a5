"""Control: sole armed presence for capture_days takes a place; hostile company contests it."""

from pathlib import Path

from theatres import passive_model, write_theatre

from wargame import ConflictModel
from wargame.engine.events import EventKind

EXACT = {"travel_friction": 0.0}


def test_a_place_changes_hands_after_capture_days_of_sole_presence(theatre_dir):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "delta", "strength": 100}],
        parameters={"capture_days": 4},
    )
    model = passive_model(folder, EXACT, rng=1)
    for day in range(1, 4):
        model.step()
        assert model.controller["delta"] == "blue", day
    model.step()
    assert model.controller["delta"] == "red"
    captures = model.events.of_kind(EventKind.CAPTURE)
    assert [(e.day, e.place) for e in captures] == [(4, "delta")]
    assert captures[0].sentence == "Day 4: Red captured Delta from the Blue"


def test_a_place_with_hostile_units_is_contested_and_does_not_change_hands(theatre_dir):
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "delta", "strength": 1000},
            {"faction": "blue", "place": "delta", "strength": 1000},
        ]
    )
    model = passive_model(folder, EXACT, rng=1)
    model.run(5)
    assert model.controller["delta"] == "blue"
    assert model.contested == {"delta"}
    assert len(model.events.of_kind(EventKind.CONTESTED)) == 1
    assert model.summary()["contested"] == ["delta"]


def test_an_ally_does_not_take_its_friends_place(theatre_dir):
    folder = theatre_dir(
        factions=["red", "blue", "green"],
        units=[{"faction": "green", "place": "alpha", "strength": 100}],
    )
    model = passive_model(folder, EXACT, rng=1)
    model.run(10)
    assert model.controller["alpha"] == "red"
    assert model.contested == set()


def test_an_uncontrolled_place_is_taken_by_whoever_stays(theatre_dir):
    folder = theatre_dir(units=[{"faction": "blue", "place": "bravo", "strength": 50}])
    model = passive_model(folder, EXACT, rng=1)
    model.run(3)
    assert model.controller["bravo"] == "blue"
    assert model.summary()["factions"]["blue"]["places_held"] == 2


def test_passing_through_does_not_capture(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 50}])
    model = passive_model(folder, EXACT, rng=1)
    model.units[0].order_to("delta")
    model.run(5)  # at bravo on day 2 and charlie on day 4, one day each
    assert model.controller["bravo"] is None and model.controller["charlie"] is None


def test_held_counts_follow_control(theatre_dir):
    folder = theatre_dir(control={"alpha": "red", "charlie": "red", "delta": "blue"})
    model = passive_model(folder, EXACT, rng=1)
    red = model.summary()["factions"]["red"]
    blue = model.summary()["factions"]["blue"]
    assert (red["places_held"], red["border_posts_held"], red["mine_sites_held"]) == (2, 0, 50)
    assert (blue["places_held"], blue["border_posts_held"], blue["mine_sites_held"]) == (1, 1, 0)


ASYMMETRIC = {  # red thinks well of blue; blue is hostile to red: they still fight
    "red": {"relations": {"blue": 0.5}, "break_point": 0.0},
    "blue": {"relations": {"red": -1.0}, "break_point": 0.0},
}


def fight_at_bravo(folder_root: Path, red_first: bool) -> ConflictModel:
    units = [
        {"faction": "red", "place": "bravo", "strength": 300},
        {"faction": "blue", "place": "bravo", "strength": 200},
    ]
    folder = write_theatre(
        folder_root / ("red_first" if red_first else "blue_first"),
        control={},
        units=units if red_first else units[::-1],
        faction_overrides=ASYMMETRIC,
        parameters={"capture_days": 2},
    )
    return passive_model(folder, {"combat_mode": "deterministic"})


def test_a_place_where_units_fight_is_contested_whatever_the_unit_order(tmp_path):
    for red_first in (True, False):
        model = fight_at_bravo(tmp_path, red_first)
        model.run(3)
        assert model.hostile("red", "blue")
        assert all(
            u.strength < s
            for u, s in zip(model.units, (300, 200) if red_first else (200, 300), strict=True)
        )
        assert model.contested == {"bravo"}, red_first
        assert model.controller["bravo"] is None, red_first
