"""Every public function that takes a path takes it as text too (`wargame.files.StrPath`).

A notebook writes `read_runs("results/china_pressure")`, not `read_runs(Path(...))`. The
first test reads every signature in the package, so a new function typed `Path` alone
fails it; the others call the functions a user reaches for with plain strings.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest
from test_experiments import write_experiment
from theatres import write_theatre

from wargame import ConflictModel, build_model
from wargame.analysis import history as scored
from wargame.analysis.batch import run_batch
from wargame.analysis.experiments import load_experiment
from wargame.analysis.report import build_report, results_paired, results_patterns
from wargame.analysis.results import (
    held,
    part_files,
    read_metadata,
    read_runs,
    read_series,
    resume_command,
    stray_files,
    write_metadata,
)
from wargame.analysis.timeline import write_pictures
from wargame.analysis.workers import hand_over
from wargame.apps.classroom.games_file import ServerLock, open_games_file
from wargame.apps.classroom.rooms import Classroom
from wargame.apps.viewer import THEATRES_ENV
from wargame.cli import serve_command, write_atomically
from wargame.drawing.plots import write_charts, write_map
from wargame.files import unwritable, written_whole
from wargame.scenario import loader
from wargame.scenario.importer import import_map
from wargame.scenario.scaffold import new_theatre
from wargame.scenario.writer import write_theatre as write_theatre_files

PACKAGE = Path(__file__).resolve().parent.parent / "wargame"
ROOT = PACKAGE.parent
TEXT = {"str", "StrPath"}
CONTAINERS = {"list", "tuple", "Sequence", "Iterable"}


def path_without_text(annotation: ast.expr) -> bool:
    """Whether an annotation admits a `Path` but no text: `Path`, `Path | None`,
    `list[Path]`; not `str | Path`, `StrPath`, nor `Counter[Path]` (a count, not a path)."""
    members: list[ast.expr] = []

    def split(node: ast.expr) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            split(node.left), split(node.right)
        else:
            members.append(node)

    split(annotation)
    names = {member.id for member in members if isinstance(member, ast.Name)}
    if "Path" in names and not names & TEXT:
        return True
    return any(
        isinstance(member, ast.Subscript)
        and isinstance(member.value, ast.Name)
        and member.value.id in CONTAINERS
        and path_without_text(member.slice)
        for member in members
    )


def public_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """Module-level functions and public classes' methods (`__init__` too), by name."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef) and (
                    not inner.name.startswith("_") or inner.name == "__init__"
                ):
                    found.append((f"{node.name}.{inner.name}", inner))
    return found


def test_no_public_function_takes_a_path_it_would_refuse_as_text():
    offenders = []
    for module in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for name, function in public_functions(tree):
            arguments = function.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if argument.annotation is not None and path_without_text(argument.annotation):
                    offenders.append(f"{module.relative_to(ROOT)}: {name}({argument.arg})")
    assert not offenders, (
        "type these `StrPath` (wargame.files) and make them a Path on entry: " + str(offenders)
    )


def test_the_check_catches_a_path_alone_and_lets_text_by():
    def caught(source: str) -> bool:
        return path_without_text(ast.parse(source, mode="eval").body)

    assert caught("Path") and caught("Path | None") and caught("list[Path]")
    assert not caught("StrPath") and not caught("str | Path") and not caught("StrPath | None")
    assert not caught("list[StrPath]") and not caught("Counter[Path]")


# --- called with plain strings ----------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A small theatre, an experiment on it, and its results (kept series), all on disk."""
    root = tmp_path_factory.mktemp("text_paths")
    write_theatre(root / "theatre")
    experiment = write_experiment(
        root,
        '[grid]\ncapture_days = [1, 3]\n[outcomes.red_took_bravo]\nkind = "taken"\n'
        'faction = "red"\nplace = "bravo"\n',
        seeds="2\nkeep_series = true",
    )
    run_batch(load_experiment(str(experiment)), str(root / "results"), jobs=1)
    return root


