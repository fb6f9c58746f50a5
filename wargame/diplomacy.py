"""Phase 1, diplomacy: alliances strain, militias collapse, China brokers truces and shuts gates.

- A militia allied to a patron (the NDA-K to the Tatmadaw) loses faith each
  day its places are attacked while no patron unit is there, and each time
  the patron loses a place in the militia's region. Below
  `alliance_threshold` it stops fighting for the patron (no more revenue
  share, no shared defence). When its strength falls below
  `collapse_strength_share` of what it started with, its units surrender or
  disband (their soldiers counted) and its places fall to whoever holds them.
- When fighting near the border has gone on for `ceasefire_trigger_days`,
  China brokers a ceasefire between the two factions fighting most there,
  with a daily chance of `china_pressure` x `ceasefire_rate_per_day`, unless a
  party's commander refuses the offer (a human team may). While it
  holds they do not attack each other; each day each may break it, with its
  doctrine's `ceasefire_violation_per_day` (the military's higher, as in the
  seed story).
- During heavy fighting next to a crossing China may close it (daily chance
  `china_pressure` x `closure_rate_per_day`), stopping its trade; it reopens
  after `reopen_quiet_days` without fighting there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.command import decides
from wargame.events import EventKind
from wargame.morale import COUNTRY_NAMES

if TYPE_CHECKING:
    from wargame.model import ConflictModel


def update(model: ConflictModel) -> None:
    _strain_alliances(model)
    _collapse(model)
    _ceasefires(model)
    _border_gates(model)


def set_relation(model: ConflictModel, a: str, b: str, value: float) -> None:
    """Both sides' view of each other, kept in [-1, 1]; cached hostility is redrawn."""
    value = min(max(value, -1.0), 1.0)
    model.factions[a].relations[b] = value
    model.factions[b].relations[a] = value
    model.relations_changed()


def _strain_alliances(model: ConflictModel) -> None:
    params = model.parameters
    for faction_id, faction in model.factions.items():
        patron = faction.spec.economy.patron
        if patron not in model.factions or faction_id in model.broken_alliances:
            continue
        strain = 0.0
        for place, holder in model.controller.items():
            if holder == faction_id and place in model.contested:
                present = model.strength_at().get(place, {})
                if patron not in present:
                    strain += params.alliance_strain_unhelped_per_day
        region = model.home_range(faction_id) or model.start_holdings(faction_id)
        for event in model.events.since(model.day - 1):
            if (
                event.kind is EventKind.CAPTURE
                and len(event.factions) == 2
                and event.factions[1] == patron
                and event.place in region
            ):
                strain += params.alliance_strain_per_loss
        if strain:
            relation = min(
                faction.relations.get(patron, 0.0),
                model.factions[patron].relations.get(faction_id, 0.0),
            )
            set_relation(model, faction_id, patron, relation - strain)
        relation = faction.relations.get(patron, 0.0)  # none given: neutral
        if relation < params.alliance_threshold:
            model.broken_alliances.add(faction_id)
            set_relation(model, faction_id, patron, min(relation, 0.0))
            model.log(
                EventKind.ALLIANCE,
                (faction_id, patron),
                None,
                f"the {faction.short_name} stopped fighting for the "
                f"{model.factions[patron].short_name}",
            )


def _collapse(model: ConflictModel) -> None:
    threshold = model.parameters.collapse_strength_share
    for faction_id, faction in model.factions.items():
        if faction_id in model.collapsed:
            continue
        units = [u for u in model.units if u.faction == faction_id]
        start = model.starting_strength(faction_id)
        if not start or sum(u.strength for u in units) >= threshold * start:
            continue
        model.collapsed.add(faction_id)
        soldiers = sum(u.strength for u in units)
        faction.surrendered += soldiers
        for unit in units:
            unit.remove()
        presence = model.strength_at()
        for place, holder in model.controller.items():
            if holder == faction_id:
                others = [f for f in presence.get(place, {}) if f != faction_id]
                model.controller[place] = (
                    max(others, key=lambda f: presence[place][f]) if (others) else None
                )
        model.log(
            EventKind.COLLAPSE,
            (faction_id,),
            None,
            f"the {faction.short_name} collapsed: {len(units)} units ({soldiers:,.0f} soldiers) "
            "surrendered or went home",
        )
        model.relations_changed()


