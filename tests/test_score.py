"""Scoring runs against a history: a theatre whose outcome its mechanics fix scores 1 on the
true history and near 0 on a false one, the score follows its documented rule, and the
command prints one JSON object, draws its pictures and refuses bad input with one line."""

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from theatres import known_outcome_theatre, write_history

from wargame.analysis.history import read_history, score_history
from wargame.engine.model import ConflictModel
from wargame.scenario import load_theatre

WARGAME = str(Path(sys.executable).parent / "wargame")
START = dt.date(2024, 3, 7)  # tests/theatres.py's theatres start on 7 March 2024


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


TRUE_HISTORY = [
    # Red arrives on day 1 and holds Delta alone `capture_days` (3) later at the latest
    {"id": "red_takes_delta", "kind": "capture", "faction": "red", "place": "delta",
     "date": day(1), "until": day(5), "tolerance_days": 0, "source": "construction"},
    {"id": "red_holds_delta", "kind": "holder", "place": "delta", "holder": "red",
     "date": day(20), "tolerance_days": 0, "source": "construction"},
    # 3,000 soldiers, at most 2 recruits a day at its one base, against 20 defenders
    {"id": "red_strength", "kind": "count", "measure": "red_strength", "date": day(10),
     "low": 2900, "high": 3100, "source": "construction"},
    # China's pressure is 0: it never brokers a truce
    {"id": "no_truce", "kind": "event", "event": "ceasefire", "happens": False,
     "date": day(0), "until": day(29), "tolerance_days": 0, "source": "construction"},
]  # fmt: skip
FALSE_HISTORY = [
    {**TRUE_HISTORY[0], "date": day(31), "until": day(34), "tolerance_days": 3},
    {**TRUE_HISTORY[1], "holder": "blue"},
    {**TRUE_HISTORY[2], "low": 30000, "high": 36000},
    {**TRUE_HISTORY[3], "happens": True},
]


def score_of(folder: Path, seeds=range(4), **options):
    theatre = load_theatre(folder)
    return score_history(theatre, read_history(theatre), seeds, **options)


