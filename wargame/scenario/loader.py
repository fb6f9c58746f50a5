"""Reading theatre files into plain objects, checked once so no phase re-checks input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError

from wargame.files import StrPath
from wargame.scenario import paths
from wargame.scenario.basemap import LAYERS, Basemap, load_basemap
from wargame.scenario.errors import (
    ScenarioError,
    ScenarioWarning,
    describe_location,
    from_validation_error,
)
from wargame.scenario.json_file import read_json
from wargame.scenario.map_rules import (
    KIND_NUMBER,
    connection_finding,
    polyline_km,
    road_findings,
)
from wargame.scenario.parameters import (
    SET_AT_START,
    NotANumberError,
    UnknownParameterError,
    check_names,
    make_parameters,
    parameter_problem,
    scaled_values,
)
from wargame.scenario.schema import (
    BorderFeature,
    Coalition,
    Commodity,
    Depot,
    FactionFile,
    Handover,
    Lift,
    MapFile,
    Militia,
    Neighbour,
    OutsideEvent,
    PlaceFeature,
    PlaceKind,
    RoadFeature,
    RoadKind,
    SetupFile,
    UnitEntry,
)

INTERNING = Neighbour()
"""The policy of a country the set-up says nothing of: it interns soldiers to the end."""
STANDING_DOWN = Militia()
"""What a militia the set-up says nothing of does when its alliance breaks."""


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
    camp_capacity: int = 0
    """People its camps for the displaced can shelter; displaced people prefer a camp with room."""
    source: str = ""
    mineral: str | None = None
    """The commodity its mine sites yield (a loaded theatre fills it in for every mine)."""


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
    features: dict[str, int] = field(default_factory=dict, compare=False)
    """Each place's feature number in the file, for messages about it."""


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
    commodities: dict[str, Commodity] = field(default_factory=dict)
    """What the mines yield, by id, each with its name and price."""
    countries: dict[str, str] = field(default_factory=dict)
    """Country names by code; a code without one is named by its code."""
    broker: str | None = None
    """The country of the neighbouring power that brokers truces and closes its crossings;
    None: no such power, so no truce is brokered and no crossing closes."""
    neighbours: dict[str, Neighbour] = field(default_factory=dict)
    """What each neighbouring country does with soldiers who cross into it, by code."""
    lifts: list[Lift] = field(default_factory=list)
    """Air or river lifts that supply a faction's soldiers at named places."""
    depots: list[Depot] = field(default_factory=list)
    """Places that supply a faction's soldiers as its bases do, while it holds them."""
    handovers: dict[str, Handover] = field(default_factory=dict)
    """Places a neutral faction takes over when their garrison surrenders, by place."""

    buys: tuple[str, ...] = ()
    """Commodities whose ore the broker buys: its interest in the mines that yield them."""
    ore_through_closed_crossings: bool = False
    """Whether the ore the broker buys still passes the crossings it has closed."""
    coalitions: dict[str, Coalition] = field(default_factory=dict)
    """Factions that negotiate and hold truces together, by coalition id."""
    militias: dict[str, Militia] = field(default_factory=dict)
    """What each militia does when its alliance breaks (one not listed stands down)."""
    events: tuple[OutsideEvent, ...] = ()
    """Dated outside events, each with its `day` filled in, in the order of their days."""
    basemap: Basemap | None = None
    """The coast, rivers, lakes and borders drawn under the map; None: the set-up names none."""

    def neighbour(self, code: str) -> Neighbour:
        """A country's policy towards soldiers who flee into it: interning them, unless said."""
        return self.neighbours.get(code, INTERNING)

    @property
    def prices(self) -> dict[str, float]:
        """Each commodity's declared price: what `prices.<commodity>` overrides."""
        return {commodity: spec.price for commodity, spec in self.commodities.items()}

    def country_name(self, code: str) -> str:
        return self.countries.get(code, code)

    def coalition_of(self, faction: str) -> frozenset[str]:
        """The faction and its coalition's other members (just itself when in none)."""
        for coalition in self.coalitions.values():
            if faction in coalition.members:
                return frozenset(coalition.members)
        return frozenset({faction})

    def militia(self, faction: str) -> Militia:
        """What a militia does when its alliance breaks: standing down, unless said."""
        return self.militias.get(faction, STANDING_DOWN)

    @property
    def files(self) -> dict[str, Path]:
        """Every file the theatre was read from, by what it is ("map", "faction kia").

        A batch fingerprints exactly these, so a file the loader starts reading belongs here.
        """
        return {
            "set-up": self.setup_path,
            "map": self.map.path,
            **({"basemap": self.basemap.path} if self.basemap else {}),
            **{f"faction {faction}": path for faction, path in self.faction_paths.items()},
        }


