"""Phase 2, command: each faction's commander gives its units their orders for the day.

A commander is any object with `orders(model, faction) -> list[Order]`; the
doctrine AI below is the default, and a human team's orders can stand in for
it. Orders for units of another faction, or for units that have broken and
are falling back, are ignored: the rules are checked here, not by commanders.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from wargame.engine.agents import Faction, Unit
from wargame.engine.orders import Order
from wargame.engine.posture import Posture
from wargame.engine.world import World

CANDIDATE_TARGETS = 12
DEPTH_MEMO_SIZE = 8  # a few factions, each asking again what it asked lately; bounded for big maps


@dataclass
class State:
    depth_memo: dict[tuple, dict[str, float]] = field(default_factory=dict)
    """Doctrine commanders' values in depth by the places' own values (`_value_in_depth`)."""


def start(world: World) -> State:
    """Every faction without a commander of its own gets the doctrine AI."""
    state = State()
    for faction in world.factions.values():
        if faction.commander is None:
            faction.commander = DoctrineCommander(state.depth_memo)
    return state


def run(model: World, state: State) -> None:
    for faction in model.factions.values():
        for order in faction.commander.orders(model, faction):
            unit = model.unit(order.unit_id)
            if unit is None or unit.faction != faction.id or unit.posture is Posture.WITHDRAW:
                continue
            apply(model, unit, order)


def apply(model: World, unit: Unit, order: Order) -> None:
    unit.posture = order.posture
    if order.objective is None or order.objective == unit.place:
        unit.objective = unit.place
        if unit.transit is None:
            unit.route = []
        return
    if order.objective != unit.objective or not (unit.route or unit.transit):
        unit.order_to(order.objective)


class DoctrineCommander:
    """The computer's commander: garrison key places, attack the best-valued targets.

    An objective's value is revenue + strategic worth (+ a bonus for retaking
    lost ground) - risk (enemy strength there against the faction's field
    force) - travel days, each weighted by the faction's doctrine. A target is
    attacked only with `attack_ratio` times its defence, so strength is
    concentrated, as the square law rewards.
    """

    def __init__(self, depth_memo: dict[tuple, dict[str, float]] | None = None) -> None:
        self.depth_memo = {} if depth_memo is None else depth_memo

    def orders(self, model: World, faction: Faction) -> list[Order]:
        doctrine = faction.spec.doctrine
        mine = [u for u in model.units if u.faction == faction.id]
        units = [u for u in mine if u.posture is not Posture.WITHDRAW]
        orders: list[Order] = []
        garrisoned = self._garrison(model, faction, units, orders)
        mobile = [u for u in units if u.unique_id not in garrisoned]
        targets = self._targets(model, faction, mine, self.depth_memo)

        committed: dict[str, float] = {}
        free: list[Unit] = []
        for unit in mobile:
            if unit.posture is Posture.ATTACK and unit.objective in targets:
                committed[unit.objective] = committed.get(unit.objective, 0.0) + unit.strength
                if unit.place is not None:
                    orders.append(Order(unit.unique_id, unit.objective, Posture.ATTACK))
            elif unit.place is not None:
                free.append(unit)
        budget = doctrine.aggression * sum(u.strength for u in mobile) - sum(committed.values())
        main_effort: tuple[str, float] | None = None
        pool = _Pool(model, free)
        for target, value in sorted(targets.items(), key=lambda item: (-item[1], item[0])):
            if budget <= 0 or not free or value <= 0:
                break
            need = doctrine.attack_ratio * max(
                model.defence(faction.id, target), doctrine.garrison
            ) - committed.get(target, 0.0)
            if need <= 0:
                continue
            chosen = self._strike_force(model, doctrine, target, value, pool, need)
            strength = sum(u.strength for u in chosen)
            if not chosen or strength - chosen[-1].strength > budget:
                main_effort = main_effort or (target, min(need, budget))
                continue
            for unit in chosen:
                orders.append(Order(unit.unique_id, target, Posture.ATTACK))
            pool.take(chosen)
            free = pool.left()
            budget -= strength
        if main_effort is not None and budget > 0:
            free = self._assemble(model, faction, mine, *main_effort, free, orders)
        free = self._reinforce(model, faction, mine, free, orders)
        orders.extend(Order(u.unique_id, None, Posture.HOLD) for u in free)
        return orders

    @staticmethod
    def _assemble(
        model: World,
        faction: Faction,
        mine: list[Unit],
        target: str,
        strength_needed: float,
        free: list[Unit],
        orders: list[Order],
    ) -> list[Unit]:
        """Gather free units at the safe place nearest the best target they could not yet take.

        Returns the units still free. Concentrating first is how a force too
        scattered to attack becomes one that can.
        """
        avoid = model.hostile_ground(faction.id)
        from_target = _days_to(model, target, avoid)
        staging = [p for p in model.safe_ground(faction.id) if from_target(p) < float("inf")]
        if not staging:
            return free
        assembly = min(staging, key=lambda p: (from_target(p), p))
        from_assembly = _days_to(model, assembly, avoid)
        days = {u: from_assembly(u.place) for u in free}
        gathered = sum(u.strength for u in mine if assembly in (u.place, u.objective))
        for unit in sorted(free, key=lambda u: (days[u], u.unique_id)):
            if gathered >= strength_needed or days[unit] == float("inf"):
                break
            free.remove(unit)
            orders.append(Order(unit.unique_id, assembly, Posture.HOLD))
            gathered += unit.strength
        return free

    @staticmethod
    def _reinforce(
        model: World,
        faction: Faction,
        mine: list[Unit],
        free: list[Unit],
        orders: list[Order],
    ) -> list[Unit]:
        """Send units left over to key places whose garrison falls short of the threat.

        Returns the units still free. Units on their way count as arrived, so a
        shortfall draws only as much help as it needs.
        """
        doctrine = faction.spec.doctrine
        held: dict[str, float] = {}
        for unit in mine:
            if unit.posture is not Posture.ATTACK:
                where = unit.place or unit.objective
                if where is not None:
                    held[where] = held.get(where, 0.0) + unit.strength
        shortfalls = {
            place: doctrine.caution * model.threat(faction.id, place) - held.get(place, 0.0)
            for place in model.key_places(faction.id)
        }
        avoid = model.hostile_ground(faction.id)
        pool = _Pool(model, free)
        for place, short in sorted(shortfalls.items(), key=lambda item: (-item[1], item[0])):
            if short <= 0 or not pool.free.any():
                continue
            days = model.routes.days_from(place, avoid)[pool.at]
            reached = np.flatnonzero(pool.free & np.isfinite(days))
            for i in reached[np.lexsort((pool.ids[reached], days[reached]))]:
                if short <= 0:
                    break
                unit = pool.units[i]
                pool.free[i] = False
                orders.append(Order(unit.unique_id, place, Posture.HOLD))
                short -= unit.strength
        return pool.left()

    @staticmethod
    def _garrison(
        model: World, faction: Faction, units: list[Unit], orders: list[Order]
    ) -> set[int]:
        """Hold each key place with enough to match the enemy in reach; hold where you fight.

        A key place keeps the doctrine's minimum, the doctrine's `hold` share of
        the garrison it started with, or more when enemies stand on it or one
        road away (times the doctrine's caution): under the square law a
        garrison behind fortification f matches an attacker sqrt(1 + bonus f)
        times its size.
        """
        doctrine = faction.spec.doctrine
        key = model.key_places(faction.id)
        by_place: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.place is not None:
                by_place.setdefault(unit.place, []).append(unit)
        kept: set[int] = set()
        enemies_at = model.enemy_positions(faction.id)
        for place, present in by_place.items():
            under_fire = place in enemies_at
            if place not in key and not under_fire:
                continue
            need = max(
                doctrine.garrison,
                doctrine.caution * model.threat(faction.id, place),
                doctrine.hold * model.starting_garrison(faction.id, place),
            )
            held = 0.0
            for unit in sorted(present, key=lambda u: (u.posture is Posture.ATTACK, u.unique_id)):
                if held >= need and not under_fire:
                    break
                kept.add(unit.unique_id)
                orders.append(Order(unit.unique_id, None, Posture.HOLD))
                held += unit.strength
        return kept

    @staticmethod
    def _targets(
        model: World, faction: Faction, mine: list[Unit], memo: dict[tuple, dict[str, float]]
    ) -> dict[str, float]:
        """Value of each place on the front worth attacking, before the cost of getting there.

        A place on the front (reachable without passing enemy ground) is worth
        what it holds plus, discounted by travel days, the best of what taking
        it opens up behind it: a junction town on the road to a border post
        carries some of that border post's value. The broker's pressure makes
        targets near its crossings less attractive.
        """
        doctrine = faction.spec.doctrine
        friendly = model.friendly_ground(faction.id)
        enemies_at = model.enemy_positions(faction.id)
        home_range = model.home_range(faction.id)
        avoid = model.hostile_ground(faction.id)
        enemies = model.enemies_of(faction.id)
        revenue, strategic = model.revenue_worths(), model.strategic_worths()
        start_holdings = model.start_holdings(faction.id)
        own = {}
        for place_id, holder in model.controller.items():
            if place_id in friendly and place_id not in enemies_at:
                continue
            if holder is not None and holder not in enemies:
                continue  # a neutral's or a truce partner's place cannot be taken
            if home_range is not None and place_id not in home_range:
                continue
            value = doctrine.revenue * revenue[place_id]
            value += doctrine.strategic * strategic[place_id]
            if place_id in start_holdings:
                value += doctrine.recapture
            own[place_id] = value
        positions = {u.place for u in mine if u.place}
        frontier = model.routes.reachable_from_any(positions, avoid) & own.keys()
        depth = _value_in_depth(
            model, own, model.parameters.objective_discount_per_day, frontier, memo
        )
        best = sorted(((p, depth[p]) for p in frontier), key=lambda item: (-item[1], item[0]))[
            :CANDIDATE_TARGETS
        ]
        field_strength = max(sum(u.strength for u in mine), 1.0)
        zone = model.border_zone()
        deterrence = model.parameters.broker_pressure * model.parameters.broker_deterrence
        return {
            place_id: value
            - doctrine.risk * model.defence(faction.id, place_id) / field_strength
            - (deterrence if place_id in zone else 0.0)
            for place_id, value in best
        }

    @staticmethod
    def _strike_force(
        model: World, doctrine, target: str, value: float, pool: _Pool, need: float
    ) -> list[Unit]:
        """The nearest free units worth sending, until their strength meets the need.

        Only units with a road to the target that passes no enemy-held place
        count: a front advances place by place instead of marching through
        enemy towns.
        """
        if pool.strength[pool.free].sum() < need * (1 - 1e-9):
            return []  # not even every free unit would do (the margin: rounding of the sums)
        avoid = model.hostile_ground(pool.units[0].faction)
        days = model.routes.days_from(target, avoid)[pool.at]
        worth_it = np.flatnonzero((value - doctrine.distance * days > 0) & pool.free)
        if not worth_it.size:
            return []
        nearest_first = worth_it[np.lexsort((pool.ids[worth_it], days[worth_it]))]
        enough = np.flatnonzero(np.cumsum(pool.strength[nearest_first]) >= need)
        if not enough.size:
            return []
        return [pool.units[i] for i in nearest_first[: enough[0] + 1]]


class _Pool:
    """Units free for the day's attacks as arrays: one strike force is chosen per target."""

    def __init__(self, model: World, units: list[Unit]) -> None:
        index = model.routes.index
        self.units = units
        self.at = np.array([index[u.place] for u in units], dtype=np.intp)
        self.ids = np.array([u.unique_id for u in units], dtype=np.int64)
        self.strength = np.array([u.strength for u in units], dtype=float)
        self.free = np.ones(len(units), dtype=bool)
        self._position = {u.unique_id: i for i, u in enumerate(units)}

    def take(self, chosen: list[Unit]) -> None:
        self.free[[self._position[u.unique_id] for u in chosen]] = False

    def left(self) -> list[Unit]:
        return [self.units[i] for i in np.flatnonzero(self.free)]


def _days_to(model: World, origin: str, avoid: frozenset[str]):
    """Days from `origin` to a place as a function: one search answers every unit."""
    days, index = model.routes.days_from(origin, avoid), model.routes.index
    return lambda place: float(days[index[place]]) if place in index else float("inf")


def _value_in_depth(
    model: World,
    own: dict[str, float],
    discount: float,
    wanted: Collection[str],
    memo: dict[tuple, dict[str, float]],
) -> dict[str, float]:
    """V(p) = own(p) + the best single place beyond p, discounted by discount^days, for `wanted`.

    The best beyond is W(p) = max(own(p), max over neighbours q of
    discount^days W(q)) over the places not yet held, so a long chain of small
    towns is worth no more than the best prize it leads to.
    """
    discounted = model.routes.discounted_roads(discount)
    # A faction's values change only when ground changes hands or enemies move
    # on or off it: most days it asks again what it asked yesterday. New road
    # speeds (a fork's) make new routes, whose answers are new too.
    key = (model.routes.version, discount, tuple(own.items()))
    best = memo.get(key)
    if best is None:
        best = _best_beyond(own, discounted)
        if len(memo) >= DEPTH_MEMO_SIZE:
            del memo[next(iter(memo))]  # the oldest question
        memo[key] = best
    return {
        place: own[place]
        + max((factor * best[q] for q, factor in discounted[place] if q in own), default=0.0)
        for place in wanted
    }


def _best_beyond(
    own: dict[str, float], discounted: dict[str, list[tuple[str, float]]]
) -> dict[str, float]:
    # Like Dijkstra's algorithm with products of factors <= 1 instead of sums:
    # settle places from the highest value down, each improving its neighbours.
    best = dict(own)
    heap = [(-value, place) for place, value in own.items()]
    heapq.heapify(heap)
    settled: set[str] = set()
    while heap:
        value, place = heapq.heappop(heap)
        if place in settled:
            continue
        settled.add(place)
        for q, factor in discounted[place]:
            if q in own and -value * factor > best[q]:
                best[q] = -value * factor
                heapq.heappush(heap, (-best[q], q))
    return best
