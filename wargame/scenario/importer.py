"""A theatre's map from the files people actually have: spreadsheets (CSV) and GIS layers.

Why: a theatre builder keeps places in a spreadsheet or draws them in QGIS,
whose GeoJSON export differs from ours in small ways - one file per layer,
`null` for an empty cell, a `fid` column, roads as MultiLineStrings, roads
drawn between places without saying which. `wargame import-map` turns such
files into the one map format the loader reads, and every problem is reported
against the builder's own file and line (or feature), not the output.

Each input file is sorted by what it holds:
- CSV with an `id` column: places (`lon`/`lat` or `longitude`/`latitude`);
- CSV with `from` and `to` columns: roads, drawn straight between their places;
- CSV with only `lon`/`lat` columns: the border line, its points in order;
- GeoJSON: Point features are places, LineStrings roads (a road without
  `from`/`to` joins the places nearest its two ends), `kind = "border"` the border.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from wargame.files import written_whole
from wargame.scenario.errors import ScenarioError
from wargame.scenario.loader import _check, _read_json, haversine_km, load_map
from wargame.scenario.schema import PlaceProperties, RoadProperties, lon_lat

GEOJSON_SUFFIXES = {".geojson", ".json"}
LONGITUDE = ("lon", "longitude", "x")
LATITUDE = ("lat", "latitude", "y")
GIS_COLUMNS = {"fid"}  # added by QGIS to every layer; not a property of a place or road
WGS84 = ("CRS84", "4326")  # the only coordinates a map holds: degrees of longitude and latitude
DEFAULT_SNAP_KM = 1.0


@dataclass
class _Collected:
    """Features gathered from every input, each with the file and line it came from."""

    features: list[dict] = field(default_factory=list)
    origins: list[tuple[Path, str]] = field(default_factory=list)
    unsnapped: list[int] = field(default_factory=list)  # roads drawn without from/to

    def add(self, feature: dict, path: Path, where: str) -> None:
        self.features.append(feature)
        self.origins.append((path, where))


def import_map(sources: list[Path], out: Path, snap_km: float = DEFAULT_SNAP_KM) -> str:
    """Read places, roads and border from `sources`, write `out` as GeoJSON; returns a summary.

    Raises ScenarioError naming the input file and line (or feature) of the
    first problem; `out` is then left as it was.
    """
    collected = _Collected()
    for path in sources:
        path = Path(path)
        if path.suffix.lower() in GEOJSON_SUFFIXES:
            _read_geojson(path, collected)
        elif path.suffix.lower() == ".csv":
            _read_csv(path, collected)
        else:
            raise ScenarioError(path, "", "expected a .csv or .geojson file")
    _snap_roads(collected, snap_km)
    document = {"type": "FeatureCollection", "features": collected.features}
    with written_whole(Path(out)) as staging:
        staging.write_text(_one_feature_a_line(document), encoding="utf-8")
        try:
            theatre_map = load_map(staging)  # every check the loader makes, blamed on the inputs
        except ScenarioError as error:
            raise _blame_input(error, collected, sources) from None
    border = ", a border line" if theatre_map.border else ""
    return f"{len(theatre_map.places)} places, {len(theatre_map.roads)} roads{border}"


# --- CSV -----------------------------------------------------------------------------


def _read_csv(path: Path, collected: _Collected) -> None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.DictReader(stream)
            rows = [(reader.line_num, row) for row in reader]
            header = [name.strip() for name in reader.fieldnames or []]
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ScenarioError(path, "", f"cannot be read as CSV: {error}") from None
    if not rows:
        raise ScenarioError(path, "", "expected a header line and at least one row")
    unreadable = [name for name in header if not name.isprintable()]
    if unreadable:
        problem = f"column name {unreadable[0]!r} holds control characters"
        raise ScenarioError(path, "line 1", problem)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:  # csv would keep the last of them silently
        raise ScenarioError(path, "line 1", f"column {repeated[0]!r} given twice")
    columns = set(header)
    lon, lat = _coordinate_columns(columns)
    if "from" in columns or "to" in columns:
        kind = "road"
    elif "id" in columns:
        kind = "place"
    elif lon and lat and columns <= {lon, lat, *GIS_COLUMNS}:
        kind = "border"
    else:
        raise ScenarioError(
            path,
            "line 1",
            "expected columns id, name, kind, country, lon, lat, ... (places), "
            f"from, to, kind, ... (roads) or lon, lat (the border); got {header!r}",
        )
    if kind == "place" and not (lon and lat):
        raise ScenarioError(path, "line 1", "places need columns lon and lat (degrees)")
    border: list[list[float]] = []
    for number, raw in rows:
        if None in raw:
            raise ScenarioError(path, f"line {number}", "more cells than the header has columns")
        row = {k.strip(): v.strip() for k, v in raw.items() if k and v and v.strip()}
        row = {k: v for k, v in row.items() if k not in GIS_COLUMNS}
        if not row:
            continue  # a blank line in a spreadsheet
        where = f"line {number}"
        if kind == "border":
            border.append(_point(row, lon, lat, path, where))
        elif kind == "place":
            point = _point(row, lon, lat, path, where)
            properties = {k: v for k, v in row.items() if k not in (lon, lat)}
            label = f"place {properties.get('id')!r}"
            parsed = _check(PlaceProperties, properties, path, (where,), {(where,): label})
            collected.add(_feature("Point", point, _dump(parsed)), path, f"{where} ({label})")
        else:
            label = f"road {row.get('from')!r}-{row.get('to')!r}"
            parsed = _check(RoadProperties, row, path, (where,), {(where,): label})
            # the geometry is filled in once every place is known
            collected.add(_feature("LineString", [], _dump(parsed)), path, f"{where} ({label})")
    if border:
        feature = _feature("LineString", border, {"kind": "border", "name": path.stem})
        collected.add(feature, path, "the border's points")


def _coordinate_columns(columns: set[str]) -> tuple[str | None, str | None]:
    lon = next((c for c in LONGITUDE if c in columns), None)
    lat = next((c for c in LATITUDE if c in columns), None)
    return lon, lat


def _point(row: dict, lon: str | None, lat: str | None, path: Path, where: str) -> list[float]:
    try:
        point = [float(row[lon]), float(row[lat])]
    except (KeyError, TypeError, ValueError):
        raise ScenarioError(
            path, where, f"expected {lon} and {lat} as numbers (degrees), got "
            f"{row.get(lon)!r} and {row.get(lat)!r}",
        ) from None  # fmt: skip
    if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
        raise ScenarioError(path, where, f"expected longitude and latitude in degrees, got {point}")
    return point


# --- GeoJSON (QGIS and other GIS tools) ------------------------------------------------


def _read_geojson(path: Path, collected: _Collected) -> None:
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ScenarioError(path, "type", "expected a GeoJSON FeatureCollection")
    _check_crs(document, path)
    features = document.get("features")
    if not isinstance(features, list):
        raise ScenarioError(path, "features", "expected a list of features")
    snapped: set[int] = set()
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise ScenarioError(path, where, "expected a Feature with a geometry")
        given = feature.get("properties") or {}
        if not isinstance(given, dict):
            raise ScenarioError(path, f"{where}.properties", "expected an object of properties")
        properties = {
            k: v for k, v in given.items() if v is not None and v != "" and k not in GIS_COLUMNS
        }
        kind, coordinates = _single_part(feature["geometry"], path, where)
        if kind == "Point":
            label = f"place {properties.get('id')!r}"
            parsed = _check(PlaceProperties, properties, path, (where,), {(where,): label})
            feature = _feature("Point", coordinates[:2], _dump(parsed))
            collected.add(feature, path, f"{where} ({label})")
            continue
        line = [list(point[:2]) for point in coordinates]
        if properties.get("kind") == "border":
            collected.add(_feature("LineString", line, properties), path, where)
            continue
        label = "a road drawn without from/to"
        if "from" not in properties and "to" not in properties:
            snapped.add(index)
            collected.unsnapped.append(len(collected.features))
            properties = {"from": "unknown", "to": "unknown", **properties}
        if index not in snapped:
            label = f"road {properties.get('from')!r}-{properties.get('to')!r}"
        parsed = _check(RoadProperties, properties, path, (where,), {(where,): label})
        collected.add(_feature("LineString", line, _dump(parsed)), path, f"{where} ({label})")


def _check_crs(document: dict, path: Path) -> None:
    crs = document.get("crs")
    if crs is None:
        return  # RFC 7946: GeoJSON without a crs member is WGS 84 longitude, latitude
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if not any(code in name for code in WGS84):
        raise ScenarioError(
            path,
            "crs",
            f"coordinates are in {name or crs!r}; export the layer as EPSG:4326 (WGS 84) "
            "longitude and latitude",
        )


def _single_part(geometry: dict, path: Path, where: str) -> tuple[str, list]:
    """Point or LineString; a GIS tool's one-part MultiPoint or MultiLineString is taken apart."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind in ("MultiPoint", "MultiLineString") and isinstance(coordinates, list):
        if len(coordinates) != 1:
            raise ScenarioError(
                path,
                f"{where}.geometry",
                f"a {kind} of {len(coordinates)} parts; expected one place or one road per feature",
            )
        kind, coordinates = kind.removeprefix("Multi"), coordinates[0]
    if kind not in ("Point", "LineString") or not isinstance(coordinates, list):
        raise ScenarioError(
            path,
            f"{where}.geometry.type",
            f"expected a Point (a place) or a LineString (a road or the border), got {kind!r}",
        )
    points = coordinates if kind == "LineString" else [coordinates]
    if kind == "LineString" and len(points) < 2:
        raise ScenarioError(path, f"{where}.geometry", "expected a line of two or more points")
    for point in points:
        try:
            lon_lat((float(point[0]), float(point[1])))
        except (TypeError, ValueError, IndexError, KeyError) as error:
            problem = (
                str(error)
                if isinstance(error, ValueError) and "degrees" in str(error)
                else (f"expected [longitude, latitude] in degrees, got {point!r}")
            )
            raise ScenarioError(path, f"{where}.geometry.coordinates", problem) from None
    return kind, coordinates