def read_toml(path: StrPath) -> dict:
    """A TOML file as a dict; raises ScenarioError saying why it does not read."""
    path = Path(path)
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


def _check[M: BaseModel](
    model: type[M], document: object, path: Path, prefix: tuple = (), labels: dict | None = None
) -> M:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise from_validation_error(path, error, prefix, labels) from None


# --- map ---------------------------------------------------------------------


def load_map(path: StrPath) -> TheatreMap:
    """Places, roads and border from a GeoJSON file; what looks strange is warned about.

    Raises ScenarioError for broken JSON, a feature of the wrong shape,
    duplicate place ids, a road to an unknown place or between two foreign
    sanctuaries, a road whose drawn ends or length disagree with its places,
    and a road network that does not connect every place.
    """
    theatre_map, strange = read_map(path)
    _say(strange)
    return theatre_map


def read_map(path: StrPath) -> tuple[TheatreMap, list[ScenarioWarning]]:
    """`load_map`'s map and its warnings, not yet said: for a caller that says them in
    its own words, or only once the rest of a theatre has loaded too."""
    path = Path(path)
    collection = _check(MapFile, read_json(path), path)
    places: dict[str, Place] = {}
    roads: list[Road] = []
    border = None
    features: dict[str, int] = {}
    seen_roads: dict[frozenset, int] = {}
    given_lengths: list[float | None] = []
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
            features[props.id] = index
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
            given_lengths.append(props.length_km)
    if not places:
        raise ScenarioError(path, "features", "expected at least one Point feature (a place)")
    strange: list[ScenarioWarning] = []
    for road, index, given in zip(roads, seen_roads.values(), given_lengths, strict=True):
        strange += _check_road(path, f"features[{index}]", road, given, places)
    _check_connected(path, places, roads)
    return TheatreMap(path, places, roads, border, features), strange


def _say(strange: list[ScenarioWarning]) -> None:
    for warning in strange:
        warnings.warn(warning, stacklevel=1)


def _check_road(
    path: Path, where: str, road: Road, given_length: float | None, places: dict[str, Place]
) -> list[ScenarioWarning]:
    """Refuse a road its places contradict (map_rules.road_findings); return what is merely
    strange about it."""
    for end, key in ((road.a, "from"), (road.b, "to")):
        if end not in places:
            raise ScenarioError(
                path,
                f"{where}.properties.{key}",
                f"unknown place id {end!r}; expected one of the map's places",
            )
    strange = []
    for finding in road_findings(places[road.a], places[road.b], road.geometry, given_length):
        located = describe_location((where, *finding.part))
        if finding.refused:
            raise ScenarioError(path, located, finding.problem)
        strange.append(ScenarioWarning(path, located, finding.problem))
    return strange


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
    """Every place reachable by road without going abroad (map_rules.connection_finding)."""
    number = {place_id: i for i, place_id in enumerate(places)}
    kinds = np.fromiter((KIND_NUMBER[p.kind] for p in places.values()), np.uint8, len(places))
    starts = np.fromiter((number[r.a] for r in roads), np.int64, len(roads))
    ends = np.fromiter((number[r.b] for r in roads), np.int64, len(roads))
    finding = connection_finding(list(places), kinds, starts, ends)
    if finding is not None:
        raise ScenarioError(path, describe_location(finding.part), finding.problem)


# --- factions ----------------------------------------------------------------


def load_faction(path: StrPath) -> FactionFile:
    """One faction file; its id is the file name without `.toml`."""
    path = Path(path)
    return _check(FactionFile, read_toml(path), path)


