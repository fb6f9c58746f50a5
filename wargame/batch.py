"""Batch runs of an experiment: every grid point x seed once, on local cores or a Dask cluster.

Results go to a folder: `runs/part-NNNNN.parquet` (one row per run), and with
`keep_series` `series/part-NNNNN.parquet` (one row per run and day), plus
`metadata.json`. Parts are written to a hidden temporary name and renamed, the
series part before its runs part, so a batch killed at any moment leaves only
whole files, and a run counts as done once its runs part exists; `resume`
runs what is missing. A run that raises is a row with status "failed" and its
error; the others go on. A run's row depends only on its point and seed, never
on the backend, the number of jobs or the order runs finish in.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from wargame import __version__
from wargame.engine.events import EventKind
from wargame.experiments import EventCount, Experiment, Holds, RunSpec, SeriesStat, Taken
from wargame.scenario.errors import already_said
from wargame.scenario.parameters import Parameters, commodity_of

RUNS, SERIES, METADATA = "runs", "series", "metadata.json"
FLUSH_SECONDS = 2.0
Backend = Literal["local", "dask"]

# The batch's own columns of `runs/part-*.parquet`; the rest of a row is the run summary.
# The user guide's table of them is generated from this (docs/generate.py).
RUNS_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "experiment": ("the experiment's id (its file name unless it sets `id`)", "name"),
    "run_id": ("the run's name, `p<point>-s<seed>`, e.g. `p0003-s7`", "name"),
    "point": ("the grid point's number, from 0 in the grid's order", "index"),
    "seed": ("the run's seed", "integer"),
    "<parameter>": ("the value of each swept parameter (`[grid]`) at this point", "its own"),
    "status": ("`ok`, or `failed` when the run raised", "text"),
    "error": ("what went wrong and where, for a failed run; empty when ok", "text"),
    "<summary key>": (
        "every key of the run summary but `seed`, as in its tables above; "
        "lists as comma-separated text",
        "the key's own",
    ),
    "outcome.<name>": (
        "each `[outcomes]` entry: true/false for `holds` and `taken`, "
        "a number for `series`, a count for `events`",
        "per outcome",
    ),
    "outcome.<name>.day": ("for `taken`: the first day of the capture; empty if never", "days"),
}


class BatchError(Exception):
    """A results folder that cannot be used as asked (exists, or holds another experiment)."""


@dataclass(frozen=True)
class RunTask:
    """All one worker needs for one run; plain data, so it pickles to any process or cluster."""

    experiment: str
    theatre: str
    days: int
    run: RunSpec
    parameters: dict[str, object]
    outcomes: dict[str, object]
    outcome_days: dict[str, int]
    keep_series: bool


@dataclass
class RunResult:
    row: dict[str, object]
    series: pd.DataFrame | None = None


@dataclass
class Progress:
    total: int
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)


def tasks(experiment: Experiment) -> list[RunTask]:
    return [
        RunTask(
            experiment=experiment.id,
            theatre=experiment.theatre_path,
            days=experiment.days,
            run=run,
            parameters=experiment.parameters_for(run),
            outcomes=dict(experiment.spec.outcomes),
            outcome_days=experiment.outcome_days,
            keep_series=experiment.spec.experiment.keep_series,
        )
        for run in experiment.runs()
    ]


def run_one(task: RunTask) -> RunResult:
    """Run one campaign and reduce it to its row; an exception becomes a failed row."""
    identity = {
        "experiment": task.experiment,
        "run_id": task.run.run_id,
        "point": task.run.point,
        "seed": task.run.seed,
        **task.run.parameters,
    }
    try:
        from wargame.engine.model import ConflictModel

        with already_said():  # by load_experiment, for the theatre and every grid point
            model = ConflictModel(task.theatre, parameters=task.parameters, rng=task.run.seed)
        held: dict[str, bool] = {}
        for day in range(task.days + 1):
            if day:
                model.step()
            for name, outcome in task.outcomes.items():
                if isinstance(outcome, Holds) and task.outcome_days[name] == day:
                    held[name] = model.controller.get(outcome.place) == outcome.faction
        frame = model.series()
        row = {
            **identity,
            "status": "ok",
            "error": None,
            **summary_columns(model),
            **outcome_values(model, frame, task, held),
        }
        kept = None
        if task.keep_series:
            kept = frame.assign(run_id=task.run.run_id, point=task.run.point, seed=task.run.seed)
        return RunResult(row, kept)
    except Exception as error:  # any failure of one run is recorded, not raised
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f" ({Path(last.filename).name}:{last.lineno})"
        return RunResult({**identity, "status": "failed", "error": f"{error!r}{where}"})


def outcome_values(
    model, frame: pd.DataFrame, task: RunTask, held: dict[str, bool]
) -> dict[str, object]:
    from wargame.patterns import first_capture_day

    values: dict[str, object] = {}
    for name, outcome in task.outcomes.items():
        key = f"outcome.{name}"
        if isinstance(outcome, Holds):
            values[key] = held[name]
        elif isinstance(outcome, Taken):
            day = first_capture_day(model, outcome.faction, outcome.place)
            values[key] = day is not None
            values[f"{key}.day"] = day
        elif isinstance(outcome, SeriesStat):
            column = frame[outcome.column].iloc[: task.outcome_days[name] + 1]
            stat = "iloc" if outcome.stat == "final" else outcome.stat
            values[key] = float(column.iloc[-1] if stat == "iloc" else getattr(column, stat)())
        elif isinstance(outcome, EventCount):
            values[key] = sum(
                1
                for event in model.events.of_kind(EventKind(outcome.event))
                if outcome.faction is None or outcome.faction in event.factions
            )
    return values


def summary_columns(model) -> dict[str, object]:
    """The run summary, flattened; its seed is already the row's `seed`."""
    from wargame.engine.measures import summary

    columns = flatten(summary(model))
    del columns["seed"]
    return columns


