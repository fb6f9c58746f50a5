"""A theatre's history file: checked target by target, and the shipped ones keep their promises."""

import datetime as dt
import re
from pathlib import Path

import pytest
from theatres import write_history

from wargame.analysis.history import read_history, validate
from wargame.scenario import ScenarioError, bundled_scenarios, load_theatre

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "id": "red_takes_delta",
    "kind": "capture",
    "faction": "red",
    "place": "delta",
    "date": dt.date(2024, 3, 10),
    "tolerance_days": 3,
    "source": "[1]",
}


def problem_of(folder: Path, targets: list[dict], **header) -> str:
    write_history(folder, targets, **header)
    with pytest.raises(ScenarioError) as caught:
        read_history(load_theatre(folder))
    return str(caught.value)


def test_a_good_history_loads_with_its_run_length(theatre_dir):
    folder = theatre_dir()
    count = {"id": "held", "kind": "count", "measure": "civilians_displaced",
             "date": dt.date(2024, 4, 6), "low": 0, "high": 10, "source": "[2]"}  # fmt: skip
    write_history(folder, [GOOD, count])
    history = read_history(load_theatre(folder))
    assert [t.id for t in history.targets] == ["red_takes_delta", "held"]
    assert history.days == 30  # up to the count's date, 2024-04-06, from the start on 2024-03-07
    assert history.targets[0].first_day(history.start_date) == 0
    assert history.targets[0].last_day(history.start_date) == 6


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        ({"place": "nowhere"}, "targets[0] ('red_takes_delta').place", "no place 'nowhere'"),
        ({"place": "sanctum"}, ".place", "a sanctuary abroad"),
        ({"faction": "purple"}, ".faction", "no faction 'purple' in the theatre"),
        ({"faction": "blue"}, ".faction", "'blue' already holds 'delta' at the start"),
        ({"kind": "siege"}, ".kind", "expected one of holder, capture, count, event"),
        ({"date": "2024-03-10"}, ".date", "valid date"),
        ({"date": dt.date(2023, 1, 1)}, ".date", "expected a date from the theatre's start"),
        ({"until": dt.date(2024, 3, 1)}, "targets[0] ('red_takes_delta')", "is before date"),
        ({"tolerance_days": None}, ".tolerance_days", "required key is missing"),
        ({"source": None}, ".source", "required key is missing"),
        ({"sorce": "[1]"}, ".sorce", "unknown key"),
        ({"id": "Red Takes"}, ".id", "should match pattern"),
    ],
)
def test_a_bad_target_names_the_file_the_target_and_what_was_expected(
    theatre_dir, change, where, expected
):
    target = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    message = problem_of(theatre_dir(), [target])
    assert message.startswith(str(theatre_dir().joinpath("history.toml")))
    assert where in message and expected in message, message


@pytest.mark.parametrize(
    ("target", "where", "expected"),
    [
        (
            {"kind": "count", "measure": "red_courage", "low": 0, "high": 1},
            ".measure",
            "no daily series named 'red_courage'",
        ),
        ({"kind": "count", "measure": "red_strength", "low": 5, "high": 1}, "", "below low (5)"),
        (
            {"kind": "count", "measure": "red_strength", "low": 1, "high": 5, "value": 9},
            "",
            "value (9) is outside its range 1 to 5",
        ),
        ({"kind": "event", "event": "truce", "tolerance_days": 1}, ".event", "no event kind"),
        (
            {
                "kind": "event",
                "event": "ceasefire",
                "factions": ["red", "gold"],
                "tolerance_days": 1,
            },
            ".factions",
            "no faction 'gold'",
        ),
        ({"kind": "holder", "place": "delta", "holder": "red"}, ".tolerance_days", "missing"),
    ],
)
def test_count_event_and_holder_targets_are_checked_against_the_engine_and_theatre(
    theatre_dir, target, where, expected
):
    entry = {"id": "t", "date": dt.date(2024, 3, 10), "source": "[1]", **target}
    message = problem_of(theatre_dir(), [entry])
    assert f"targets[0] ('t'){where}" in message and expected in message, message


def test_an_id_given_twice_and_a_run_too_short_are_refused(theatre_dir):
    assert "id given twice (first at targets[0])" in problem_of(theatre_dir(), [GOOD, GOOD])
    message = problem_of(theatre_dir(), [GOOD], days=3)
    assert "history.days: expected at least 6 days" in message and "red_takes_delta" in message


def test_a_theatre_without_a_history_says_where_one_goes(theatre_dir):
    folder = theatre_dir()
    with pytest.raises(ScenarioError) as caught:
        read_history(load_theatre(folder))
    assert str(caught.value).startswith(f"{folder / 'history.toml'}: the theatre has no history")


def test_validate_checks_a_folder_and_its_history_and_a_history_file_alone(theatre_dir):
    folder = theatre_dir()
    path = write_history(folder, [GOOD])
    assert "history.toml: 1 targets (1 capture) over 6 days" in validate(folder)
    assert validate(path) == "valid history: 1 targets (1 capture) over 6 days"
    write_history(folder, [{**GOOD, "place": "nowhere"}])
    for checked in (folder, path):
        with pytest.raises(ScenarioError, match="no place 'nowhere'"):
            validate(checked)


# --- the shipped histories -------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_shipped_theatre_has_a_valid_history(name):
    history = read_history(load_theatre(name))
    assert history.targets


def test_kachin_history_cites_only_numbered_sources_that_exist():
    listed = set(re.findall(r"^\s*- \[(\d+[a-z]?)\]", (ROOT / "docs/sources.md").read_text(), re.M))
    for target in read_history(load_theatre("kachin")).targets:
        cited = re.findall(r"\[(\d+[a-z]?)\]", target.source)
        assert cited and re.fullmatch(r"(\[\d+[a-z]?\])+", target.source), target.id
        assert set(cited) <= listed, (target.id, set(cited) - listed)


def test_kachin_history_spans_the_year_and_war_diplomacy_and_people():
    history = read_history(load_theatre("kachin"))
    assert len(history.targets) >= 20
    assert history.days >= 364  # a year from 7 March 2024
    quarters = {history.day_of(t.date) * 4 // 365 for t in history.targets}
    assert quarters == {0, 1, 2, 3}, quarters
    kinds = {t.kind for t in history.targets}
    assert {"capture", "holder", "count", "event"} <= kinds
    measures = {getattr(t, "measure", "") for t in history.targets}
    assert any(m.startswith("civilians_") for m in measures)  # people
    assert any(m.endswith("_interned") for m in measures)  # people abroad
    assert "crossings_closed" in measures  # diplomacy: the neighbour's gates
