"""Reading theatre files into plain objects, checked once so no phase re-checks input."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from pydantic import BaseModel, ValidationError

from wargame.parameters import UnknownParameterError, make_parameters, parameter_problem
from wargame.scenario import paths
from wargame.scenario.errors import ScenarioError, from_validation_error
from wargame.scenario.schema import (
    BorderFeature,
    FactionFile,
    MapFile,
    PlaceFeature,
    PlaceKind,
    RoadFeature,
    RoadKind,
    SetupFile,
    UnitEntry,
)

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    kind: PlaceKind
    country: str
    lon: float
    lat: float
    population: int
    mine_sites: int
    trade_per_day: float
    fortification: float
    source: str = ""
    mineral: str = "rare_earth"


@dataclass(frozen=True)
class Road:
    a: str
    b: str
    kind: RoadKind
    length_km: float
    geometry: tuple[tuple[float, float], ...]
    source: str = ""


@dataclass(frozen=True)
class TheatreMap:
    path: Path
    places: dict[str, Place]
    roads: list[Road]
    border: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class Theatre:
    """Everything a model needs to build a theatre, already validated."""

    name: str
    setup_path: Path
    title: str
    description: str
    start_date: dt.date
    map: TheatreMap
    factions: dict[str, FactionFile]
    faction_paths: dict[str, Path]
    control: dict[str, str]
    units: list[UnitEntry]
    parameters: dict[str, bool | int | float | str] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, Path]:
        """Every file the theatre was read from, by what it is ("map", "faction kia").

        A batch fingerprints exactly these, so a file the loader starts reading belongs here.
        """
        return {
            "set-up": self.setup_path,
            "map": self.map.path,
            **{f"faction {faction}": path for faction, path in self.faction_paths.items()},
        }


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def polyline_km(points: tuple[tuple[float, float], ...]) -> float:
    return sum(haversine_km(p, q) for p, q in itertools.pairwise(points))


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a file, found a folder") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, "", f"not valid TOML: {error}") from None
    except RecursionError:
        raise ScenarioError(path, "", "nested too deeply to be a theatre file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, "", f"cannot be read: {error}") from None


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_repeats)
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a file, found a folder") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ScenarioError(path, where, f"not valid JSON: {error.msg}") from None
    except _RepeatedKey as error:
        raise ScenarioError(path, "", f"key {error.args[0]!r} given twice in one object") from None
    except RecursionError:
        raise ScenarioError(path, "", "nested too deeply to be a map") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(path, "", f"cannot be read: {error}") from None


class _RepeatedKey(ValueError):
    pass


def _no_repeats(pairs: list[tuple[str, object]]) -> dict:
    """JSON objects as dicts, refusing a key given twice (json keeps the last one silently)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return document


def _check[M: BaseModel](
    model: type[M], document: object, path: Path, prefix: tuple = (), labels: dict | None = None
) -> M:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise from_validation_error(path, error, prefix, labels) from None


# --- map ---------------------------------------------------------------------


def load_map(path: Path | str) -> TheatreMap:
    """Places, roads and border from a GeoJSON file.

    Raises ScenarioError for broken JSON, a feature of the wrong shape,
    duplicate place ids, a road to an unknown place, and a road network
    that does not connect every place.
    """
    path = Path(path)
    collection = _check(MapFile, _read_json(path), path)
    places: dict[str, Place] = {}
    roads: list[Road] = []
    border = None
    seen_roads: dict[frozenset, int] = {}
    for index, feature in enumerate(collection.features):
        loc = ("features", index)
        kind = _feature_kind(feature, path, loc)
        label = {loc: _feature_label(feature)}
        if kind == "place":
            props = _check(PlaceFeature, feature, path, loc, label).properties
            lon, lat = feature["geometry"]["coordinates"]
            if props.id in places:
                raise ScenarioError(
                    path, f"features[{index}].properties.id", f"duplicate place id {props.id!r}"
                )
            places[props.id] = Place(
                **props.model_dump(exclude={"kind"}), kind=props.kind, lon=lon, lat=lat
            )
        elif kind == "border":
            parsed = _check(BorderFeature, feature, path, loc, label)
            border = tuple(parsed.geometry.coordinates)
        else:
            parsed = _check(RoadFeature, feature, path, loc, label)
            props = parsed.properties
            geometry = tuple(parsed.geometry.coordinates)
            key = frozenset((props.from_, props.to))
            if len(key) == 1:
                raise ScenarioError(
                    path, f"features[{index}]", f"road from {props.from_!r} to itself"
                )
            if key in seen_roads:
                raise ScenarioError(
                    path,
                    f"features[{index}]",
                    f"second road between {props.from_!r} and {props.to!r} "
                    f"(the first is features[{seen_roads[key]}])",
                )
            seen_roads[key] = index
            length = props.length_km if props.length_km is not None else polyline_km(geometry)
            roads.append(Road(props.from_, props.to, props.kind, length, geometry, props.source))
    road_indexes = list(seen_roads.values())
    for road, index in zip(roads, road_indexes, strict=True):
        for end, key in ((road.a, "from"), (road.b, "to")):
            if end not in places:
                raise ScenarioError(
                    path,
                    f"features[{index}].properties.{key}",
                    f"unknown place id {end!r}; expected one of the map's places",
                )
    if not places:
        raise ScenarioError(path, "features", "expected at least one Point feature (a place)")
    _check_connected(path, places, roads)
    return TheatreMap(path=path, places=places, roads=roads, border=border)