def shipped_factions() -> list[str]:
    """Ids of the factions that ship (`agents/<id>.toml`): a set-up may borrow them."""
    folder = paths.agents_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def _faction_files(setup: SetupFile, setup_path: Path) -> dict[str, Path]:
    """Each faction's file: the theatre's own `agents/<id>.toml`, or the shipped one when
    `scenario.shipped_factions` names it. Never a guess: a theatre that lacks a file is
    refused, not handed a shipped faction that happens to share the id."""
    header = setup.scenario
    own = _own_faction_files(setup_path)
    shipped = shipped_factions()
    for index, faction_id in enumerate(header.shipped_factions):
        where = f"scenario.shipped_factions[{index}]"
        if faction_id in header.shipped_factions[:index]:
            raise ScenarioError(setup_path, where, f"faction {faction_id!r} listed twice")
        if faction_id not in header.factions:
            raise ScenarioError(
                setup_path,
                where,
                f"{faction_id!r} is not in scenario.factions ({', '.join(header.factions)}); "
                "a borrowed faction is listed in both",
            )
        if faction_id not in shipped:
            raise ScenarioError(
                setup_path,
                where,
                f"no shipped faction {faction_id!r}{_suggestion(faction_id, shipped)}; "
                f"the shipped factions are {', '.join(shipped) or 'none'}",
            )
    files: dict[str, Path] = {}
    for index, faction_id in enumerate(header.factions):
        where = f"scenario.factions[{index}]"
        if faction_id in files:
            raise ScenarioError(setup_path, where, f"faction {faction_id!r} listed twice")
        name = f"{faction_id}.toml"
        mine = own.get(name.lower())
        if faction_id in header.shipped_factions:
            if mine is not None:
                raise ScenarioError(
                    mine,
                    "",
                    f"the set-up borrows the shipped {faction_id!r} (scenario.shipped_factions), "
                    "so this file would not be read: remove one of the two",
                )
            files[faction_id] = paths.agents_dir() / name
        elif mine is not None and mine.name == name:
            files[faction_id] = mine
        elif mine is not None:
            raise ScenarioError(
                mine, "", f"expected the name agents/{name}: a faction file is named by its id"
            )
        else:
            borrow = (
                f", or add {faction_id!r} to scenario.shipped_factions to use the shipped one"
                if faction_id in shipped
                else ""
            )
            raise ScenarioError(
                setup_path,
                where,
                f"unknown faction {faction_id!r}: expected a file agents/{name} "
                f"beside the set-up{borrow}",
            )
    return files


def _own_faction_files(setup_path: Path) -> dict[str, Path]:
    """The theatre's `agents/*.toml` by lower-case name, so a file that differs from its
    faction's id only in case is found and named (a case-blind disk would read it)."""
    folder = setup_path.parent / "agents"
    if not folder.is_dir():
        return {}
    try:
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml")
    except OSError as error:
        raise ScenarioError(folder, "", f"cannot be read: {error}") from None
    files: dict[str, Path] = {}
    for path in found:
        twin = files.setdefault(path.name.lower(), path)
        if twin != path:
            raise ScenarioError(
                path, "", f"differs from {twin.name} only in case; expected one file per faction"
            )
    return files


def _check_faction_names(
    factions: dict[str, FactionFile], files: dict[str, Path], borrowed: list[str]
) -> tuple[dict[str, FactionFile], list[ScenarioWarning]]:
    """Every faction a faction file names (relations, patron) is one of the theatre's.

    A theatre's own file naming another faction is a slip (`tatmadw = 0.6`
    would leave two allies neutral) and is refused. A shipped faction was
    written for its own theatre: names of factions this theatre lacks are
    left out, with a warning.
    """
    known = list(factions)
    checked: dict[str, FactionFile] = {}
    strange: list[ScenarioWarning] = []
    for faction_id, spec in factions.items():
        path = files[faction_id]
        named = [(f"relations.{other}", other) for other in spec.relations]
        if spec.economy.patron is not None:
            named.append(("economy.patron", spec.economy.patron))
        absent: set[str] = set()
        for where, other in named:
            if other == faction_id:
                raise ScenarioError(
                    path, where, f"names the faction itself ({faction_id!r}); expected another"
                )
            if other in factions:
                continue
            if faction_id not in borrowed:
                raise ScenarioError(
                    path,
                    where,
                    f"unknown faction {other!r}{_suggestion(other, known)}; expected one of "
                    f"this theatre's factions: {', '.join(known)}",
                )
            absent.add(other)
            strange.append(
                ScenarioWarning(
                    path,
                    where,
                    f"{other!r} is not a faction of this theatre ({', '.join(known)}); "
                    "the shipped faction is used without it",
                )
            )
        checked[faction_id] = spec if not absent else _without(spec, absent)
    return checked, strange


