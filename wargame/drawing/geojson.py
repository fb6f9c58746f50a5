"""The state of a run as GeoJSON (RFC 7946), for GIS tools: QGIS, geopandas, kepler.gl.

The map picture (`map_figure`) is for reading; a GIS wants the same state as data to
style, filter and lay over its own layers. One FeatureCollection holds three layers,
told apart by each feature's `layer` property: the places (Points), the units
(Points) and the roads (LineStrings). Coordinates are [longitude, latitude] in WGS 84,
as the theatre's map gives them. The run's own facts (theatre, seed, day, date,
factions) sit in a foreign member, `wargame`: RFC 7946 (section 7.1) forbids
`properties` on a FeatureCollection.

Attributes are flat (one `strength_<faction>` per faction, not a nested table) and
every feature of a layer has the same ones, since GIS tools read a nested object as
text and want one attribute table per layer.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from wargame.engine.agents import CivilianState
from wargame.engine.events import EventKind
from wargame.files import StrPath, written_whole
from wargame.scenario import PlaceKind
from wargame.scenario.map_rules import Point, haversine_km

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wargame.engine.agents import Unit
    from wargame.engine.events import Event
    from wargame.engine.world import World

DEGREE_DIGITS = 6
"""Decimals of a coordinate: 0.1 m, finer than any place or road of a theatre (RFC 7946
section 11.2 suggests 6)."""
SHARE_DIGITS = 4
KM_DIGITS = 3
AT_HOME = (CivilianState.HOME, CivilianState.RETURNED)
AWAY = (CivilianState.DISPLACED, CivilianState.REFUGEE)
YES_NO = "true/false"

ATTRIBUTES: dict[str, dict[str, tuple[str, str]]] = {
    "place": {
        "layer": ("`place`: the layer the feature is in", "name"),
        "place": ("the place's id, as the theatre's map names it", "place id"),
        "name": ("the place's name", "text"),
        "kind": ("`town`, `border_post`, `mine`, `base` or `sanctuary` (across the border)",
                 "name"),
        "country": ("the country it lies in", "ISO 3166 code"),
        "holder": ("the faction holding it at the end; null: nobody (a sanctuary: always)",
                   "faction id"),
        "held_at_start": ("the faction holding it on day 0, or null", "faction id"),
        "changed_hands": ("whether its holder changed during the run: taken at least once (even "
                          "if taken back), or passed on when its holder collapsed", YES_NO),
        "captures": ("times a faction took it during the run (its `capture` events)", "count"),
        "last_taken_day": ("the day it was last taken, or null if never", "days"),
        "last_taken_date": ("the date it was last taken, YYYY-MM-DD, or null", "date"),
        "last_taken_by": ("the faction that last took it, or null", "faction id"),
        "contested": ("whether hostile units stand together on it at the end", YES_NO),
        "crossing_closed": ("whether the neighbouring power holds this crossing closed at the end",
                            YES_NO),
        "fortification": ("its fortification at the end, 0-1: the map's, less what sieges wore "
                          "away", "fortification"),
        "fortification_at_start": ("its fortification on the map, 0-1", "fortification"),
        "population_at_start": ("people living there on day 0 (the map's `population`)", "people"),
        "people_at_home": ("its people at home at the end, those who came back included",
                           "people"),
        "people_away": ("its people away at the end: displaced within the theatre or refugees "
                        "abroad", "people"),
        "people_sheltering": ("people from other places sheltering here at the end: the "
                              "displaced at a home place, refugees at a sanctuary", "people"),
        "strength_<faction>": ("soldiers of the faction's units standing here at the end (units "
                               "on a road stand at no place); one per faction", "soldiers"),
        "interned_<faction>": ("the faction's soldiers interned here at the end, held by the "
                               "country across the border (a sanctuary only); one per faction",
                               "soldiers"),
    },
    "unit": {
        "layer": ("`unit`: the layer the feature is in", "name"),
        "unit": ("the unit's number, unique in the run", "number"),
        "name": ("the unit's name", "text"),
        "faction": ("the faction it belongs to", "faction id"),
        "strength": ("soldiers in the unit", "soldiers"),
        "morale": ("its morale, 0-1 (it breaks below its faction's break point)", "morale"),
        "posture": ("`attack`, `hold` or `withdraw`", "name"),
        "job": ("what its commander uses it for (`garrison`, `attack`, `reserve`, `screen`), "
                "or null", "name"),
        "objective": ("the place it is ordered to, or null", "place id"),
        "next_place": ("the next place on its route, or null", "place id"),
        "at": ("the place it stands at; null while on a road", "place id"),
        "on_road": ("whether it is on the march, between two places", YES_NO),
        "road_from": ("on a road: the place it set out from along it; else null", "place id"),
        "road_to": ("on a road: the place it is marching to along it; else null", "place id"),
        "road_share": ("on a road: the share of the road covered, 0-1; its point lies that "
                       "share of the road's drawn length from `road_from`; else null", "share"),
        "km_left": ("on a road: km still to go to `road_to`; else null", "km"),
    },
    "road": {
        "layer": ("`road`: the layer the feature is in", "name"),
        "from": ("the place at the start of its drawn line", "place id"),
        "to": ("the place at its end", "place id"),
        "kind": ("`highway`, `road`, `track`, `river` or `sea`", "name"),
        "length_km": ("its length as units travel it: the map's `length_km`, else the drawn "
                      "line's", "km"),
        "crosses_border": ("whether one end is a sanctuary across the border", YES_NO),
        "closed": ("whether it crosses the border at a crossing the neighbouring power holds "
                   "closed at the end (no other road closes in the model)", YES_NO),
    },
}  # fmt: skip
"""What each layer's attributes mean and their units, in the order features hold them:
the user guide's table is made from this (`docs/generate.py`)."""


