"""`wargame import-map`: spreadsheets and GIS layers into a map, problems named by file and line."""

from __future__ import annotations

import contextlib
import json
import math
import tracemalloc
import warnings
from pathlib import Path

import pytest

from tests.test_cli import assert_clean_failure, wargame
from wargame import progress
from wargame.cli import main
from wargame.scenario import ScenarioError, load_map
from wargame.scenario.errors import (
    MAX_NAMED,
    MAX_PROBLEMS_LISTED,
    ScenarioProblems,
    ScenarioWarning,
)
from wargame.scenario.importer import import_map
from wargame.scenario.map_rules import ROAD_END_GAP_KM, haversine_km

PLACES = """\
id,name,kind,country,lon,lat,population,mine_sites,mineral,trade_per_day,fortification,source
alpha,Alpha,town,XA,10.0,50.0,1000,,,,0.2,made up
beta,Beta,mine,XA,10.2,50.1,200,4,jade,,,made up
gate,Gate,border_post,XA,10.4,50.0,50,,,9000,,made up
across,Across,sanctuary,XB,10.5,50.0,0,,,,,made up
"""
ROADS = """\
from,to,kind,length_km
alpha,beta,road,
beta,gate,track,30
gate,across,highway,
"""
BORDER = "lon,lat\n10.45,49.5\n10.45,50.5\n"


def write(folder: Path, **files: str) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = folder / name.replace("_csv", ".csv").replace("_geojson", ".geojson")
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_spreadsheets_make_the_map_the_loader_reads(tmp_path):
    sources = write(tmp_path, places_csv=PLACES, roads_csv=ROADS, border_csv=BORDER)
    out = tmp_path / "theatre" / "map.geojson"
    assert import_map(sources, out) == "4 places, 3 roads, a border line"
    theatre_map = load_map(out)
    beta = theatre_map.places["beta"]
    assert (beta.kind.value, beta.mine_sites, beta.mineral, beta.fortification) == (
        "mine", 4, "jade", 0.0,
    )  # fmt: skip
    assert theatre_map.places["gate"].trade_per_day == 9000
    lengths = {(r.a, r.b): r.length_km for r in theatre_map.roads}
    alpha, gate = theatre_map.places["alpha"], theatre_map.places["gate"]
    assert lengths[("alpha", "beta")] == pytest.approx(
        haversine_km((alpha.lon, alpha.lat), (10.2, 50.1))
    )
    assert lengths[("beta", "gate")] == 30  # a given length is kept
    assert theatre_map.border == ((10.45, 49.5), (10.45, 50.5))
    assert (gate.lon, gate.lat) == (10.4, 50.0)
    # one feature a line: readable, and a change to one place is a one-line diff
    assert len(out.read_text().splitlines()) == 2 + 4 + 3 + 1


def test_column_names_a_spreadsheet_may_use_and_its_quirks(tmp_path):
    places = "\ufeff" + PLACES.replace(",lon,lat,", ",longitude,latitude,").replace(
        "alpha,Alpha", " alpha ,Alpha"
    )  # a byte-order mark (Excel's UTF-8), spaces around a cell, and a blank line
    sources = write(tmp_path, places_csv=places + "\n,,,,,,,,,,,\n", roads_csv=ROADS)
    import_map(sources, tmp_path / "map.geojson")
    assert set(load_map(tmp_path / "map.geojson").places) == {"alpha", "beta", "gate", "across"}


