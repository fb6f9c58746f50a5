"""Batches on a Dask cluster outside this process: a scheduler and workers started as a
cluster's would be, which cannot see the user's theatre folder, and a worker with other
libraries refused before it runs anything."""

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from test_batch import UNITS
from test_cli import wargame
from test_experiments import write_experiment

from wargame.analysis import batch
from wargame.analysis.batch import run_batch, run_one, tasks
from wargame.analysis.environment import environment, runtime_dependencies
from wargame.analysis.experiments import load_experiment
from wargame.analysis.results import METADATA, BatchError, read_runs

PRELOAD = Path(__file__).parent / "cluster" / "worker_preload.py"


@contextmanager
def outside_cluster(folder: Path, workers: int = 2, **worker_env: str) -> Iterator[Path]:
    """A scheduler and `workers` worker processes started with Dask's own commands, as on a
    cluster; yields the scheduler file they meet through."""
    scheduler_file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [*dask, "scheduler", "--scheduler-file", scheduler_file, "--port", "0", "--no-dashboard"],
        **quiet,
    )
    env = {**os.environ, **worker_env}
    started = [scheduler]
    try:
        for _ in range(workers):
            command = [*dask, "worker", "--scheduler-file", scheduler_file, "--nthreads", "1"]
            command += ["--no-dashboard", "--preload", str(PRELOAD)]
            started.append(subprocess.Popen(command, env=env, cwd=folder, **quiet))
        _wait_for_workers(scheduler_file, workers)
        yield scheduler_file
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def _wait_for_workers(scheduler_file: Path, count: int) -> None:
    deadline = time.monotonic() + 60
    while not scheduler_file.exists():
        assert time.monotonic() < deadline, "the scheduler never wrote its file"
        time.sleep(0.2)
    from dask.distributed import Client

    if count:
        with Client(scheduler_file=str(scheduler_file), timeout="30s") as client:
            client.wait_for_workers(count, timeout=60)


@pytest.fixture
def experiment(theatre_dir):
    folder = theatre_dir(units=UNITS)
    return load_experiment(write_experiment(folder.parent, "", seeds="3"))


def test_workers_that_cannot_see_the_theatre_folder_give_the_runs_of_one_job(experiment, tmp_path):
    hidden = Path(experiment.theatre_path)
    run_batch(experiment, tmp_path / "here", jobs=1)
    with outside_cluster(tmp_path, WARGAME_TEST_HIDDEN=str(hidden)) as scheduler_file:
        _assert_workers_cannot_read(scheduler_file, Path(experiment.theatre_path))
        tally = run_batch(
            experiment, tmp_path / "cluster", backend="dask", scheduler_file=str(scheduler_file)
        )
    assert (tally.done, tally.failed) == (3, 0)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "here"), read_runs(tmp_path / "cluster"))
    recorded = json.loads((tmp_path / "cluster" / METADATA).read_text())
    assert recorded["scheduler"] == str(scheduler_file)


def _assert_workers_cannot_read(scheduler_file: Path, theatre: Path) -> None:
    """The test means something only if a worker really fails to read the theatre by path."""
    from dask.distributed import Client

    from wargame.scenario import load_theatre

    with (
        Client(scheduler_file=str(scheduler_file)) as client,
        pytest.raises(Exception, match="not on this worker"),
    ):
        client.submit(load_theatre, str(theatre), pure=False).result(timeout=60)


def test_a_worker_with_other_libraries_is_refused_before_any_run(experiment, tmp_path):
    other = {"WARGAME_TEST_OTHER_NUMPY": "1.0.0"}
    with (
        outside_cluster(tmp_path, workers=1, **other) as scheduler_file,
        pytest.raises(BatchError) as refused,
    ):
        run_batch(experiment, tmp_path / "out", backend="dask", scheduler_file=scheduler_file)
    message = str(refused.value)
    assert "differs from this process" in message
    assert f"numpy {environment()['numpy']} here, 1.0.0 there" in message
    assert not list((tmp_path / "out" / "runs").glob("part-*"))


def test_a_run_on_a_worker_with_other_code_fails_and_says_why(experiment):
    task = tasks(experiment)[0]
    other = dataclasses.replace(task, environment={**task.environment, "wargame code": "0" * 64})
    row = run_one(other).row
    assert row["status"] == "failed"
    assert "this worker runs other code than the batch: wargame code" in row["error"]
    assert run_one(task).row["status"] == "ok"


def test_the_metadata_records_python_the_code_and_every_library_wargame_needs(experiment, tmp_path):
    run_batch(experiment, tmp_path / "out", jobs=1)
    recorded = json.loads((tmp_path / "out" / METADATA).read_text())["environment"]
    declared = _declared_dependencies()
    assert declared and declared <= set(recorded)
    assert set(runtime_dependencies()) == declared
    import numpy

    assert recorded["numpy"] == numpy.__version__
    assert recorded["python"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert len(recorded["wargame code"]) == 64


def _declared_dependencies() -> set[str]:
    import re
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    return {
        re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower()
        for line in pyproject["project"]["dependencies"]
    }


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--scheduler-file", "x.json"], "--scheduler-file needs --backend dask"),
        (
            ["--backend", "dask", "--scheduler-file", "nowhere/scheduler.json"],
            "--scheduler-file: nowhere is not a folder",
        ),
    ],
)
def test_a_scheduler_file_is_checked_before_anything_runs(experiment, tmp_path, options, said):
    result = wargame("batch", str(experiment.path), "--out", str(tmp_path / "out"), *options)
    assert result.returncode != 0
    assert said in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_batch_waits_for_its_scheduler_file_then_names_it(experiment, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "SCHEDULER_FILE_WAIT", 1.0)
    started = time.monotonic()
    with pytest.raises(BatchError, match=r"scheduler.json: no scheduler file after 1 s"):
        run_batch(
            experiment, tmp_path / "out", backend="dask", scheduler_file=tmp_path / "scheduler.json"
        )
    assert time.monotonic() - started >= 1.0
    assert not (tmp_path / "out").exists()  # nothing written for a batch that never began


def test_a_scheduler_without_workers_is_one_line_and_writes_nothing(
    experiment, tmp_path, monkeypatch
):
    monkeypatch.setattr(batch, "WORKER_WAIT", 2.0)
    with (
        outside_cluster(tmp_path, workers=0) as scheduler_file,
        pytest.raises(BatchError, match=r"no Dask worker joined the scheduler .* in 2 s"),
    ):
        run_batch(experiment, tmp_path / "out", backend="dask", scheduler_file=scheduler_file)
    assert not (tmp_path / "out").exists()


def test_a_folder_made_with_other_libraries_is_not_resumed(experiment, tmp_path):
    out = tmp_path / "out"
    run_batch(experiment, out, jobs=1)
    metadata = json.loads((out / METADATA).read_text())
    metadata["environment"]["numpy"] = "1.0.0"
    (out / METADATA).write_text(json.dumps(metadata))
    with pytest.raises(BatchError, match=r"numpy 1\.0\.0 here, .* there.*would mix runs"):
        run_batch(experiment, out, jobs=1, resume=True)


def test_a_task_without_an_environment_runs_unchecked(experiment):
    task = dataclasses.replace(tasks(experiment)[0], environment=None)
    assert run_one(task).row["status"] == "ok"
