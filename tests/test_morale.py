"""Morale and retreat: wear in battle, rest on friendly ground, falling back, internment."""

import pytest
from invariants import check_day, starting_counts
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


def test_a_cut_off_broken_unit_marches_to_the_border_and_crosses_on_arriving(theatre_dir):
    """Charlie-Delta is 24 km of track at 12 km/day: Red breaks on day 1, makes for Delta,
    covers the road on days 2 and 3 and crosses on arriving (before, it crossed on day 1)."""
    model = cut_off(theatre_dir, reach=2.0)
    model.step()
    (unit,) = model.units
    assert (unit.place, unit.route, unit.objective) == ("charlie", ["delta"], "delta")
    (retreat,) = model.events.of_kind(EventKind.RETREAT)
    assert retreat.text.endswith("broke and made for the border at Delta")
    model.step()
    assert unit in model.units and unit.place is None  # on the road, 12 km along
    assert model.factions["red"].interned == 0
    model.step()
    assert model.units == []
    assert model.factions["red"].interned == 300
    interned = model.events.of_kind(EventKind.INTERNMENT)
    assert [e.sentence for e in interned] == [
        "Day 3: 1 Red unit (300 soldiers) crossed into China at Delta"
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
    model.run(3)  # two days on the road to Delta
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


def at_the_border(theatre_dir, red_at: str, control: dict, blue_at: str | None = None, **kw):
    """Red's 300, broken at `red_at` on the line map; Blue's 300 at `blue_at`; commanders idle."""
    units = [{"faction": "red", "place": red_at, "strength": 300}]
    if blue_at is not None:
        units.append({"faction": "blue", "place": blue_at, "strength": 300})
    parameters = {"travel_friction": 0.0, "recruits_per_base_per_day": 0}
    parameters |= kw.pop("parameters", {})
    folder = theatre_dir(control=control, units=units, **kw)
    model = passive_model(folder, parameters)
    model.units[0].morale = 0.1
    return model


def test_a_broken_unit_in_a_town_its_side_holds_stays_there_though_the_enemy_is_near(
    theatre_dir,
):
    """Delta (Red's, a border post) is threatened from Charlie and Alpha lies beyond Blue's
    Bravo: no quiet friendly place is in reach, but Delta is friendly ground, so Red stays
    (it crossed into China from Delta before: the Muse case of issue 20)."""
    model = at_the_border(
        theatre_dir, "delta", {"alpha": "red", "bravo": "blue", "delta": "red"}, blue_at="charlie"
    )
    model.run(5)
    red = model.units[0]
    assert red.faction == "red" and red.place == "delta" and red.posture is Posture.WITHDRAW
    assert model.factions["red"].interned == 0


def test_a_broken_unit_falls_back_to_a_threatened_friendly_town_rather_than_cross(theatre_dir):
    """Red breaks fighting Blue at Charlie; Delta, Red's, two days away, is threatened from
    Charlie, but it is friendly ground within reach: Red falls back there and stays."""
    model = at_the_border(
        theatre_dir, "charlie", {"alpha": "red", "bravo": "blue", "delta": "red"}, blue_at="charlie"
    )
    model.step()
    red = model.units[0]
    assert red.faction == "red" and red.route == ["delta"]
    assert model.factions["red"].interned == 0
    model.run(4)
    assert model.units[0] is red and red.place == "delta"
    assert model.factions["red"].interned == 0


def test_a_broken_garrison_overrun_in_its_own_cut_off_town_crosses_the_border(theatre_dir):
    """Blue is in Red's Delta and Bravo bars the way to Alpha: Red is cut off from all friendly
    ground (Delta is being fought over) and crosses at its own gate (the Kanpaiti case)."""
    model = at_the_border(
        theatre_dir, "delta", {"alpha": "red", "bravo": "blue", "delta": "red"}, blue_at="delta"
    )
    model.step()
    assert [u.faction for u in model.units] == ["blue"]
    assert 0 < model.factions["red"].interned < 300  # what was left after a day's fight


def test_a_garrison_broken_at_its_gate_falls_back_and_a_tenth_scatters_across(theatre_dir):
    """Blue attacks Red's Delta, a crossing; Red breaks and falls back towards Alpha, quiet,
    and scatter_share (0.1) of what is left flees into China there (the Lweje case)."""
    model = at_the_border(
        theatre_dir, "delta", {"alpha": "red", "charlie": "red", "delta": "red"}, blue_at="delta"
    )
    model.step()
    red = model.units[0]
    assert red.route == ["charlie", "bravo", "alpha"] and red.posture is Posture.WITHDRAW
    interned = model.factions["red"].interned
    assert interned == int((red.strength + interned) * 0.1) > 0  # a tenth, in whole soldiers
    assert red.strength + interned + model.factions["red"].killed == pytest.approx(300)
    [scattered] = model.events.of_kind(EventKind.INTERNMENT)
    assert scattered.place == "delta" and scattered.text == (
        f"{interned:,.0f} soldiers of {red.name} scattered across the border into China at Delta"
    )
    model.run(3)  # on its way, still broken: it scattered once, when it broke
    assert model.events.of_kind(EventKind.INTERNMENT) == [scattered]
    assert model.factions["red"].interned == interned


def test_scattered_soldiers_are_handed_back_as_the_country_says(theatre_dir):
    """The scattered tenth is held like any soldiers who cross: China hands it back after
    three days through Alpha, Red's other crossing, as a unit of its own."""
    model = at_the_border(
        theatre_dir,
        "delta",
        {"alpha": "red", "charlie": "red", "delta": "red"},
        blue_at="delta",
        features=two_gate_map(),
        neighbours={
            "CN": {"soldiers": "hand_back", "hand_back_after_days": 3, "hand_back_through": "alpha"}
        },
    )
    model.step()
    red = model.factions["red"]
    scattered = red.interned
    assert scattered > 0 and red.repatriated == 0
    model.run(3)
    assert red.repatriated == scattered
    assert [u.place for u in model.units if u.faction == "red" and u.strength == scattered] == [
        "alpha"
    ]


@pytest.mark.parametrize(
    ("control", "blue_at", "parameters", "neighbours"),
    [
        ({"delta": "red"}, "delta", {"scatter_share": 0.0}, None),
        ({"delta": "red"}, "delta", {"internment_reach_days": 0.0}, None),
        ({"delta": "red"}, "delta", {}, {"CN": {"soldiers": "refuse"}}),
        ({"delta": "blue"}, None, {}, None),  # broken, but not under attack
        ({"delta": "blue"}, "delta", {}, None),  # an attacker broken at the enemy's gate
    ],
    ids=["scatter_share=0", "internment off", "China refuses", "no enemy there", "attacker"],
)
def test_no_one_scatters_unless_broken_under_attack_where_a_country_takes_them(
    theatre_dir, control, blue_at, parameters, neighbours
):
    control = {"alpha": "red", "charlie": "red", **control}
    model = at_the_border(
        theatre_dir, "delta", control, blue_at=blue_at, parameters=parameters, neighbours=neighbours
    )
    model.step()
    assert model.units[0].faction == "red" and model.units[0].posture is Posture.WITHDRAW
    assert model.units[0].route and model.factions["red"].interned == 0  # it falls back whole


@pytest.mark.parametrize(
    ("parameters", "neighbours"),
    [
        ({"internment_reach_days": 0.0}, None),
        ({}, {"CN": {"soldiers": "refuse"}}),
    ],
    ids=["internment_reach_days=0", "China refuses"],
)
def test_with_internment_off_a_cut_off_unit_at_the_gate_stands(theatre_dir, parameters, neighbours):
    """Red stands at Delta, the gate itself (0 days from it), cut off by Blue's Bravo: with
    internment off it does not cross (before, `internment_reach_days = 0` let it)."""
    model = at_the_border(
        theatre_dir,
        "delta",
        {"alpha": "red", "bravo": "blue"},
        parameters=parameters,
        neighbours=neighbours,
    )
    model.run(3)
    red = model.units[0]
    assert red.place == "delta" and red.posture is Posture.WITHDRAW
    assert model.factions["red"].interned == 0
    assert model.events.of_kind(EventKind.INTERNMENT) == []


def two_gate_map() -> list[dict]:
    """The line map with a second crossing into China, from Alpha."""
    return [
        *line_map(),
        place("yonder", 96.98, 25.0, "sanctuary", country="CN"),
        road("alpha", "yonder", "road", 2.0),
    ]


def test_a_country_that_interns_keeps_the_soldiers_for_good(theatre_dir):
    model = cut_off(theatre_dir, 2.0, two_gate_map())
    model.run(60)
    red = model.factions["red"]
    assert (red.interned, red.repatriated, model.units) == (300, 0, [])
    assert model.interned_at == {("sanctum", "red"): 300}


def hand_back(
    theatre_dir, through: str | None = "alpha", alpha: str = "red", days: int = 3, **policy
):
    """Red's 300 broken at Delta, the gate, cut off by Blue's Bravo (they cross on day 1);
    Red's 2,000 hold Alpha (or stand at Charlie when Alpha is Blue's), so Red does not
    collapse."""
    policy |= {"soldiers": "hand_back", "hand_back_after_days": days}
    if through is not None:
        policy["hand_back_through"] = through
    folder = theatre_dir(
        features=two_gate_map(),
        control={"alpha": alpha, "bravo": "blue"},
        units=[
            {"faction": "red", "place": "delta", "strength": 300},
            {"faction": "red", "place": "alpha" if alpha == "red" else "charlie", "strength": 2000},
        ],
        neighbours={"CN": policy},
        factions=["red", "blue", "green"],
    )
    model = passive_model(folder, {"travel_friction": 0.0, "recruits_per_base_per_day": 0})
    model.units[0].morale = 0.1
    return model


def returned(model) -> list:
    return [u for u in model.units if u.strength == 300]


def test_a_country_hands_soldiers_back_after_its_days_through_the_named_crossing(theatre_dir):
    """Red's 300 cross at Delta on day 1; China holds them 3 days and hands them back on
    day 4 through Alpha, Red's own crossing, where they rest until they rally."""
    model = hand_back(theatre_dir)
    model.run(3)
    red = model.factions["red"]
    assert (red.interned, red.repatriated, returned(model)) == (300, 0, [])
    assert model.interned_at == {("sanctum", "red"): 300}
    model.step()
    (unit,) = returned(model)
    assert (unit.faction, unit.place, unit.strength) == ("red", "alpha", 300)
    assert unit.posture is Posture.WITHDRAW
    assert (red.interned, red.repatriated) == (300, 300)
    assert model.interned_at == {}
    (event,) = model.events.of_kind(EventKind.REPATRIATION)
    assert event.sentence == "Day 4: China handed 300 Red soldiers back at Alpha"
    summary = model.summary()["factions"]["red"]
    assert (summary["interned"], summary["repatriated"]) == (300, 300)
    model.run(5)
    assert unit.posture is Posture.HOLD  # rallied at rest


def test_handed_back_soldiers_wait_abroad_while_the_crossing_is_not_their_sides(theatre_dir):
    """Alpha is Blue's: China keeps Red's soldiers past their 3 days until Red holds it."""
    model = hand_back(theatre_dir, alpha="blue")
    model.run(10)
    assert model.factions["red"].repatriated == 0 and returned(model) == []
    model.set_holder("alpha", "red")
    model.step()
    (unit,) = returned(model)
    assert (unit.place, model.factions["red"].repatriated) == ("alpha", 300)


def test_without_a_named_crossing_soldiers_come_back_where_they_crossed(theatre_dir):
    """Delta, where they crossed, is nobody's until Red takes it: they come back there (China
    hands back nowhere else here, though Red holds Alpha, the other gate)."""
    model = hand_back(theatre_dir, through=None, days=2, hand_back_elsewhere=False)
    model.run(5)
    assert returned(model) == []
    model.set_holder("delta", "red")
    model.step()
    (unit,) = returned(model)
    assert (unit.place, unit.strength) == ("delta", 300)


@pytest.mark.parametrize(("elsewhere", "back_at"), [(True, "alpha"), (False, None)])
def test_hand_back_elsewhere_decides_whether_another_gate_of_their_side_receives_them(
    theatre_dir, elsewhere, back_at
):
    """They crossed at Delta, which nobody holds; Red holds Alpha, China's other gate. On
    their day (day 3) China hands them back at Alpha when it may hand back elsewhere, and
    otherwise keeps them waiting for Delta."""
    model = hand_back(theatre_dir, through=None, days=2, hand_back_elsewhere=elsewhere)
    model.run(5)
    assert [u.place for u in returned(model)] == ([back_at] if back_at else [])
    assert model.factions["red"].awaiting_return == (0 if back_at else 300)


@pytest.mark.parametrize(("wait", "kept"), [(2, True), (10, False)])
def test_hand_back_wait_days_is_how_long_the_country_waits_before_keeping_them(
    theatre_dir, wait, kept
):
    """Alpha, the named gate, is Blue's and China hands back nowhere else: past their 3 days
    it waits `wait` days more for Alpha, then keeps them for good (day 1 + 3 + 2 = 6 with a
    2-day wait; a 10-day wait has not run out on day 8)."""
    model = hand_back(
        theatre_dir, alpha="blue", hand_back_elsewhere=False, hand_back_wait_days=wait
    )
    model.run(8)
    red = model.factions["red"]
    assert red.awaiting_return == (0 if kept else 300)
    assert len(model.events.of_kind(EventKind.INTERNMENT)) == (2 if kept else 1)


def test_an_overrun_garrison_falls_back_along_a_supplied_route_past_an_enemy_unit(theatre_dir):
    """Blue is in Red's Delta and a Blue unit stands at Bravo, which nobody holds: the road
    to Red's Alpha is still a supplied route (no enemy holds any of it), so Red falls back
    along it, to fight its way past Bravo, rather than cross into China."""
    folder = theatre_dir(
        control={"alpha": "red", "delta": "red"},
        units=[
            {"faction": "red", "place": "delta", "strength": 300},
            {"faction": "blue", "place": "delta", "strength": 300},
            {"faction": "blue", "place": "bravo", "strength": 300},
        ],
    )
    model = passive_model(folder, {"travel_friction": 0.0, "recruits_per_base_per_day": 0})
    red = model.units[0]
    red.morale = 0.1
    model.step()
    assert red.route == ["charlie", "bravo", "alpha"] and red.objective == "alpha"
    interned = model.factions["red"].interned
    assert interned == int((red.strength + interned) * 0.1) > 0  # the scattered tenth


@pytest.mark.parametrize(("garrison", "refuge"), [(400, "bravo"), (150, "alpha")])
def test_a_broken_unit_falls_back_on_a_garrison_that_matches_the_threat(
    theatre_dir, garrison, refuge
):
    """Red breaks fighting Blue's 300 at Charlie. Bravo, next door, is threatened from
    Charlie; Alpha beyond it is quiet. Red falls back on Bravo when Bravo's garrison already
    matches the threat (as Waingmaw's broken battalions would on Myitkyina's), and rallies
    there; else it goes on to Alpha."""
    folder = theatre_dir(
        control={"alpha": "red", "bravo": "red", "charlie": "red"},
        units=[
            {"faction": "red", "place": "charlie", "strength": 300},
            {"faction": "blue", "place": "charlie", "strength": 300},
            {"faction": "red", "place": "bravo", "strength": garrison},
        ],
    )
    model = passive_model(folder, {"travel_friction": 0.0, "recruits_per_base_per_day": 0})
    red = model.units[0]
    red.morale = 0.1
    model.step()
    assert model.threat("red", "bravo") == pytest.approx(model.strength_at()["charlie"]["blue"])
    assert red.posture is Posture.WITHDRAW and red.objective == refuge
    model.run(6)  # it gets there and stays
    assert red.place == refuge and "blue" in model.strength_at()["charlie"]  # still a threat


def test_a_broken_unit_off_friendly_ground_falls_back_even_to_a_town_under_attack(theatre_dir):
    """Red breaks at Charlie, nobody's; its only friendly place, Delta, has Blue in it: it
    falls back there to join the fight rather than cross at Delta's gate."""
    model = at_the_border(
        theatre_dir, "charlie", {"alpha": "blue", "bravo": "blue", "delta": "red"}, blue_at="delta"
    )
    model.step()
    red = model.units[0]
    assert red.faction == "red" and red.route == ["delta"]
    assert model.factions["red"].interned == 0


def test_soldiers_are_handed_back_to_their_own_side_not_an_ally(theatre_dir):
    """Alpha is Green's, Red's ally: China hands Red's soldiers to nobody but Red."""
    model = hand_back(theatre_dir, alpha="green")
    assert model.allied("red", "green")
    model.run(10)
    assert model.factions["red"].repatriated == 0 and returned(model) == []
    assert model.interned_at == {("sanctum", "red"): 300}


# --- the tutorial's Tamsen Island: two crossings into Vardia --------------------------------


def tamsen(neighbours: dict | None = None):
    """Tamsen Island with idle commanders and the Army's Mirren Pass guard (60) broken."""
    import dataclasses

    from wargame.scenario import load_theatre
    from wargame.scenario.schema import Neighbour

    theatre = load_theatre("tamsen_island")
    if neighbours is not None:
        policies = {code: Neighbour(**policy) for code, policy in neighbours.items()}
        theatre = dataclasses.replace(theatre, neighbours=policies)
    model = passive_model(theatre, {"travel_friction": 0.0, "recruits_per_base_per_day": 0})
    guard = next(u for u in model.units if u.place == "mirren_pass")
    guard.morale = 0.1
    return model, guard


def test_on_tamsen_a_broken_guard_at_its_own_gate_stays_though_the_front_is_near():
    """The Front's Tallow Camp is one track from Mirren Pass and Ashby Mines, the Army's only
    other place in reach, is threatened from Fenwick: the guard stays at its gate."""
    model, guard = tamsen()
    model.run(3)
    assert guard.place == "mirren_pass" and guard.posture is Posture.WITHDRAW
    assert model.factions["army"].interned == 0


def test_on_tamsen_an_overrun_guard_crosses_and_vardia_hands_it_back_at_kessel_gate():
    """The Front in Mirren Pass and holding Ashby Mines: the guard is cut off from all the
    Army's ground, crosses into Vardia at Mirren Pass, and comes back at Kessel Gate 5 days on."""
    policy = {
        "soldiers": "hand_back",
        "hand_back_after_days": 5,
        "hand_back_through": "kessel_gate",
    }
    model, guard = tamsen({"XB": policy})
    next(u for u in model.units if u.place == "tallow_camp").stand_at("mirren_pass")
    model.set_holder("ashby_mines", "front")
    model.step()
    army = model.factions["army"]
    assert guard not in model.units and 0 < army.interned <= 60
    (crossed,) = model.events.of_kind(EventKind.INTERNMENT)
    assert crossed.place == "mirren_pass" and "into Vardia" in crossed.text
    model.run(4)
    assert army.repatriated == 0
    model.step()
    assert army.repatriated == army.interned
    (back,) = [u for u in model.units if u.name.endswith("handed back at Kessel Gate")]
    assert (back.place, back.strength) == ("kessel_gate", army.interned)


# --- soldiers abroad: still their side's while they wait, and nobody waits forever ----------


def abroad(theatre_dir, control: dict, policy: dict, units: list | None = None, **theatre):
    """Red's 300 broken at Delta, the gate into China, cut off by Blue's Bravo: they cross on
    day 1 (and, with no other unit, are Red's whole force); commanders idle, the ledger
    checked every day (`run`)."""
    folder = theatre_dir(
        features=two_gate_map(),
        control=control,
        units=[{"faction": "red", "place": "delta", "strength": 300}, *(units or [])],
        neighbours={"CN": policy},
        factions=["red", "blue", "green"],
        **theatre,
    )
    model = passive_model(folder, {"travel_friction": 0.0, "recruits_per_base_per_day": 0})
    model.units[0].morale = 0.1
    return model


def run_checked(model, days: int) -> None:
    start, people = model.checked_start
    for _ in range(days):
        model.step()
        check_day(model, start, people)


@pytest.fixture
def checked():
    """Have a model remember its day-0 counts for `run_checked`."""

    def make(model):
        model.checked_start = starting_counts(model)
        return model

    return make


@pytest.mark.parametrize(("soldiers", "collapses"), [("hand_back", False), ("intern", True)])
def test_a_faction_whose_whole_force_waits_abroad_to_be_handed_back_is_not_beaten(
    theatre_dir, checked, soldiers, collapses
):
    """Red's only unit crosses on day 1. China is to hand it back through Alpha, Red's, on
    day 4: Red is not beaten meanwhile (before, it collapsed on day 2 and gave Alpha up, so
    nobody came back); had China interned them for good, Red would be."""
    policy = {"soldiers": soldiers}
    if soldiers == "hand_back":
        policy |= {"hand_back_after_days": 3, "hand_back_through": "alpha"}
    model = checked(abroad(theatre_dir, {"alpha": "red", "bravo": "blue"}, policy))
    run_checked(model, 4)
    red = model.factions["red"]
    assert bool(model.events.of_kind(EventKind.COLLAPSE)) is collapses
    if not collapses:
        (unit,) = model.units
        assert (unit.faction, unit.place, unit.strength) == ("red", "alpha", 300)
        assert (red.interned, red.repatriated, red.awaiting_return) == (300, 300, 0)
    assert red.collapsed is collapses


def test_soldiers_whose_crossing_is_lost_come_back_through_another_of_their_sides(
    theatre_dir, checked
):
    """China names Alpha, Blue's; Red takes Delta, the other gate, after crossing there:
    China hands them back at Delta on their day rather than wait for Alpha."""
    policy = {"soldiers": "hand_back", "hand_back_after_days": 3, "hand_back_through": "alpha"}
    model = checked(
        abroad(
            theatre_dir,
            {"alpha": "blue", "bravo": "blue"},
            policy,
            units=[{"faction": "red", "place": "charlie", "strength": 2000}],
        )
    )
    run_checked(model, 1)
    model.set_holder("delta", "red")
    run_checked(model, 3)
    (unit,) = returned(model)
    assert (unit.place, model.factions["red"].repatriated) == ("delta", 300)


def test_a_militia_holding_no_gate_is_handed_back_through_its_patrons(theatre_dir, checked):
    """Red, Green's militia, holds no crossing (the NDA-K's case in China): China hands its
    soldiers back on their day at Delta, which Green, its patron, holds."""
    policy = {"soldiers": "hand_back", "hand_back_after_days": 3, "hand_back_through": "alpha"}
    model = checked(
        abroad(
            theatre_dir,
            {"alpha": "blue", "bravo": "blue"},
            policy,
            faction_overrides={"red": {"patron": "green"}},
        )
    )
    run_checked(model, 1)
    model.set_holder("delta", "green")
    run_checked(model, 2)
    assert returned(model) == []  # not before their day
    run_checked(model, 1)
    (unit,) = returned(model)
    assert (unit.faction, unit.place, model.factions["red"].collapsed) == ("red", "delta", False)


def test_with_no_gate_to_receive_them_the_country_keeps_them_interned_after_its_wait(
    theatre_dir, checked
):
    """No crossing into China is Red's or a patron's: China waits 5 days past their 3, then
    keeps them interned for good (day 9), and does not hand them back when Red later takes
    Alpha. The ledger holds every day."""
    policy = {
        "soldiers": "hand_back",
        "hand_back_after_days": 3,
        "hand_back_through": "alpha",
        "hand_back_wait_days": 5,
    }
    model = checked(
        abroad(
            theatre_dir,
            {"alpha": "blue", "bravo": "blue"},
            policy,
            units=[{"faction": "red", "place": "charlie", "strength": 2000}],
        )
    )
    run_checked(model, 8)
    red = model.factions["red"]
    assert red.awaiting_return == 300
    run_checked(model, 1)
    assert (red.interned, red.repatriated, red.awaiting_return) == (300, 0, 0)
    kept = model.events.of_kind(EventKind.INTERNMENT)[-1]
    assert kept.sentence == (
        "Day 9: China kept 300 Red soldiers interned: no crossing of their side's to hand "
        "them back through"
    )
    model.set_holder("alpha", "red")
    run_checked(model, 5)
    assert red.repatriated == 0 and returned(model) == []


def test_a_faction_that_collapsed_gets_nobody_back(theatre_dir, checked):
    """Red's 2,000 at Charlie are lost after its 300 cross: 300 waiting abroad is less than
    `collapse_strength_share` (0.3) of 2,300, so Red collapses on day 2, and on their day
    China keeps the 300 interned for good, though Alpha is Red's again by then."""
    policy = {"soldiers": "hand_back", "hand_back_after_days": 3, "hand_back_through": "alpha"}
    model = checked(
        abroad(
            theatre_dir,
            {"alpha": "red", "bravo": "blue"},
            policy,
            units=[{"faction": "red", "place": "charlie", "strength": 2000}],
        )
    )
    run_checked(model, 1)
    (rest,) = [u for u in model.units if u.faction == "red"]
    model.factions["red"].killed += rest.strength
    rest.remove()
    run_checked(model, 1)
    red = model.factions["red"]
    assert red.collapsed and red.awaiting_return == 300
    model.set_holder("alpha", "red")
    run_checked(model, 2)
    assert (red.interned, red.repatriated, red.awaiting_return) == (300, 0, 0)
    assert model.events.of_kind(EventKind.INTERNMENT)[-1].text.startswith(
        "China kept 300 Red soldiers interned"
    )