@pytest.mark.parametrize(
    ("places", "roads", "blamed", "where", "problem"),
    [
        (PLACES, ROADS.replace("beta,gate", "beta,gte"), "roads.csv",
         "line 3 (road 'beta'-'gte').to", "unknown place id 'gte'"),
        (PLACES.replace(",1000,", ",many,"), ROADS, "places.csv",
         "line 2 (place 'alpha').population", "valid integer"),
        (PLACES.replace("10.2,50.1", "10.2,north"), ROADS, "places.csv", "line 3",
         "expected lon and lat as numbers"),
        (PLACES.replace("10.2,50.1", "10.2,95"), ROADS, "places.csv", "line 3",
         "longitude and latitude in degrees"),
        (PLACES.replace(",mine,", ",quarry,"), ROADS, "places.csv", "line 3 (place 'beta').kind",
         "'quarry'"),
        (PLACES + "beta,Beta again,town,XA,10.3,50.2,5,,,,,\n", ROADS, "places.csv",
         "line 6 (place 'beta').id", "duplicate place id 'beta'"),
        (PLACES, "from,to,kind\nalpha,beta,road\ngate,across,road\n", "roads.csv", "roads",
         "not connected to the rest"),
        (PLACES, ROADS.replace("alpha,beta,road,", "alpha,alpha,road,"), "roads.csv",
         "line 2 (road 'alpha'-'alpha')", "road from 'alpha' to itself"),
        (PLACES, ROADS + "beta,alpha,track,\n", "roads.csv", "line 5 (road 'beta'-'alpha')",
         "second road between"),
        (PLACES, ROADS.replace("track,30", "track,30,extra"), "roads.csv", "line 3",
         "more cells than the header"),
        (PLACES, "name,place\nx,y\n", "roads.csv", "line 1", "expected columns id, name"),
        (PLACES, "", "roads.csv", "", "expected a header line"),
        (PLACES, ROADS.replace("length_km", "kind"), "roads.csv", "line 1",
         "column 'kind' given twice"),
    ],
)  # fmt: skip
def test_a_bad_file_is_named_with_its_line_and_the_old_map_is_kept(
    tmp_path, places, roads, blamed, where, problem
):
    out = tmp_path / "map.geojson"
    out.write_text("the last good map")
    sources = write(tmp_path, places_csv=places, roads_csv=roads)
    with pytest.raises(ScenarioError) as caught:
        import_map(sources, out)
    assert caught.value.path.name == blamed
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert out.read_text() == "the last good map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.geojson", "places.csv", "roads.csv"]


def failure(tmp_path: Path, **files: str) -> ScenarioError:
    """The error importing these files raises; the old map is kept."""
    out = tmp_path / "map.geojson"
    with pytest.raises(ScenarioError) as caught:
        import_map(write(tmp_path, **files), out)
    assert not out.exists()
    return caught.value


def test_every_problem_is_named_not_only_the_first(tmp_path):
    places = PLACES.replace(",1000,", ",many,").replace("10.2,50.1", "10.2,north")
    places = places.replace(",50,,,9000,", ",,,,9000,")  # gate's population left empty
    roads = ROADS.replace("gate,across", "gate,acros")
    error = failure(tmp_path, places_csv=places, roads_csv=roads)
    assert isinstance(error, ScenarioProblems)
    assert [(p.path.name, p.where) for p in error.problems] == [
        ("places.csv", "line 2 (place 'alpha').population"),
        ("places.csv", "line 3"),
        ("places.csv", "line 4 (place 'gate').population"),
        ("roads.csv", "line 4 (road 'gate'-'acros').to"),
    ]
    assert error.problems[0].problem.endswith(
        "valid integer, unable to parse string as an integer, got 'many'"
    )
    # the tutorial: "an empty cell takes the default" - this column has none, and says so
    assert error.problems[2].problem == "empty, and this column has no default: fill it in"
    lines = str(error).splitlines()
    assert lines[0] == f"4 problems in {tmp_path / 'places.csv'} (3), {tmp_path / 'roads.csv'} (1):"
    assert lines[1] == f"  {tmp_path / 'places.csv'}: line 2 (place 'alpha').population: " + (
        error.problems[0].problem
    )
    assert len(lines) == 5


def test_a_file_wrong_on_every_line_gets_a_message_one_can_read(tmp_path):
    header, row = PLACES.splitlines()[:2]
    rows = [row.replace("alpha", f"p{n}").replace(",1000,", ",lots,") for n in range(500)]
    roads = "from,to,kind\np0,p1,road\n"  # to places that have problems: not blamed again
    error = failure(tmp_path, places_csv="\n".join([header, *rows]) + "\n", roads_csv=roads)
    assert error.total == 500 and len(error.problems) == MAX_PROBLEMS_LISTED
    lines = str(error).splitlines()
    assert lines[0].startswith("500 problems in")
    assert lines[-1] == f"  ... and {500 - MAX_PROBLEMS_LISTED} more"
    assert len(lines) == MAX_PROBLEMS_LISTED + 2


