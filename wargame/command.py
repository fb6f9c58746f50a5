"""Phase 2, command: each faction's commander gives its units their orders for the day.

A commander is any object with `orders(model, faction) -> list[Order]`; the
doctrine AI below is the default, and a human team's orders can stand in for
it. Orders for units of another faction, or for units that have broken and
are falling back, are ignored: the rules are checked here, not by commanders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from wargame.posture import Posture

if TYPE_CHECKING:
    from wargame.agents import Faction, Unit
    from wargame.model import ConflictModel

CANDIDATE_TARGETS = 12


@dataclass(frozen=True)
class Order:
    """Go to `objective` (None: stay where you are) with the given posture."""

    unit_id: int
    objective: str | None
    posture: Posture = Posture.HOLD


class Commander(Protocol):
    def orders(self, model: ConflictModel, faction: Faction) -> list[Order]: ...


def issue_orders(model: ConflictModel) -> None:
    for faction in model.factions.values():
        for order in faction.commander.orders(model, faction):
            unit = model.unit(order.unit_id)
            if unit is None or unit.faction != faction.id or unit.posture is Posture.WITHDRAW:
                continue
            apply(model, unit, order)


def apply(model: ConflictModel, unit: Unit, order: Order) -> None:
    unit.posture = order.posture
    if order.objective is None or order.objective == unit.place:
        unit.objective = unit.place
        if unit.transit is None:
            unit.route = []
        return
    if order.objective != unit.objective or not (unit.route or unit.transit):
        unit.order_to(order.objective)


class StandingOrders:
    """A commander who gives no new orders: every unit carries on with its last one."""

    def orders(self, model: ConflictModel, faction: Faction) -> list[Order]:
        return []


class DoctrineCommander:
    """The computer's commander: garrison key places, attack the best-valued targets.

    An objective's value is revenue + strategic worth (+ a bonus for retaking
    lost ground) - risk (enemy strength there against the faction's field
    force) - travel days, each weighted by the faction's doctrine. A target is
    attacked only with `attack_ratio` times its defence, so strength is
    concentrated, as the square law rewards.
    """

    def orders(self, model: ConflictModel, faction: Faction) -> list[Order]:
        doctrine = faction.spec.doctrine
        units = [
            u for u in model.units if u.faction == faction.id and u.posture is not Posture.WITHDRAW
        ]
        orders: list[Order] = []
        garrisoned = self._garrison(model, faction, units, orders)
        mobile = [u for u in units if u.unique_id not in garrisoned]
        targets = self._targets(model, faction)

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
        for target, value in sorted(targets.items(), key=lambda item: (-item[1], item[0])):
            if budget <= 0 or not free:
                break
            need = doctrine.attack_ratio * max(
                model.defence(faction.id, target), doctrine.garrison
            ) - committed.get(target, 0.0)
            if need <= 0:
                continue
            chosen = self._strike_force(model, doctrine, target, value, free, need)
            strength = sum(u.strength for u in chosen)
            if not chosen or strength - chosen[-1].strength > budget:
                continue
            for unit in chosen:
                free.remove(unit)
                orders.append(Order(unit.unique_id, target, Posture.ATTACK))
            budget -= strength
        orders.extend(Order(u.unique_id, None, Posture.HOLD) for u in free)
        return orders

    @staticmethod
    def _garrison(
        model: ConflictModel, faction: Faction, units: list[Unit], orders: list[Order]
    ) -> set[int]:
        """Keep the doctrine's minimum at each key place held; everyone holds where it fights."""
        minimum = faction.spec.doctrine.garrison
        key = model.key_places(faction.id)
        by_place: dict[str, list[Unit]] = {}
        for unit in units:
            if unit.place is not None:
                by_place.setdefault(unit.place, []).append(unit)
        kept: set[int] = set()
        for place, present in by_place.items():
            under_fire = place in model.enemy_positions(faction.id)
            if place not in key and not under_fire:
                continue
            held = 0.0
            for unit in sorted(present, key=lambda u: (u.posture is Posture.ATTACK, u.unique_id)):
                if held >= minimum and not under_fire:
                    break
                kept.add(unit.unique_id)
                orders.append(Order(unit.unique_id, None, Posture.HOLD))
                held += unit.strength
        return kept

    @staticmethod
    def _targets(model: ConflictModel, faction: Faction) -> dict[str, float]:
        """Value of each place worth attacking, before the cost of getting there."""
        doctrine = faction.spec.doctrine
        friendly = model.friendly_ground(faction.id)
        enemies_at = model.enemy_positions(faction.id)
        home_range = model.home_range(faction.id)
        values: dict[str, float] = {}
        for place_id in model.controller:
            if place_id in friendly and place_id not in enemies_at:
                continue
            if home_range is not None and place_id not in home_range:
                continue
            value = doctrine.revenue * model.revenue_worth(place_id)
            value += doctrine.strategic * model.strategic_worth(place_id)
            if place_id in model.start_holdings(faction.id):
                value += doctrine.recapture
            values[place_id] = value
        best = sorted(values.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATE_TARGETS]
        field_strength = max(model.field_strength(faction.id), 1.0)
        return {
            place_id: value - doctrine.risk * model.defence(faction.id, place_id) / field_strength
            for place_id, value in best
        }

    @staticmethod
    def _strike_force(
        model: ConflictModel, doctrine, target: str, value: float, free: list[Unit], need: float
    ) -> list[Unit]:
        """The nearest free units worth sending, until their strength meets the need."""
        days = {u: model.routes.travel_days(u.place, target) for u in free}
        worth_it = [u for u in free if value - doctrine.distance * days[u] > 0]
        chosen, strength = [], 0.0
        for unit in sorted(worth_it, key=lambda u: (days[u], u.unique_id)):
            chosen.append(unit)
            strength += unit.strength
            if strength >= need:
                return chosen
        return []
