"""A theatre's basemap: read and checked once, named by the set-up, made for a new theatre."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wargame.scenario import ScenarioError, load_theatre, validate_path
from wargame.scenario.basemap import LAYERS, load_basemap

WARGAME = str(Path(sys.executable).parent / "wargame")


def feature(layer: str, kind: str, coordinates: object, **properties: object) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": {"layer": layer, **properties},
    }


SQUARE = [[[96.0, 24.0], [97.0, 24.0], [97.0, 25.0], [96.0, 25.0], [96.0, 24.0]]]


def write_basemap(path: Path, features: list[dict], **top: object) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **top}))
    return path


def with_basemap(folder: Path, features: list[dict]) -> Path:
    """The theatre folder with a basemap file named in its set-up."""
    write_basemap(folder / "basemap.geojson", features)
    setup = folder / "setup.toml"
    text = setup.read_text().replace(
        'map = "map.geojson"', 'map = "map.geojson"\nbasemap = "basemap.geojson"'
    )
    setup.write_text(text)
    return folder


@pytest.mark.parametrize("theatre", ["kachin", "rakhine"])
def test_the_real_theatres_ship_a_basemap_with_borders_and_rivers(theatre):
    loaded = load_theatre(theatre)
    basemap = loaded.basemap
    assert basemap is not None
    assert loaded.files["basemap"] == basemap.path
    assert basemap.layer("border") and basemap.layer("river") and basemap.layer("land")
    assert {f["properties"]["layer"] for f in basemap.features} <= set(LAYERS)
    lon_min, lat_min, lon_max, lat_max = basemap.bbox
    places = loaded.map.places.values()
    inside = [p for p in places if lon_min <= p.lon <= lon_max and lat_min <= p.lat <= lat_max]
    # Rakhine's Yangon, the junta's rear reached by sea and air, lies beyond its box.
    assert len(inside) >= len(places) - 1


def test_a_theatre_without_a_basemap_has_none(theatre_dir):
    loaded = load_theatre(theatre_dir())
    assert loaded.basemap is None
    assert "basemap" not in loaded.files


def test_the_bbox_is_computed_when_the_file_gives_none(tmp_path):
    path = write_basemap(
        tmp_path / "b.geojson",
        [
            feature("land", "Polygon", SQUARE),
            feature("river", "LineString", [[95.5, 24.5], [96.5, 26.0]]),
        ],
    )
    basemap = load_basemap(path)
    assert basemap.bbox == (95.5, 24.0, 97.0, 26.0)
    assert [f["properties"]["layer"] for f in basemap.layer("river")] == ["river"]
    with pytest.raises(ValueError, match="unknown basemap layer"):
        basemap.layer("roads")


@pytest.mark.parametrize(
    ("features", "where", "expected"),
    [
        (
            [feature("sea", "Polygon", SQUARE)],
            "features[0].properties.layer",
            "expected one of ocean",
        ),
        (
            [feature("river", "Polygon", SQUARE)],
            "features[0].geometry.type",
            "LineString or MultiLineString",
        ),
        (
            [feature("land", "LineString", [[96, 24], [97, 25]])],
            "features[0].geometry.type",
            "Polygon",
        ),
        (
            [
                feature("land", "Polygon", SQUARE),
                feature("border", "LineString", [[96, 24], [97, 95]]),
            ],
            "features[1].geometry.coordinates[1]",
            "off the globe",
        ),
        (
            [feature("coast", "LineString", [[96, 24], ["97", 25]])],
            "features[0].geometry.coordinates[1]",
            "[lon, lat]",
        ),
        (
            [feature("coast", "LineString", [[96, 24]])],
            "features[0].geometry.coordinates",
            "at least 2",
        ),
        (
            [feature("lake", "MultiPolygon", [[[[96, 24], [97, 24], [96, 24]]]])],
            "features[0].geometry.coordinates[0][0]",
            "closed ring",
        ),
        (["not a feature"], "features[0]", "GeoJSON Feature"),
    ],
)
def test_a_bad_feature_is_named_with_what_was_expected(tmp_path, features, where, expected):
    path = write_basemap(tmp_path / "basemap.geojson", features)
    with pytest.raises(ScenarioError) as caught:
        load_basemap(path)
    assert caught.value.path == path
    assert caught.value.where == where
    assert expected in caught.value.problem


def test_a_bad_bbox_or_an_empty_file_is_refused(tmp_path):
    path = write_basemap(
        tmp_path / "b.geojson", [feature("land", "Polygon", SQUARE)], bbox=[99, 24, 96, 25]
    )
    with pytest.raises(ScenarioError, match="bbox"):
        load_basemap(path)
    with pytest.raises(ScenarioError, match="at least one feature"):
        load_basemap(write_basemap(tmp_path / "empty.geojson", []))
    (tmp_path / "list.geojson").write_text("[]")
    with pytest.raises(ScenarioError, match="FeatureCollection"):
        load_basemap(tmp_path / "list.geojson")


def test_validate_says_a_theatres_basemap_is_bad(theatre_dir):
    folder = with_basemap(theatre_dir(), [feature("river", "Point", [96, 24])])
    with pytest.raises(ScenarioError) as caught:
        validate_path(folder)
    assert caught.value.path.name == "basemap.geojson"
    result = subprocess.run([WARGAME, "validate", str(folder)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "basemap.geojson: features[0].geometry.type" in result.stderr


def test_a_basemap_outside_the_theatre_or_missing_is_refused(theatre_dir, tmp_path):
    folder = with_basemap(theatre_dir(), [feature("land", "Polygon", SQUARE)])
    setup = folder / "setup.toml"
    setup.write_text(
        setup.read_text().replace('basemap = "basemap.geojson"', 'basemap = "../elsewhere.geojson"')
    )
    with pytest.raises(ScenarioError, match="outside the theatre's folder"):
        load_theatre(folder)
    setup.write_text(setup.read_text().replace("../elsewhere.geojson", "gone.geojson"))
    with pytest.raises(ScenarioError, match="no such file"):
        load_theatre(folder)
