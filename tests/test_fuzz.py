"""Hostile files: every command answers a broken theatre or experiment with one line and exit 1.

Hypothesis mutates a valid theatre (set-up, map, faction files) and a valid
experiment: values of the wrong type, missing and extra keys, unknown ids,
negative, NaN, infinite and huge numbers, deep nesting, duplicate keys, empty
files, binary garbage, non-UTF-8 text, truncated files, a disconnected or
self-looped road graph, units abroad, no factions. Each mutated folder goes
through the commands a user would run on it. A command must either work
(exit 0, its output whole) or exit 1 with one line naming a file of the
theatre, never a traceback, never a hang, and never leave an output file
behind; `import-map`, which reads whole spreadsheets, says every problem it
finds: one line for one, or a line counting them and an indented line each
(a capped number). Run more examples with `HYPOTHESIS_PROFILE=deep pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import tempfile
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st
from theatres import road, write_theatre

from wargame.analysis.experiments import load_experiment
from wargame.cli import main
from wargame.scenario.errors import MAX_PROBLEMS_LISTED, ScenarioError
from wargame.scenario.parameters import Parameters, valid_range

HANG_SECONDS = 60
# A change can leave a valid experiment, only larger (seeds = 268, say): that is no broken
# file, and running it could outlast HANG_SECONDS on a busy machine, so the fuzz skips it.
# The experiments below ask for 12 and 36 run-days.
MOST_RUN_DAYS = 60
UNITS = [
    {"faction": "red", "place": "alpha", "strength": 400, "count": 2},
    {"faction": "blue", "place": "delta", "strength": 300},
]
EXPERIMENT = {
    "experiment": {"title": "fuzz", "theatre": "theatre", "days": 3, "seeds": 2},
    "grid": {"capture_days": [1, 2]},
    "outcomes": {
        "red_holds_bravo": {"kind": "holds", "faction": "red", "place": "bravo", "day": 2},
        "captures": {"kind": "events", "event": "capture"},
    },
}
SAMPLED_EXPERIMENT = {
    "experiment": {**EXPERIMENT["experiment"], "design": "morris", "trajectories": 2, "levels": 4},
    "ranges": {"capture_days": {"from": 1, "to": 3}, "broker_pressure": {"from": 0.0, "to": 1.0}},
    "outcomes": EXPERIMENT["outcomes"],
}
THEATRE_FILES = ("setup.toml", "map.geojson", "agents/red.toml", "agents/blue.toml")
FILE_NAMES = ("setup.toml", "map.geojson", "red.toml", "blue.toml", "experiment.toml")


class Hang(Exception):
    pass


def run_cli(*argv: str) -> tuple[int, str]:
    """`wargame ARGV` in this process: its exit status and what it wrote to stderr."""

    def hang(signum, frame):
        raise Hang(f"wargame {' '.join(argv)} took more than {HANG_SECONDS} s")

    stderr, stdout = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG_SECONDS)
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            try:
                code = main(list(argv))
            except SystemExit as exit_:
                code = exit_.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, stderr.getvalue()


def assert_one_line_about_a_file(code: int, stderr: str) -> None:
    assert code == 1, (code, stderr)
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert any(name in lines[0] for name in FILE_NAMES), stderr


# --- what can go wrong in a file ----------------------------------------------------------


def deep(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


VALUES = st.one_of(
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, -1, -0.5, 10**400 // 10**380, 1e308, -1e308, 2**63, 2**64 + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.text(max_size=12),
    st.sampled_from(["", "nowhere", "../../../etc/passwd", "/etc/passwd", "red", "alpha"]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "kind"]), st.integers(0, 3), max_size=2),
    st.integers(1, 60).map(deep),
)


def slots(document: object, path: tuple = ()) -> list[tuple]:
    """Every (container, key) pair in a parsed document, the document itself first."""
    found = [(None, path)]
    if isinstance(document, dict):
        for key, value in document.items():
            found += [(document, key)] + [s for s in slots(value, (*path, key)) if s[0] is not None]
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += [(document, index)]
            found += [s for s in slots(value, (*path, index)) if s[0] is not None]
    return found


@st.composite
def structural(draw, document: object, toml: bool) -> object:
    """One change to a parsed document: a key replaced, dropped, added or repeated."""
    candidates = [s for s in slots(document) if s[0] is not None]
    container, key = draw(st.sampled_from(candidates))
    operation = draw(st.sampled_from(["replace", "delete", "extra", "repeat"]))
    value = draw(VALUES.filter(lambda v: not (toml and v is None)))
    if operation == "replace":
        container[key] = value
    elif operation == "delete":
        del container[key]
    elif operation == "extra":
        if isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "Kind", "id ", "from"]))] = value
        else:
            container.append(value)
    elif isinstance(container, list):
        container.append(container[key])
    else:
        container[f"{key}"] = container[key]
    return document


def dump(document: object, toml: bool) -> bytes:
    if toml:
        if not isinstance(document, dict):
            document = {"value": document}
        return tomli_w.dumps(_toml_safe(document)).encode()
    return json.dumps(document).encode()


def _toml_safe(value: object) -> object:
    """TOML has no null and no integers beyond 64 bits: such values become strings."""
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value]
    if value is None or (isinstance(value, int) and not -(2**63) <= value < 2**63):
        return str(value)
    return value


@st.composite
def textual(draw, text: bytes, toml: bool) -> bytes:
    """A change to the bytes: emptied, garbage, not UTF-8, cut short, or a key said twice."""
    kind = draw(st.sampled_from(["empty", "garbage", "latin1", "truncate", "duplicate", "deep"]))
    if kind == "empty":
        return b""
    if kind == "garbage":
        return draw(st.binary(min_size=1, max_size=200))
    if kind == "latin1":
        return text.replace(b'"', '"\xe9'.encode("latin-1"), 1)
    if kind == "truncate":
        return text[: draw(st.integers(0, max(len(text) - 1, 0)))]
    if kind == "deep":  # beyond what a writer would nest, and beyond Python's recursion limit
        depth = draw(st.sampled_from([500, 5000, 100_000]))
        nested = b"[" * depth + b"1" + b"]" * depth
        if toml:
            return b"nested = " + nested + b"\n" + text
        return text.replace(b'"features": [', b'"nested": ' + nested + b', "features": [', 1)
    if toml:
        first = next(line for line in text.splitlines() if b"=" in line)
        return text.replace(first, first + b"\n" + first, 1)
    return text.replace(b'{"type": "FeatureCollection"', b'{"type": "Feature", "type": "x"', 1)


def graph_change(folder: Path, kind: str) -> None:
    """Changes that parse but make no playable theatre."""
    setup_path, map_path = folder / "setup.toml", folder / "map.geojson"
    setup = tomllib.loads(setup_path.read_text(encoding="utf-8"))
    geo = json.loads(map_path.read_text(encoding="utf-8"))
    if kind == "disconnected":
        geo["features"] = [f for f in geo["features"] if f["properties"].get("from") != "bravo"]
    elif kind == "self_loop":
        geo["features"].append(road("charlie", "charlie", "road", 5.0))
    elif kind == "abroad":
        setup["units"][0]["place"] = "sanctum"
    elif kind == "no_factions":
        setup["scenario"]["factions"] = []
    elif kind == "control_abroad":
        setup["control"]["sanctum"] = "red"
    setup_path.write_bytes(tomli_w.dumps(setup).encode())
    map_path.write_text(json.dumps(geo), encoding="utf-8")


# --- the commands over broken files ------------------------------------------------------------


def make_theatre(root: Path) -> Path:
    return write_theatre(root / "theatre", units=UNITS)


def commands_answer_cleanly(folder: Path, out: Path, must_fail: bool) -> None:
    """validate and run on the folder: it works, or one line and no output left behind."""
    code, stderr = run_cli("validate", str(folder))
    if code != 0 or must_fail:
        assert_one_line_about_a_file(code, stderr)
    series, events = out / "series.csv", out / "events.parquet"
    code, stderr = run_cli(
        "run", "--scenario", str(folder), "--days", "3", "--seed", "1", "--json",
        "--out", str(series), "--events", str(events),
    )  # fmt: skip
    event(f"run: exit {code}")  # shown by --hypothesis-show-statistics
    if code != 0 or must_fail:
        assert_one_line_about_a_file(code, stderr)
        assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    else:
        assert len(pd.read_csv(series)) == 4
        pd.read_parquet(events)
        assert not list(out.glob(".*"))


FUZZ = settings(  # as many examples as the profile says (tests/conftest.py)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(
    data=st.data(), name=st.sampled_from(THEATRE_FILES), broken=st.sampled_from(["value", "text"])
)
def test_a_broken_theatre_file_is_one_line_and_exit_1(data, name, broken):
    """A value broken in a file that still parses, or the file's text itself broken."""
    with tempfile.TemporaryDirectory() as root:
        folder = make_theatre(Path(root))
        path, toml = folder / name, name.endswith(".toml")
        text = path.read_bytes()
        if broken == "value":
            document = tomllib.loads(text.decode()) if toml else json.loads(text)
            path.write_bytes(dump(data.draw(structural(document, toml)), toml))
        else:
            path.write_bytes(data.draw(textual(text, toml)))
        commands_answer_cleanly(folder, Path(root) / "out", must_fail=False)


