"""A theatre's basemap: the coast, rivers, lakes and country borders drawn under its roads.

A basemap is a GeoJSON FeatureCollection of Natural Earth features clipped to the
theatre (`wargame basemap` makes one), each with a `layer` property. It is only
drawn, never simulated, so it is checked here once and every drawing may trust it:
a known layer, the geometry that layer draws, and lon/lat that are numbers on the
globe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from wargame.files import StrPath
from wargame.scenario.errors import ScenarioError
from wargame.scenario.json_file import read_json

LAYERS = ("ocean", "land", "lake", "river", "coast", "border")
"""The layers a basemap feature may belong to, in drawing order, bottom first."""

_LINES = ("LineString", "MultiLineString")
_POLYGONS = ("Polygon", "MultiPolygon")
GEOMETRIES = {
    "ocean": _POLYGONS,
    "land": _POLYGONS,
    "lake": _POLYGONS,
    "river": _LINES,
    "coast": _LINES,
    "border": _LINES,
}
"""The geometry types each layer draws: areas are filled, lines stroked."""


@dataclass(frozen=True)
class Basemap:
    path: Path
    bbox: tuple[float, float, float, float]
    """lon_min, lat_min, lon_max, lat_max: the file's own `bbox`, or its features' extent."""
    features: tuple[dict, ...]
    """GeoJSON Feature dicts, checked, each with `properties["layer"]` in LAYERS."""

    def layer(self, name: str) -> tuple[dict, ...]:
        """The features of one layer, in the file's order."""
        if name not in LAYERS:
            raise ValueError(f"unknown basemap layer {name!r}; expected one of {LAYERS}")
        return tuple(f for f in self.features if f["properties"]["layer"] == name)


def load_basemap(path: StrPath) -> Basemap:
    """A basemap file, checked; raises ScenarioError naming the feature and what was expected."""
    path = Path(path)
    return checked_basemap(path, read_json(path))


def checked_basemap(path: StrPath, document: object) -> Basemap:
    """A basemap from a GeoJSON document read from `path` (which messages name), checked."""
    path = Path(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ScenarioError(path, "type", "expected a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise ScenarioError(path, "features", "expected a list of GeoJSON Features")
    extent = _Extent()
    for index, feature in enumerate(features):
        _check_feature(path, index, feature, extent)
    bbox = (
        _given_bbox(path, document["bbox"]) if document.get("bbox") is not None else extent.bbox()
    )
    if bbox is None:
        raise ScenarioError(path, "features", "expected at least one feature, or a bbox")
    return Basemap(path, bbox, tuple(features))


class _Extent:
    """The lon/lat box of every position seen so far."""

    def __init__(self) -> None:
        self.lon_min = self.lat_min = math.inf
        self.lon_max = self.lat_max = -math.inf

    def add(self, lon: float, lat: float) -> None:
        self.lon_min, self.lon_max = min(self.lon_min, lon), max(self.lon_max, lon)
        self.lat_min, self.lat_max = min(self.lat_min, lat), max(self.lat_max, lat)

    def bbox(self) -> tuple[float, float, float, float] | None:
        if self.lon_min > self.lon_max:
            return None
        return (self.lon_min, self.lat_min, self.lon_max, self.lat_max)


def _check_feature(path: Path, index: int, feature: object, extent: _Extent) -> None:
    where = f"features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ScenarioError(path, where, "expected a GeoJSON Feature object")
    properties = feature.get("properties")
    layer = properties.get("layer") if isinstance(properties, dict) else None
    if layer not in LAYERS:
        raise ScenarioError(
            path,
            f"{where}.properties.layer",
            f"expected one of {', '.join(LAYERS)}, got {layer!r}",
        )
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    allowed = GEOMETRIES[layer]
    if kind not in allowed:
        raise ScenarioError(
            path,
            f"{where}.geometry.type",
            f"a {layer} feature is drawn as {' or '.join(allowed)}, got {kind!r}",
        )
    # A Multi* geometry is a list of the single ones; a polygon a list of closed rings.
    depth = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}[kind]
    fewest = 4 if kind in _POLYGONS else 2
    _check_parts(
        path, f"{where}.geometry.coordinates", geometry.get("coordinates"), depth, fewest, extent
    )


def _check_parts(
    path: Path, where: str, parts: object, depth: int, fewest: int, extent: _Extent
) -> None:
    """Nested lists `depth` deep above lines of at least `fewest` [lon, lat] positions (made
    so in place: a [lon, lat, altitude] loses its altitude)."""
    if not isinstance(parts, list) or not parts:
        what = "a line of positions" if depth == 0 else "a non-empty list of parts"
        raise ScenarioError(path, where, f"expected {what}")
    if depth:
        for number, part in enumerate(parts):
            _check_parts(path, f"{where}[{number}]", part, depth - 1, fewest, extent)
        return
    if len(parts) < fewest:
        shape = "a closed ring of at least 4" if fewest == 4 else "at least 2"
        raise ScenarioError(path, where, f"expected {shape} positions, got {len(parts)}")
    for number, position in enumerate(parts):
        extent.add(*_position(path, f"{where}[{number}]", position))
        del position[2:]  # an altitude is dropped: drawing takes every position as [lon, lat]


def _position(path: Path, where: str, position: object) -> tuple[float, float]:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(_is_number(value) for value in position)
    ):
        raise ScenarioError(path, where, f"expected [lon, lat] in degrees, got {position!r:.60}")
    lon, lat = position[0], position[1]
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ScenarioError(
            path, where, f"[{lon}, {lat}] is off the globe: expected lon -180..180, lat -90..90"
        )
    return float(lon), float(lat)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _given_bbox(path: Path, bbox: object) -> tuple[float, float, float, float]:
    if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
        raise ScenarioError(path, "bbox", "expected [lon_min, lat_min, lon_max, lat_max]")
    lon_min, lat_min, lon_max, lat_max = (float(v) for v in bbox)
    on_globe = -180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90
    if not on_globe:
        raise ScenarioError(
            path,
            "bbox",
            f"{bbox} is not a box on the globe: expected lon_min < lon_max within -180..180 "
            "and lat_min < lat_max within -90..90",
        )
    return (lon_min, lat_min, lon_max, lat_max)