# --- roads: geometry and ends -------------------------------------------------------


def _snap_roads(collected: _Collected, snap_km: float) -> None:
    """Straight lines for CSV roads; the nearest places for roads drawn without from/to."""
    places = {
        f["properties"]["id"]: f["geometry"]["coordinates"]
        for f in collected.features
        if f["geometry"]["type"] == "Point"
    }
    unsnapped = set(collected.unsnapped)
    for index, feature in enumerate(collected.features):
        properties, geometry = feature["properties"], feature["geometry"]
        if geometry["type"] != "LineString" or properties.get("kind") == "border":
            continue
        if index in unsnapped:
            path, where = collected.origins[index]
            line = geometry["coordinates"]
            properties["from"] = _nearest(places, line[0], snap_km, path, where, "start")
            properties["to"] = _nearest(places, line[-1], snap_km, path, where, "end")
        elif not geometry["coordinates"]:
            ends = [places.get(properties["from"]), places.get(properties["to"])]
            # an unknown end is left for the loader's check, which names it
            geometry["coordinates"] = ends if None not in ends else [[0.0, 0.0], [0.0, 0.0]]


def _nearest(
    places: dict[str, list[float]],
    point: list[float],
    snap_km: float,
    path: Path,
    where: str,
    end: str,
) -> str:
    if not places:
        raise ScenarioError(path, where, "a road, but no places were given to join")
    distance, place = min((haversine_km(tuple(point), tuple(p)), i) for i, p in places.items())
    if distance > snap_km:
        raise ScenarioError(
            path,
            where,
            f"the road's {end} is {distance:.1f} km from the nearest place ({place!r}); "
            f"draw it from a place (within {snap_km:g} km: --snap-km) or give 'from' and 'to'",
        )
    return place


