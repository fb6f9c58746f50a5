"""A theatre's patterns: data in its history file, checked like every other file, judged on
the rows of a batch whose experiment records what they read."""

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from test_batch import UNITS
from test_cli import assert_clean_failure, wargame
from test_experiments import write_experiment
from theatres import write_history

from wargame.analysis.batch import run_batch
from wargame.analysis.experiments import load_experiment
from wargame.analysis.history import read_history, validate
from wargame.analysis.patterns import judge, judge_points
from wargame.analysis.results import read_runs
from wargame.engine.model import build_model
from wargame.scenario import ScenarioError, load_theatre
from wargame.scenario.history import MedianPattern, SharePattern

TARGET = {
    "id": "red_takes_delta",
    "kind": "capture",
    "faction": "red",
    "place": "delta",
    "date": dt.date(2024, 3, 10),
    "tolerance_days": 3,
    "source": "[1]",
}
HOLDS = {
    "id": "red_keeps_alpha",
    "kind": "share",
    "where": [{"column": "outcome.red_holds_alpha"}],
    "at_least": 0.5,
    "note": "red keeps its base",
}
NO_CEASEFIRE = {
    "id": "no_ceasefire",
    "kind": "share",
    "where": [{"column": "ceasefires", "at_most": 0}],
    "at_least": 1.0,
}
RED_HOLDS_ALPHA = '[outcomes.red_holds_alpha]\nkind = "holds"\nfaction = "red"\nplace = "alpha"\n'


def history_problem(folder: Path, patterns: list[dict]) -> str:
    write_history(folder, [TARGET], patterns=patterns)
    with pytest.raises(ScenarioError) as caught:
        read_history(load_theatre(folder))
    return str(caught.value)


def test_patterns_are_read_with_the_history_and_validate_names_them(theatre_dir):
    folder = theatre_dir()
    median = {"id": "late", "kind": "median", "column": "outcome.took.day", "at_least": 3}
    write_history(folder, [TARGET], patterns=[HOLDS, NO_CEASEFIRE, median])
    history = read_history(load_theatre(folder))
    assert [type(p) for p in history.patterns] == [SharePattern, SharePattern, MedianPattern]
    assert history.patterns[0].words() == ">= 0.5"
    assert "1 targets (1 capture) over 6 days and 3 patterns" in validate(folder)


@pytest.mark.parametrize(
    ("change", "where", "expected"),
    [
        ({"kind": "mean"}, ".kind", "expected one of share, median, got 'mean'"),
        ({"at_least": None}, "patterns[0] ('red_keeps_alpha')", "expected a bound"),
        ({"above": 0.2}, "patterns[0] ('red_keeps_alpha')", "give at_least or above, not both"),
        ({"at_most": 0.2}, "patterns[0] ('red_keeps_alpha')", "no number is 0.5 to 0.2"),
        ({"at_least": 60}, "patterns[0] ('red_keeps_alpha')", "a share lies from 0 to 1"),
        ({"at_least": "0.5"}, ".at_least", "valid number"),
        ({"where": []}, ".where", "at least 1 item"),
        ({"match": "some"}, ".match", "'all' or 'any'"),
        ({"treshold": 0.5}, ".treshold", "unknown key"),
        ({"id": "Red Keeps"}, ".id", "should match pattern"),
        (
            {"where": [{"column": "factions.red.courage", "above": 0}]},
            ".where[0].column",
            "no column 'factions.red.courage' in a batch's runs table",
        ),
        (
            {"where": [{"column": "control.alpha", "at_least": 1}]},
            ".where[0].column",
            "'control.alpha' is text, not a number",
        ),
        (
            {"where": [{"column": "ceasefires"}]},
            ".where[0].column",
            "'ceasefires' is a number, not true or false: give bounds",
        ),
        (
            {"where": [{"column": "ceasefires", "below": 1, "at_most": 2}]},
            ".where[0]",
            "give at_most or below, not both",
        ),
        (
            {"kind": "median", "where": None, "column": "scenario"},
            ".column",
            "'scenario' is text; a median needs a number",
        ),
    ],
)
def test_a_bad_pattern_is_one_line_naming_the_file_the_pattern_and_what_was_expected(
    theatre_dir, change, where, expected
):
    folder = theatre_dir()
    pattern = {k: v for k, v in {**HOLDS, **change}.items() if v is not None}
    message = history_problem(folder, [pattern])
    assert message.startswith(f"{folder / 'history.toml'}: patterns[0]"), message
    assert "\n" not in message
    assert where in message and expected in message, message


