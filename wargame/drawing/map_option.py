"""The theatre as an ECharts option: the browser's interactive map, drawn from a `MapState`.

Pure functions of a theatre and a day's `MapState` (`whole_map` for the viewer and
the umpire, the classroom's `side_map` for a team): nothing else of the day is read,
so a team's map data holds only what its side sees, whatever the browser is asked.

The option comes in two parts so a day's update leaves the user's zoom and pan
alone: `base_option` (the land, water, borders and roads, made once a theatre)
and `day_option` (holders, the front, units, interned soldiers, the legend), whose
series keep their ids from day to day so ECharts merges them in place.

Names are text (the page uses ECharts' SVG renderer). Every place has a label;
ECharts' `hideOverlap` keeps the label of the larger symbol where two collide,
and a place's symbol grows with its importance (people, and bases and border
posts), so the main towns are named first and the rest appear as the user zooms in.
"""

from __future__ import annotations

import html
import itertools
import math
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from wargame.drawing.labels import claim, short_name
from wargame.drawing.map_state import NEUTRAL, UNKNOWN
from wargame.scenario import PlaceKind, RoadKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from wargame.drawing.map_state import MapState
    from wargame.scenario import Place, Road, Theatre

GEO = "geo"
SYMBOLS = {
    PlaceKind.TOWN: "circle",
    PlaceKind.BORDER_POST: "rect",
    PlaceKind.MINE: "triangle",
    PlaceKind.BASE: "diamond",
    PlaceKind.SANCTUARY: "path://M3,0h4v3h3v4h-3v3h-4v-3h-3v-4h3z",  # a plus: foreign ground
}
KIND_NAMES = {kind: kind.value.replace("_", " ") for kind in PlaceKind}
# A quiet paper map: pale land, soft water, grey borders; the war is drawn in colour above it.
LAND = "#F3F0E7"
WATER = "#C9DDEB"
RIVER = "#5F9FD3"
COAST = "#7FA3BF"
BORDER = "#8B7F93"
OFF_MAP = "#E4E8EB"
ROADS = {
    RoadKind.HIGHWAY: {"color": "#A8743F", "width": 3.0, "type": "solid"},
    RoadKind.ROAD: {"color": "#B89467", "width": 1.8, "type": "solid"},
    RoadKind.TRACK: {"color": "#B9A98F", "width": 1.2, "type": [3, 3]},
    RoadKind.RIVER: {"color": "#5E97C4", "width": 1.6, "type": [6, 3]},
    RoadKind.SEA: {"color": "#5E97C4", "width": 1.2, "type": [2, 4]},
}
ROAD_NAMES = {
    RoadKind.HIGHWAY: "highway",
    RoadKind.ROAD: "road",
    RoadKind.TRACK: "track",
    RoadKind.RIVER: "boat route",
    RoadKind.SEA: "sea route",
}
FRONT = "#E3261B"
CONTESTED = "#D7191C"
SELECTED = "#111111"
HALO = "#FFFFFF"
TEXT = "#1F2328"
SMALLEST_PLACE = 8.0  # px: a place of no people
PLACE_GROWTH = 2.4  # px a doubling of people above `PEOPLE_FOR_GROWTH` adds
PEOPLE_FOR_GROWTH = 5_000
KIND_BONUS = {PlaceKind.BASE: 4.0, PlaceKind.BORDER_POST: 3.0, PlaceKind.MINE: 2.0}
CROWDED = 100  # places: above this, symbols shrink so a large theatre stays readable
UNIT_PX_PER_ROOT_SOLDIER = 0.3  # a unit marker's side: 500 soldiers ~ 7 px, 3,000 ~ 16 px
SMALLEST_UNIT = 6.0
LARGEST_UNIT = 24.0
UNIT_SYMBOL = "roundRect"
INTERNED_SYMBOL = "path://M0,2l2,-2l3,3l3,-3l2,2l-3,3l3,3l-2,2l-3,-3l-3,3l-2,-2l3,-3z"  # an X
STACK_GAP = 2  # px between a place's symbol and the stacks of units beside it
MAJOR_PLACE = 15.0  # px: a place this big is named in larger, bolder type
MAJOR_LABEL = {"fontSize": 13, "fontWeight": 600}
MINOR_LABEL = {"fontSize": 11, "fontWeight": "normal"}
PADDING_DEGREES = 0.15
OPENING_HEIGHT_PX = 560  # about the land's height as the map opens on a laptop
CHAR_PX, CHAR_PX_MAJOR, LINE_PX = 6.2, 7.8, 14  # a name's size, roughly, for `label_sides`
ZOOM_LIMITS = {"min": 0.8, "max": 24}


