"""Phase 6, morale and retreat: losses, odds and isolation wear units down; broken ones fall back.

A unit whose morale falls below its faction's break point falls back to
friendly ground - a place its side or an ally holds with no enemy on it - by a
route the enemy does not bar (`retreat_barrier`). Only a broken unit cut off
from all friendly ground crosses the border, if a crossing is within reach and
the country beyond takes it in; the country then interns its soldiers for good
or hands them back to their side after some days (its `[neighbours]` policy).
A garrison broken under attack at its own crossing falls back but leaves
`scatter_share` of its soldiers to flee across there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from wargame.engine.agents import Unit
from wargame.engine.events import EventKind
from wargame.engine.posture import Posture
from wargame.engine.world import Engagement, World
from wargame.scenario.schema import Neighbour, SoldiersAcross

MAX_ODDS_PENALISED = 5.0


@dataclass
class Custody:
    """Soldiers of one faction a neighbouring country holds until it hands them back."""

    faction: str
    soldiers: float
    sanctuary: str
    crossed_at: str
    due_day: int
    """The first day the country hands them back (it waits while its crossing is not theirs)."""


@dataclass
class State:
    held: list[Custody] = field(default_factory=list)
    """Soldiers held abroad who are to be handed back, oldest first."""


def start(world: World) -> State:
    return State()


def run(model: World, state: State) -> None:
    _hand_back(model, state)
    engaged = {unit: e for e in model.battles for unit in e.losses if unit.strength > 0}
    friendly = {f: model.friendly_ground(f) for f in model.factions}
    hungry = model.out_of_stocks
    for unit in model.units:
        if unit.place is None:
            if unit in engaged:
                _wear_on_road(model, unit, engaged[unit])
            continue
        engagement = engaged.get(unit)
        if (
            engagement is None
            and unit.place in friendly[unit.faction]
            and unit.unique_id not in hungry
        ):
            # most units on most days: at rest at home (the last branch of _wear_and_rest)
            spec = model.factions[unit.faction].spec.morale
            rested = min(spec.initial, unit.morale + spec.recovery_per_day)
            unit.morale = min(max(rested, 0.0), 1.0)
        else:
            _wear_and_rest(model, unit, engagement)
    crossed: dict[tuple[str, str, str], list[Unit]] = defaultdict(list)
    for unit in model.units:
        if unit.place is None:
            if unit in engaged:
                _turn_back(model, unit)
            continue
        spec = model.factions[unit.faction].spec.morale
        if unit.morale < spec.break_point:
            if unit.posture is not Posture.WITHDRAW or not unit.route:
                exit_ = _fall_back(model, unit)
                if exit_ is not None:
                    crossed[(unit.faction, *exit_)].append(unit)
                elif unit.route:
                    _scatter(model, state, unit)
        elif (
            unit.posture is Posture.WITHDRAW
            and not unit.route
            and unit.morale >= spec.break_point + model.parameters.rally_margin
        ):
            unit.posture = Posture.HOLD
    for (faction, crossing, sanctuary), units in crossed.items():
        _cross(model, state, faction, crossing, sanctuary, units)


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
    elif engagement is None and unit.unique_id not in model.out_of_stocks:
        # a unit past its stocks without supply does not rest (the supply phase)
        unit.morale = min(spec.initial, unit.morale + spec.recovery_per_day)
    unit.morale = min(max(unit.morale, 0.0), 1.0)


def _wear_on_road(model: World, unit: Unit, engagement: Engagement) -> None:
    """A column that fought on a road wears as in the open; it neither rests nor is cut off."""
    params = model.parameters
    wear = (
        params.morale_loss_per_casualty * engagement.losses[unit] / engagement.strength_before[unit]
    )
    odds = engagement.odds[unit]
    if odds > 1:
        wear += params.morale_outnumbered_per_day * (min(odds, MAX_ODDS_PENALISED) - 1)
    unit.morale = min(max(unit.morale - wear, 0.0), 1.0)


def _turn_back(model: World, unit: Unit) -> None:
    """A column broken in a fight on a road falls back the way it came, to the road's start;
    there it rallies or falls back further like any broken unit. The winner goes on."""
    transit = unit.transit
    if unit.morale >= model.factions[unit.faction].spec.morale.break_point or (
        unit.posture is Posture.WITHDRAW and unit.route == [transit.destination]
    ):
        return  # holding on, or already falling back along this road
    came_from = transit.origin
    unit.posture = Posture.WITHDRAW
    transit.origin, transit.destination = transit.destination, transit.origin
    transit.km_left = transit.km_total - transit.km_left
    unit.route, unit.objective = [came_from], came_from
    model.log(
        EventKind.RETREAT,
        (unit.faction,),
        came_from,
        f"{unit.name} broke on the road and fell back towards {model.place_name(came_from)}",
    )


def _shelter(model: World, unit: Unit) -> float:
    """Share of the battle's wear a unit feels: defenders behind fortifications feel less.

    Sieges of fortified towns lasted months (Bhamo from 4 Dec 2024 [20]) while
    outposts fell in days (~50 in 16 days [56]): fortification steadies nerves.
    """
    holder = model.controller.get(unit.place)
    if holder is None or not model.allied(unit.faction, holder):
        return 1.0
    return 1.0 - model.fortification(unit.place)


def retreat_barrier(model: World, faction: str) -> frozenset[str]:
    """Places a broken unit's retreat may not pass through: a supplied route is one over ground
    no enemy holds (friendly or neutral). A supply mechanism may replace this rule."""
    return model.hostile_ground(faction)


def _fall_back(model: World, unit: Unit) -> tuple[str, str] | None:
    """Send a broken unit to friendly ground; return (crossing, sanctuary) when it flees abroad.

    A unit on friendly ground with no enemy on it stays there if it is quiet
    (no enemy on it or one road away) or a stronghold (`_strongholds`), and
    otherwise unless a quiet place or a stronghold is in reach. Otherwise it
    makes for the nearest friendly place by a supplied route
    (`retreat_barrier`), by a road clear of enemy units where there is one:
    quiet (or a stronghold), then safe (no enemy on it);
    a unit off friendly ground also for one being fought over. Only a unit cut
    off from all of these makes for the border, at a crossing within
    `internment_reach_days` by a clear road whose country takes soldiers in,
    and crosses on arriving there; failing that, it stands and fights where it is.
    """
    origin, faction = unit.place, unit.faction
    unit.posture = Posture.WITHDRAW
    unit.route = []
    safe = model.safe_ground(faction)
    if origin in safe and (
        origin not in model.threatened_ground(faction) or origin in _strongholds(model, faction)
    ):
        return None  # it rallies where it stands
    routes = model.routes
    barrier = retreat_barrier(model, faction)
    clear = model.enemy_ground(faction)  # and no enemy unit on the way
    if not barrier <= clear:  # (the same object while nothing moves: searches share it)
        clear = barrier | clear
    refuge = _refuge(model, faction, origin, routes.days_from(origin, barrier))
    if refuge is None:
        if origin in safe:
            return None
        exit_ = _border_exit(model, faction, origin, routes.days_from(origin, clear), clear)
        if exit_ is None or exit_[0] == origin:
            return exit_
        return _make_for_the_border(model, unit, exit_[0], clear)
    unit.objective = refuge
    path = routes.path(origin, refuge, clear) or routes.path(origin, refuge, barrier)
    unit.route = path[1:]
    model.log(
        EventKind.RETREAT,
        (faction,),
        origin,
        f"{unit.name} broke and fell back from {model.place_name(origin)} "
        f"towards {model.place_name(refuge)}",
    )
    return None


def _make_for_the_border(model: World, unit: Unit, crossing: str, clear: frozenset[str]) -> None:
    """A unit fleeing abroad travels to its crossing along the road at its speed (the enemy may
    catch it on the way) and crosses when it gets there still cut off (`_fall_back` again)."""
    origin = unit.place
    unit.objective = crossing
    unit.route = model.routes.path(origin, crossing, clear)[1:]
    model.log(
        EventKind.RETREAT,
        (unit.faction,),
        origin,
        f"{unit.name} broke and made for the border at {model.place_name(crossing)}",
    )


def _refuge(model: World, faction: str, origin: str, days: np.ndarray) -> str | None:
    """The nearest friendly place other than `origin` a broken unit there makes for, by
    `days` of supplied route, in the order of `_fall_back`; None when none is in reach."""
    routes = model.routes
    safe = model.ground_mask("safe_ground", faction).copy()
    safe[routes.index[origin]] = False
    quiet = safe & ~model.ground_mask("threatened_ground", faction)
    quiet |= safe & routes.mask(_strongholds(model, faction))
    tiers = [quiet] if origin in model.safe_ground(faction) else [quiet, safe]
    if origin not in model.friendly_ground(faction):
        tiers.append(model.ground_mask("friendly_ground", faction))
    for tier in tiers:
        refuge = routes.nearest(days, tier)
        if refuge is not None:
            return refuge
    return None


def _strongholds(model: World, faction: str) -> frozenset[str]:
    """Threatened friendly places with no enemy on them where the faction's own soldiers (not
    its allies') already match the threat (`World.threat`): a broken unit rallies there as
    readily as at a quiet place, as a town's broken battalions fall back on the garrison of
    the city next to it, and stays."""
    presence = model.strength_at()
    return frozenset(
        p
        for p in model.safe_ground(faction) & model.threatened_ground(faction)
        if presence.get(p, {}).get(faction, 0) >= model.threat(faction, p)
    )


def _border_exit(
    model: World, faction: str, origin: str, days: np.ndarray, avoid: frozenset[str]
) -> tuple[str, str] | None:
    """The nearest crossing within reach whose country takes soldiers in, and the sanctuary
    beyond it; None when internment is off (`internment_reach_days = 0`) or none is."""
    reach = model.parameters.internment_reach_days
    if reach <= 0:
        return None
    away_all = days[model.crossing_rows]
    names = list(model.crossings)
    exits = []
    for row in np.flatnonzero(np.isfinite(away_all) & (away_all <= reach)):
        crossing, away = names[row], away_all[row]
        if crossing != origin and crossing in avoid:
            continue
        taking = _taking(model, crossing)
        if taking:
            exits.append((away, crossing, taking[0]))
    if not exits:
        return None
    _, crossing, sanctuary = min(exits)
    return crossing, sanctuary


def _taking(model: World, crossing: str) -> list[str]:
    """The sanctuaries beyond a crossing whose country takes soldiers in."""
    across = model.crossings[crossing]
    return [s for s in across if _policy(model, s).soldiers is not SoldiersAcross.REFUSE]


def _policy(model: World, sanctuary: str) -> Neighbour:
    """What the country a sanctuary lies in does with soldiers who flee into it."""
    return model.theatre.neighbour(model.theatre.map.places[sanctuary].country)


def _cross(
    model: World,
    state: State,
    faction_id: str,
    crossing: str,
    sanctuary: str,
    units: list[Unit],
) -> None:
    """The units leave play across the border; their soldiers are interned, and held for
    handing back when the country beyond does that."""
    faction = model.factions[faction_id]
    soldiers = sum(u.strength for u in units)
    for unit in units:
        unit.remove()
    count = f"{len(units)} {faction.short_name} unit{'s' if len(units) > 1 else ''}"
    _intern(model, state, faction_id, crossing, sanctuary, soldiers)
    model.log(
        EventKind.INTERNMENT,
        (faction_id,),
        crossing,
        f"{count} ({soldiers:,.0f} soldiers) crossed into "
        f"{model.country_name(sanctuary)} at {model.place_name(crossing)}",
    )


def _scatter(model: World, state: State, unit: Unit) -> None:
    """A garrison broken under attack at a crossing its side holds falls back, but
    `scatter_share` of its soldiers take the nearest way out, across the border, when the
    country beyond takes soldiers in (62 of Lweje's garrison fled into China as it fell
    [8]); an attacker broken at the enemy's gate falls back whole."""
    share, place = model.parameters.scatter_share, unit.place
    if share <= 0 or model.parameters.internment_reach_days <= 0 or place not in model.crossings:
        return
    holder = model.controller.get(place)
    if holder is None or not model.allied(unit.faction, holder):
        return
    present = model.strength_at().get(place, {})
    if not any(model.hostile(f, unit.faction) for f in present):
        return
    taking = _taking(model, place)
    if not taking:
        return
    soldiers = int(unit.strength * share)  # whole soldiers, as the fighting leaves
    if soldiers <= 0:
        return
    unit.strength -= soldiers
    _intern(model, state, unit.faction, place, taking[0], soldiers)
    model.log(
        EventKind.INTERNMENT,
        (unit.faction,),
        place,
        f"{soldiers:,.0f} soldiers of {unit.name} scattered across the border into "
        f"{model.country_name(taking[0])} at {model.place_name(place)}",
    )


