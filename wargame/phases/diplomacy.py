"""Phase 1, diplomacy: alliances strain, militias collapse, a neighbour brokers truces, shuts gates.

- A militia allied to a patron (the NDA-K to the Tatmadaw) loses faith each
  day its places are attacked while no patron unit is there, and each time
  the patron loses a place in the militia's region. Below
  `alliance_threshold` it stops fighting for the patron (no more revenue
  share, no shared defence). When its strength falls below
  `collapse_strength_share` of what it started with, its units surrender or
  disband (their soldiers counted) and its places fall to whoever holds them.
- The broker is the theatre's neighbouring power (its `[broker]`; China in
  Kachin). When fighting near its crossings has gone on for
  `ceasefire_trigger_days`, it brokers a ceasefire between the two factions
  fighting most there, with a daily chance of `broker_pressure` x
  `ceasefire_rate_per_day`, unless a party's commander refuses the offer (a
  human team may). While it holds they do not attack each other; each day
  each may break it, with its doctrine's `ceasefire_violation_per_day` (the
  military's higher, as in the seed story).
- During heavy fighting next to one of its crossings the broker may close it
  (daily chance `broker_pressure` x `closure_rate_per_day`), stopping its
  trade; it reopens after `reopen_quiet_days` without fighting there.
- A theatre without a broker has neither: no truce is brokered, no crossing
  closes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wargame.engine.events import EventKind
from wargame.engine.world import World

VIOLATION = "diplomacy.violation"
"""The stream of truce violations: one draw per truce, party and day."""
OFFER = "diplomacy.offer"
"""The stream of the broker's offers of a truce: one draw a day."""
CLOSURE = "diplomacy.closure"
"""The stream of gate closures: one draw per crossing and day."""


@dataclass
class State:
    """What diplomacy remembers from day to day."""

    border_fighting_days: int = 0
    """Consecutive days of fighting near a crossing: a truce is offered after enough."""
    gate_quiet: dict[str, int] = field(default_factory=dict)
    """Days without fighting near each closed crossing, counted towards its reopening."""
    broken_alliances: set[str] = field(default_factory=set)
    """Militias that stopped fighting for their patron."""
    collapsed: set[str] = field(default_factory=set)


def start(world: World) -> State:
    return State()


def run(world: World, state: State) -> None:
    _strain_alliances(world, state)
    _collapse(world, state)
    _ceasefires(world, state)
    _border_gates(world, state)


def _strain_alliances(model: World, state: State) -> None:
    params = model.parameters
    for faction_id, faction in model.factions.items():
        patron = faction.spec.economy.patron
        if patron not in model.factions or faction_id in state.broken_alliances:
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
            model.set_relation(faction_id, patron, relation - strain)
        relation = faction.relations.get(patron, 0.0)  # none given: neutral
        if relation < params.alliance_threshold:
            state.broken_alliances.add(faction_id)
            model.set_relation(faction_id, patron, min(relation, 0.0))
            model.log(
                EventKind.ALLIANCE,
                (faction_id, patron),
                None,
                f"the {faction.short_name} stopped fighting for the "
                f"{model.factions[patron].short_name}",
            )


def _collapse(model: World, state: State) -> None:
    threshold = model.parameters.collapse_strength_share
    for faction_id, faction in model.factions.items():
        if faction_id in state.collapsed:
            continue
        units = [u for u in model.units if u.faction == faction_id]
        start = model.starting_strength(faction_id)
        if not start or sum(u.strength for u in units) >= threshold * start:
            continue
        state.collapsed.add(faction_id)
        soldiers = sum(u.strength for u in units)
        faction.surrendered += soldiers
        for unit in units:
            unit.remove()
        presence = model.strength_at()
        for place, holder in model.controller.items():
            if holder == faction_id:
                others = [f for f in presence.get(place, {}) if f != faction_id]
                model.set_holder(
                    place, max(others, key=lambda f: presence[place][f]) if others else None
                )
        model.log(
            EventKind.COLLAPSE,
            (faction_id,),
            None,
            f"the {faction.short_name} collapsed: {len(units)} units ({soldiers:,.0f} soldiers) "
            "surrendered or went home",
        )


def _border_battles(model: World) -> dict[tuple[str, str], int]:
    """Hostile pairs fighting today within `border_zone_days` of a crossing of the broker's,
    by battles (none without a broker: its border zone is empty)."""
    zone = model.border_zone()
    pairs: dict[tuple[str, str], int] = {}
    for engagement in model.battles:
        if engagement.place not in zone:
            continue
        factions = sorted({u.faction for u in engagement.losses})
        for i, a in enumerate(factions):
            for b in factions[i + 1 :]:
                if model.hostile(a, b):
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
    return pairs


def _ceasefires(model: World, state: State) -> None:
    params = model.parameters
    for pair in sorted(model.truces):
        for faction_id in pair:
            rate = model.factions[faction_id].spec.doctrine.ceasefire_violation_per_day
            if model.streams.uniform(VIOLATION, model.day, *pair, faction_id) < rate:
                model.break_truce(*pair)
                other = pair[1] if faction_id == pair[0] else pair[0]
                model.log(
                    EventKind.CEASEFIRE_BROKEN,
                    (faction_id, other),
                    None,
                    f"the {model.factions[faction_id].short_name} broke the ceasefire with the "
                    f"{model.factions[other].short_name}",
                )
                break
    battles = _border_battles(model)
    state.border_fighting_days = state.border_fighting_days + 1 if battles else 0
    if state.border_fighting_days < params.ceasefire_trigger_days or not battles:
        return
    offer = model.streams.uniform(OFFER, model.day)
    if offer >= params.broker_pressure * params.ceasefire_rate_per_day:
        return
    a, b = max(battles, key=lambda pair: (battles[pair], pair))
    parties = f"the {model.factions[a].short_name} and the {model.factions[b].short_name}"
    refusing = [f for f in (a, b) if not model.factions[f].decides("accepts_ceasefire", True)]
    if refusing:
        model.log(
            EventKind.CEASEFIRE,
            (a, b),
            None,
            f"{model.broker_name} offered a ceasefire between {parties}; "
            f"the {model.factions[refusing[0]].short_name} refused",
        )
        return
    model.make_truce(a, b)
    state.border_fighting_days = 0
    model.log(
        EventKind.CEASEFIRE,
        (a, b),
        None,
        f"{model.broker_name} brokered a ceasefire between {parties}",
    )


def _border_gates(model: World, state: State) -> None:
    params = model.parameters
    fighting = {e.place for e in model.battles}
    for crossing in sorted(model.broker_crossings):
        near = {crossing, *(n for n, _ in model.routes.roads_from[crossing])}
        neighbour = model.broker_name
        if near & fighting:
            state.gate_quiet[crossing] = 0
            if crossing not in model.closed_crossings and model.streams.uniform(
                CLOSURE, model.day, crossing
            ) < (params.broker_pressure * params.closure_rate_per_day):
                model.close_crossing(crossing)
                model.log(
                    EventKind.BORDER,
                    (),
                    crossing,
                    f"{neighbour} closed the crossing at {model.place_name(crossing)}",
                )
        elif crossing in model.closed_crossings:
            state.gate_quiet[crossing] = state.gate_quiet.get(crossing, 0) + 1
            if state.gate_quiet[crossing] >= params.reopen_quiet_days:
                model.open_crossing(crossing)
                model.log(
                    EventKind.BORDER,
                    (),
                    crossing,
                    f"{neighbour} reopened the crossing at {model.place_name(crossing)}",
                )
