"""The rules a map keeps across its features, each written once.

Why here: two readers make maps - the loader (`wargame validate` and every
command) and `wargame import-map`, which streams spreadsheets and keeps only
a compact record of each place. If each wrote its own checks, import-map would
write maps that validate then refuses. So each rule is a plain function of
what it needs (a road's two places, its drawn line and its length; the places'
kinds and the roads between them) and says what it finds without knowing the
file: each caller names the file and the place in it.

A road's drawn line, its length and its places' points are three records of
one road; they disagree a little in every real map, and a lot only by a slip.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from wargame.scenario.errors import name_list
from wargame.scenario.map_limits import ROAD_END_GAP_KM
from wargame.scenario.schema import PlaceKind

if TYPE_CHECKING:
    from scipy.sparse import coo_array

type Point = tuple[float, float]  # longitude, latitude in degrees

EARTH_RADIUS_KM = 6371.0

COORDINATE_SLACK_KM = 1.0
"""Points given to 0.01 degree, as the shipped maps' are, are good to about 1 km: no
length is judged against the straight line between two points more finely than that."""

ROAD_SHORTEST_SHARE = 0.5
"""A road cannot be shorter than the straight line between its places, but the points are
estimates: the Kachin map's Kanpaiti-Houqiao crossing is a sourced 10 km between points
15.7 km apart (0.64 of the line). Below half the line the length is a slip (a dropped
digit) or a place in the wrong spot, and every travel time over it would be wrong."""

ROAD_DETOUR_SHARE = 3.0
"""Mountain roads wind: the longest detour in the Kachin map is 2.0 times the straight
line (Momauk-Lweje, Laja Yang-Laiza). Three times is possible (a road round a massif)
but more often a slip (an extra digit), so it is said as a warning and the run goes on."""

PLACE_KINDS = tuple(PlaceKind)
"""A compact record of places keeps each one's kind as its number: its index here."""
KIND_NUMBER = {kind: number for number, kind in enumerate(PLACE_KINDS)}


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1 = math.radians(a[0]), math.radians(a[1])
    lon2, lat2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def polyline_km(points: Sequence[Point]) -> float:
    return sum(haversine_km(p, q) for p, q in itertools.pairwise(points))


class Located(Protocol):
    """A place as the road rules need it: the loader's Place, or import-map's record."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> PlaceKind: ...
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...


@dataclass(frozen=True)
class Finding:
    """A rule a map breaks (`refused`) or a thing in it that is merely strange (a warning).

    `part` is where in the feature, as pydantic locates a value: ("properties",
    "length_km"), ("geometry", "coordinates", 0), or () for the feature as a whole.
    """

    part: tuple[str | int, ...]
    problem: str
    refused: bool = True


def road_findings(
    a: Located, b: Located, line: Sequence[Point], length_km: float | None
) -> list[Finding]:
    """What is wrong or strange in a road from `a` to `b` drawn as `line`, whose length is
    `length_km` as given, or (None) as drawn. Empty for a road that is as it should be."""
    found = []
    if a.kind is PlaceKind.SANCTUARY and b.kind is PlaceKind.SANCTUARY:
        found.append(
            Finding(
                (),
                f"road between two foreign sanctuaries ({a.id!r}, {b.id!r}); a sanctuary is "
                "joined only to the crossing that faces it (units do not travel abroad)",
            )
        )
    for place, vertex in ((a, 0), (b, len(line) - 1)):
        point = (place.lon, place.lat)
        if line[vertex] == point:  # drawn to the very point, as a spreadsheet's road is
            continue
        gap = haversine_km(line[vertex], point)
        if gap > ROAD_END_GAP_KM:
            found.append(
                Finding(
                    ("geometry", "coordinates", vertex),
                    f"the road ends {gap:,.1f} km from {place.id!r}, the place it joins; "
                    f"expected within {ROAD_END_GAP_KM:g} km: draw the road to the place, or "
                    "put the place back where its roads meet",
                )
            )
    return found + _length_findings(a, b, line, length_km)


def _length_findings(
    a: Located, b: Located, line: Sequence[Point], length_km: float | None
) -> list[Finding]:
    ends = (a.lon, a.lat), (b.lon, b.lat)
    if length_km is None and len(line) == 2 and (line[0], line[1]) == ends:
        return []  # drawn straight from place to place: as long as the line, nothing to judge
    straight = haversine_km(*ends)
    if length_km is None:
        length, part = polyline_km(line), ("geometry",)
        what = f"its drawn length {length:,.1f} km"
    else:
        length, part = length_km, ("properties", "length_km")
        what = f"length_km {length:g}"
    if length < ROAD_SHORTEST_SHARE * straight - COORDINATE_SLACK_KM:
        problem = (
            f"{what} is far shorter than the {straight:,.1f} km straight line between "
            f"{a.id!r} and {b.id!r}; expected at least {ROAD_SHORTEST_SHARE:g} of it"
        )
        return [Finding(part, problem)]
    if length > ROAD_DETOUR_SHARE * straight + COORDINATE_SLACK_KM:
        problem = (
            f"{what} is {length / max(straight, 1e-9):,.1f} times the {straight:,.1f} km "
            f"straight line between {a.id!r} and {b.id!r}; roads rarely wind more than "
            f"{ROAD_DETOUR_SHARE:g} times"
        )
        return [Finding(part, problem, refused=False)]
    return []


def connection_finding(
    ids: Sequence[str], kinds: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> Finding | None:
    """What keeps units from reaching every place by road, or None.

    `kinds[i]` is place `ids[i]`'s kind as its number in PLACE_KINDS; road j joins
    places `starts[j]` and `ends[j]`. Every home place must be reachable from every
    other without going abroad (units never travel through a foreign sanctuary), and
    every sanctuary must have a road. Part ("roads",) names the roads as a whole; ()
    the map, for a map with no home place at all.
    """
    from scipy.sparse.csgraph import connected_components  # here: help needs no SciPy

    home = kinds != KIND_NUMBER[PlaceKind.SANCTUARY]
    if not home.any():
        return Finding((), "expected at least one place that is not a foreign sanctuary")
    count = len(ids)
    inland = home[starts] & home[ends]
    _, component = connected_components(_graph(starts[inland], ends[inland], count), directed=False)
    largest = np.bincount(component[home]).argmax()
    joined = np.zeros(count, dtype=bool)
    joined[starts] = joined[ends] = True
    cut_off = np.flatnonzero((home & (component != largest)) | (~home & ~joined))
    if not len(cut_off):
        return None
    _, anyhow = connected_components(_graph(starts, ends, count), directed=False)
    abroad = (anyhow[cut_off] == anyhow[np.argmax(component == largest)]).any()
    return Finding(
        ("roads",),
        "expected every place to be reachable by road; not connected to the rest: "
        + name_list(sorted(ids[i] for i in cut_off))
        + (" (only through a foreign sanctuary, where units do not go)" if abroad else ""),
    )


def _graph(starts: np.ndarray, ends: np.ndarray, count: int) -> coo_array:
    from scipy.sparse import coo_array

    return coo_array((np.ones(len(starts), dtype=np.int8), (starts, ends)), shape=(count, count))