def test_a_batchs_results_read_and_report_from_text_paths(folder, tmp_path):
    results = str(folder / "results")
    runs = read_runs(results)
    assert len(runs) == 4 and set(runs["status"]) == {"ok"}
    assert set(read_series(results)["run_id"]) == set(runs["run_id"])
    assert read_metadata(results)["runs_saved"] == 4
    assert list(part_files(f"{results}/runs")) and stray_files(results) == []
    assert results in resume_command(results)
    assert results_paired(results) is not None and results_patterns(results) is None
    report = build_report(results, str(tmp_path / "report"))
    assert (report / "index.html").is_file()


def test_the_results_folders_writers_take_text_paths(tmp_path):
    out = str(tmp_path / "results")
    with held(out):
        write_metadata({"experiment": "x"}, out)
    assert read_metadata(out) == {"experiment": "x"}


def test_theatre_files_read_from_text_paths():
    theatre = str(ROOT / "maps" / "tamsen_island")
    assert loader.read_toml(f"{theatre}/setup.toml")["scenario"]["title"]
    assert loader.load_setup(f"{theatre}/setup.toml").scenario.factions
    assert loader.load_faction(f"{theatre}/agents/army.toml").short_name
    assert loader.load_map(f"{theatre}/map.geojson").places
    assert "valid" in loader.validate_path(theatre)
    assert "history.toml" in scored.validate(theatre)
    assert loader.load_theatre(theatre).name == "tamsen_island"


def test_the_exported_model_builds_from_a_text_folder():
    """`wargame.ConflictModel` and `wargame.build_model`, the package's front door."""
    theatre = str(ROOT / "maps" / "tamsen_island")
    assert build_model(theatre, seed=1).theatre.name == "tamsen_island"
    assert ConflictModel(theatre, rng=1).theatre.name == "tamsen_island"


def test_a_history_scores_and_draws_from_text_paths(tmp_path):
    theatre = loader.load_theatre(str(ROOT / "maps" / "tamsen_island"))
    history = scored.read_history(theatre, str(ROOT / "maps/tamsen_island/history.toml"))
    card = scored.score_history(theatre, history, [0], jobs=1)
    written = write_pictures(card, str(tmp_path / "pictures"))
    assert written and all(path.is_file() for path in written)


def test_theatres_are_written_to_text_paths(tmp_path):
    setup = new_theatre(str(tmp_path / "my_island"))
    assert setup.is_file()
    copy = write_theatre_files(loader.load_theatre(setup.parent), str(tmp_path / "copy"))
    assert loader.load_theatre(copy.parent).title == loader.load_theatre(setup.parent).title
    rakhine = ROOT / "maps" / "rakhine"
    sources = [str(rakhine / "places.csv"), str(rakhine / "roads.csv")]
    import_map(sources, str(tmp_path / "map.geojson"))
    assert json.loads((tmp_path / "map.geojson").read_text())["features"]


def test_a_runs_pictures_and_series_are_written_to_text_paths(tmp_path):
    model = build_model("tamsen_island", seed=1)
    model.run(3)
    write_map(model, str(tmp_path / "map.png"))
    assert (tmp_path / "map.png").stat().st_size > 0
    assert write_charts(model, str(tmp_path / "charts"))
    write_atomically(pd.DataFrame({"day": [0]}), str(tmp_path / "series.csv"))
    assert (tmp_path / "series.csv").read_text() == "day\n0\n"


def test_the_servers_and_workers_files_take_text_paths(tmp_path):
    _, env = serve_command("localhost", 8765, None, theatres=str(tmp_path))
    assert env[THEATRES_ENV] == str(tmp_path.resolve())
    games = str(tmp_path / "games.sqlite")
    classroom = Classroom(games)
    assert classroom.rooms() == []
    classroom.close()
    open_games_file(games, read_only=True).close()
    lock = ServerLock(str(tmp_path / "other.sqlite"))
    lock.release()
    assert Path(hand_over(str(tmp_path), len, [1, 2])).is_file()
    with written_whole(str(tmp_path / "whole.txt")) as temporary:
        temporary.write_text("whole")
    assert unwritable(str(tmp_path / "whole.txt")) == ""
