"""Making a theatre's basemap: the bundled world set clipped to the theatre's places.

The world set is Natural Earth's 1:50m land, ocean, lakes, rivers, coastline and land
borders (public domain; docs/sources.md), simplified to about 2 km and gzipped into
the package, so a new theatre gets a basemap without a download. shapely does the
clipping: an exact rectangle intersection keeps the polygons valid. It is imported
by these functions alone, so no other command pays for it.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

from wargame.files import StrPath, unwritable, written_whole
from wargame.scenario import paths
from wargame.scenario.basemap import GEOMETRIES, Basemap, checked_basemap, load_basemap
from wargame.scenario.errors import ScenarioError
from wargame.scenario.loader import TheatreMap, load_setup, read_map, theatre_file
from wargame.scenario.map_limits import BASEMAP_MARGIN_DEG

WORLD = Path(__file__).with_name("world_basemap.geojson.gz")
"""Natural Earth 1:50m, every layer, the whole globe: what a new theatre's basemap is cut from."""
BASEMAP_FILE = "basemap.geojson"
DECIMALS = 4
"""Decimals kept of each coordinate: about 10 m, far finer than the 1:50m source."""
AT_SEA_SHARE = 0.5
"""More of the places than this at sea in the world set's land: the coordinates are made up."""
MARGIN_RANGE = (0.0, 10.0)
"""Degrees of map a basemap may keep around the places: wider draws a country, not a theatre."""


@dataclass(frozen=True)
class MadeBasemap:
    path: Path
    basemap: Basemap
    setup_changed: bool
    """Whether `basemap = "basemap.geojson"` was added to the set-up (False: it was there)."""


def make_basemap(
    scenario: StrPath,
    margin: float = BASEMAP_MARGIN_DEG,
    force: bool = False,
    world: StrPath = WORLD,
) -> MadeBasemap:
    """Write `basemap.geojson` beside a theatre's set-up: `world` clipped to its places plus
    `margin` degrees, and name it in the set-up.

    Raises ScenarioError when the theatre or the world file does not read, when the theatre
    ships with wargame (its files belong to the install), when the file exists (unless
    `force`), when the basemap or the set-up cannot be written, and when most places lie at
    sea (unless `force`): a theatre on made-up coordinates has no real coast to draw.
    """
    least, most = MARGIN_RANGE
    if not least <= margin <= most:
        raise ValueError(f"expected a margin from {least:g} to {most:g} degrees, got {margin:g}")
    try:
        setup_path = paths.resolve_scenario(scenario)
    except FileNotFoundError as error:
        raise ScenarioError(Path(str(scenario)), "", str(error)) from None
    _refuse_bundled(setup_path)
    setup = load_setup(setup_path)
    theatre_map, _ = read_map(
        theatre_file(setup_path.parent, setup.scenario.map, setup_path, "scenario.map")
    )
    out = setup_path.parent / BASEMAP_FILE
    if out.exists() and not force:
        raise ScenarioError(out, "", "already exists; expected --force to replace it")
    setup_text = _setup_naming_it(setup_path, setup.scenario.basemap)  # refused before clipping
    for path in (out, setup_path) if setup_text is not None else (out,):
        problem = unwritable(path)
        if problem:
            raise ScenarioError(path, "", f"cannot be written: {problem}")
    box = places_box(theatre_map, margin)
    features = clip_features(read_world(Path(world)), box)
    if not force:
        _refuse_at_sea(theatre_map, features, Path(world))
    document = {
        "type": "FeatureCollection",
        "bbox": list(box),
        "metadata": {
            "source": "Natural Earth (public domain), naturalearthdata.com, clipped by "
            f"`wargame basemap` from {Path(world).name}",
            "margin_deg": margin,
        },
        "features": features,
    }
    # Both files are written under temporary names before either is renamed (in one folder,
    # a rename does not fail for want of room): a failure on the way leaves no basemap that
    # the set-up does not name, and no set-up naming one that is not there.
    with written_whole(out) as new_basemap:
        new_basemap.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        if setup_text is not None:
            with written_whole(setup_path) as new_setup:
                new_setup.write_text(setup_text, encoding="utf-8")
    return MadeBasemap(out, load_basemap(out), setup_text is not None)


def _refuse_bundled(setup_path: Path) -> None:
    """A theatre that ships is part of the install (read-only on many), shared by every user
    and replaced by an upgrade: a basemap is made for one's own copy of it."""
    folder = setup_path.resolve().parent
    if folder.parent != paths.maps_dir().resolve():
        return
    raise ScenarioError(
        setup_path,
        "",
        f"{folder.name!r} ships with wargame and is not changed in place; expected your own "
        f"copy: `cp -r {shlex.quote(str(folder))} my_{folder.name}` then "
        f"`wargame basemap my_{folder.name}`",
    )