def flatten(record: dict, prefix: str = "") -> dict[str, object]:
    """Nested summary dicts as dotted columns; lists as comma-joined text."""
    flat: dict[str, object] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple | set):
            flat[name] = ",".join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def results_schema(experiment: Experiment) -> pa.Schema:
    """The runs table's columns and types, fixed before the first run so every part agrees."""
    from wargame.engine.model import ConflictModel

    sample = tasks(experiment)[0]
    with already_said():  # by load_experiment, for the theatre and every grid point
        model = ConflictModel(sample.theatre, parameters=sample.parameters, rng=0)
    fields = [
        pa.field("experiment", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("seed", pa.int64()),
    ]
    fields += [pa.field(name, _arrow_type(values)) for name, values in experiment.grid.items()]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    for name, value in summary_columns(model).items():
        if name.startswith("parameters."):
            kind = _parameter_type(name.removeprefix("parameters."))
        elif name.startswith("control."):
            kind = pa.string()
        else:
            kind = _arrow_type([value])
        fields.append(pa.field(name, kind))
    for name, outcome in experiment.spec.outcomes.items():
        key = f"outcome.{name}"
        if isinstance(outcome, Holds | Taken):
            fields.append(pa.field(key, pa.bool_()))
        if isinstance(outcome, Taken):
            fields.append(pa.field(f"{key}.day", pa.int64()))
        if isinstance(outcome, SeriesStat):
            fields.append(pa.field(key, pa.float64()))
        if isinstance(outcome, EventCount):
            fields.append(pa.field(key, pa.int64()))
    return pa.schema(fields)


def _arrow_type(values: Iterable[object]) -> pa.DataType:
    values = [v for v in values if v is not None]
    if values and all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pa.float64()
    return pa.string()


def _parameter_type(name: str) -> pa.DataType:
    if commodity_of(name) is not None:  # prices.<commodity>
        return pa.float64()
    annotation = str(Parameters.model_fields[name].annotation)
    if "bool" in annotation:
        return pa.bool_()
    if "float" in annotation:
        return pa.float64()
    if "int" in annotation:
        return pa.int64()
    return pa.string()


# --- the results folder -----------------------------------------------------------------


def done_runs(out: Path) -> set[str]:
    """Run ids already saved; leftovers of a killed batch (temporary or orphan parts) go."""
    for leftover in out.glob("*/.*.tmp"):
        leftover.unlink()
    done: set[str] = set()
    parts = set()
    for part in sorted((out / RUNS).glob("part-*.parquet")):
        parts.add(part.name)
        done.update(pq.read_table(part, columns=["run_id"]).column("run_id").to_pylist())
    for part in (out / SERIES).glob("part-*.parquet"):
        if part.name not in parts:  # killed between the series part and its runs part
            part.unlink()
    return done


def _write_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, path)


