"""One way to build a model: an exercise's theatre, parameters and seed reach the running model
whichever front end builds it (the API, the CLI, the viewer, the classroom)."""

from __future__ import annotations

import json

import pytest

from wargame import build_model
from wargame.scenario.exercises import read_exercise

EXERCISE = "ceasefire_that_failed"


@pytest.fixture(scope="module")
def exercise():
    exercise = read_exercise(EXERCISE)
    assert exercise.spec.parameters, "the exercise must set parameters for this test to mean much"
    theatre = build_model(exercise.spec.exercise.theatre, seed=1)
    differs = [
        name
        for name, value in exercise.spec.parameters.items()
        if getattr(theatre.parameters, name) != value
    ]
    assert differs, "the exercise's parameters must differ from its theatre's own"
    return exercise


def assert_runs_the_exercise(model, exercise) -> None:
    assert model.theatre.name == exercise.spec.exercise.theatre
    for name, value in exercise.spec.parameters.items():
        assert getattr(model.parameters, name) == value, name


def test_the_api_builds_an_exercise_with_its_seed_unless_told_another(exercise):
    model = build_model(exercise=EXERCISE)
    assert_runs_the_exercise(model, exercise)
    assert model.seed == exercise.spec.exercise.seed
    assert build_model(exercise=EXERCISE, seed=3).seed == 3
    name, value = next(iter(exercise.spec.parameters.items()))
    other = 0.25 if value != 0.25 else 0.3
    assert getattr(build_model(exercise=EXERCISE, overrides={name: other}).parameters, name) == (
        other
    )


def test_the_api_refuses_an_exercise_of_another_theatre():
    with pytest.raises(ValueError, match="plays"):
        build_model("tamsen_island", exercise=EXERCISE)


def test_the_cli_runs_an_exercise_with_its_parameters(exercise, capsys):
    from wargame.cli import main

    assert main(["run", "--exercise", EXERCISE, "--days", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for name, value in exercise.spec.parameters.items():
        assert summary["parameters"][name] == value, name
    assert summary["seed"] == exercise.spec.exercise.seed


def test_the_viewer_runs_an_exercise_with_its_parameters(exercise):
    from wargame.apps.viewer.app import Run
    from wargame.apps.viewer.page import open_model

    model = open_model(f"exercise:{EXERCISE}", 4)
    assert not isinstance(model, str), model
    assert_runs_the_exercise(model, exercise)
    assert_runs_the_exercise(Run.of(model).fresh(), exercise)  # how the viewer looks back


def test_the_classroom_runs_an_exercise_with_its_parameters(exercise):
    from wargame.apps.classroom.exercises import load_exercise
    from wargame.apps.classroom.game import Game

    _, setup, _ = load_exercise(EXERCISE)
    game = Game(setup)
    assert_runs_the_exercise(game.model, exercise)
    assert game.model.seed == exercise.spec.exercise.seed


def test_the_batch_runs_an_exercise_with_its_parameters_under_the_grid(exercise, tmp_path):
    from wargame.analysis.batch import run_batch
    from wargame.analysis.experiments import load_experiment
    from wargame.analysis.results import read_runs

    name, value = next(iter(exercise.spec.parameters.items()))
    path = tmp_path / "exercise_sweep.toml"
    path.write_text(
        f'[experiment]\ntitle = "an exercise over seeds"\nexercise = "{EXERCISE}"\n'
        "days = 2\nseeds = 2\n[grid]\ncapture_days = [2, 3]\n",
        encoding="utf-8",
    )
    experiment = load_experiment(path)
    run_batch(experiment, tmp_path / "out", jobs=1)
    runs = read_runs(tmp_path / "out")
    assert len(runs) == 4 and set(runs["status"]) == {"ok"}
    assert set(runs[f"parameters.{name}"]) == {value}
    assert set(runs["parameters.capture_days"]) == {2, 3}
    assert set(runs["scenario"]) == {exercise.spec.exercise.theatre}


def test_an_experiment_names_a_theatre_or_an_exercise_not_both(tmp_path):
    from wargame.analysis.experiments import load_experiment
    from wargame.scenario import ScenarioError

    path = tmp_path / "both.toml"
    path.write_text(
        f'[experiment]\ntitle = "x"\ntheatre = "kachin"\nexercise = "{EXERCISE}"\n'
        "days = 2\nseeds = 2\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="a theatre or an exercise"):
        load_experiment(path)
