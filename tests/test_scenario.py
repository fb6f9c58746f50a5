"""Loading and validating theatre files: every bad file gets one message naming file and place."""

import datetime as dt
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from theatres import line_map, place, road

from wargame.cli import main
from wargame.scenario import PlaceKind, ScenarioError, load_faction, load_map, load_theatre, paths
from wargame.scenario.errors import ScenarioWarning
from wargame.scenario.loader import validate_path
from wargame.scenario.map_limits import MAX_DAYS
from wargame.scenario.map_rules import haversine_km
from wargame.scenario.scaffold import new_theatre
from wargame.scenario.schema import LATEST_START


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
    features[5] = road("alpha", "bravo", "highway", coords=[[97.0, 25.0], [97.3, 25.0]])
    folder = theatre_dir(features=features)
    length = load_theatre(folder).map.roads[0].length_km
    assert length == pytest.approx(haversine_km((97.0, 25.0), (97.3, 25.0)))
    assert 29 < length < 31  # 0.3 degrees of longitude at 25 N


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
        (  # 10**18 loaded, and its run hung drawing the day's losses
            {"units": [{"faction": "red", "place": "alpha", "strength": 10**18}]},
            "units[0].strength",
            "less than or equal to 100000",
        ),
        (  # 3,000,000 units loaded, and a day-1 run was not done after a minute
            {"units": [{"faction": "red", "place": "alpha", "strength": 5, "count": 3_000_000}]},
            "units[0].count",
            "less than or equal to 10000",
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


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
def test_a_parameter_that_is_not_finite_says_the_range_it_expected(theatre_dir, value):
    """Before: "parameters.fortification_bonus.bool: Input should be a valid boolean, got
    inf (and 3 more problems)", pydantic's words for each type a value may have."""
    folder = theatre_dir(parameters={"fortification_bonus": 1.0})
    setup = folder / "setup.toml"
    setup.write_text(
        setup.read_text().replace("fortification_bonus = 1.0", f"fortification_bonus = {value}")
    )
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{setup}: parameters.fortification_bonus: ")
    assert "expected a number from 0 to 100, got " in message and "boolean" not in message


def test_a_start_date_too_late_for_a_ten_year_run_is_refused_on_load(theatre_dir):
    """Before, 9999-12-01 loaded and every run died of an OverflowError on its dates."""
    folder = theatre_dir()
    setup = folder / "setup.toml"
    setup.write_text(re.sub(r"start_date = \S+", "start_date = 9999-12-01", setup.read_text()))
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{setup}: scenario.start_date: ")
    assert str(LATEST_START) in message and "9999-12-01" in message
    setup.write_text(setup.read_text().replace("9999-12-01", str(LATEST_START)))
    assert load_theatre(folder).start_date == LATEST_START
    # the last day of the longest run still has a date
    assert LATEST_START + dt.timedelta(days=MAX_DAYS + 1) <= dt.date.max


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
        "geometry": {"type": "LineString", "coordinates": [[97.71, 24], [97.71, 26]]},
        "properties": {"kind": "border", "name": "the border"},
    }
    features = [*line_map(), border]
    theatre = load_theatre(theatre_dir(features=features))
    assert theatre.map.border == ((97.71, 24), (97.71, 26))
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


# --- a new theatre's slips: `wargame validate` names the file and the key ---------------


