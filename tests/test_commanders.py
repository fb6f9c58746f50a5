"""Commanders' jobs, leash, re-planning and knowledge, on the four-place line theatre.

alpha (red's base) -2 days- bravo (town) -2 days- charlie (mine) -2 days- delta (blue's
border post), with no travel friction, so every travel time is exact.
"""

from typing import get_args

import pytest
from theatres import line_map, place, road, with_doctrine

from wargame import ConflictModel
from wargame.engine.orders import Order, StandingOrders
from wargame.engine.posture import Posture
from wargame.engine.sight import known_places, seen_places
from wargame.phases.command import Job, Knowledge
from wargame.scenario import ScenarioError
from wargame.scenario.schema import UnitEntry


def _red_unit(model: ConflictModel):
    return next(u for u in model.units if u.faction == "red")


def _leashed_garrison(theatre_dir, leash_days: float) -> ConflictModel:
    """Red's only unit is alpha's garrison, found at bravo (2 days from home); charlie, 4
    days from home, is free for the taking."""
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 400}],
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        parameters={"travel_friction": 0.0, "leash_days": leash_days},
        faction_overrides={"red": {"aggression": 1.0}},
    )
    model = ConflictModel(with_doctrine(folder, "red", hold=1.0), rng=1)
    _red_unit(model).stand_at("bravo")
    return model


def test_a_garrison_never_goes_beyond_its_leash(theatre_dir):
    model = _leashed_garrison(theatre_dir, leash_days=3.0)
    unit = _red_unit(model)
    objectives = set()
    for _ in range(12):
        model.step()
        objectives.add(unit.objective)
    assert unit.job == "garrison"
    assert "charlie" not in objectives and model.controller.get("charlie") is None
    assert unit.place == "alpha"  # with nothing in reach, it went home


def test_a_longer_leash_lets_the_garrison_take_the_place(theatre_dir):
    model = _leashed_garrison(theatre_dir, leash_days=5.0)
    model.run(12)
    assert model.controller.get("charlie") == "red"


def _reserve_and_threat(
    theatre_dir, replan_days: int, leash_days: float = 3.0, job: str | None = None
) -> tuple[ConflictModel, object]:
    """Red keeps all its field force in reserve at alpha (one of its two units is alpha's
    garrison by need, the other free), or gives both units the `job` the order of battle
    names; red holds bravo (not a key place: 800 people). On day 2 a blue unit turns up at
    charlie, one road from bravo. Returns the model and Red's second unit."""
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 200, "count": 2}
            | ({"job": job} if job else {}),
            {"faction": "blue", "place": "delta", "strength": 100},
        ],
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        parameters={
            "travel_friction": 0.0,
            "replan_days": replan_days,
            "reserve_share": 1.0,
            "leash_days": leash_days,
        },
        faction_overrides={"red": {"aggression": 0.0}, "blue": {"aggression": 0.0}},
    )
    with_doctrine(folder, "blue", hold=1.0)
    model = ConflictModel(folder, rng=1)
    model.run(2)
    blue = next(u for u in model.units if u.faction == "blue")
    blue.stand_at("charlie")
    return model, max((u for u in model.units if u.faction == "red"), key=lambda u: u.unique_id)


def test_a_reserve_goes_to_the_threatened_place(theatre_dir):
    model, reserve = _reserve_and_threat(theatre_dir, replan_days=1)
    assert reserve.job == "reserve"
    model.run(6)
    assert reserve.objective == "bravo" and reserve.place == "bravo"


@pytest.mark.parametrize(("job", "goes_to"), [("reserve", "bravo"), ("garrison", "alpha")])
def test_a_reserve_answers_a_threat_beyond_the_leash_where_a_garrison_stays(
    theatre_dir, job, goes_to
):
    """The threatened place is 2 days from alpha, beyond a 1-day leash: a reserve goes to it
    all the same (reserves move to threatened places), while the same unit named alpha's
    garrison in the order of battle stays in its region."""
    model, unit = _reserve_and_threat(theatre_dir, replan_days=1, leash_days=1.0, job=job)
    model.run(6)
    assert unit.job == job
    assert unit.place == goes_to and unit.objective == goes_to


