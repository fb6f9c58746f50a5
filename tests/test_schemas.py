"""The files' JSON Schemas (`wargame/schemas/`): every shipped file passes its schema, a
file with a known mistake fails it, and on both the loader's own model agrees.

Files are read as an editor passes them to a schema: TOML through `tomllib`, its dates as
the text `2024-03-07` (Taplo does the same), checked by the `jsonschema` library with its
format checks on.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from wargame.scenario.history import KINDS as TARGET_KINDS
from wargame.scenario.history import PATTERN_KINDS
from wargame.scenario.scaffold import new_theatre
from wargame.schemas import KINDS, file_schema, schema_text

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {
    "setup": sorted(ROOT.glob("maps/*/setup.toml")),
    "faction": sorted([*ROOT.glob("agents/*.toml"), *ROOT.glob("maps/*/agents/*.toml")]),
    "history": sorted(ROOT.glob("maps/*/history.toml")),
    "experiment": sorted(ROOT.glob("experiments/*.toml")),
}
"""Every TOML file that ships, by kind (the classroom's exercises are not experiments)."""
TAPLO = Path(sys.executable).parent / "taplo"


def as_editors_read(value: object) -> object:
    """A TOML value as JSON holds it: a date or a time becomes its ISO text."""
    if isinstance(value, dict):
        return {key: as_editors_read(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [as_editors_read(inner) for inner in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def read(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def validator(kind: str) -> jsonschema.Draft202012Validator:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(file_schema(kind), format_checker=checker)


def schema_errors(kind: str, document: dict) -> list[str]:
    """What the schema finds wrong, the most telling first (as an editor shows it)."""
    errors = list(validator(kind).iter_errors(as_editors_read(document)))
    best = jsonschema.exceptions.best_match(errors)
    return [best.message, *(error.message for error in errors)] if best else []


def loader_accepts(kind: str, document: dict) -> bool:
    try:
        KINDS[kind].read_by().model_validate(document)
    except ValidationError:
        return False
    return True


def shipped() -> list[tuple[str, Path]]:
    return [(kind, path) for kind, paths in SHIPPED.items() for path in paths]


# --- the schemas themselves ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_valid_json_schema_and_says_what_it_is(kind):
    schema = file_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:wargame-abm:schema:{kind}"
    assert schema["title"] and len(schema["description"]) > 40
    assert list(schema)[:4] == ["$schema", "$id", "title", "description"]
    assert schema_text(kind).endswith("}\n")


def tables(schema: object) -> list[dict]:
    """Every object schema in `schema` that lists its keys (properties or key patterns), but
    the tests that choose a tagged union's branch (`if`), which describe no table."""
    found = []
    if isinstance(schema, dict):
        if "properties" in schema or "patternProperties" in schema:
            found.append(schema)
        for key, inner in schema.items():
            if key != "if":
                found += tables(inner)
    elif isinstance(schema, list):
        for inner in schema:
            found += tables(inner)
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_every_table_refuses_keys_it_does_not_list_as_the_loader_does(kind):
    """The file models forbid extra keys; the schema says so for each table, so a misspelt
    key is marked in the editor and not passed over."""
    listed = tables(file_schema(kind))
    models = [t for t in listed if "properties" in t and "allOf" not in t]  # not a union's
    keyed = [t for t in listed if "patternProperties" in t]
    assert models and all(t.get("additionalProperties") is False for t in models)
    assert all(t.get("additionalProperties") is False for t in keyed)


def test_the_history_schema_knows_the_kinds_the_loader_reads():
    """The loader reads each target and pattern by its kind (`KINDS`, `PATTERN_KINDS`); the
    schema's union of them must name the same kinds."""
    schema = file_schema("history")
    targets = schema["properties"]["targets"]["items"]["properties"]["kind"]["enum"]
    patterns = schema["properties"]["patterns"]["items"]["properties"]["kind"]["enum"]
    assert sorted(targets) == sorted(TARGET_KINDS)
    assert sorted(patterns) == sorted(PATTERN_KINDS)


# --- what ships passes ------------------------------------------------------------------


def test_every_kind_has_shipped_files_to_check():
    assert all(SHIPPED.values()), {kind: len(paths) for kind, paths in SHIPPED.items()}
    assert not [p for p in SHIPPED["experiment"] if "classroom" in p.parts]


@pytest.mark.parametrize(("kind", "path"), shipped(), ids=lambda v: getattr(v, "name", v))
def test_every_shipped_file_passes_its_schema_and_its_loader(kind, path):
    document = read(path)
    assert schema_errors(kind, document) == []
    assert loader_accepts(kind, document)


def test_a_new_theatre_passes_its_schemas(tmp_path):
    setup = new_theatre(tmp_path / "my_island")
    assert schema_errors("setup", read(setup)) == []
    factions = sorted((setup.parent / "agents").glob("*.toml"))
    assert factions
    for path in factions:
        assert schema_errors("faction", read(path)) == [], path


EXPERIMENT = {"experiment": {"title": "t", "theatre": "kachin", "days": 10, "seeds": 2}}
SETUP = read(ROOT / "maps/kachin/setup.toml")


@pytest.mark.parametrize(
    ("kind", "document"),
    [
        ("experiment", {**EXPERIMENT, "ranges": {"prices": {"gold": {"from": 1.0, "to": 2.0}}}}),
        ("experiment", {**EXPERIMENT, "ranges": {"prices.gold": {"from": 1.0, "to": 2.0}}}),
        ("experiment", {**EXPERIMENT, "grid": {"prices": {"gold": [1.0, 2.0]}}}),
        ("experiment", {**EXPERIMENT, "fixed": {"prices": {"jade": 3}, "prices.gold": 2}}),
        ("setup", {**SETUP, "parameters": {"prices": {"gold": 5.0}, "capture_days": 4}}),
        ("setup", {**SETUP, "parameters": {"prices.gold": 5.0}}),
    ],
)
def test_a_dotted_key_passes_as_a_table_or_as_one_key_as_the_loader_takes_both(kind, document):
    """TOML reads `prices.gold = ...` as a table {"prices": {"gold": ...}}; the loader
    flattens it, and the schema takes both ways of writing it."""
    assert schema_errors(kind, document) == []
    assert loader_accepts(kind, document)


# --- a known mistake fails --------------------------------------------------------------


def renamed(where: list[str | int], new: str) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        *parent, key = where
        table = _at(document, parent)
        table[new] = table.pop(key)

    return change


def given(where: list[str | int], value: object) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        *parent, key = where
        _at(document, parent)[key] = value

    return change


def _at(document: dict, where: list[str | int]) -> dict:
    for key in where:
        document = document[key]
    return document


MISTAKES = [
    # (kind, shipped file, mistake, what the schema's message names)
    ("setup", "maps/kachin/setup.toml", renamed(["scenario", "title"], "titel"), "'titel'"),
    ("setup", "maps/kachin/setup.toml", given(["units", 0, "strength"], "many"), "'many'"),
    ("setup", "maps/kachin/setup.toml", given(["control", "Bhamo"], "kia"), "'Bhamo'"),
    ("setup", "maps/rakhine/setup.toml", given(["scenario", "start_date"], "13/11/2023"), "date"),
    ("faction", "agents/kia.toml", renamed(["doctrine", "aggression"], "agression"), "agression"),
    ("faction", "agents/kia.toml", given(["doctrine", "aggression"], "high"), "'high'"),
    ("faction", "agents/kia.toml", given(["doctrine", "aggression"], 1.5), "1.5"),
    ("faction", "agents/kia.toml", given(["colour"], "red"), "'red'"),
    (
        "history",
        "maps/kachin/history.toml",
        renamed(["targets", 0, "tolerance_days"], "tolerance_dayz"),
        "'tolerance_dayz'",
    ),
    ("history", "maps/kachin/history.toml", given(["targets", 0, "kind"], "battle"), "'battle'"),
    ("history", "maps/kachin/history.toml", given(["targets", 0, "date"], "31 March"), "date"),
    (
        "experiment",
        "experiments/china_pressure.toml",
        given(["experiment", "days"], "270 days"),
        "'270 days'",
    ),
    (
        "experiment",
        "experiments/china_pressure.toml",
        given(["outcomes", "late"], {"kind": "taken"}),
        "is a required property",
    ),
    (
        "experiment",
        "experiments/rare_earth_price.toml",
        given(["grid", "prices", "rare_earth"], {"from": 1.0, "to": 2.0}),  # no step
        "not valid under any of the given schemas",  # a list, a range or a table: none fits
    ),
]


@pytest.mark.parametrize(
    ("kind", "file", "mistake", "named"),
    MISTAKES,
    ids=[f"{kind}-{i}" for i, (kind, *_) in enumerate(MISTAKES)],
)
def test_a_file_with_a_known_mistake_fails_its_schema_and_its_loader(kind, file, mistake, named):
    document = copy.deepcopy(read(ROOT / file))
    mistake(document)
    errors = schema_errors(kind, document)
    assert errors, "the schema let the mistake by"
    assert named in errors[0], errors[0]
    assert not loader_accepts(kind, document)


def test_a_misspelt_key_in_a_target_is_named_not_buried_in_every_kind_it_is_not():
    """A history's targets are read by their kind: the message names the key, as the loader's
    does, rather than quoting the whole target as fitting none of the kinds."""
    document = read(ROOT / "maps/tamsen_island/history.toml")
    renamed(["targets", 1, "holder"], "holdr")(document)
    errors = schema_errors("history", document)
    assert errors[0] in (
        "'holder' is a required property",
        "Additional properties are not allowed ('holdr' was unexpected)",
    )
    assert not any("oneOf" in error or "any of" in error for error in errors)


# --- an editor's own check: Taplo with the repository's .taplo.toml ----------------------


def taplo_check(folder: Path, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TAPLO), "check", "--colors", "never", *map(str, files)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_taplo_passes_every_shipped_file_with_the_repositorys_settings():
    files = [path.relative_to(ROOT) for _, path in shipped()]
    result = taplo_check(ROOT, files)
    assert result.returncode == 0, result.stderr


def test_taplo_ties_every_shipped_file_to_its_schema(tmp_path):
    """A copy of the data with an unknown key at the top of every file: Taplo, reading the
    repository's .taplo.toml, must refuse each one, so each is tied to a schema.

    Each file is checked on its own and judged by Taplo's exit status: Taplo 0.9.3 sometimes
    exits before its last "invalid file" log line is written, so a summary read from one
    run's log can miss the last file it refused."""
    shutil.copy(ROOT / ".taplo.toml", tmp_path)
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    copies = []
    for _, path in shipped():
        copy_path = tmp_path / path.relative_to(ROOT)
        copy_path.parent.mkdir(parents=True, exist_ok=True)
        copy_path.write_text("not_a_key = 1\n" + path.read_text(encoding="utf-8"))
        copies.append(copy_path.relative_to(tmp_path))
    assert copies
    for path in copies:
        result = taplo_check(tmp_path, [path])
        assert result.returncode != 0 and "'not_a_key' was unexpected" in result.stderr, path


def test_taplo_follows_a_schema_directive_on_the_first_line(tmp_path):
    """The user guide's way for a theatre of one's own: its schema beside it, named on the
    first line of the file."""
    setup = new_theatre(tmp_path / "my_island")
    (setup.parent / "setup.schema.json").write_text(schema_text("setup"), encoding="utf-8")
    text = setup.read_text(encoding="utf-8")
    setup.write_text("#:schema ./setup.schema.json\n" + text, encoding="utf-8")
    assert taplo_check(tmp_path, [setup]).returncode == 0
    setup.write_text(
        "#:schema ./setup.schema.json\n" + text.replace("start_date", "start_dat"), "utf-8"
    )
    result = taplo_check(tmp_path, [setup])
    assert result.returncode != 0 and "'start_dat' was unexpected" in result.stderr