def to_geojson(world: World) -> dict:
    """The world as it stands today as a GeoJSON FeatureCollection (plain JSON types)."""
    features = [*_place_features(world), *_unit_features(world), *_road_features(world)]
    return {
        "type": "FeatureCollection",
        "bbox": _bbox(features),
        "wargame": _run_facts(world),
        "features": features,
    }


def write_geojson(world: World, path: StrPath) -> Path:
    """Write `to_geojson(world)` to `path` whole or not at all (`written_whole`); returns it.

    UTF-8 JSON (RFC 8259, which RFC 7946 builds on), compact, so that a large theatre's file
    stays small; a NaN, never valid JSON, raises instead of being written. Missing folders
    are made, as for every file the CLI writes; a path that cannot be written (a folder, a
    read-only place) raises OSError and leaves nothing behind.
    """
    path = Path(path)
    document = to_geojson(world)
    with written_whole(path) as temporary, temporary.open("w", encoding="utf-8") as file:
        json.dump(document, file, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return path


def along_line(line: Sequence[Point], share: float) -> Point:
    """The point `share` (0-1) of the way along `line` by its length on the ground.

    A unit `share` of the way along a road stands here on the road as drawn, so it sits
    on the road's line in a GIS, bends included, not on the straight line between its ends.
    """
    lengths = [haversine_km(p, q) for p, q in itertools.pairwise(line)]
    left = share * sum(lengths)
    for (p, q), length in zip(itertools.pairwise(line), lengths, strict=True):
        if length > 0.0 and left <= length:
            t = left / length
            return p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])
        left -= length
    return line[-1]


def unit_point(world: World, unit: Unit) -> Point:
    """Where `unit` stands: at its place, or on its road as far along as it has come."""
    places = world.theatre.map.places
    if unit.place is not None:
        return places[unit.place].lon, places[unit.place].lat
    transit = unit.transit
    road = world.grid.G[transit.origin][transit.destination]["road"]
    line = road.geometry if road.a == transit.origin else road.geometry[::-1]
    return along_line(line, _share_covered(unit))


def _share_covered(unit: Unit) -> float:
    transit = unit.transit
    return 1.0 - transit.km_left / transit.km_total if transit.km_total > 0 else 0.0


def _place_features(world: World) -> list[dict]:
    """One Point a place: who holds it and since when, its walls, people and soldiers."""
    places = world.theatre.map.places
    captures = _captures(world)
    home, away, sheltering = _people(world)
    soldiers = _soldiers_at(world)
    features = []
    for place_id, place in places.items():
        holder = world.controller.get(place_id)
        at_start = world.theatre.control.get(place_id)
        taken = captures.get(place_id, [])
        last = taken[-1] if taken else None
        properties = {
            "layer": "place",
            "place": place_id,
            "name": place.name,
            "kind": place.kind.value,
            "country": place.country,
            "holder": holder,
            "held_at_start": at_start,
            "changed_hands": holder != at_start or bool(taken),
            "captures": len(taken),
            "last_taken_day": last.day if last else None,
            "last_taken_date": last.date.isoformat() if last else None,
            "last_taken_by": last.factions[0] if last else None,
            "contested": place_id in world.contested,
            "crossing_closed": place_id in world.closed_crossings,
            "fortification": round(world.fortification(place_id), SHARE_DIGITS),
            "fortification_at_start": place.fortification,
            "population_at_start": place.population,
            "people_at_home": home[place_id],
            "people_away": away[place_id],
            "people_sheltering": sheltering[place_id],
        }
        for faction in world.factions:
            properties[f"strength_{faction}"] = soldiers[place_id, faction]
        for faction in world.factions:
            properties[f"interned_{faction}"] = world.interned_at.get((place_id, faction), 0)
        features.append(_feature(f"place:{place_id}", _point(place.lon, place.lat), properties))
    return features