@settings(max_examples=6, deadline=None)
@given(
    kind=st.sampled_from(["disconnected", "self_loop", "abroad", "no_factions", "control_abroad"])
)
def test_a_theatre_that_parses_but_cannot_be_played_is_one_line_and_exit_1(kind):
    with tempfile.TemporaryDirectory() as root:
        folder = make_theatre(Path(root))
        graph_change(folder, kind)
        commands_answer_cleanly(folder, Path(root) / "out", must_fail=True)


@pytest.mark.parametrize("experiment", [EXPERIMENT, SAMPLED_EXPERIMENT], ids=["grid", "morris"])
@FUZZ
@given(data=st.data(), as_text=st.booleans())
def test_a_broken_experiment_is_one_line_and_exit_1_with_no_results_folder(
    experiment, data, as_text
):
    with tempfile.TemporaryDirectory() as root:
        make_theatre(Path(root))
        path = Path(root) / "experiment.toml"
        text = tomli_w.dumps(experiment).encode()
        if as_text:
            path.write_bytes(data.draw(textual(text, toml=True)))
        else:
            document = json.loads(json.dumps(experiment))
            path.write_bytes(dump(data.draw(structural(document, toml=True)), toml=True))
        if run_days(path) > MOST_RUN_DAYS:
            event("a valid experiment, too large to run here")
            reject()
        results = Path(root) / "results"
        code, stderr = run_cli("batch", str(path), "--out", str(results), "--jobs", "1")
        if code != 0:
            assert_one_line_about_a_file(code, stderr)
            assert not results.exists()
        else:
            assert (results / "metadata.json").is_file()