def test_a_problem_that_would_name_every_place_names_a_few(tmp_path):
    """Issue 17: a 10 MB file ended in a 1.3 MB error listing every place cut off."""
    row = PLACES.splitlines()[1]
    far = [row.replace("alpha", f"far{n:04d}") for n in range(2000)]
    places = "\n".join([*PLACES.splitlines(), *far]) + "\n"
    error = failure(tmp_path, places_csv=places, roads_csv=ROADS)
    assert (error.path.name, error.where) == ("roads.csv", "roads")
    named = ", ".join(f"far{n:04d}" for n in range(MAX_NAMED))
    assert error.problem == (
        "expected every place to be reachable by road; not connected to the rest: "
        f"{named} and {2000 - MAX_NAMED:,} more"
    )


def test_columns_of_ones_own_are_kept_and_ignored(tmp_path):
    """A sheet keeps its reference columns; the summary names what was not read."""
    places = PLACES.replace("source\n", "source,notes,wiki\n").replace("made up\n", "made up,x,y\n")
    roads = ROADS.replace("length_km\n", "length_km,surveyed\n")
    sources = write(tmp_path, places_csv=places, roads_csv=roads)
    summary = import_map(sources, tmp_path / "map.geojson")
    assert (
        summary
        == "4 places, 3 roads; ignored columns: notes, wiki (places.csv); surveyed (roads.csv)"
    )
    assert "wiki" not in (tmp_path / "map.geojson").read_text()
    assert load_map(tmp_path / "map.geojson").places["beta"].mine_sites == 4


@pytest.mark.parametrize(
    ("column", "misspelt"),
    [("population", "popualtion"), ("fortification", "fortfication"), ("kind", "Kind")],
)
def test_a_misspelt_column_is_not_taken_for_ones_own(tmp_path, column, misspelt):
    """Ignored, its values would be lost (or, for a column with no default, reported missing
    on every row): it is named once, with the column it was meant to be."""
    error = failure(tmp_path, places_csv=PLACES.replace(column, misspelt, 1), roads_csv=ROADS)
    assert (error.path.name, error.where, error.problem) == (
        "places.csv",
        "line 1",
        f"{misspelt}: did you mean {column!r}? Rename it "
        "(a column of your own needs a name unlike those a place has)",
    )


def test_a_missing_column_is_named_once_not_on_every_row(tmp_path):
    places = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 6)
                       for line in PLACES.splitlines())  # fmt: skip
    error = failure(tmp_path, places_csv=places + "\n", roads_csv=ROADS)
    assert (error.path.name, error.where) == ("places.csv", "line 1")
    assert error.problem == (
        "places need columns id, name, kind, country, population; missing: population"
    )


def test_a_layers_own_fields_are_ignored_and_a_misspelt_one_named(tmp_path):
    places = [{**f, "properties": {**f["properties"], "osm_id": 7}} for f in QGIS_PLACES]
    roads = [drawn_road([10.0, 50.0], [10.1, 50.0]), drawn_road([10.1, 50.0], [10.2, 50.0])]
    sources = write(
        tmp_path,
        places_geojson=qgis_layer("places", places),
        roads_geojson=qgis_layer("roads", roads),
    )
    summary = import_map(sources, tmp_path / "first.geojson")
    assert summary == "3 places, 2 roads; ignored columns: osm_id (places.geojson)"
    places[1]["properties"]["fortificaton"] = 0.5
    error = failure(tmp_path, places_geojson=qgis_layer("places", places),
                    roads_geojson=qgis_layer("roads", roads))  # fmt: skip
    assert (error.path.name, error.where, error.problem) == (
        "places.geojson",
        "features[1].properties",
        "fortificaton: did you mean 'fortification'? Rename it "
        "(a column of your own needs a name unlike those a place has)",
    )