def test_a_pattern_id_given_twice_is_refused(theatre_dir):
    message = history_problem(theatre_dir(), [HOLDS, NO_CEASEFIRE, HOLDS])
    assert "patterns[2] ('red_keeps_alpha'): id given twice (first at patterns[0])" in message


# --- an experiment that checks them --------------------------------------------------------


def test_an_experiment_checking_patterns_must_record_every_column_they_read(theatre_dir):
    folder = theatre_dir()
    write_history(folder, [TARGET], patterns=[NO_CEASEFIRE, HOLDS])
    path = write_experiment(folder.parent, "patterns = true\n")
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    assert str(caught.value) == (
        f"{path}: experiment.patterns: {folder / 'history.toml'}: patterns[1] "
        "('red_keeps_alpha').where[0].column: no column 'outcome.red_holds_alpha' in this "
        "experiment's runs (its outcome columns: none)"
    )
    counted = '[outcomes.red_holds_alpha]\nkind = "events"\nevent = "capture"\n'
    with pytest.raises(ScenarioError, match=r"'outcome\.red_holds_alpha' is a number, not true"):
        load_experiment(write_experiment(folder.parent, "patterns = true\n" + counted))
    experiment = load_experiment(
        write_experiment(folder.parent, "patterns = true\n" + RED_HOLDS_ALPHA)
    )
    assert [p.id for p in experiment.history.patterns] == ["no_ceasefire", "red_keeps_alpha"]


def test_patterns_asked_of_a_theatre_without_them_are_refused(theatre_dir):
    folder = theatre_dir()
    path = write_experiment(folder.parent, "patterns = true\n")
    with pytest.raises(ScenarioError, match=r"experiment\.patterns: cannot read the theatre's"):
        load_experiment(path)
    write_history(folder, [TARGET])
    with pytest.raises(
        ScenarioError, match=r"experiment.patterns: the theatre's history .* has no"
    ):
        load_experiment(path)


def test_the_batch_command_refuses_an_experiment_that_cannot_feed_its_patterns(theatre_dir):
    folder = theatre_dir()
    write_history(folder, [TARGET], patterns=[HOLDS])
    path = write_experiment(folder.parent, "patterns = true\n")
    out = folder.parent / "results"
    result = wargame("batch", str(path), "--out", str(out))
    assert_clean_failure(result, "experiment.patterns", "no column 'outcome.red_holds_alpha'")
    assert not out.exists()


# --- judging them on runs --------------------------------------------------------------------

RUNS = pd.DataFrame(
    {
        "status": ["ok"] * 5,
        "point": [0] * 5,
        "outcome.flag": pd.Series([True, True, True, False, None], dtype=object),
        "outcome.count": [0.0, 1.0, 2.0, 3.0, math.nan],
        "outcome.took.day": [10.0, 20.0, 30.0, math.nan, 40.0],
    }
)


def share(where: list[dict], match: str = "all", **bounds) -> SharePattern:
    return SharePattern(kind="share", id="s", where=where, match=match, **bounds)


def median(column: str, **bounds) -> MedianPattern:
    return MedianPattern(kind="median", id="m", column=column, **bounds)