def run_days(path: Path) -> int:
    """Days of model time a valid experiment asks for in all (0 when it is not valid),
    counted without listing its runs (a valid file may ask for 2^32 seeds). A warning it
    gives is not shown: the command must still say it once when it reads the file."""
    try:
        with warnings.catch_warnings(action="ignore"):
            experiment = load_experiment(path)
    except ScenarioError:
        return 0
    seeds = experiment.spec.experiment.seeds
    count = seeds if isinstance(seeds, int) else len(seeds)
    return len(experiment.points()) * count * experiment.days


@settings(deadline=None)
@given(
    name=st.sampled_from(["capture_days", "broker_pressure", "prices.rare_earth", "travel_friction",
                          "civilian_group_size", "militia_loyalty", "combat_mode", "nonsense"]),
    value=st.one_of(
        st.sampled_from(["nan", "inf", "-inf", "-1", "1e400", "", "true", "x", "0x10", "1_000"]),
        st.integers(-(10**12), 10**12).map(str),
        st.floats().map(repr),
    ),
)  # fmt: skip
def test_an_override_out_of_its_range_is_refused_with_the_range(name, value):
    with tempfile.TemporaryDirectory() as root:
        folder = make_theatre(Path(root))
        code, stderr = run_cli(
            "run", "--scenario", str(folder), "--days", "1", "--seed", "1", "--json",
            "--set", f"{name}={value}",
        )  # fmt: skip
        assert code in (0, 1), stderr
        if code == 1:
            assert "Traceback" not in stderr
            assert len(stderr.strip().splitlines()) == 1, stderr
            if name in Parameters.model_fields or name.startswith("prices."):
                assert stderr.startswith(f"error: --set {name}: expected {valid_range(name)}, got")
            else:
                assert stderr.startswith(f"error: --set: unknown parameter {name!r}"), stderr


# --- maps made from spreadsheets and GIS layers (wargame import-map) ------------------------

LAYERS = Path(__file__).resolve().parent.parent / "docs" / "tutorial" / "qgis"
SPREADSHEET = {
    "places.csv": "id,name,kind,country,lon,lat,population,mine_sites,trade_per_day\n"
    "alpha,Alpha,town,XA,10.0,50.0,1000,,\n"
    "gate,Gate,border_post,XA,10.2,50.0,50,,900\n"
    "across,Across,sanctuary,XB,10.3,50.0,0,,\n",
    "roads.csv": "from,to,kind,length_km\nalpha,gate,road,\ngate,across,track,12\n",
}
CELLS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", "nan", "inf", "-1", "1e400", "999", "alpha", "gate", "border", ",", '"']),
    st.sampled_from(["sanctuary", "1", "0.5"]),  # the map's rules: sanctuaries, road lengths
)