def map_option(theatre: Theatre, state: MapState, selected: str | None = None) -> dict:
    """The whole option: `base_option` and `day_option` together, as ECharts draws them."""
    base, day = base_option(theatre), day_option(theatre, state, selected)
    return {**base, **day, "series": base["series"] + day["series"]}


def base_option(theatre: Theatre) -> dict:
    """What stays all campaign: the map's frame, land and water, borders and roads.

    Its `wargameRegions` (not ECharts') is the GeoJSON of the land and water areas,
    which the page registers as the map the `geo` component draws."""
    west, south, east, north = frame(theatre)
    name = f"wargame-{theatre.name}"
    areas = regions(theatre, (west, south, east, north))
    return {
        "wargameRegions": {"name": name, "geojson": areas},
        "backgroundColor": OFF_MAP,
        "animation": False,
        "textStyle": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
        "tooltip": {
            "trigger": "item",
            "confine": True,
            "backgroundColor": "rgba(255,255,255,0.96)",
            "borderColor": "#888",
            "textStyle": {"color": TEXT, "fontSize": 13},
            "extraCssText": "max-width: 320px; white-space: normal;",
        },
        GEO: {
            "map": name,
            "roam": True,
            "scaleLimit": ZOOM_LIMITS,
            "boundingCoords": [[west, north], [east, south]],
            "aspectScale": math.cos(math.radians((south + north) / 2)),
            "layoutCenter": ["50%", "46%"],
            "layoutSize": "92%",
            "itemStyle": {"areaColor": LAND, "borderColor": LAND, "borderWidth": 0},
            "regions": [
                {"name": f["properties"]["name"], "itemStyle": {"areaColor": WATER}}
                for f in areas["features"]
                if f["properties"]["layer"] != "land"
            ],
            "silent": True,  # land and water: no hover (a tooltip setting here would
            "label": {"show": False},  # reach the places and units drawn on it)
        },
        "series": basemap_lines(theatre) + road_series(theatre),
    }


def frame(theatre: Theatre) -> tuple[float, float, float, float]:
    """The box the map opens on (west, south, east, north): the places with a margin, and
    the whole basemap when there is one, so the land fills the frame."""
    places = theatre.map.places.values()
    lons, lats = [p.lon for p in places], [p.lat for p in places]
    west, east = min(lons) - PADDING_DEGREES, max(lons) + PADDING_DEGREES
    south, north = min(lats) - PADDING_DEGREES, max(lats) + PADDING_DEGREES
    if theatre.basemap is not None:
        lon_min, lat_min, lon_max, lat_max = theatre.basemap.bbox
        west, south = min(west, lon_min), min(south, lat_min)
        east, north = max(east, lon_max), max(north, lat_max)
    return west, south, east, north


def regions(theatre: Theatre, box: tuple[float, float, float, float]) -> dict:
    """The land and water areas as GeoJSON, each feature named for ECharts' `regions`; a
    theatre without a basemap is one sheet of land over its places' box."""
    basemap = theatre.basemap
    features = []
    if basemap is not None:
        for layer in ("land", "ocean", "lake"):
            for number, feature in enumerate(basemap.layer(layer)):
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"name": f"{layer} {number}", "layer": layer},
                        "geometry": feature["geometry"],
                    }
                )
    if not any(f["properties"]["layer"] == "land" for f in features):
        west, south, east, north = box
        sheet = [[[west, south], [east, south], [east, north], [west, north], [west, south]]]
        land = {"type": "Polygon", "coordinates": sheet}
        features.insert(
            0,
            {"type": "Feature", "properties": {"name": "land", "layer": "land"}, "geometry": land},
        )
    return {"type": "FeatureCollection", "features": features}


