"""Phase 6, control: a place changes hands after a faction's sole armed presence.

A place is contested while units of hostile factions share it. A faction
takes it after `capture_days` consecutive days as the only armed presence
there (allies of the faction may stand with it), when it is hostile to the
current controller or the place has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame import civilians
from wargame.events import EventKind

if TYPE_CHECKING:
    from wargame.model import ConflictModel


def armed_presence(model: ConflictModel) -> dict[str, dict[str, int]]:
    """Soldiers per faction at each place that has any (units on roads are nowhere)."""
    presence: dict[str, dict[str, int]] = {}
    for unit in model.units:
        if unit.place is not None and unit.strength > 0:
            here = presence.setdefault(unit.place, {})
            here[unit.faction] = here.get(unit.faction, 0) + unit.strength
    return presence


def is_contested(model: ConflictModel, factions: dict[str, int]) -> bool:
    names = list(factions)
    return any(model.hostile(a, b) for i, a in enumerate(names) for b in names[i + 1 :])


def update(model: ConflictModel) -> None:
    presence = model.strength_at()
    contested_now = set()
    for place_id in model.controller:
        factions = presence.get(place_id, {})
        if factions and is_contested(model, factions):
            contested_now.add(place_id)
            model.capture_progress.pop(place_id, None)
            if place_id not in model.contested:
                model.log(
                    EventKind.CONTESTED,
                    tuple(sorted(factions)),
                    place_id,
                    f"fighting for {model.place_name(place_id)} between "
                    f"{model.list_factions(sorted(factions))}",
                )
            continue
        claimant = _claimant(model, place_id, factions)
        if claimant is None:
            model.capture_progress.pop(place_id, None)
            continue
        previous, days = model.capture_progress.get(place_id, (claimant, 0))
        days = days + 1 if previous == claimant else 1
        if days >= model.parameters.capture_days:
            _change_hands(model, place_id, claimant)
            model.capture_progress.pop(place_id, None)
        else:
            model.capture_progress[place_id] = (claimant, days)
    model.contested = contested_now


def _claimant(model: ConflictModel, place_id: str, factions: dict[str, int]) -> str | None:
    """The strongest faction present that may take the place from its controller."""
    controller = model.controller[place_id]
    candidates = [f for f in factions if controller is None or model.hostile(f, controller)]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (factions[f], f))


def _change_hands(model: ConflictModel, place_id: str, faction: str) -> None:
    loser = model.controller[place_id]
    model.controller[place_id] = faction
    model.called_home.discard(place_id)
    taken_from = f" from the {model.factions[loser].short_name}" if loser else ""
    model.log(
        EventKind.CAPTURE,
        (faction, loser) if loser else (faction,),
        place_id,
        f"{model.factions[faction].short_name} captured {model.place_name(place_id)}{taken_from}",
    )
    civilians.call_home(model, faction, place_id)