def _intern(
    model: World, state: State, faction_id: str, crossing: str, sanctuary: str, soldiers: float
) -> None:
    """Soldiers abroad: interned, and held for handing back when the country does that."""
    faction = model.factions[faction_id]
    faction.interned += soldiers
    key = (sanctuary, faction_id)
    model.interned_at[key] = model.interned_at.get(key, 0) + soldiers
    policy = _policy(model, sanctuary)
    if policy.soldiers is SoldiersAcross.HAND_BACK:
        due = model.day + policy.hand_back_after_days
        state.held.append(Custody(faction_id, soldiers, sanctuary, crossing, due))
        faction.awaiting_return += soldiers


def _hand_back(model: World, state: State) -> None:
    """Soldiers whose days abroad are over come home through a crossing that can receive them
    (`_reception`); the country waits `hand_back_wait_days` more for one, then keeps them
    interned for good, as it does at once when their faction has collapsed."""
    waiting = []
    for custody in state.held:
        if model.day < custody.due_day:
            waiting.append(custody)
            continue
        through = None if model.factions[custody.faction].collapsed else _reception(model, custody)
        if through is not None:
            _return(model, custody, through)
        elif model.factions[custody.faction].collapsed or model.day >= custody.due_day + (
            _policy(model, custody.sanctuary).hand_back_wait_days
        ):
            _keep(model, custody)
        else:
            waiting.append(custody)
    state.held = waiting