def basemap_lines(theatre: Theatre) -> list[dict]:
    """Rivers, coast and borders under the roads; the theatre's own border line when its
    basemap has none."""
    basemap = theatre.basemap
    styles = {
        "river": {"color": RIVER, "width": 1.6, "type": "solid"},
        "coast": {"color": COAST, "width": 1.0, "type": "solid"},
        "border": {"color": BORDER, "width": 1.4, "type": [6, 2, 1, 2]},
        "disputed border": {"color": BORDER, "width": 1.2, "type": [2, 3]},
    }
    lines: dict[str, list[dict]] = {layer: [] for layer in styles}
    if basemap is not None:
        for layer in ("river", "coast", "border"):
            for feature in basemap.layer(layer):
                properties = feature.get("properties", {})
                name = properties.get("name") or ""
                disputed = "disputed" in str(properties.get("featurecla", "")).lower()
                drawn_as = "disputed border" if layer == "border" and disputed else layer
                lines[drawn_as] += [{"name": name, "coords": p} for p in line_parts(feature)]
    if not lines["border"] and theatre.map.border:
        lines["border"].append({"name": "", "coords": [list(p) for p in theatre.map.border]})
    return [
        {
            "id": f"basemap-{layer.replace(' ', '-')}",
            "name": layer,
            "type": "lines",
            "coordinateSystem": GEO,
            "polyline": True,
            "silent": True,
            "z": 1,
            "lineStyle": style,
            "data": lines[layer],
        }
        for layer, style in styles.items()
        if lines[layer]
    ]


def line_parts(feature: dict) -> list[list[list[float]]]:
    """The lines of a (Multi)LineString feature, each a list of [lon, lat]."""
    geometry = feature["geometry"]
    if geometry["type"] == "LineString":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiLineString":
        return list(geometry["coordinates"])
    return []


def road_series(theatre: Theatre) -> list[dict]:
    """One series of lines for each kind of road the theatre has, hovered for its length."""
    places = theatre.map.places
    by_kind: dict[RoadKind, list[Road]] = defaultdict(list)
    for road in theatre.map.roads:
        by_kind[road.kind].append(road)
    return [
        {
            "id": f"roads-{kind.value}",
            "name": ROAD_NAMES[kind],
            "type": "lines",
            "coordinateSystem": GEO,
            "polyline": True,
            "z": 2,
            "lineStyle": {**ROADS[kind], "opacity": 1, "cap": "round"},
            "emphasis": {"disabled": True},
            "data": [
                {
                    "coords": [list(point) for point in road.geometry],
                    "tooltip": {
                        "formatter": f"{ROAD_NAMES[kind].capitalize()}, {road.length_km:,.0f} km: "
                        f"{_e(short_name(places[road.a]))} - {_e(short_name(places[road.b]))}"
                    },
                }
                for road in roads
            ],
        }
        for kind, roads in by_kind.items()
    ]


def day_option(theatre: Theatre, state: MapState, selected: str | None = None) -> dict:
    """Today's layers from `state` alone: the front, the places by holder, contested rings,
    units on the roads they travel, interned soldiers and the legend; `selected` is ringed."""
    factions = dict(zip(theatre.factions, state.labels, strict=True))
    colours = {f: spec.colour for f, spec in theatre.factions.items()}
    stacks = unit_stacks(theatre, state)
    series = [front_series(theatre, state)]
    series += place_series(theatre, state, factions, colours, stacks)
    series.append(contested_series(theatre, state))
    series += unit_series(theatre, factions, colours, stacks)
    series.append(interned_series(theatre, state, factions, colours))
    series += kind_keys()
    series.append(selected_series(theatre, selected))
    unseen = any(p not in state.holders for p in theatre.map.places)
    return {"legend": legend(factions.values(), unseen), "series": series}


