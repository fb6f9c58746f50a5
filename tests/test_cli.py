"""The `wargame` command, run as a user runs it: a subprocess, its output and exit status."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fresh_python import fresh_python

WARGAME = str(Path(sys.executable).parent / "wargame")


def wargame(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([WARGAME, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def assert_clean_failure(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    message = result.stderr.strip()
    assert message.startswith("error: ")
    for fragment in fragments:
        assert fragment in message


def test_scenarios_lists_the_shipped_theatres():
    result = wargame("scenarios")
    assert result.returncode == 0, result.stderr
    assert "kachin" in result.stdout


HEAVY = ("mesa", "pandas", "scipy", "networkx", "solara", "matplotlib")
"""What a command that builds no model need not import (most of a second at each start)."""


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["--version"], "wargame "),
        (["--help"], "scenarios"),
        (["run", "--help"], "civilian_group_size"),
        (["import-map", "--help"], "at most 5"),
        (["scenarios"], "tamsen_island"),
        (["schema", "--help"], "setup, faction, history, experiment"),
        (["completion", "--help"], "zsh"),
    ],
)
def test_help_and_version_start_without_the_model_and_its_libraries(args, shown):
    """Help is still whole: the parameters' list and the map rules' limit are read when shown."""
    out, imported = _main_in_a_fresh_python(args, HEAVY)
    assert shown in out
    assert imported == "[]"


@pytest.mark.parametrize(
    ("args", "unused"),
    [
        (["--version"], ("pydantic", "rich")),
        (["--help"], ("pydantic", "rich")),
        (["scenarios"], ("pydantic",)),
    ],
)
def test_the_first_commands_a_user_types_import_neither_pydantic_nor_rich_unless_shown(
    args, unused
):
    """Issue 24: these start within a quarter second of a bare Python's CPU, and pydantic alone
    takes about 0.1 s to import, rich's console about 0.08 s (benchmarks/startup.py)."""
    out, imported = _main_in_a_fresh_python(args, unused)
    assert out.strip()
    assert imported == "[]"


def test_a_run_leaves_scipys_statistics_unimported():
    """scipy.stats costs every process that runs a model about a second to import (a batch's
    workers, a classroom server): the draws take only scipy.special's kernels."""
    out, imported = _main_in_a_fresh_python(["run", "--days", "2", "--seed", "1"], ("scipy.stats",))
    assert "2 days" in out
    assert imported == "[]"