@st.composite
def cell_changed(draw, text: str) -> bytes:
    """One cell of a CSV replaced, a row cut short or doubled, or a column renamed."""
    lines = text.splitlines()
    row = draw(st.integers(0, len(lines) - 1))
    cells = lines[row].split(",")
    kind = draw(st.sampled_from(["cell", "short", "double", "rename"]))
    if kind == "cell":
        cells[draw(st.integers(0, len(cells) - 1))] = draw(CELLS)
    elif kind == "short":
        cells = cells[: draw(st.integers(0, len(cells) - 1))]
    elif kind == "double":
        lines.append(lines[row])
    else:
        lines[0] = lines[0].replace(draw(st.sampled_from(lines[0].split(","))), draw(CELLS), 1)
    if kind != "double" and kind != "rename":
        lines[row] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


@FUZZ
@given(data=st.data(), source=st.sampled_from(["csv", "geojson"]), broken=st.booleans())
def test_import_map_answers_a_broken_spreadsheet_or_layer_with_its_problems(data, source, broken):
    """Whatever is in the inputs, import-map writes a map the loader accepts, or says which
    input file is wrong and leaves no map behind: one line for one problem; for several, an
    `error:` line counting them, then one indented line each, naming its file (at most
    MAX_PROBLEMS_LISTED of them, and how many more)."""
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        if source == "csv":
            for name, text in SPREADSHEET.items():
                (folder / name).write_text(text, encoding="utf-8")
            name = data.draw(st.sampled_from(sorted(SPREADSHEET)))
            text = SPREADSHEET[name]
            changed = (
                data.draw(textual(text.encode(), toml=False))
                if broken
                else data.draw(cell_changed(text))
            )
        else:
            for layer in LAYERS.glob("*.geojson"):
                (folder / layer.name).write_bytes(layer.read_bytes())
            name = data.draw(st.sampled_from(["places.geojson", "roads.geojson"]))
            text = (folder / name).read_text(encoding="utf-8")
            changed = (
                data.draw(textual(text.encode(), toml=False))
                if broken
                else dump(data.draw(structural(json.loads(text), toml=False)), toml=False)
            )
        (folder / name).write_bytes(changed)
        inputs = sorted(str(p) for p in folder.iterdir())
        out = folder / "theatre" / "map.geojson"
        code, stderr = run_cli("import-map", *inputs, "--out", str(out))
        event(f"import-map {source}: exit {code}")
        if code == 0:
            from wargame.scenario import load_map

            assert load_map(out).places
        else:
            assert code == 1 and "Traceback" not in stderr, stderr
            first, *listed = stderr.strip().splitlines()
            assert first.startswith("error: ") and len(first) < 1000, stderr
            assert any(Path(p).name in first for p in inputs), stderr
            if listed:
                assert first.startswith("error: ") and first.endswith(":"), stderr
                more = listed[-1].startswith("  ... and ")
                assert len(listed) - more <= MAX_PROBLEMS_LISTED, stderr
                for line in listed[: len(listed) - more]:
                    assert line.startswith("  ") and any(Path(p).name in line for p in inputs)
            assert all(len(line) < 1000 for line in listed), stderr  # values are cut short
            assert not out.exists()
        if out.parent.exists():  # no temporary file left beside the map
            assert not list(out.parent.glob(".*"))


# --- import-map and the loader keep the same map rules -----------------------------------

ORIGIN = (10.0, 50.0)
OFFSETS = st.one_of(  # degrees: mostly a road drawn to its place, now and then up to 13 km off
    st.just(0.0), st.just(0.0), st.just(0.0), st.floats(-0.03, 0.03), st.floats(-0.12, 0.12)
)
LENGTHS = st.one_of(st.none(), st.none(), st.sampled_from([0.5, 3.0, 100.0]), st.floats(0.1, 300))


