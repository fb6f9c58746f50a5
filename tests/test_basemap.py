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
    for place in loaded.map.places.values():  # Rakhine's reaches Yangon, the junta's rear
        assert lon_min <= place.lon <= lon_max and lat_min <= place.lat <= lat_max, place.id


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


def test_an_altitude_is_dropped_so_every_position_is_lon_lat(tmp_path):
    import numpy as np

    ring = [[96.0, 24.0, 120.0], [97.0, 24.0], [97.0, 25.0, 80], [96.0, 25.0], [96.0, 24.0]]
    river = [[95.5, 24.5], [96.5, 26.0, 300.0]]
    path = write_basemap(
        tmp_path / "b.geojson",
        [feature("land", "Polygon", [ring]), feature("river", "LineString", river)],
    )
    basemap = load_basemap(path)
    assert basemap.bbox == (95.5, 24.0, 97.0, 26.0)
    land, river_ = (f["geometry"]["coordinates"] for f in basemap.features)
    assert np.asarray(land[0], dtype=float).tolist() == [
        [96, 24], [97, 24], [97, 25], [96, 25], [96, 24]
    ]  # fmt: skip
    assert np.asarray(river_, dtype=float).shape == (2, 2)


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


def test_validate_checks_a_basemap_file_on_its_own(tmp_path):
    kachin = Path(__file__).parent.parent / "maps" / "kachin" / "basemap.geojson"
    assert validate_path(kachin).startswith("valid basemap: 13 features")
    bad = write_basemap(
        tmp_path / "basemap.geojson", [feature("lake", "LineString", [[1, 2], [3, 4]])]
    )
    with pytest.raises(ScenarioError, match=r"a lake feature is drawn as Polygon or MultiPolygon"):
        validate_path(bad)


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


# --- `wargame basemap`: the world set clipped to a new theatre ---------------------------


def wargame(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WARGAME, *args], capture_output=True, text=True, timeout=300)


def vertices(geometry: dict) -> set[tuple[float, float]]:
    def walk(value):
        if isinstance(value[0], int | float):
            yield (value[0], value[1])
        else:
            for part in value:
                yield from walk(part)

    return set(walk(geometry["coordinates"]))


def test_clipping_a_tiny_world_keeps_what_lies_in_the_box_cut_at_its_edge():
    from wargame.scenario.basemap_clip import clip_features

    land = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]
    world = [
        feature("land", "Polygon", land, name="big island"),
        feature("river", "LineString", [[0, 2], [2, 2], [5, 2.5]], name="long river"),
        feature("border", "LineString", [[5, 5], [6, 6]]),
        feature("coast", "LineString", [[3, 0], [3, 1]]),  # touches the box at one point
        feature("lake", "Polygon", [[[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]]),
    ]
    clipped = clip_features(world, (1.0, 1.0, 3.0, 3.0))
    assert [f["properties"]["layer"] for f in clipped] == ["land", "river", "lake"]
    assert clipped[0]["properties"]["name"] == "big island"
    assert clipped[0]["geometry"]["type"] == "Polygon"
    assert vertices(clipped[0]["geometry"]) == {(1, 1), (3, 1), (3, 3), (1, 3)}
    assert clipped[1]["geometry"]["type"] == "LineString"
    assert vertices(clipped[1]["geometry"]) == {(1, 2), (2, 2), (3, 2.1667)}
    assert vertices(clipped[2]["geometry"]) == {(2, 2), (3, 2), (3, 3), (2, 3)}


def test_the_command_clips_the_bundled_world_to_the_places_and_names_it(theatre_dir):
    folder = theatre_dir()  # places from 97.0 to 97.72 E at 25 N: Kachin State
    result = wargame("basemap", str(folder), "--margin", "0.3")
    assert result.returncode == 0, result.stderr
    assert "basemap.geojson" in result.stdout and "added basemap" in result.stdout
    loaded = load_theatre(folder)
    assert loaded.basemap is not None and loaded.basemap.path == folder / "basemap.geojson"
    assert loaded.basemap.bbox == pytest.approx((96.7, 24.7, 98.02, 25.3))
    assert loaded.basemap.layer("land") and loaded.basemap.layer("river")  # the Irrawaddy
    lon_min, lat_min, lon_max, lat_max = loaded.basemap.bbox
    for feature_ in loaded.basemap.features:
        for lon, lat in vertices(feature_["geometry"]):
            assert (
                lon_min - 1e-9 <= lon <= lon_max + 1e-9 and lat_min - 1e-9 <= lat <= lat_max + 1e-9
            )
    setup = (folder / "setup.toml").read_text()
    assert setup.count('basemap = "basemap.geojson"') == 1

    before = (folder / "basemap.geojson").read_bytes()
    again = wargame("basemap", str(folder))
    assert again.returncode == 1 and again.stderr.startswith("error: ")
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert (folder / "basemap.geojson").read_bytes() == before
    forced = wargame("basemap", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "added basemap" not in forced.stdout  # the set-up named it already
    assert (folder / "setup.toml").read_text() == setup


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["nowhere"], "not a theatre"),
        (["{broken}"], "map.geojson: line 1"),
        (["{at_sea}"], "lie at sea"),
    ],
)
def test_a_bad_theatre_is_one_clear_message_and_nothing_written(
    theatre_dir, tmp_path, args, fragment
):
    from theatres import line_map, write_theatre

    folder = theatre_dir()
    broken = write_theatre(tmp_path / "broken")
    (broken / "map.geojson").write_text("{oops")
    at_sea = line_map()
    for f in at_sea:  # the same places in the middle of the Bay of Bengal
        if f["geometry"]["type"] == "Point":
            f["geometry"]["coordinates"][0] -= 7
            f["geometry"]["coordinates"][1] -= 10
        else:
            f["geometry"]["coordinates"] = None
    sea = write_theatre(tmp_path / "sea", features=at_sea)
    named = {"{folder}": folder, "{broken}": broken, "{at_sea}": sea}
    result = wargame("basemap", *(str(named.get(a, a)) for a in args))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    assert fragment in result.stderr
    assert not any(tmp_path.rglob("basemap.geojson"))