def _reception(model: World, custody: Custody) -> str | None:
    """The crossing the soldiers are handed back through today: the one the country names (by
    default the one they crossed at) when their faction holds it with no enemy on it; else,
    when the country hands back elsewhere, the nearest crossing into it that their faction, or
    else its allied patron, holds so; None when there is none."""
    policy = _policy(model, custody.sanctuary)
    named = policy.hand_back_through or custody.crossed_at
    if _receives(model, custody.faction, named):
        return named
    if not policy.hand_back_elsewhere:
        return None
    country = model.theatre.map.places[custody.sanctuary].country
    places = model.theatre.map.places
    gates = [
        c
        for c, across in model.crossings.items()
        if any(places[s].country == country for s in across)
    ]
    days, index = model.routes.days_from(named), model.routes.index
    patron = model.factions[custody.faction].spec.economy.patron
    receivers = [custody.faction]
    if patron in model.factions and model.allied(custody.faction, patron):
        receivers.append(patron)
    for receiver in receivers:
        held = [g for g in gates if _receives(model, receiver, g)]
        if held:
            return min(held, key=lambda g: (days[index[g]], g))
    return None


def _receives(model: World, faction: str, crossing: str) -> bool:
    return model.controller[crossing] == faction and crossing in model.safe_ground(faction)


