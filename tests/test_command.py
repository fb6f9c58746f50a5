"""Command: the doctrine AI attacks and garrisons; the rules hold whoever gives the orders."""

import pytest
from theatres import line_map, passive_model, with_doctrine

from wargame import ConflictModel
from wargame.engine.orders import Order, StandingOrders
from wargame.engine.posture import Posture
from wargame.phases.command import apply


def test_the_doctrine_ai_takes_an_undefended_enemy_place(theatre_dir):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 400, "count": 3}],
        parameters={"travel_friction": 0.0},
    )
    model = ConflictModel(folder, rng=1)
    model.run(30)
    assert model.controller["delta"] == "red"
    assert any(e.place == "delta" and e.kind.value == "capture" for e in model.events)


def test_a_key_place_keeps_its_garrison(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 40, "count": 5}])
    model = ConflictModel(folder, rng=1)  # alpha is a base: a key place, garrison 50
    model.run(20)
    assert sum(u.strength for u in model.units if u.place == "alpha") >= 50


class Meddler:
    """Orders an enemy unit around: the rules must not let it."""

    def __init__(self, target_id: int) -> None:
        self.target_id = target_id

    def orders(self, model, faction):
        return [Order(self.target_id, "alpha", Posture.ATTACK)]


def test_orders_for_another_factions_units_are_ignored(theatre_dir):
    folder = theatre_dir(
        units=[
            {"faction": "red", "place": "alpha", "strength": 100},
            {"faction": "blue", "place": "delta", "strength": 100},
        ]
    )
    model = passive_model(folder)
    blue_unit = next(u for u in model.units if u.faction == "blue")
    model.factions["red"].commander = Meddler(blue_unit.unique_id)
    model.run(3)
    assert blue_unit.place == "delta" and blue_unit.route == []
    assert blue_unit.posture is Posture.HOLD


class Sender:
    def orders(self, model, faction):
        return [
            Order(u.unique_id, "charlie", Posture.ATTACK)
            for u in model.units
            if u.faction == faction.id
        ]


def test_a_custom_commander_replaces_the_ai_and_broken_units_ignore_it(theatre_dir):
    folder = theatre_dir(
        units=[{"faction": "red", "place": "alpha", "strength": 100, "count": 2}],
        parameters={"travel_friction": 0.0},
    )
    model = ConflictModel(folder, rng=1, commanders={"red": Sender(), "blue": StandingOrders()})
    steady, broken = model.units
    broken.posture = Posture.WITHDRAW
    model.step()
    assert steady.objective == "charlie" and steady.posture is Posture.ATTACK
    assert broken.objective is None and broken.place == "alpha"


def test_routes_avoid_hostile_held_places_when_a_detour_exists(theatre_dir):
    from test_morale import detour_map

    folder = theatre_dir(
        features=detour_map(),
        control={"b": "blue", "x": "red"},
        units=[{"faction": "red", "place": "x", "strength": 100}],
    )
    model = passive_model(folder)
    unit = model.units[0]
    assert model.routes.path("x", "near") == ["x", "b", "near"]
    assert unit.order_to("near")
    assert unit.route == ["m", "far", "near"]


def test_routes_go_through_the_enemy_when_there_is_no_other_way(theatre_dir):
    folder = theatre_dir(
        control={"alpha": "red", "bravo": "blue"},
        units=[{"faction": "red", "place": "alpha", "strength": 100}],
    )
    model = passive_model(folder)
    unit = model.units[0]
    assert unit.order_to("charlie")
    assert unit.route == ["bravo", "charlie"]


def test_standing_orders_give_none(theatre_dir):
    model = passive_model(
        theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 100}])
    )
    assert StandingOrders().orders(model, model.factions["red"]) == []


def test_a_place_is_worth_what_it_holds_and_the_best_prize_beyond_it(theatre_dir):
    from wargame.phases.command import _value_in_depth

    # alpha -(2 days)- bravo -(2 days)- charlie -(2 days)- delta, by highway, road and track
    model = passive_model(theatre_dir(), {"travel_friction": 0.0})
    own = {"alpha": 0.1, "bravo": 0.2, "charlie": 1.0, "delta": 0.3}
    d = 0.5**2  # discount 0.5 per day, two days per road
    value = _value_in_depth(model, own, 0.5, own, {})
    assert value["bravo"] == pytest.approx(0.2 + max(d * 0.1, d * 1.0))
    assert value["alpha"] == pytest.approx(0.1 + d * max(0.2, d * 1.0))  # best beyond: charlie
    assert value["delta"] == pytest.approx(0.3 + d * 1.0)
    assert value["charlie"] == pytest.approx(1.0 + d * max(0.2, 0.3))