def test_orders_change_only_on_re_plan_days(theatre_dir):
    """Planned on day 0 and every 6 days: the threat seen on day 2 waits for day 6's plan
    (nothing sharp happened to the reserve itself)."""
    model, reserve = _reserve_and_threat(theatre_dir, replan_days=6)
    days_ordered = []
    for _ in range(8):
        before = reserve.objective
        model.step()
        if reserve.objective != before:
            days_ordered.append(model.day)
    assert reserve.objective == "bravo"
    assert len(days_ordered) == 1 and days_ordered[0] >= 6


def test_beyond_sight_an_enemy_is_known_only_by_intelligence(theatre_dir):
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 400},
            {"faction": "blue", "place": "delta", "strength": 300},
        ],
    )
    model = ConflictModel(folder, rng=1)
    assert seen_places(model, "red") == {"alpha", "bravo"}  # its base and one road beyond
    assert "delta" not in known_places(model, "red", 0.0)
    assert "delta" in known_places(model, "red", 1.0)
    assert Knowledge(model, "red", 0.0).defence("delta") == 0.0
    assert Knowledge(model, "red", 1.0).defence("delta") == model.defence("red", "delta") > 0


def test_a_side_that_knows_only_what_it_sees_reads_the_walls_a_siege_left(theatre_dir):
    """Siege wear lowers the defence an attacker expects and raises the threat a holder
    feels, as the omniscient measures do: by the walls' cover before and after."""
    features = line_map()
    for feature in features:
        if feature["properties"].get("id") == "delta":
            feature["properties"]["fortification"] = 0.8
    units = [
        {"faction": "red", "place": "charlie", "strength": 400},
        {"faction": "blue", "place": "delta", "strength": 300},
    ]
    model = ConflictModel(theatre_dir(features=features, units=units), rng=1)
    bonus = model.parameters.fortification_bonus

    def seen() -> tuple[float, float]:
        return (
            Knowledge(model, "red", 1.0 - 1e-9).defence("delta"),
            Knowledge(model, "blue", 1.0 - 1e-9).threat("delta"),
        )

    walled, felt = seen()
    model.wear_fortification("delta", 0.6)
    assert model.fortification("delta") == pytest.approx(0.2)
    worn, felt_worn = seen()
    cover = (1 + bonus * 0.8) / (1 + bonus * 0.2)
    assert worn == pytest.approx(walled / cover)
    assert felt_worn == pytest.approx(felt * cover**0.5)
    assert worn == pytest.approx(model.defence("red", "delta"))


def test_a_wider_sight_sees_further(theatre_dir):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 400}],
        parameters={"sight_roads": 2},
    )
    assert seen_places(ConflictModel(folder, rng=1), "red") == {"alpha", "bravo", "charlie"}


def test_idle_formations_are_counted_garrisons_excepted(theatre_dir):
    """Red's garrison (hold) stays home and is not idle; its attacker takes bravo and is
    not idle; blue's lone unit, which never moves and has no garrison job, is."""
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 200, "count": 2},
            {"faction": "blue", "place": "delta", "strength": 100},
        ],
        parameters={"travel_friction": 0.0},
        faction_overrides={"red": {"aggression": 1.0}, "blue": {"aggression": 0.0}},
    )
    model = ConflictModel(with_doctrine(folder, "red", hold=0.5), rng=1)
    model.run(8)
    series = model.series()
    assert series["red_idle_units"].iloc[0] == 1 and series["red_idle_units"].iloc[-1] == 0
    assert series["blue_idle_units"].iloc[-1] == 1