def test_a_share_counts_the_runs_in_which_its_conditions_hold_and_keeps_its_bounds_exactly():
    flag = [{"column": "outcome.flag"}]
    assert judge(share(flag, at_least=0.6), RUNS).value == 0.6  # an empty value is not true
    assert judge(share(flag, at_least=0.6), RUNS).holds is True
    assert judge(share(flag, above=0.6), RUNS).holds is False
    assert judge(share(flag, at_most=0.6), RUNS).holds is True
    assert judge(share(flag, below=0.6), RUNS).holds is False
    some = [{"column": "outcome.count", "above": 0}]  # an empty count is within no bounds
    assert judge(share(some, at_least=0.1), RUNS).value == 0.6
    both = [{"column": "outcome.flag"}, {"column": "outcome.count", "at_least": 1}]
    assert judge(share(both, at_least=0.1), RUNS).value == 0.4
    assert judge(share(both, "any", at_least=0.1), RUNS).value == 0.8


def test_a_median_takes_an_empty_day_as_never_and_the_middle_two_of_an_even_count():
    late = median("outcome.took.day", at_least=25, at_most=35)
    verdict = judge(late, RUNS)  # 10, 20, 30, 40, never
    assert (verdict.value, verdict.holds, verdict.measured()) == (30.0, True, "day 30")
    even = judge(late, RUNS.iloc[1:])  # 20, 30, 40, never: between 30 and 40
    assert (even.value, even.holds) == (35.0, True)
    assert judge(late, RUNS.iloc[2:]).value == 40.0  # 30, 40, never
    never = judge(late, RUNS.iloc[3:])  # 40 and never: their mean is never
    assert (never.value, never.holds, never.measured()) == (math.inf, False, "never")
    assert judge(median("outcome.count", below=2), RUNS).value == 2.0  # 0, 1, 2, 3, empty
    assert judge(median("outcome.count", below=2), RUNS).holds is False
    assert judge(median("outcome.count", at_most=2), RUNS).holds is True


def test_a_pattern_whose_column_the_runs_lack_is_not_recorded_rather_than_guessed():
    verdict = judge(median("outcome.missing", above=0), RUNS)
    assert (verdict.value, verdict.holds, verdict.measured()) == (None, None, "not recorded")


def test_patterns_are_judged_per_grid_point_on_its_ok_runs_only():
    runs = pd.concat([RUNS.assign(point=0, lever=0.0), RUNS.assign(point=1, lever=1.0)])
    runs.loc[runs.index[:2], "status"] = "failed"  # the first two runs of each point
    judged = judge_points([share([{"column": "outcome.flag"}], at_least=0.5)], runs, ["lever"])
    assert [(p.point, p.label(), p.verdicts[0].runs) for p in judged] == [
        (0, "lever = 0.0", 3),
        (1, "lever = 1.0", 3),
    ]
    assert judged[0].verdicts[0].value == pytest.approx(1 / 3)


# --- the outcomes they read, and the report that shows them ---------------------------------

OUTCOMES = """
[outcomes.red_strength_share]
kind = "series"
column = "red_strength"
share_of_start = "red_strength"

[outcomes.blue_killed_share]
kind = "series"
column = "blue_killed"
share_of_start = "blue_strength"

[outcomes.blue_income_change]
kind = "pace_change"
column = "blue_revenue_total"
days = 4

[outcomes.red_budget_change]
kind = "pace_change"
column = "red_income_external"
days = 4

[outcomes.changed_hands]
kind = "changed_hands"

[outcomes.red_gained]
kind = "changed_hands"
faction = "red"
"""