def _feature_kind(feature: object, path: Path, loc: tuple) -> str:
    if not isinstance(feature, dict):
        raise ScenarioError(path, f"features[{loc[1]}]", "expected a GeoJSON Feature object")
    geometry = feature.get("geometry")
    geometry_type = geometry.get("type") if isinstance(geometry, dict) else None
    if geometry_type == "Point":
        return "place"
    if geometry_type == "LineString":
        properties = feature.get("properties")
        if isinstance(properties, dict) and properties.get("kind") == "border":
            return "border"
        return "road"
    raise ScenarioError(
        path,
        f"features[{loc[1]}].geometry.type",
        f"expected 'Point' (a place) or 'LineString' (a road or the border), got {geometry_type!r}",
    )


def _feature_label(feature: dict) -> str:
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return "feature"
    if "id" in properties:
        return f"place {properties['id']!r}"
    if "from" in properties or "to" in properties:
        return f"road {properties.get('from')!r}-{properties.get('to')!r}"
    return "feature"


def _check_connected(path: Path, places: dict[str, Place], roads: list[Road]) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(places)
    graph.add_edges_from((road.a, road.b) for road in roads)
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    if len(components) > 1:
        cut_off = sorted(set().union(*components[1:]))
        raise ScenarioError(
            path,
            "roads",
            "expected every place to be reachable by road; not connected to the rest: "
            + ", ".join(cut_off),
        )


# --- factions ----------------------------------------------------------------


def load_faction(path: Path | str) -> FactionFile:
    """One faction file; its id is the file name without `.toml`."""
    path = Path(path)
    return _check(FactionFile, read_toml(path), path)


def find_faction_file(faction_id: str, theatre_folder: Path) -> Path | None:
    """A theatre's own `agents/<id>.toml` first, then the bundled one."""
    for folder in (theatre_folder / "agents", paths.agents_dir()):
        candidate = folder / f"{faction_id}.toml"
        if candidate.is_file():
            return candidate
    return None


# --- set-up and the whole theatre ---------------------------------------------


def load_setup(path: Path | str) -> SetupFile:
    path = Path(path)
    return _check(SetupFile, read_toml(path), path)