def front_series(theatre: Theatre, state: MapState) -> dict:
    """Roads whose two ends are seen and held by factions at war: where the front runs."""
    holders = state.holders
    hostile = state.hostile

    def at_war(a: str | None, b: str | None) -> bool:
        if a is None or b is None or a == b:
            return False
        return hostile is None or (a, b) in hostile

    return {
        "id": "front",
        "name": "front",
        "type": "lines",
        "coordinateSystem": GEO,
        "polyline": True,
        "silent": True,
        "z": 3,
        "lineStyle": {"color": FRONT, "width": 7, "opacity": 0.5, "cap": "round"},
        "data": [
            {"coords": [list(point) for point in road.geometry]}
            for road in theatre.map.roads
            if road.a in holders and road.b in holders and at_war(holders[road.a], holders[road.b])
        ],
    }


def place_series(
    theatre: Theatre,
    state: MapState,
    factions: dict[str, str],
    colours: dict[str, str],
    stacks: dict[str, list[Stack]],
) -> list[dict]:
    """One series a holder (each faction, nobody, not seen), named as the legend says it."""
    places = theatre.map.places
    crowding = crowded(theatre)
    sides = label_sides(theatre)
    # the unseen and the unheld first, so a side's places draw over them: a click on Laiza
    # reaches Laiza, not the sanctuary across the border beside it
    groups: dict[str, list[dict]] = {f: [] for f in ["?", "", *factions]}
    for place in places.values():
        seen = place.id in state.holders
        holder = state.holders.get(place.id) if seen else None
        fill = colours[holder] if holder else (NEUTRAL if seen else UNKNOWN)
        if place.kind is PlaceKind.SANCTUARY and seen and not holder:
            fill = "#FFFFFF"
        groups[holder or ("" if seen else "?")].append(
            {
                "id": place.id,
                "name": short_name(place),
                "place": place.id,
                "value": [place.lon, place.lat],
                "symbol": SYMBOLS[place.kind],
                "symbolSize": round(place_size(place) / crowding, 1),
                "label": {
                    **(MAJOR_LABEL if place_size(place) >= MAJOR_PLACE else MINOR_LABEL),
                    "position": sides[place.id],
                },
                "itemStyle": {
                    "color": fill,
                    "borderColor": "#333333" if seen else "#9A9A9A",
                    "borderType": "solid" if seen else "dashed",
                },
                "tooltip": {"formatter": place_summary(theatre, place, state, factions, stacks)},
            }
        )
    names = {**factions, "": "held by nobody", "?": "not seen"}
    ids = {**{f: f for f in factions}, "": "nobody", "?": "unseen"}
    fills = {**colours, "": NEUTRAL, "?": UNKNOWN}
    return [
        {
            "id": f"places-{ids[key]}",
            "name": names[key],
            "type": "scatter",
            "coordinateSystem": GEO,
            "z": 5,
            "cursor": "pointer",
            "symbol": "circle",  # the legend's key; each place has its kind's
            "itemStyle": {"color": fills[key], "borderWidth": 1, "opacity": 1},
            "label": {
                "show": True,
                "formatter": "{b}",
                "position": "right",
                "distance": 4,
                "color": TEXT,
                "fontSize": 12,
                "textBorderColor": HALO,
                "textBorderWidth": 3,
            },
            "labelLayout": {"hideOverlap": True},
            "emphasis": {"scale": 1.4, "label": {"fontWeight": "bold"}},
            "data": items,
        }
        for key, items in groups.items()
    ]


_SIDES: dict[int, Mapping[str, str]] = {}
"""`label_sides` of each theatre alive, by identity (a theatre is not hashable, and does not
change once loaded): it rests on the theatre alone, and every day's map of every team asks."""


def label_sides(theatre: Theatre) -> Mapping[str, str]:
    """The side of its symbol each place's name goes on: the first of right, left, top and
    bottom where, at the opening view, it meets no name placed before it and no symbol
    (`labels.claim`), the most important places placed first (else right, for `hideOverlap`
    to judge)."""
    key = id(theatre)
    if key not in _SIDES:
        _SIDES[key] = MappingProxyType(_label_sides(theatre))
        weakref.finalize(theatre, _SIDES.pop, key, None)
    return _SIDES[key]