def test_a_screen_with_no_post_of_its_own_attacks(theatre_dir):
    """Red's two screens stand at bravo, a front post (blue holds charlie one road on): one
    post needs one screen, so the other has nothing to screen and attacks, taking charlie
    (blue's 60 there, under the doctrine's 1.5:1). Before, both stood at bravo all month
    and charlie stayed blue's."""
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "bravo", "strength": 300, "count": 2},
            {"faction": "blue", "place": "charlie", "strength": 60},
        ],
        control={"alpha": "red", "bravo": "red", "charlie": "blue", "delta": "blue"},
        parameters={"travel_friction": 0.0, "reserve_share": 0.0},
        faction_overrides={"red": {"aggression": 0.0}, "blue": {"aggression": 0.0}},
    )
    with_doctrine(folder, "blue", hold=1.0)
    model = ConflictModel(with_doctrine(folder, "red", hold=0.0), rng=1)
    model.run(30)
    screens = [u for u in model.units if u.faction == "red" and u.started_at == "bravo"]
    assert [u.job for u in screens] == ["screen", "screen"]
    assert any(u.moved for u in screens)
    assert model.controller.get("charlie") == "red"


def _star(theatre_dir, red_units: list[dict]) -> ConflictModel:
    """A hub with three spokes (one day of highway each), every spoke's end one day from a
    place of Blue's: Red holds the hub and the spokes' ends, whose three are its front."""
    spokes = {"north": (97.0, 25.45), "east": (97.5, 25.0), "west": (96.5, 25.0)}
    beyond = {"north": (97.0, 25.9), "east": (98.0, 25.0), "west": (96.0, 25.0)}
    features = [place("hub", 97.0, 25.0, "town", population=500)]
    for spoke, (lon, lat) in spokes.items():
        features += [
            place(spoke, lon, lat, "town", population=500),
            place(f"far_{spoke}", *beyond[spoke], "town", population=500),
            road("hub", spoke, "highway", 60.0),
            road(spoke, f"far_{spoke}", "highway", 60.0),
        ]
    folder = theatre_dir(
        features=features,
        control={"hub": "red", **dict.fromkeys(spokes, "red")}
        | {f"far_{s}": "blue" for s in spokes},
        units=red_units,
        parameters={"travel_friction": 0.0, "reserve_share": 1.0},
        faction_overrides={"red": {"aggression": 0.0}, "blue": {"aggression": 0.0}},
    )
    return ConflictModel(with_doctrine(folder, "red", hold=0.0), rng=1)


def test_a_reserve_with_nothing_to_do_waits_at_the_centre_of_the_front(theatre_dir):
    """From the hub every front post is a day away; from a spoke's end two of them are two
    days: the reserve found at the east post goes to the hub and stays there."""
    model = _star(theatre_dir, [{"faction": "red", "place": "east", "strength": 300}])
    reserve = _red_unit(model)
    model.step()
    assert reserve.job == "reserve" and reserve.objective == "hub"
    model.run(5)
    assert reserve.place == "hub" and reserve.moved


def test_a_reserve_in_an_enclave_strikes_with_the_attackers_there(theatre_dir):
    """Red holds bravo alone, between Blue's empty alpha and charlie: its reserve has no
    ground to cover but bravo, so it attacks (and is no longer idle)."""
    folder = theatre_dir(
        units=[{"faction": "red", "place": "bravo", "strength": 400}],
        control={"alpha": "blue", "bravo": "red", "charlie": "blue", "delta": "blue"},
        parameters={"travel_friction": 0.0, "reserve_share": 1.0},
        faction_overrides={"red": {"aggression": 0.0}, "blue": {"aggression": 0.0}},
    )
    model = ConflictModel(with_doctrine(folder, "red", hold=0.0), rng=1)
    reserve = _red_unit(model)
    model.step()
    assert reserve.job == "reserve"
    assert reserve.posture is Posture.ATTACK and reserve.objective in ("alpha", "charlie")


def test_a_job_the_order_of_battle_names_is_kept(theatre_dir):
    """Red's doctrine (aggression 0) would make both its units reserves; the order of battle
    makes one an attacker, and it takes one of Blue's empty places while the reserve, with
    nothing threatened, waits at the hub."""
    model = _star(
        theatre_dir,
        [
            {"faction": "red", "place": "hub", "strength": 300},
            {"faction": "red", "place": "hub", "strength": 300, "job": "attack"},
        ],
    )
    reserve, attacker = sorted(
        (u for u in model.units if u.faction == "red"), key=lambda u: u.unique_id
    )
    model.run(8)
    assert (reserve.job, attacker.job) == ("reserve", "attack")
    assert reserve.place == "hub"
    assert "red" in (model.controller[f"far_{spoke}"] for spoke in ("north", "east", "west"))


