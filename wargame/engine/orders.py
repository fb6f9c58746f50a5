"""Orders and the commanders who give them: what the command phase and human teams share.

A commander is any object with `orders(world, faction) -> list[Order]`; the
doctrine AI (the command phase's) is the default, and a human team's orders
can stand in for it. A commander may also answer policy questions that other
phases ask (`decides`).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from wargame.engine.posture import Posture


class Order(NamedTuple):
    """Go to `objective` (None: stay where you are) with the given posture.

    A named tuple, not a frozen dataclass: commanders give one per unit per
    day, and a tuple is several times quicker to make.
    """

    unit_id: int
    objective: str | None
    posture: Posture = Posture.HOLD


class Commander(Protocol):
    """Gives orders; may also answer the policy questions of `decides` (else doctrine does)."""

    def orders(self, world: Any, faction: Any) -> list[Order]: ...


POLICY_QUESTIONS = ("recruits", "accepts_ceasefire", "calls_home")
"""Questions other phases ask a faction's commander (see `Faction.decides`): spend on
recruits today, take a broker's offer of a truce, call the displaced home after a capture."""


class StandingOrders:
    """A commander who gives no new orders: every unit carries on with its last one."""

    def orders(self, world: Any, faction: Any) -> list[Order]:
        return []