def _write_json_atomically(document: dict, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    os.replace(temporary, path)


class ResultWriter:
    """Buffers finished runs and writes them as numbered parts every few seconds."""

    def __init__(self, out: Path, schema: pa.Schema) -> None:
        self.out = out
        self.schema = schema
        existing = [int(p.stem.split("-")[1]) for p in (out / RUNS).glob("part-*.parquet")]
        self.next_part = max(existing, default=-1) + 1
        self.rows: list[dict] = []
        self.series: list[pd.DataFrame] = []
        self.last_flush = time.monotonic()

    def add(self, result: RunResult) -> None:
        self.rows.append(result.row)
        if result.series is not None:
            self.series.append(result.series)
        if time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.rows:
            return
        name = f"part-{self.next_part:05d}.parquet"
        if self.series:
            frame = pd.concat(self.series, ignore_index=True)
            _write_atomically(
                pa.Table.from_pandas(frame, preserve_index=False), self.out / SERIES / name
            )
        rows = sorted(self.rows, key=lambda row: row["run_id"])
        _write_atomically(pa.Table.from_pylist(rows, schema=self.schema), self.out / RUNS / name)
        self.next_part += 1
        self.rows, self.series = [], []


def prepare(experiment: Experiment, out: Path, resume: bool) -> set[str]:
    """Check the folder fits the request; returns the runs already done."""
    metadata_path = out / METADATA
    if metadata_path.exists():
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        if not resume:
            raise BatchError(
                f"{out} already holds results of experiment {metadata.get('experiment')!r}: "
                "pass --resume to finish them, or choose another --out"
            )
        if metadata.get("experiment_sha256") != experiment.digest:
            raise BatchError(
                f"{out} holds results of a different version of the experiment file "
                f"({metadata.get('experiment_file')}); resuming would mix them: "
                "choose another --out"
            )
        return done_runs(out)
    if out.exists() and any(out.iterdir()):
        raise BatchError(f"{out} exists and is not a results folder: choose another --out")
    return set()


def run_batch(
    experiment: Experiment,
    out: Path,
    jobs: int | None = None,
    resume: bool = False,
    backend: Backend = "local",
    scheduler: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Run what is missing of the experiment into `out`; returns the final tally."""
    done = prepare(experiment, out, resume)
    todo = [task for task in tasks(experiment) if task.run.run_id not in done]
    jobs = jobs or os.cpu_count() or 1
    out.mkdir(parents=True, exist_ok=True)
    metadata = _metadata(experiment, out, backend, jobs, scheduler)
    _write_json_atomically(metadata, out / METADATA)
    writer = ResultWriter(out, results_schema(experiment))
    progress = Progress(total=len(todo))
    try:
        for result in _execute(todo, jobs, backend, scheduler):
            writer.add(result)
            progress.done += 1
            progress.failed += result.row["status"] != "ok"
            if on_progress:
                on_progress(progress)
    finally:
        writer.flush()
        saved = done_runs(out)
        metadata.update(
            finished=_now(),
            runs_total=len(experiment.runs()),
            runs_saved=len(saved),
            complete=len(saved) == len(experiment.runs()),
        )
        _write_json_atomically(metadata, out / METADATA)
    return progress


def _execute(
    todo: list[RunTask], jobs: int, backend: Backend, scheduler: str | None
) -> Iterator[RunResult]:
    if backend == "dask":
        yield from _execute_dask(todo, jobs, scheduler)
    elif jobs == 1:
        yield from map(run_one, todo)
    else:
        context = multiprocessing.get_context("spawn")  # no forked copies of threads or locks
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(run_one, task) for task in todo]
            try:
                for future in as_completed(futures):
                    yield future.result()
            except BrokenProcessPool:
                raise BatchError(
                    "a worker process stopped without a word (killed, or out of memory); "
                    "the runs finished before it are saved: --resume runs the rest"
                ) from None
            finally:
                for future in futures:
                    future.cancel()


def _execute_dask(todo: list[RunTask], jobs: int, scheduler: str | None) -> Iterator[RunResult]:
    import dask
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        # the workers' statistical profiler takes the GIL every 10 ms to walk the stacks,
        # which slows a pure-Python model; a local cluster is for runs, not for profiling
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = client.map(run_one, todo, pure=False)
        for future, result in dask_completed(futures, with_results=True, raise_errors=False):
            if isinstance(result, RunResult):
                yield result
            else:  # the worker itself was lost: record the run as failed
                task = todo[futures.index(future)]
                yield RunResult(
                    {
                        "experiment": task.experiment,
                        "run_id": task.run.run_id,
                        "point": task.run.point,
                        "seed": task.run.seed,
                        **task.run.parameters,
                        "status": "failed",
                        "error": repr(result),
                    }
                )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _metadata(
    experiment: Experiment, out: Path, backend: str, jobs: int, scheduler: str | None
) -> dict[str, object]:
    previous = {}
    if (out / METADATA).exists():
        previous = json.loads((out / METADATA).read_text(encoding="utf-8"))
    return {
        "experiment": experiment.id,
        "title": experiment.spec.experiment.title,
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.digest,
        "experiment_spec": experiment.spec.model_dump(mode="json", by_alias=True),
        "grid": experiment.grid,
        "fan_series": experiment.fan_series,
        "theatre": experiment.theatre_path,
        "days": experiment.days,
        "seeds": experiment.seeds,
        "wargame_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "backend": backend,
        "scheduler": scheduler,
        "jobs": jobs,
        "first_started": previous.get("first_started", _now()),
        "started": _now(),
        "finished": None,
    }


def read_runs(out: Path) -> pd.DataFrame:
    """The runs table of a results folder, sorted by run id."""
    return pd.read_parquet(out / RUNS).sort_values("run_id", ignore_index=True)


def read_series(out: Path) -> pd.DataFrame | None:
    folder = out / SERIES
    if not any(folder.glob("part-*.parquet")):
        return None
    return pd.read_parquet(folder).sort_values(["run_id", "day"], ignore_index=True)
