"""Phase 5, supply and sieges: the cut-off waste away, sieges wear walls, garrisons give up.

A faction's soldiers are supplied where a route over ground no enemy holds or
stands on (its own, an ally's, a neutral's or nobody's) joins them to a
source: a base its side holds, an open border crossing it holds, or a place
the theatre's `[[depot]]` names for it while it holds it (a faction with no
base on the map at the start, a local militia, draws on the places it held
then). A unit on a road is supplied when either end of its road is. A
theatre's `[[lift]]` (an air or river lift) supplies the faction's soldiers at
named places it holds when no road does, up to the lift's capacity in all.

Soldiers without supply live on their stocks for `supply_stock_days`; after
that an unsupplied unit loses `supply_attrition_per_day` of its strength
(hunger, sickness, desertion: counted with the killed) and
`morale_unsupplied_per_day` of its morale a day, and does not rest; a unit the
lift supplies in part loses the unlifted share of these. A place its holder
cannot supply by road (encircled: a lift does not break the ring) loses
`siege_wear_per_day` of its fortification on each day it is fought over, for
good: walls fall to fire that no road brings the means to mend, while a ring
that only waits leaves them standing. An encircled garrison with hostile units
on it or one road away (invested), left without
supply whose morale has fallen below `surrender_morale` surrenders: its
soldiers are captured (the `captured` tally) and the place passes to the
besieger, or to the neutral faction the theatre's `[[handover]]` names for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from wargame.engine.agents import Unit
from wargame.engine.events import EventKind
from wargame.engine.world import World
from wargame.scenario import PlaceKind

Post = str | tuple[str, str]
"""Where a unit draws supply: a place, or a road by its two ends (origin, destination)."""

ATTRITION = "supply.attrition"
"""The stream of each unit's losses to want of supply in stochastic mode, by id."""


@dataclass
class State:
    days_cut_off: dict[int, int] = field(default_factory=dict)
    """Days in a row each unit (by id) has been short of supply, for those that are."""


def start(world: World) -> State:
    return State()


def run(world: World, state: State) -> None:
    supplied = {f: supplied_ground(world, f) for f in world.factions}
    world.supplied = supplied
    shares = _unsupplied_shares(world, supplied)
    _surrender(world, supplied, shares)
    _waste(world, state, shares)
    _wear_sieges(world, supplied)


def sources(world: World, faction: str) -> frozenset[str]:
    """Where the faction's supply comes from: its side's bases, the open crossings and the
    theatre's depots of the faction it holds; without a base on the map at the start, the
    places it held then and holds still."""
    places = world.theatre.map.places
    own = world.start_holdings(faction)
    if not any(places[p].kind is PlaceKind.BASE for p in own):
        return frozenset(p for p in own if world.controller[p] == faction)
    bases = {p for p in world.friendly_ground(faction) if places[p].kind is PlaceKind.BASE}
    gates = {
        p
        for p in world.crossings
        if world.controller.get(p) == faction and p not in world.closed_crossings
    }
    depots = {
        p
        for depot in world.theatre.depots
        if depot.faction == faction
        for p in depot.places
        if world.controller[p] == faction
    }
    return frozenset(bases | gates | depots)


def supplied_ground(world: World, faction: str) -> frozenset[str]:
    """Places a route over ground no enemy holds or stands on joins to one of the faction's
    sources (a place with an enemy on it counts as the faction's while its side holds it)."""
    barred = world.barred_ground(faction)
    return frozenset(world.routes.reachable_from_any(sources(world, faction), barred))


def _unsupplied_shares(
    world: World, supplied: dict[str, frozenset[str]]
) -> dict[tuple[str, Post], float]:
    """The share of a faction's soldiers at a place left without supply, by (faction, place),
    for every place where it has soldiers: 0 where a road supplies them, 1 where nothing does,
    between where a lift supplies some. A unit on a road is supplied when either end of it
    is (its column is joined to a source along it); one cut off at both ends counts by
    (faction, (origin, destination)), and no lift reaches it."""
    need: dict[tuple[str, Post], float] = defaultdict(float)
    for unit in world.units:
        post = _post(unit)
        if post is None:
            continue
        ends = set(post) if isinstance(post, tuple) else {post}
        if not ends & supplied[unit.faction]:
            need[(unit.faction, post)] += unit.strength
    unmet = dict(need)
    scale = world.parameters.lift_capacity_scale
    for lift in world.theatre.lifts:
        capacity = lift.soldiers * scale
        for place in lift.places:
            key = (lift.faction, place)
            if world.controller.get(place) != lift.faction or unmet.get(key, 0.0) <= 0:
                continue
            lifted = min(unmet[key], capacity)
            unmet[key] -= lifted
            capacity -= lifted
    shares = {key: unmet[key] / soldiers for key, soldiers in need.items()}
    world.unsupplied = {f: 0.0 for f in world.factions}
    for (faction, _), soldiers in unmet.items():
        world.unsupplied[faction] += soldiers
    return shares


