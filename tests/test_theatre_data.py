"""The engine knows no theatre: its neighbour, countries and commodities are a theatre's data.

A set-up names its countries (`[countries]`), its broker (`[broker]`) and
its commodities with their prices (`[commodities.<id>]`); a map's mine says
which commodity it yields. What the engine once knew of Kachin (China's
pressure, the rare-earth price) is refused under its old names with the new
ones, wherever parameters are read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from theatres import line_map

from wargame.scenario import ScenarioError, load_theatre

PACKAGE = Path(__file__).resolve().parent.parent / "wargame"


def error_of(call, *args) -> str:
    with pytest.raises(ScenarioError) as caught:
        call(*args)
    return str(caught.value)


def mine_yielding(mineral: str | None) -> list[dict]:
    """The test map, its mine (charlie, feature 2) yielding `mineral` (None: not said)."""
    features = line_map()
    if mineral is not None:
        features[2]["properties"]["mineral"] = mineral
    return features


# --- commodities --------------------------------------------------------------------


def test_a_mine_yielding_an_undeclared_commodity_is_one_clear_error(theatre_dir):
    folder = theatre_dir(
        features=mine_yielding("rubys"), commodities={"rubies": 2e6, "jade": 33_600.0}
    )
    message = error_of(load_theatre, folder)
    assert message == (
        f"{folder / 'map.geojson'}: features[2] (place 'charlie').properties.mineral: 'rubys' "
        "is not declared: expected the commodity its 50 mine sites yield, one of those "
        "setup.toml declares: rubies, jade (a commodity is a [commodities.<id>] table with its "
        "price)"
    )


def test_a_mine_need_not_say_its_commodity_when_the_theatre_has_only_one(theatre_dir):
    theatre = load_theatre(theatre_dir(commodities={"gas": 5.2}))
    assert theatre.map.places["charlie"].mineral == "gas"
    assert theatre.commodities["gas"].name == "gas" and theatre.prices == {"gas": 5.2}


@pytest.mark.parametrize(
    ("commodities", "expected"),
    [
        ({"gas": 5.2, "lead_zinc": 2_000.0}, "one of those setup.toml declares: gas, lead_zinc"),
        ({}, "one of those setup.toml declares, and it has none"),
    ],
)
def test_a_mine_that_does_not_say_its_commodity_among_several_or_none_is_refused(
    theatre_dir, commodities, expected
):
    message = error_of(load_theatre, theatre_dir(commodities=commodities))
    assert "features[2] (place 'charlie').properties.mineral: not given: expected" in message
    assert expected in message


def test_a_commodity_price_out_of_range_names_its_table(theatre_dir):
    folder = theatre_dir(commodities={"rare_earth": -1.0})
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{folder / 'setup.toml'}: commodities.rare_earth.price: ")


def test_each_price_is_a_parameter_a_layer_overrides_and_an_unknown_commodity_is_refused(
    theatre_dir,
):
    from wargame import ConflictModel
    from wargame.scenario.parameters import UnknownParameterError

    folder = theatre_dir(
        features=mine_yielding("rare_earth"), commodities={"rare_earth": 33_600.0, "gold": 60_000.0}
    )
    model = ConflictModel(folder, {"prices.gold": "75000"}, rng=1)
    assert model.parameters.prices == {"rare_earth": 33_600.0, "gold": 75_000.0}
    with pytest.raises(UnknownParameterError, match="no commodity 'rubies' to price in"):
        ConflictModel(folder, {"prices.rubies": 1.0}, rng=1)


# --- the broker and the countries ------------------------------------------------------


def test_the_set_up_names_the_countries_and_the_broker(theatre_dir):
    theatre = load_theatre(theatre_dir(countries={"MM": "Myanmar", "CN": "Cathay"}))
    assert theatre.broker == "CN" and theatre.country_name("CN") == "Cathay"
    assert theatre.country_name("TH") == "TH"  # a code without a name stays a code


@pytest.mark.parametrize(
    ("countries", "broker", "expected"),
    [
        ({"MM": "Myanmar"}, "CN", "'CN' has no name: expected it in [countries] too"),
        (
            {"MM": "Myanmar", "IN": "India"},
            "IN",
            "no foreign sanctuary on the map lies in 'IN' (the map's sanctuaries are in CN)",
        ),
    ],
)
def test_a_broker_without_a_name_or_a_crossing_is_refused(tmp_path, countries, broker, expected):
    from theatres import write_theatre

    folder = tmp_path / "theatre"
    write_theatre(folder, countries=countries)
    setup = folder / "setup.toml"
    setup.write_text(
        setup.read_text().replace('[broker]\ncountry = "CN"', f'[broker]\ncountry = "{broker}"')
    )
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{setup}: broker.country: ")
    assert expected in message


@pytest.mark.parametrize(
    ("country", "policy", "where", "expected"),
    [
        (
            "CN",
            {"soldiers": "deport"},
            "CN.soldiers",
            "should be 'intern', 'hand_back' or 'refuse'",
        ),
        ("CN", {"soldiers": "hand_back"}, "CN", "'hand_back' needs hand_back_after_days"),
        (
            "CN",
            {"soldiers": "hand_back", "hand_back_after_days": 0},
            "CN.hand_back_after_days",
            "greater than or equal to 1",
        ),
        (
            "CN",
            {"soldiers": "hand_back", "hand_back_after_days": 3, "hand_back_through": "bravo"},
            "CN.hand_back_through",
            "'bravo' is not a crossing into 'CN': expected one of delta",
        ),
        (
            "CN",
            {"soldiers": "intern", "hand_back_after_days": 3},
            "CN",
            "hand_back_after_days applies only with soldiers = 'hand_back'",
        ),
        ("IN", {"soldiers": "refuse"}, "IN", "no road on the map crosses into 'IN'"),
    ],
    ids=["unknown policy", "no days", "0 days", "not a crossing", "days to intern", "no border"],
)
def test_a_bad_neighbour_policy_is_one_clear_error(tmp_path, country, policy, where, expected):
    from theatres import write_theatre

    folder = write_theatre(tmp_path / "theatre", neighbours={country: policy})
    message = error_of(load_theatre, folder)
    assert message.startswith(f"{folder / 'setup.toml'}: neighbours.{where}: "), message
    assert expected in message and "\n" not in message


def test_a_neighbour_policy_is_read_and_a_country_not_listed_interns(theatre_dir):
    policy = {"soldiers": "hand_back", "hand_back_after_days": 7, "hand_back_through": "delta"}
    theatre = load_theatre(theatre_dir(neighbours={"CN": policy}))
    china = theatre.neighbour("CN")
    assert (china.soldiers, china.hand_back_after_days, china.hand_back_through) == (
        "hand_back",
        7,
        "delta",
    )
    assert theatre.neighbour("IN").soldiers == "intern"


def test_the_shipped_theatres_say_their_broker_and_commodities():
    kachin = load_theatre("kachin")
    assert kachin.broker == "CN" and kachin.country_name("CN") == "China"
    assert kachin.prices == {"rare_earth": 33_600.0, "jade": 33_600.0, "gold": 33_600.0}
    assert {kachin.map.places[p].mineral for p in ("kanpaiti", "hpakant", "tanai")} == {
        "rare_earth",
        "jade",
        "gold",
    }
    tamsen = load_theatre("tamsen_island")
    assert tamsen.broker == "XB" and tamsen.country_name("XB") == "Vardia"


# --- old names ----------------------------------------------------------------------------

RETIRED = [
    ("china_pressure", "0.8", "renamed 'broker_pressure'"),
    ("china_deterrence", "0.1", "renamed 'broker_deterrence'"),
    ("rare_earth_price", "50000", "prices.<commodity> (this theatre's: prices.rare_earth)"),
    ("other_mineral_price", "50000", "prices.<commodity> (this theatre's: prices.rare_earth)"),
]


@pytest.mark.parametrize(("old", "value", "new"), RETIRED)
def test_an_old_name_in_a_set_up_file_is_refused_naming_the_new_one(theatre_dir, old, value, new):
    folder = theatre_dir(parameters={old: float(value)})
    message = error_of(load_theatre, folder)
    assert message == (
        f"{folder / 'setup.toml'}: parameters: {old!r} is no longer a parameter: "
        + ("each commodity has its own price now: " if "price" in old else "")
        + new
        + (" (the pressure of the theatre's [broker])" if old == "china_pressure" else "")
        + (" (the deterrence of the theatre's [broker])" if old == "china_deterrence" else "")
    )


@pytest.mark.parametrize(("old", "value", "new"), RETIRED)
def test_an_old_name_in_set_is_refused_naming_the_new_one(theatre_dir, capsys, old, value, new):
    from wargame.cli import main

    folder = theatre_dir()
    assert main(["run", "--scenario", str(folder), "--days", "1", "--set", f"{old}={value}"]) == 1
    message = capsys.readouterr().err
    assert message.startswith(f"error: --set: {old!r} is no longer a parameter: ")
    assert new in message


@pytest.mark.parametrize("table", ["grid", "fixed"])
@pytest.mark.parametrize(("old", "value", "new"), RETIRED)
def test_an_old_name_in_an_experiment_is_refused_naming_the_new_one(
    theatre_dir, tmp_path, table, old, value, new
):
    from wargame.analysis.experiments import load_experiment

    theatre_dir()
    path = tmp_path / "old.toml"
    given = f"[{value}]" if table == "grid" else value
    path.write_text(
        '[experiment]\ntitle = "old"\ntheatre = "theatre"\ndays = 2\nseeds = 1\n\n'
        f"[{table}]\n{old} = {given}\n"
    )
    message = error_of(load_experiment, path)
    assert message.startswith(f"{path}: {table}.{old}: {old!r} is no longer a parameter: ")
    assert new in message


@pytest.mark.parametrize(("old", "value", "new"), RETIRED)
def test_an_old_name_in_an_exercise_is_refused_naming_the_new_one(tmp_path, old, value, new):
    from wargame.scenario.exercises import read_exercise

    path = tmp_path / "exercise.toml"
    (tmp_path / "sheet.md").write_text("# A sheet\n")
    path.write_text(
        '[exercise]\ntitle = "old"\nsheet = "sheet.md"\ntheatre = "kachin"\nhumans = ["kia"]\n\n'
        f"[parameters]\n{old} = {value}\n"
    )
    message = error_of(read_exercise, path)
    assert message.startswith(f"{path}: parameters: {old!r} is no longer a parameter: ")
    assert new.replace("prices.rare_earth", "prices.rare_earth, prices.jade, prices.gold") in (
        message
    )


def test_a_price_can_be_swept_in_an_experiment_and_is_a_column_of_the_batch(tmp_path):
    """`prices.rare_earth` in a grid, as TOML writes it (a dotted key): each point runs at
    its price, and the runs table has the swept column and the run's parameter."""
    from wargame.analysis.batch import run_batch
    from wargame.analysis.experiments import load_experiment
    from wargame.analysis.results import read_runs

    path = tmp_path / "price.toml"
    path.write_text(
        '[experiment]\ntitle = "price"\ntheatre = "kachin"\ndays = 3\nseeds = [1]\n\n'
        "[grid]\nprices.rare_earth = [0.0, 67200.0]\n\n"
        "[fixed]\nprices.jade = 10000.0\n"
    )
    experiment = load_experiment(path)
    assert experiment.grid == {"prices.rare_earth": [0.0, 67_200.0]}
    run_batch(experiment, tmp_path / "out", jobs=1)
    runs = read_runs(tmp_path / "out")
    assert list(runs["status"]) == ["ok", "ok"]
    assert list(runs["prices.rare_earth"]) == [0.0, 67_200.0]
    assert list(runs["parameters.prices.rare_earth"]) == [0.0, 67_200.0]
    assert list(runs["parameters.prices.jade"]) == [10_000.0, 10_000.0]
    assert runs["factions.ndak.income_rare_earth"][0] == 0.0
    assert runs["factions.ndak.income_rare_earth"][1] > 0.0