def _label_sides(theatre: Theatre) -> dict[str, str]:
    west, south, _, north = frame(theatre)
    px_per_degree = OPENING_HEIGHT_PX / (north - south)
    scale = math.cos(math.radians((south + north) / 2))
    crowding = crowded(theatre)
    places = sorted(theatre.map.places.values(), key=lambda p: (-place_size(p), p.id))
    centres = {
        p.id: ((p.lon - west) * scale * px_per_degree, (north - p.lat) * px_per_degree)
        for p in places
    }
    taken = []
    for place in places:
        x, y = centres[place.id]
        half = place_size(place) / crowding / 2
        taken.append((x - half, y - half, x + half, y + half))
    sides = {}
    for place in places:
        x, y = centres[place.id]
        half = place_size(place) / crowding / 2 + 3
        major = place_size(place) >= MAJOR_PLACE
        width = len(short_name(place)) * (CHAR_PX_MAJOR if major else CHAR_PX)
        height = LINE_PX
        boxes = {
            "right": (x + half, y - height / 2, x + half + width, y + height / 2),
            "left": (x - half - width, y - height / 2, x - half, y + height / 2),
            "top": (x - width / 2, y - half - height, x + width / 2, y - half),
            "bottom": (x - width / 2, y + half, x + width / 2, y + half + height),
        }
        sides[place.id] = claim(boxes.items(), taken) or "right"
    return sides


def crowded(theatre: Theatre) -> float:
    """How much a large theatre's symbols shrink (1: not at all)."""
    return max(1.0, len(theatre.map.places) / CROWDED) ** 0.5


def place_size(place: Place) -> float:
    """A place's symbol in px: it grows with its people, more for bases, border posts and
    mines, so the more important place keeps its name where two labels collide."""
    if place.kind is PlaceKind.SANCTUARY:
        return SMALLEST_PLACE
    growth = max(0.0, math.log2(max(place.population, 1) / PEOPLE_FOR_GROWTH))
    return SMALLEST_PLACE + PLACE_GROWTH * growth + KIND_BONUS.get(place.kind, 0.0)


def place_summary(
    theatre: Theatre,
    place: Place,
    state: MapState,
    factions: dict[str, str],
    stacks: dict[str, list[Stack]],
) -> str:
    """What a hover over a place says: its kind, holder, people and mines, and the units the
    state puts there."""
    kind = KIND_NAMES[place.kind]
    lines = [f"<b>{_e(place.name)}</b>"]
    if place.kind is PlaceKind.SANCTUARY:
        lines.append(f"{kind}: foreign ground ({_e(theatre.country_name(place.country))})")
    elif place.id not in state.holders:
        lines.append(f"{kind}, not seen today")
    else:
        holder = state.holders[place.id]
        held = f"held by {_e(plain(factions[holder]))}" if holder else "held by nobody"
        lines.append(f"{kind}, {held}")
        if place.id in state.contested:
            lines.append(f"<b style='color:{CONTESTED}'>contested: fighting here</b>")
    if place.population:
        lines.append(f"{place.population:,} people")
    if place.mine_sites:
        mineral = theatre.commodities.get(place.mineral)
        lines.append(f"{place.mine_sites} mine sites{f' ({_e(mineral.name)})' if mineral else ''}")
    for stack in stacks.get(place.id, []):
        lines.append(stack.summary(factions))
    return "<br/>".join(lines)


@dataclass
class Stack:
    """The units of one faction at one spot: a place, or a point on a road."""

    faction: str
    where: str
    """A place's id, or the road's words and the point's lon,lat after a "|"."""
    lon: float
    lat: float
    units: list[tuple[str, float]] = field(default_factory=list)
    """(name, soldiers) of each unit; a name may be "" (a state without `unit_ways`)."""

    @property
    def soldiers(self) -> float:
        return sum(strength for _, strength in self.units)

    def summary(self, factions: dict[str, str]) -> str:
        count = len(self.units)
        head = (
            f"{_e(plain(factions[self.faction]))}: {count} unit{'s' if count > 1 else ''}, "
            f"{self.soldiers:,.0f} soldiers"
        )
        named = [f"{_e(name)} ({strength:,.0f})" for name, strength in self.units if name]
        return head + (f" - {', '.join(named)}" if named else "")


