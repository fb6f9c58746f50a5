"""Experiment files: grids expand exactly, every shipped file loads, bad files say where."""

from pathlib import Path

import numpy as np
import pytest

from wargame.analysis.experiments import load_experiment, shipped_experiments
from wargame.cli import main
from wargame.scenario import ScenarioError

HEADER = """\
[experiment]
title = "test"
theatre = "{theatre}"
days = 12
seeds = {seeds}
"""


def write_experiment(folder: Path, body: str = "", theatre: str = "theatre", seeds="3") -> Path:
    path = folder / "experiment.toml"
    path.write_text(HEADER.format(theatre=theatre, seeds=seeds) + body, encoding="utf-8")
    return path


def test_a_grid_of_a_range_and_a_list_expands_to_every_combination_times_every_seed(
    theatre_dir,
):
    folder = theatre_dir()
    path = write_experiment(
        folder.parent,
        "[grid]\ncapture_days = [2, 4]\nbroker_pressure = { from = 0.0, to = 1.0, step = 0.25 }\n"
        "[fixed]\ntravel_friction = 0.0\n",
    )
    experiment = load_experiment(path)
    assert experiment.grid["broker_pressure"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert len(experiment.points()) == 10
    runs = experiment.runs()
    assert len(runs) == 30 and len({r.run_id for r in runs}) == 30
    assert experiment.seeds == [0, 1, 2]
    assert experiment.parameters_for(runs[-1]) == {
        "travel_friction": 0.0,
        "capture_days": 4,
        "broker_pressure": 1.0,
    }


def test_seeds_may_be_a_list_and_an_outcome_date_becomes_a_day(theatre_dir):
    folder = theatre_dir()  # starts 2024-03-07
    path = write_experiment(
        folder.parent,
        '[outcomes.red_holds]\nkind = "holds"\nfaction = "red"\nplace = "alpha"\n'
        "date = 2024-03-17\n",
        seeds="[5, 9]",
    )
    experiment = load_experiment(path)
    assert experiment.seeds == [5, 9]
    assert experiment.outcome_days == {"red_holds": 10}


def test_a_grid_is_the_default_design_and_records_no_sampled_points(theatre_dir):
    path = write_experiment(theatre_dir().parent, "[grid]\ncapture_days = [2, 4]\n")
    experiment = load_experiment(path)
    assert experiment.spec.experiment.design == "grid" and experiment.design is None
    assert experiment.describe_points() == "2 grid points"


MORRIS = """\
design = "morris"
trajectories = 5

[ranges]
capture_days = { from = 1, to = 10 }
broker_pressure = { from = 0.2, to = 0.8 }
travel_friction = { from = 0.0, to = 0.5 }
"""


def test_a_morris_design_runs_each_trajectory_point_with_every_seed_inside_the_ranges(
    theatre_dir,
):
    experiment = load_experiment(write_experiment(theatre_dir().parent, MORRIS))
    points = experiment.points()
    assert len(points) == 5 * (3 + 1)  # trajectories x (parameters + 1)
    assert len(experiment.runs()) == len(points) * 3
    assert experiment.describe_points() == (
        "morris design: 5 trajectories x 4 points (4 levels) = 20 points"
    )
    assert {p["capture_days"] for p in points} <= {1, 4, 7, 10}  # 4 levels, whole days
    assert all(isinstance(p["capture_days"], int) for p in points)
    assert {round(p["broker_pressure"], 9) for p in points} <= {0.2, 0.4, 0.6, 0.8}
    # each step of a trajectory moves one parameter only
    for start in range(0, len(points), 4):
        trajectory = experiment.design.matrix()[start : start + 4]
        assert (np.count_nonzero(np.diff(trajectory, axis=0), axis=1) == 1).all()
    assert [r["capture_days"] for r in experiment.resolved] == [p["capture_days"] for p in points]


def test_a_range_may_be_of_a_commodity_s_price(theatre_dir):
    body = MORRIS.replace("travel_friction", "prices.rare_earth").replace(
        "{ from = 0.0, to = 0.5 }", "{ from = 16800.0, to = 67200.0 }"
    )
    experiment = load_experiment(write_experiment(theatre_dir().parent, body))
    prices = {point["prices.rare_earth"] for point in experiment.points()}
    assert prices <= {16800.0, 33600.0, 50400.0, 67200.0} and len(prices) > 1
    resolved = [r["prices"]["rare_earth"] for r in experiment.resolved]
    assert resolved == [point["prices.rare_earth"] for point in experiment.points()]


@pytest.mark.parametrize(
    ("design", "size", "points"),
    [("sobol", "samples = 8", 8 * (3 + 2)), ("lhs", "samples = 100", 100)],
)
def test_sobol_and_latin_hypercube_designs_draw_the_same_points_from_the_same_file(
    theatre_dir, design, size, points
):
    body = MORRIS.replace('"morris"', f'"{design}"').replace("trajectories = 5", size)
    path = write_experiment(theatre_dir().parent, body)
    drawn = load_experiment(path).points()
    assert len(drawn) == points and drawn == load_experiment(path).points()
    assert all(0.2 <= p["broker_pressure"] <= 0.8 and 1 <= p["capture_days"] <= 10 for p in drawn)


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        ('design = "morris"\n[ranges]\ncapture_days = { from = 1, to = 5 }\n',
         "experiment.trajectories", "design = 'morris' needs trajectories"),
        ('design = "sobol"\nsamples = 100\n[ranges]\ncapture_days = { from = 1, to = 5 }\n',
         "experiment.samples", "expected a power of 2"),
        ('design = "lhs"\nsamples = 10\n[ranges]\ncapture_days = { from = 1, to = 5 }\n',
         "experiment.samples", "expected 100 or more"),
        ('design = "morris"\ntrajectories = 4\nlevels = 5\n'
         '[ranges]\ncapture_days = { from = 1, to = 5 }\n',
         "experiment.levels", "expected an even number"),
        ('design = "lhs"\nsamples = 128\ntrajectories = 4\n'
         '[ranges]\ncapture_days = { from = 1, to = 5 }\n',
         "experiment.trajectories", "only for design = 'morris'; this one is 'lhs'"),
        ("trajectories = 4\n[grid]\ncapture_days = [1, 2]\n",
         "experiment.trajectories", "this one is 'grid'"),
        ('design = "fractional"\n', "experiment.design", "'grid', 'lhs', 'morris' or 'sobol'"),
        ("[ranges]\ncapture_days = { from = 1, to = 5 }\n", "ranges", "a grid sweeps [grid]"),
        ('design = "morris"\ntrajectories = 4\n[grid]\ncapture_days = [1, 2]\n',
         "grid", "samples [ranges]"),
        ('design = "morris"\ntrajectories = 4\n', "ranges", "needs [ranges]"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncapture_days = [1, 5]\n',
         "ranges", "capture_days: expected {from = ..., to = ...}"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncapture_days = { from = 1 }\n',
         "ranges.capture_days.to", "required key is missing"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncapture_days = { from = 5, to = 5 }\n',
         "ranges.capture_days", "'to' (5) must be above 'from' (5)"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncapture_dayz = { from = 1, to = 5 }\n',
         "ranges.capture_dayz", "unknown parameter 'capture_dayz'"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\nchina_pressure = { from = 0, to = 1 }\n',
         "ranges.china_pressure", "renamed 'broker_pressure'"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\nprices.tin = { from = 1, to = 5 }\n',
         "ranges.prices.tin", "no commodity 'tin' to price"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\nprices.rare_earth = {from = -1, to = 5}\n',
         "ranges.prices.rare_earth", "expected a number from 0 to 10,000,000, got -1"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncapture_days = { from = 0, to = 5 }\n',
         "ranges.capture_days", "expected a whole number from 1 to 365, got 0"),
        ('design = "morris"\ntrajectories = 4\n[ranges]\ncombat_mode = { from = 0, to = 1 }\n',
         "ranges.combat_mode", "expected a numeric parameter"),
    ],
)  # fmt: skip
def test_a_bad_design_names_the_file_the_key_and_what_was_expected(
    theatre_dir, body, where, problem
):
    path = write_experiment(theatre_dir().parent)
    head, rest = path.read_text().split("seeds = 3\n")
    path.write_text(f"{head}seeds = 3\n{body}{rest}", encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_experiment(path)
    assert str(raised.value) == f"{path}: {where}: {raised.value.problem}"
    assert raised.value.where == where and problem in raised.value.problem


def test_the_batch_command_refuses_a_bad_design_with_one_line(theatre_dir, tmp_path, capsys):
    path = write_experiment(theatre_dir().parent, "[ranges]\ncapture_days = { from = 1, to = 5 }\n")
    assert main(["batch", str(path), "--out", str(tmp_path / "results")]) == 1
    error = capsys.readouterr().err
    assert (
        error == f"error: {path}: ranges: a grid sweeps [grid]; [ranges] is for design = "
        "'lhs', 'morris', 'sobol'\n"
    )
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("name", shipped_experiments())
def test_every_shipped_experiment_loads(name):
    experiment = load_experiment(name)
    assert experiment.runs()
    assert experiment.spec.outcomes


def test_the_four_experiments_the_issue_names_ship():
    assert {"historical", "china_pressure", "ndak_loyalty", "rare_earth_price"} <= set(
        shipped_experiments()
    )


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        ("[grid]\ncapture_dayz = [1, 2]\n", "grid.capture_dayz", "unknown parameter"),
        ("[grid]\ncapture_days = [1, 0]\n", "grid.capture_days", "from 1 to 365, got 0"),
        ("[grid]\nbroker_pressure = { from = 1.0, to = 0.0, step = 0.5 }\n", "grid", "below"),
        ("[fixed]\ntravel_friction = -1.0\n", "fixed.travel_friction", "from 0 to 2, got -1.0"),
        ("[outcomes.x]\nkind = \"holds\"\nfaction = \"red\"\nplace = \"nowhere\"\n",
         "outcomes.x.place", "no place 'nowhere'"),
        ("[outcomes.x]\nkind = \"holds\"\nfaction = \"purple\"\nplace = \"alpha\"\n",
         "outcomes.x.faction", "no faction 'purple'"),
        ("[outcomes.x]\nkind = \"series\"\ncolumn = \"red_strenght\"\n",
         "outcomes.x.column", "no daily series"),
        ("[outcomes.x]\nkind = \"holds\"\nfaction = \"red\"\nplace = \"alpha\"\nday = 40\n",
         "outcomes.x", "within the run"),
        ("[outcomes.x]\nkind = \"guess\"\n", "outcomes.x", "kind"),
        ("[extra]\nthing = 1\n", "extra", "unknown key"),
    ],
)  # fmt: skip
def test_a_bad_experiment_names_the_file_the_key_and_the_problem(theatre_dir, body, where, problem):
    folder = theatre_dir()
    path = write_experiment(folder.parent, body)
    with pytest.raises(ScenarioError) as raised:
        load_experiment(path)
    message = str(raised.value)
    assert str(path) in message and where in message and problem in message


