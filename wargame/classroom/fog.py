"""Fog of war: what one side can see, decided on the server so a page cannot show more.

A side sees the places it holds or has units at, and the places one road
away from those; it sees every unit at a place it sees, and units on a road
with a seen end. It knows its own tallies, not the enemy's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.engine.agents import Unit
    from wargame.engine.model import ConflictModel
    from wargame.viewer.map_figure import Fog


def seen_places(model: ConflictModel, faction: str) -> set[str]:
    graph = model.grid.G
    own = {p for p, holder in model.controller.items() if holder == faction}
    own |= {u.place for u in model.units if u.faction == faction and u.place is not None}
    own |= {
        end
        for u in model.units
        if u.faction == faction and u.transit is not None
        for end in (u.transit.origin, u.transit.destination)
    }
    return own | {neighbour for place in own for neighbour in graph.neighbors(place)}


def seen_units(model: ConflictModel, faction: str) -> list[Unit]:
    places = seen_places(model, faction)

    def visible(unit: Unit) -> bool:
        if unit.faction == faction:
            return True
        if unit.place is not None:
            return unit.place in places
        return unit.transit.origin in places or unit.transit.destination in places

    return [u for u in model.units if visible(u)]


def side_view(model: ConflictModel, faction: str) -> dict[str, object]:
    """Everything a team's page may show, as plain data."""
    places = seen_places(model, faction)
    return {
        "day": model.day,
        "date": model.date.isoformat(),
        "faction": faction,
        "places": {p: model.controller.get(p) for p in sorted(places)},
        "units": [
            {
                "id": u.unique_id,
                "name": u.name,
                "faction": u.faction,
                "place": u.place,
                "strength": u.strength,
                "morale": round(u.morale, 2) if u.faction == faction else None,
            }
            for u in seen_units(model, faction)
        ],
        "events": [
            e.sentence
            for e in model.events
            if faction in e.factions or (e.place is not None and e.place in places)
        ],
    }


def map_fog(model: ConflictModel, faction: str) -> Fog:
    from wargame.viewer.map_figure import Fog

    return Fog(
        faction,
        frozenset(seen_places(model, faction)),
        frozenset(u.unique_id for u in seen_units(model, faction)),
    )
