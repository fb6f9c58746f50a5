"""What a side can see and what it knows: one mechanism for the classroom's fog and the AI.

A side sees the places it holds or has units at (a unit on a road sees both
ends of it) and every place up to `sight_roads` roads beyond those; it sees
every unit at a place it sees, and units on a road with a seen end. Beyond
its sight a side knows a place's armed presence only by intelligence: each
day it learns each unseen place with the chance its doctrine's `intelligence`
level gives (0: nothing beyond sight, 1: everything, as if there were no fog).

The classroom's fog (`wargame.apps.classroom.fog`) shows a team what its side
sees; the doctrine commander (`wargame.phases.command`) weighs risks and
threats by what its side knows. Neither reads the enemy's presence anywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from wargame.engine.agents import Unit
    from wargame.engine.world import World


def seen_places(world: World, faction: str) -> frozenset[str]:
    """The places `faction` sees now: its ground, its units' places, and `sight_roads` beyond."""
    seen = {p for p, holder in world.controller.items() if holder == faction}
    for unit in world.units:
        if unit.faction != faction:
            continue
        if unit.place is not None:
            seen.add(unit.place)
        elif unit.transit is not None:
            seen.update((unit.transit.origin, unit.transit.destination))
    edge = seen
    graph = world.grid.G
    for _ in range(world.parameters.sight_roads):
        edge = {q for p in edge for q in graph.neighbors(p)} - seen
        seen |= edge
    return frozenset(seen)


def seen_units(world: World, faction: str) -> list[Unit]:
    """Its own units, and others at a place it sees or on a road with a seen end."""
    places = seen_places(world, faction)

    def visible(unit: Unit) -> bool:
        if unit.faction == faction:
            return True
        if unit.place is not None:
            return unit.place in places
        return unit.transit.origin in places or unit.transit.destination in places

    return [u for u in world.units if visible(u)]


def known_places(world: World, faction: str, intelligence: float) -> frozenset[str]:
    """The places whose armed presence `faction` knows today: those it sees, and those its
    intelligence learns (each unseen place with chance `intelligence`, drawn anew each day)."""
    seen = seen_places(world, faction)
    if intelligence >= 1.0:
        return frozenset(world.routes.index)
    if intelligence <= 0.0:
        return seen
    index = world.routes.index
    draws = world.streams.uniforms(f"intelligence {faction}", world.day, np.arange(len(index)))
    return seen | {p for p, i in index.items() if draws[i] < intelligence}


def known_presence(world: World, faction: str, intelligence: float) -> dict[str, dict[str, int]]:
    """Soldiers per faction at each place, as `faction` knows them (`World.strength_at` for
    the places it knows; nothing elsewhere). Its own and its allies' units it always knows."""
    presence = world.strength_at()
    if intelligence >= 1.0:
        return presence
    known = known_places(world, faction, intelligence)
    enemies = world.enemies_of(faction)
    return {
        place: (here if place in known else {f: s for f, s in here.items() if f not in enemies})
        for place, here in presence.items()
    }
