"""Calibration: on a theatre whose outcome one parameter fixes, the search finds the values
that meet the history; held-out targets that pull the other way are called overfitting; a
search resumes where it stopped and draws what it would have drawn; another request into
the same folder, bad parameters and bad target ids are refused with one line; the theatre's
files are never touched."""

import datetime as dt
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from theatres import march_theatre, write_history

from wargame.analysis.calibration import (
    STUDY,
    STUDY_NAME,
    CalibrationError,
    Request,
    calibrate,
    held_out_targets,
    parse_params,
    search_ranges,
)
from wargame.analysis.history import read_history
from wargame.cli import main
from wargame.scenario import load_theatre

WARGAME = str(Path(sys.executable).parent / "wargame")
START = dt.date(2024, 3, 7)  # tests/theatres.py's theatres start on 7 March 2024
SPEED = "speed_track_km_per_day"
SPAN = (6.5, 14.0)
MEETS_DAY_10 = (7.5, 60 / 7)
"""The speeds at which Red takes Delta on day 10 (ceil(60 / s) + 2 = 10): 7.5 <= s < 8.57."""


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def capture(target_id: str, first: int, last: int | None = None) -> dict:
    target = {"id": target_id, "kind": "capture", "faction": "red", "place": "delta",
              "date": day(first), "tolerance_days": 0, "source": "construction"}  # fmt: skip
    return target | ({"until": day(last)} if last is not None else {})


HISTORY = [
    capture("late", 10),  # only 7.5 <= speed < 8.57 km/day
    capture("around", 9, 11),  # 6.67 <= speed < 10: agrees with `late`
    capture("early", 7),  # only speed >= 12 (the theatre's own): pulls against `late`
]


@pytest.fixture
def march(tmp_path) -> Path:
    folder = march_theatre(tmp_path / "march")
    write_history(folder, HISTORY, days=20)
    return folder


def request_of(folder: Path, params=((SPEED, SPAN),), seeds=(0, 1), held_out=(), **options):
    theatre = load_theatre(folder)
    history = read_history(theatre)
    ranges = search_ranges(theatre, list(params), {})
    return Request(theatre, history, ranges, tuple(seeds), {}, held_out_targets(history, held_out),
                   **options)  # fmt: skip


def values(calibration) -> list[dict]:
    return [candidate.values for candidate in calibration.candidates]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def test_the_search_finds_the_speed_whose_march_meets_the_history(march, tmp_path):
    write_history(march, HISTORY[:2], days=20)  # both met only at 7.5 <= speed < 8.57
    result = calibrate(request_of(march), tmp_path / "out", budget=20, jobs=1)
    assert result.before.values == {SPEED: 12.0}
    assert result.before.score < 0.2  # the theatre's 12 km/day takes Delta on day 7
    best = result.best
    assert best.score == 1.0 and best.targets["late"]["share_inside"] == 1.0
    assert MEETS_DAY_10[0] <= best.values[SPEED] < MEETS_DAY_10[1]
    assert len(result.candidates) == 20
    assert all(SPAN[0] <= v[SPEED] <= SPAN[1] for v in values(result))


def test_whole_number_parameters_are_searched_as_whole_numbers_in_their_declared_bounds(march):
    theatre = load_theatre(march)
    ranges = search_ranges(theatre, parse_params("reopen_quiet_days,prices.rare_earth"), {})
    assert [(r.name, r.low, r.high, r.whole) for r in ranges] == [
        ("prices.rare_earth", 0.0, 10_000_000.0, False),
        ("reopen_quiet_days", 0.0, 3650.0, True),
    ]
    request = Request(theatre, read_history(theatre), ranges, (0,))
    result = calibrate(request, march.parent / "out", budget=4, jobs=1)
    for candidate in values(result):
        assert type(candidate["reopen_quiet_days"]) is int
        assert 0 <= candidate["reopen_quiet_days"] <= 3650
        assert isinstance(candidate["prices.rare_earth"], float)