def _without(spec: FactionFile, absent: set[str]) -> FactionFile:
    """A shipped faction without its ties to factions the theatre lacks."""
    economy = spec.economy
    if economy.patron in absent:
        economy = economy.model_copy(update={"patron": None})
    relations = {k: v for k, v in spec.relations.items() if k not in absent}
    return spec.model_copy(update={"relations": relations, "economy": economy})


def _suggestion(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unused_faction_files(setup_path: Path, factions: dict[str, Path]) -> list[ScenarioWarning]:
    """Faction files in the theatre's agents/ that no faction reads: probably meant to be."""
    used = {path.name for path in factions.values() if path.parent == setup_path.parent / "agents"}
    return [
        ScenarioWarning(
            path,
            "",
            f"not read: {path.stem!r} is not in scenario.factions ({', '.join(factions)})",
        )
        for path in _own_faction_files(setup_path).values()
        if path.name not in used
    ]


# --- set-up and the whole theatre ---------------------------------------------


def load_setup(path: StrPath) -> SetupFile:
    path = Path(path)
    return _check(SetupFile, read_toml(path), path)


def load_theatre(scenario: str | Path) -> Theatre:
    """A bundled theatre by name, or a user's theatre folder or set-up file.

    Raises ScenarioError naming the file and place of the first problem.
    """
    try:
        setup_path = paths.resolve_scenario(scenario)
    except FileNotFoundError as error:
        raise ScenarioError(Path(str(scenario)), "", str(error)) from None
    setup = load_setup(setup_path)
    folder = setup_path.parent
    theatre_map, strange = read_map(
        theatre_file(folder, setup.scenario.map, setup_path, "scenario.map")
    )
    basemap = (
        load_basemap(theatre_file(folder, setup.scenario.basemap, setup_path, "scenario.basemap"))
        if setup.scenario.basemap is not None
        else None
    )
    faction_paths = _faction_files(setup, setup_path)
    factions = {faction_id: load_faction(path) for faction_id, path in faction_paths.items()}
    factions, strange_factions = _check_faction_names(
        factions, faction_paths, setup.scenario.shipped_factions
    )
    _check_setup_references(setup_path, setup, theatre_map, factions)
    _check_broker(setup_path, setup, theatre_map)
    _check_neighbours(setup_path, setup, theatre_map)
    _check_coalitions(setup_path, setup, factions)
    _check_militias(setup_path, setup, factions)
    commodities = _named_commodities(setup.commodities)
    _check_buys(setup_path, setup, commodities)
    _check_markets(setup_path, setup, theatre_map)
    events = _dated_events(setup_path, setup, commodities)
    theatre_map = _with_minerals(theatre_map, commodities, setup_path)
    try:
        make_parameters(setup.parameters, prices={c: spec.price for c, spec in commodities.items()})
    except UnknownParameterError as error:
        raise ScenarioError(setup_path, "parameters", str(error)) from None
    except ValidationError as error:
        name, problem = parameter_problem(error)
        raise ScenarioError(setup_path, f"parameters.{name}", problem) from None
    _say(strange + strange_factions + _unused_faction_files(setup_path, faction_paths))
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
        commodities=commodities,
        countries=dict(setup.countries),
        broker=setup.broker.country if setup.broker else None,
        neighbours=dict(setup.neighbours),
        buys=tuple(setup.broker.buys) if setup.broker else (),
        ore_through_closed_crossings=(
            setup.broker.ore_through_closed_crossings if setup.broker else False
        ),
        coalitions=dict(setup.coalitions),
        militias=dict(setup.militias),
        events=events,
        lifts=list(setup.lift),
        depots=list(setup.depot),
        handovers={h.place: h for h in setup.handover},
        basemap=basemap,
    )


