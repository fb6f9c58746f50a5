"""Batch runs: one row per run, the same rows whatever the backend, failures kept, resume."""

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil
import pytest
from test_cli import wargame
from test_experiments import write_experiment

from wargame import ConflictModel
from wargame.batch import BatchError, read_runs, read_series, run_batch
from wargame.engine.events import EventKind
from wargame.experiments import load_experiment

KILL_SEEDS = 40  # the kill test's batch: runs of the default theatre

OUTCOMES = """
[grid]
capture_days = [1, 3]

[outcomes.red_holds_bravo_day_6]
kind = "holds"
faction = "red"
place = "bravo"
day = 6

[outcomes.red_took_bravo]
kind = "taken"
faction = "red"
place = "bravo"

[outcomes.most_displaced]
kind = "series"
column = "civilians_displaced"
stat = "max"

[outcomes.captures]
kind = "events"
event = "capture"
"""
UNITS = [
    {"faction": "red", "place": "alpha", "strength": 400, "count": 2},
    {"faction": "blue", "place": "delta", "strength": 300},
]


@pytest.fixture
def experiment(theatre_dir):
    folder = theatre_dir(units=UNITS)
    return load_experiment(write_experiment(folder.parent, OUTCOMES, seeds="4\nkeep_series = true"))


def test_one_row_per_run_with_its_point_seed_summary_and_outcomes(experiment, tmp_path):
    out = tmp_path / "results"
    tally = run_batch(experiment, out, jobs=1)
    assert (tally.done, tally.failed) == (8, 0)
    runs = read_runs(out)
    assert len(runs) == 8 and set(runs["status"]) == {"ok"}
    assert sorted(zip(runs["capture_days"], runs["seed"], strict=True)) == sorted(
        (c, s) for c in (1, 3) for s in range(4)
    )
    for _, row in runs.iterrows():  # each outcome equals what a direct run of that point shows
        parameters = {"capture_days": int(row["capture_days"])}
        model = ConflictModel(experiment.theatre_path, parameters, rng=int(row["seed"]))
        model.run(6)
        assert row["outcome.red_holds_bravo_day_6"] == (model.controller["bravo"] == "red")
        model.run(experiment.days - 6)
        assert row["parameters.capture_days"] == row["capture_days"]
        assert row["factions.red.strength"] == sum(
            u.strength for u in model.units if u.faction == "red"
        )
        assert row["control.bravo"] == model.controller["bravo"] or (
            pd.isna(row["control.bravo"]) and model.controller["bravo"] is None
        )
        assert row["outcome.most_displaced"] == model.series()["civilians_displaced"].max()
        assert row["outcome.captures"] == len(model.events.of_kind(EventKind.CAPTURE))
        taken = [e.day for e in model.events.of_kind(EventKind.CAPTURE)
                 if e.place == "bravo" and e.factions[0] == "red"]  # fmt: skip
        assert row["outcome.red_took_bravo"] == bool(taken)
        if taken:
            assert row["outcome.red_took_bravo.day"] == taken[0]
    kept = read_series(out)
    assert len(kept) == 8 * (experiment.days + 1)
    assert set(kept.groupby("run_id")["day"].max()) == {experiment.days}


def test_the_rows_are_the_same_whatever_the_number_of_jobs(experiment, tmp_path):
    run_batch(experiment, tmp_path / "one", jobs=1)
    run_batch(experiment, tmp_path / "two", jobs=2)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "one"), read_runs(tmp_path / "two"))
    pd.testing.assert_frame_equal(read_series(tmp_path / "one"), read_series(tmp_path / "two"))


