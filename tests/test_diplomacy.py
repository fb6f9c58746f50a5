"""Diplomacy: a militia's alliance strains and breaks, a beaten faction collapses, China acts."""

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


def border_fight(theatre_dir, parameters):
    folder = theatre_dir(units=FIGHT_AT_DELTA, faction_overrides=STEADY)
    return passive_model(
        folder, {"collapse_strength_share": 0.0, "ceasefire_trigger_days": 2, **parameters}
    )


def test_china_brokers_a_ceasefire_and_the_parties_stop_fighting(theatre_dir):
    model = border_fight(theatre_dir, {"china_pressure": 1.0, "ceasefire_rate_per_day": 1.0})
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
    model = border_fight(theatre_dir, {"china_pressure": 1.0, "ceasefire_rate_per_day": 1.0})
    model.factions["red"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 0.0
    model.factions["blue"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 1.0
    model.run(6)
    broken = model.events.of_kind(EventKind.CEASEFIRE_BROKEN)
    assert broken and broken[0].text == "the Blue broke the ceasefire with the Red"
    assert model.truces_broken >= 1


def test_without_chinas_pressure_there_is_no_ceasefire_and_no_closure(theatre_dir):
    model = border_fight(
        theatre_dir,
        {"china_pressure": 0.0, "ceasefire_rate_per_day": 1.0, "closure_rate_per_day": 1.0},
    )
    model.run(20)
    assert model.truces_made == 0 and not model.closed_crossings


def test_china_closes_a_crossing_by_the_fighting_and_reopens_it_when_quiet(theatre_dir):
    model = border_fight(
        theatre_dir,
        {
            "china_pressure": 1.0,
            "closure_rate_per_day": 1.0,
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
    assert texts == ["China closed the crossing at Delta", "China reopened the crossing at Delta"]