def peak_bytes_importing(folder: Path, places: int, note: str) -> tuple[int, int]:
    """The peak memory import-map allocates for a chain of places and roads each carrying
    `note`, and the size of its inputs."""
    folder.mkdir()
    rows = [f'p{n},P {n},town,XA,{n % 100 / 100},{n // 100 / 100},{n},"{note}"'
            for n in range(places)]  # fmt: skip
    roads = [f'p{n},p{n + 1},road,"{note}"' for n in range(places - 1)]
    sources = write(
        folder,
        places_csv="\n".join(["id,name,kind,country,lon,lat,population,source", *rows]),
        roads_csv="\n".join(["from,to,kind,source", *roads]),
    )
    tracemalloc.start()
    try:
        import_map(sources, folder / "map.geojson")
        return tracemalloc.get_traced_memory()[1], sum(p.stat().st_size for p in sources)
    finally:
        tracemalloc.stop()


def test_a_large_spreadsheet_is_read_a_row_at_a_time(tmp_path):
    """Issue 17: a 200 MB sheet grew to 5.4 GB. Rows are read and written one at a time:
    what import-map holds grows with the number of places and roads, not with their text."""
    short, short_size = peak_bytes_importing(tmp_path / "short", 2000, "a note")
    long, long_size = peak_bytes_importing(tmp_path / "long", 2000, "a long note; " * 80)
    assert long_size - short_size > 4_000_000
    assert long - short < (long_size - short_size) / 20, (short, long)


def test_import_map_shows_how_far_it_has_read(tmp_path, monkeypatch, capsys):
    rows = [f"p{n},P {n},town,XA,{n % 100 / 100},{n // 100 / 100},{n},{'x' * 100}"
            for n in range(12000)]  # fmt: skip
    places = "id,name,kind,country,lon,lat,population,source\n" + "\n".join(rows)
    roads = "from,to,kind\n" + "\n".join(f"p{n},p{n + 1},road" for n in range(11999))
    write(tmp_path, places_csv=places, roads_csv=roads)
    seen = []
    import_map([tmp_path / "places.csv", tmp_path / "roads.csv"], tmp_path / "a.geojson",
               progress=lambda done, total, note="": seen.append((done, total, note)))  # fmt: skip
    megabytes = math.ceil(((tmp_path / "places.csv").stat().st_size + len(roads)) / 2**20)
    assert megabytes == 2
    assert len(seen) > 2 and seen[0][:2] == (0, 2) and seen[-1][:2] == (2, 2)
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert {note for _, _, note in seen} == {"places.csv", "roads.csv"}
    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0.0)
    code = main(["import-map", str(tmp_path / "places.csv"), str(tmp_path / "roads.csv"),
                 "--out", str(tmp_path / "b.geojson")])  # fmt: skip
    shown = capsys.readouterr()
    assert code == 0, shown.err
    assert "import-map: 1/2 MB, places.csv, ETA" in shown.err
    assert "import-map: 2/2 MB, roads.csv, ETA 0m00s" in shown.err
    assert shown.out == f"{tmp_path / 'b.geojson'}: 12000 places, 11999 roads\n"