def _check_coalitions(path: Path, setup: SetupFile, factions: dict[str, FactionFile]) -> None:
    """Each coalition's members are the theatre's factions, and no faction is in two."""
    seen: dict[str, str] = {}
    for coalition_id, coalition in setup.coalitions.items():
        for index, member in enumerate(coalition.members):
            where = f"coalitions.{coalition_id}.members[{index}]"
            if member not in factions:
                raise ScenarioError(
                    path, where, f"unknown faction {member!r}; expected {', '.join(factions)}"
                )
            if member in seen:
                raise ScenarioError(
                    path,
                    where,
                    f"{member!r} is already in coalition {seen[member]!r}: a faction negotiates "
                    "in one coalition at most",
                )
            seen[member] = coalition_id


def _check_militias(path: Path, setup: SetupFile, factions: dict[str, FactionFile]) -> None:
    """Each militia listed is a faction with a patron; one that defects goes to another
    faction, not back to its patron."""
    for militia_id, militia in setup.militias.items():
        where = f"militias.{militia_id}"
        if militia_id not in factions:
            raise ScenarioError(
                path, where, f"unknown faction {militia_id!r}; expected {', '.join(factions)}"
            )
        patron = factions[militia_id].economy.patron
        if patron is None:
            raise ScenarioError(
                path,
                where,
                f"{militia_id!r} has no patron (economy.patron in its faction file): only a "
                "militia allied to a patron can break with it",
            )
        target = militia.defects_to
        if target is not None and (target not in factions or target in (patron, militia_id)):
            others = ", ".join(f for f in factions if f not in (patron, militia_id))
            raise ScenarioError(
                path,
                f"{where}.defects_to",
                f"{target!r} cannot take the militia over: expected a faction other than it and "
                f"its patron {patron!r} ({others})",
            )


def _check_buys(path: Path, setup: SetupFile, commodities: dict[str, Commodity]) -> None:
    """The broker buys commodities the theatre's mines yield, and lets ore through its closed
    crossings only if it buys some."""
    if setup.broker and setup.broker.ore_through_closed_crossings and not setup.broker.buys:
        raise ScenarioError(
            path,
            "broker.ore_through_closed_crossings",
            "the broker buys no ore to let through: expected `buys` to name a commodity",
        )
    for index, commodity in enumerate(setup.broker.buys if setup.broker else ()):
        if commodity not in commodities:
            known = ", ".join(commodities) or "none declared"
            raise ScenarioError(
                path,
                f"broker.buys[{index}]",
                f"unknown commodity {commodity!r}; expected one of [commodities] ({known})",
            )


def _check_markets(path: Path, setup: SetupFile, theatre_map: TheatreMap) -> None:
    """A commodity's markets are home places on the map."""
    for commodity, spec in setup.commodities.items():
        for index, place_id in enumerate(spec.markets):
            key = f"commodities.{commodity}.markets[{index}]"
            if place_id not in theatre_map.places:
                raise ScenarioError(path, key, f"unknown place {place_id!r}: not on the map")
            if theatre_map.places[place_id].kind is PlaceKind.SANCTUARY:
                raise ScenarioError(
                    path, key, f"{place_id!r} is a foreign sanctuary: expected a home place"
                )


def _dated_events(
    path: Path, setup: SetupFile, commodities: dict[str, Commodity]
) -> tuple[OutsideEvent, ...]:
    """Each event with its day, checked: on or after the start, and setting only parameters
    a run under way can take, to values they accept."""
    start = setup.scenario.start_date
    prices = {c: spec.price for c, spec in commodities.items()}
    dated: list[OutsideEvent] = []
    for index, event in enumerate(setup.events):
        where = f"events[{index}]"
        if event.date is not None and event.date < start:
            raise ScenarioError(
                path,
                f"{where}.date",
                f"{event.date} is before the start date {start}: expected a date in the run",
            )
        _check_event_changes(path, where, setup, event, prices)
        day = event.day if event.day is not None else (event.date - start).days
        dated.append(event.model_copy(update={"day": day}))
    return tuple(sorted(dated, key=lambda e: e.day))


