"""What each shipped theatre is, read from its files without loading it: `wargame
scenarios` lists them at once, and the loader's checks run when a theatre is used.

The shipped theatres pass every check in the tests, so nothing here re-checks them; a
test holds these figures to the loaded theatre's.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass

from wargame.scenario.paths import SETUP_FILE, bundled_scenarios, maps_dir


@dataclass(frozen=True)
class Listing:
    """One line of the catalogue."""

    name: str
    title: str
    start_date: dt.date
    places: int
    factions: tuple[str, ...]
    units: int


def catalogue() -> list[Listing]:
    """Every shipped theatre, by name."""
    return [_listing(name) for name in bundled_scenarios()]


def _listing(name: str) -> Listing:
    folder = maps_dir() / name
    setup = tomllib.loads((folder / SETUP_FILE).read_text(encoding="utf-8"))
    header = setup["scenario"]
    features = json.loads((folder / header["map"]).read_text(encoding="utf-8"))["features"]
    return Listing(
        name=name,
        title=header["title"],
        start_date=header["start_date"],
        places=sum(1 for f in features if f["geometry"]["type"] == "Point"),
        factions=tuple(header["factions"]),
        units=sum(unit.get("count", 1) for unit in setup.get("units", [])),
    )