def test_held_out_targets_pulling_the_other_way_are_called_overfitting(march, tmp_path):
    result = calibrate(request_of(march, held_out=["early"]), tmp_path / "out", budget=20, jobs=1)
    before, best = result.before, result.best
    assert before.held_out_score == 1.0 and best.score == 1.0  # `early` is the theatre's own day
    assert best.held_out_score == pytest.approx(math.exp(-3))  # day 10 against 7: three days late
    assert best.score == pytest.approx((best.targets["late"]["score"] + 1.0) / 2)
    assert result.overfits()
    verdict = result.verdict()
    assert verdict.startswith("The search overfits: it raised the 2 searched targets' score")
    assert f"from {before.score:.3f} to 1.000" in verdict
    assert "lowered the held-out target's from 1.000 to 0.050" in verdict
    report = (tmp_path / "out" / "report.md").read_text()
    assert verdict in report and "| early (held out) |" in report
    saved = json.loads((tmp_path / "out" / "calibration.json").read_text())
    assert saved["overfits"] is True and saved["verdict"] == verdict


def test_held_out_targets_that_agree_are_not_called_overfitting(march, tmp_path):
    write_history(march, HISTORY[:2], days=20)
    result = calibrate(request_of(march, held_out=["around"]), tmp_path / "out", budget=20, jobs=1)
    assert result.best.held_out_score == 1.0 > result.before.held_out_score
    assert not result.overfits()
    assert result.verdict() == (
        f"The search raised the searched target's score from {result.before.score:.3f} to "
        "1.000. The held-out target's score did not fall: from 0.135 to 1.000."
    )


def test_a_search_resumes_where_it_stopped_and_draws_what_it_would_have(march, tmp_path):
    straight = calibrate(request_of(march), tmp_path / "straight", budget=8, jobs=1)
    runs = []
    out = tmp_path / "resumed"
    calibrate(request_of(march), out, budget=3, jobs=1)
    resumed = calibrate(request_of(march), out, budget=8, jobs=1,
                        progress=lambda done, total, note: runs.append(total))  # fmt: skip
    assert values(resumed) == values(straight)
    assert runs[-1] == 5 * 2  # five more candidates of two seeds; the theatre's not again
    assert (tmp_path / "straight" / "trials.csv").read_text() == (out / "trials.csv").read_text()
    runs.clear()
    again = calibrate(request_of(march), out, budget=8, jobs=1, progress=runs.append)
    assert values(again) == values(straight) and runs == []  # the budget is met: no run


def test_an_interrupted_candidate_is_drawn_again_and_scored_whole(march, tmp_path):
    straight = calibrate(request_of(march), tmp_path / "straight", budget=6, jobs=1)
    out = tmp_path / "out"

    def interrupt(done, total, note):
        if note.startswith("candidate 4") and done % 2 == 1:  # half-way through its runs
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calibrate(request_of(march), out, budget=6, jobs=1, progress=interrupt)
    study = study_in(out)
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 3 + ["FAIL"]
    study.ask()  # as a search killed mid-candidate leaves it: running, for ever
    resumed = calibrate(request_of(march), out, budget=6, jobs=1)
    assert values(resumed) == values(straight)


def study_in(out: Path) -> optuna.Study:
    """The study as Optuna itself reads it from the folder."""
    backend = optuna.storages.journal.JournalFileBackend(str(out / STUDY))
    return optuna.load_study(study_name=STUDY_NAME, storage=optuna.storages.JournalStorage(backend))


def scored(out: Path) -> int:
    return sum(t.state.name == "COMPLETE" for t in study_in(out).trials)


def test_the_same_sampler_seed_gives_the_same_candidates_and_another_seed_others(march, tmp_path):
    first = calibrate(request_of(march, sampler_seed=5), tmp_path / "a", budget=4, jobs=1)
    again = calibrate(request_of(march, sampler_seed=5), tmp_path / "b", budget=4, jobs=2)
    other = calibrate(request_of(march, sampler_seed=6), tmp_path / "c", budget=4, jobs=1)
    assert values(first) == values(again) != values(other)