def _check_event_changes(
    path: Path, where: str, setup: SetupFile, event: OutsideEvent, prices: dict[str, float]
) -> None:
    """What an event sets or scales is a parameter a run under way can take, and the set-up's
    value scaled is a number (the run clamps a product to the parameter's range)."""
    for table, names in (("set", event.set), ("scale", event.scale)):
        for name in names:
            if name in SET_AT_START:
                raise ScenarioError(
                    path,
                    f"{where}.{table}.{name}",
                    f"{name} cannot change during a run: {SET_AT_START[name]}",
                )
        try:
            check_names(names, prices)
        except UnknownParameterError as error:
            raise ScenarioError(path, f"{where}.{table}", str(error)) from None
    try:
        scaled = scaled_values(make_parameters(setup.parameters, prices=prices), event.scale)
        make_parameters(setup.parameters, event.set, scaled, prices=prices)
    except ValidationError as error:
        name, problem = parameter_problem(error)
        raise ScenarioError(path, f"{where}.set.{name}", problem) from None
    except NotANumberError as error:
        raise ScenarioError(path, f"{where}.scale.{error.name}", str(error)) from None


def _check_broker(path: Path, setup: SetupFile, theatre_map: TheatreMap) -> None:
    """The broker is a named country across some of the map's crossings: it acts at those."""
    if setup.broker is None:
        return
    code = setup.broker.country
    if code not in setup.countries:
        raise ScenarioError(
            path,
            "broker.country",
            f'{code!r} has no name: expected it in [countries] too (e.g. {code} = "..."), '
            "for the events that say what the broker did",
        )
    abroad = sorted(
        {p.country for p in theatre_map.places.values() if p.kind is PlaceKind.SANCTUARY}
    )
    if code not in abroad:
        found = f"the map's sanctuaries are in {', '.join(abroad)}" if abroad else "it has none"
        raise ScenarioError(
            path,
            "broker.country",
            f"no foreign sanctuary on the map lies in {code!r} ({found}); the broker acts at "
            "the crossings into its own country",
        )


def _check_neighbours(path: Path, setup: SetupFile, theatre_map: TheatreMap) -> None:
    """Each neighbour is a country across some crossing, and hands soldiers back through one
    of its own crossings."""
    places = theatre_map.places
    for code, neighbour in setup.neighbours.items():
        facing = _crossings_into(theatre_map, code)
        if not facing:
            abroad = sorted({p.country for p in places.values() if p.kind is PlaceKind.SANCTUARY})
            found = f"the map's sanctuaries are in {', '.join(abroad)}" if abroad else "it has none"
            raise ScenarioError(
                path,
                f"neighbours.{code}",
                f"no road on the map crosses into {code!r} ({found}); a neighbour's policy "
                "applies at the crossings into its country",
            )
        through = neighbour.hand_back_through
        if through is not None and through not in facing:
            raise ScenarioError(
                path,
                f"neighbours.{code}.hand_back_through",
                f"{through!r} is not a crossing into {code!r}: expected one of "
                f"{', '.join(sorted(facing))} (a home place with a road to a sanctuary there)",
            )


def _crossings_into(theatre_map: TheatreMap, code: str) -> set[str]:
    """Home places with a road to a sanctuary in country `code`."""
    places = theatre_map.places

    def abroad(place: str) -> bool:
        return places[place].kind is PlaceKind.SANCTUARY and places[place].country == code

    return {
        home
        for road in theatre_map.roads
        for home, other in ((road.a, road.b), (road.b, road.a))
        if abroad(other) and places[home].kind is not PlaceKind.SANCTUARY
    }


def _named_commodities(commodities: dict[str, Commodity]) -> dict[str, Commodity]:
    """Each commodity with a name: its id with spaces for `_` unless the set-up gives one."""
    return {
        commodity: spec
        if spec.name
        else spec.model_copy(update={"name": commodity.replace("_", " ")})
        for commodity, spec in commodities.items()
    }


