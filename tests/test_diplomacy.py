"""Diplomacy: a militia's alliance strains and breaks, a beaten faction collapses, the broker
acts (China in the test theatre, as in Kachin; another, or none, in others)."""

import pytest
from theatres import passive_model

from wargame.engine.events import EventKind
from wargame.phases import diplomacy

FIGHT_AT_DELTA = [
    {"faction": "red", "place": "delta", "strength": 1000},
    {"faction": "blue", "place": "delta", "strength": 1000},
]
STEADY = {"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}}


def militia(theatre_dir, parameters):
    """Green, red's militia, holds charlie; blue attacks it there and red never comes."""
    return passive_model(
        theatre_dir(
            factions=["red", "blue", "green"],
            control={"alpha": "red", "charlie": "green", "delta": "blue"},
            units=[
                {"faction": "green", "place": "charlie", "strength": 1000},
                {"faction": "blue", "place": "charlie", "strength": 3000},
            ],
            faction_overrides={
                "green": {
                    "relations": {"red": 0.5, "blue": -0.5},
                    "patron": "red",
                    "break_point": 0.0,
                },
                "red": {"relations": {"blue": -1.0, "green": 0.5}},
                "blue": {"relations": {"red": -1.0, "green": -0.5}, "break_point": 0.0},
            },
        ),
        {
            "alliance_strain_unhelped_per_day": 0.05,
            "rival_offer": 1.0,  # blue offers terms: green has somewhere to go
            "alliance_threshold": 0.3,
            "collapse_strength_share": 0.0,
            **parameters,
        },
    )


def test_a_militia_left_alone_under_attack_stops_fighting_for_its_patron(theatre_dir):
    model = militia(theatre_dir, {})
    model.step()  # the fight starts: charlie is contested from today
    model.step()
    assert model.factions["green"].relations["red"] == pytest.approx(0.45)
    assert model.allied("green", "red")
    model.run(4)
    assert "green" in model.state(diplomacy).broken_alliances
    assert not model.allied("green", "red")
    assert [e.text for e in model.events.of_kind(EventKind.ALLIANCE)] == [
        "the Green stopped fighting for the Red"
    ]


def test_a_militia_whose_file_gives_no_relation_to_its_patron_breaks_away_on_day_one(
    theatre_dir,
):
    """No relation is a neutral 0, below the alliance threshold: the alliance ends at once
    (it raised a KeyError on day 1 before)."""
    model = passive_model(
        theatre_dir(
            factions=["red", "blue", "green"],
            control={"alpha": "red", "charlie": "green", "delta": "blue"},
            faction_overrides={"green": {"relations": {"blue": -0.5}, "patron": "red"}},
        )
    )
    model.step()
    assert "green" in model.state(diplomacy).broken_alliances
    assert model.factions["green"].relations["red"] == 0.0


def test_loyalty_overrides_the_faction_files(theatre_dir):
    model = militia(theatre_dir, {"militia_loyalty": 0.9})
    assert model.factions["green"].relations["red"] == 0.9
    assert model.factions["red"].relations["green"] == 0.9


def test_a_beaten_faction_surrenders_and_its_places_fall_to_whoever_holds_them(theatre_dir):
    model = militia(theatre_dir, {"collapse_strength_share": 0.9, "combat_mode": "deterministic"})
    for _ in range(30):
        model.step()
        if "green" in model.state(diplomacy).collapsed:
            break
    green = model.factions["green"]
    assert "green" in model.state(diplomacy).collapsed and not [
        u for u in model.units if u.faction == "green"
    ]
    assert green.surrendered > 0
    assert green.surrendered + green.killed == pytest.approx(1000 + green.recruited)
    assert model.controller["charlie"] == "blue"  # blue stood there
    assert model.events.of_kind(EventKind.COLLAPSE)


def border_fight(theatre_dir, parameters, **theatre):
    folder = theatre_dir(units=FIGHT_AT_DELTA, faction_overrides=STEADY, **theatre)
    return passive_model(
        folder, {"collapse_strength_share": 0.0, "ceasefire_trigger_days": 2, **parameters}
    )


def test_the_broker_brokers_a_ceasefire_and_the_parties_stop_fighting(theatre_dir):
    model = border_fight(theatre_dir, {"broker_pressure": 1.0, "ceasefire_rate_per_day": 1.0})
    for _ in range(5):
        model.step()
        if model.truces_made:
            break
    assert model.truces_made == 1 and model.truces == {("blue", "red")}
    assert not model.hostile("red", "blue")
    assert model.events.of_kind(EventKind.CEASEFIRE)[0].text == (
        "China brokered a ceasefire between the Blue and the Red"
    )
    fighters = [u for u in model.units if u.place == "delta"]
    strengths = [u.strength for u in fighters]
    model.factions["red"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 0.0
    model.factions["blue"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 0.0
    model.step()
    assert [u.strength for u in fighters] == strengths  # no fighting under the truce


def test_a_violation_ends_the_ceasefire_and_names_who_broke_it(theatre_dir):
    model = border_fight(theatre_dir, {"broker_pressure": 1.0, "ceasefire_rate_per_day": 1.0})
    model.factions["red"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 0.0
    model.factions["blue"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 1.0
    model.run(6)
    broken = model.events.of_kind(EventKind.CEASEFIRE_BROKEN)
    assert broken and broken[0].text == "the Blue broke the ceasefire with the Red"
    assert model.truces_broken >= 1


def test_without_the_brokers_pressure_there_is_no_ceasefire_and_no_closure(theatre_dir):
    model = border_fight(
        theatre_dir,
        {"broker_pressure": 0.0, "ceasefire_rate_per_day": 1.0, "broker_tolerance": 0.0},
    )
    model.run(20)
    assert model.truces_made == 0 and not model.closed_crossings


def test_the_broker_closes_a_crossing_by_the_fighting_and_reopens_it_when_quiet(theatre_dir):
    model = border_fight(
        theatre_dir,
        {
            "broker_pressure": 1.0,
            "broker_tolerance": 0.5,
            "broker_memory_days": 1.0,  # forgiven within days once the fighting stops
            "ceasefire_rate_per_day": 0.0,
            "reopen_quiet_days": 3,
        },
    )
    model.step()  # the battle starts
    model.step()
    assert model.closed_crossings == {"delta"}
    assert model.factions["blue"].income_today["trade"] == 0.0
    for unit in [u for u in model.units if u.faction == "red"]:
        unit.remove()
    model.run(5)
    assert model.closed_crossings == set()
    texts = [e.text for e in model.events.of_kind(EventKind.BORDER)]
    assert texts == [
        "China closed the crossing at Delta, its patience with the Blue and Red spent",
        "China reopened the crossing at Delta",
    ]


EVERY_CHANCE = {
    "broker_pressure": 1.0,
    "ceasefire_rate_per_day": 1.0,
    "broker_tolerance": 0.5,
    "reopen_quiet_days": 1000,
}


def test_a_theatre_without_a_broker_never_brokers_a_truce_or_closes_a_crossing(theatre_dir):
    """The same fight at the same crossing, every chance at its highest: with a broker it
    brings a closure and a truce, without one neither (the old engine had China act in
    every theatre)."""
    brokered = border_fight(theatre_dir, EVERY_CHANCE)
    brokered.run(10)
    assert brokered.closed_crossings == {"delta"} and brokered.truces_made == 1
    alone = border_fight(theatre_dir, EVERY_CHANCE, broker=None)
    assert alone.broker_name is None and not alone.broker_crossings
    alone.run(60)
    assert alone.truces_made == 0 and not alone.closed_crossings
    assert not alone.events.of_kind(EventKind.CEASEFIRE)
    assert not alone.events.of_kind(EventKind.BORDER)
    assert alone.state(diplomacy).border_fighting_days == 0


def test_the_broker_controls_only_the_crossings_into_its_own_country(theatre_dir):
    """Echo is a crossing into India, Delta one into China: China, the broker, closes Delta
    and leaves Echo open, though both see fighting."""
    from theatres import line_map, place, road

    features = [
        *line_map(),
        place("echo", 97.5, 25.2, "border_post", population=100, trade_per_day=1000.0),
        place("refuge", 97.5, 25.22, "sanctuary", country="IN"),
        road("charlie", "echo", "track", 30.0),
        road("echo", "refuge", "road", 2.5),
    ]
    fights = [*FIGHT_AT_DELTA, *({**unit, "place": "echo"} for unit in FIGHT_AT_DELTA)]
    model = passive_model(
        theatre_dir(
            features=features,
            control={"alpha": "red", "delta": "blue", "echo": "blue"},
            units=fights,
            faction_overrides=STEADY,
            countries={"MM": "Myanmar", "CN": "China", "IN": "India"},
        ),
        {**EVERY_CHANCE, "ceasefire_rate_per_day": 0.0, "collapse_strength_share": 0.0},
    )
    assert set(model.crossings) == {"delta", "echo"} and model.broker_crossings == {"delta"}
    model.run(10)
    assert model.closed_crossings == {"delta"}
    assert model.state(diplomacy).gate_quiet.keys() == {"delta"}


def test_the_events_say_the_theatres_own_names_for_the_broker_and_the_countries(theatre_dir):
    """A theatre whose neighbour is Vardia (code XB): the truce, the closure and the
    soldiers' flight across the border name Vardia, never China."""
    from theatres import line_map

    features = line_map()
    for feature in features:
        if feature["properties"].get("id") == "sanctum":
            feature["properties"]["country"] = "XB"
    model = border_fight(
        theatre_dir,
        {**EVERY_CHANCE, "ceasefire_trigger_days": 1},
        features=features,
        countries={"XA": "Tamsen", "XB": "Vardia"},
        broker="XB",
    )
    model.run(3)
    texts = [e.text for e in model.events]
    assert any(text.startswith("Vardia closed the crossing at Delta") for text in texts)
    assert "Vardia brokered a ceasefire between the Blue and the Red" in texts
    assert model.country_name("sanctum") == "Vardia"
    assert not any("China" in text or "XB" in text for text in texts)