def _keep(model: World, custody: Custody) -> None:
    """The country gives up handing the soldiers back: they stay interned for good."""
    faction = model.factions[custody.faction]
    faction.awaiting_return -= custody.soldiers
    model.log(
        EventKind.INTERNMENT,
        (custody.faction,),
        None,
        f"{model.country_name(custody.sanctuary)} kept {custody.soldiers:,.0f} "
        f"{faction.short_name} soldiers interned: no crossing of their side's to hand them "
        "back through",
    )


def _return(model: World, custody: Custody, through: str) -> None:
    """The handed-back soldiers as one unit at the crossing, shaken: it rests until it rallies."""
    faction = model.factions[custody.faction]
    faction.repatriated += custody.soldiers
    faction.awaiting_return -= custody.soldiers
    key = (custody.sanctuary, custody.faction)
    model.interned_at[key] -= custody.soldiers
    if model.interned_at[key] <= 0:
        del model.interned_at[key]
    place = model.place_name(through)
    unit = Unit(
        model,
        custody.faction,
        custody.soldiers,
        through,
        f"{faction.short_name} soldiers handed back at {place}",
    )
    unit.morale = faction.spec.morale.break_point
    unit.posture = Posture.WITHDRAW
    model.log(
        EventKind.REPATRIATION,
        (custody.faction,),
        through,
        f"{model.country_name(custody.sanctuary)} handed {custody.soldiers:,.0f} "
        f"{faction.short_name} soldiers back at {place}",
    )