def load_theatre(scenario: str | Path = "kachin") -> Theatre:
    """A bundled theatre by name, or a user's theatre folder or set-up file.

    Raises ScenarioError naming the file and place of the first problem.
    """
    try:
        setup_path = paths.resolve_scenario(scenario)
    except FileNotFoundError as error:
        raise ScenarioError(Path(str(scenario)), "", str(error)) from None
    setup = load_setup(setup_path)
    folder = setup_path.parent
    theatre_map = load_map(_inside(folder, setup.scenario.map, setup_path, "scenario.map"))
    factions: dict[str, FactionFile] = {}
    faction_paths: dict[str, Path] = {}
    for index, faction_id in enumerate(setup.scenario.factions):
        if faction_id in factions:
            raise ScenarioError(
                setup_path, f"scenario.factions[{index}]", f"faction {faction_id!r} listed twice"
            )
        faction_path = find_faction_file(faction_id, folder)
        if faction_path is None:
            raise ScenarioError(
                setup_path,
                f"scenario.factions[{index}]",
                f"unknown faction {faction_id!r}: expected a file agents/{faction_id}.toml "
                f"beside the set-up or among the shipped factions",
            )
        factions[faction_id] = load_faction(faction_path)
        faction_paths[faction_id] = faction_path
    _check_setup_references(setup_path, setup, theatre_map, factions)
    try:
        make_parameters(setup.parameters)
    except UnknownParameterError as error:
        raise ScenarioError(setup_path, "parameters", str(error)) from None
    except ValidationError as error:
        name, problem = parameter_problem(error)
        raise ScenarioError(setup_path, f"parameters.{name}", problem) from None
    name = folder.name if setup_path.name == paths.SETUP_FILE else setup_path.stem
    return Theatre(
        name=name,
        setup_path=setup_path,
        title=setup.scenario.title,
        description=setup.scenario.description,
        start_date=setup.scenario.start_date,
        map=theatre_map,
        factions=factions,
        faction_paths=faction_paths,
        control=dict(setup.control),
        units=list(setup.units),
        parameters=dict(setup.parameters),
    )


def _inside(folder: Path, name: str, setup_path: Path, where: str) -> Path:
    """A file the set-up names, which must lie in the theatre's folder: a theatre
    names its own files and cannot be made to read others on the machine."""
    path = folder / name
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise ScenarioError(
            setup_path, where, f"{name!r} is outside the theatre's folder; expected a file in it"
        ) from None
    if not path.is_file():
        raise ScenarioError(setup_path, where, f"{name!r}: no such file in the theatre's folder")
    return path


def _check_setup_references(
    path: Path, setup: SetupFile, theatre_map: TheatreMap, factions: dict[str, FactionFile]
) -> None:
    places = theatre_map.places
    known = ", ".join(factions)
    for place_id, faction_id in setup.control.items():
        if place_id not in places:
            raise ScenarioError(
                path, f"control.{place_id}", f"unknown place {place_id!r}: not on the map"
            )
        if places[place_id].kind is PlaceKind.SANCTUARY:
            raise ScenarioError(
                path,
                f"control.{place_id}",
                "a foreign sanctuary cannot be controlled by a faction of the theatre",
            )
        if faction_id not in factions:
            raise ScenarioError(
                path, f"control.{place_id}", f"unknown faction {faction_id!r}; expected {known}"
            )
    for index, unit in enumerate(setup.units):
        where = f"units[{index}]"
        if unit.faction not in factions:
            raise ScenarioError(
                path, f"{where}.faction", f"unknown faction {unit.faction!r}; expected {known}"
            )
        if unit.place not in places:
            raise ScenarioError(
                path, f"{where}.place", f"unknown place {unit.place!r}: not on the map"
            )
        if places[unit.place].kind is PlaceKind.SANCTUARY:
            raise ScenarioError(
                path, f"{where}.place", "a unit cannot start interned in a foreign sanctuary"
            )


# --- one file, whatever it is --------------------------------------------------


def validate_path(path: Path | str) -> str:
    """Check a theatre folder, set-up, map or faction file; return what it holds.

    Raises ScenarioError when the file is not valid.
    """
    path = Path(path)
    if path.is_dir():
        theatre = load_theatre(path)
        return _describe_theatre(theatre)
    if not path.exists():
        raise ScenarioError(path, "", "file not found")
    if path.suffix.lower() in {".geojson", ".json"}:
        theatre_map = load_map(path)
        return f"valid map: {len(theatre_map.places)} places, {len(theatre_map.roads)} roads" + (
            ", a border line" if theatre_map.border else ""
        )
    if path.suffix.lower() == ".toml":
        document = read_toml(path)
        if "scenario" in document:
            return _describe_theatre(load_theatre(path))
        faction = load_faction(path)
        return f"valid faction file: {faction.name} ({faction.short_name})"
    raise ScenarioError(
        path, "", "expected a theatre folder, a .toml set-up or faction file, or a .geojson map"
    )


def _describe_theatre(theatre: Theatre) -> str:
    soldiers = sum(unit.strength * unit.count for unit in theatre.units)
    return (
        f"valid theatre {theatre.name!r}: {len(theatre.map.places)} places, "
        f"{len(theatre.map.roads)} roads, {len(theatre.factions)} factions, "
        f"{sum(u.count for u in theatre.units)} units ({soldiers} soldiers)"
    )
