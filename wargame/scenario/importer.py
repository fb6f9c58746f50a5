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

Columns a place or road does not have (a sheet's own notes) are ignored and
named in the summary; one that looks like a misspelling of a column is refused,
since its values would be lost. Spreadsheets are read a row at a time and each
feature is written as soon as it is checked, so a large sheet needs memory for
its places' ids, kinds and coordinates only, not for its text. The checks the
loader makes across features are made here on that compact record: ids unique,
roads between known places, one road a pair, and the map's own rules
(`map_rules`: no road between sanctuaries, a road's ends at its places and its
length near the straight line, every place reachable), the same functions the
loader calls, so a map import-map writes is one the loader reads. Every problem
found is reported, not only the first; what is merely strange is a warning.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TextIO

import numpy as np
from pydantic import BaseModel, ValidationError
from scipy.spatial import KDTree

from wargame.files import StrPath, written_whole
from wargame.progress import Update
from wargame.scenario.errors import (
    Problems,
    ScenarioError,
    ScenarioWarning,
    describe_location,
    name_list,
    quoted,
    shown,
    validation_problems,
)
from wargame.scenario.json_file import read_json
from wargame.scenario.map_rules import (
    KIND_NUMBER,
    PLACE_KINDS,
    Finding,
    Point,
    connection_finding,
    haversine_km,
    road_findings,
)
from wargame.scenario.schema import (
    BorderProperties,
    PlaceKind,
    PlaceProperties,
    RoadProperties,
    lon_lat,
)

GEOJSON_SUFFIXES = {".geojson", ".json"}
LONGITUDE = ("lon", "longitude", "x")
LATITUDE = ("lat", "latitude", "y")
GIS_COLUMNS = {"fid"}  # added by QGIS to every layer; not a property of a place or road
WGS84 = ("CRS84", "4326")  # the only coordinates a map holds: degrees of longitude and latitude
DEFAULT_SNAP_KM = 1.0
COLUMNS = {  # the columns (properties) of each kind of feature, as a file names them
    kind: tuple(f.alias or name for name, f in schema.model_fields.items())
    for kind, schema in (
        ("place", PlaceProperties),
        ("road", RoadProperties),
        ("border", BorderProperties),
    )
}
MISSPELT = 0.8  # similarity (difflib's ratio) above which an unknown column is a misspelling
PROGRESS_EVERY_ROWS = 5000
MEGABYTE = 2**20
EMPTY = "empty, and this column has no default: fill it in"
NULL = "missing or null, and this property has no default: fill it in"


def import_map(
    sources: list[StrPath],
    out: StrPath,
    snap_km: float = DEFAULT_SNAP_KM,
    progress: Update | None = None,
) -> str:
    """Read places, roads and border from `sources`, write `out` as GeoJSON; returns a summary.

    Places are read first, whatever the order of `sources`, so that roads are
    drawn and checked as they are read. Raises ScenarioError naming the input
    file and line (or feature) of each problem (a ScenarioProblems when there
    are several); `out` is then left as it was. `progress(done, total, note)`
    is told the megabytes read so far.
    """
    if not sources:
        raise ValueError("import_map needs at least one file to read")
    problems = Problems()
    inputs = [source for path in sources if (source := _classified(Path(path), problems))]
    with written_whole(Path(out)) as staging, staging.open("w", encoding="utf-8") as stream:
        reading = _Reading(problems, snap_km, _MapWriter(stream), progress, inputs)
        reading.network.trusted = len(inputs) == len(sources)
        for source in inputs:
            if source.kind in PLACES_FIRST and not reading.read(source, PLACES_FIRST[source.kind]):
                reading.network.trusted = False  # the places it held are unknown
        for source in inputs:
            if source.kind in LINES_AFTER:
                reading.read(source, LINES_AFTER[source.kind], counted=source.kind != "layer")
        if not problems:
            with problems.noted():
                reading.network.check_whole(inputs)
        problems.raise_any()
        reading.map.close()
    problems.say_strange()
    return reading.summary()


# --- spreadsheets (CSV) ----------------------------------------------------------------


@dataclass
class _Source:
    """One input file, sorted by what it holds; a CSV's header is already checked."""

    path: Path
    kind: str  # place, road, border (CSV) or layer (GeoJSON)
    size: int
    header: list[str] = field(default_factory=list)
    lon: str = ""
    lat: str = ""
    ignored: set[str] = field(default_factory=set)  # columns or properties not read
    # a layer's roads and border, kept until every place is read: (where, properties, line)
    lines: list[tuple[str, dict, list[Point]]] = field(default_factory=list)


def _classified(path: Path, problems: Problems) -> _Source | None:
    """The file's kind, from its suffix and (CSV) its columns; None after noting its problems."""
    with problems.noted():
        suffix = path.suffix.lower()
        if suffix not in GEOJSON_SUFFIXES and suffix != ".csv":
            raise ScenarioError(path, "", "expected a .csv or .geojson file")
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise ScenarioError(path, "", "file not found") from None
        except OSError as error:
            raise ScenarioError(path, "", f"cannot be read: {error}") from None
        if suffix in GEOJSON_SUFFIXES:
            return _Source(path, "layer", size)
        return _csv_source(path, size, problems)
    return None


def _csv_source(path: Path, size: int, problems: Problems) -> _Source | None:
    """A CSV sorted by its columns; each problem of its header is noted, and then its rows
    are not read (a missing or misspelt column would make every row wrong)."""
    with _Spreadsheet(path) as sheet:
        _, first = next(sheet.records(), (0, []))
    header = [name.strip() for name in first]
    if not header:
        raise ScenarioError(path, "", "expected a header line and at least one row")
    found_before = len(problems)
    for name in header:
        if not name.isprintable():
            problem = f"column name {quoted(name)} holds control characters"
            problems.add(ScenarioError(path, "line 1", problem))
    for name in sorted(n for n, times in Counter(header).items() if n and times > 1):
        # csv would keep the last of them silently
        problems.add(ScenarioError(path, "line 1", f"column {quoted(name)} given twice"))
    columns = set(header) - {""}
    lon = next((c for c in LONGITUDE if c in columns), "")
    lat = next((c for c in LATITUDE if c in columns), "")
    if "from" in columns or "to" in columns:
        source = _Source(path, "road", size, header)
        known, required = COLUMNS["road"], _required(RoadProperties)
    elif "id" in columns:
        source = _Source(path, "place", size, header, lon, lat)
        known, required = (
            (*COLUMNS["place"], lon or "lon", lat or "lat"),
            _required(PlaceProperties),
        )
        if not (lon and lat):
            problems.add(ScenarioError(path, "line 1", "places need columns lon and lat (degrees)"))
    elif lon and lat and columns <= {lon, lat, *GIS_COLUMNS}:
        return _Source(path, "border", size, header, lon, lat)
    else:
        raise ScenarioError(
            path,
            "line 1",
            "expected columns id, name, kind, country, lon, lat, ... (places), "
            f"from, to, kind, ... (roads) or lon, lat (the border); got {name_list(header)}",
        )
    misspelt = {}
    for name in sorted(columns - {*known, *GIS_COLUMNS}):
        likely = _misspelt(name, known, columns)
        if likely:
            misspelt[likely] = name
            problems.add(ScenarioError(path, "line 1", _rename(name, likely, source.kind)))
        else:
            source.ignored.add(name)
    missing = [name for name in required if name not in columns and name not in misspelt]
    if missing:
        need = f"{source.kind}s need columns {', '.join(required)}; missing: {', '.join(missing)}"
        problems.add(ScenarioError(path, "line 1", need))
    return source if len(problems) == found_before else None


def _required(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(f.alias or name for name, f in model.model_fields.items() if f.is_required())


def _misspelt(name: str, known: tuple[str, ...], present: Iterable[str]) -> str | None:
    """The known column `name` is likely a misspelling of, unless that one is there too."""
    likely = difflib.get_close_matches(name.lower(), known, n=1, cutoff=MISSPELT)
    return likely[0] if likely and likely[0] not in present else None


def _rename(name: str, likely: str, kind: str) -> str:
    """Why a column (or property) is refused rather than ignored: its values would be lost."""
    return (
        f"{shown(name)}: did you mean {likely!r}? Rename it "
        f"(a column of your own needs a name unlike those a {kind} has)"
    )


class _Spreadsheet:
    """A CSV file read a record at a time, with line numbers and the bytes read so far; a
    file that cannot be read is one problem, at the line where it stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.raw = path.open("rb")
        except FileNotFoundError:
            raise ScenarioError(path, "", "file not found") from None
        except OSError as error:
            raise ScenarioError(path, "", f"cannot be read: {error}") from None
        self.text = io.TextIOWrapper(self.raw, encoding="utf-8-sig", newline="")
        self.reader = csv.reader(self.text)

    def __enter__(self) -> _Spreadsheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.text.close()

    @property
    def position(self) -> int:
        return self.raw.tell()

    def records(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in self.reader:
                yield self.reader.line_num, cells
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            after = f" after line {self.reader.line_num}" if self.reader.line_num else ""
            raise ScenarioError(self.path, "", f"cannot be read as CSV{after}: {error}") from None


def _rows(source: _Source, reading: _Reading) -> Iterator[tuple[str, dict[str, str]]]:
    """Each row of a CSV as (where, its cells by column), blank rows and ignored columns left
    out; a row with more cells than the header is a problem, noted, and skipped."""
    wanted = [
        (i, name)
        for i, name in enumerate(source.header)
        if name and name not in source.ignored and name not in GIS_COLUMNS
    ]
    seen = 0
    with _Spreadsheet(source.path) as sheet:
        records = sheet.records()
        next(records, None)  # the header, checked already
        for number, cells in records:
            if number % PROGRESS_EVERY_ROWS == 0:
                reading.reached(source, sheet.position)
            if len(cells) > len(source.header):
                problem = "more cells than the header has columns"
                reading.problems.add(ScenarioError(source.path, f"line {number}", problem))
                continue
            row = {
                name: value for i, name in wanted if i < len(cells) and (value := cells[i].strip())
            }
            if row:
                seen += 1
                yield f"line {number}", row
    if not seen and not reading.problems.counts[source.path]:
        raise ScenarioError(source.path, "", "expected a header line and at least one row")


def _read_place_rows(source: _Source, reading: _Reading) -> None:
    for where, row in _rows(source, reading):
        properties = {k: v for k, v in row.items() if k not in (source.lon, source.lat)}
        try:
            point = _point(row, source, where)
        except ScenarioError as problem:
            reading.problems.add(problem)
            point = None
        reading.place(properties, point, source.path, where, EMPTY)


def _read_road_rows(source: _Source, reading: _Reading) -> None:
    for where, row in _rows(source, reading):
        reading.road(row, None, source.path, where, EMPTY)


def _read_border_rows(source: _Source, reading: _Reading) -> None:
    points = array("d")  # a border may be long: its points as plain numbers, not objects
    for where, row in _rows(source, reading):
        with reading.problems.noted():
            points.extend(_point(row, source, where))
    if reading.problems.counts[source.path]:
        return
    if len(points) < 4:
        raise ScenarioError(source.path, "", "expected two or more points along the border")
    pairs = zip(points[::2], points[1::2], strict=True)
    reading.map.line(pairs, {"kind": "border", "name": source.path.stem})
    reading.borders += 1


def _point(row: dict, source: _Source, where: str) -> Point:
    lon, lat = source.lon, source.lat
    try:
        point = float(row[lon]), float(row[lat])
    except (KeyError, ValueError):
        raise ScenarioError(
            source.path, where, f"expected {lon} and {lat} as numbers (degrees), got "
            f"{quoted(row.get(lon))} and {quoted(row.get(lat))}",
        ) from None  # fmt: skip
    if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
        raise ScenarioError(
            source.path, where, f"expected longitude and latitude in degrees, got {list(point)}"
        )
    return point


# --- GeoJSON (QGIS and other GIS tools) ------------------------------------------------


def _read_layer(source: _Source, reading: _Reading) -> None:
    """A layer's places, checked and written at once; its roads and border kept for after
    every place is known."""
    path = source.path
    document = read_json(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ScenarioError(path, "type", "expected a GeoJSON FeatureCollection")
    _check_crs(document, path)
    features = document.get("features")
    if not isinstance(features, list):
        raise ScenarioError(path, "features", "expected a list of features")
    for index, feature in enumerate(features):
        with reading.problems.noted():
            where = f"features[{index}]"
            properties = _properties(feature, path, where)
            kind, points = _single_part(feature["geometry"], path, where)
            if kind == "LineString":
                source.lines.append((where, properties, points))
                continue
            known = _known(properties, "place", source, where, reading)
            reading.place(known, points[0], path, where, NULL)


def _read_layer_lines(source: _Source, reading: _Reading) -> None:
    for where, properties, line in source.lines:
        if properties.get("kind") == "border":
            known = _known(properties, "border", source, where, reading)
            border = reading.validated(
                BorderProperties, known, source.path, where, lambda: "the border", NULL
            )
            if border:
                reading.map.line(line, known)
                reading.borders += 1
        else:
            known = _known(properties, "road", source, where, reading)
            reading.road(known, line, source.path, where, NULL)
    source.lines.clear()


def _properties(feature: object, path: Path, where: str) -> dict:
    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        raise ScenarioError(path, where, "expected a Feature with a geometry")
    given = feature.get("properties") or {}
    if not isinstance(given, dict):
        raise ScenarioError(path, f"{where}.properties", "expected an object of properties")
    return {k: v for k, v in given.items() if v is not None and v != "" and k not in GIS_COLUMNS}


def _known(properties: dict, kind: str, source: _Source, where: str, reading: _Reading) -> dict:
    """The properties a place, road or border has; others are ignored (and named in the
    summary), unless one looks like a misspelling of a property, which is a problem."""
    known = COLUMNS[kind]
    for name in properties.keys() - set(known):
        likely = _misspelt(name, known, properties)
        if likely:
            problem = _rename(name, likely, kind)
            reading.problems.add(ScenarioError(source.path, f"{where}.properties", problem))
        else:
            source.ignored.add(name)
    return {k: v for k, v in properties.items() if k in known}


def _check_crs(document: dict, path: Path) -> None:
    crs = document.get("crs")
    if crs is None:
        return  # RFC 7946: GeoJSON without a crs member is WGS 84 longitude, latitude
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = str(properties.get("name", "")) if isinstance(properties, dict) else ""
    if not any(code in name for code in WGS84):
        raise ScenarioError(
            path,
            "crs",
            f"coordinates are in {quoted(name or crs)}; export the layer as EPSG:4326 (WGS 84) "
            "longitude and latitude",
        )


def _single_part(geometry: dict, path: Path, where: str) -> tuple[str, list[Point]]:
    """Point or LineString, and its points in degrees; a GIS tool's one-part MultiPoint or
    MultiLineString is taken apart, and a third coordinate (height) left out."""
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
            f"expected a Point (a place) or a LineString (a road or the border), "
            f"got {quoted(kind)}",
        )
    points = coordinates if kind == "LineString" else [coordinates]
    if kind == "LineString" and len(points) < 2:
        raise ScenarioError(path, f"{where}.geometry", "expected a line of two or more points")
    checked = []
    for point in points:
        try:
            checked.append(lon_lat((float(point[0]), float(point[1]))))
        except (TypeError, ValueError, IndexError, KeyError) as error:
            problem = (
                str(error)
                if isinstance(error, ValueError) and "degrees" in str(error)
                else (f"expected [longitude, latitude] in degrees, got {quoted(point)}")
            )
            raise ScenarioError(path, f"{where}.geometry.coordinates", problem) from None
    return kind, checked


# --- what has been read: places, roads and the checks across them -----------------------


class _Place(NamedTuple):
    """A place as the road rules need it (map_rules.Located), from the compact record."""

    id: str
    kind: PlaceKind
    lon: float
    lat: float


@dataclass
class _Network:
    """Places and roads as read, kept compact (a map may hold hundreds of thousands), for the
    loader's checks across features: ids unique, roads between known places, one road a
    pair, and the map's rules (map_rules) over the places' kinds and points."""

    index: dict[str, int] = field(default_factory=dict)  # place id: its number
    kinds: bytearray = field(default_factory=bytearray)  # its kind's number in PLACE_KINDS
    lon: array = field(default_factory=lambda: array("d"))
    lat: array = field(default_factory=lambda: array("d"))
    first_place: list[str] = field(default_factory=list)  # where each place was read
    broken: set[str] = field(default_factory=set)  # ids of places that have problems
    first_road: dict[tuple[int, int], str] = field(default_factory=dict)
    ends: tuple[array, array] = field(default_factory=lambda: (array("q"), array("q")))
    trusted: bool = True  # False once a file of places could not be read: ends unknowable
    _ids: list[str] = field(default_factory=list)
    _tree: KDTree | None = None

    def add_place(self, place_id: str, kind: PlaceKind, point: Point, origin: str) -> None:
        """Raises ValueError for an id given before."""
        if place_id in self.index:
            first = self.first_place[self.index[place_id]]
            raise ValueError(f"duplicate place id {place_id!r} (the first is {first})")
        self.index[place_id] = len(self.first_place)
        self.kinds.append(KIND_NUMBER[kind])
        self.lon.append(point[0])
        self.lat.append(point[1])
        self.first_place.append(origin)

    def point(self, place_id: str) -> Point:
        i = self.index[place_id]
        return self.lon[i], self.lat[i]

    def place(self, place_id: str) -> _Place:
        i = self.index[place_id]
        return _Place(place_id, PLACE_KINDS[self.kinds[i]], self.lon[i], self.lat[i])

    def add_road(self, start: str, end: str, origin: str) -> str | None:
        """The problem with a road between two known places, or None once it is recorded."""
        if start == end:
            return f"road from {start!r} to itself"
        a, b = self.index[start], self.index[end]
        pair = (min(a, b), max(a, b))
        if pair in self.first_road:
            first = self.first_road[pair]
            return f"second road between {start!r} and {end!r} (the first is {first})"
        self.first_road[pair] = origin
        self.ends[0].append(a)
        self.ends[1].append(b)
        return None

    def nearest(self, point: Point) -> tuple[float, str]:
        """The place nearest a point and its distance (km), from a k-d tree of the places on
        the unit sphere, where nearest by chord is nearest along the surface."""
        if self._tree is None:
            self._ids = list(self.index)
            self._tree = KDTree(_on_sphere(np.asarray(self.lon), np.asarray(self.lat)))
        _, i = self._tree.query(_on_sphere(np.asarray([point[0]]), np.asarray([point[1]]))[0])
        place = self._ids[int(i)]
        return haversine_km(point, self.point(place)), place

    def check_whole(self, inputs: list[_Source]) -> None:
        """A map has a place, and every place is reachable by road (map_rules)."""
        if not self.index:
            problem = "no places: expected a CSV with an id column or a layer of points"
            raise ScenarioError(inputs[0].path, "", problem)
        finding = connection_finding(
            list(self.index),
            np.frombuffer(self.kinds, dtype=np.uint8),
            np.frombuffer(self.ends[0], dtype=np.int64),
            np.frombuffer(self.ends[1], dtype=np.int64),
        )
        if finding is not None:
            about = ("road", "layer") if finding.part == ("roads",) else ("place", "layer")
            blamed = [s.path for s in inputs if s.kind in about] or [inputs[0].path]
            raise ScenarioError(blamed[0], describe_location(finding.part), finding.problem)


def _on_sphere(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


@dataclass
class _Reading:
    """One import under way: what was read, what was wrong, what was written."""

    problems: Problems
    snap_km: float
    map: _MapWriter
    progress: Update | None
    inputs: list[_Source]
    network: _Network = field(default_factory=_Network)
    roads: int = 0
    borders: int = 0
    bytes_done: int = 0

    def read(
        self, source: _Source, reader: Callable[[_Source, _Reading], None], counted: bool = True
    ) -> bool:
        """One pass over a file; a problem that stops it is noted. True if it was read whole."""
        try:
            reader(source, self)
            return True
        except ScenarioError as problem:
            self.problems.add(problem)
            return False
        finally:
            if counted:  # its bytes are read
                self.bytes_done += source.size
                self.reached(source, 0)

    def place(
        self, properties: dict, point: Point | None, path: Path, where: str, empty: str
    ) -> None:
        def label() -> str:  # only when there is a problem: most rows have none
            return f"place {quoted(properties.get('id'))}"

        parsed = self.validated(PlaceProperties, properties, path, where, label, empty)
        if parsed is None or point is None:
            if isinstance(properties.get("id"), str):  # so that roads to it are not blamed too
                self.network.broken.add(properties["id"])
            return
        try:
            self.network.add_place(parsed.id, parsed.kind, point, f"{path.name} {where}")
        except ValueError as duplicate:
            self.problems.add(ScenarioError(path, f"{where} ({label()}).id", str(duplicate)))
            return
        self.map.point(point, _dump(parsed))

    def road(
        self, properties: dict, line: list[Point] | None, path: Path, where: str, empty: str
    ) -> None:
        """A road from a CSV row (`line` None: drawn straight between its places) or a drawn
        line, which joins the places nearest its ends when it names none."""
        drawn_between = line is not None and "from" not in properties and "to" not in properties
        given = properties
        if drawn_between:  # its ends are found below; its other properties are checked first
            properties = {"from": "unknown", "to": "unknown", **properties}

        def label() -> str:  # only when there is a problem: most rows have none
            if drawn_between:
                return "a road drawn without from/to"
            return f"road {quoted(given.get('from'))}-{quoted(given.get('to'))}"

        parsed = self.validated(RoadProperties, properties, path, where, label, empty)
        if parsed is None or not self.network.trusted:
            return
        properties = _dump(parsed)
        if drawn_between and not self._snap_ends(properties, line, path, f"{where} ({label()})"):
            return
        if self._recorded(properties, path, where, label):
            ends = (properties["from"], properties["to"])
            line = line or [self.network.point(end) for end in ends]
            if self._keeps_rules(properties, line, path, lambda: f"{where} ({label()})"):
                self.map.line(line, properties)
                self.roads += 1

    def _snap_ends(self, properties: dict, line: list[Point], path: Path, where: str) -> bool:
        """`from` and `to` set to the places nearest the line's ends; False if one is too far."""
        found = len(self.problems)
        for key, end, point in (("from", "start", line[0]), ("to", "end", line[-1])):
            with self.problems.noted():
                properties[key] = self._nearest(point, path, where, end)
        return len(self.problems) == found

    def _nearest(self, point: Point, path: Path, where: str, end: str) -> str:
        if not self.network.index:
            raise ScenarioError(path, where, "a road, but no places were given to join")
        distance, place = self.network.nearest(point)
        if distance > self.snap_km:
            raise ScenarioError(
                path,
                where,
                f"the road's {end} is {distance:.1f} km from the nearest place ({place!r}); "
                f"draw it from a place (within {self.snap_km:g} km: --snap-km) "
                "or give 'from' and 'to'",
            )
        return place

    def _recorded(self, properties: dict, path: Path, where: str, label: Callable) -> bool:
        """A road between known places, the first between them, is recorded; otherwise each
        problem is noted (not for an end that is a place with problems of its own)."""
        ends = (properties["from"], properties["to"])
        known = [end in self.network.index for end in ends]
        for key, end, is_known in zip(("from", "to"), ends, known, strict=True):
            if not is_known and end not in self.network.broken:
                problem = f"unknown place id {end!r}; expected one of the map's places"
                self.problems.add(ScenarioError(path, f"{where} ({label()}).{key}", problem))
        if not all(known):
            return False
        problem = self.network.add_road(*ends, f"{path.name} {where}")
        if problem:
            self.problems.add(ScenarioError(path, f"{where} ({label()})", problem))
        return problem is None

    def _keeps_rules(
        self, properties: dict, line: list[Point], path: Path, where: Callable[[], str]
    ) -> bool:
        """The map's rules for a road (map_rules.road_findings), as the loader applies them:
        each rule broken is a problem, each strange thing a warning. True if none is broken."""
        a, b = self.network.place(properties["from"]), self.network.place(properties["to"])
        findings = road_findings(a, b, line, properties.get("length_km"))
        for finding in findings:
            located = describe_location((where(), *_as_column(finding)))
            if finding.refused:
                self.problems.add(ScenarioError(path, located, finding.problem))
            else:
                self.problems.add_strange(ScenarioWarning(path, located, finding.problem))
        return not any(finding.refused for finding in findings)

    def validated[M: BaseModel](
        self,
        model: type[M],
        properties: dict,
        path: Path,
        where: str,
        label: Callable[[], str],
        empty: str,
    ) -> M | None:
        """The properties checked against the map's schema; None once each problem is noted."""
        try:
            return model.model_validate(properties)
        except ValidationError as error:
            labels = {(where,): label()}
            for problem in validation_problems(path, error, (where,), labels, missing=empty):
                self.problems.add(problem)
            return None

    def reached(self, source: _Source, position: int) -> None:
        """Tells `progress` how far the reading is: `position` bytes into `source`."""
        if self.progress is not None:
            total = sum(s.size for s in self.inputs)
            done = self.bytes_done + position
            # whole megabytes, as the bar shows them: read up to the last one, then all
            total_mb = max(1, math.ceil(total / MEGABYTE))
            done_mb = total_mb if done >= total else done // MEGABYTE
            self.progress(done_mb, total_mb, source.path.name)

    def summary(self) -> str:
        border = ", a border line" if self.borders else ""
        text = f"{len(self.network.index)} places, {self.roads} roads{border}"
        ignored = [
            f"{name_list(sorted(s.ignored))} ({s.path.name})" for s in self.inputs if s.ignored
        ]
        return text + (f"; ignored columns: {'; '.join(ignored)}" if ignored else "")


PLACES_FIRST: dict[str, Callable[[_Source, _Reading], None]] = {
    "place": _read_place_rows,
    "layer": _read_layer,
}
LINES_AFTER: dict[str, Callable[[_Source, _Reading], None]] = {
    "road": _read_road_rows,
    "border": _read_border_rows,
    "layer": _read_layer_lines,
}


# --- the output ----------------------------------------------------------------------


class _MapWriter:
    """GeoJSON a person can read and a version control system can diff: a line per feature,
    each written as soon as it is checked."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = 0

    def point(self, point: Point, properties: dict) -> None:
        self._feature({"type": "Point", "coordinates": list(point)}, properties)

    def line(self, points: Iterable[Point], properties: dict) -> None:
        self._feature({"type": "LineString", "coordinates": [list(p) for p in points]}, properties)

    def _feature(self, geometry: dict, properties: dict) -> None:
        start = ",\n" if self.written else '{"type": "FeatureCollection", "features": [\n'
        feature = {"type": "Feature", "geometry": geometry, "properties": properties}
        self.stream.write(start + json.dumps(feature))
        self.written += 1

    def close(self) -> None:
        self.stream.write("\n]}\n")


def _dump(parsed: BaseModel) -> dict:
    return parsed.model_dump(mode="json", by_alias=True, exclude_none=True)


def _as_column(finding: Finding) -> tuple[str | int, ...]:
    """Where a finding is, as import-map names it: a property by its column (`length_km`, as
    a spreadsheet or a layer's fields call it), not by its place in a map's feature."""
    part = finding.part
    return part[1:] if part[:1] == ("properties",) else part