# --- helpers --------------------------------------------------------------------------


def _feature(kind: str, coordinates: list, properties: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }


def _one_feature_a_line(document: dict) -> str:
    """GeoJSON a person can read and a version control system can diff: a line per feature."""
    features = ",\n".join(json.dumps(feature) for feature in document["features"])
    return f'{{"type": "FeatureCollection", "features": [\n{features}\n]}}\n'


def _dump(parsed: PlaceProperties | RoadProperties) -> dict:
    return parsed.model_dump(mode="json", by_alias=True, exclude_none=True)


_FEATURE = re.compile(r"^features\[(\d+)\](?: \([^)]*\))?\.?(.*)$")


def _blame_input(error: ScenarioError, collected: _Collected, sources: list[Path]) -> ScenarioError:
    """The loader's complaint about the written map, moved to the input line it came from."""
    match = _FEATURE.match(error.where)
    if match:
        path, where = collected.origins[int(match.group(1))]
        rest = match.group(2)
        properties = rest.removeprefix("properties.")
        return ScenarioError(path, f"{where}.{properties}" if properties else where, error.problem)
    # a problem of the whole network (places cut off) is blamed on the roads' file
    roads = [
        path
        for feature, (path, _) in zip(collected.features, collected.origins, strict=True)
        if feature["geometry"]["type"] == "LineString"
        and feature["properties"].get("kind") != "border"
    ]
    return ScenarioError(roads[0] if roads else sources[0], error.where, error.problem)