def _main_in_a_fresh_python(args: list[str], modules: tuple[str, ...]) -> tuple[str, str]:
    """What `wargame ARGS` printed, and which of `modules` it imported (a list, as text)."""
    script = (
        "import contextlib, io, sys\n"
        "from wargame.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        f"    main({args!r})\n"
        f"print(out.getvalue()); print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    out = fresh_python(script)
    return out, out.strip().splitlines()[-1]


def test_python_dash_m_wargame_is_the_wargame_command():
    result = subprocess.run(
        [sys.executable, "-m", "wargame", "--version"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == wargame("--version").stdout.strip()
    assert result.stdout.startswith("wargame ")


def test_run_prints_a_readable_summary_table():
    result = wargame("run", "--scenario", "kachin", "--days", "20", "--seed", "7")
    assert result.returncode == 0, result.stderr
    for text in ("seed 7", "20 days", "KIA", "Tatmadaw", "in play", "border posts", "Kanpaiti"):
        assert text in result.stdout


def test_run_json_has_the_summary_contract():
    result = wargame("run", "--days", "10", "--seed", "7", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {
        "scenario",
        "seed",
        "days",
        "parameters",
        "factions",
        "control",
        "civilians",
        "ceasefires",
        "events",
    } <= set(summary)
    assert (summary["scenario"], summary["seed"], summary["days"]) == ("kachin", 7, 10)
    assert set(summary["factions"]) == {"kia", "tatmadaw", "ndak"}
    for measures in summary["factions"].values():
        assert {
            "strength",
            "morale",
            "killed",
            "starved",
            "interned",
            "repatriated",
            "recruited",
            "in_training",
            "deserted",
            "fire_paid",
            "arms",
            "arms_edge",
            "surrendered",
            "captured",
            "unsupplied",
            "grievance",
            "idle_units",
            "treasury",
            "revenue_total",
            "places_held",
            "border_posts_held",
            "mine_sites_held",
            "income_mines",
            "income_trade",
            "income_external",
            "income_allies",
            "income_rare_earth",
            "income_jade",
            "income_gold",
        } == set(measures)
    assert set(summary["civilians"]) == {
        "population",
        "displaced",
        "refugees_abroad",
        "returned",
        "killed",
    }
    assert summary["control"]["myitkyina"] == "tatmadaw"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_run_writes_the_daily_series(tmp_path, suffix):
    out = tmp_path / f"series{suffix}"
    result = wargame("run", "--days", "15", "--seed", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(frame["day"]) == list(range(16))
    assert frame["date"].iloc[0] == "2024-03-07"
    assert {"kia_strength", "tatmadaw_places_held", "civilians_displaced"} <= set(frame.columns)


def test_set_overrides_a_parameter_and_shows_in_the_summary():
    result = wargame(
        "run", "--days", "1", "--json", "--set", "capture_days=5", "--set", "travel_friction=0"
    )
    assert result.returncode == 0, result.stderr
    parameters = json.loads(result.stdout)["parameters"]
    assert parameters["capture_days"] == 5 and parameters["travel_friction"] == 0.0


def test_set_rejects_unknown_names_with_the_valid_ones():
    result = wargame("run", "--days", "1", "--set", "capture_dayz=5")
    assert_clean_failure(result, "capture_dayz", "valid names:", "capture_days", "travel_friction")


def test_set_rejects_a_value_of_the_wrong_type():
    assert_clean_failure(
        wargame("run", "--days", "1", "--set", "capture_days=soon"), "capture_days", "soon"
    )


def test_a_bad_output_suffix_fails_before_running_and_writes_nothing(tmp_path):
    out = tmp_path / "series.xlsx"
    assert_clean_failure(wargame("run", "--days", "1", "--out", str(out)), ".csv or .parquet")
    assert list(tmp_path.iterdir()) == []


def test_validate_reports_a_valid_file():
    result = wargame("validate", "maps/kachin", cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert "valid theatre 'kachin'" in result.stdout


@pytest.mark.parametrize("days", ["-1", "3651"])
def test_run_days_outside_zero_to_ten_years_is_one_line(days):
    """Before, a huge --days ran for hours and then died of an OverflowError on its dates."""
    assert_clean_failure(wargame("run", "--days", days), f"--days {days}", "0 to 3,650")


def test_validate_names_file_place_and_expectation(theatre_dir):
    folder = theatre_dir(units=[{"faction": "red", "place": "atlantis", "strength": 5}])
    assert_clean_failure(
        wargame("validate", str(folder)), "setup.toml", "units[0].place", "unknown place 'atlantis'"
    )
    map_path = folder / "map.geojson"
    map_path.write_text("{not json")
    assert_clean_failure(
        wargame("validate", str(map_path)), "map.geojson", "line 1", "not valid JSON"
    )


def test_scenario_takes_a_users_theatre_folder(theatre_dir):
    folder = theatre_dir(units=[{"faction": "blue", "place": "bravo", "strength": 40}])
    result = wargame("run", "--scenario", str(folder), "--days", "5", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["scenario"] == "theatre"
    assert set(summary["control"]) == {"alpha", "bravo", "charlie", "delta"}
    assert summary["factions"]["blue"]["strength"] == 40


def test_an_unknown_scenario_is_one_clear_error():
    assert_clean_failure(
        wargame("run", "--scenario", "narnia"), "narnia", "not a theatre", "kachin"
    )


def test_serve_runs_solara_offline_without_telemetry_and_passes_the_users_folder(
    tmp_path, monkeypatch
):
    from wargame.apps.viewer import SCENARIO_ENV, THEATRES_ENV
    from wargame.cli import serve_command

    monkeypatch.delenv(SCENARIO_ENV, raising=False)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    command, env = serve_command("0.0.0.0", 9001, str(tmp_path))
    assert command[-5:] == ["--host", "0.0.0.0", "--port", "9001", "--production"]
    assert "wargame.apps.viewer.page" in command
    assert "--no-check-version" in command  # no call to the package index at each start
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["MALLOC_ARENA_MAX"] == "2"  # a freed class's memory goes back (benchmarks/load.py)
    assert env["SOLARA_THEME_SHOW_BANNER"] == "false"  # it sat over the pages' corner
    assert env[SCENARIO_ENV] == str(tmp_path.resolve())
    assert SCENARIO_ENV not in serve_command("localhost", 8765, None)[1]
    assert serve_command("localhost", 8765, None, theatres=tmp_path)[1][THEATRES_ENV] == str(
        tmp_path.resolve()
    )


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("serve", "--scenario", "narnia"), ("narnia", "not a theatre", "kachin")),
        (("serve", "--port", "99999"), ("--port", "1 to 65535", "99999")),
        (("serve", "--port", "-1"), ("--port", "1 to 65535")),
        (("classroom", "--port", "70000"), ("--port", "1 to 65535", "70000")),
    ],
    ids=["serve-scenario", "serve-port", "serve-negative-port", "classroom-port"],
)
def test_a_server_refuses_a_wrong_theatre_or_port_before_it_starts(args, fragments, tmp_path):
    """Before, each started a server (that hung, or died in the web server's words)."""
    assert_clean_failure(wargame(*args, cwd=tmp_path), *fragments)
    assert list(tmp_path.iterdir()) == []  # no games file made either


def test_serve_frees_a_closed_pages_session_within_minutes_not_a_day(monkeypatch):
    # Solara keeps a session 24 h after its browser goes; tests/test_closed_tabs.py shows
    # that the session and its threads go when this timeout runs out
    from solara.util import parse_timedelta

    from wargame.cli import serve_command

    monkeypatch.delenv("SOLARA_KERNEL_CULL_TIMEOUT", raising=False)
    for app in ("wargame.apps.viewer.page", "wargame.apps.classroom.app"):
        _, env = serve_command("localhost", 8765, None, app=app)
        assert 60 <= parse_timedelta(env["SOLARA_KERNEL_CULL_TIMEOUT"]) <= 10 * 60
    monkeypatch.setenv("SOLARA_KERNEL_CULL_TIMEOUT", "1h")  # an administrator's choice stays
    assert serve_command("localhost", 8765, None)[1]["SOLARA_KERNEL_CULL_TIMEOUT"] == "1h"


def test_generate_writes_a_theatre_that_validates_and_runs(tmp_path):
    folder = tmp_path / "large"
    result = wargame("generate", str(folder), "--places", "150", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "150 places, 300 units, 1,500 civilian groups" in result.stdout
    checked = wargame("validate", str(folder))
    assert checked.returncode == 0, checked.stderr
    assert "3 factions, 300 units" in checked.stdout
    ran = wargame("run", "--scenario", str(folder), "--days", "5", "--seed", "1", "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["days"] == 5


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--places", "0"], "--places: expected 1 to 100,000, got 0"),
        (["--units", "-1"], "--units: expected 0 to 1,000,000, got -1"),
        # these ran out of memory: "unexpected MemoryError ... a bug in wargame"
        (["--places", "100000000000"], "--places: expected 1 to 100,000"),
        (["--civilian-groups", "10000000"], "--civilian-groups: expected 0 to 1,000,000"),
        (["--factions", "9"], "--factions: expected 1 to 8"),
        (["--places", "2", "--factions", "3"], "at least one per faction"),
    ],
)
def test_generate_rejects_bad_sizes_and_writes_nothing(tmp_path, args, fragment):
    assert_clean_failure(wargame("generate", str(tmp_path / "t"), *args), fragment)
    assert not (tmp_path / "t").exists()


def test_generate_refuses_an_existing_theatre(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "setup.toml").write_text("x = 1\n")
    assert_clean_failure(wargame("generate", str(tmp_path / "t")), "already exists")
    assert (tmp_path / "t" / "setup.toml").read_text() == "x = 1\n"


@pytest.mark.parametrize("seed", ["-1", str(2**32), str(2**64 - 1)])
def test_a_seed_outside_the_one_range_is_one_clear_error(tmp_path, seed):
    # -1 ended in "unexpected ValueError ... a bug in wargame"; 2**32 and up were run
    assert_clean_failure(
        wargame("run", "--days", "1", "--seed", seed), f"--seed {seed}", "0 to 4294967295"
    )
    assert_clean_failure(
        wargame("generate", str(tmp_path / "t"), "--places", "3", "--seed", seed),
        f"--seed {seed}",
        "0 to 4294967295",
    )
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize(("seed", "taken"), [(2**32 - 1, True), (2**32, False), (-1, False)])
def test_every_way_into_a_run_takes_the_same_seeds(tmp_path, seed, taken):
    """The CLI, the model, experiment files, the viewer and the classroom: one range."""
    from pydantic import ValidationError

    from wargame import ConflictModel
    from wargame.analysis.experiments import load_experiment
    from wargame.apps.classroom.game import GameSetup
    from wargame.apps.viewer.page import open_model
    from wargame.scenario import ScenarioError

    cli = wargame("run", "--days", "0", "--seed", str(seed), "--json")
    assert (cli.returncode == 0) is taken, cli.stderr
    try:
        ConflictModel("kachin", rng=seed)
    except ValueError as error:
        assert not taken and "0 to 4294967295" in str(error)
    else:
        assert taken
    experiment = tmp_path / "experiment.toml"
    experiment.write_text(
        f'[experiment]\ntitle = "t"\ntheatre = "kachin"\ndays = 1\nseeds = [{seed}]\n'
    )
    try:
        load_experiment(experiment)
    except ScenarioError as error:
        assert not taken and "seeds" in str(error)
    else:
        assert taken
    assert (not isinstance(open_model("kachin", seed), str)) is taken
    try:
        GameSetup(theatre="kachin", seed=seed, humans=["kia"])
    except ValidationError:
        assert not taken
    else:
        assert taken


@pytest.mark.parametrize(
    ("place", "options", "fragment"),
    [
        ("folder.csv/", ["--out", "{}"], "is a folder; expected a file name"),
        ("file.txt", ["--events", "{}/events.csv"], "is a file, not a folder"),
        ("file.txt", ["--plots", "{}"], "is a file; expected a folder"),
        ("", ["--out", "/sys/series.csv"], "cannot write in /sys"),  # read-only, even for root
        ("", ["--map", "/sys/map.png"], "cannot write in /sys"),
        ("", ["--plots", "/sys/charts"], "cannot write in /sys"),
        ("", ["--out", "{}/a.csv", "--events", "{}/sub/../a.csv"], "--out and --events both"),
    ],
)
def test_outputs_that_cannot_be_written_fail_before_the_run(
    tmp_path, capsys, no_run, place, options, fragment
):
    from wargame.cli import main

    if place.endswith("/"):
        (tmp_path / place).mkdir()
    elif place:
        (tmp_path / place).write_text("mine\n")
    before = sorted(tmp_path.rglob("*"))
    place = str(tmp_path / place) if place else str(tmp_path)
    args = [option.format(place) for option in options]
    assert main(["run", "--days", "300", "--seed", "7", *args]) == 1
    message = capsys.readouterr().err
    assert message.startswith("error: ") and fragment in message, message
    assert sorted(tmp_path.rglob("*")) == before


def test_a_fork_prints_the_forked_run_beside_the_unchanged_one():
    args = ("run", "--days", "60", "--seed", "7")
    result = wargame(*args, "--fork", "20", "--set", "fortification_bonus=3")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "What if, from day 20 (2024-03-27): fortification_bonus 2.5 -> 3.0" in text
    assert "The runs first differ on day " in text
    assert "Numbers that differ at the end" in text
    assert "Factions at the end" in text  # the forked run's own summary
    same = wargame(*args, "--fork", "20", "--set", "broker_pressure=0.5")
    assert same.returncode == 0, same.stderr
    assert "The runs never differ" in same.stdout
    assert "Numbers that differ" not in same.stdout


def test_a_forks_json_has_both_runs_and_what_differs(tmp_path):
    out = tmp_path / "forked.csv"
    args = ("run", "--days", "60", "--seed", "7", "--json")
    result = wargame(*args, "--fork", "20", "--set", "prices.rare_earth=0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    both = json.loads(result.stdout)
    assert both["fork"] == {"day": 20, "date": "2024-03-27", "changes": {"prices.rare_earth": 0.0}}
    plain = wargame(*args, "--out", str(tmp_path / "plain.csv"))
    assert both["unchanged"] == json.loads(plain.stdout)  # the run without the fork
    assert both["forked"]["parameters"]["prices"]["rare_earth"] == 0.0
    assert 20 < both["first_difference_day"] <= 60
    differences = both["differences"]
    assert differences["parameters.prices.rare_earth"] == {"unchanged": 33600.0, "forked": 0.0}
    for key, pair in differences.items():
        head, _, rest = key.partition(".")
        if head in ("factions", "civilians", "control"):
            assert pair["unchanged"] != pair["forked"]
            inner = both["unchanged"][head]
            for part in rest.split("."):
                inner = inner[part]
            assert inner == pair["unchanged"]
    forked, unchanged = pd.read_csv(out), pd.read_csv(tmp_path / "plain.csv")
    pd.testing.assert_frame_equal(forked.iloc[:21], unchanged.iloc[:21])  # --out: the fork's
    assert not forked.equals(unchanged)


@pytest.mark.parametrize("name", ["civilian_group_size=100", "militia_loyalty=0.9"])
def test_a_fork_refuses_a_parameter_read_when_the_run_is_built(name, capsys, no_run):
    from wargame.cli import main

    assert main(["run", "--days", "60", "--seed", "7", "--fork", "20", "--set", name]) == 1
    message = capsys.readouterr().err
    parameter = name.partition("=")[0]
    assert message.startswith(f"error: --set {parameter}: cannot change during a run")
    assert "--fork 20" in message and "without --fork it applies from day 0" in message
    assert len(message.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--fork", "61", "--set", "broker_pressure=1"], "--fork 61: expected a day from 0 to 60"),
        (["--fork", "-1", "--set", "broker_pressure=1"], "--fork -1: expected a day from 0 to 60"),
        (["--fork", "20"], "--fork 20: give the change as --set name=value"),
        (["--fork", "20", "--set", "broker_pressure=2"], "--set broker_pressure: expected"),
        (["--fork", "20", "--set", "prices.gas=1"], "no commodity 'gas'"),
    ],
)
def test_a_bad_fork_is_one_line_before_the_run(capsys, no_run, options, fragment):
    from wargame.cli import main

    assert main(["run", "--days", "60", "--seed", "7", *options]) == 1
    message = capsys.readouterr().err
    assert message.startswith("error: ") and fragment in message, message
    assert len(message.strip().splitlines()) == 1


def test_an_error_raised_while_an_interrupt_unwinds_counts_as_the_interrupt():
    """A library's clean-up (optuna's journal lock) may fail while Ctrl-C or `kill` unwinds
    through it; calibrate then still reports an interrupt, not a bug."""
    from wargame.cli import _raised_by_an_interrupt

    def cleanup_fails_under_an_interrupt():
        try:
            raise KeyboardInterrupt
        finally:
            raise FileNotFoundError("study.journal.lock")

    with pytest.raises(FileNotFoundError) as raised:
        cleanup_fails_under_an_interrupt()
    assert _raised_by_an_interrupt(raised.value)
    assert not _raised_by_an_interrupt(FileNotFoundError("no interrupt here"))


# --- files other tools read: JSON Schemas, shell completion ------------------------------

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("setup", "faction", "history", "experiment")


@pytest.mark.parametrize("kind", KINDS)
def test_schema_prints_the_schema_the_repository_keeps(kind):
    result = wargame("schema", kind)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["$id"] == f"urn:wargame-abm:schema:{kind}"
    assert result.stdout == (ROOT / "schemas" / f"{kind}.schema.json").read_text()


def test_schema_out_writes_the_file_whole(tmp_path):
    out = tmp_path / "my_island" / "setup.schema.json"
    result = wargame("schema", "setup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and f"setup schema written to {out}" in result.stderr
    assert out.read_text() == (ROOT / "schemas" / "setup.schema.json").read_text()
    assert sorted(p.name for p in out.parent.iterdir()) == ["setup.schema.json"]


@pytest.mark.parametrize(
    ("place", "out", "fragment"),
    [
        ("folder/", "{}", "is a folder; expected a file name"),
        ("file.txt", "{}/setup.schema.json", "is a file, not a folder"),
        ("", "/sys/setup.schema.json", "cannot write in /sys"),  # read-only, even for root
    ],
)
def test_schema_to_an_unwritable_place_is_one_clear_error(tmp_path, place, out, fragment):
    if place.endswith("/"):
        (tmp_path / place).mkdir()
    elif place:
        (tmp_path / place).write_text("mine\n")
    before = sorted(tmp_path.rglob("*"))
    result = wargame("schema", "setup", "--out", out.format(tmp_path / place))
    assert_clean_failure(result, fragment)
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before


def test_schema_of_an_unknown_kind_names_the_kinds():
    """argparse refuses it, as any choice it knows (exit 2, the usage and one error line)."""
    result = wargame("schema", "set-up")
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "invalid choice: 'set-up'" in result.stderr
    assert all(kind in result.stderr for kind in KINDS)


def test_only_the_completion_command_imports_shtab():
    script = (
        "import contextlib, io, sys\n"
        "from wargame.cli import main\n"
        "for args in (['--help'], ['completion', 'bash']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(args)\n"
        "    print('shtab' in sys.modules)\n"
    )
    assert fresh_python(script).split() == ["False", "True"]


def bash_completions(script: Path, line: str) -> list[str]:
    """What bash offers for `line` (the cursor at its end) with `script` loaded, as Tab does:
    the completion function `complete -p` names, called with COMP_WORDS and COMP_CWORD."""
    words = line.split(" ")
    program = (
        f"source {script}\n"
        "function=$(complete -p wargame | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n"
        f"COMP_WORDS=({' '.join(repr(word) for word in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}\n"
        "COMP_POINT=${#COMP_LINE}\n"
        '"$function" wargame "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    """The user guide's way: the script written once to a file that ~/.bashrc sources."""
    result = wargame("completion", "bash")
    assert result.returncode == 0, result.stderr
    path = tmp_path_factory.mktemp("completion") / "wargame-completion.bash"
    path.write_text(result.stdout)
    return path


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("wargame ba", ["basemap", "batch"]),
        ("wargame run --sce", ["--scenario"]),
        ("wargame run --s", ["--scenario", "--seed", "--set"]),
        ("wargame schema ", list(KINDS)),
        ("wargame schema h", ["history"]),
        ("wargame completion ", ["bash", "zsh"]),
        ("wargame batch --backend ", ["local", "dask"]),
    ],
)
def test_the_bash_script_completes_commands_options_and_choices(bash_script, line, offered):
    assert sorted(bash_completions(bash_script, line)) == sorted(offered)


def test_the_bash_script_completes_a_files_option_with_file_names(bash_script, tmp_path):
    (tmp_path / "results_a").mkdir()
    (tmp_path / "results_b.csv").write_text("")
    offered = bash_completions(bash_script, f"wargame report {tmp_path}/res")
    assert sorted(offered) == [f"{tmp_path}/results_a", f"{tmp_path}/results_b.csv"]


def test_the_zsh_script_is_a_completion_function_for_every_command(tmp_path):
    result = wargame("completion", "zsh")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#compdef wargame\n")
    for command in ("scenarios", "run", "batch", "report", "schema", "completion"):
        assert f"{command}:" in result.stdout, command
    if shutil.which("zsh") is None:
        pytest.skip("no zsh on this machine to parse the script")
    script = tmp_path / "_wargame"
    script.write_text(result.stdout)
    parsed = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
