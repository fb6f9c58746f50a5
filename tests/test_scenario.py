"""Loading and validating theatre files: every bad file gets one message naming file and place."""

import json

import pytest
from theatres import line_map, place, road

from wargame.scenario import PlaceKind, ScenarioError, load_faction, load_map, load_theatre
from wargame.scenario.loader import haversine_km, validate_path


def error_of(call, *args) -> str:
    with pytest.raises(ScenarioError) as caught:
        call(*args)
    return str(caught.value)


def test_a_written_theatre_loads_with_its_places_roads_units_and_factions(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 10, "count": 3}])
    theatre = load_theatre(folder)
    assert theatre.name == "theatre"
    assert set(theatre.map.places) == {"alpha", "bravo", "charlie", "delta", "sanctum"}
    assert theatre.map.places["sanctum"].kind is PlaceKind.SANCTUARY
    assert len(theatre.map.roads) == 4
    assert list(theatre.factions) == ["red", "blue"]
    assert theatre.units[0].count == 3
    assert theatre.start_date.isoformat() == "2024-03-07"


def test_road_length_comes_from_geometry_when_absent(theatre_dir):
    features = line_map()
    features[5] = road("alpha", "bravo", "highway", coords=[[97.0, 25.0], [97.2, 25.0]])
    folder = theatre_dir(features=features)
    length = load_theatre(folder).map.roads[0].length_km
    assert length == pytest.approx(haversine_km((97.0, 25.0), (97.2, 25.0)))
    assert 19 < length < 21  # 0.2 degrees of longitude at 25 N


def test_haversine_matches_a_known_distance():
    # one degree of latitude is 111.19 km on a 6,371 km sphere
    assert haversine_km((97.0, 25.0), (97.0, 26.0)) == pytest.approx(111.19, abs=0.01)


@pytest.mark.parametrize(
    ("mutate", "where", "expected"),
    [
        (
            lambda f: f.append(road("alpha", "nowhere")),
            "properties.to",
            "unknown place id 'nowhere'",
        ),
        (lambda f: f.append(place("alpha", 97, 25)), "properties.id", "duplicate place id 'alpha'"),
        (lambda f: f.append(place("island", 99, 25)), "roads", "not connected to the rest: island"),
        (
            lambda f: f[0]["properties"].update(kind="city"),
            "features[0] (place 'alpha').properties.kind",
            "'city'",
        ),
        (
            lambda f: f[0]["properties"].update(population=-5),
            "properties.population",
            "greater than or equal to 0",
        ),
        (lambda f: f[0]["properties"].update(populaton=5), "properties.populaton", "unknown key"),
        (
            lambda f: f[0]["properties"].update(population="many"),
            "properties.population",
            "integer",
        ),
        (lambda f: f[5]["properties"].update(kind="motorway"), "road 'alpha'-'bravo'", "motorway"),
        (lambda f: f.append(road("alpha", "bravo")), "features[9]", "second road between"),
    ],
)
def test_bad_maps_name_the_file_the_feature_and_what_was_expected(
    theatre_dir, mutate, where, expected
):
    features = line_map()
    mutate(features)
    folder = theatre_dir(features=features)
    message = error_of(load_theatre, folder)
    assert message.startswith(str(folder / "map.geojson"))
    assert where in message
    assert expected in message


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "map.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [\n  {oops}\n]}')
    message = error_of(load_map, path)
    assert f"{path}: line 2, column 4: not valid JSON" in message


def test_broken_toml_is_named(theatre_dir):
    folder = theatre_dir()
    (folder / "setup.toml").write_text("[scenario\ntitle = 1\n")
    message = error_of(load_theatre, folder)
    assert str(folder / "setup.toml") in message and "not valid TOML" in message


@pytest.mark.parametrize(
    ("setup_kwargs", "where", "expected"),
    [
        (
            {"units": [{"faction": "red", "place": "atlantis", "strength": 5}]},
            "units[0].place",
            "unknown place 'atlantis'",
        ),
        (
            {"units": [{"faction": "purple", "place": "alpha", "strength": 5}]},
            "units[0].faction",
            "unknown faction 'purple'",
        ),
        (
            {"units": [{"faction": "red", "place": "alpha", "strength": -5}]},
            "units[0].strength",
            "greater than 0",
        ),
        (
            {"units": [{"faction": "red", "place": "alpha", "strength": "lots"}]},
            "units[0].strength",
            "integer",
        ),
        (
            {"units": [{"faction": "red", "place": "sanctum", "strength": 5}]},
            "units[0].place",
            "sanctuary",
        ),
        ({"control": {"alpha": "purple"}}, "control.alpha", "unknown faction 'purple'"),
        ({"control": {"atlantis": "red"}}, "control.atlantis", "unknown place"),
        (
            {"parameters": {"capture_dayz": 2}},
            "parameters",
            "unknown parameter 'capture_dayz'; valid names:",
        ),
        (
            {"parameters": {"capture_days": 0}},
            "parameters.capture_days",
            "expected a whole number from 1 to 365, got 0",
        ),
    ],
)
def test_bad_setups_name_the_file_the_entry_and_what_was_expected(
    theatre_dir, setup_kwargs, where, expected
):
    folder = theatre_dir(**setup_kwargs)
    message = error_of(load_theatre, folder)
    assert message.startswith(str(folder / "setup.toml") + ": ")
    assert where in message
    assert expected in message


