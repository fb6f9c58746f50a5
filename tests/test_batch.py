"""Batch runs: one row per run, the same rows whatever the backend, failures kept, resume."""

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
from test_cli import wargame
from test_experiments import write_experiment

from wargame import ConflictModel
from wargame.analysis import batch, experiments, results
from wargame.analysis.batch import run_batch, run_one, tasks
from wargame.analysis.experiments import load_experiment
from wargame.analysis.results import LOCK, BatchError, held, read_runs, read_series
from wargame.cli import main
from wargame.engine import model
from wargame.engine.events import EventKind

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

[outcomes.first_red_capture]
kind = "first_event"
event = "capture"
faction = "red"
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
        red = [e.day for e in model.events.of_kind(EventKind.CAPTURE) if "red" in e.factions]
        first = row["outcome.first_red_capture"]
        assert first == red[0] if red else pd.isna(first)
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
    with pytest.raises(BatchError, match="other inputs: the experiment file"):
        run_batch(load_experiment(experiment.path), out, jobs=1, resume=True)


def test_seeds_on_the_command_line_run_the_first_seeds_and_resume_keeps_to_them(
    experiment, tmp_path, capsys
):
    """`--seeds 2` runs seeds 0 and 1 of each point, as a file saying `seeds = 2` would;
    resuming that folder with another count is refused (it would mix two designs)."""
    out = tmp_path / "results"
    quick = ["batch", str(experiment.path), "--out", str(out), "--jobs", "1", "--seeds", "2"]
    assert main(quick) == 0
    assert "2 grid points x 2 seeds = 4 runs" in capsys.readouterr().err
    runs = read_runs(out)
    assert sorted(zip(runs["capture_days"], runs["seed"], strict=True)) == [
        (1, 0), (1, 1), (3, 0), (3, 1)
    ]  # fmt: skip
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["seeds"] == [0, 1] and metadata["seeds_override"] == 2
    assert metadata["experiment_spec"]["experiment"]["seeds"] == 2
    assert main([*quick, "--resume"]) == 0  # the same count: nothing left to run
    assert main([*quick[:-1], "3", "--resume"]) == 1
    assert "holds runs on seeds 0 to 1, and this batch asks for seeds 0 to 2 (--seeds)" in (
        capsys.readouterr().err
    )
    assert main([*quick[:-2], "--resume"]) == 1  # the file's 4 seeds
    assert len(read_runs(out)) == 4  # nothing was run or removed
    assert main([*quick[:-1], "0"]) == 1
    assert "--seeds: expected a count of seeds from 1" in capsys.readouterr().err


def test_a_file_listing_its_seeds_resumes_with_the_same_ones_and_names_them_when_they_differ(
    experiment, tmp_path, capsys
):
    """Three listed seeds and `--seeds 3` are three seeds but not the same ones: the refusal
    names both; the same list (and a count that makes it) resume."""
    edit(experiment.path, "seeds = 4", "seeds = [0, 1, 2]")
    out = tmp_path / "results"
    listed = ["batch", str(experiment.path), "--out", str(out), "--jobs", "1"]
    assert main(listed) == 0
    assert main([*listed, "--resume"]) == 0
    assert main([*listed, "--resume", "--seeds", "3"]) == 0  # seeds 0, 1, 2 again
    edit(experiment.path, "seeds = [0, 1, 2]", "seeds = [5, 6, 7]")
    assert main([*listed, "--resume"]) == 1
    assert "other inputs: the experiment file" in capsys.readouterr().err  # the file, first
    out2 = tmp_path / "other"
    assert main([*listed[:3], str(out2), "--jobs", "1"]) == 0
    assert main([*listed[:3], str(out2), "--jobs", "1", "--resume", "--seeds", "3"]) == 1
    err = capsys.readouterr().err
    assert "holds runs on seeds 5, 6, 7, and this batch asks for seeds 0 to 2 (--seeds)" in err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "file", "old", "new"),
    [
        ("set-up", "setup.toml", "[parameters]", "[parameters]\ntravel_friction = 0.1"),
        ("map", "map.geojson", '"population": 800', '"population": 900'),
        ("faction red", "agents/red.toml", "aggression = 0.5", "aggression = 0.6"),
    ],
)
def test_resume_refuses_a_folder_whose_theatre_files_changed_and_says_which(
    experiment, tmp_path, name, file, old, new
):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    before = read_runs(out)
    edit(Path(experiment.theatre_path) / file, old, new)
    with pytest.raises(BatchError) as refused:
        run_batch(load_experiment(experiment.path), out, jobs=1, resume=True)
    message = str(refused.value)
    assert "was made from other inputs: " in message and f"the {name} (" in message
    assert file in message
    assert "choose another --out, or delete" in message and "start over" in message
    pd.testing.assert_frame_equal(read_runs(out), before)  # nothing was run or removed