def scaffold(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    new_theatre(folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def call_it_tatmadaw(folder: Path) -> None:
    """The scaffold's government renamed after a faction that ships."""
    edit(folder / "setup.toml", '"government"', '"tatmadaw"')
    edit(folder / "agents" / "rebels.toml", "government = -1.0", "tatmadaw = -1.0")


def without_its_file(folder: Path) -> None:
    call_it_tatmadaw(folder)
    (folder / "agents" / "government.toml").unlink()


def with_its_file_in_capitals(folder: Path) -> None:
    call_it_tatmadaw(folder)
    (folder / "agents" / "government.toml").rename(folder / "agents" / "Tatmadaw.toml")


def a_road_between_two_sanctuaries(folder: Path) -> None:
    document = json.loads((folder / "map.geojson").read_text(encoding="utf-8"))
    document["features"] += [
        place("further_over", 100.5, 20.0, "sanctuary", country="XB"),
        road("over_the_border", "further_over", coords=[[100.40, 20.02], [100.5, 20.0]]),
    ]
    (folder / "map.geojson").write_text(json.dumps(document), encoding="utf-8")


SOUTH_TOWN = '{"type": "Point", "coordinates": [100.10, 20.10]}'
NORTH_SOUTH_ROAD = '"from": "north_town", "to": "south_town", "kind": "road"'

SLIPS = {  # issue 17's items: (slip, file, key)
    "5 a faction without its file, named as a shipped one": (
        without_its_file,
        "setup.toml",
        "scenario.factions[1]: unknown faction 'tatmadaw'",
    ),
    "6 a misspelt faction in relations": (
        lambda f: edit(f / "agents" / "rebels.toml", "government = -1.0", "governmnt = -1.0"),
        "agents/rebels.toml",
        "relations.governmnt: unknown faction 'governmnt' (did you mean 'government'?)",
    ),
    "7 a road between two sanctuaries": (
        a_road_between_two_sanctuaries,
        "map.geojson",
        "features[9]: road between two foreign sanctuaries",
    ),
    "9 a misspelt patron": (
        lambda f: edit(f / "agents" / "rebels.toml", "manpower", 'patron = "govenment"\nmanpower'),
        "agents/rebels.toml",
        "economy.patron: unknown faction 'govenment'",
    ),
    "9 a faction file named in capitals": (
        with_its_file_in_capitals,
        "agents/Tatmadaw.toml",
        "expected the name agents/tatmadaw.toml",
    ),
    "10 a place moved 10,000 km from its roads": (
        lambda f: edit(f / "map.geojson", SOUTH_TOWN, SOUTH_TOWN.replace("100.10", "10.10")),
        "map.geojson",
        "features[4].geometry.coordinates[2]: the road ends 9,",
    ),
    "10 a road far shorter than the line between its places": (
        lambda f: edit(f / "map.geojson", NORTH_SOUTH_ROAD, NORTH_SOUTH_ROAD + ', "length_km": 3'),
        "map.geojson",
        "features[4].properties.length_km: length_km 3 is far shorter than the 35.",
    ),
    "10 morale that starts below its break point": (
        lambda f: edit(f / "agents" / "rebels.toml", "initial = 0.8", "initial = 0.2"),
        "agents/rebels.toml",
        "morale: initial 0.2 is below break_point 0.3",
    ),
}


@pytest.mark.parametrize("slip", SLIPS)
def test_validate_answers_each_slip_in_a_new_theatre_with_one_line_naming_file_and_key(
    tmp_path, capsys, slip
):
    mistake, file, key = SLIPS[slip]
    folder = scaffold(tmp_path)
    assert main(["validate", str(folder)]) == 0
    capsys.readouterr()
    mistake(folder)
    assert main(["validate", str(folder)]) == 1
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err == f"error: {folder / file}: {said.err.split(': ', 2)[2]}"
    assert said.err.count("\n") == 1
    assert said.err.startswith(f"error: {folder / file}: {key}"), said.err


def run_and_validate(folder: Path, capsys) -> list[tuple[int, list[str]]]:
    """Exit status and stderr lines of `validate`, then of a one-day `run`."""
    said = []
    for argv in (["validate", str(folder)], ["run", "--scenario", str(folder), "--days", "1"]):
        with warnings.catch_warnings():  # a fresh memory of what was said, as a new process has
            code = main(argv)
        said.append((code, capsys.readouterr().err.splitlines()))
    return said


def test_roads_far_longer_than_the_line_are_each_one_warning_and_the_run_goes_on(tmp_path, capsys):
    folder = scaffold(tmp_path)
    text = (folder / "map.geojson").read_text(encoding="utf-8")
    (folder / "map.geojson").write_text(
        text.replace('"kind": "road"}', '"kind": "road", "length_km": 10000}').replace(
            '"kind": "highway"}', '"kind": "highway", "length_km": 10000}'
        ),
        encoding="utf-8",
    )
    for code, lines in run_and_validate(folder, capsys):
        assert code == 0
        assert [line.split(": ")[:3] for line in lines] == [
            ["warning", str(folder / "map.geojson"), f"features[{index}].properties.length_km"]
            for index in (4, 5, 6)
        ]
        straight = haversine_km((100.00, 20.40), (100.10, 20.10))  # north town to south town
        assert f"10000 is {10000 / straight:.1f} times the {straight:.1f} km straight" in lines[0]


def test_tracks_faster_than_highways_are_one_warning_and_the_run_goes_on(tmp_path, capsys):
    folder = scaffold(tmp_path)
    with (folder / "setup.toml").open("a", encoding="utf-8") as setup:  # [parameters] is last
        setup.write("speed_track_km_per_day = 50\n")
    for code, lines in run_and_validate(folder, capsys):
        assert code == 0
        assert lines == [
            "warning: parameters: speed_highway_km_per_day 40, speed_road_km_per_day 25, "
            "speed_track_km_per_day 50: expected highway >= road >= track, "
            "the road kinds from fastest down"
        ]


# --- which faction files a theatre reads --------------------------------------------


def borrow(folder: Path, *shipped: str) -> None:
    """Add `shipped` to the set-up's factions and to scenario.shipped_factions."""
    setup = folder / "setup.toml"
    text = setup.read_text(encoding="utf-8")
    factions = text.split("factions = ", 1)[1].split("\n", 1)[0]
    listed = [*json.loads(factions), *shipped]
    text = text.replace(
        f"factions = {factions}",
        f"factions = {json.dumps(listed)}\nshipped_factions = {json.dumps(list(shipped))}",
    )
    setup.write_text(text, encoding="utf-8")


def test_a_theatre_uses_a_shipped_faction_when_its_set_up_says_so(theatre_dir, recwarn):
    folder = theatre_dir(faction_overrides={"red": {"relations": {"blue": -1.0, "kia": -1.0}}})
    borrow(folder, "kia")
    theatre = load_theatre(folder)
    assert list(theatre.factions) == ["red", "blue", "kia"]
    assert theatre.faction_paths["kia"] == paths.agents_dir() / "kia.toml"
    assert theatre.faction_paths["red"] == folder / "agents" / "red.toml"
    # the shipped KIA's ties to the Tatmadaw and the NDA-K, absent here, are left out, said once
    assert theatre.factions["kia"].relations == {}
    said = [str(w.message) for w in recwarn.list if isinstance(w.message, ScenarioWarning)]
    assert said == [
        f"{paths.agents_dir() / 'kia.toml'}: relations.{other}: {other!r} is not a faction of "
        "this theatre (red, blue, kia); the shipped faction is used without it"
        for other in load_faction(paths.agents_dir() / "kia.toml").relations
    ]


def test_a_borrowed_militia_whose_patron_is_absent_has_no_patron(theatre_dir, recwarn):
    folder = theatre_dir()
    borrow(folder, "ndak")
    theatre = load_theatre(folder)
    assert theatre.factions["ndak"].economy.patron is None
    assert any("economy.patron: 'tatmadaw' is not a faction" in str(w.message) for w in recwarn)


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        (
            lambda f: (f / "agents" / "kia.toml").write_bytes((f / "agents/red.toml").read_bytes()),
            "agents/kia.toml",
            "the set-up borrows the shipped 'kia' (scenario.shipped_factions), so this file "
            "would not be read: remove one of the two",
        ),
        (
            lambda f: edit(
                f / "setup.toml", 'shipped_factions = ["kia"]', 'shipped_factions = ["kai"]'
            ),
            "setup.toml: scenario.shipped_factions[0]",
            "'kai' is not in scenario.factions (red, blue, kia); a borrowed faction is listed in "
            "both",
        ),
        (
            lambda f: edit(f / "setup.toml", '"kia"]', '"kai"]'),
            "setup.toml: scenario.shipped_factions[0]",
            "no shipped faction 'kai' (did you mean 'kia'?); the shipped factions are kia, ndak, "
            "tatmadaw",
        ),
        (
            lambda f: edit(f / "setup.toml", 'shipped_factions = ["kia"]', "shipped_factions = []"),
            "setup.toml: scenario.factions[2]",
            "unknown faction 'kia': expected a file agents/kia.toml beside the set-up, or add "
            "'kia' to scenario.shipped_factions to use the shipped one",
        ),
    ],
)
def test_a_shipped_faction_is_never_a_guess(theatre_dir, change, where, expected):
    folder = theatre_dir()
    borrow(folder, "kia")
    change(folder)
    assert error_of(load_theatre, folder) == f"{folder}/{where}: {expected}"


