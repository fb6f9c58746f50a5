"""Diplomacy: a militia's alliance strains and breaks, a beaten faction collapses, the broker
acts (China in the test theatre, as in Kachin; another, or none, in others)."""

import pytest
from theatres import line_map, passive_model, place, road

from wargame import ConflictModel
from wargame.engine.events import EventKind
from wargame.phases import diplomacy

FIGHT_AT_DELTA = [
    {"faction": "red", "place": "delta", "strength": 1000},
    {"faction": "blue", "place": "delta", "strength": 1000},
]
STEADY = {"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}}


def militia(theatre_dir, parameters, **theatre):
    """Green, red's militia, holds charlie; blue attacks it there and red never comes."""
    return passive_model(
        theatre_dir(
            **theatre,
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


def test_a_militia_loses_faith_as_its_patron_loses_the_places_next_to_its_own(theatre_dir):
    """Green holds charlie alone, its only place; Red holds bravo, one road away. Blue
    taking bravo is a loss next to Green's own: the next day Green's relation to Red falls
    by `alliance_strain_per_loss`, 0.5 -> 0.3, and no further without another."""
    model = passive_model(
        theatre_dir(
            factions=["red", "blue", "green"],
            control={"alpha": "red", "bravo": "red", "charlie": "green", "delta": "blue"},
            units=[{"faction": "green", "place": "charlie", "strength": 100}],
            faction_overrides={
                "green": {"relations": {"red": 0.5, "blue": 0.0}, "patron": "red"},
                "red": {"relations": {"blue": -1.0, "green": 0.5}},
                "blue": {"relations": {"red": -1.0, "green": 0.0}},
            },
        ),
        {"alliance_strain_per_loss": 0.2, "rival_offer": 1.0, "alliance_threshold": 0.1},
    )
    model.step()
    model.set_holder("bravo", "blue")
    model.log(EventKind.CAPTURE, ("blue", "red"), "bravo", "Blue captured Bravo from the Red")
    model.run(2)
    assert model.factions["green"].relations["red"] == pytest.approx(0.3)
    assert model.allied("green", "red")


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


def red_on_the_move(theatre_dir, momentum_days: int):
    """The border fight at delta (from day 1, so the broker offers a truce from day 6), while
    a Red company takes Blue's empty bravo (on day 3, capture_days after it stands there)."""
    folder = theatre_dir(
        units=[*FIGHT_AT_DELTA, {"faction": "red", "place": "bravo", "strength": 100}],
        control={"alpha": "red", "bravo": "blue", "delta": "blue"},
        faction_overrides=STEADY,
    )
    parameters = {
        "broker_pressure": 1.0,
        "ceasefire_rate_per_day": 1.0,
        "ceasefire_trigger_days": 5,
    }
    return passive_model(
        folder, {**parameters, "collapse_strength_share": 0.0, "momentum_days": momentum_days}
    )


def offers(model) -> list[tuple[int, str]]:
    """The broker's offers, refused (a kind of their own: no ceasefire) or taken."""
    kinds = (EventKind.CEASEFIRE, EventKind.CEASEFIRE_REFUSED)
    return [(e.day, e.text) for e in model.events if e.kind in kinds]


def test_a_side_on_the_move_turns_the_brokers_truce_down_until_it_stalls(theatre_dir):
    model = red_on_the_move(theatre_dir, momentum_days=10)
    model.run(5)
    [taken] = model.events.of_kind(EventKind.CAPTURE)
    assert taken.factions == ("red", "blue") and taken.place == "bravo"
    stalled = taken.day + 11  # the first day the capture is more than ten days back
    model.run(stalled - 1 - model.day)
    refused = "China offered a ceasefire between the Blue and the Red; the Red refused"
    assert offers(model) == [(day, refused) for day in range(6, stalled)]
    assert model.truces_made == 0 and not model.events.of_kind(EventKind.CEASEFIRE)
    model.run(1)
    assert offers(model)[-1] == (stalled, "China brokered a ceasefire between the Blue and the Red")
    assert model.truces == {("blue", "red")}


def test_a_side_that_lost_as_many_places_as_it_took_is_not_winning_and_takes_the_truce(
    theatre_dir,
):
    """Red takes bravo on day 3; a loss of its own logged on day 5 evens the count (one
    taken, one lost): not more taken than lost, so on day 6 Red takes the truce."""
    model = red_on_the_move(theatre_dir, momentum_days=10)
    model.run(5)
    model.log(EventKind.CAPTURE, ("blue", "red"), "alpha", "Blue took Alpha from the Red")
    model.run(1)
    assert offers(model) == [(6, "China brokered a ceasefire between the Blue and the Red")]


def test_with_no_memory_of_momentum_every_side_takes_the_truce(theatre_dir):
    model = red_on_the_move(theatre_dir, momentum_days=0)
    model.run(6)
    assert offers(model) == [(6, "China brokered a ceasefire between the Blue and the Red")]


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
            "ultimatum_hurt": 0.0,  # no warning first: it closes as soon as it is past
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
        "China closed the crossing at Delta, its patience with the Red spent",
        "China reopened the crossing at Delta",
    ]


EVERY_CHANCE = {
    "broker_pressure": 1.0,
    "ceasefire_rate_per_day": 1.0,
    "broker_tolerance": 0.5,
    "ultimatum_hurt": 0.0,
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


# --- coalitions ---------------------------------------------------------------------------

COALITION = {
    "red": {"relations": {"blue": -1.0, "green": -1.0}, "break_point": 0.0},
    "blue": {"relations": {"red": -1.0, "green": 0.5}, "break_point": 0.0},
    "green": {"relations": {"red": -1.0, "blue": 0.5}, "break_point": 0.0},
}


def coalition_fight(theatre_dir, parameters, coalitions):
    """Red fights Blue at Delta, by the broker's crossing, and Green at Bravo, far from it:
    the broker brokers between Red and Blue, the two fighting most by its border."""
    folder = theatre_dir(
        factions=["red", "blue", "green"],
        control={"alpha": "red", "delta": "blue", "bravo": "green"},
        units=[
            *FIGHT_AT_DELTA,
            {"faction": "red", "place": "bravo", "strength": 500},
            {"faction": "green", "place": "bravo", "strength": 500},
        ],
        faction_overrides=COALITION,
        coalitions=coalitions,
    )
    return passive_model(
        folder,
        {
            "collapse_strength_share": 0.0,
            "ceasefire_trigger_days": 2,
            "broker_pressure": 1.0,
            "ceasefire_rate_per_day": 1.0,
            "broker_tolerance": 1000.0,
            **parameters,
        },
    )


def keep_truces(model) -> None:
    """No faction breaks a truce by chance: a test says who breaks one."""
    for faction in model.factions.values():
        faction.spec.doctrine.__dict__["ceasefire_violation_per_day"] = 0.0


def truce_day(model) -> int:
    for _ in range(10):
        model.step()
        if model.truces:
            return model.day
    raise AssertionError("no truce in 10 days")


def test_a_ceasefire_with_one_coalition_member_binds_the_others(theatre_dir):
    """Blue and Green are one coalition: the truce the broker makes with Blue covers Green,
    so Red and Green stop fighting at Bravo too; without the coalition only Blue is bound."""
    allied = coalition_fight(theatre_dir, {}, {"brotherhood": ["blue", "green"]})
    keep_truces(allied)
    truce_day(allied)
    assert allied.truces == {("blue", "red"), ("green", "red")}
    assert not allied.hostile("red", "green")
    assert allied.events.of_kind(EventKind.CEASEFIRE)[0].text == (
        "China brokered a ceasefire between the Blue and the Green on one side and the Red "
        "on the other"
    )
    at_bravo = [u for u in allied.units if u.place == "bravo"]
    strengths = [u.strength for u in at_bravo]
    allied.step()
    assert [u.strength for u in at_bravo] == strengths  # no fighting at Bravo either
    alone = coalition_fight(theatre_dir, {}, {})
    keep_truces(alone)
    truce_day(alone)
    assert alone.truces == {("blue", "red")} and alone.hostile("red", "green")


def test_one_coalition_member_breaking_the_ceasefire_ends_it_for_all(theatre_dir):
    model = coalition_fight(theatre_dir, {}, {"brotherhood": ["blue", "green"]})
    keep_truces(model)
    truce_day(model)
    model.factions["green"].spec.doctrine.__dict__["ceasefire_violation_per_day"] = 1.0
    model.step()
    assert model.truces == frozenset()
    assert model.hostile("red", "blue") and model.hostile("red", "green")
    broken = model.events.of_kind(EventKind.CEASEFIRE_BROKEN)
    assert [e.text for e in broken] == ["the Green broke the ceasefire with the Red"]


# --- militias: keeping faith, standing down, defecting, turning -----------------------------


def test_a_militia_with_no_way_out_keeps_faith_with_its_patron(theatre_dir):
    """Blue, hostile to Green, offers nothing (rival_offer 0): Green swallows the strain and
    stays Red's ally, its relation never below the threshold (the NDA-K against the KIA)."""
    model = militia(theatre_dir, {"rival_offer": 0.0})
    model.run(30)
    assert "green" not in model.state(diplomacy).broken_alliances
    assert model.allied("green", "red")
    assert model.factions["green"].relations["red"] >= 0.3
    assert not model.events.of_kind(EventKind.ALLIANCE)


def test_a_defecting_militias_places_and_units_change_sides_and_the_ledgers_conserve(
    theatre_dir,
):
    from invariants import check_day, starting_counts

    model = militia(
        theatre_dir, {}, militias={"green": {"on_break": "defect", "defects_to": "blue"}}
    )
    start, people = starting_counts(model)
    assert "charlie" in model.hostile_ground("blue")
    for _ in range(10):
        model.step()
        check_day(model, start, people)
    assert "green" in model.state(diplomacy).broken_alliances
    assert model.allied("green", "blue") and model.hostile("green", "red")
    assert model.controller["charlie"] == "green"  # the same holder, on the other side now
    assert "charlie" not in model.hostile_ground("blue")
    assert "charlie" in model.hostile_ground("red")
    assert [u.faction for u in model.units if u.place == "charlie"].count("green") == 1
    (event,) = model.events.of_kind(EventKind.ALLIANCE)
    assert event.text.startswith("the Green went over from the Red to the Blue, with 1 places")


def test_an_independent_militia_turns_on_its_patron_and_makes_peace_with_the_rival(
    theatre_dir,
):
    model = militia(theatre_dir, {}, militias={"green": {"on_break": "independent"}})
    model.run(10)
    assert model.hostile("green", "red") and not model.hostile("green", "blue")
    assert not model.allied("green", "blue")
    (event,) = model.events.of_kind(EventKind.ALLIANCE)
    assert event.text == "the Green turned on the Red and made its peace with the Blue"


# --- the broker's interests ---------------------------------------------------------------


def test_the_broker_closes_a_gate_when_a_crossing_it_trades_through_is_fought_over(theatre_dir):
    """Red attacks Blue's Delta, the broker's crossing, from day 1. Each day of it hurts the
    broker's trade by 1, counted against Red, who brought the fight, not Blue defending its
    own (full pressure; a grievance that hardly fades): 1 by day 2 (diplomacy reads
    yesterday's battles), 2 by day 3, 3 by day 4 - past a tolerance of 2.5 on day 4, not
    before."""
    model = border_fight(
        theatre_dir,
        {
            "broker_pressure": 1.0,
            "broker_tolerance": 2.5,
            "ultimatum_hurt": 0.0,  # it closes the gate with its warning
            "broker_memory_days": 10_000.0,
            "hurt_per_thousand_refugees": 0.0,  # Delta's 100 people flee into China too
            "ceasefire_rate_per_day": 0.0,
        },
    )
    model.run(3)
    assert not model.closed_crossings
    assert model.factions["red"].grievance == pytest.approx(2.0, rel=1e-3)
    assert model.factions["blue"].grievance == 0.0
    assert model.series()["red_grievance"].tolist() == pytest.approx([0, 0, 1, 2], rel=1e-3)
    model.step()
    assert model.closed_crossings == {"delta"}
    (event,) = model.events.of_kind(EventKind.BORDER)
    assert event.day == 4 and event.factions == ("red",)


@pytest.mark.parametrize(
    ("holder", "blamed"), [("blue", {"red"}), ("red", {"blue"}), (None, {"red", "blue"})]
)
def test_the_broker_blames_a_fight_on_those_who_brought_it(theatre_dir, holder, blamed):
    """A fight at Delta is the doing of whoever is not its holder; at nobody's, of both."""
    model = border_fight(theatre_dir, {})
    model.set_holder("delta", holder)
    assert diplomacy._attackers(model, "delta", {"red", "blue"}) == blamed


GATE_FIGHT = {
    "broker_pressure": 1.0,
    "broker_tolerance": 2.5,
    "broker_memory_days": 10_000.0,
    "hurt_per_thousand_refugees": 0.0,
    "ceasefire_rate_per_day": 0.0,
    "ultimatum_hurt": 2.0,
}


def test_the_broker_warns_first_and_closes_the_gate_only_if_the_fighting_goes_on(theatre_dir):
    """As above, Red's grievance passes 2.5 on day 4: the broker warns Red that day. Red
    fights on, 1 more hurt a day: 1 on day 5, 2 on day 6 - the ultimatum's 2 - so the gate
    closes on day 6, not before."""
    model = border_fight(theatre_dir, GATE_FIGHT)
    model.run(4)
    warnings = model.events.of_kind(EventKind.WARNING)
    assert [(e.day, e.factions) for e in warnings] == [(4, ("red",))]
    model.run(1)
    assert not model.closed_crossings
    assert model.state(diplomacy).warned == {"red": 1.0}
    model.step()
    assert model.closed_crossings == {"delta"}
    assert model.events.of_kind(EventKind.BORDER)[0].day == 6


def test_a_warned_faction_that_stops_is_spared_and_its_warning_lapses(theatre_dir):
    """Red leaves Delta the day after the warning: no more hurt, no closure; with a short
    memory the grievance fades under the tolerance and the warning is forgotten."""
    model = border_fight(theatre_dir, {**GATE_FIGHT, "broker_memory_days": 2.0})
    for _ in range(10):
        model.step()
        if model.events.of_kind(EventKind.WARNING):
            break
    for unit in [u for u in model.units if u.faction == "red"]:
        unit.remove()
    model.run(10)
    assert not model.closed_crossings and not model.events.of_kind(EventKind.BORDER)
    assert model.state(diplomacy).warned == {}


def test_a_crossing_taken_hurts_the_broker_and_it_closes_the_captors_gates(theatre_dir):
    """Blue takes Delta from Red (nobody defends it): no fight, but the broker counts the
    crossing taken against the captor and shuts it at once."""
    model = passive_model(
        theatre_dir(
            control={"alpha": "red", "delta": "red"},
            units=[{"faction": "blue", "place": "delta", "strength": 100}],
        ),
        {
            "broker_pressure": 1.0,
            "broker_tolerance": 5.0,
            "ultimatum_hurt": 0.0,
            "hurt_per_crossing_lost": 6.0,
            "capture_days": 1,
        },
    )
    for _ in range(5):
        model.step()
        if model.closed_crossings:
            break
    assert model.controller["delta"] == "blue" and model.closed_crossings == {"delta"}
    assert model.factions["red"].grievance == 0.0
    assert model.events.of_kind(EventKind.BORDER)[0].factions == ("blue",)


def test_the_broker_stops_buying_the_ore_of_a_faction_it_holds_a_grievance_against(
    theatre_dir,
):
    """Blue holds Charlie's rare-earth mine, whose ore goes to China through Blue's own
    crossing at Echo, and attacks Red's Delta; past the ore tolerance the broker, which buys
    rare earths, stops buying Blue's: the mine earns Blue nothing."""
    features = [
        *line_map(),
        place("echo", 97.6, 25.1, "border_post", population=50),
        place("sanctum_east", 97.62, 25.1, "sanctuary", country="CN"),
        road("charlie", "echo", "track", 20.0),
        road("echo", "sanctum_east", "road", 3.0),
    ]
    units = [*FIGHT_AT_DELTA]
    params = {
        "broker_pressure": 1.0,
        "broker_tolerance": 1000.0,
        "ore_hold_tolerance": 1.5,
        "broker_memory_days": 10_000.0,
        "ceasefire_rate_per_day": 0.0,
        "collapse_strength_share": 0.0,
    }
    control = {"alpha": "red", "charlie": "blue", "delta": "red", "echo": "blue"}
    folder = theatre_dir(
        features=features,
        units=units,
        control=control,
        faction_overrides=STEADY,
        buys=["rare_earth"],
    )
    bought = passive_model(folder, params)
    bought.run(2)
    assert bought.factions["blue"].income_today["mines"] > 0.0
    bought.step()  # grievance 2 on day 3: past 1.5
    assert bought.ore_refused == {"blue"}
    assert bought.factions["blue"].income_today["mines"] == 0.0
    (event,) = bought.events.of_kind(EventKind.ORE)
    assert event.text == "China stopped buying the Blue's rare earth"


def test_refugees_arriving_hurt_the_broker(theatre_dir):
    """People fleeing Delta's fighting into China count against those fighting there: with
    1,000 hurt a thousand refugees, Delta's hundred close the gate at once."""
    params = {
        "broker_pressure": 1.0,
        "broker_tolerance": 50.0,
        "ultimatum_hurt": 0.0,
        "hurt_per_thousand_refugees": 1000.0,
        "ceasefire_rate_per_day": 0.0,
        "collapse_strength_share": 0.0,
    }
    model = border_fight(theatre_dir, params)
    quiet = border_fight(theatre_dir, {**params, "hurt_per_thousand_refugees": 0.0})
    model.run(4)
    quiet.run(4)
    assert 0 < model.state(diplomacy).refugees_abroad <= 100  # some were killed first
    assert model.closed_crossings == {"delta"} and not quiet.closed_crossings


# --- dated outside events -----------------------------------------------------------------


def test_an_events_parameter_takes_effect_on_its_day_not_before(theatre_dir):
    """On day 5 the broker's envoy arrives and its pressure goes from 0 to 1: the fight at
    its crossing brings a truce from day 5 on, never before."""
    model = border_fight(
        theatre_dir,
        {"broker_pressure": 0.0, "ceasefire_rate_per_day": 1.0, "broker_tolerance": 1000.0},
        events=[
            {"day": 5, "description": "China's envoy arrived", "set": {"broker_pressure": 1.0}}
        ],
    )
    model.run(4)
    assert model.parameters.broker_pressure == 0.0 and not model.truces_made
    model.step()
    assert model.parameters.broker_pressure == 1.0 and model.truces_made == 1
    (event,) = model.events.of_kind(EventKind.OUTSIDE)
    assert (event.day, event.text) == (5, "China's envoy arrived")


def test_an_event_may_be_dated(theatre_dir):
    import datetime as dt

    folder = theatre_dir(
        events=[
            {
                "date": dt.date(2024, 3, 17),
                "description": "an ultimatum",
                "set": {"trade_share": 0.5},
            }
        ]
    )
    from wargame.scenario import load_theatre

    (event,) = load_theatre(folder).events
    assert event.day == 10  # the set-up starts on 7 March 2024


def test_an_event_scales_the_runs_own_value_not_the_set_ups(theatre_dir):
    """On day 3 the broker's tolerance is scaled by 0.3 and its re-planning by 0.5: a run
    whose own tolerance is 500 (a sweep's, a --set's) goes to 150, not to the set-up's 200
    scaled; a whole number stays whole (7 x 0.5 -> 4) and a product past the range stops at
    its bound (broker pressure 0.8 x 2 -> 1)."""
    folder = theatre_dir(
        parameters={"broker_tolerance": 200.0, "replan_days": 7, "broker_pressure": 0.8},
        events=[
            {
                "day": 3,
                "description": "an envoy",
                "scale": {"broker_tolerance": 0.3, "replan_days": 0.5, "broker_pressure": 2.0},
            }
        ],
    )
    model = ConflictModel(folder, parameters={"broker_tolerance": 500.0}, rng=1)
    model.run(2)
    assert model.parameters.broker_tolerance == 500.0 and model.parameters.replan_days == 7
    model.step()
    assert model.parameters.broker_tolerance == pytest.approx(150.0)
    assert model.parameters.replan_days == 4 and isinstance(model.parameters.replan_days, int)
    assert model.parameters.broker_pressure == 1.0


def test_a_scaled_value_stays_in_its_parameters_range_and_a_price_scales(theatre_dir):
    """A run's highway speed of 600 doubled stops at the 1,000 the parameter allows; a
    discount that must stay under 1 stops just under it; 5 days halved are 3 (halves up);
    a commodity's price scales like any number."""
    folder = theatre_dir(
        parameters={"replan_days": 5},
        events=[
            {
                "day": 1,
                "description": "the monsoon ends",
                "scale": {
                    "speed_highway_km_per_day": 2.0,
                    "objective_discount_per_day": 2.0,
                    "replan_days": 0.5,
                    "prices.rare_earth": 1.5,
                },
            }
        ],
    )
    model = ConflictModel(folder, parameters={"speed_highway_km_per_day": 600.0}, rng=1)
    model.run(1)
    assert model.parameters.speed_highway_km_per_day == 1000.0
    assert 0.99 < model.parameters.objective_discount_per_day < 1.0
    assert model.parameters.replan_days == 3
    assert model.parameters.prices["rare_earth"] == pytest.approx(33_600.0 * 1.5)


@pytest.mark.parametrize(
    ("event", "where", "words"),
    [
        ({"day": 3, "set": {"broker_pressur": 1.0}}, "events[0].set", "unknown parameter"),
        (
            {"day": 3, "set": {"broker_pressure": 7.0}},
            "events[0].set.broker_pressure",
            "from 0 to 1",
        ),
        (
            {"day": 3, "set": {"civilian_group_size": 9}},
            "events[0].set.civilian_group_size",
            "during a run",
        ),
        ({"set": {"trade_share": 0.5}}, "events[0]", "either date or day"),
        ({"day": 3, "set": {"control.delta": "red"}}, "events[0].set", "unknown parameter"),
        ({"day": 3}, "events[0]", "expected set or scale"),
        ({"day": 3, "scale": {"broker_pressur": 2.0}}, "events[0].scale", "unknown parameter"),
        (
            {"day": 3, "scale": {"combat_mode": 2.0}},
            "events[0].scale.combat_mode",
            "only a number scales",
        ),
        (
            {"day": 3, "scale": {"civilian_group_size": 2.0}},
            "events[0].scale.civilian_group_size",
            "during a run",
        ),
        (
            {"day": 3, "set": {"trade_share": 0.5}, "scale": {"trade_share": 2.0}},
            "events[0]",
            "both set and scaled",
        ),
        ({"day": 3, "scale": {"trade_share": -1.0}}, "events[0].scale.trade_share", "0"),
        ({"day": 3, "scale": {"trade_share": True}}, "events[0].scale.trade_share", "true"),
    ],
)
def test_bad_event_data_gets_one_clear_message(theatre_dir, event, where, words):
    """The file, the event and the key; an event cannot set who holds a place."""
    from wargame.scenario import ScenarioError, load_theatre

    folder = theatre_dir(events=[{"description": "news", **event}])
    with pytest.raises(ScenarioError) as caught:
        load_theatre(folder)
    assert caught.value.path.name == "setup.toml"
    assert caught.value.where == where and words in caught.value.problem


def test_coalitions_and_militias_are_checked_against_the_factions(theatre_dir):
    from wargame.scenario import ScenarioError, load_theatre

    with pytest.raises(ScenarioError, match=r"coalitions.pact.members\[1\]: unknown faction"):
        load_theatre(theatre_dir(coalitions={"pact": ["red", "grey"]}))
    with pytest.raises(ScenarioError, match=r"militias\.red: 'red' has no patron"):
        load_theatre(theatre_dir(militias={"red": {"on_break": "defect"}}))


# --- on another theatre: Tamsen Island ------------------------------------------------------


def tamsen(folder, extra: str, parameters: str):
    """A copy of Tamsen Island with `extra` set-up tables and `parameters` added."""
    import shutil

    from wargame.scenario.paths import maps_dir

    copy = folder / "tamsen"
    shutil.copytree(maps_dir() / "tamsen_island", copy)
    setup = copy / "setup.toml"
    text = setup.read_text(encoding="utf-8")
    setup.write_text(
        text.replace("[parameters]", f"{extra}\n[parameters]\n{parameters}"), encoding="utf-8"
    )
    return copy


def test_tamsens_home_guard_defects_to_the_front_when_offered_terms(tmp_path):
    """The Orrin Home Guard, the Army's wavering militia (loyalty 0.35), goes over to the
    Front, which offers terms, within weeks; offered none, it keeps faith."""
    from invariants import check_day, starting_counts

    from wargame import ConflictModel

    extra = '[militias.guard]\non_break = "defect"\n'
    offered = ConflictModel(
        tamsen(tmp_path, extra, "militia_loyalty = 0.35\nrival_offer = 1.0\n"), rng=0
    )
    start, people = starting_counts(offered)
    for _ in range(30):
        offered.step()
        check_day(offered, start, people)
    (event,) = offered.events.of_kind(EventKind.ALLIANCE)
    assert event.text.startswith("the Guard went over from the Army to the Front")
    assert offered.allied("guard", "front") and offered.hostile("guard", "army")
    refused = ConflictModel(
        tamsen(tmp_path / "none", extra, "militia_loyalty = 0.35\nrival_offer = 0.0\n"), rng=0
    )
    refused.run(30)
    assert not refused.events.of_kind(EventKind.ALLIANCE) and refused.allied("guard", "army")


def test_tamsens_army_and_home_guard_hold_a_truce_together(tmp_path):
    """With the Army and the Home Guard one coalition, every truce Vardia brokers between
    the Front and either of them binds both."""
    from wargame import ConflictModel

    extra = '[coalitions.government]\nname = "Government"\nmembers = ["army", "guard"]\n'
    pressed = "broker_pressure = 1.0\nceasefire_rate_per_day = 1.0\nceasefire_trigger_days = 1\n"
    # the seed is the set-up: one whose fighting comes near Vardia's border within the 60
    # days (0 no longer does since garrisons are kept to the nearest whole unit; 3 does)
    model = ConflictModel(tamsen(tmp_path, extra, pressed), rng=3)
    keep_truces(model)
    for _ in range(60):
        model.step()
        if model.truces:
            break
    assert model.truces == {("army", "front"), ("front", "guard")}
    (event,) = model.events.of_kind(EventKind.CEASEFIRE)
    assert event.text == (
        "Vardia brokered a ceasefire between the Government on one side and the Front on the other"
    ) or event.text == (
        "Vardia brokered a ceasefire between the Front on one side and the Government on the other"
    )


def neighbours_war(theatre_dir, parameters, green_to_blue=0.0, green_to_red=0.5, green="charlie"):
    """Blue stands alone at bravo, Red's empty town; Green, Red's ally, holds `green` (charlie,
    next to bravo, or delta, two roads on) and starts at `green_to_blue` with Blue."""
    control = {"alpha": "red", "bravo": "red", "charlie": "red", "delta": "red", green: "green"}
    return passive_model(
        theatre_dir(
            factions=["red", "blue", "green"],
            control=control,
            units=[{"faction": "blue", "place": "bravo", "strength": 500}],
            faction_overrides={
                "green": {"relations": {"red": green_to_red, "blue": green_to_blue}},
                "red": {"relations": {"blue": -1.0, "green": green_to_red}},
                "blue": {"relations": {"red": -1.0, "green": green_to_blue}},
            },
        ),
        {"drawn_in_per_loss": 0.1, **parameters},
    )


def run_past_the_capture(model) -> None:
    """Until Blue takes bravo, and the day after, when diplomacy reads yesterday's events."""
    while not model.events.of_kind(EventKind.CAPTURE):
        model.step()
    model.step()


def test_an_ally_is_drawn_into_the_war_when_its_partners_place_next_door_falls(theatre_dir):
    model = neighbours_war(theatre_dir, {})
    assert not model.hostile("green", "blue")
    run_past_the_capture(model)
    assert model.controller["bravo"] == "blue"
    assert model.factions["green"].relations["blue"] == pytest.approx(-0.1)
    assert model.factions["blue"].relations["green"] == pytest.approx(-0.1)
    assert model.hostile("green", "blue")
    [war] = model.events.of_kind(EventKind.WAR)
    assert (war.factions, war.place) == (("green", "blue"), "bravo")
    assert war.text == "the Green took up arms for the Red against the Blue"


def test_each_loss_lowers_the_relation_and_only_below_zero_is_it_war(theatre_dir):
    model = neighbours_war(theatre_dir, {}, green_to_blue=0.25)
    run_past_the_capture(model)
    assert model.factions["green"].relations["blue"] == pytest.approx(0.15)
    assert not model.hostile("green", "blue") and not model.events.of_kind(EventKind.WAR)


@pytest.mark.parametrize(
    ("parameters", "green_to_red", "green"),
    [
        ({"drawn_in_per_loss": 0.0}, 0.5, "charlie"),  # the rule off
        ({}, 0.5, "delta"),  # two roads from bravo: not next to it
        ({}, 0.2, "charlie"),  # Green is not Red's ally (the alliance threshold is 0.3)
    ],
)
def test_no_one_further_off_or_unallied_is_drawn_in(theatre_dir, parameters, green_to_red, green):
    model = neighbours_war(theatre_dir, parameters, green_to_red=green_to_red, green=green)
    run_past_the_capture(model)
    assert model.controller["bravo"] == "blue"
    assert model.factions["green"].relations["blue"] == 0.0
    assert not model.events.of_kind(EventKind.WAR)