def wargame(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run([WARGAME, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)  # fmt: skip


def test_calibrate_writes_its_report_and_the_set_line_reproduces_the_best(march, tmp_path):
    theatre_files = digests(march)
    out = tmp_path / "out"
    args = ["calibrate", str(march), "--params", f"{SPEED}=6.5:14", "--budget", "20",
            "--seeds", "2", "--hold-out", "early", "--out", str(out), "--jobs", "2"]  # fmt: skip
    result = wargame(*args)
    assert result.returncode == 0, result.stderr
    assert digests(march) == theatre_files  # the theatre's files are never edited
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "calibration.json", "report.md", "request.json", "study.journal", "targets.csv",
        "trials.csv", "trials.png",
    ]  # fmt: skip
    assert (out / "trials.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    trials = (out / "trials.csv").read_text().splitlines()
    assert trials[0].startswith(f"candidate,{SPEED},score,best_so_far,held_out_score,score.late")
    assert len(trials) == 21
    assert "The search overfits" in result.stdout and "late" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("To reproduce: "))
    command = line.removeprefix("To reproduce: ").split()
    assert command[:5] == ["wargame", "score", str(march), "--seeds", "2"]
    scored = wargame(*command[1:], "--json")
    assert scored.returncode == 0, scored.stderr
    after = {t["target"]: t["after_score"] for t in json.loads((out / "calibration.json")
             .read_text())["targets"]}  # fmt: skip
    assert {t["id"]: t["score"] for t in json.loads(scored.stdout)["targets"]} == after


def test_calibrate_stopped_by_a_signal_keeps_its_candidates_and_carries_on(march, tmp_path):
    out = tmp_path / "out"
    args = ["calibrate", str(march), "--params", f"{SPEED}=6.5:14", "--budget", "500",
            "--seeds", "20", "--out", str(out), "--jobs", "1"]  # fmt: skip
    search = subprocess.Popen([WARGAME, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and search.poll() is None:  # until two are scored
        if (out / STUDY).exists() and scored(out) >= 2:
            break
        time.sleep(0.1)
    search.send_signal(signal.SIGTERM)
    _, stderr = search.communicate(timeout=60)
    assert search.returncode == 130, stderr
    assert stderr.strip().endswith(
        f"interrupted: the candidates scored so far are kept in {out}; "
        "the same command carries on from them"
    )
    done = scored(out)
    assert 2 <= done < 500
    rest = wargame(*[str(done + 1) if a == "500" else a for a in args])
    assert rest.returncode == 0, rest.stderr
    assert f" of {done + 1}: " in rest.stdout and scored(out) == done + 1


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("no_such", "--params no_such: unknown parameter 'no_such'; valid names: "),
        ("china_pressure", "--params china_pressure: 'china_pressure' is no longer a parameter: "
                           "renamed 'broker_pressure'"),
        ("prices.gold", "--params prices.gold: no commodity 'gold' to price in 'prices.gold'; "
                        "this theatre's commodities: rare_earth"),
        ("combat_mode", "--params combat_mode: expected a numeric parameter; combat_mode is one "
                        "of 'stochastic', 'deterministic'"),
        (SPEED, f"--params {SPEED}: it declares no range with two ends to search (a number "
                f"greater than 0 and at most 1,000); give one as {SPEED}=low:high"),
        ("capture_days=2", "--params capture_days=2: expected low:high, two numbers"),
        ("capture_days=a:b", "--params capture_days=a:b: expected low:high, two numbers"),
        ("capture_days=5:2", "--params capture_days=5:2: expected low below high"),
        ("capture_days=1.5:4", "--params capture_days=1.5:4: expected a whole number from 1 to "
                               "365, got 1.5"),
        ("broker_pressure=0:2", "--params broker_pressure=0:2: expected a number from 0 to 1, "
                                "got 2.0"),
        ("capture_days,capture_days", "--params capture_days: named twice"),
        ("capture_days,", "--params 'capture_days,': expected names"),
        ("travel_friction", "--params travel_friction: also given with --set"),
    ],
)  # fmt: skip
def test_bad_params_get_one_line_and_nothing_is_written(march, tmp_path, capsys, params, expected):
    out = tmp_path / "out"
    args = ["calibrate", str(march), "--params", params, "--budget", "2", "--out", str(out),
            "--set", "travel_friction=0"]  # fmt: skip
    code, stdout, stderr = run_main(capsys, *args)
    assert code == 1 and stdout == ""
    assert stderr.startswith(f"error: {expected}"), stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--hold-out", "late,nowhere"], "--hold-out nowhere: no such target in "),
        (["--hold-out", "late,around,early"], "--hold-out: that is every target of "),
        (["--budget", "0"], "--budget: expected 1 or more, got 0"),
        (["--seeds", "0"], "--seeds: expected 1 or more, got 0"),
        # filled the memory: "unexpected MemoryError ... a bug in wargame"
        (["--seeds", "100000000000"], "--seeds: expected at most 100,000, got 100,000,000,000"),
        (["--budget", "100001"], "--budget: expected at most 100,000, got 100,001"),
        (["--jobs", "0"], "--jobs: expected 1 or more, got 0"),
        (["--sampler-seed", "-1"], "--sampler-seed -1: "),
    ],
)
def test_bad_options_get_one_line_and_nothing_is_written(march, tmp_path, capsys, options,
                                                         expected):  # fmt: skip
    out = tmp_path / "out"
    args = ["calibrate", str(march), "--params", f"{SPEED}=6.5:14", "--budget", "2",
            "--out", str(out), *options]  # fmt: skip
    code, stdout, stderr = run_main(capsys, *args)
    assert code == 1 and stdout == ""
    assert stderr.startswith(f"error: {expected}"), stderr
    assert len(stderr.strip().splitlines()) == 1
    assert not out.exists()
    if "nowhere" in options[-1]:
        assert stderr.strip().endswith("its targets: late, around, early")