def _captures(world: World) -> dict[str, list[Event]]:
    """Each place's captures, in the order they happened: a place that passed to another
    when its holder collapsed changed hands without one."""
    taken: dict[str, list[Event]] = {}
    for event in world.events.of_kind(EventKind.CAPTURE):
        taken.setdefault(event.place, []).append(event)
    return taken


def _people(world: World) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """People at home, people away from each home place, and people who fled from
    elsewhere sheltering at each place (displaced at a home place, refugees abroad)."""
    home: Counter[str] = Counter()
    away: Counter[str] = Counter()
    sheltering: Counter[str] = Counter()
    for group in world.civilians:
        if group.state in AT_HOME:
            home[group.home] += group.size
        elif group.state in AWAY:
            away[group.home] += group.size
            sheltering[group.cell.coordinate] += group.size
    return home, away, sheltering


def _soldiers_at(world: World) -> Counter[tuple[str, str]]:
    """Soldiers by (place, faction) of the units standing there; those on a road are in none."""
    soldiers: Counter[tuple[str, str]] = Counter()
    for unit in world.units:
        if unit.place is not None:
            soldiers[unit.place, unit.faction] += unit.strength
    return soldiers


def _unit_features(world: World) -> list[dict]:
    """One Point a unit: at its place, or on its road as far along as it has come."""
    features = []
    for unit in world.units:
        transit = unit.transit
        properties = {
            "layer": "unit",
            "unit": unit.unique_id,
            "name": unit.name,
            "faction": unit.faction,
            "strength": unit.strength,
            "morale": round(unit.morale, SHARE_DIGITS),
            "posture": unit.posture.value,
            "job": unit.job,
            "objective": unit.objective,
            "next_place": unit.route[0] if unit.route else None,
            "at": unit.place,
            "on_road": transit is not None,
            "road_from": transit.origin if transit else None,
            "road_to": transit.destination if transit else None,
            "road_share": round(_share_covered(unit), SHARE_DIGITS) if transit else None,
            "km_left": round(transit.km_left, KM_DIGITS) if transit else None,
        }
        point = _point(*unit_point(world, unit))
        features.append(_feature(f"unit:{unit.unique_id}", point, properties))
    return features


def _road_features(world: World) -> list[dict]:
    """One LineString a road, as the theatre's map draws it. Roads have no state of their own
    in the model; a road across the border is closed while the neighbour closes its crossing."""
    places = world.theatre.map.places
    features = []
    for road in world.theatre.map.roads:
        abroad = [p for p in (road.a, road.b) if places[p].kind is PlaceKind.SANCTUARY]
        crossing = road.b if abroad == [road.a] else road.a
        properties = {
            "layer": "road",
            "from": road.a,
            "to": road.b,
            "kind": road.kind.value,
            "length_km": round(road.length_km, KM_DIGITS),
            "crosses_border": bool(abroad),
            "closed": bool(abroad) and crossing in world.closed_crossings,
        }
        geometry = {"type": "LineString", "coordinates": [_position(*p) for p in road.geometry]}
        features.append(_feature(f"road:{road.a}:{road.b}", geometry, properties))
    return features


def _run_facts(world: World) -> dict:
    """The run and the day the features describe: a foreign member, which GIS tools pass over."""
    return {
        "theatre": world.theatre.name,
        "title": world.theatre.title,
        "seed": world.seed,
        "day": world.day,
        "date": world.date.isoformat(),
        "start_date": world.theatre.start_date.isoformat(),
        "factions": {
            faction_id: {
                "name": faction.name,
                "short_name": faction.short_name,
                "colour": faction.colour,
            }
            for faction_id, faction in world.factions.items()
        },
    }


def _feature(feature_id: str, geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": _position(lon, lat)}


def _position(lon: float, lat: float) -> list[float]:
    return [round(lon, DEGREE_DIGITS), round(lat, DEGREE_DIGITS)]


def _bbox(features: list[dict]) -> list[float]:
    """[west, south, east, north] of every position: RFC 7946's bounding box."""
    positions = [
        position
        for feature in features
        for position in (
            [feature["geometry"]["coordinates"]]
            if feature["geometry"]["type"] == "Point"
            else feature["geometry"]["coordinates"]
        )
    ]
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    return [min(lons), min(lats), max(lons), max(lats)]