def _with_minerals(
    theatre_map: TheatreMap, commodities: dict[str, Commodity], setup_path: Path
) -> TheatreMap:
    """The map with every mine's commodity said: one the set-up declares, given by the
    place or, when the set-up declares only one, that one. A place without mine sites
    yields nothing, so its `mineral` is not read."""
    declared = list(commodities)
    places = dict(theatre_map.places)
    for place_id, place in theatre_map.places.items():
        if not place.mine_sites:
            continue
        feature = theatre_map.features[place_id]
        where = f"features[{feature}] (place {place_id!r}).properties.mineral"
        if place.mineral is None and len(declared) == 1:
            places[place_id] = dataclasses.replace(place, mineral=declared[0])
        elif place.mineral is None or place.mineral not in commodities:
            said = "not given" if place.mineral is None else f"{place.mineral!r} is not declared"
            declares = (
                f"declares: {', '.join(declared)}" if declared else "declares, and it has none"
            )
            raise ScenarioError(
                theatre_map.path,
                where,
                f"{said}: expected the commodity its {place.mine_sites} mine sites yield, one of "
                f"those {setup_path.name} {declares} (a commodity is a [commodities.<id>] table "
                "with its price)",
            )
    return dataclasses.replace(theatre_map, places=places)


def theatre_file(folder: StrPath, name: str, setup_path: StrPath, where: str) -> Path:
    """A file the set-up names, which must lie in the theatre's folder: a theatre
    names its own files and cannot be made to read others on the machine."""
    folder, setup_path = Path(folder), Path(setup_path)
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
    _check_lifts_and_handovers(path, setup, theatre_map, factions)


def _check_lifts_and_handovers(
    path: Path, setup: SetupFile, theatre_map: TheatreMap, factions: dict[str, FactionFile]
) -> None:
    """A lift's, a depot's and a handover's faction is the theatre's, their places home places
    on the map, and no place is handed over to two factions."""
    known = ", ".join(factions)
    entries = [(f"lift[{i}]", lift.faction, lift.places) for i, lift in enumerate(setup.lift)]
    entries += [(f"depot[{i}]", d.faction, d.places) for i, d in enumerate(setup.depot)]
    entries += [(f"handover[{i}]", h.faction, [h.place]) for i, h in enumerate(setup.handover)]
    for where, faction_id, place_ids in entries:
        if faction_id not in factions:
            raise ScenarioError(
                path, f"{where}.faction", f"unknown faction {faction_id!r}; expected {known}"
            )
        for place_id in place_ids:
            key = f"{where}.place" + ("" if where.startswith("handover") else "s")
            if place_id not in theatre_map.places:
                raise ScenarioError(path, key, f"unknown place {place_id!r}: not on the map")
            if theatre_map.places[place_id].kind is PlaceKind.SANCTUARY:
                raise ScenarioError(
                    path, key, f"{place_id!r} is a foreign sanctuary: expected a home place"
                )
    seen: set[str] = set()
    for index, handover in enumerate(setup.handover):
        if handover.place in seen:
            raise ScenarioError(
                path,
                f"handover[{index}].place",
                f"{handover.place!r} is handed over twice: expected one [[handover]] a place",
            )
        seen.add(handover.place)


# --- one file, whatever it is --------------------------------------------------


def validate_path(path: StrPath) -> str:
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
        if _is_basemap(read_json(path)):
            basemap = load_basemap(path)
            layers = ", ".join(f"{len(basemap.layer(n))} {n}" for n in LAYERS if basemap.layer(n))
            return f"valid basemap: {len(basemap.features)} features ({layers})"
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


def _is_basemap(document: object) -> bool:
    """A GeoJSON whose first feature has a `layer`: a basemap, not a theatre's map."""
    features = document.get("features") if isinstance(document, dict) else None
    first = features[0] if isinstance(features, list) and features else None
    properties = first.get("properties") if isinstance(first, dict) else None
    return isinstance(properties, dict) and "layer" in properties


def _describe_theatre(theatre: Theatre) -> str:
    soldiers = sum(unit.strength * unit.count for unit in theatre.units)
    return (
        f"valid theatre {theatre.name!r}: {len(theatre.map.places)} places, "
        f"{len(theatre.map.roads)} roads, {len(theatre.factions)} factions, "
        f"{sum(u.count for u in theatre.units)} units ({soldiers} soldiers)"
    )