def test_new_road_speeds_give_new_values_in_depth_not_remembered_ones(theatre_dir):
    # a fork may change speeds mid-run: a commander's memo must not serve the old roads' values
    from wargame.phases.command import _value_in_depth

    model = passive_model(theatre_dir(), {"travel_friction": 0.0})
    own = {"alpha": 0.1, "bravo": 0.2, "charlie": 1.0, "delta": 0.3}
    memo: dict = {}
    _value_in_depth(model, own, 0.5, own, memo)
    slower = {
        f"speed_{kind}_km_per_day": 0.5 * model.parameters.speed(kind)
        for kind in ("highway", "road", "track")
    }
    model.parameters = model.parameters.model_copy(update=slower)
    value = _value_in_depth(model, own, 0.5, own, memo)
    d = 0.5**4  # four days per road now
    assert value == _value_in_depth(model, own, 0.5, own, {})
    assert value["delta"] == pytest.approx(0.3 + d * 1.0)


def test_a_plan_between_replans_gives_each_due_unit_the_full_plans_order():
    # between re-plan days only the due units' orders are kept, so the plan stops once they
    # have them (`_plan`'s `due`): what it gives them must be what the full plan gives
    from wargame.phases.command import DoctrineCommander

    model = ConflictModel("kachin", rng=42)
    stopped_early = 0
    for _ in range(8):
        model.run(9)
        for faction in model.factions.values():
            commander = faction.commander
            assert isinstance(commander, DoctrineCommander)
            mine = [u for u in model.units if u.faction == faction.id]
            units = [u for u in mine if u.posture is not Posture.WITHDRAW]
            commander.assign_jobs(model, faction, units)  # as `orders` does: recruits too
            full = commander._plan(model, faction, mine, units)
            for unit in units:
                partial = commander._plan(model, faction, mine, units, {unit.unique_id})
                assert [o for o in partial if o.unit_id == unit.unique_id] == [
                    o for o in full if o.unit_id == unit.unique_id
                ]
                stopped_early += len(partial) < len(full)
    assert stopped_early > 100  # the early stop is taken, not only allowed


def _relief_beside_a_striking_garrison(theatre_dir):
    """Red's alpha, a base, holds two garrison battalions of 200, an attack battalion and a
    third garrison battalion just ordered to attack charlie (the striker, returned); 400
    blue soldiers stand on bravo next door, a base with a post of 50. Alpha needs 400
    against them: its first two battalions meet that, the attack battalion sorts next
    (`_keeping_order`) and ends what alpha keeps, so the striker, sorted last, is left free."""
    folder = theatre_dir(
        features=line_map(bravo={"kind": "base"}),
        units=[
            {"faction": "red", "place": "alpha", "strength": 200, "count": 2, "job": "garrison"},
            {"faction": "red", "place": "alpha", "strength": 200, "job": "attack"},
            {"faction": "red", "place": "alpha", "strength": 200, "job": "garrison"},
            {"faction": "red", "place": "bravo", "strength": 50, "job": "garrison"},
            {"faction": "blue", "place": "delta", "strength": 400},
        ],
        control={"alpha": "red", "bravo": "red", "delta": "blue"},
        parameters={"travel_friction": 0.0, "leash_days": 3.0},
        faction_overrides={"red": {"aggression": 0.0}},
    )
    model = ConflictModel(with_doctrine(folder, "red", caution=1.0), rng=1)
    next(u for u in model.units if u.faction == "blue").stand_at("bravo")
    striker = [u for u in model.units if u.faction == "red" and u.started_at == "alpha"][-1]
    apply(model, striker, Order(striker.unique_id, "charlie", Posture.ATTACK))
    return model, striker


def test_a_relief_sends_only_formations_their_place_keeps(theatre_dir):
    """Regression (0871e77): a garrison formation in attack posture sorts last at its place
    and may be left unkept, free for its job; the relief of a besieged key place next door
    used to send it as well, so it got two orders in one day. The relief must go from the
    battalions alpha keeps, each unit with one order."""
    model, striker = _relief_beside_a_striking_garrison(theatre_dir)
    red = model.factions["red"]
    orders = red.commander.orders(model, red)
    ids = [o.unit_id for o in orders]
    assert len(ids) == len(set(ids)), f"units with more than one order: {orders}"
    kept = {
        u.unique_id
        for u in model.units
        if u.job == "garrison" and u.place == "alpha" and u is not striker
    }
    relief = {o.unit_id for o in orders if o.objective == "bravo"}
    assert relief and relief <= kept  # the relief still goes, from what alpha keeps