def unit_stacks(theatre: Theatre, state: MapState) -> dict[str, list[Stack]]:
    """The state's units gathered by where they are and by faction; by place id, or by
    "a>b" for a road (from a to b) and how far along it."""
    places = theatre.map.places
    bends = road_bends(theatre)
    stacks: dict[tuple, Stack] = {}
    ways = state.unit_ways or [None] * len(state.units)
    for (lon, lat, strength, faction), way in zip(state.units, ways, strict=True):
        name, where = "", f"{lon:.4f},{lat:.4f}"
        if way is not None:
            name, origin, destination, done = way
            if destination is None:
                where = origin
            else:
                road = bends.get((origin, destination))
                if road is not None:
                    lon, lat = along(road, done)
                names = short_name(places[origin]), short_name(places[destination])
                where = f"on the road {names[0]} to {names[1]}|{lon:.4f},{lat:.4f}"
        key = (where, faction)
        if key not in stacks:
            stacks[key] = Stack(faction, where, lon, lat)
        stacks[key].units.append((name, strength))
    by_where: dict[str, list[Stack]] = defaultdict(list)
    for stack in stacks.values():
        by_where[stack.where].append(stack)
    return dict(by_where)


def road_bends(theatre: Theatre) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Each road's line, both ways round, by its ends."""
    bends = {}
    for road in theatre.map.roads:
        bends[(road.a, road.b)] = list(road.geometry)
        bends[(road.b, road.a)] = list(reversed(road.geometry))
    return bends


def along(line: list[tuple[float, float]], share: float) -> tuple[float, float]:
    """The point `share` of the way along `line` (lon/lat, lengths as on the ground)."""
    scale = math.cos(math.radians(line[0][1]))
    legs = [math.hypot((b[0] - a[0]) * scale, b[1] - a[1]) for a, b in itertools.pairwise(line)]
    left = max(0.0, min(share, 1.0)) * sum(legs)
    for (a, b), leg in zip(itertools.pairwise(line), legs, strict=True):
        if left <= leg and leg > 0:
            t = left / leg
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
        left -= leg
    return line[-1]


def unit_series(
    theatre: Theatre,
    factions: dict[str, str],
    colours: dict[str, str],
    stacks: dict[str, list[Stack]],
) -> list[dict]:
    """A marker for each faction's units at a spot, sized by soldiers: beside a place's
    symbol (one side each faction), on the road where a column is."""
    places = theatre.map.places
    crowding = crowded(theatre)
    order = list(factions)
    items: dict[str, list[dict]] = {f: [] for f in factions}
    for where, here in stacks.items():
        place = places.get(where)
        for stack in here:
            offset = [0, 0]
            size = unit_size(stack.soldiers)
            if place is not None:  # round the place's left, a side each, clear of its name
                reach = (place_size(place) / crowding + size) / 2 + STACK_GAP
                angle = math.pi * (0.5 + order.index(stack.faction) / max(len(order), 3))
                offset = [round(reach * math.cos(angle), 1), round(-reach * math.sin(angle), 1)]
            title = _e(short_name(place)) if place else _e(where.split("|")[0])
            items[stack.faction].append(
                {
                    "name": title,
                    "value": [stack.lon, stack.lat, stack.soldiers],
                    "symbolSize": size,
                    "symbolOffset": offset,
                    "tooltip": {"formatter": f"<b>{title}</b><br/>{stack.summary(factions)}"},
                }
            )
    return [
        {
            "id": f"units-{faction}",
            "name": factions[faction],
            "type": "scatter",
            "coordinateSystem": GEO,
            "z": 4,  # under the places, so their names stay readable over a crowd
            "symbol": UNIT_SYMBOL,
            "itemStyle": {
                "color": colours[faction],
                "borderColor": "#FFFFFF",
                "borderWidth": 1.2,
                "opacity": 0.9,
            },
            "emphasis": {"scale": 1.2},
            "data": items[faction],
        }
        for faction in factions
    ]


def unit_size(soldiers: float) -> float:
    return round(
        min(max(SMALLEST_UNIT, UNIT_PX_PER_ROOT_SOLDIER * math.sqrt(soldiers)), LARGEST_UNIT), 1
    )