def test_the_batch_command_refuses_a_bad_experiment_with_one_line_and_writes_nothing(
    theatre_dir, tmp_path, capsys
):
    folder = theatre_dir()
    path = write_experiment(folder.parent, "[grid]\ncapture_dayz = [1, 2]\n")
    out = tmp_path / "results"
    assert main(["batch", str(path), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "grid.capture_dayz" in error
    assert "Traceback" not in error
    assert not out.exists()


def test_an_experiment_on_a_missing_theatre_says_so(tmp_path):
    path = write_experiment(tmp_path, theatre="no_such_theatre")
    with pytest.raises(ScenarioError, match=r"experiment\.theatre: cannot load the theatre"):
        load_experiment(path)


@pytest.mark.parametrize(
    ("seeds", "fragment"),
    [
        ("[1, -3]", "seeds: -3 is not a seed; each is a whole number from 0 to 4294967295"),
        ("[4294967296]", "seeds: 4294967296 is not a seed"),
        ("4294967297", "seeds: expected a count from 1 to 4294967296"),
    ],
)
def test_seeds_outside_the_one_range_are_refused_by_name(theatre_dir, seeds, fragment):
    path = write_experiment(theatre_dir().parent, seeds=seeds)
    with pytest.raises(ScenarioError, match=fragment):
        load_experiment(path)