# --- the package itself -----------------------------------------------------------------

THEATRE_WORDS = re.compile(r"china|kachin|kanpaiti|rare_earth", re.IGNORECASE)
ALLOWED = {
    ("cli.py", "kachin"): "the CLI's default theatre, a shipped one",
    **{
        ("scenario/parameters.py", old): "a retired parameter's name, to say the new one"
        for old in ("china_pressure", "china_deterrence", "rare_earth_price", "other_mineral_price")
    },
}
ELSEWHERE = {"patterns.py"}
"""Turned into an experiment file and the theatre's own targets by issue 18's calibration
work, which removes it."""


def test_the_package_speaks_of_no_theatre_outside_its_docstrings_and_comments():
    """Every name, string and default in `wargame/` is free of one theatre's words; its
    docstrings and comments may give Kachin as an example."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where in ELSEWHERE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings or (where, node.value) in ALLOWED:
                    continue
                text = node.value
            elif isinstance(node, ast.Name | ast.arg | ast.FunctionDef | ast.ClassDef):
                text = getattr(node, "id", None) or getattr(node, "arg", None) or node.name
            elif isinstance(node, ast.Attribute):
                text = node.attr
            else:
                continue
            if THEATRE_WORDS.search(text):
                found.append(f"{where}:{node.lineno}: {text[:60]!r}")
    vendored = PACKAGE / "_assets" / "cdn"  # npm's packages as published, not our words
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_relative_to(vendored):
            continue
        if path.is_file() and path.suffix not in {".py", ".pyc"}:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            found += [
                f"{path.relative_to(PACKAGE)}:{n}: {line.strip()[:60]!r}"
                for n, line in enumerate(lines, 1)
                if THEATRE_WORDS.search(line) and not line.lstrip().startswith("#")
            ]
    assert not found, "\n".join(found)
