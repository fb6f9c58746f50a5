"""Civilians: flight from fighting, refugees across the border, casualties, going home."""

import numpy as np
import pytest
from theatres import line_map, passive_model, place, road

from wargame import ConflictModel
from wargame.engine.agents import CivilianGroup, CivilianState
from wargame.engine.events import EventKind
from wargame.phases import civilians

BATTLE_AT_CHARLIE = [
    {"faction": "red", "place": "charlie", "strength": 1000},
    {"faction": "blue", "place": "charlie", "strength": 1000},
]


CERTAIN = {"flee_chance_fighting": 1.0, "flee_chance_near": 1.0}
"""Everyone at or next to the fighting leaves on the day: the older tests' whole-town flight."""
ONE_BY_ONE = {"civilian_group_size": 1, "civilians_killed_per_casualty": 0.0}
"""Groups of one, none killed: shares of people are shares of independent draws."""


def battle(theatre_dir, parameters=None, rng=1, features=None):
    folder = theatre_dir(
        features=features,
        units=BATTLE_AT_CHARLIE,
        faction_overrides={"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}},
    )
    return passive_model(
        folder, {"refugee_reach_days": 2.5, **CERTAIN, **(parameters or {})}, rng=rng
    )


def states_by_home(model):
    result = {}
    for group in model.civilians:
        result.setdefault(group.home, set()).add((group.state, group.cell.coordinate))
    return result


def within(count: int, trials: int, chance: float, sds: float = 4.0) -> bool:
    """A binomial count within `sds` standard deviations of its mean."""
    sd = np.sqrt(trials * chance * (1.0 - chance))
    return abs(count - trials * chance) <= sds * max(sd, 0.5)


def test_a_town_empties_over_days_at_the_chance_its_fighting_gives(theatre_dir):
    chances = {"flee_chance_fighting": 0.3, "flee_chance_near": 0.05}
    lasting = {"flee_fear_half_life_days": 3650.0}  # fear that barely fades: p a day, each day
    model = battle(theatre_dir, {**ONE_BY_ONE, **chances, **lasting, "refugee_reach_days": 0.0})

    def left(home):
        return sum(
            g.size for g in model.civilians if g.home == home and g.state is not CivilianState.HOME
        )

    model.step()
    first = {home: left(home) for home in ("alpha", "bravo", "charlie")}
    assert within(first["charlie"], 300, 0.3)  # fought over
    assert within(first["bravo"], 800, 0.05)  # one road away
    assert first["alpha"] == 0  # two roads away: no one
    texts = [e.text for e in model.events.of_kind(EventKind.FLIGHT)]
    assert any(t.startswith(f"{first['bravo']:,} people fled Bravo; ") for t in texts)
    model.run(2)  # three days: 1 - (1 - p)^3 of them gone, the rest still home
    assert within(left("charlie"), 300, 1 - 0.7**3)
    assert within(left("bravo"), 800, 1 - 0.95**3)


def test_a_group_that_came_after_the_fighting_does_not_flee_it(theatre_dir):
    model = quiet_after_battle(
        theatre_dir,
        {
            "flee_chance_fighting": 1.0,
            "flee_fear_half_life_days": 3650.0,
            "return_rate_per_day": 0.0,
        },
    )
    newcomer = next(g for g in model.civilians if g.home == "alpha")
    newcomer.cell = model.grid["charlie"]  # arrives on day 1, after the day's fighting
    newcomer.arrived = model.day
    newcomer.state = CivilianState.DISPLACED
    model.run(5)
    assert newcomer.cell.coordinate == "charlie"  # a chance of 1 for any who saw it


def test_fear_fades_by_half_every_half_life_and_only_for_those_who_saw_the_fighting(theatre_dir):
    model = quiet_after_battle(
        theatre_dir,
        {"flee_chance_fighting": 0.4, "flee_chance_near": 0.1, "flee_fear_half_life_days": 2.0},
    )
    model.run(4)  # day 5: the fighting was on day 1
    state = model.state(civilians)
    assert civilians.fear(model, state, "charlie") == pytest.approx(0.4 * 0.5**2)
    assert civilians.fear(model, state, "bravo") == pytest.approx(0.1 * 0.5**2)
    assert civilians.fear(model, state, "alpha") == 0.0
    assert civilians.fear(model, state, "charlie", since=2) == 0.0  # came after it
    assert civilians.safety(model, state, "charlie") == pytest.approx(1.0 - 0.5**2)
    assert civilians.safety(model, state, "bravo") == pytest.approx(1.0 - 0.5 * 0.5**2)


def flee_network(theatre_dir, parameters=None, closed=False):
    """A Flee-style toy: a fight at O; town A one day on, camp B a day beyond A, and a
    gate one day from O with a crossing to a sanctuary; 4,000 people of O, one per group."""
    features = [
        place("o", 97.0, 25.0, "town", population=4000),
        place("a", 97.4, 25.0, "town", population=0),
        place("b", 97.8, 25.0, "town", population=0, camp_capacity=1000),
        place("gate", 97.0, 25.4, "border_post", population=0),
        place("sanctum", 97.0, 25.42, "sanctuary", country="CN"),
        road("o", "a", "road", 40.0),
        road("a", "b", "road", 40.0),
        road("o", "gate", "road", 40.0),
        road("gate", "sanctum", "road", 2.0),
    ]
    folder = theatre_dir(
        features=features,
        control={"a": "red", "b": "red", "gate": "blue"},
        units=[
            {"faction": "red", "place": "o", "strength": 1000},
            {"faction": "blue", "place": "o", "strength": 1000},
        ],
        faction_overrides={"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}},
    )
    hand_worked = {
        **ONE_BY_ONE,
        "flee_chance_fighting": 1.0,
        "flee_awareness_days": 2.5,
        "refugee_reach_days": 1.5,
        "camp_attraction": 3.0,
        "abroad_attraction": 0.5,
        "speed_road_km_per_day": 40.0,
        "travel_friction": 0.0,
        "recruits_per_displaced": 0.01,
    }
    model = passive_model(folder, {**hand_worked, **(parameters or {})})
    if closed:
        model.close_crossing("gate")
    return model


# On day 1 O is fought over; A and the gate are one road away (safety 1 - 1/2), B is
# not (safety 1), and B's camp is empty (attraction 3). Weight = attraction x safety /
# (1 + days): A 1 x 0.5 / 2 = 0.25, B 3 x 1 / 3 = 1, the gate 0.25, abroad 0.5 / 2 = 0.25.
HAND_WORKED = {
    ("a", False): 0.25,
    ("b", False): 1.0,
    ("gate", False): 0.25,
    ("sanctum", True): 0.25,
}


def test_fleeing_people_choose_by_distance_safety_and_camp_room_as_worked_by_hand(theatre_dir):
    model = flee_network(theatre_dir)
    days = model.routes.reachable("o", frozenset({"o"}))
    assert (days["a"], days["b"], days["gate"]) == pytest.approx((1.0, 2.0, 1.0))
    model.step()
    state = model.state(civilians)
    choice = civilians.choices(model, state, "o", frozenset({"o"}), {})
    weights = dict(zip(zip(choice.places, choice.abroad, strict=True), choice.weights, strict=True))
    assert weights == pytest.approx(HAND_WORKED)
    arrived = {}
    for group in model.civilians:
        arrived[group.cell.coordinate] = arrived.get(group.cell.coordinate, 0) + group.size
    total = sum(HAND_WORKED.values())
    for (where, _), weight in HAND_WORKED.items():
        assert within(arrived.get(where, 0), 4000, weight / total), (where, arrived)
    assert "o" not in arrived  # a chance of 1: all left
    abroad = model.summary()["civilians"]["refugees_abroad"]
    assert abroad == arrived["sanctum"]


def test_a_full_camp_weighs_as_a_town_and_a_closed_gate_is_no_way_out(theatre_dir):
    model = flee_network(theatre_dir, closed=True)
    model.step()
    state = model.state(civilians)
    choice = civilians.choices(model, state, "o", frozenset({"o"}), {"b": 1000})
    weights = dict(zip(zip(choice.places, choice.abroad, strict=True), choice.weights, strict=True))
    assert weights == pytest.approx(
        {("a", False): 0.25, ("b", False): 1 / 3, ("gate", False): 0.25}
    )
    assert model.summary()["civilians"]["refugees_abroad"] == 0


def test_no_one_flees_through_a_fight_at_the_crossing(theatre_dir):
    model = flee_network(theatre_dir)
    model.step()
    state = model.state(civilians)
    choice = civilians.choices(model, state, "o", frozenset({"o", "gate"}), {})
    weights = dict(zip(zip(choice.places, choice.abroad, strict=True), choice.weights, strict=True))
    assert weights == pytest.approx({("a", False): 0.25, ("b", False): 1.0})


def test_a_group_never_flees_to_its_own_home():
    choice = civilians.Choice(["a", "b", "sanctum"], [False, False, True], [1.0, 1.0, 2.0])
    assert choice.pick(0.2, home="x") == 0  # bounds 0.25, 0.5, 1
    assert choice.pick(0.2, home="a") == 1  # without a: bounds 1/3, 1
    assert choice.pick(0.9, home="a") == 2
    assert civilians.Choice(["a"], [False], [1.0]).pick(0.5, home="a") is None  # stays


def test_the_displaced_add_to_the_manpower_of_whoever_holds_their_shelter(theatre_dir):
    model = flee_network(theatre_dir)
    model.step()
    sheltering = {
        p: sum(g.size for g in model.civilians if g.cell.coordinate == p)
        for p in ("a", "b", "gate")
    }
    assert model.factions["red"].manpower_gained == pytest.approx(
        0.01 * (sheltering["a"] + sheltering["b"])
    )
    assert model.factions["blue"].manpower_gained == pytest.approx(0.01 * sheltering["gate"])


def test_a_town_whose_people_have_gone_trades_that_much_less(theatre_dir):
    model = passive_model(theatre_dir(), {"civilian_group_size": 10})
    model.step()
    full = model.factions["blue"].income_today["trade"]
    assert full == pytest.approx(model.trade_revenue("delta")) and full > 0
    for group in [g for g in model.civilians if g.home == "delta"][:7]:  # 70 of its 100
        group.cell = model.grid["charlie"]
        group.state = CivilianState.DISPLACED
    assert model.home_share("delta") == pytest.approx(0.3)
    model.step()
    assert model.factions["blue"].income_today["trade"] == pytest.approx(0.3 * full)
    assert model.trade_revenue("delta") == full  # what a commander values: it comes back


def test_people_cross_only_an_open_crossing_in_reach(theatre_dir):
    model = battle(theatre_dir, {"refugee_reach_days": 0.0})
    model.step()
    where = states_by_home(model)
    for home in ("bravo", "charlie"):  # at or next to the fighting: all went, none abroad
        assert {state for state, _ in where[home]} == {CivilianState.DISPLACED}
    assert where["delta"] == {(CivilianState.REFUGEE, "sanctum")}  # at the gate itself
    shut = battle(theatre_dir)
    shut.close_crossing("delta")
    shut.step()
    where = states_by_home(shut)
    assert shut.summary()["civilians"]["refugees_abroad"] == 0
    assert {state for state, _ in where["charlie"]} == {CivilianState.DISPLACED}
    # the gate's only road inland runs through the fighting: its people stay
    assert where["delta"] == {(CivilianState.HOME, "delta")}


def test_with_nowhere_to_go_people_shelter_where_they_are(theatre_dir):
    model = battle(theatre_dir, {"refugee_reach_days": 0.0, "flee_awareness_days": 0.0})
    model.step()
    assert model.summary()["civilians"]["displaced"] == 0
    assert states_by_home(model)["charlie"] == {(CivilianState.HOME, "charlie")}


@pytest.mark.parametrize("fortification", [0.0, 0.6])
def test_civilian_deaths_follow_the_soldiers_put_out_of_action_more_in_a_fortified_town(
    theatre_dir, fortification
):
    rate, harm = 0.05, 2.0
    killed, expected = [], []
    for seed in range(60):
        model = battle(
            theatre_dir,
            {
                "civilians_killed_per_casualty": rate,
                "civilian_harm_fortified": harm,
                "refugee_reach_days": 0.0,
            },
            rng=seed,
            features=line_map(charlie={"fortification": fortification}),
        )
        before = model.units[0].strength + model.units[1].strength
        model.step()
        losses = before - sum(u.strength for u in model.units)
        worn = model.fortification("charlie")  # sieges wear it before the civilians' phase
        assert (worn > 0) == (fortification > 0)
        expected.append(min(rate * (1 + harm * worn) * losses, 300))
        killed.append(model.civilians_killed)
    # binomial draws: the mean toll matches rate x casualties within 4 standard errors
    p = np.mean(expected) / 300
    assert abs(np.mean(killed) - np.mean(expected)) < 4 * np.sqrt(300 * p * (1 - p) / 60)
    assert np.mean(killed) > 0


def quiet_after_battle(theatre_dir, parameters):
    """A battle at charlie on day 1 only: the blue unit is gone by day 2."""
    model = battle(theatre_dir, {"return_rate_per_day": 1.0, **parameters})
    model.step()
    for unit in [u for u in model.units if u.faction == "blue"]:
        unit.remove()
    return model


def test_people_go_home_once_home_has_been_quiet_long_enough(theatre_dir):
    model = quiet_after_battle(theatre_dir, {"return_quiet_days": 10})
    away = model.summary()["civilians"]
    model.run(8)  # day 9: quiet for 8 days
    assert states_by_home(model)["bravo"] == {(CivilianState.DISPLACED, "alpha")}
    model.run(2)
    assert states_by_home(model)["bravo"] == {(CivilianState.RETURNED, "bravo")}
    assert model.summary()["civilians"]["returned"] == away["displaced"] + away["refugees_abroad"]
    assert any(e.place == "bravo" for e in model.events.of_kind(EventKind.RETURN))


def test_a_faction_that_calls_people_home_brings_them_back_sooner(theatre_dir):
    model = quiet_after_battle(
        theatre_dir, {"return_quiet_days": 60, "return_quiet_days_called": 5, "capture_days": 1}
    )
    model.factions["red"].spec.doctrine.__dict__["calls_home"] = True
    model.run(2)  # red alone at charlie: it takes charlie and calls its people home
    assert "charlie" in model.state(civilians).called_home
    assert model.events.of_kind(EventKind.CALLED_HOME)[0].text == (
        "Red called the displaced people of Charlie home"
    )
    model.run(5)
    assert states_by_home(model)["charlie"] == {(CivilianState.RETURNED, "charlie")}
    assert states_by_home(model)["bravo"] == {(CivilianState.DISPLACED, "alpha")}


@pytest.mark.parametrize("seed", range(5))
def test_people_are_conserved_through_a_campaign(seed):
    from wargame import ConflictModel

    model = ConflictModel("kachin", rng=seed)
    start = model.summary()["civilians"]["population"]
    for _ in range(120):
        model.step()
        civilians = model.summary()["civilians"]
        assert civilians["population"] + civilians["killed"] == start
        assert all(g.size > 0 for g in model.civilians)


@pytest.mark.slow
def test_no_large_town_empties_before_the_fighting_reaches_it():
    """Kachin over 10 seeds: a town of more than 50,000 keeps at least half its people at
    home until it is fought over (Bhamo's 120,000 stayed until its siege)."""
    from wargame import ConflictModel

    for seed in range(10):
        model = ConflictModel("kachin", rng=seed)
        state = model.state(civilians)
        large = {p.id for p in model.theatre.map.places.values() if p.population > 50_000}
        assert large  # Myitkyina, Bhamo
        for _ in range(270):
            model.step()
            for town in [t for t in large if t in state.last_fighting]:
                large.discard(town)  # reached: from now on its people may go
            for town in large:
                assert model.home_share(town) >= 0.5, (seed, model.day, town)


def test_the_groups_listed_at_a_place_follow_every_move_and_removal():
    """`World.groups_at` keeps each place's list until a group comes or goes: after moves,
    removals and a season of war, every list is what the place's cell holds, oldest first."""
    model = ConflictModel("kachin", rng=3)
    places = list(model.theatre.map.places)

    def held(place: str) -> list[CivilianGroup]:
        here = [a for a in model.grid[place].agents if isinstance(a, CivilianGroup)]
        return sorted(here, key=lambda g: g.unique_id)

    assert all(model.groups_at(p) == held(p) for p in places)  # every list made and kept
    mover, gone = model.groups_at("myitkyina")[:2]
    mover.cell = model.grid["waingmaw"]
    gone.remove()
    assert mover not in model.groups_at("myitkyina") and gone not in model.groups_at("myitkyina")
    assert mover in model.groups_at("waingmaw")
    model.run(90)
    assert sum(g.cell.coordinate != g.home for g in model.civilians) > 10  # many fled
    assert all(model.groups_at(p) == held(p) for p in places)
