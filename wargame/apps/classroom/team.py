"""A human team's orders for one turn, checked on the server, and the commander that gives them.

A turn's orders name, for some of the team's units, an objective and a
posture; units without an order hold where they are. A team gives them by
groups (`OrderDraft`): a place's whole stack, or units it picks, sent to one
destination; the page, and a click on a map, only change the draft, and the
server checks what the draft comes to (`check_orders`). The team also decides
whether to spend on recruits (what it does not spend on them buys arms),
whether to accept the broker's ceasefire offers and whether to call the
displaced home after a capture, for the whole turn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from wargame.engine.orders import Order
from wargame.engine.posture import Posture

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from wargame.apps.classroom.fog import SeenUnit
    from wargame.engine.agents import Faction
    from wargame.engine.model import ConflictModel


class OrderError(ValueError):
    """Orders a team may not give; the message says which and why."""


class UnitOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    objective: str | None = None
    posture: Posture = Posture.HOLD


class TurnOrders(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    units: dict[int, UnitOrder] = {}
    recruits: bool = True
    accepts_ceasefire: bool = True
    calls_home: bool = True


def check_orders(model: ConflictModel, faction_id: str, orders: TurnOrders) -> None:
    """Raise OrderError unless every order is one this faction may give today."""
    for unit_id, order in orders.units.items():
        unit = model.unit(unit_id)
        if unit is None:
            raise OrderError(f"unit {unit_id}: no such unit in play")
        if unit.faction != faction_id:
            raise OrderError(f"unit {unit_id} ({unit.name}) is not a {faction_id} unit")
        if order.objective is None:
            continue
        if order.objective not in model.theatre.map.places:
            raise OrderError(f"unit {unit_id}: no place {order.objective!r}")
        origin = unit.place or unit.transit.destination
        if order.objective not in model.routes.reachable(origin):
            raise OrderError(f"unit {unit_id}: no road leads from {origin} to {order.objective}")


@dataclass(frozen=True)
class Stack:
    """A side's own units standing at one place, or on the road to it (`moving`): the group
    one click on a place picks."""

    place: str
    moving: bool
    units: tuple[int, ...]


def stacks(units: Iterable[SeenUnit], faction: str) -> list[Stack]:
    """`faction`'s units by where they stand (or head, on the road), in the order first met."""
    grouped: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for unit in units:
        if unit.faction != faction:
            continue
        if unit.place is not None:
            grouped[unit.place, False].append(unit.id)
        elif unit.transit is not None:
            grouped[unit.transit.destination, True].append(unit.id)
    return [Stack(place, moving, tuple(ids)) for (place, moving), ids in grouped.items()]


@dataclass(frozen=True)
class GroupOrder:
    """Units sent together: to `objective` (None: they stay) in one posture."""

    units: tuple[int, ...]
    objective: str | None
    posture: Posture