@st.composite
def drawn_maps(draw) -> tuple[list, list]:
    """A map whose every feature is well formed, with roads between known places, one a
    pair: only the map's rules (sanctuaries, road ends, lengths, connection) can refuse it.
    Places are (kind, lon, lat); roads (from, to, length_km or None, start and end shifted
    from their places by (dlon, dlat) degrees), often a chain through every place."""
    places = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["town", "town", "border_post", "sanctuary"]),
                st.floats(0, 0.3).map(lambda x: round(ORIGIN[0] + x, 2)),
                st.floats(0, 0.3).map(lambda y: round(ORIGIN[1] + y, 2)),
            ),
            min_size=2,
            max_size=6,
        )
    )
    count = len(places)
    chain = [(i, i + 1) for i in range(count - 1)] if draw(st.booleans()) else []
    others = [(a, b) for a in range(count) for b in range(a + 1, count) if (a, b) not in chain]
    if others:
        chain += draw(st.lists(st.sampled_from(others), max_size=3, unique=True))
    shifts = st.tuples(OFFSETS, OFFSETS)
    roads = [(a, b, draw(LENGTHS), draw(shifts), draw(shifts)) for a, b in chain]
    return places, roads


def map_features(places: list, roads: list) -> list[dict]:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"id": f"p{i}", "name": f"P{i}", "kind": kind,
                        "country": "XB" if kind == "sanctuary" else "XA", "population": 10}}
        for i, (kind, lon, lat) in enumerate(places)
    ]  # fmt: skip
    for a, b, length, start, end in roads:
        line = [[places[a][1] + start[0], places[a][2] + start[1]],
                [places[b][1] + end[0], places[b][2] + end[1]]]  # fmt: skip
        properties = {"from": f"p{a}", "to": f"p{b}", "kind": "road"}
        if length is not None:
            properties["length_km"] = length
        features.append({"type": "Feature", "properties": properties,
                         "geometry": {"type": "LineString", "coordinates": line}})  # fmt: skip
    return features


def loaded_or_refused(read, *args) -> tuple[str | None, list[str]]:
    """The problem `read(*args)` raises (None if it reads) and the warnings it says."""
    from wargame.scenario import ScenarioError
    from wargame.scenario.errors import ScenarioProblems, ScenarioWarning

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            read(*args)
            problem = None
        except ScenarioProblems as error:
            problem = error.problems[0].problem
        except ScenarioError as error:
            problem = error.problem
    return problem, [w.message.problem for w in said if isinstance(w.message, ScenarioWarning)]


@FUZZ
@example(
    plan=(
        [
            ("town", 10.0, 50.0),
            ("border_post", 10.1, 50.0),
            ("sanctuary", 10.2, 50.0),
            ("sanctuary", 10.3, 50.0),
        ],
        [(0, 1, None, (0, 0), (0, 0)), (1, 2, None, (0, 0), (0, 0)), (2, 3, None, (0, 0), (0, 0))],
    )
)  # a road between two sanctuaries
@example(
    plan=([("town", 10.0, 50.0), ("town", 10.1, 50.0)], [(0, 1, None, (0, 0.08), (0, 0))])
)  # its start 8.9 km from its place
@example(
    plan=([("town", 10.0, 50.0), ("town", 10.1, 50.0)], [(0, 1, 1.0, (0, 0), (0, 0))])
)  # 1 km between places 7 km apart
@example(
    plan=([("town", 10.0, 50.0), ("town", 10.1, 50.0)], [(0, 1, 100.0, (0, 0), (0, 0))])
)  # a detour: a warning
@example(
    plan=(
        [("town", 10.0, 50.0), ("sanctuary", 10.1, 50.0), ("town", 10.2, 50.0)],
        [(0, 1, None, (0, 0), (0, 0)), (1, 2, None, (0, 0), (0, 0))],
    )
)  # only abroad
@example(plan=([("sanctuary", 10.0, 50.0), ("sanctuary", 10.1, 50.0)], []))  # no home
@given(plan=drawn_maps())  # fmt: skip
def test_import_map_accepts_what_the_loader_accepts_and_says_what_it_says(plan):
    """A layer drawn in our map format is a map the loader reads and a layer import-map
    reads: the two refuse the same maps with the same words, and warn alike."""
    from wargame.scenario import load_map
    from wargame.scenario.importer import import_map

    with tempfile.TemporaryDirectory() as root:
        drawn, out = Path(root) / "drawn.geojson", Path(root) / "map.geojson"
        features = map_features(*plan)
        drawn.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        loaded = loaded_or_refused(load_map, drawn)
        imported = loaded_or_refused(import_map, [drawn], out)
        event(f"loader: {' '.join((loaded[0] or 'accepts').split()[:3])}, {len(loaded[1])} warned")
        assert imported == loaded
        if imported[0] is None:
            assert loaded_or_refused(load_map, out) == loaded
        else:
            assert not out.exists()