def test_an_unknown_job_is_refused_with_the_file_and_the_key(theatre_dir):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 100, "job": "sentry"}]
    )
    with pytest.raises(ScenarioError) as caught:
        ConflictModel(folder)
    message = str(caught.value)
    assert "setup.toml" in message and "units[0].job" in message and "garrison" in message


def test_the_jobs_a_file_may_name_are_the_commanders_jobs():
    """The set-up's schema cannot import the command phase: its list is checked here."""
    named = set(get_args(get_args(UnitEntry.model_fields["job"].annotation)[0]))
    assert named == {job.value for job in Job}


@pytest.mark.parametrize("blue_fire", [0.01, 0.04, 0.0025])
def test_a_side_weighs_enemies_by_their_fire_against_its_own(theatre_dir, blue_fire):
    """Under the square law one Blue soldier with k times Red's fire is worth sqrt(k) of
    Red's: the defence Red faces at Delta and the threat Blue sees there scale so."""
    units = [
        {"faction": "red", "place": "charlie", "strength": 400},
        {"faction": "blue", "place": "delta", "strength": 300},
    ]
    fires = {"red": {"effectiveness": 0.01}, "blue": {"effectiveness": blue_fire}}
    even = ConflictModel(theatre_dir(units=units), rng=1)
    weighed = ConflictModel(theatre_dir(units=units, faction_overrides=fires), rng=1)
    k = blue_fire / 0.01
    assert weighed.fire_weight("red", "blue") == pytest.approx(k**0.5)
    assert weighed.defence("red", "delta") == pytest.approx(even.defence("red", "delta") * k**0.5)
    assert weighed.threat("blue", "delta") == pytest.approx(even.threat("blue", "delta") / k**0.5)
    known = Knowledge(even, "red", 1.0 - 1e-9).defence("delta")  # not omniscient: its own sum
    assert known > 0
    assert Knowledge(weighed, "red", 1.0 - 1e-9).defence("delta") == pytest.approx(known * k**0.5)


def test_the_arms_an_enemy_buys_weigh_in_the_defence_a_side_sees_the_next_day(theatre_dir):
    units = [
        {"faction": "red", "place": "charlie", "strength": 400},
        {"faction": "blue", "place": "delta", "strength": 300},
    ]
    model = ConflictModel(theatre_dir(units=units, parameters={"arms_edge_max": 1.0}), rng=1)
    for faction in model.factions.values():
        faction.commander = StandingOrders()
    model.factions["red"].treasury = 0.0  # Red buys no arms; Blue spends its million
    before = model.defence("red", "delta")
    model.step()
    edge = model.factions["blue"].arms_edge
    assert edge > 0.5 and model.factions["red"].arms_edge == 0.0
    assert model.defence("red", "delta") == pytest.approx(before * (1 + edge) ** 0.5)


def test_a_formation_attacked_where_it_stands_holds_there_whatever_its_job(theatre_dir):
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 400},
            {"faction": "blue", "place": "delta", "strength": 100},
        ],
        parameters={"travel_friction": 0.0},
        faction_overrides={"red": {"aggression": 1.0}},
    )
    model = ConflictModel(folder, rng=1)
    red, blue = _red_unit(model), next(u for u in model.units if u.faction == "blue")
    red.stand_at("bravo")
    blue.stand_at("bravo")
    assert red.job == "attack" and "bravo" not in model.key_places("red")
    faction = model.factions["red"]
    assert faction.commander.orders(model, faction) == [Order(red.unique_id, None, Posture.HOLD)]