def wargame(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160"}  # the table's rows on one line each
    return subprocess.run([WARGAME, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def known(tmp_path) -> Path:
    return known_outcome_theatre(tmp_path / "known")


def test_a_theatre_scores_one_on_its_true_history_and_near_zero_on_a_false_one(known):
    write_history(known, TRUE_HISTORY)
    card = score_of(known, jobs=1)
    assert card.score == 1.0
    assert all(r.share_inside == 1.0 and r.runs == 4 for r in card.targets)
    write_history(known, FALSE_HISTORY)
    card = score_of(known, jobs=1)
    assert card.score < 0.05
    assert all(r.share_inside == 0.0 for r in card.targets)


def test_a_miss_costs_exp_of_minus_the_miss_over_the_tolerance(known):
    """The documented rule, checked against what a run of the model shows independently."""
    model = ConflictModel(known, rng=0)
    taken = None
    for today in range(1, 11):
        model.step()
        if taken is None and model.controller["delta"] == "red":
            taken = today
    strength = float(model.series()["red_strength"].iloc[10])
    late = {**TRUE_HISTORY[0], "date": day(13), "until": None, "tolerance_days": 4}
    strong = {**TRUE_HISTORY[2], "low": 3500, "high": 3700}
    write_history(known, [{k: v for k, v in late.items() if v is not None}, strong])
    first, second = score_of(known, seeds=[0], jobs=1).targets
    assert first.score == pytest.approx(math.exp(-((13 - 4) - taken) / 4))
    assert first.median == day(taken).isoformat()
    doublings = math.log2((3500 + 1) / (strength + 1))  # below the range's nearer end
    assert second.score == pytest.approx(math.exp(-doublings))
    assert second.median == strength


def test_days_off_measure_a_dated_median_from_the_historys_dates(known):
    """Inside the history's dates: 0 days off. The false history dates the capture 30 days
    after the run takes Delta (its tolerance not counted) and wants a truce that never comes:
    that one counts as never seen, not in the mean."""
    write_history(known, TRUE_HISTORY)
    card = score_of(known, jobs=1)
    assert [r.days_off for r in card.targets] == [0, None, None, None]  # one dated target
    assert card.timing() == {"dated_targets": 1, "never": 0, "mean_days_off": 0.0}
    write_history(known, FALSE_HISTORY)
    card = score_of(known, jobs=1)
    capture, _, _, truce = card.targets
    taken = dt.date.fromisoformat(capture.median)
    assert capture.days_off == (day(31) - taken).days >= 26  # the run takes it by day 5
    assert truce.median is None and truce.days_off is None
    assert card.timing() == {"dated_targets": 2, "never": 1, "mean_days_off": capture.days_off}
    first_day = {**TRUE_HISTORY[0], "date": day(0)}  # the run takes Delta after its day 0
    first_day.pop("until")
    write_history(known, [first_day, TRUE_HISTORY[1]])  # the holder keeps the run 20 days
    late, _ = score_of(known, seeds=[0], jobs=1).targets
    assert late.days_off == (dt.date.fromisoformat(late.median) - day(0)).days > 0


def test_the_same_seeds_give_the_same_table_and_runs_with_any_number_of_jobs():
    theatre = load_theatre("tamsen_island")
    history = read_history(theatre)
    seeds = [3, 0, 2, 1]  # in any order: the runs are kept in the seeds' order
    one = score_history(theatre, history, seeds, jobs=1)
    two = score_history(theatre, history, seeds, jobs=2)
    assert [r.seed for r in one.records] == [r.seed for r in two.records] == [0, 1, 2, 3]
    assert one.records == two.records
    assert one.as_json() == two.as_json()


def test_score_json_is_one_object_with_the_score_and_a_list_of_targets(known):
    write_history(known, TRUE_HISTORY)
    result = wargame("score", str(known), "--seeds", "3", "--json", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["score"] == 1.0
    assert document["seeds"] == [0, 1, 2] and document["days"] == 29
    assert [t["id"] for t in document["targets"]] == [t["id"] for t in TRUE_HISTORY]
    for target in document["targets"]:
        assert {"id", "kind", "source", "history", "expected", "median", "interval",
                "share_inside", "score", "runs"} <= set(target)  # fmt: skip
        assert 0.0 <= target["score"] <= 1.0 and target["runs"] == 3
    capture = document["targets"][0]
    assert capture["expected"]["until"] == day(5).isoformat()
    assert capture["happened"] == 1.0
    assert document["targets"][1]["holders"] == {"red": 1.0}
    assert capture["days_off"] == 0 and "days_off" not in document["targets"][1]
    assert document["timing"] == {"dated_targets": 1, "never": 0, "mean_days_off": 0.0}


def test_score_prints_a_table_and_draws_the_timeline_and_the_counts(known, tmp_path):
    write_history(known, FALSE_HISTORY)
    plots = tmp_path / "plots"
    result = wargame("score", str(known), "--seeds", "2", "--jobs", "1", "--plots", str(plots))
    assert result.returncode == 0, result.stderr
    assert "red_takes_delta" in result.stdout and "Overall score: 0.01" in result.stdout
    assert re.search(
        r"Days off the history's dates: (2[6-9]|3[01])\.0 on average over 2 dated targets "
        r"\(1 not seen in the median run\)",
        result.stdout,
    ), result.stdout
    for name in ("timeline.png", "counts.png"):
        assert (plots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in plots.iterdir()) == ["counts.png", "timeline.png"]


def test_set_changes_every_run_and_is_reported(known):
    write_history(known, TRUE_HISTORY)
    slow = "speed_highway_km_per_day=2"
    result = wargame("score", str(known), "--seeds", "1", "--json", "--set", slow)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["parameters"] == {"speed_highway_km_per_day": 2.0}
    assert document["targets"][0]["share_inside"] == 0.0  # 20 days on the road: not by day 5


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seeds", "0"], "--seeds: expected 1 or more, got 0"),
        # filled the memory: "unexpected MemoryError ... a bug in wargame"
        (["--seeds", "100000000000"], "--seeds: expected at most 100,000, got 100,000,000,000"),
        (["--jobs", "0"], "--jobs: expected 1 or more, got 0"),
        (["--set", "capture_days=0"], "--set capture_days: expected"),
        (["--set", "no_such=1"], "--set: unknown parameter 'no_such'"),
    ],
)
def test_bad_options_get_one_line_and_exit_1(known, args, expected):
    write_history(known, TRUE_HISTORY)
    result = wargame("score", str(known), *args)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and expected in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bad_history_gets_one_line_from_score_and_from_validate(known):
    path = write_history(known, [TRUE_HISTORY[0], {**TRUE_HISTORY[1], "place": "nowhere"}])
    expected = f"error: {path}: targets[1] ('red_holds_delta').place: no place 'nowhere'"
    for args in (["score", str(known)], ["validate", str(known)], ["validate", str(path)]):
        result = wargame(*args)
        assert result.returncode == 1, args
        assert result.stderr.startswith(expected), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_theatre_without_history_is_told_where_to_write_one(known):
    result = wargame("score", str(known))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {known / 'history.toml'}: the theatre has no history")


def test_a_strange_theatre_is_warned_of_once_not_once_per_run(tmp_path):
    from theatres import line_map, road, write_theatre

    features = line_map()
    features[5] = road("alpha", "bravo", "highway", 300.0)  # ten times the straight line
    folder = write_theatre(tmp_path / "strange", features=features)
    write_history(folder, [{**TRUE_HISTORY[3], "factions": ["red", "blue"]}])
    result = wargame("score", str(folder), "--seeds", "4", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
    assert len(warned) == 1 and warned[0].startswith("warning: "), result.stderr
    assert "times" in warned[0] or "long" in warned[0], warned[0]


def test_a_score_against_an_earlier_one_names_each_target_that_fell_or_rose(known, tmp_path):
    write_history(known, TRUE_HISTORY)
    earlier = tmp_path / "old [v2].json"  # brackets: rich markup, were they not escaped
    earlier.write_text(wargame("score", str(known), "--seeds", "2", "--json").stdout)
    write_history(known, FALSE_HISTORY)  # the same ids, every one scored near 0
    result = wargame("score", str(known), "--seeds", "2", "--json", "--against", str(earlier))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    against = document["against"]
    assert against["score"] == 1.0 and against["seeds"] == [0, 1]
    ids = [target["id"] for target in TRUE_HISTORY]
    assert against["lower"] == ids
    for row, target in zip(against["targets"], document["targets"], strict=True):
        assert row["before"] == 1.0 and row["now"] == target["score"]
        assert row["change"] == target["score"] - 1.0
    # and the other way, as a table: every target higher, none lower
    write_history(known, TRUE_HISTORY)
    earlier.write_text(result.stdout)
    table = wargame("score", str(known), "--seeds", "2", "--against", str(earlier))
    assert table.returncode == 0, table.stderr
    assert "Targets whose score moved since" in table.stdout and "[v2].json" in table.stdout
    assert table.stdout.strip().splitlines()[-1] == (
        f"Against {earlier} (2 seeds of {document['days']} days): overall "
        f"{document['score']:.4f} -> 1.0000; 4 targets higher; 0 lower; 0 level; another "
        f"history's span ({document['days']} days from 2024-03-07 then, 29 from 2024-03-07 now)"
    )
    # the same seeds and history again: every target level, and no table of moves
    earlier.write_text(wargame("score", str(known), "--seeds", "2", "--json").stdout)
    same = wargame("score", str(known), "--seeds", "2", "--against", str(earlier))
    assert "Targets whose score moved" not in same.stdout
    assert same.stdout.strip().splitlines()[-1].endswith("0 targets higher; 0 lower; 4 level")


def test_a_comparison_counts_level_new_and_dropped_targets_and_says_what_differs(known):
    from wargame.analysis.score_change import EarlierScore, compare

    write_history(known, TRUE_HISTORY)
    card = score_of(known, seeds=[0], jobs=1)
    earlier = {
        "theatre": "known", "seeds": [0, 1], "days": 29, "start_date": "2024-03-07",
        "score": 0.5,
        "targets": [
            {"id": "red_takes_delta", "score": 1.0},  # level
            {"id": "red_strength", "score": 0.25},  # lower then, higher now
            {"id": "gone_target", "score": 0.75},  # no longer in the history
        ],
    }  # fmt: skip
    change = compare(card, EarlierScore.model_validate(earlier), Path("earlier.json"))
    assert [c.id for c in change.level()] == ["red_takes_delta"]
    assert [(c.id, c.change) for c in change.higher()] == [("red_strength", 0.75)]
    assert change.lower() == []
    assert [c.id for c in change.moved()] == [
        "red_holds_delta", "red_strength", "no_truce", "gone_target"
    ]  # fmt: skip
    assert change.summary() == (
        "Against earlier.json (2 seeds of 29 days): overall 0.5000 -> 1.0000; "
        "1 target higher; 0 lower; 1 level; new: red_holds_delta, no_truce; "
        "no longer scored: gone_target; the seeds differ (2 then, 1 now): part of each change "
        "is the seeds' own spread"
    )
    other = {**earlier, "theatre": "other", "seeds": [0]}
    change = compare(card, EarlierScore.model_validate(other), Path("earlier.json"))
    assert change.summary().endswith("; a score of other, not of known")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "file not found"),
        ("", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, as `wargame score --json` prints"),
        ('{"theatre": "known"', "not valid JSON"),
        ('{"theatre": "known", "seeds": [0], "days": 3, "targets": []}', "score: required key"),
        ('{"theatre": "known", "seeds": [0], "days": 3, "score": 2, "targets": []}',
         "score: Input should be less than or equal to 1, got 2"),
        ('{"theatre": "known", "seeds": [true], "days": 3, "score": 1, "targets": []}',
         "seeds[0]: Input should be a valid integer"),
        ('{"theatre": "known", "seeds": [0], "days": 3, "score": 1, "targets": '
         '[{"id": "a", "score": 1}, {"id": "a", "score": 0}]}',
         "targets[1]: id a given twice (first at targets[0]); expected a unique id"),
        ('{"theatre": "known", "theatre": "x"}', "key 'theatre' given twice"),
    ],
)  # fmt: skip
def test_a_bad_earlier_score_gets_one_line_before_any_run(known, tmp_path, text, expected):
    write_history(known, TRUE_HISTORY)
    path = tmp_path / "earlier.json"
    if text is not None:
        path.write_text(text)
    for against in (path, tmp_path) if text is None else (path,):  # a folder, too
        # 100,000 seeds on one core: a check made after the runs would time out
        result = subprocess.run(
            [WARGAME, "score", str(known), "--seeds", "100000", "--jobs", "1",
             "--against", str(against)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith(f"error: {against}: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert expected in result.stderr or against == tmp_path, result.stderr
    if text is None:
        assert "expected a file, found a folder" in result.stderr