@dataclass(frozen=True)
class OrderDraft:
    """A team's orders as it builds them: the units it has chosen, where to and how, and the
    group orders already added. Every change returns a new draft, so a page (a drop-down or a
    click on the map) keeps it as one value; ids only, as the server checks them."""

    chosen: tuple[int, ...] = ()
    objective: str | None = None
    posture: Posture = Posture.ATTACK
    given: tuple[GroupOrder, ...] = ()

    def choose(self, units: Iterable[int]) -> OrderDraft:
        """Choose these units (a place's stack, or a group picked one by one)."""
        return replace(self, chosen=tuple(dict.fromkeys(units)))

    def toggle(self, unit: int) -> OrderDraft:
        """Add a unit to the chosen group, or take it out: a click on one unit."""
        if unit in self.chosen:
            return self.choose(u for u in self.chosen if u != unit)
        return self.choose((*self.chosen, unit))

    def go_to(self, place: str | None) -> OrderDraft:
        return replace(self, objective=place)

    def hold_as(self, posture: Posture) -> OrderDraft:
        return replace(self, posture=posture)

    def click(self, place: str, groups: Iterable[Stack], reach: Collection[str]) -> OrderDraft:
        """A click on `place` (on a map): the chosen units' destination if they have a road
        there (`reach`), else the stack standing there (`groups`, the side's own) chosen.

        Raises OrderError for a place that is neither: a page may send any id.
        """
        if self.chosen and place in reach:
            return self.go_to(place)
        here = next((g for g in groups if g.place == place and not g.moving), None)
        if here is None:
            raise OrderError(f"no road leads the chosen units to {place!r}, nor are yours there")
        return self.choose(here.units).go_to(None)

    def add(self) -> OrderDraft:
        """The chosen units' order added (replacing any earlier order for them); nothing
        chosen next. Without chosen units the draft stays as it is."""
        if not self.chosen:
            return self
        chosen = set(self.chosen)
        kept = tuple(
            GroupOrder(rest, g.objective, g.posture)
            for g in self.given
            if (rest := tuple(u for u in g.units if u not in chosen))
        )
        order = GroupOrder(self.chosen, self.objective, self.posture)
        return OrderDraft(posture=self.posture, given=(*kept, order))

    def remove(self, index: int) -> OrderDraft:
        return replace(self, given=self.given[:index] + self.given[index + 1 :])

    def ordered(self) -> set[int]:
        return {u for g in self.given for u in g.units}

    def turn_orders(self, **decisions: bool) -> TurnOrders:
        """The turn's orders this draft gives, with the team's decisions for the turn."""
        units = {
            u: UnitOrder(objective=g.objective, posture=g.posture)
            for g in self.given
            for u in g.units
        }
        return TurnOrders(units=units, **decisions)


def common_destinations(model: ConflictModel, origins: Iterable[str]) -> set[str]:
    """The places every one of `origins` has a road to: where a group from them may go."""
    reach: set[str] | None = None
    for origin in set(origins):
        here = set(model.routes.reachable(origin)) - {origin}
        reach = here if reach is None else reach & here
    return reach or set()


NAMED = 3
"""A group of up to this many units is described by its units' names; a larger one by count."""


def described(
    orders: TurnOrders, units: Mapping[int, SeenUnit], places: Mapping[str, str]
) -> list[str]:
    """`orders` in words, one line per group (where its units are, where they go, how):
    "13 units (5,950 soldiers) at Laiza: go to Putao, attack".

    `units` are the side's own as it sees them; `places` names the places.
    """
    groups: dict[tuple[str, str | None, Posture], list[SeenUnit]] = defaultdict(list)
    for unit_id, order in orders.units.items():
        unit = units.get(unit_id)
        if unit is None:  # destroyed, or interned, since the orders were given
            continue
        where = (
            f"at {places[unit.place]}"
            if unit.place is not None
            else f"on the road to {places[unit.transit.destination]}"
        )
        groups[where, order.objective, order.posture].append(unit)
    lines = []
    for (where, objective, posture), group in groups.items():
        if len(group) <= NAMED:
            who = ", ".join(f"{u.name} ({u.strength:,})" for u in group)
        else:
            who = f"{len(group)} units ({sum(u.strength for u in group):,} soldiers)"
        goes = "stay where they are" if objective is None else f"go to {places[objective]}"
        lines.append(f"{who} {where}: {goes}, {posture.value}")
    return lines


class TeamCommander:
    """Gives a team's orders on the first day of a turn; on later days units carry on."""

    def __init__(self) -> None:
        self.pending: TurnOrders | None = None
        self.recruits = True
        self.accepts_ceasefire = True
        self.calls_home = True

    def start_turn(self, orders: TurnOrders) -> None:
        self.pending = orders
        self.recruits = orders.recruits
        self.accepts_ceasefire = orders.accepts_ceasefire
        self.calls_home = orders.calls_home

    def orders(self, model: ConflictModel, faction: Faction) -> list[Order]:
        if self.pending is None:
            return []
        given, self.pending = self.pending.units, None
        return [
            Order(u.unique_id, given[u.unique_id].objective, given[u.unique_id].posture)
            if u.unique_id in given
            else Order(u.unique_id, None, Posture.HOLD)
            for u in model.units
            if u.faction == faction.id
        ]
