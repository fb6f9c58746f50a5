"""Classroom exercises: every sheet has its parts, and the CLI and the viewer load each set-up."""

import json

import pytest
from viewer_page import choose, page_text, render_page, show_panel, sliders

from wargame.apps.classroom.exercises import load_exercise
from wargame.cli import main
from wargame.scenario import ScenarioError
from wargame.scenario.exercises import shipped_exercises

SECTIONS = ("## Learning goals", "## Set-up", "## Steps", "## Questions for students")


def test_at_least_three_exercises_ship():
    assert len(shipped_exercises()) >= 3


@pytest.mark.parametrize("name", shipped_exercises())
def test_each_exercise_sheet_has_its_parts_and_names_its_commands(name):
    _, setup, sheet = load_exercise(name)
    text = sheet.read_text(encoding="utf-8")
    for section in (*SECTIONS, "## Teacher notes"):
        assert section in text, f"{sheet.name} lacks {section}"
    assert f"wargame run --exercise {name}" in text
    assert f"exercise:{name}" in text
    assert setup.exercise == name


@pytest.mark.parametrize("name", shipped_exercises())
def test_the_cli_plays_an_exercise_with_its_set_up(name, capsys):
    _, setup, _ = load_exercise(name)
    assert main(["run", "--exercise", name, "--days", "3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["seed"] == setup.seed and summary["days"] == 3
    for parameter, value in setup.parameters.items():
        assert summary["parameters"][parameter] == value


def test_run_refuses_a_scenario_beside_an_exercise_rather_than_ignore_it(capsys):
    """Before, `--scenario tamsen_island --exercise X` played X's theatre and said nothing."""
    name = shipped_exercises()[0]
    assert main(["run", "--scenario", "tamsen_island", "--exercise", name, "--days", "1"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: --scenario tamsen_island with --exercise ")
    assert "expected one of the two" in error


def test_the_viewer_opens_an_exercise_with_its_parameters():
    rc = render_page()
    choose(rc, "Theatre", "exercise:ceasefire_that_failed")
    show_panel(rc, "Levers")
    assert any(
        label.startswith("China's pressure") and label.endswith("running 0.8")
        for label in sliders(rc)
    )
    assert "Kachin State" in page_text(rc)


def test_an_exercise_for_a_faction_the_theatre_lacks_is_refused(tmp_path):
    (tmp_path / "sheet.md").write_text("# x\n", encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(
        '[exercise]\ntitle = "x"\nsheet = "sheet.md"\ntheatre = "kachin"\nhumans = ["klingons"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"exercise\.humans: no faction 'klingons'"):
        load_exercise(path)
