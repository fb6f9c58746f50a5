"""What a day's map shows, drawn or not: the state both maps draw from, and the colours of
a place nobody holds or nobody sees.

The static map (`map_figure`, matplotlib) and the browser's map (`map_option`, ECharts
data) each draw a `MapState`; it lives here, with no drawing library imported, so a page
that only builds the browser's map never loads matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wargame.engine.agents import Transit
    from wargame.engine.model import ConflictModel
    from wargame.scenario import Place

NEUTRAL = "#BBBBBB"  # a place nobody holds
UNKNOWN = "#F2F2F2"  # a place out of a side's sight


@dataclass(frozen=True)
class MapState:
    """All a day's map draws: the whole theatre's state (`whole_map`), or what one side knows
    of it (`wargame.apps.classroom.fog.side_map`). The drawing reads nothing else of the day, so a
    side's map cannot show more than the state it was given."""

    holders: Mapping[str, str | None]
    """The holder of each place drawn (None: nobody); a place not in it is drawn unknown."""
    contested: frozenset[str]
    units: tuple[tuple[float, float, float, str], ...]
    """(lon, lat, strength, faction) of each unit drawn."""
    interned: tuple[tuple[str, str, float], ...]
    """(sanctuary, faction, soldiers) of each group of interned soldiers drawn."""
    labels: tuple[str, ...]
    """The legend's line for each faction, in the theatre's order."""
    unit_ways: tuple[tuple[str, str, str | None, float], ...] = ()
    """(name, place or road's origin, road's destination or None, share of the road covered)
    of each unit, in `units`' order: what the browser's map says of a unit, and where along
    the road's bends it puts one (empty: `units` alone, named by faction)."""
    hostile: frozenset[tuple[str, str]] | None = None
    """The pairs of factions at war, both ways round, that the front is drawn between
    (None: any two holders)."""


def whole_map(model: ConflictModel) -> MapState:
    """The theatre as it stands today, everything in it: the map of the viewer and the umpire."""
    return MapState(
        holders={p: model.controller.get(p) for p in model.theatre.map.places},
        contested=frozenset(model.contested),
        units=tuple(unit_positions(model)),
        interned=tuple((s, f, n) for (s, f), n in sorted(model.interned_at.items())),
        labels=tuple(faction_label(f.short_name, f.interned) for f in model.factions.values()),
        unit_ways=tuple(unit_way(unit) for unit in model.units),
        hostile=model.at_war(),
    )


def unit_way(unit) -> tuple[str, str, str | None, float]:
    """(name, place or road's origin, road's destination or None, share of the road covered)
    of a unit, or of a side's `SeenUnit` (anything with a name, place and transit)."""
    if unit.transit is None:
        return unit.name, unit.place, None, 0.0
    transit = unit.transit
    return unit.name, transit.origin, transit.destination, 1.0 - transit.km_left / transit.km_total


def unit_positions(model: ConflictModel) -> list[tuple[float, float, float, str]]:
    """(lon, lat, strength, faction) of every unit; on a road, part-way along it."""
    places = model.theatre.map.places
    return [
        (*ground_point(places, unit.place, unit.transit), unit.strength, unit.faction)
        for unit in model.units
    ]


def ground_point(
    places: Mapping[str, Place], place: str | None, transit: Transit | None
) -> tuple[float, float]:
    """(lon, lat) of a unit at `place`, or of one on the road, as far along it as it has come."""
    if place is not None:
        return places[place].lon, places[place].lat
    start, end = places[transit.origin], places[transit.destination]
    done = 1.0 - transit.km_left / transit.km_total
    return start.lon + done * (end.lon - start.lon), start.lat + done * (end.lat - start.lat)


def faction_label(short_name: str, interned: float) -> str:
    """A faction's line in the legend: its name, and its interned soldiers if any."""
    if interned:
        return f"{short_name} ({interned:,.0f} interned)"
    return short_name
