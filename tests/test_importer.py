"""`wargame import-map`: spreadsheets and GIS layers into a map, problems named by file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import assert_clean_failure, wargame
from wargame.scenario import ScenarioError, load_map
from wargame.scenario.importer import import_map
from wargame.scenario.loader import haversine_km

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