def qgis_layer(name: str, features: list[dict], crs: str = "urn:ogc:def:crs:OGC:1.3:CRS84") -> str:
    """A layer as QGIS exports it: its name, a crs member, fid and null properties."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "name": name,
            "crs": {"type": "name", "properties": {"name": crs}},
            "features": [
                {"type": "Feature", "id": i, **f, "properties": {"fid": i, **f["properties"]}}
                for i, f in enumerate(features)
            ],
        }
    )


QGIS_PLACES = [
    {
        "geometry": {"type": "MultiPoint", "coordinates": [[10.0 + i / 10, 50.0]]},
        "properties": {"id": pid, "name": pid.title(), "kind": kind, "country": country,
                       "population": 100, "mine_sites": None, "mineral": None,
                       "trade_per_day": None, "fortification": None, "source": None},
    }
    for i, (pid, kind, country) in enumerate(
        [("alpha", "town", "XA"), ("gate", "border_post", "XA"), ("across", "sanctuary", "XB")]
    )
]  # fmt: skip


def drawn_road(start: list[float], end: list[float], **properties) -> dict:
    middle = [(start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.01]
    return {
        "geometry": {"type": "MultiLineString", "coordinates": [[start, middle, end]]},
        "properties": {"kind": "road", "source": None, **properties},
    }


def test_qgis_layers_with_roads_drawn_between_places(tmp_path):
    roads = [
        drawn_road([10.0004, 50.0003], [10.1, 49.9998]),  # snapped: ends within 1 km
        drawn_road([10.2, 50.0], [10.1, 50.0], **{"from": "across", "to": "gate"}),
        {"geometry": {"type": "LineString", "coordinates": [[10.15, 49.0], [10.15, 51.0]]},
         "properties": {"kind": "border", "name": "frontier"}},
    ]  # fmt: skip
    sources = write(
        tmp_path,
        places_geojson=qgis_layer("places", QGIS_PLACES),
        roads_geojson=qgis_layer("roads", roads),
    )
    assert import_map(sources, tmp_path / "map.geojson") == "3 places, 2 roads, a border line"
    theatre_map = load_map(tmp_path / "map.geojson")
    assert {frozenset((r.a, r.b)) for r in theatre_map.roads} == {
        frozenset(("alpha", "gate")), frozenset(("gate", "across")),
    }  # fmt: skip
    assert theatre_map.places["alpha"].fortification == 0.0  # null: the default
    drawn = next(r for r in theatre_map.roads if {r.a, r.b} == {"alpha", "gate"})
    assert len(drawn.geometry) == 3  # the road keeps the line as drawn


@pytest.mark.parametrize(
    ("layer", "where", "problem"),
    [
        (qgis_layer("roads", [drawn_road([10.0, 50.03], [10.1, 50.0])]),
         "features[0] (a road drawn without from/to)",
         "the road's start is 3.3 km from the nearest place ('alpha')"),
        (qgis_layer("roads", [drawn_road([10.0, 50.0], [10.1, 50.0])], crs="EPSG:3857"), "crs",
         "export the layer as EPSG:4326"),
        (json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": True},
                     "features": []}), "crs", "export the layer as EPSG:4326"),
        (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"kind": "road"}, "geometry": {
                "type": "MultiLineString", "coordinates": [[[10, 50], [10.1, 50]]] * 2}}]}),
         "features[0].geometry", "a MultiLineString of 2 parts"),
        (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                               "coordinates": []}}]}),
         "features[0].geometry.type", "got 'Polygon'"),
        ("[1, 2]", "type", "expected a GeoJSON FeatureCollection"),
        (qgis_layer("roads", [drawn_road([10.0, 50.0], [1e308, 50.0])]),
         "features[0].geometry.coordinates", "expected [longitude, latitude] in degrees"),
        (qgis_layer("roads", [{"geometry": {"type": "LineString", "coordinates": [[1, 2], [3]]},
                               "properties": {}}]),
         "features[0].geometry.coordinates", "got [3]"),
        (json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": True, "geometry": {
                "type": "LineString", "coordinates": [[10, 50], [10.1, 50]]}}]}),
         "features[0].properties", "expected an object of properties"),
    ],
)  # fmt: skip
def test_a_bad_layer_says_what_to_do(tmp_path, layer, where, problem):
    sources = write(tmp_path, places_geojson=qgis_layer("places", QGIS_PLACES), roads_geojson=layer)
    with pytest.raises(ScenarioError) as caught:
        import_map(sources, tmp_path / "map.geojson")
    assert (caught.value.path.name, caught.value.where) == ("roads.geojson", where)
    assert problem in caught.value.problem
    assert not (tmp_path / "map.geojson").exists()


def test_snap_distance_is_a_choice(tmp_path):
    roads = [drawn_road([10.0, 50.03], [10.1, 50.0]), drawn_road([10.1, 50.0], [10.2, 50.0])]
    sources = write(
        tmp_path,
        places_geojson=qgis_layer("places", QGIS_PLACES),
        roads_geojson=qgis_layer("roads", roads),
    )
    assert import_map(sources, tmp_path / "map.geojson", snap_km=5.0).startswith("3 places")


def test_import_map_from_the_command_line(tmp_path):
    write(tmp_path, places_csv=PLACES, roads_csv=ROADS)
    done = wargame("import-map", "places.csv", "roads.csv", "--out", "t/map.geojson", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "t/map.geojson: 4 places, 3 roads\n"
    failed = wargame("import-map", "places.csv", "--out", "t/map.txt", cwd=tmp_path)
    assert_clean_failure(failed, "--out t/map.txt: expected a file ending in .geojson")
    failed = wargame("import-map", "places.csv", "--out", "m.geojson", "--snap-km", "0",
                     cwd=tmp_path)  # fmt: skip
    assert_clean_failure(failed, "--snap-km: expected a distance above 0 km")
    failed = wargame("import-map", "nowhere.csv", "--out", "m.geojson", cwd=tmp_path)
    assert_clean_failure(failed, "nowhere.csv: file not found")
    failed = wargame("import-map", "places.txt", "--out", "m.geojson", cwd=tmp_path)
    assert_clean_failure(failed, "places.txt: expected a .csv or .geojson file")
    assert not (tmp_path / "m.geojson").exists()


def test_several_problems_on_the_command_line(tmp_path):
    """One `error:` line saying how many and where, then one indented line each."""
    write(tmp_path, places_csv=PLACES.replace(",1000,", ",many,"), roads_csv=ROADS[:-1] + "x\n")
    failed = wargame("import-map", "places.csv", "roads.csv", "nowhere.csv", "--out", "m.geojson",
                     cwd=tmp_path)  # fmt: skip
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.splitlines() == [
        "error: 3 problems in nowhere.csv (1), places.csv (1), roads.csv (1):",
        "  nowhere.csv: file not found",
        "  places.csv: line 2 (place 'alpha').population: Input should be a valid integer, "
        "unable to parse string as an integer, got 'many'",
        "  roads.csv: line 4 (road 'gate'-'across').length_km: Input should be a valid number, "
        "unable to parse string as a number, got 'x'",
    ]
    assert not (tmp_path / "m.geojson").exists()


# --- the map's own rules, as the loader applies them (wargame/scenario/map_rules.py) -------

BEYOND = "beyond,Beyond,sanctuary,XB,10.6,50.0,0,,,,,made up\n"


def test_a_road_between_two_sanctuaries_is_refused_naming_the_roads_file_and_line(tmp_path):
    """Issue 17, item 7: `validate` refuses it, so import-map must not write it."""
    error = failure(tmp_path, places_csv=PLACES + BEYOND, roads_csv=ROADS + "across,beyond,road,\n")
    assert (error.path.name, error.where) == ("roads.csv", "line 5 (road 'across'-'beyond')")
    assert error.problem.startswith(
        "road between two foreign sanctuaries ('across', 'beyond'); a sanctuary is joined only "
        "to the crossing that faces it"
    )


def test_the_rules_problems_are_listed_with_the_others_each_at_its_line(tmp_path):
    roads = ROADS.replace("track,30", "track,3") + "across,beyond,road,\n"
    error = failure(
        tmp_path,
        places_csv=(PLACES + BEYOND).replace(",1000,", ",many,"),
        roads_csv=roads,
    )
    assert isinstance(error, ScenarioProblems)
    assert [(p.path.name, p.where) for p in error.problems] == [
        ("places.csv", "line 2 (place 'alpha').population"),
        ("roads.csv", "line 3 (road 'beta'-'gate').length_km"),
        ("roads.csv", "line 5 (road 'across'-'beyond')"),
    ]
    straight = haversine_km((10.2, 50.1), (10.4, 50.0))
    assert error.problems[1].problem == (
        f"length_km 3 is far shorter than the {straight:,.1f} km straight line between 'beta' "
        "and 'gate'; expected at least 0.5 of it"
    )


@pytest.mark.parametrize(
    ("road", "where", "gap"),
    [
        # snapped: its start is 6.7 km from alpha, within --snap-km 8 but not a road's end
        (drawn_road([10.0, 50.06], [10.1, 50.0]),
         "features[0] (a road drawn without from/to).geometry.coordinates[0]",
         "6.7 km from 'alpha'"),
        # its ends named, and its end drawn 11 km from the place named
        (drawn_road([10.0, 50.0], [10.1, 50.1], **{"from": "alpha", "to": "gate"}),
         "features[0] (road 'alpha'-'gate').geometry.coordinates[2]", "11.1 km from 'gate'"),
    ],
)  # fmt: skip
def test_a_layer_road_that_ends_far_from_its_place_is_refused(tmp_path, road, where, gap):
    roads = [road, drawn_road([10.1, 50.0], [10.2, 50.0])]
    sources = write(tmp_path, places_geojson=qgis_layer("places", QGIS_PLACES),
                    roads_geojson=qgis_layer("roads", roads))  # fmt: skip
    with pytest.raises(ScenarioError) as caught:
        import_map(sources, tmp_path / "map.geojson", snap_km=8.0)
    assert (caught.value.path.name, caught.value.where) == ("roads.geojson", where)
    assert caught.value.problem.startswith(
        f"the road ends {gap}, the place it joins; expected within {ROAD_END_GAP_KM:g} km"
    )
    assert not (tmp_path / "map.geojson").exists()


def test_snapping_farther_than_a_road_end_may_lie_is_refused_on_the_command_line(tmp_path):
    write(tmp_path, places_csv=PLACES, roads_csv=ROADS)
    failed = wargame("import-map", "places.csv", "roads.csv", "--out", "m.geojson",
                     "--snap-km", "8", cwd=tmp_path)  # fmt: skip
    assert_clean_failure(failed, "--snap-km: expected a distance above 0 km and at most 5 km")
    assert not (tmp_path / "m.geojson").exists()


def test_a_detour_road_is_the_warning_validate_gives_at_its_own_line(tmp_path, capsys):
    """A road far longer than the straight line is written, and said as `validate` says it,
    but about the spreadsheet's line rather than the map's feature."""
    write(tmp_path, places_csv=PLACES, roads_csv=ROADS.replace("track,30", "track,300"))
    out = tmp_path / "map.geojson"
    said = {}
    for command in (["import-map", "places.csv", "roads.csv", "--out", str(out)],
                    ["validate", str(out)]):  # fmt: skip
        with warnings.catch_warnings(), contextlib.chdir(tmp_path):  # each said afresh
            assert main(command) == 0
        said[command[0]] = capsys.readouterr().err.splitlines()
    (imported,), (validated,) = said["import-map"], said["validate"]
    assert validated.startswith(f"warning: {out}: features[5].properties.length_km: length_km 300")
    problem = validated.split(": ", 3)[3]
    assert imported == f"warning: roads.csv: line 3 (road 'beta'-'gate').length_km: {problem}"


def test_many_warnings_are_a_few_lines_and_a_count(tmp_path, recwarn):
    rows = [f"p{n},P {n},town,XA,{n / 100},50.0,{n}" for n in range(100)]
    roads = [f"p{n},p{n + 1},road,900" for n in range(99)]  # 900 km between places 0.7 km apart
    sources = write(tmp_path, places_csv="\n".join(["id,name,kind,country,lon,lat,population",
                                                    *rows]),
                    roads_csv="\n".join(["from,to,kind,length_km", *roads]))  # fmt: skip
    assert import_map(sources, tmp_path / "map.geojson") == "100 places, 99 roads"
    said = [str(w.message) for w in recwarn.list if isinstance(w.message, ScenarioWarning)]
    assert len(said) == MAX_PROBLEMS_LISTED + 1
    assert said[0].startswith(f"{sources[1]}: line 2 (road 'p0'-'p1').length_km: length_km 900")
    assert said[-1] == f"... and {99 - MAX_PROBLEMS_LISTED} more"


def test_places_joined_only_through_a_sanctuary_are_cut_off_as_validate_says(tmp_path):
    places = PLACES + "beyond,Beyond,town,XA,10.55,50.0,0,,,,,made up\n"
    roads = ROADS + "across,beyond,road,\n"  # Beyond is reached only through Across
    error = failure(tmp_path, places_csv=places, roads_csv=roads)
    assert (error.path.name, error.where) == ("roads.csv", "roads")
    assert error.problem == (
        "expected every place to be reachable by road; not connected to the rest: beyond "
        "(only through a foreign sanctuary, where units do not go)"
    )


def test_a_map_of_sanctuaries_only_is_refused(tmp_path):
    header, *rows = PLACES.splitlines()
    error = failure(tmp_path, places_csv="\n".join([header, rows[-1]]) + "\n")
    assert (error.path.name, error.where, error.problem) == (
        "places.csv", "", "expected at least one place that is not a foreign sanctuary",
    )  # fmt: skip
