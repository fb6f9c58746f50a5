"""Phase 2, command: each faction's commander gives its units their orders for the day.

A commander is any object with `orders(model, faction) -> list[Order]`; the
doctrine AI below is the default, and a human team's orders can stand in for
it. Orders for units of another faction, or for units that have broken and
are falling back, are ignored: the rules are checked here, not by commanders.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from wargame.engine.agents import Faction, Unit
from wargame.engine.orders import Order
from wargame.engine.posture import Posture
from wargame.engine.sight import known_presence
from wargame.engine.world import ADJACENT_THREAT_WEIGHT, World, threat_ground

CANDIDATE_TARGETS = 12
DEPTH_MEMO_SIZE = 8  # a few factions, each asking again what it asked lately; bounded for big maps


class Job(Enum):
    """What a doctrine commander uses a formation for (`DoctrineCommander`)."""

    GARRISON = "garrison"
    """Holds its home place; never ordered beyond `leash_days` of it."""
    ATTACK = "attack"
    """Takes objectives; gathers for the main effort when none is in reach."""
    RESERVE = "reserve"
    """Goes to friendly places where enemy strength is known to be near, however far; waits
    at the centre of the front it can reach."""
    SCREEN = "screen"
    """Stands on a post of the front no other formation covers; attacks when it has none."""


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
        if isinstance(faction.commander, DoctrineCommander):
            units = [u for u in world.units if u.faction == faction.id]
            faction.commander.assign_jobs(world, faction, units)
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
        self.jobs: dict[int, Job] = {}
        """Each formation's job, given the first time the commander sees it."""
        self.homes: dict[int, str] = {}
        """A garrison's home place: where its leash is tied."""
        self.next_plan: int | None = None
        """The day of the next full plan (None: plan today)."""
        self.noted: dict[int, tuple[str | None, str | None, str | None]] = {}
        """Each unit's objective at its last orders, who held that objective then, and where
        the unit stood."""

    def orders(self, model: World, faction: Faction) -> list[Order]:
        """The full plan on re-plan days; between them, orders only for the units whose
        situation changed sharply (`_due`), so a unit keeps its objective for days."""
        mine = [u for u in model.units if u.faction == faction.id]
        units = [u for u in mine if u.posture is not Posture.WITHDRAW]
        self.assign_jobs(model, faction, units)
        due = self._due(model, faction, units)
        if due is not None and not due:
            return []
        orders = self._plan(model, faction, mine, units, due)
        if due is not None:
            orders = [o for o in orders if o.unit_id in due]
        objectives = {u.unique_id: u.objective for u in units if due is None or u.unique_id in due}
        objectives |= {o.unit_id: o.objective for o in orders}
        for unit_id, objective in objectives.items():
            place = model.units_by_id[unit_id].place
            self.noted[unit_id] = (objective, model.controller.get(objective), place)
        return orders

    def _due(self, model: World, faction: Faction, units: list[Unit]) -> set[int] | None:
        """None on a re-plan day (every unit gets orders); otherwise the units with a reason
        to get new orders now: new or rallied, its objective changed hands (taken or lost)
        or was reached, enemies on its place (it is attacked), or past its stocks cut off."""
        if self.next_plan is None or model.day >= self.next_plan:
            self.next_plan = model.day + setting(model, faction, "replan_days")
            self.noted = {}
            return None
        enemies_at = model.enemy_positions(faction.id)
        due = set()
        for unit in units:
            noted = self.noted.get(unit.unique_id)
            if (
                noted is None
                or (noted[0] is not None and model.controller.get(noted[0]) != noted[1])
                or (noted[0] not in (None, noted[2]) and unit.place == noted[0])
                or unit.place in enemies_at
                or (
                    self._stranded(unit)
                    and unit.objective not in model.supplied.get(faction.id, ())
                )
            ):
                due.add(unit.unique_id)
        return due

    def assign_jobs(self, model: World, faction: Faction, units: list[Unit]) -> None:
        """Give each formation without a job one: the one the order of battle names, if any;
        else on day 0 the doctrine's `hold` share of each held place's garrison, to the
        nearest whole unit, stays as its garrison (a one-battalion post at hold 0.8 keeps its
        battalion: rounding down left every such post empty); of the rest, the `aggression`
        share of strength attacks, then the `reserve_share` of what remains is reserve, the
        rest screens. A newcomer (a recruit) takes the job furthest below its share."""
        new = [u for u in units if u.unique_id not in self.jobs]
        if not new:
            return
        first = not self.jobs
        kept: dict[str, float] = {}  # garrisons of each place
        for unit in new:
            if unit.job is not None:  # the order of battle says (`UnitEntry.job`)
                self.jobs[unit.unique_id] = Job(unit.job)
                if unit.job == Job.GARRISON.value:  # of where it began
                    self.homes[unit.unique_id] = unit.started_at
                    kept[unit.started_at] = kept.get(unit.started_at, 0.0) + unit.strength
        new = [u for u in new if u.unique_id not in self.jobs]
        doctrine = faction.spec.doctrine
        if first:
            held = model.start_holdings(faction.id)
            for unit in sorted(new, key=lambda u: u.unique_id):
                if unit.place not in held:
                    continue
                quota = doctrine.hold * model.starting_garrison(faction.id, unit.place)
                if kept.get(unit.place, 0.0) + unit.strength / 2 <= quota + 1e-9:
                    kept[unit.place] = kept.get(unit.place, 0.0) + unit.strength
                    self.jobs[unit.unique_id] = Job.GARRISON
                    unit.job = Job.GARRISON.value
                    self.homes[unit.unique_id] = unit.place
        reserve = setting(model, faction, "reserve_share")
        shares = {
            Job.ATTACK: doctrine.aggression,
            Job.RESERVE: (1 - doctrine.aggression) * reserve,
            Job.SCREEN: (1 - doctrine.aggression) * (1 - reserve),
        }
        strength = dict.fromkeys(shares, 0.0)
        for unit in units:
            job = self.jobs.get(unit.unique_id)
            if job in strength:
                strength[job] += unit.strength
        for unit in sorted(new, key=lambda u: u.unique_id):
            if unit.unique_id in self.jobs:
                continue
            total = sum(strength.values()) + unit.strength
            job = max(shares, key=lambda j: shares[j] * total - strength[j])
            self.jobs[unit.unique_id] = job
            unit.job = job.value
            strength[job] += unit.strength

    def _plan(
        self,
        model: World,
        faction: Faction,
        mine: list[Unit],
        units: list[Unit],
        due: set[int] | None = None,
    ) -> list[Order]:
        """Orders for `units` (those of `due` at least: the plan stops once every due unit
        has its orders, since a unit gets at most one and nothing a plan leaves behind but
        its orders is kept)."""
        doctrine = faction.spec.doctrine
        leash = setting(model, faction, "leash_days")
        orders: list[Order] = []
        units = self._break_out(model, faction, units, orders)
        fighting = _hold_where_fighting(model, faction, units, orders)
        if _ordered(due, [u for u in units if u.unique_id not in fighting]):
            return orders  # most days between plans: the units attacked hold, nothing more
        known = Knowledge(model, faction.id, setting(model, faction, "intelligence"))
        garrisoned = fighting | self._garrison(
            model, faction, units, fighting, orders, known, self.homes
        )
        mobile = [u for u in units if u.unique_id not in garrisoned]
        if _ordered(due, mobile):
            return orders
        job = {u.unique_id: self.jobs[u.unique_id] for u in units}
        strikers = [u for u in mobile if job[u.unique_id] in (Job.ATTACK, Job.GARRISON)]
        targets = self._targets(model, faction, mine, self.depth_memo, known)

        committed: dict[str, float] = {}
        free: list[Unit] = []
        for unit in strikers:
            if unit.posture is Posture.ATTACK and unit.objective in targets:
                committed[unit.objective] = committed.get(unit.objective, 0.0) + unit.strength
                if unit.place is not None:
                    orders.append(Order(unit.unique_id, unit.objective, Posture.ATTACK))
            elif unit.place is not None:
                free.append(unit)
        budget = sum(u.strength for u in strikers) - sum(committed.values())
        main_effort: tuple[str, float] | None = None
        pool = _Pool(model, free, self.homes, leash)
        for target, value in sorted(targets.items(), key=lambda item: (-item[1], item[0])):
            if budget <= 0 or not free or value <= 0:
                break
            need = doctrine.attack_ratio * max(
                known.defence(target), doctrine.garrison
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
        free += [
            u
            for u in mobile
            if job[u.unique_id] in (Job.RESERVE, Job.SCREEN) and u.place is not None
        ]
        if _ordered(due, free):
            return orders
        attackers = [u for u in free if job[u.unique_id] is Job.ATTACK]
        if main_effort is not None and budget > 0:
            left = self._assemble(model, faction, mine, *main_effort, attackers, orders)
            free = [u for u in free if u not in attackers or u in left]
        free = self._reinforce(model, faction, mine, free, orders, known, self.homes, leash)
        free = self._go_home(model, faction, free, orders)
        if _ordered(due, free):
            return orders
        free = self._screen(model, faction, mine, free, orders, known, job)
        if _ordered(due, free):
            return orders
        for unit in free:
            if job[unit.unique_id] is Job.RESERVE and _enclave(model, faction.id, unit.place):
                job[unit.unique_id] = Job.ATTACK  # nothing to be a reserve for, until next plan
        free = self._join_attacks(model, faction, free, orders, job)
        free = self._strike_alone(model, faction, free, orders, known, targets, job)
        if _ordered(due, free):
            return orders
        free = self._stand_on_front(model, faction, free, orders, known, job)
        orders.extend(Order(u.unique_id, None, Posture.HOLD) for u in free)
        return orders

    def _break_out(
        self, model: World, faction: Faction, units: list[Unit], orders: list[Order]
    ) -> list[Unit]:
        """Formations past their stocks where no road brings supply make for the nearest
        place that is supplied, by the safest road there is, fighting their way out if they
        must: a commander does not leave a field force to starve. A garrison at its home
        holds out instead (a siege: it may surrender). Returns the units left."""
        supplied = model.supplied.get(faction.id)
        stranded = [u for u in units if self._stranded(u)] if supplied else []
        if not stranded:
            return units
        target = model.routes.mask(supplied & model.friendly_ground(faction.id))
        avoid = model.hostile_ground(faction.id)
        leaving = set()
        for unit in stranded:
            days = model.routes.days_from(unit.place, avoid)
            way_out = model.routes.nearest(days, target) or model.routes.nearest(
                model.routes.days_from(unit.place), target
            )
            if way_out is not None:
                orders.append(Order(unit.unique_id, way_out, Posture.HOLD))
                leaving.add(unit.unique_id)
        return [u for u in units if u.unique_id not in leaving]

    def _stranded(self, unit: Unit) -> bool:
        """Past its stocks where no road brings supply (`World.out_of_stocks`) and not the
        garrison of where it stands: it should break out (`_break_out`)."""
        return (
            unit.unique_id in unit.model.out_of_stocks
            and unit.place is not None
            and not (
                self.jobs.get(unit.unique_id) is Job.GARRISON
                and unit.place == self.homes.get(unit.unique_id)
            )
        )

    def _go_home(
        self, model: World, faction: Faction, free: list[Unit], orders: list[Order]
    ) -> list[Unit]:
        """Garrisons with nothing to do return to their home place while their side holds it."""
        friendly = model.friendly_ground(faction.id)
        left = []
        for unit in free:
            home = self.homes.get(unit.unique_id)
            if self.jobs[unit.unique_id] is Job.GARRISON and home in friendly:
                orders.append(Order(unit.unique_id, home, Posture.HOLD))
            else:
                left.append(unit)
        return left

    def _screen(
        self,
        model: World,
        faction: Faction,
        mine: list[Unit],
        free: list[Unit],
        orders: list[Order],
        known: Knowledge,
        job: dict[int, Job],
    ) -> list[Unit]:
        """Each screen stands on a post of the front no other formation covers: a safe
        friendly place one road from known enemies or enemy ground, the nearest first. A
        screen is a light force: a post takes it only if it is at most `attack_ratio` times
        what the post needs (the doctrine's minimum garrison, or its caution times the
        enemy known in reach). A screen with no such post in reach has nothing to screen:
        until the next plan it is an attacker. Returns the units left."""
        covered = {
            o.objective if o.objective is not None else model.units_by_id[o.unit_id].place
            for o in orders
        }
        covered |= {
            u.place for u in mine if u.place is not None and u not in free and u.transit is None
        }
        open_posts = set(known.front(faction.id)) - covered
        avoid = model.hostile_ground(faction.id)
        doctrine = faction.spec.doctrine

        def need(post: str) -> float:
            return max(doctrine.garrison, doctrine.caution * known.threat(post))

        left = []
        for unit in sorted(free, key=lambda u: u.unique_id):
            if job[unit.unique_id] is not Job.SCREEN:
                left.append(unit)
                continue
            post = None
            light = {p for p in open_posts if unit.strength <= doctrine.attack_ratio * need(p)}
            if light:
                days = model.routes.days_from(unit.place, avoid)
                post = model.routes.nearest(days, model.routes.mask(light))
            if post is None:
                job[unit.unique_id] = Job.ATTACK  # until a post opens
                left.append(unit)
                continue
            open_posts.discard(post)
            orders.append(Order(unit.unique_id, post, Posture.HOLD))
        return left

    @staticmethod
    def _join_attacks(
        model: World, faction: Faction, free: list[Unit], orders: list[Order], job: dict[int, Job]
    ) -> list[Unit]:
        """Attackers no strike force or assembly needed join the nearest attack under way:
        the whole force fights, and more strength on an objective wins it faster and
        cheaper (the square law). Returns the units left."""
        under_way = {
            o.objective for o in orders if o.posture is Posture.ATTACK and o.objective is not None
        }
        if not under_way:
            return free
        avoid = model.hostile_ground(faction.id)
        targets = model.routes.mask(under_way)
        left = []
        for unit in free:
            target = None
            if job[unit.unique_id] is Job.ATTACK and unit.place is not None:
                target = model.routes.nearest(model.routes.days_from(unit.place, avoid), targets)
            if target is None:
                left.append(unit)
            else:
                orders.append(Order(unit.unique_id, target, Posture.ATTACK))
        return left

    @staticmethod
    def _strike_alone(
        model: World,
        faction: Faction,
        free: list[Unit],
        orders: list[Order],
        known: Knowledge,
        targets: dict[str, float],
        job: dict[int, Job],
    ) -> list[Unit]:
        """Attackers with no attack in reach to join (an enclave, cut off by enemy ground)
        attack together from where they stand: the most valuable target they reach that
        their strength there meets at the doctrine's ratio, however far (they have nothing
        else to do). Returns the units left."""
        doctrine = faction.spec.doctrine
        by_place: dict[str, list[Unit]] = {}
        left = []
        for unit in free:
            if job[unit.unique_id] is Job.ATTACK and unit.place is not None:
                by_place.setdefault(unit.place, []).append(unit)
            else:
                left.append(unit)
        avoid = model.hostile_ground(faction.id)
        index = model.routes.index
        for place, group in sorted(by_place.items()):
            days = model.routes.days_from(place, avoid)
            strength = sum(u.strength for u in group)
            within = [
                t
                for t, value in targets.items()
                if value > 0
                and np.isfinite(days[index[t]])
                and strength >= doctrine.attack_ratio * max(known.defence(t), doctrine.garrison)
            ]
            if not within:
                left.extend(group)
                continue
            target = max(within, key=lambda t: (targets[t], t))
            orders.extend(Order(u.unique_id, target, Posture.ATTACK) for u in group)
        return left

    @staticmethod
    def _stand_on_front(
        model: World,
        faction: Faction,
        free: list[Unit],
        orders: list[Order],
        known: Knowledge,
        job: dict[int, Job],
    ) -> list[Unit]:
        """Attackers with no attack to join stand on the front post nearest them; reserves
        with nothing to do, at the central place of the front (`_central`), so that a
        threat anywhere finds them as near as it can. Returns the units left."""
        front = known.front(faction.id)
        posts = model.routes.mask(front)
        if not posts.any():
            return free
        avoid = model.hostile_ground(faction.id)
        centres: dict[bytes, str] = {}  # by the ground a reserve reaches
        left = []
        for unit in free:
            role = job[unit.unique_id]
            if unit.place is None or role not in (Job.ATTACK, Job.RESERVE):
                left.append(unit)
                continue
            if role is Job.RESERVE:
                reach = np.isfinite(model.routes.days_from(unit.place, avoid))
                key = reach.tobytes()
                if key not in centres:
                    centres[key] = _central(model, faction.id, reach, front, avoid) or unit.place
                orders.append(Order(unit.unique_id, centres[key], Posture.HOLD))
                continue
            post = model.routes.nearest(model.routes.days_from(unit.place, avoid), posts)
            if post is None:
                left.append(unit)
                continue
            orders.append(Order(unit.unique_id, post, Posture.HOLD))
        return left

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
        scattered to attack becomes one that can; when even every free unit in
        reach would not be enough, nobody gathers (they join attacks under way).
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
        in_reach = sum(u.strength for u in free if days[u] < float("inf"))
        if gathered + in_reach < strength_needed:
            return free  # a gathering that cannot be enough would wait all year
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
        known: Knowledge,
        homes: dict[int, str],
        leash: float,
    ) -> list[Unit]:
        """Send units left over to friendly places whose defenders fall short of the threat
        known there: any but screens (they keep their posts) to key places, and the reserves
        also to any place with enemies known on it or one road away.

        Returns the units still free. Units on their way count as arrived, and so
        do units this plan has already sent to hold a place (a relief), so a
        shortfall draws only as much help as it needs. A garrison goes only
        within its leash.
        """
        doctrine = faction.spec.doctrine
        held = _defenders(mine, orders)
        key = model.key_places(faction.id)
        places = key | known.threatened(faction.id)
        shortfalls = {
            place: doctrine.caution * known.threat(place) - held.get(place, 0.0) for place in places
        }
        avoid = model.hostile_ground(faction.id)
        pool = _Pool(model, free, homes, leash)
        reserves = np.array([u.job == Job.RESERVE.value for u in free], dtype=bool)
        defenders = np.array([u.job != Job.SCREEN.value for u in free], dtype=bool)
        for place, short in sorted(shortfalls.items(), key=lambda item: (-item[1], item[0])):
            if short <= 0 or not pool.free.any():
                continue
            to_place = model.routes.days_from(place, avoid)
            days = to_place[pool.at]
            called = pool.free & (defenders if place in key else reserves)
            reached = np.flatnonzero(called & np.isfinite(days) & pool.leashed(to_place))
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
        model: World,
        faction: Faction,
        units: list[Unit],
        fighting: set[int],
        orders: list[Order],
        known: Knowledge,
        homes: dict[int, str],
    ) -> set[int]:
        """Hold each key place with enough to match the enemy in reach.

        A key place keeps its garrison formations (the doctrine's `hold` share
        of the garrison it started with, `assign_jobs`) and, from its other
        formations, the doctrine's minimum or more when enemies stand on it or
        one road away (times the doctrine's caution): under the square law a
        garrison behind fortification f matches an attacker sqrt(1 + bonus f)
        times its size. The rest of those formations are free for their jobs.
        A place under attack keeps them all (`_hold_where_fighting`, the units
        `fighting`). Garrison formations at home beyond its need less the enemies its
        neighbours hold off may relieve a besieged key place next to it (`_relieve`).
        """
        doctrine = faction.spec.doctrine
        key = model.key_places(faction.id)
        by_place: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.place in key and unit.unique_id not in fighting:
                by_place.setdefault(unit.place, []).append(unit)
        holding: dict[str, list[Unit]] = {}  # each place's kept formations, kept first
        for place, present in by_place.items():
            need = max(doctrine.garrison, doctrine.caution * known.threat(place))
            held = 0.0
            for unit in sorted(present, key=_keeping_order):
                if held >= need and unit.job != Job.GARRISON.value:
                    break
                holding.setdefault(place, []).append(unit)
                held += unit.strength
        sent = _relieve(model, faction, holding, orders, known, key, homes)
        kept = [u for units in holding.values() for u in units]
        orders.extend(Order(u.unique_id, None, Posture.HOLD) for u in kept if u not in sent)
        return {u.unique_id for u in kept}

    @staticmethod
    def _targets(
        model: World,
        faction: Faction,
        mine: list[Unit],
        memo: dict[tuple, dict[str, float]],
        known: Knowledge,
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
            - doctrine.risk * known.defence(place_id) / field_strength
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
        to_target = model.routes.days_from(target, avoid)
        days = to_target[pool.at]
        worth_it = np.flatnonzero(
            (value - doctrine.distance * days > 0) & pool.free & pool.leashed(to_target)
        )
        if not worth_it.size:
            return []
        nearest_first = worth_it[np.lexsort((pool.ids[worth_it], days[worth_it]))]
        enough = np.flatnonzero(np.cumsum(pool.strength[nearest_first]) >= need)
        if not enough.size:
            return []
        return [pool.units[i] for i in nearest_first[: enough[0] + 1]]


class _Pool:
    """Units free for the day's attacks as arrays: one strike force is chosen per target.

    A garrison (a unit with a home in `homes`) may go only where its home is at most
    `leash` travel days away (`leashed`).
    """

    def __init__(
        self, model: World, units: list[Unit], homes: dict[int, str] | None = None, leash=np.inf
    ) -> None:
        index = model.routes.index
        homes = homes or {}
        self.units = units
        self.at = np.array([index[u.place] for u in units], dtype=np.intp)
        self.home = np.array([index[homes.get(u.unique_id, u.place)] for u in units], dtype=np.intp)
        self.leash = np.array(
            [leash if u.unique_id in homes else np.inf for u in units], dtype=float
        )
        self.ids = np.array([u.unique_id for u in units], dtype=np.int64)
        self.strength = np.array([u.strength for u in units], dtype=float)
        self.free = np.ones(len(units), dtype=bool)
        self._position = {u.unique_id: i for i, u in enumerate(units)}

    def take(self, chosen: list[Unit]) -> None:
        self.free[[self._position[u.unique_id] for u in chosen]] = False

    def left(self) -> list[Unit]:
        return [self.units[i] for i in np.flatnonzero(self.free)]

    def leashed(self, to_place: np.ndarray) -> np.ndarray:
        """Which units may go to the place whose travel days from every place are `to_place`."""
        return to_place[self.home] <= self.leash


def _defenders(mine: list[Unit], orders: Sequence[Order] = ()) -> dict[str, float]:
    """Soldiers of a side holding each place, not attacking: where they stand, or where they
    are going (their objective, or where an order among `orders` sends them to hold)."""
    sent = {o.unit_id: o.objective for o in orders if o.posture is Posture.HOLD}
    held: dict[str, float] = {}
    for unit in mine:
        if unit.posture is not Posture.ATTACK:
            where = sent.get(unit.unique_id) or unit.place or unit.objective
            if where is not None:
                held[where] = held.get(where, 0.0) + unit.strength
    return held


def _relieve(
    model: World,
    faction: Faction,
    by_place: dict[str, list[Unit]],
    orders: list[Order],
    known: Knowledge,
    key: frozenset[str],
    homes: dict[int, str],
) -> set[Unit]:
    """A key place's garrison formations at home beyond its own need cross to a friendly key
    place one road away that is being fought over and is short of the defenders the threat
    there calls for (times the doctrine's caution), within `leash_days` of home, the largest
    shortfall first: a city's battalions across the bridge to the besieged town facing it,
    say. The sender's need leaves out the enemies its neighbours are holding out against
    (`World.threat`, `held_off`): they must take those places before they reach it, and its
    battalions meet them there. `by_place` holds the formations each key place keeps
    (`_garrison`), in the order it keeps them. Returns the units sent (they count there at
    once: `_reinforce`)."""
    enemies_at = known.enemy_positions()
    besieged = sorted(p for p in key if p in enemies_at)
    if not besieged:
        return set()
    doctrine = faction.spec.doctrine
    leash = setting(model, faction, "leash_days")
    present = _defenders([u for u in model.units if u.faction == faction.id])
    shortfalls = {p: doctrine.caution * known.threat(p) - present.get(p, 0.0) for p in besieged}
    holding = model.holding_out(faction.id)
    sent: set[Unit] = set()
    for place, short in sorted(shortfalls.items(), key=lambda item: (-item[1], item[0])):
        for sender, days in sorted(model.routes.roads_from[place], key=lambda r: (r[1], r[0])):
            if short <= 0 or days > leash or sender not in by_place:
                continue
            need = max(doctrine.garrison, doctrine.caution * known.threat(sender, holding))
            for unit in _beyond_need(by_place[sender], need, sent, homes):
                if short <= 0:
                    break
                sent.add(unit)
                orders.append(Order(unit.unique_id, place, Posture.HOLD))
                short -= unit.strength
    return sent


def _beyond_need(
    present: list[Unit], need: float, sent: set[Unit], homes: dict[int, str]
) -> list[Unit]:
    """A place's garrison formations at home beyond `need`, `present` in the order it keeps
    them (`_keeping_order`): those first stay, as do units already sent elsewhere (not
    counted)."""
    held, spare = 0.0, []
    for unit in present:
        if unit in sent:
            continue
        if (
            held >= need
            and unit.job == Job.GARRISON.value
            and homes.get(unit.unique_id) == unit.place
        ):
            spare.append(unit)
        held += unit.strength
    return spare


def _hold_where_fighting(
    model: World, faction: Faction, units: list[Unit], orders: list[Order]
) -> set[int]:
    """Every formation on a place with enemies on it holds there, whatever its job: a
    commander does not march units out of a fight they are in. Returns their ids."""
    enemies_at = model.enemy_positions(faction.id)
    held = set()
    for unit in units:
        if unit.place in enemies_at:
            held.add(unit.unique_id)
            orders.append(Order(unit.unique_id, None, Posture.HOLD))
    return held


def _ordered(due: set[int] | None, undecided: list[Unit]) -> bool:
    """Between plans (`due` set), whether every due unit has its orders: none is among the
    units the rest of the plan decides for (a unit on a road gets none from it)."""
    return due is not None and not any(u.unique_id in due for u in undecided if u.place is not None)


def _keeping_order(unit: Unit) -> tuple:
    """Which units a place keeps first: its garrison, then others, attackers last."""
    return (
        unit.posture is Posture.ATTACK,
        unit.job != Job.GARRISON.value,
        unit.job == Job.ATTACK.value,
        unit.unique_id,
    )


def setting(model: World, faction: Faction, name: str) -> float:
    """A command setting: the faction's doctrine's own value, or else the parameter's."""
    own = getattr(faction.spec.doctrine, name)
    return getattr(model.parameters, name) if own is None else own


class Knowledge:
    """Enemy strength as a side knows it today (`wargame.engine.sight`): the commander's
    defences and threats are `World.defence` and `World.threat` over the known presence."""

    def __init__(self, model: World, faction: str, intelligence: float) -> None:
        self.model, self.faction = model, faction
        self.omniscient = intelligence >= 1.0
        self.presence = known_presence(model, faction, intelligence)
        self.enemies = model.enemies_of(faction)
        self.weight = {enemy: model.fire_weight(faction, enemy) for enemy in self.enemies}
        """What one soldier of each enemy is worth in the side's own (`World.fire_weight`):
        a side knows its enemies' fire, pay and arms as it knows its own."""
        self._enemies = {
            place: sum(s * self.weight[f] for f, s in here.items() if f in self.weight)
            for place, here in self.presence.items()
        }
        """Known hostile soldiers on each place with any presence, in the side's own soldiers:
        a plan asks of each place many times, and nothing moves while a side plans."""
        self._defences: dict[str, float] = {}
        self._threats: dict[tuple[str, frozenset[str]], float] = {}
        self._positions: frozenset[str] | None = None
        self._fronts: dict[str, frozenset[str]] = {}

    def _enemies_at(self, place: str) -> float:
        return self._enemies.get(place, 0.0)

    def defence(self, place: str) -> float:
        """Hostile soldiers an attacker on `place` would face, as far as the side knows."""
        known = self._defences.get(place)
        if known is None:
            known = self._defences[place] = self._defence(place)
        return known

    def _defence(self, place: str) -> float:
        model = self.model
        if self.omniscient:
            return model.defence(self.faction, place)
        near = sum(self._enemies_at(n) for n, _ in model.routes.roads_from[place])
        bonus = 1.0
        if model.controller.get(place) in self.enemies:  # the walls as a siege left them
            bonus += model.parameters.fortification_bonus * model.fortification(place)
        return (self._enemies_at(place) + ADJACENT_THREAT_WEIGHT * near) * bonus

    def threat(self, place: str, held_off: frozenset[str] = frozenset()) -> float:
        """Soldiers needed to hold `place` against the hostile units known on it and one
        road away (`World.threat`, `held_off` as there)."""
        known = self._threats.get((place, held_off))
        if known is None:
            known = self._threats[place, held_off] = self._threat(place, held_off)
        return known

    def _threat(self, place: str, held_off: frozenset[str]) -> float:
        model = self.model
        if self.omniscient:
            return model.threat(self.faction, place, held_off)
        enemies = sum(self._enemies_at(p) for p in threat_ground(model, place, held_off))
        fortification = model.fortification(place)
        return enemies / (1.0 + model.parameters.fortification_bonus * fortification) ** 0.5

    def enemy_positions(self) -> frozenset[str]:
        """Places where the side knows hostile soldiers stand, however weak their fire."""
        if self._positions is None:
            self._positions = frozenset(
                p for p, here in self.presence.items() if not self.enemies.isdisjoint(here)
            )
        return self._positions

    def threatened(self, faction: str) -> frozenset[str]:
        """Friendly places with enemies known on them or one road away."""
        roads = self.model.routes.roads_from
        near = set()
        for p in self.enemy_positions():
            near.add(p)
            near.update(n for n, _ in roads.get(p, ()))
        return frozenset(near) & self.model.friendly_ground(faction)

    def front(self, faction: str) -> frozenset[str]:
        """Safe friendly places one road from known enemies or from enemy-held ground."""
        front = self._fronts.get(faction)
        if front is None:
            front = self._fronts[faction] = self._front(faction)
        return front

    def _front(self, faction: str) -> frozenset[str]:
        model = self.model
        enemy = self.enemy_positions() | model.hostile_ground(faction)
        roads = model.routes.roads_from
        return frozenset(
            p
            for p in model.safe_ground(faction)
            if p in roads and any(n in enemy for n, _ in roads[p])
        )


def _enclave(model: World, faction: str, place: str) -> bool:
    """No other place of the faction's side is reachable from `place` without passing
    hostile ground: a reserve there has no ground to cover but its own."""
    reach = np.isfinite(model.routes.days_from(place, model.hostile_ground(faction)))
    reach[model.routes.index[place]] = False
    return not (reach & model.routes.mask(model.friendly_ground(faction))).any()


def _central(
    model: World, faction: str, reach: np.ndarray, front: Collection[str], avoid: frozenset[str]
) -> str | None:
    """Of the safe places of its side (no enemy on them) and front posts in `reach` (a mask
    of the places a unit reaches without passing hostile ground), the one from which the
    front posts in reach are fewest travel days away on average: where a reserve waits for
    a threat it cannot foresee (ties: the first id). None when there is none, or none from
    which every post in reach can be reached."""
    index = model.routes.index
    candidates = sorted(p for p in model.safe_ground(faction) | set(front) if reach[index[p]])
    posts = sorted(p for p in front if reach[index[p]])
    if not posts or not candidates:
        return None
    days = np.array([model.routes.days_from(post, avoid) for post in posts])
    mean = days[:, [index[p] for p in candidates]].mean(axis=0)
    if not np.isfinite(mean).any():
        return None
    return candidates[int(np.argmin(mean))]


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
