"""Phase 5, morale and retreat: losses, odds and isolation wear units down; broken ones fall back.

A unit whose morale falls below its faction's break point withdraws to the
nearest friendly place by a path that avoids the enemy. A broken unit with no
such path but a border crossing within reach crosses into the neighbouring
country and is interned: it leaves play and its soldiers are counted.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from wargame.engine.agents import Unit
from wargame.engine.events import EventKind
from wargame.engine.posture import Posture
from wargame.engine.world import Engagement, World

MAX_ODDS_PENALISED = 5.0


def start(world: World) -> None:
    """Morale keeps nothing of its own: it lives on the units."""


def run(model: World, state: None) -> None:
    engaged = {unit: e for e in model.battles for unit in e.losses if unit.strength > 0}
    friendly = {f: model.friendly_ground(f) for f in model.factions}
    for unit in model.units:
        if unit.place is None:
            continue
        engagement = engaged.get(unit)
        if engagement is None and unit.place in friendly[unit.faction]:
            # most units on most days: at rest at home (the last branch of _wear_and_rest)
            spec = model.factions[unit.faction].spec.morale
            rested = min(spec.initial, unit.morale + spec.recovery_per_day)
            unit.morale = min(max(rested, 0.0), 1.0)
        else:
            _wear_and_rest(model, unit, engagement)
    crossed: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for unit in model.units:
        if unit.place is None:
            continue
        spec = model.factions[unit.faction].spec.morale
        if unit.morale < spec.break_point:
            if unit.posture is not Posture.WITHDRAW or not unit.route:
                crossing = _fall_back(model, unit)
                if crossing is not None:
                    crossed[(unit.faction, crossing)].append(unit)
        elif (
            unit.posture is Posture.WITHDRAW
            and not unit.route
            and unit.morale >= spec.break_point + model.parameters.rally_margin
        ):
            unit.posture = Posture.HOLD
    for (faction, crossing), units in crossed.items():
        _intern(model, faction, crossing, units)


def _wear_and_rest(model: World, unit: Unit, engagement: Engagement | None) -> None:
    params = model.parameters
    spec = model.factions[unit.faction].spec.morale
    if engagement is not None:
        before = engagement.strength_before[unit]
        wear = params.morale_loss_per_casualty * engagement.losses[unit] / before
        odds = engagement.odds[unit]
        if odds > 1:
            wear += params.morale_outnumbered_per_day * (min(odds, MAX_ODDS_PENALISED) - 1)
        unit.morale -= wear * _shelter(model, unit)
    if unit.place not in model.friendly_ground(unit.faction):
        if model.is_cut_off(unit.faction, unit.place):
            unit.morale -= params.morale_cut_off_per_day
    elif engagement is None:
        unit.morale = min(spec.initial, unit.morale + spec.recovery_per_day)
    unit.morale = min(max(unit.morale, 0.0), 1.0)


def _shelter(model: World, unit: Unit) -> float:
    """Share of the battle's wear a unit feels: defenders behind fortifications feel less.

    Sieges of fortified towns lasted months (Bhamo from 4 Dec 2024 [20]) while
    outposts fell in days (~50 in 16 days [56]): fortification steadies nerves.
    """
    holder = model.controller.get(unit.place)
    if holder is None or not model.allied(unit.faction, holder):
        return 1.0
    return 1.0 - model.theatre.map.places[unit.place].fortification


def _fall_back(model: World, unit: Unit) -> str | None:
    """Send a broken unit to safety; return the crossing it takes when there is none.

    Safety is the nearest friendly place with no enemy on it or one road away,
    reached without passing the enemy. Failing that, a crossing within reach;
    failing that, friendly ground the enemy is closing on; failing all, the
    unit stands and fights where it is.
    """
    origin = unit.place
    unit.posture = Posture.WITHDRAW
    safe = model.safe_ground(unit.faction)
    threatened = model.threatened_ground(unit.faction)
    if origin in safe and origin not in threatened:
        unit.route = []
        return None
    avoid = model.enemy_ground(unit.faction)
    routes = model.routes
    days = routes.days_from(origin, avoid)
    refuges = model.ground_mask("safe_ground", unit.faction).copy()
    refuges[routes.index[origin]] = False
    quiet = refuges & ~model.ground_mask("threatened_ground", unit.faction)
    reach = model.parameters.internment_reach_days
    exits = [
        c
        for c in model.crossings
        if np.isfinite(days[routes.index[c]])
        and days[routes.index[c]] <= reach
        and (c == origin or c not in avoid)
    ]
    refuge = routes.nearest(days, quiet)
    if refuge is None and exits:
        return min(exits, key=lambda c: (days[routes.index[c]], c))
    refuge = refuge or routes.nearest(days, refuges)
    if refuge is not None:
        unit.objective = refuge
        unit.route = model.routes.path(origin, refuge, avoid)[1:]
        model.log(
            EventKind.RETREAT,
            (unit.faction,),
            origin,
            f"{unit.name} broke and fell back from {model.place_name(origin)} "
            f"towards {model.place_name(refuge)}",
        )
    return None


def _intern(model: World, faction_id: str, crossing: str, units: list[Unit]) -> None:
    faction = model.factions[faction_id]
    soldiers = sum(u.strength for u in units)
    faction.interned += soldiers
    sanctuary = model.crossings[crossing][0]
    key = (sanctuary, faction_id)
    model.interned_at[key] = model.interned_at.get(key, 0) + soldiers
    for unit in units:
        unit.remove()
    count = f"{len(units)} {faction.short_name} unit{'s' if len(units) > 1 else ''}"
    model.log(
        EventKind.INTERNMENT,
        (faction_id,),
        crossing,
        f"{count} ({soldiers:,.0f} soldiers) crossed into "
        f"{model.country_name(sanctuary)} at {model.place_name(crossing)}",
    )
