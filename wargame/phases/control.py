"""Phase 7, control: a place changes hands after a faction's sole armed presence.

A place is contested while units of hostile factions share it. A faction
takes it after `capture_days` consecutive days as the only armed presence
there (allies of the faction may stand with it), when it is hostile to the
current controller or the place has none, and has a unit there that is not
falling back broken: a beaten force passing through takes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wargame.engine.events import EventKind
from wargame.engine.posture import Posture
from wargame.engine.world import World


@dataclass
class State:
    capture_progress: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Place -> (the faction taking it, days of sole presence so far)."""


def start(world: World) -> State:
    return State()


def is_contested(world: World, factions: dict[str, int]) -> bool:
    names = list(factions)
    return any(world.hostile(a, b) for i, a in enumerate(names) for b in names[i + 1 :])


def run(world: World, state: State) -> None:
    presence = world.strength_at()
    progress = state.capture_progress
    contested_now = set()
    unbroken = {
        (u.place, u.faction)
        for u in world.units
        if u.place is not None and u.posture is not Posture.WITHDRAW
    }
    for place_id in world.controller:
        factions = presence.get(place_id, {})
        if factions and is_contested(world, factions):
            contested_now.add(place_id)
            progress.pop(place_id, None)
            if place_id not in world.contested:
                world.log(
                    EventKind.CONTESTED,
                    tuple(sorted(factions)),
                    place_id,
                    f"fighting for {world.place_name(place_id)} between "
                    f"{world.list_factions(sorted(factions))}",
                )
            continue
        able = {f: n for f, n in factions.items() if (place_id, f) in unbroken}
        claimant = _claimant(world, place_id, able)
        if claimant is None:
            progress.pop(place_id, None)
            continue
        previous, days = progress.get(place_id, (claimant, 0))
        days = days + 1 if previous == claimant else 1
        if days >= world.parameters.capture_days:
            _change_hands(world, place_id, claimant)
            progress.pop(place_id, None)
        else:
            progress[place_id] = (claimant, days)
    world.set_contested(contested_now)


def _claimant(world: World, place_id: str, factions: dict[str, int]) -> str | None:
    """The strongest faction present that may take the place from its controller."""
    controller = world.controller[place_id]
    candidates = [f for f in factions if controller is None or world.hostile(f, controller)]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (factions[f], f))


def _change_hands(world: World, place_id: str, faction: str) -> None:
    loser = world.controller[place_id]
    world.set_holder(place_id, faction)
    taken_from = f" from the {world.factions[loser].short_name}" if loser else ""
    world.log(
        EventKind.CAPTURE,
        (faction, loser) if loser else (faction,),
        place_id,
        f"{world.factions[faction].short_name} captured {world.place_name(place_id)}{taken_from}",
    )