def test_a_strange_grid_point_is_one_warning_line_however_many_runs_and_workers(theatre_dir):
    """Said once by the batch, not once per run or per worker process, nor as a traceback;
    a point that is strange only in combination (highway 20 with track 30) is said too."""
    folder = theatre_dir(units=UNITS)
    grid = (
        "[grid]\nspeed_highway_km_per_day = [20.0, 40.0]\nspeed_track_km_per_day = [10.0, 30.0]\n"
    )
    path = write_experiment(folder.parent, grid, seeds="3")
    result = wargame("batch", str(path), "--jobs", "2", "--out", str(folder.parent / "out"))
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "speed_" in line]
    assert said == [
        f"warning: parameters: speed_highway_km_per_day {highway}, speed_road_km_per_day 25, "
        f"speed_track_km_per_day {track}: expected highway >= road >= track, the road kinds "
        "from fastest down"
        for highway, track in ((20, 10), (20, 30), (40, 30))
    ]
    assert "12 runs done, 0 failed" in result.stderr


def test_a_dask_local_cluster_gives_the_same_rows_as_the_local_backend(experiment, tmp_path):
    run_batch(experiment, tmp_path / "local", jobs=1)
    run_batch(experiment, tmp_path / "dask", jobs=2, backend="dask")
    pd.testing.assert_frame_equal(read_runs(tmp_path / "local"), read_runs(tmp_path / "dask"))


def test_a_run_that_raises_is_recorded_as_failed_and_the_others_go_on(
    experiment, tmp_path, monkeypatch
):
    real_step = ConflictModel.step

    def step(model):
        if model.seed == 2 and model.day == 3:
            raise RuntimeError("supply convoy lost")
        real_step(model)

    monkeypatch.setattr(ConflictModel, "step", step)
    tally = run_batch(experiment, tmp_path / "results", jobs=1)
    assert (tally.done, tally.failed) == (8, 2)
    runs = read_runs(tmp_path / "results")
    failed = runs[runs["status"] == "failed"]
    assert list(failed["seed"]) == [2, 2]
    assert all("supply convoy lost" in error for error in failed["error"])
    assert failed["factions.red.strength"].isna().all()
    assert (runs[runs["status"] == "ok"]["factions.red.strength"] > 0).all()


def test_results_read_in_duckdb_and_carry_their_metadata(experiment, tmp_path):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    query = f"select count(*), count(distinct run_id) from read_parquet('{out}/runs/*.parquet')"
    assert duckdb.sql(query).fetchall() == [(8, 8)]
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["experiment_sha256"] == experiment.digest
    assert metadata["complete"] is True and metadata["runs_saved"] == 8
    assert metadata["wargame_version"] and metadata["platform"] and metadata["finished"]


def test_a_folder_with_results_needs_resume_and_the_same_experiment(experiment, tmp_path):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    with pytest.raises(BatchError, match="--resume"):
        run_batch(experiment, out, jobs=1)
    assert run_batch(experiment, out, jobs=1, resume=True).done == 0  # nothing left to run
    experiment.path.write_text(experiment.path.read_text() + "\n# changed\n")
    with pytest.raises(BatchError, match="different version"):
        run_batch(load_experiment(experiment.path), out, jobs=1, resume=True)


