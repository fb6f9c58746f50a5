"""The end of a run as GeoJSON: checked against the model it was made from, and against
RFC 7946's rules for the structure a GIS reads."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from numbers import Real

import pytest
from theatres import line_map

from wargame import build_model
from wargame.drawing.geojson import ATTRIBUTES, along_line, to_geojson, write_geojson
from wargame.engine.agents import CivilianState

SEED = 7
FEWEST_DAYS = 20
MOST_DAYS = 90
ON_THE_LINE_DEGREES = 2e-6
"""How far off a straight line a point may lie: coordinates are rounded to 6 decimals."""
FORBIDDEN = {  # RFC 7946 section 7.1: members one kind of object must not have
    "FeatureCollection": {"coordinates", "geometries", "geometry", "properties"},
    "Feature": {"coordinates", "geometries"},
    "geometry": {"geometry", "properties"},
}


@pytest.fixture(scope="module")
def campaign():
    """Kachin, seed 7, played to the first day from day 20 with a unit on the march and
    soldiers interned across the border, so that neither check below is empty."""
    model = build_model("kachin", seed=SEED)
    while model.day < MOST_DAYS:
        model.step()
        on_road = any(unit.transit for unit in model.units)
        if model.day >= FEWEST_DAYS and on_road and model.interned_at:
            return model, to_geojson(model)
    pytest.fail(f"no day up to {MOST_DAYS} had a unit on a road and soldiers interned")


def layer(document: dict, name: str) -> list[dict]:
    return [f for f in document["features"] if f["properties"]["layer"] == name]


def positions(geometry: dict) -> list[list[float]]:
    if geometry["type"] == "Point":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def rfc7946_problems(document: dict) -> list[str]:
    """What in `document` breaks RFC 7946's structure for a FeatureCollection of Points and
    LineStrings (the only geometries written here); [] when nothing does."""
    problems = []
    if document.get("type") != "FeatureCollection":
        problems.append(f"type {document.get('type')!r}, expected 'FeatureCollection'")
    if "crs" in document:
        problems.append("a 'crs' member: RFC 7946 has WGS 84 only, and no crs")
    problems += [f"collection has {m!r}" for m in FORBIDDEN["FeatureCollection"] & set(document)]
    features = document.get("features")
    if not isinstance(features, list):
        return [*problems, "'features' is not an array"]
    for number, feature in enumerate(features):
        problems += [f"features[{number}]: {p}" for p in _feature_problems(feature)]
    if "bbox" in document:
        problems += _bbox_problems(document["bbox"], features)
    return problems


def _feature_problems(feature: dict) -> list[str]:
    problems = []
    if feature.get("type") != "Feature":
        problems.append(f"type {feature.get('type')!r}, expected 'Feature'")
    for member in ("geometry", "properties"):
        if member not in feature:
            problems.append(f"no {member!r} member")
    if not isinstance(feature.get("properties"), dict | None):
        problems.append("'properties' is neither an object nor null")
    if "id" in feature and not isinstance(feature["id"], str | int | float):
        problems.append("'id' is neither a string nor a number")
    problems += [f"has {m!r}" for m in FORBIDDEN["Feature"] & set(feature)]
    geometry = feature.get("geometry")
    if geometry is not None:
        problems += _geometry_problems(geometry)
    return problems


def _geometry_problems(geometry: dict) -> list[str]:
    problems = [f"geometry has {m!r}" for m in FORBIDDEN["geometry"] & set(geometry)]
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        points = [coordinates]
    elif kind == "LineString":
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            return [*problems, "a LineString needs an array of two or more positions"]
        points = coordinates
    else:
        return [*problems, f"geometry type {kind!r}, expected 'Point' or 'LineString'"]
    return problems + [p for point in points for p in _position_problems(point)]


def _position_problems(position: object) -> list[str]:
    numbers = isinstance(position, list) and all(
        isinstance(n, Real) and not isinstance(n, bool) and math.isfinite(n) for n in position
    )
    if not numbers or len(position) not in (2, 3):
        return [f"position {position!r} is not 2 or 3 finite numbers"]
    lon, lat = position[:2]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [f"position {position!r} is not [longitude, latitude] in degrees"]
    return []


def _bbox_problems(bbox: object, features: list[dict]) -> list[str]:
    if not isinstance(bbox, list) or len(bbox) != 4:
        return [f"bbox {bbox!r} is not [west, south, east, north]"]
    west, south, east, north = bbox
    outside = [
        p
        for f in features
        if isinstance(f.get("geometry"), dict)
        for p in positions(f["geometry"])
        if not (west <= p[0] <= east and south <= p[1] <= north)
    ]
    return [f"position {p} outside the bbox" for p in outside]


def test_the_document_is_valid_geojson_and_plain_json(campaign):
    _, document = campaign
    assert rfc7946_problems(document) == []
    ids = [f["id"] for f in document["features"]]
    assert len(ids) == len(set(ids)), "feature ids repeat"
    assert json.loads(json.dumps(document, allow_nan=False)) == document


def test_the_checks_catch_what_rfc_7946_forbids(campaign):
    """The structure checks above are not vacuous: each catches its breach."""
    _, document = campaign
    place = layer(document, "place")[0]
    swapped = {**place, "geometry": {"type": "Point", "coordinates": [25.0, 97.0, 1, 2]}}
    broken = {
        **document,
        "crs": {"type": "name"},
        "properties": {},
        "features": [swapped, {"type": "Feature", "geometry": None}],
    }
    found = " | ".join(rfc7946_problems(broken))
    for fragment in ("'crs'", "has 'properties'", "not 2 or 3", "no 'properties'"):
        assert fragment in found, found


def test_each_layer_has_the_one_attribute_table_the_guide_documents(campaign):
    """Every feature of a layer has the same attributes, in the order of `ATTRIBUTES` (the
    guide's table): a GIS makes one table of a layer."""
    model, document = campaign
    for name, documented in ATTRIBUTES.items():
        expected = [
            key.replace("<faction>", faction)
            for key in documented
            for faction in (model.factions if "<faction>" in key else [""])
        ]
        for feature in layer(document, name):
            assert list(feature["properties"]) == expected, feature["id"]


def test_every_place_appears_once_at_its_point_with_the_models_holder(campaign):
    model, document = campaign
    places = layer(document, "place")
    assert sorted(f["properties"]["place"] for f in places) == sorted(model.theatre.map.places)
    for feature in places:
        spec = model.theatre.map.places[feature["properties"]["place"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [spec.lon, spec.lat]}
        assert feature["properties"]["holder"] == model.controller.get(spec.id)
        assert feature["properties"]["contested"] == (spec.id in model.contested)
        assert feature["properties"]["fortification"] == pytest.approx(
            model.fortification(spec.id), abs=1e-4
        )


def test_captures_and_changed_hands_follow_the_event_log(campaign):
    model, document = campaign
    captures = [e for e in model.events if e.kind.value == "capture"]
    assert captures, "the campaign took no place: pick a longer one"
    for feature in layer(document, "place"):
        properties = feature["properties"]
        taken = [e for e in captures if e.place == properties["place"]]
        assert properties["captures"] == len(taken)
        assert properties["last_taken_day"] == (taken[-1].day if taken else None)
        assert properties["last_taken_by"] == (taken[-1].factions[0] if taken else None)
        start = model.theatre.control.get(properties["place"])
        assert properties["held_at_start"] == start
        assert properties["changed_hands"] == (bool(taken) or properties["holder"] != start)


def test_soldiers_add_up_to_the_models_totals_by_faction(campaign):
    model, document = campaign
    units = [f["properties"] for f in layer(document, "unit")]
    places = [f["properties"] for f in layer(document, "place")]
    assert sorted(u["unit"] for u in units) == sorted(u.unique_id for u in model.units)
    for faction, measures in model.summary()["factions"].items():
        own = [u for u in units if u["faction"] == faction]
        assert sum(u["strength"] for u in own) == measures["strength"]
        standing = sum(p[f"strength_{faction}"] for p in places)
        marching = sum(u["strength"] for u in own if u["on_road"])
        assert standing + marching == measures["strength"]


def test_units_at_a_place_stand_on_its_point(campaign):
    model, document = campaign
    places = model.theatre.map.places
    for feature in layer(document, "unit"):
        unit = model.unit(feature["properties"]["unit"])
        assert feature["properties"]["at"] == unit.place
        if unit.place is not None:
            spec = places[unit.place]
            assert feature["geometry"]["coordinates"] == [spec.lon, spec.lat]


def test_units_on_a_road_lie_between_its_two_places_as_far_as_they_have_come(campaign):
    """Kachin's roads are drawn straight from place to place, so a unit on one lies on the
    segment between them, at the share of the road it has covered."""
    model, document = campaign
    places = model.theatre.map.places
    marching = [f for f in layer(document, "unit") if f["properties"]["on_road"]]
    assert marching, "no unit on a road: the check below would be empty"
    for feature in marching:
        properties = feature["properties"]
        transit = model.unit(properties["unit"]).transit
        assert (properties["road_from"], properties["road_to"]) == (
            transit.origin,
            transit.destination,
        )
        assert model.grid.G.has_edge(transit.origin, transit.destination)
        covered = 1 - transit.km_left / transit.km_total
        assert properties["road_share"] == pytest.approx(covered, abs=1e-4)
        start, end = places[transit.origin], places[transit.destination]
        across, off = _along_and_off(
            feature["geometry"]["coordinates"], (start.lon, start.lat), (end.lon, end.lat)
        )
        assert off <= ON_THE_LINE_DEGREES
        assert 0.0 <= across <= 1.0
        assert across == pytest.approx(covered, abs=1e-4)


def _along_and_off(point, start, end) -> tuple[float, float]:
    """How far along the segment start-end `point` lies (0-1), and how far off it (degrees)."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    t = ((point[0] - start[0]) * dx + (point[1] - start[1]) * dy) / (dx * dx + dy * dy)
    nearest = (start[0] + t * dx, start[1] + t * dy)
    return t, math.dist(point, nearest)


def test_coordinates_are_longitude_then_latitude_within_the_theatre(campaign):
    model, document = campaign
    places = model.theatre.map.places.values()
    lons, lats = [p.lon for p in places], [p.lat for p in places]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    for feature in document["features"]:
        for lon, lat in positions(feature["geometry"]):
            assert west <= lon <= east and south <= lat <= north, feature["id"]
    assert document["bbox"] == [west, south, east, north]


def test_people_add_up_to_the_models_civilians(campaign):
    model, document = campaign
    civilians = model.summary()["civilians"]
    places = [f["properties"] for f in layer(document, "place")]
    alive = sum(p["people_at_home"] + p["people_away"] for p in places)
    assert alive == civilians["population"]
    assert sum(p["people_sheltering"] for p in places) == (
        civilians["displaced"] + civilians["refugees_abroad"]
    )
    abroad = sum(p["people_sheltering"] for p in places if p["kind"] == "sanctuary")
    assert abroad == civilians["refugees_abroad"]
    refugees = sum(g.size for g in model.civilians if g.state is CivilianState.REFUGEE)
    assert abroad == refugees


def test_interned_soldiers_are_at_the_sanctuary_that_holds_them(campaign):
    model, document = campaign
    places = {f["properties"]["place"]: f["properties"] for f in layer(document, "place")}
    for (sanctuary, faction), soldiers in model.interned_at.items():
        assert places[sanctuary]["interned_" + faction] == soldiers
    shown = sum(p[f"interned_{f}"] for p in places.values() for f in model.factions)
    assert shown == sum(model.interned_at.values()) > 0


def test_every_road_is_a_line_as_the_map_draws_it(campaign):
    model, document = campaign
    roads = layer(document, "road")
    assert len(roads) == len(model.theatre.map.roads)
    for feature, road in zip(roads, model.theatre.map.roads, strict=True):
        assert (feature["properties"]["from"], feature["properties"]["to"]) == (road.a, road.b)
        assert feature["properties"]["kind"] == road.kind.value
        assert feature["geometry"]["coordinates"] == [list(p) for p in road.geometry]
        assert not feature["properties"]["closed"]  # the broker closed no crossing in this run


def test_the_runs_facts_sit_in_a_foreign_member(campaign):
    model, document = campaign
    facts = document["wargame"]
    assert (facts["theatre"], facts["seed"], facts["day"]) == ("kachin", SEED, model.day)
    assert facts["date"] == model.date.isoformat()
    assert set(facts["factions"]) == set(model.factions)


def test_a_closed_crossing_closes_its_road_across_the_border():
    model = build_model("kachin", seed=SEED)
    crossing = sorted(model.broker_crossings)[0]
    model.close_crossing(crossing)
    document = to_geojson(model)
    closed = [f["properties"] for f in layer(document, "road") if f["properties"]["closed"]]
    assert closed and all(crossing in (p["from"], p["to"]) for p in closed)
    assert all(p["crosses_border"] for p in closed)
    (place,) = [f for f in layer(document, "place") if f["properties"]["place"] == crossing]
    assert place["properties"]["crossing_closed"]


def bent_road_theatre(theatre_dir):
    """alpha to bravo by an 80 km highway drawn through a bend north of the straight line,
    its two legs alike; a red unit at alpha."""
    features = line_map()
    features[5]["geometry"]["coordinates"] = [[97.0, 25.0], [97.15, 25.1], [97.3, 25.0]]
    units = [{"faction": "red", "place": "alpha", "strength": 100}]
    return theatre_dir(features=features, units=units)


def test_a_unit_half_way_along_a_bent_road_stands_at_the_bend(theatre_dir):
    model = build_model(bent_road_theatre(theatre_dir), seed=SEED)
    (unit,) = model.units
    assert unit.order_to("bravo")
    unit.travel(1.0)  # 40 km of the 80 at a highway's speed
    assert unit.transit.km_left == pytest.approx(40.0)
    (feature,) = layer(to_geojson(model), "unit")
    assert feature["geometry"]["coordinates"] == pytest.approx([97.15, 25.1], abs=1e-6)
    assert feature["properties"]["road_share"] == pytest.approx(0.5)


def test_along_line_runs_from_the_first_point_to_the_last():
    line = [(97.0, 25.0), (97.15, 25.1), (97.3, 25.0)]
    assert along_line(line, 0.0) == pytest.approx(line[0])
    assert along_line(line, 1.0) == pytest.approx(line[-1])
    assert along_line(line[::-1], 0.25) == pytest.approx(along_line(line, 0.75))


@pytest.fixture
def day_five(theatre_dir):
    model = build_model(bent_road_theatre(theatre_dir), seed=SEED)
    model.run(5)
    return model


@pytest.mark.parametrize("as_text", [True, False])
def test_write_geojson_takes_a_path_or_its_text_and_writes_the_document(
    tmp_path, day_five, as_text
):
    path = tmp_path / "out" / "new folder" / "end.geojson"
    written = write_geojson(day_five, str(path) if as_text else path)
    assert written == path
    assert json.loads(path.read_text(encoding="utf-8")) == to_geojson(day_five)
    assert [p.name for p in path.parent.iterdir()] == ["end.geojson"]


def test_write_geojson_to_a_folder_raises_and_leaves_nothing(tmp_path, day_five):
    folder = tmp_path / "out" / "end.geojson"
    folder.mkdir(parents=True)
    with pytest.raises(OSError):
        write_geojson(day_five, folder)
    assert list((tmp_path / "out").rglob("*")) == [folder]


def wargame(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_run_writes_the_geojson_end_to_end(tmp_path):
    result = wargame(
        "run", "--days", "10", "--seed", str(SEED), "--json", "--geojson", "end.geojson",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "GeoJSON written to end.geojson" in result.stderr
    summary = json.loads(result.stdout)
    document = json.loads((tmp_path / "end.geojson").read_text(encoding="utf-8"))
    assert rfc7946_problems(document) == []
    assert document["wargame"]["day"] == 10
    assert document["wargame"]["date"] == summary["end_date"]
    holders = {
        f["properties"]["place"]: f["properties"]["holder"] for f in layer(document, "place")
    }
    assert {p: holders[p] for p in summary["control"]} == summary["control"]
    units = [f["properties"] for f in layer(document, "unit")]
    for faction, measures in summary["factions"].items():
        assert sum(u["strength"] for u in units if u["faction"] == faction) == measures["strength"]


@pytest.mark.parametrize(
    ("made", "given", "fragment"),
    [
        ("folder", "end.geojson", "is a folder; expected a file name"),
        ("file", "end.geojson/inside.geojson", "is a file, not a folder"),
        (None, "end.png", "expected a file ending in .geojson or .json"),
        (None, "/sys/end.geojson", "cannot write in /sys"),
    ],
)
def test_a_bad_geojson_path_is_one_line_before_the_run_and_writes_nothing(
    tmp_path, capsys, no_run, made, given, fragment
):
    from wargame.cli import main

    if made == "folder":
        (tmp_path / "end.geojson").mkdir()
    elif made == "file":
        (tmp_path / "end.geojson").write_text("mine\n")
    before = sorted(tmp_path.rglob("*"))
    path = given if given.startswith("/") else str(tmp_path / given)
    assert main(["run", "--days", "30", "--seed", str(SEED), "--geojson", path]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: --geojson {path}: ") and fragment in error, error
    assert error.count("\n") == 1 and "Traceback" not in error
    assert sorted(tmp_path.rglob("*")) == before