def test_a_theatre_without_agents_uses_no_shipped_faction_unasked(theatre_dir, recwarn):
    folder = theatre_dir(factions=["red", "blue"])
    for path in (folder / "agents").iterdir():
        path.unlink()
    (folder / "agents").rmdir()
    edit(folder / "setup.toml", '["red", "blue"]', '["kia", "tatmadaw"]')
    edit(folder / "setup.toml", '"red"', '"kia"')
    edit(folder / "setup.toml", '"blue"', '"tatmadaw"')
    assert "scenario.factions[0]: unknown faction 'kia'" in error_of(load_theatre, folder)
    edit(
        folder / "setup.toml",
        "\n\n[control]",
        '\nshipped_factions = ["kia", "tatmadaw"]\n\n[control]',
    )
    assert set(load_theatre(folder).factions) == {"kia", "tatmadaw"}


def test_a_faction_file_no_faction_reads_is_one_warning(theatre_dir, recwarn):
    folder = theatre_dir()
    (folder / "agents" / "green.toml").write_text(
        (folder / "agents" / "blue.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    load_theatre(folder)
    assert [str(w.message) for w in recwarn] == [
        f"{folder / 'agents' / 'green.toml'}: not read: 'green' is not in scenario.factions "
        "(red, blue)"
    ]


@pytest.mark.parametrize(
    ("relations", "patron", "where", "expected"),
    [
        ({"blue": -1.0, "red": 0.5}, None, "relations.red", "names the faction itself ('red')"),
        ({"blue": -1.0}, "red", "economy.patron", "names the faction itself ('red')"),
        ({"blu": -1.0}, None, "relations.blu", "unknown faction 'blu' (did you mean 'blue'?)"),
    ],
)
def test_a_faction_file_names_only_the_theatre_s_other_factions(
    theatre_dir, relations, patron, where, expected
):
    folder = theatre_dir(faction_overrides={"red": {"relations": relations, "patron": patron}})
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{folder / 'agents' / 'red.toml'}: {where}: {expected}")


@pytest.mark.parametrize("name", paths.bundled_scenarios())
def test_the_shipped_theatres_load_without_a_warning(name, recwarn):
    load_theatre(name)
    assert not recwarn.list


def test_places_joined_only_through_a_foreign_sanctuary_are_cut_off(theatre_dir):
    features = [
        *line_map()[:5],
        place("echo", 97.74, 25.0, "border_post"),
        road("alpha", "bravo", "highway", 80.0),
        road("bravo", "charlie", "road", 50.0),
        road("charlie", "delta", "track", 24.0),
        road("delta", "sanctum", "road", 2.0),
        road("sanctum", "echo", "road", 2.0),
    ]
    message = error_of(load_theatre, theatre_dir(features=features))
    assert message.endswith(
        "roads: expected every place to be reachable by road; not connected to the rest: echo "
        "(only through a foreign sanctuary, where units do not go)"
    )


def test_a_sanctuary_with_no_road_is_cut_off(theatre_dir):
    features = [*line_map(), place("lonely", 97.8, 25.0, "sanctuary", country="CN")]
    assert error_of(load_theatre, theatre_dir(features=features)).endswith(
        "not connected to the rest: lonely"
    )


def test_two_faction_files_that_differ_only_in_case_are_refused(theatre_dir):
    folder = theatre_dir()
    (folder / "agents" / "Red.toml").write_bytes((folder / "agents" / "red.toml").read_bytes())
    message = error_of(load_theatre, folder)
    assert message.startswith(str(folder / "agents"))
    assert "differs from" in message and "only in case" in message


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("tatmadaw = 0.6", "tatmadw = 0.6", "relations.tatmadw: unknown faction 'tatmadw'"),
        ('patron = "tatmadaw"', 'patron = "tatmadw"', "economy.patron: unknown faction 'tatmadw'"),
    ],
)
def test_the_kachin_theatre_with_its_own_copy_of_the_factions_refuses_a_misspelt_ally(
    tmp_path, capsys, old, new, where
):
    """Issue 17's cases: the NDA-K's ally misspelt made every run fail on day 1 with a
    KeyError, its patron misspelt silently ended the alliance (and the Tatmadaw's
    US$5.1 M from allies)."""
    folder = tmp_path / "kachin"
    shutil.copytree(paths.maps_dir() / "kachin", folder)
    shutil.copytree(paths.agents_dir(), folder / "agents")
    setup = folder / "setup.toml"  # the factions are its own now, not borrowed
    setup.write_text(re.sub(r"(?m)^shipped_factions = .*\n", "", setup.read_text("utf-8")), "utf-8")
    assert main(["validate", str(folder)]) == 0
    edit(folder / "agents" / "ndak.toml", old, new)
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {folder / 'agents' / 'ndak.toml'}: {where}")


@pytest.mark.parametrize("name", paths.bundled_scenarios())
def test_the_catalogue_says_what_loading_the_theatre_finds(name):
    from wargame.scenario.catalogue import catalogue

    listing = next(entry for entry in catalogue() if entry.name == name)
    theatre = load_theatre(name)
    assert listing.title == theatre.title
    assert listing.start_date == theatre.start_date
    assert listing.places == len(theatre.map.places)
    assert listing.factions == tuple(theatre.factions)
    assert listing.units == sum(unit.count for unit in theatre.units)