def contested_series(theatre: Theatre, state: MapState) -> dict:
    """A red ring round each contested place the state shows."""
    places = theatre.map.places
    crowding = crowded(theatre)
    return {
        "id": "contested",
        "name": "contested",
        "type": "scatter",
        "coordinateSystem": GEO,
        "z": 4,
        "silent": True,
        "symbol": "circle",
        "itemStyle": {
            "color": "rgba(215,25,28,0.12)",
            "borderColor": CONTESTED,
            "borderWidth": 2.5,
        },
        "data": [
            {
                "value": [places[p].lon, places[p].lat],
                "symbolSize": round(place_size(places[p]) / crowding + 12, 1),
            }
            for p in sorted(state.contested)
            if p in places
        ],
    }


def interned_series(
    theatre: Theatre, state: MapState, factions: dict[str, str], colours: dict[str, str]
) -> dict:
    """An X at each sanctuary for each faction's soldiers interned there, sized by soldiers."""
    places = theatre.map.places
    return {
        "id": "interned",
        "name": "interned soldiers",
        "type": "scatter",
        "coordinateSystem": GEO,
        "z": 4,
        "symbol": INTERNED_SYMBOL,
        "itemStyle": {"color": "#777777", "borderColor": "#FFFFFF", "borderWidth": 0.8},
        "data": [
            {
                "name": short_name(places[sanctuary]),
                "value": [places[sanctuary].lon, places[sanctuary].lat, soldiers],
                "symbolSize": unit_size(soldiers),
                "symbolOffset": [
                    0,
                    round((place_size(places[sanctuary]) + unit_size(soldiers)) / 2),
                ],
                "itemStyle": {"color": colours[faction]},
                "tooltip": {
                    "formatter": f"<b>{_e(short_name(places[sanctuary]))}</b><br/>"
                    f"{soldiers:,.0f} soldiers of the {_e(plain(factions[faction]))} interned "
                    f"in {_e(theatre.country_name(places[sanctuary].country))}"
                },
            }
            for sanctuary, faction, soldiers in state.interned
            if sanctuary in places
        ],
    }


def kind_keys() -> list[dict]:
    """Empty series that give the legend a key to each kind of place."""
    return [
        {
            "id": f"key-{kind.value}",
            "name": KIND_NAMES[kind],
            "type": "scatter",
            "coordinateSystem": GEO,
            "symbol": symbol,
            "itemStyle": {"color": "#FFFFFF", "borderColor": "#333333", "borderWidth": 1},
            "data": [],
        }
        for kind, symbol in SYMBOLS.items()
    ]


def selected_series(theatre: Theatre, selected: str | None) -> dict:
    """A black ring round the chosen place (its own label names it)."""
    place = theatre.map.places.get(selected) if selected else None
    return {
        "id": "selected",
        "name": "chosen place",
        "type": "scatter",
        "coordinateSystem": GEO,
        "z": 7,
        "silent": True,
        "symbol": "circle",
        "symbolSize": 30,
        "itemStyle": {"color": "rgba(0,0,0,0)", "borderColor": SELECTED, "borderWidth": 2.5},
        "data": [{"name": short_name(place), "value": [place.lon, place.lat]}] if place else [],
    }


def legend(faction_labels, unseen: bool) -> dict:
    """The key, under the map: the factions (with their interned soldiers as the state says),
    then what the marks mean ("not seen" only on a map that hides places)."""
    return {
        "bottom": 4,
        "left": "center",
        "selectedMode": False,
        "itemWidth": 14,
        "itemHeight": 10,
        "textStyle": {"color": TEXT},  # its size and gaps suit the page's width (map.vue)
        "data": [
            *faction_labels,
            "held by nobody",
            *(["not seen"] if unseen else []),
            "contested",
            "front",
            "interned soldiers",
            *KIND_NAMES.values(),
            *ROAD_NAMES.values(),
        ],
    }


def plain(label: str) -> str:
    """A faction's legend line without its tally: the name a tooltip uses."""
    return label.split(" (")[0]


def _e(text: str) -> str:
    return html.escape(text, quote=True)