@pytest.mark.slow
def test_a_batch_killed_mid_way_leaves_whole_files_and_resume_finishes_it(tmp_path):
    path = tmp_path / "kill.toml"
    # long enough (~10 s) that the kill lands after the first 2-second flush and well before
    # the end: at 16 runs of 40 days the whole batch once finished inside its first flush
    path.write_text(
        f'[experiment]\ntitle = "kill"\ntheatre = "kachin"\ndays = 60\nseeds = {KILL_SEEDS}\n'
        "keep_series = true\n",
        encoding="utf-8",
    )
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "wargame.cli", "batch", str(path), "--jobs", "1"]
    batch = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((out / "runs").glob("part-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    saved = read_runs(out)
    assert 0 < len(saved) < KILL_SEEDS  # killed part-way, and what is there reads whole
    for part in out.rglob("*.parquet"):
        pd.read_parquet(part)
    finished = subprocess.run([*command, "--out", str(out), "--resume"], capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    run_batch(load_experiment(path), tmp_path / "whole", jobs=1)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(tmp_path / "whole"))
    pd.testing.assert_frame_equal(read_series(out), read_series(tmp_path / "whole"))
    assert not list(out.rglob(".*.tmp"))


def kill_experiment(tmp_path, seeds: int = 24, days: int = 40) -> Path:
    path = tmp_path / "kill.toml"
    path.write_text(
        f'[experiment]\ntitle = "kill"\ntheatre = "kachin"\ndays = {days}\n'
        f"seeds = {seeds}\nkeep_series = true\n",
        encoding="utf-8",
    )
    return path


def assert_whole_files(out) -> None:
    for part in out.rglob("*.parquet"):
        pd.read_parquet(part)  # a killed batch leaves no half-written part behind
    json.loads((out / "metadata.json").read_text(encoding="utf-8"))


def wait_for_parts(out, at_least: int = 1, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while len(list((out / "runs").glob("part-*.parquet"))) < at_least:
        assert time.monotonic() < deadline, "no results were written"
        time.sleep(0.05)


def assert_same_as_uninterrupted(path, out, tmp_path) -> None:
    whole = tmp_path / "whole"
    run_batch(load_experiment(path), whole, jobs=1)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(whole))
    pd.testing.assert_frame_equal(read_series(out), read_series(whole))


@pytest.mark.slow
def test_a_killed_worker_stops_the_batch_with_one_line_and_resume_finishes_it(tmp_path):
    path, out = kill_experiment(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "wargame.cli", "batch", str(path), "--jobs", "2"]
    batch = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.PIPE, text=True)
    wait_for_parts(out)
    workers = psutil.Process(batch.pid).children()
    assert len(workers) >= 2
    os.kill(workers[-1].pid, signal.SIGKILL)
    _, stderr = batch.communicate(timeout=120)
    assert batch.returncode == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("error: a worker process stopped") and "--resume" in last
    assert "Traceback" not in stderr
    assert_whole_files(out)
    assert 0 < len(read_runs(out)) < 24
    finished = subprocess.run([*command, "--out", str(out), "--resume"], capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    assert_same_as_uninterrupted(path, out, tmp_path)


@pytest.mark.slow
def test_a_batch_killed_again_and_again_at_random_moments_resumes_to_the_same_results(tmp_path):
    path, out = kill_experiment(tmp_path, seeds=60, days=90), tmp_path / "out"
    command = [sys.executable, "-m", "wargame.cli", "batch", str(path), "--jobs", "2"]
    chance, kills = random.Random(9), 0
    for attempt in range(6):  # six kills at random moments, then it may finish
        resume = ["--resume"] if attempt else []
        batch = subprocess.Popen([*command, "--out", str(out), *resume], stderr=subprocess.PIPE)
        how = chance.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM])
        # SIGTERM once the command is running (while Python is still importing, it just dies)
        delay = chance.uniform(2.5, 6.0) if how == signal.SIGTERM else chance.uniform(0.3, 6.0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            batch.wait(timeout=delay)
        if batch.returncode is not None:
            break  # finished before its kill came
        workers = psutil.Process(batch.pid).children(recursive=True)
        os.kill(batch.pid, how)
        batch.wait(timeout=120)
        if how == signal.SIGKILL:  # no one is left to stop the workers
            for worker in workers:
                with contextlib.suppress(psutil.NoSuchProcess):
                    worker.kill()
        else:
            assert batch.returncode == 130, batch.stderr.read()
        kills += 1
        if (out / "metadata.json").exists():
            assert_whole_files(out)
    assert kills >= 4 and len(read_runs(out)) < 60  # the kills left it part-way
    finished = subprocess.run([*command, "--out", str(out), "--resume"], capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    assert_same_as_uninterrupted(path, out, tmp_path)
    assert not list(out.rglob(".*.tmp"))
