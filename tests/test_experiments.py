"""Experiment files: grids expand exactly, every shipped file loads, bad files say where."""

from pathlib import Path

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
