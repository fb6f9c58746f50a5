"""The second real theatre's map (issue 22): Rakhine and Paletwa, 2023-24, built from the
CSV files kept in its folder with `wargame import-map`, as the tutorial builds a theatre.

Its set-up, factions and history come next; these tests hold what the map must already
say: the coast's boat routes, and crossings into two countries.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from wargame.engine.geography import build_graph, crossings
from wargame.scenario import PlaceKind, RoadKind
from wargame.scenario.importer import import_map
from wargame.scenario.loader import load_map
from wargame.scenario.parameters import Parameters
from wargame.scenario.paths import maps_dir

FOLDER = maps_dir() / "rakhine"
PACKAGE = Path(__file__).resolve().parent.parent / "wargame"


def test_the_shipped_map_is_what_import_map_makes_of_the_csv_files(tmp_path):
    """Edit the CSV files, not the map: the map is theirs, imported again."""
    out = tmp_path / "map.geojson"
    import_map([FOLDER / "places.csv", FOLDER / "roads.csv"], out)
    assert json.loads(out.read_text()) == json.loads((FOLDER / "map.geojson").read_text())


def test_the_coast_is_joined_by_river_and_sea_and_crosses_into_two_countries():
    theatre_map = load_map(FOLDER / "map.geojson")
    kinds = Counter(road.kind for road in theatre_map.roads)
    assert kinds[RoadKind.RIVER] >= 8 and kinds[RoadKind.SEA] >= 4  # the Kaladan, Mayu, Naf
    graph = build_graph(theatre_map, Parameters())
    faced = {
        crossing: {theatre_map.places[s].country for s in across}
        for crossing, across in crossings(graph).items()
    }
    assert faced == {
        "maungdaw": {"BD"},
        "kyeekanpyin": {"BD"},
        "taungpyo": {"BD"},
        "paletwa": {"IN"},
    }
    sanctuaries = [p for p in theatre_map.places.values() if p.kind is PlaceKind.SANCTUARY]
    assert {p.country for p in sanctuaries} == {"BD", "IN"}


def test_no_file_under_the_package_names_rakhine_or_its_places_or_factions():
    words = re.compile(r"rakhine|arakan|sittwe|kyaukphyu|paletwa|maungdaw", re.IGNORECASE)
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.is_file() and path.suffix != ".pyc"
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if words.search(line)
    ]
    assert not found