def _border_battles(model: ConflictModel) -> dict[tuple[str, str], int]:
    """Hostile pairs fighting today within `border_zone_days` of a crossing, by battles."""
    zone = model.border_zone()
    pairs: dict[tuple[str, str], int] = {}
    for engagement in model.engagements:
        if engagement.place not in zone:
            continue
        factions = sorted({u.faction for u in engagement.losses})
        for i, a in enumerate(factions):
            for b in factions[i + 1 :]:
                if model.hostile(a, b):
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
    return pairs


def _ceasefires(model: ConflictModel) -> None:
    params = model.parameters
    for pair in sorted(model.ceasefire_pairs):
        for faction_id in pair:
            rate = model.factions[faction_id].spec.doctrine.ceasefire_violation_per_day
            if model.rng.random() < rate:
                model.ceasefire_pairs.discard(pair)
                model.relations_changed()
                other = pair[1] if faction_id == pair[0] else pair[0]
                model.log(
                    EventKind.CEASEFIRE_BROKEN,
                    (faction_id, other),
                    None,
                    f"the {model.factions[faction_id].short_name} broke the ceasefire with the "
                    f"{model.factions[other].short_name}",
                )
                model.ceasefires_broken += 1
                break
    battles = _border_battles(model)
    model.border_fighting_days = model.border_fighting_days + 1 if battles else 0
    if model.border_fighting_days < params.ceasefire_trigger_days or not battles:
        return
    if model.rng.random() >= params.china_pressure * params.ceasefire_rate_per_day:
        return
    a, b = max(battles, key=lambda pair: (battles[pair], pair))
    refusing = [f for f in (a, b) if not decides(model.factions[f], "accepts_ceasefire", True)]
    if refusing:
        model.log(
            EventKind.CEASEFIRE,
            (a, b),
            None,
            f"China offered a ceasefire between the {model.factions[a].short_name} and the "
            f"{model.factions[b].short_name}; the {model.factions[refusing[0]].short_name} refused",
        )
        return
    model.ceasefire_pairs.add((a, b))
    model.ceasefires += 1
    model.border_fighting_days = 0
    model.relations_changed()
    model.log(
        EventKind.CEASEFIRE,
        (a, b),
        None,
        f"China brokered a ceasefire between the {model.factions[a].short_name} and the "
        f"{model.factions[b].short_name}",
    )


def _border_gates(model: ConflictModel) -> None:
    params = model.parameters
    fighting = {e.place for e in model.engagements}
    for crossing in sorted(model.crossings):
        near = {crossing, *(n for n, _ in model.routes.roads_from[crossing])}
        country = model.theatre.map.places[model.crossings[crossing][0]].country
        neighbour = COUNTRY_NAMES.get(country, country)
        if near & fighting:
            model.gate_quiet[crossing] = 0
            if crossing not in model.closed_crossings and model.rng.random() < (
                params.china_pressure * params.closure_rate_per_day
            ):
                model.closed_crossings.add(crossing)
                model.log(
                    EventKind.BORDER,
                    (),
                    crossing,
                    f"{neighbour} closed the crossing at {model.place_name(crossing)}",
                )
        elif crossing in model.closed_crossings:
            model.gate_quiet[crossing] = model.gate_quiet.get(crossing, 0) + 1
            if model.gate_quiet[crossing] >= params.reopen_quiet_days:
                model.closed_crossings.discard(crossing)
                model.log(
                    EventKind.BORDER,
                    (),
                    crossing,
                    f"{neighbour} reopened the crossing at {model.place_name(crossing)}",
                )