def test_another_request_into_the_same_folder_is_refused_and_leaves_it_alone(
    march, tmp_path, capsys
):
    out = tmp_path / "out"
    base = ["calibrate", str(march), "--params", f"{SPEED}=6.5:14", "--budget", "2",
            "--seeds", "2", "--out", str(out), "--jobs", "1"]  # fmt: skip
    assert run_main(capsys, *base)[0] == 0
    kept = digests(out)
    for change, named in [
        (["--params", f"{SPEED}=7:14"], "--params"),
        (["--seeds", "3"], "--seeds"),
        (["--hold-out", "early"], "--hold-out"),
        (["--sampler-seed", "4"], "--sampler-seed"),
        (["--set", "capture_days=4"], "--set"),
    ]:
        changed = list(base)
        for option, value in zip(change[::2], change[1::2], strict=True):
            if option in changed:
                changed[changed.index(option) + 1] = value
            else:
                changed += [option, value]
        code, stdout, stderr = run_main(capsys, *changed)
        assert code == 1 and stdout == "", stderr
        assert stderr == (
            f"error: --out {out} holds a calibration of another request (its {named} differ): "
            f"choose another --out, or delete {out} to start over\n"
        )
        assert digests(out) == kept
    (march / "setup.toml").write_text((march / "setup.toml").read_text() + "\n# edited\n")
    code, _, stderr = run_main(capsys, *base)
    assert code == 1 and "(its theatre's files differ)" in stderr
    assert digests(out) == kept


def test_a_folder_that_is_not_a_calibrations_is_refused(march, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, stderr = run_main(capsys, "calibrate", str(march), "--params", f"{SPEED}=6.5:14",
                               "--budget", "2", "--out", str(out))  # fmt: skip
    assert code == 1
    assert stderr == (
        f"error: --out {out} exists and is not a calibration's folder: choose another --out\n"
    )
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_parse_params_reads_names_alone_and_with_ranges():
    assert parse_params("a, b=0.1:0.5 ,prices.jade=-1:2e3") == [
        ("a", None), ("b", (0.1, 0.5)), ("prices.jade", (-1.0, 2000.0))
    ]  # fmt: skip
    with pytest.raises(CalibrationError, match="expected low:high"):
        parse_params("a=1:inf")