def places_box(theatre_map: TheatreMap, margin: float) -> tuple[float, float, float, float]:
    """lon_min, lat_min, lon_max, lat_max of the places, `margin` degrees wider, on the globe."""
    lons = [place.lon for place in theatre_map.places.values()]
    lats = [place.lat for place in theatre_map.places.values()]
    return (
        max(min(lons) - margin, -180.0),
        max(min(lats) - margin, -90.0),
        min(max(lons) + margin, 180.0),
        min(max(lats) + margin, 90.0),
    )


def read_world(path: StrPath) -> list[dict]:
    """The world set's features (gzipped or plain GeoJSON), checked as any basemap is."""
    path = Path(path)
    if path.suffix != ".gz":
        return list(load_basemap(path).features)
    try:
        document = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except (OSError, EOFError, ValueError) as error:  # JSONDecodeError and bad UTF-8 too
        raise ScenarioError(path, "", f"cannot be read as gzipped GeoJSON: {error}") from None
    return list(checked_basemap(path, document).features)


def clip_features(features: list[dict], box: tuple[float, float, float, float]) -> list[dict]:
    """Each feature's part inside `box`, of its layer's geometry; features outside are left out."""
    import shapely
    from shapely.geometry import box as rectangle
    from shapely.geometry import mapping, shape

    window = rectangle(*box)
    shapes = [shape(feature["geometry"]) for feature in features]
    inside = shapely.intersects(shapes, window)
    clipped = []
    for feature, geometry, hit in zip(features, shapes, inside, strict=True):
        if not hit:
            continue
        layer = feature["properties"]["layer"]
        part = _of_kind(shapely.intersection(geometry, window), GEOMETRIES[layer])
        if part is None:
            continue
        clipped.append(
            {
                "type": "Feature",
                "properties": feature["properties"],
                "geometry": _rounded(mapping(part)),
            }
        )
    return clipped


def _of_kind(geometry: object, kinds: tuple[str, str]) -> object | None:
    """The parts of a clipped geometry that its layer draws (a polygon cut along the box's edge
    may leave a line or a point too); None when no such part is left."""
    import shapely
    from shapely.geometry import MultiLineString, MultiPolygon

    single = kinds[0]
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == single and not p.is_empty]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if single == "Polygon":
        return MultiPolygon(parts)
    return shapely.line_merge(MultiLineString(parts))


def _rounded(geometry: dict) -> dict:
    def nested(value: object) -> object:
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], float | int):
                return [round(float(v), DECIMALS) for v in value]
            return [nested(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": nested(geometry["coordinates"])}


def _refuse_at_sea(theatre_map: TheatreMap, features: list[dict], world: Path) -> None:
    """A theatre most of whose places lie off the world set's land is on made-up coordinates:
    its basemap would draw sea under its towns."""
    import shapely
    from shapely.geometry import shape

    land = [shape(f["geometry"]) for f in features if f["properties"]["layer"] == "land"]
    places = list(theatre_map.places.values())
    points = shapely.points([(p.lon, p.lat) for p in places])
    on_land = shapely.intersects(shapely.union_all(land), points) if land else [False] * len(places)
    at_sea = [p.name for p, dry in zip(places, on_land, strict=True) if not dry]
    if len(at_sea) > AT_SEA_SHARE * len(places):
        raise ScenarioError(
            theatre_map.path,
            "",
            f"{len(at_sea)} of {len(places)} places lie at sea in {world.name}'s land "
            f"({', '.join(at_sea[:3])}...): a theatre on made-up coordinates has no real coast "
            "to draw; expected places on land (--force makes the basemap all the same)",
        )


def _setup_naming_it(setup_path: Path, named: str | None) -> str | None:
    """The set-up's text with `basemap = "basemap.geojson"` added under its `map = ...` line,
    every other line as the user wrote it; None when the set-up names it already.

    Raises ScenarioError when the set-up names another basemap, or when the line cannot be
    placed safely: the message gives the line to add by hand.
    """
    if named == BASEMAP_FILE:
        return None
    line = f'basemap = "{BASEMAP_FILE}"'
    if named is not None:
        raise ScenarioError(
            setup_path,
            "scenario.basemap",
            f"names {named!r}; the new file is {BASEMAP_FILE}: change the line to {line}",
        )
    text = setup_path.read_text(encoding="utf-8")
    changed, count = re.subn(r"(?m)^(map\s*=.*\n)", rf"\g<1>{line}\n", text, count=1)
    try:
        placed = count and tomllib.loads(changed)["scenario"].get("basemap") == BASEMAP_FILE
    except (tomllib.TOMLDecodeError, KeyError):
        placed = False
    if not placed:
        raise ScenarioError(
            setup_path, "scenario", f"could not add the line; expected it added by hand: {line}"
        )
    return changed
