"""A human team's orders for one turn, checked on the server, and the commander that gives them.

A turn's orders name, for some of the team's units, an objective and a
posture; units without an order hold where they are. The team also decides
whether to spend on recruits (what it does not spend on them buys arms),
whether to accept the broker's ceasefire offers and whether to call the
displaced home after a capture, for the whole turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from wargame.engine.orders import Order
from wargame.engine.posture import Posture

if TYPE_CHECKING:
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