@pytest.mark.parametrize("margin", ["-1", "10.5", "wide", "nan"])
def test_a_bad_margin_is_refused_by_the_parser_before_anything_is_read(theatre_dir, margin):
    folder = theatre_dir()
    before = (folder / "setup.toml").read_bytes()
    result = wargame("basemap", str(folder), "--margin", margin)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"--margin: expected 0 to 10 degrees, got '{margin}'" in result.stderr
    assert not (folder / "basemap.geojson").exists()
    assert (folder / "setup.toml").read_bytes() == before


def test_a_bundled_theatre_is_refused_and_left_as_it_ships():
    from wargame.scenario.paths import maps_dir

    folder = maps_dir() / "kachin"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    result = wargame("basemap", "kachin", "--force")
    assert result.returncode == 1 and result.stderr.startswith("error: ")
    assert "'kachin' ships with wargame" in result.stderr and "cp -r" in result.stderr
    assert "unexpected" not in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_an_unwritable_basemap_is_refused_before_clipping(theatre_dir, monkeypatch):
    from wargame.scenario import basemap_clip

    folder = theatre_dir()
    (folder / "basemap.geojson").mkdir()  # a folder where the file would go
    before = (folder / "setup.toml").read_bytes()
    monkeypatch.setattr(basemap_clip, "clip_features", lambda *a: pytest.fail("clipped"))
    with pytest.raises(ScenarioError, match="cannot be written: is a folder") as caught:
        basemap_clip.make_basemap(folder, force=True)
    assert caught.value.path == folder / "basemap.geojson"
    assert (folder / "setup.toml").read_bytes() == before


def test_a_set_up_that_fails_to_write_leaves_no_basemap(theatre_dir, monkeypatch):
    from wargame.scenario import basemap_clip

    folder = theatre_dir()
    setup = folder / "setup.toml"
    before = sorted(p.name for p in folder.iterdir()), setup.read_bytes()
    whole = basemap_clip.written_whole

    def disk_full_on_the_set_up(path):
        if Path(path) == setup:
            raise OSError(28, "No space left on device")
        return whole(path)

    monkeypatch.setattr(basemap_clip, "written_whole", disk_full_on_the_set_up)
    with pytest.raises(OSError, match="No space left"):
        basemap_clip.make_basemap(folder)
    assert (sorted(p.name for p in folder.iterdir()), setup.read_bytes()) == before


def test_an_unreadable_world_file_is_named(theatre_dir, tmp_path):
    from wargame.scenario.basemap_clip import make_basemap

    world = tmp_path / "world.geojson.gz"
    world.write_bytes(b"not gzip")
    with pytest.raises(ScenarioError, match="cannot be read as gzipped GeoJSON") as caught:
        make_basemap(theatre_dir(), world=world)
    assert caught.value.path == world


def test_a_set_up_naming_another_basemap_is_told_the_line_and_nothing_is_written(theatre_dir):
    folder = theatre_dir()
    setup = folder / "setup.toml"
    setup.write_text(
        setup.read_text().replace(
            'map = "map.geojson"', 'map = "map.geojson"\nbasemap = "old.geojson"'
        )
    )
    before = setup.read_text()
    result = wargame("basemap", str(folder))
    assert result.returncode == 1 and result.stderr.startswith("error: ")
    assert "scenario.basemap: names 'old.geojson'" in result.stderr
    assert 'basemap = "basemap.geojson"' in result.stderr
    assert not (folder / "basemap.geojson").exists() and setup.read_text() == before
