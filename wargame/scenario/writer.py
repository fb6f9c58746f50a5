"""Write a Theatre as a folder the loader reads back: set-up, GeoJSON map and faction files.

Why: a generated theatre (`wargame generate`) must open in the viewer, the
batch runner and the classroom like any hand-made one, and those read
folders. The folder is written beside its final place and renamed into it, so
a failure never leaves half a theatre.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import tomli_w

from wargame.files import StrPath
from wargame.scenario.loader import Theatre
from wargame.scenario.paths import SETUP_FILE

MAP_FILE = "map.geojson"


def write_theatre(theatre: Theatre, folder: StrPath) -> Path:
    """Write `theatre` into the new folder `folder`; returns its set-up file.

    Refuses a folder that exists and is not empty (FileExistsError), so a
    user's theatre is never overwritten.
    """
    with staged_folder(folder) as staging:
        (staging / MAP_FILE).write_text(json.dumps(_geojson(theatre)) + "\n", encoding="utf-8")
        (staging / SETUP_FILE).write_text(_setup_toml(theatre), encoding="utf-8")
        (staging / "agents").mkdir()
        for faction_id, spec in theatre.factions.items():
            data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
            (staging / "agents" / f"{faction_id}.toml").write_text(
                tomli_w.dumps(data), encoding="utf-8"
            )
    return Path(folder) / SETUP_FILE


@contextlib.contextmanager
def staged_folder(folder: StrPath) -> Iterator[Path]:
    """A hidden folder beside `folder` to write into, renamed to `folder` when the block ends.

    Raises FileExistsError for a folder that exists and is not empty; on any
    failure the staging folder is removed and `folder` is left as it was.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder}: already exists and is not an empty folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield staging
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _geojson(theatre: Theatre) -> dict:
    features = []
    for place in theatre.map.places.values():
        properties = {
            "id": place.id,
            "name": place.name,
            "kind": place.kind.value,
            "country": place.country,
            "population": place.population,
            "fortification": place.fortification,
            "source": place.source,
        }
        if place.mine_sites:
            properties |= {"mine_sites": place.mine_sites, "mineral": place.mineral}
        if place.trade_per_day:
            properties["trade_per_day"] = place.trade_per_day
        if place.camp_capacity:
            properties["camp_capacity"] = place.camp_capacity
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": properties,
            }
        )
    for road in theatre.map.roads:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in road.geometry]},
                "properties": {
                    "from": road.a,
                    "to": road.b,
                    "kind": road.kind.value,
                    "length_km": road.length_km,
                    "source": road.source,
                },
            }
        )
    if theatre.map.border:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [list(p) for p in theatre.map.border],
                },
                "properties": {"kind": "border"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _setup_toml(theatre: Theatre) -> str:
    setup = {
        "scenario": {
            "title": theatre.title,
            "description": theatre.description,
            "map": MAP_FILE,
            "start_date": theatre.start_date,
            "factions": list(theatre.factions),
        },
        "countries": dict(theatre.countries),
        "commodities": {
            commodity: spec.model_dump(exclude_defaults=True) | {"price": spec.price}
            for commodity, spec in theatre.commodities.items()
        },
        "control": dict(theatre.control),
        "units": [
            unit.model_dump(mode="json", exclude_defaults=True) | {"strength": unit.strength}
            for unit in theatre.units
        ],
    }
    if theatre.broker is not None:
        setup["broker"] = (
            {"country": theatre.broker}
            | ({"buys": list(theatre.buys)} if theatre.buys else {})
            | (
                {"ore_through_closed_crossings": True}
                if theatre.ore_through_closed_crossings
                else {}
            )
        )
    if theatre.neighbours:
        setup["neighbours"] = {
            code: neighbour.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            for code, neighbour in theatre.neighbours.items()
        }
    if theatre.lifts:
        setup["lift"] = [x.model_dump(mode="json", exclude_defaults=True) for x in theatre.lifts]
    if theatre.depots:
        setup["depot"] = [d.model_dump(mode="json", exclude_defaults=True) for d in theatre.depots]
    if theatre.handovers:
        setup["handover"] = [
            handover.model_dump(mode="json", exclude_defaults=True)
            for handover in theatre.handovers.values()
        ]
    if theatre.parameters:
        setup["parameters"] = dict(theatre.parameters)
    return tomli_w.dumps(setup)