def test_resume_refuses_a_folder_whose_parameters_resolve_otherwise(
    experiment, tmp_path, monkeypatch
):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    real = experiments.make_parameters

    def newer_defaults(*layers, **theatres):  # as another version of wargame's default would
        return real(*layers, **theatres).model_copy(update={"morale_loss_per_casualty": 2.0})

    monkeypatch.setattr(experiments, "make_parameters", newer_defaults)
    with pytest.raises(BatchError, match="other inputs: the parameters changed"):
        run_batch(load_experiment(experiment.path), out, jobs=1, resume=True)


def test_resume_refuses_a_folder_that_does_not_record_its_inputs(experiment, tmp_path):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    metadata = json.loads((out / "metadata.json").read_text())
    del metadata["inputs"]  # as an older wargame wrote it
    (out / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(BatchError, match="does not record the theatre and parameters"):
        run_batch(experiment, out, jobs=1, resume=True)


def test_a_run_whose_theatre_or_parameters_changed_since_the_start_fails_rather_than_mixes(
    experiment, monkeypatch
):
    first, second = tasks(experiment)[:2]
    assert run_one(first).row["status"] == "ok"
    real = model.make_parameters
    monkeypatch.setattr(
        model,
        "make_parameters",
        lambda *layers, **theatres: real(*layers, **theatres).model_copy(
            update={"morale_loss_per_casualty": 2.0}
        ),
    )
    row = run_one(first).row
    assert row["status"] == "failed" and "parameters resolve to other values" in row["error"]
    monkeypatch.undo()
    edit(Path(experiment.theatre_path) / "map.geojson", '"population": 800', '"population": 9')
    row = run_one(second).row
    assert row["status"] == "failed" and "the theatre's map changed" in row["error"]


def test_a_batch_refuses_a_folder_another_batch_holds_with_one_line(experiment, tmp_path, capsys):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    with held(out):  # as a batch in another process holds it
        with pytest.raises(
            BatchError, match=f"in use by another batch \\(process {os.getpid()}\\)"
        ):
            run_batch(experiment, out, jobs=1, resume=True)
        command = ["batch", str(experiment.path), "--out", str(out), "--resume", "--jobs", "1"]
        assert main(command) == 1
        error = capsys.readouterr().err.strip().splitlines()
        assert error[-1].startswith("error: ") and "in use by another batch" in error[-1]
    assert main(command) == 0  # released: now it may


def fail_seed(monkeypatch, seed: int | None) -> None:
    """Runs of `seed` (every run when None) raise on day 3."""
    real_step = ConflictModel.step

    def step(model):
        if (seed is None or model.seed == seed) and model.day == 3:
            raise RuntimeError("supply convoy lost")
        real_step(model)

    monkeypatch.setattr(ConflictModel, "step", step)


def test_resume_runs_the_failed_runs_again_until_the_folder_is_the_uninterrupted_one(
    experiment, tmp_path, monkeypatch
):
    out = tmp_path / "results"
    fail_seed(monkeypatch, 2)
    assert run_batch(experiment, out, jobs=1).failed == 2
    metadata = json.loads((out / "metadata.json").read_text())
    assert (metadata["runs_saved"], metadata["runs_failed"], metadata["complete"]) == (8, 2, False)
    monkeypatch.undo()  # the cause is fixed
    tally = run_batch(experiment, out, jobs=1, resume=True)
    assert (tally.done, tally.failed) == (2, 0)  # only the failed ones ran again
    metadata = json.loads((out / "metadata.json").read_text())
    assert (metadata["runs_saved"], metadata["runs_failed"], metadata["complete"]) == (8, 0, True)
    assert_same_as_uninterrupted(experiment.path, out, tmp_path)


def test_a_batch_with_failed_runs_exits_1_and_says_how_to_run_them_again(
    experiment, tmp_path, monkeypatch, capsys
):
    fail_seed(monkeypatch, None)  # every run fails
    out = tmp_path / "results"
    assert main(["batch", str(experiment.path), "--out", str(out), "--jobs", "1"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("error: 8 of 8 runs failed (first p0000-s0: RuntimeError(")
    assert "supply convoy lost" in last and f"--out {out} --resume` runs them again" in last


def one_part_per_run(monkeypatch) -> None:
    monkeypatch.setattr(results, "GATHER_SECONDS", 0.0)


@pytest.mark.parametrize("kind", ["runs", "series"])
def test_a_damaged_part_is_named_with_what_to_do_and_doing_it_finishes_the_batch(
    experiment, tmp_path, monkeypatch, capsys, kind
):
    one_part_per_run(monkeypatch)
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    damaged = out / kind / "part-00003.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])  # truncated
    resume = ["batch", str(experiment.path), "--out", str(out), "--resume", "--jobs", "1"]
    advice = (
        f"error: {damaged} is damaged (not a whole Parquet file: truncated?): delete it and run "
        f"`wargame batch {experiment.path} --out {out} --resume` to redo its runs"
    )
    for command in (["report", str(out)], resume):
        assert main(command) == 1
        assert capsys.readouterr().err.strip().splitlines()[-1] == advice
    assert damaged.exists() and len(list(out.glob("*/part-*.parquet"))) == 16  # nothing removed
    damaged.unlink()  # as the message says
    assert main(resume) == 0
    assert main(["report", str(out)]) == 0
    assert_same_as_uninterrupted(experiment.path, out, tmp_path)


def test_files_that_are_not_parts_are_left_out_and_named(experiment, tmp_path, capsys):
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    copies = [out / kind / "part-00000 (copy).parquet" for kind in ("runs", "series")]
    for copy in copies:
        shutil.copy(copy.with_name("part-00000.parquet"), copy)
    for command in (
        ["batch", str(experiment.path), "--out", str(out), "--resume", "--jobs", "1"],
        ["report", str(out)],
    ):
        assert main(command) == 0
        warnings = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning:")]
        assert warnings == [f"warning: {copy} is not a part of the results (parts are named "
                            "part-NNNNN.parquet): it is left out" for copy in copies]  # fmt: skip
    assert "8 runs: 8 ok, 0 failed." in (out / "report" / "index.html").read_text()
    assert_same_as_uninterrupted(experiment.path, out, tmp_path)


def test_a_run_saved_in_two_parts_is_refused_by_name(experiment, tmp_path, monkeypatch):
    one_part_per_run(monkeypatch)
    out = tmp_path / "results"
    run_batch(experiment, out, jobs=1)
    shutil.copy(out / "runs" / "part-00002.parquet", out / "runs" / "part-00077.parquet")
    message = "run p0000-s2 is saved twice, in .*part-00002.parquet and in .*part-00077.parquet"
    with pytest.raises(BatchError, match=message):
        read_runs(out)
    with pytest.raises(BatchError, match=message):
        run_batch(experiment, out, jobs=1, resume=True)


def test_a_finished_run_is_on_disk_within_the_flush_interval(experiment, tmp_path, monkeypatch):
    out = tmp_path / "results"
    finished, written = {}, {}

    def slow_second_run(task):
        outcome = run_one(task)
        time.sleep(3.0 if task.run.run_id == "p0000-s1" else 0.0)
        finished[task.run.run_id] = time.monotonic()
        return outcome

    def look() -> None:
        for part in (out / "runs").glob("part-*.parquet"):
            for run_id in pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist():
                written.setdefault(run_id, time.monotonic())

    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            look()
            time.sleep(0.02)

    monkeypatch.setattr(batch, "run_one", slow_second_run)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run_batch(experiment, out, jobs=1)
    finally:
        stop.set()
        watcher.join()
    look()
    waits = {run_id: written[run_id] - finished[run_id] for run_id in finished}
    assert len(waits) == 8 and max(waits.values()) < results.FLUSH_SECONDS, waits


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
    os.kill(batch.pid, signal.SIGSTOP)  # frozen mid-way, it still holds the folder
    second = subprocess.run(
        [*command, "--out", str(out), "--resume"], capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 1
    assert second.stderr.strip().splitlines()[-1] == (
        f"error: {out} is in use by another batch (process {batch.pid}): "
        "wait for it to finish or stop it, then run again with --resume"
    )
    os.kill(batch.pid, signal.SIGKILL)  # and a killed batch lets go of it
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


def wait_until_holding(out: Path, batch: subprocess.Popen, within: float = 60.0) -> bool:
    """Wait until the batch holds its results folder (its lock names its process): it is
    running its command by then, no longer starting. False if it ended first."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and batch.poll() is None:
        with contextlib.suppress(OSError):
            if (out / LOCK).read_text().strip() == str(batch.pid):
                return True
        time.sleep(0.05)
    return False


def assert_ended(processes: list[psutil.Process], within: float = 30.0) -> None:
    """Each process ends within `within` seconds (a zombie awaiting its reaper has ended)."""

    def running() -> list[str]:
        alive = []
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(" ".join(process.cmdline())[-60:])
        return alive

    deadline = time.monotonic() + within
    try:
        while running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(), f"still running {within} s after their batch was killed"
    finally:  # never leave a test's processes behind
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()


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
    # a worker, not the resource tracker: by what it runs, since pids wrap around
    children = psutil.Process(batch.pid).children()
    workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
    assert len(workers) == 2
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
def test_a_batch_killed_with_kill_9_takes_its_workers_and_resource_tracker_with_it(tmp_path):
    path, out = kill_experiment(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "wargame.cli", "batch", str(path), "--jobs", "2"]
    batch = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.DEVNULL)
    wait_for_parts(out)  # the workers are running
    started = psutil.Process(batch.pid).children(recursive=True)
    assert len(started) == 3 and any("resource_tracker" in " ".join(p.cmdline()) for p in started)
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    assert_ended(started)
    assert_whole_files(out)


@pytest.mark.slow
def test_where_there_is_no_prctl_a_worker_watches_its_batch_and_ends_with_it():
    worker = (  # a worker's start as on a system without prctl, then a long run
        "import os, sys, time; from wargame.analysis.workers import die_with_driver; "
        "sys.platform = 'darwin'; "
        "die_with_driver(os.getppid()); print('running', flush=True); time.sleep(30)"
    )
    spawn = f"print(subprocess.Popen([sys.executable, '-c', {worker!r}]).pid, flush=True)"
    driver = subprocess.Popen(
        [sys.executable, "-c", f"import subprocess, sys, time; {spawn}; time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    started = psutil.Process(int(driver.stdout.readline()))
    assert driver.stdout.readline() == "running\n"
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    assert_ended([started], within=5.0)


@pytest.mark.slow
def test_a_batch_killed_again_and_again_at_random_moments_resumes_to_the_same_results(tmp_path):
    path, out = kill_experiment(tmp_path, seeds=60, days=90), tmp_path / "out"
    command = [sys.executable, "-m", "wargame.cli", "batch", str(path), "--jobs", "2"]
    chance, kills = random.Random(9), 0
    for attempt in range(6):  # six kills at random moments, then it may finish
        resume = ["--resume"] if attempt else []
        batch = subprocess.Popen([*command, "--out", str(out), *resume], stderr=subprocess.PIPE)
        how = chance.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM])
        # SIGTERM once the command is running (while Python is still importing, it just dies):
        # up to 3.5 s after it holds its folder, however long a busy machine took to start it
        delay = chance.uniform(2.5, 6.0) if how == signal.SIGTERM else chance.uniform(0.3, 6.0)
        if how == signal.SIGTERM and wait_until_holding(out, batch):
            delay -= 2.5
        with contextlib.suppress(subprocess.TimeoutExpired):
            batch.wait(timeout=delay)
        if batch.returncode is not None:
            break  # finished before its kill came
        workers = psutil.Process(batch.pid).children(recursive=True)
        os.kill(batch.pid, how)
        batch.wait(timeout=120)
        if how == signal.SIGKILL:
            assert_ended(workers)  # they die with the batch
        else:
            assert batch.returncode == 130, batch.stderr.read()
        kills += 1
        if (out / "metadata.json").exists():
            assert_whole_files(out)
    saved = len(read_runs(out)) if list((out / "runs").glob("part-*.parquet")) else 0
    assert kills >= 4 and saved < 60  # the kills left it part-way (on a busy machine, at 0)
    finished = subprocess.run([*command, "--out", str(out), "--resume"], capture_output=True)
    assert finished.returncode == 0, finished.stderr.decode()
    assert_same_as_uninterrupted(path, out, tmp_path)
    assert not list(out.rglob(".*.tmp"))