def test_a_faction_without_a_file_is_an_unknown_faction(theatre_dir):
    folder = theatre_dir()
    (folder / "agents" / "blue.toml").unlink()
    message = error_of(load_theatre, folder)
    assert "scenario.factions[1]" in message and "unknown faction 'blue'" in message


@pytest.mark.parametrize(
    ("old", "new", "where", "expected"),
    [
        ('colour = "#D55E00"', 'colour = "red"', "colour", "pattern"),
        ("effectiveness = 0.01", "effectiveness = -1", "combat.effectiveness", "greater than 0"),
        ("initial = 0.8", "initial = 1.8", "morale.initial", "less than or equal to 1"),
        ("blue = -1.0", "blue = -3.0", "relations.blue", "greater than or equal to -1"),
        ("[doctrine]", "[doctrin]", "doctrin", "unknown key"),
    ],
)
def test_bad_faction_files_name_the_key(theatre_dir, old, new, where, expected):
    path = theatre_dir() / "agents" / "red.toml"
    path.write_text(path.read_text().replace(old, new))
    message = error_of(load_faction, path)
    assert message.startswith(f"{path}: {where}")
    assert expected in message


def test_validate_path_recognises_each_kind_of_file(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 10}])
    (folder / "notes.txt").write_text("hello")
    assert validate_path(folder).startswith(
        "valid theatre 'theatre': 5 places, 4 roads, 2 factions"
    )
    assert validate_path(folder / "setup.toml").startswith("valid theatre")
    assert validate_path(folder / "map.geojson") == "valid map: 5 places, 4 roads"
    assert validate_path(folder / "agents" / "red.toml") == "valid faction file: Red Army (Red)"
    assert "not a theatre" in error_of(validate_path, folder / "agents")
    assert "expected a theatre folder" in error_of(validate_path, folder / "notes.txt")


def test_a_border_line_is_read(theatre_dir):
    border = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[97.65, 24], [97.65, 26]]},
        "properties": {"kind": "border", "name": "the border"},
    }
    features = [*line_map(), border]
    theatre = load_theatre(theatre_dir(features=features))
    assert theatre.map.border == ((97.65, 24), (97.65, 26))
    assert len(theatre.map.roads) == 4


def test_a_map_file_must_be_a_feature_collection(tmp_path):
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps({"type": "Feature"}))
    message = error_of(load_map, path)
    assert str(path) in message and "type" in message


def test_a_setup_cannot_name_a_map_outside_its_folder(theatre_dir):
    folder = theatre_dir()
    outside = folder.parent / "outside.geojson"
    outside.write_text((folder / "map.geojson").read_text(encoding="utf-8"), encoding="utf-8")
    setup = folder / "setup.toml"
    for name in ("../outside.geojson", str(outside)):
        setup.write_text(
            setup.read_text(encoding="utf-8").replace('map = "map.geojson"', f'map = "{name}"'),
            encoding="utf-8",
        )
        with pytest.raises(ScenarioError, match="outside the theatre's folder") as raised:
            load_theatre(folder)
        assert raised.value.path == setup and raised.value.where == "scenario.map"
        setup.write_text(
            setup.read_text(encoding="utf-8").replace(f'map = "{name}"', 'map = "map.geojson"'),
            encoding="utf-8",
        )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"type": "FeatureCollection", "type": "x", "features": []}', "'type' given twice"),
        ('{"features": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"type": "FeatureCollection", "features": [NaN]}', "valid dictionary, got nan"),
    ],
)
def test_a_map_with_repeated_keys_deep_nesting_or_nan_is_refused(theatre_dir, text, problem):
    folder = theatre_dir()
    (folder / "map.geojson").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=problem):
        load_theatre(folder)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_faction_file_with_a_number_that_is_not_finite_is_refused(theatre_dir, value):
    folder = theatre_dir()
    path = folder / "agents" / "red.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("treasury = 1000000.0", f"treasury = {value}"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"economy\.treasury") as raised:
        load_theatre(folder)
    assert raised.value.path == path


def test_a_place_at_an_infinite_or_nan_position_is_refused(theatre_dir):
    folder = theatre_dir()
    path = folder / "map.geojson"
    for value in ("NaN", "Infinity"):
        path.write_text(
            path.read_text(encoding="utf-8").replace("[97.0, 25.0]", f"[{value}, 25.0]"),
            encoding="utf-8",
        )
        with pytest.raises(ScenarioError, match=r"features\[0\] \(place 'alpha'\)"):
            load_theatre(folder)
        path.write_text(
            path.read_text(encoding="utf-8").replace(f"[{value}, 25.0]", "[97.0, 25.0]"),
            encoding="utf-8",
        )


def test_a_road_bent_through_a_point_off_the_globe_is_refused(tmp_path):
    """Its length would be nonsense, or fail outright (a math domain error before)."""
    from wargame.scenario import paths

    document = json.loads((paths.maps_dir() / "tamsen_island" / "map.geojson").read_text())
    road = next(f for f in document["features"] if f["geometry"]["type"] == "LineString")
    road["geometry"]["coordinates"].insert(1, [1e308, 50.0])
    (tmp_path / "map.geojson").write_text(json.dumps(document))
    with pytest.raises(ScenarioError, match=r"geometry\.coordinates.*in degrees"):
        load_map(tmp_path / "map.geojson")