@pytest.mark.parametrize(
    ("hold", "alpha_kept", "bravo_kept"),
    [
        # alpha: one 500; bravo: three 500s. A place keeps a unit while what it keeps, with
        # half that unit, stays within hold x its starting garrison: the nearest whole unit.
        (0.7, 1, 2),  # alpha 250 <= 350; bravo 1,000 + 250 > 1,050 stops the third
        (0.5, 1, 2),  # a half exactly keeps it: 250 <= 250; bravo 750 <= 750
        (0.4, 0, 1),  # 250 > 200; bravo 500 + 250 > 600
        (0.0, 0, 0),
    ],
)
def test_a_place_keeps_its_hold_share_to_the_nearest_whole_unit(
    theatre_dir, hold, alpha_kept, bravo_kept
):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 500}]
        + [{"faction": "red", "place": "bravo", "strength": 500}] * 3,
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        parameters={"travel_friction": 0.0},
    )
    model = ConflictModel(with_doctrine(folder, "red", hold=hold), rng=1)
    model.step()
    garrisons = [u.started_at for u in model.units if u.job == Job.GARRISON.value]
    assert (garrisons.count("alpha"), garrisons.count("bravo")) == (alpha_kept, bravo_kept)


def _siege_next_door(theatre_dir, leash_days: float, besiegers: int = 100) -> ConflictModel:
    """Red's two battalions at alpha are both its garrison; red also holds bravo (a base, so a
    key place, 2 days away by highway) with a post of 50, and on day 1 a blue unit of
    `besiegers` is found standing on bravo."""
    folder = theatre_dir(
        features=line_map(bravo={"kind": "base"}),
        units=[
            {"faction": "red", "place": "alpha", "strength": 200, "count": 2, "job": "garrison"},
            {"faction": "red", "place": "bravo", "strength": 50, "job": "garrison"},
            {"faction": "blue", "place": "delta", "strength": besiegers},
        ],
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        parameters={"travel_friction": 0.0, "replan_days": 1, "leash_days": leash_days},
        faction_overrides={"red": {"aggression": 0.0}, "blue": {"aggression": 0.0}},
    )
    with_doctrine(folder, "blue", hold=1.0)
    with_doctrine(folder, "red", caution=1.0)
    model = ConflictModel(folder, rng=1)
    model.run(1)
    blue = next(u for u in model.units if u.faction == "blue")
    blue.stand_at("bravo")
    return model


@pytest.mark.parametrize(("leash_days", "sent"), [(3.0, 1), (1.0, 0)])
def test_a_garrison_beyond_its_own_need_relieves_a_key_place_next_door(
    theatre_dir, leash_days, sent
):
    """Alpha needs one battalion against the 100 one road away; its second crosses to bravo,
    being fought over and short of defenders, when bravo is within its leash, and stays home
    when it is not."""
    model = _siege_next_door(theatre_dir, leash_days)
    model.step()
    going = [u for u in model.units if u.faction == "red" and u.started_at == "alpha"]
    assert sum(u.objective == "bravo" for u in going) == sent
    assert sum(u.place == "alpha" for u in going) == 2 - sent


@pytest.mark.parametrize(("post_holds", "sent"), [(True, 1), (False, 0)])
def test_a_garrison_meets_the_besiegers_next_door_at_the_place_they_besiege(
    theatre_dir, post_holds, sent
):
    """The 400 on bravo are alpha's only threat. While bravo's post of 50 holds out they must
    take bravo before they reach alpha: alpha's need besides them is its minimum of 50, so
    its second battalion of 200 crosses to bravo (short 350) and its first stays. Once the
    post has broken nothing holds them off: alpha needs 400 and keeps both at home."""
    model = _siege_next_door(theatre_dir, leash_days=3.0, besiegers=400)
    post = next(u for u in model.units if u.faction == "red" and u.started_at == "bravo")
    if not post_holds:
        post.morale = 0.0
    assert model.holding_out("red") == ({"bravo"} if post_holds else set())
    model.step()
    going = [u for u in model.units if u.faction == "red" and u.started_at == "alpha"]
    assert sum(u.objective == "bravo" for u in going) == sent
    assert sum(u.place == "alpha" for u in going) == 2 - sent