def _waste(world: World, state: State, shares: dict[tuple[str, Post], float]) -> None:
    """Units short of supply, at a place or on a road, count the days; past their stocks
    they lose strength and morale."""
    params = world.parameters
    days = state.days_cut_off
    wasting: list[tuple[Unit, float]] = []
    for unit in world.units:
        share = shares.get((unit.faction, _post(unit)), 0.0)
        if share <= 0.0:
            days.pop(unit.unique_id, None)
            continue
        days[unit.unique_id] = days.get(unit.unique_id, 0) + 1
        if days[unit.unique_id] > params.supply_stock_days:
            wasting.append((unit, share))
    world.out_of_stocks = frozenset(unit.unique_id for unit, _ in wasting)
    losses = _losses(world, wasting)
    for (unit, share), loss in zip(wasting, losses, strict=True):
        unit.morale = max(unit.morale - params.morale_unsupplied_per_day * share, 0.0)
        if loss <= 0:
            continue
        world.factions[unit.faction].killed += loss
        world.factions[unit.faction].starved += loss
        unit.strength = unit.strength - loss
        if unit.strength <= 0:
            days.pop(unit.unique_id, None)
            world.log(
                EventKind.DESTROYED,
                (unit.faction,),
                unit.place,
                f"{unit.name} wasted away, cut off {_where(world, unit)}",
            )
            unit.remove()
    for unit_id in [u for u in days if world.unit(u) is None]:
        del days[unit_id]


def _post(unit: Unit) -> Post | None:
    """Where a unit draws its supply: its place, or the two ends of the road it is on."""
    if unit.place is None and unit.transit is not None:
        return (unit.transit.origin, unit.transit.destination)
    return unit.place


def _where(world: World, unit: Unit) -> str:
    """Where a unit is, for an event: at its place, or on its road."""
    if unit.place is not None or unit.transit is None:
        return f"at {world.place_name(unit.place)}"
    road = unit.transit
    return (
        f"on the road from {world.place_name(road.origin)} to {world.place_name(road.destination)}"
    )


def _losses(world: World, wasting: list[tuple[Unit, float]]) -> list[float]:
    """Each wasting unit's loss today: the expected share, or in stochastic mode a binomial
    draw of its soldiers with that expectation."""
    rate = world.parameters.supply_attrition_per_day
    if world.parameters.combat_mode != "stochastic":
        return [unit.strength * rate * share for unit, share in wasting]
    if not wasting:
        return []
    ids = [unit.unique_id for unit, _ in wasting]
    trials = [int(unit.strength) for unit, _ in wasting]
    chances = [min(rate * share, 1.0) for _, share in wasting]
    drawn = world.streams.binomial(ATTRITION, world.day, ids, trials, chances)
    return [int(loss) for loss in drawn]


def _wear_sieges(world: World, supplied: dict[str, frozenset[str]]) -> None:
    """Every place its holder cannot reach by road loses fortification on the days it is
    fought over (today's battles: supply follows combat)."""
    wear = world.parameters.siege_wear_per_day
    if wear <= 0:
        return
    fought = {battle.place for battle in world.battles}
    for place, holder in list(world.controller.items()):
        if (
            holder is not None
            and place not in supplied[holder]
            and place in fought
            and world.fortification(place) > 0
        ):
            world.wear_fortification(place, wear)


def _surrender(
    world: World,
    supplied: dict[str, frozenset[str]],
    shares: dict[tuple[str, Post], float],
) -> None:
    """Encircled, invested garrisons (units on a place their side holds) without supply whose
    morale has broken give themselves up."""
    threshold = world.parameters.surrender_morale
    garrisons: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for unit in world.units:
        if unit.place is not None and shares.get((unit.faction, unit.place), 0.0) > 0:
            garrisons[(unit.faction, unit.place)].append(unit)
    for (faction, place), units in garrisons.items():
        if place not in world.friendly_ground(faction) or place not in world.threatened_ground(
            faction
        ):
            continue  # not a garrison (attackers in the enemy's town fall back instead)
        soldiers = sum(u.strength for u in units)
        if sum(u.morale * u.strength for u in units) / soldiers >= threshold:
            continue
        besieger = _besieger(world, faction, place)
        if besieger is not None:
            _give_up(world, faction, place, units, besieger)


def _besieger(world: World, faction: str, place: str) -> str | None:
    """The strongest hostile faction on the place, else one road away."""
    presence = world.strength_at()
    enemies = world.enemies_of(faction)
    for ring in ([place], [n for n, _ in world.routes.roads_from[place]]):
        strength: dict[str, float] = defaultdict(float)
        for p in ring:
            for f, soldiers in presence.get(p, {}).items():
                if f in enemies:
                    strength[f] += soldiers
        if strength:
            return max(strength, key=lambda f: (strength[f], f))
    return None


def _give_up(world: World, faction_id: str, place: str, units: list[Unit], besieger: str) -> None:
    """The units' soldiers are captured; a place the faction holds and no longer stands on
    passes to the besieger, or to the neutral a handover names."""
    faction = world.factions[faction_id]
    soldiers = sum(u.strength for u in units)
    faction.captured += soldiers
    for unit in units:
        unit.remove()
    name = world.place_name(place)
    world.log(
        EventKind.SURRENDER,
        (faction_id, besieger),
        place,
        f"the {faction.short_name} garrison of {name} ({soldiers:,.0f} soldiers), cut off and "
        f"broken, surrendered to the {world.factions[besieger].short_name}",
    )
    if world.controller[place] != faction_id or faction_id in world.strength_at().get(place, {}):
        return
    taker, how = besieger, "captured"
    handover = world.theatre.handovers.get(place)
    if (
        handover is not None
        and handover.faction != faction_id
        and not world.hostile(handover.faction, faction_id)
    ):
        taker, how = handover.faction, "took over by agreement"
    world.set_holder(place, taker)
    world.log(
        EventKind.CAPTURE,
        (taker, faction_id),
        place,
        f"{world.factions[taker].short_name} {how} {name} from the {faction.short_name}",
    )