def test_the_outcomes_patterns_read_are_what_each_run_shows(theatre_dir, tmp_path):
    folder = theatre_dir(units=UNITS)
    path = write_experiment(folder.parent, "[fixed]\ncapture_days = 1\n" + OUTCOMES)
    run_batch(load_experiment(path), tmp_path / "results", jobs=1)
    runs = read_runs(tmp_path / "results")
    theatre = load_theatre(folder)
    gained = []
    for _, values in runs.iterrows():
        model = build_model(theatre, {"capture_days": 1}, int(values["seed"]))
        model.run(12)
        soldiers = sum(u.strength for u in model.units if u.faction == "red")
        assert values["outcome.red_strength_share"] == soldiers / model.starting_strength("red")
        killed = model.factions["blue"].killed / model.starting_strength("blue")
        assert values["outcome.blue_killed_share"] == killed
        total = model.series()["blue_revenue_total"].tolist()
        first, last = total[4] - total[0], total[-1] - total[-5]
        assert first > 0 and values["outcome.blue_income_change"] == (last - first) / first
        budget = model.series()["red_income_external"]
        assert budget.eq(0).all() and values["outcome.red_budget_change"] == 0.0  # never rose
        start = theatre.control
        moved = [p for p, holder in model.controller.items() if holder != start.get(p)]
        assert values["outcome.changed_hands"] == len(moved)
        gained.append(sum(model.controller[p] == "red" for p in moved))
        assert values["outcome.red_gained"] == gained[-1]
    assert sum(gained) > 0  # red took something in some run: the counts were put to the test


def test_a_share_of_a_start_of_zero_is_empty(theatre_dir, tmp_path):
    folder = theatre_dir(units=UNITS)
    body = '[outcomes.x]\nkind = "series"\ncolumn = "red_killed"\nshare_of_start = "red_killed"\n'
    run_batch(load_experiment(write_experiment(folder.parent, body)), tmp_path / "r", jobs=1)
    assert read_runs(tmp_path / "r")["outcome.x"].isna().all()


def test_an_outcome_divided_by_a_column_the_series_lacks_is_refused(theatre_dir):
    folder = theatre_dir()
    body = '[outcomes.x]\nkind = "series"\ncolumn = "red_killed"\nshare_of_start = "red_men"\n'
    with pytest.raises(ScenarioError, match=r"outcomes.x.share_of_start: no daily series named"):
        load_experiment(write_experiment(folder.parent, body))


def test_the_report_shows_whether_each_pattern_holds(theatre_dir, tmp_path):
    folder = theatre_dir(units=UNITS)
    never = {"id": "red_never_holds_alpha", "kind": "share",
             "where": [{"column": "outcome.red_holds_alpha"}], "at_most": 0.0}  # fmt: skip
    write_history(folder, [TARGET], patterns=[HOLDS, NO_CEASEFIRE, never])
    path = write_experiment(folder.parent, "patterns = true\n" + RED_HOLDS_ALPHA)
    results = tmp_path / "results"
    run_batch(load_experiment(path), results, jobs=1)
    held = read_runs(results)["outcome.red_holds_alpha"].mean()
    assert held > 0.5  # red keeps its base: the first two patterns hold, the third does not

    result = wargame("report", str(results))
    assert result.returncode == 0, result.stderr
    assert "The theatre's patterns" in result.stdout
    assert "all runs: 2 of 3 patterns hold" in result.stdout
    assert f"{held * 100:.4g}%: does not hold" in result.stdout
    table = pd.read_csv(results / "report" / "tables" / "patterns.csv")
    assert table["holds"].tolist() == [True, True, False]
    assert table["required"].tolist() == ["share >= 50%", "share >= 100%", "share <= 0%"]
    page = (results / "report" / "index.html").read_text()
    assert "The theatre&#x27;s patterns" in page and "all runs: 2 of 3 hold" in page


def test_a_report_without_patterns_asked_says_nothing_of_them(theatre_dir, tmp_path):
    folder = theatre_dir(units=UNITS)
    write_history(folder, [TARGET], patterns=[HOLDS])
    results = tmp_path / "results"
    run_batch(load_experiment(write_experiment(folder.parent, RED_HOLDS_ALPHA)), results, jobs=1)
    result = wargame("report", str(results))
    assert result.returncode == 0, result.stderr
    assert "pattern" not in result.stdout.replace(str(results), "")
    assert not (results / "report" / "tables" / "patterns.csv").exists()
