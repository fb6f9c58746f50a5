"""Batch runs of an experiment: every point x seed once, on local cores or a Dask cluster.

Results go to a folder (`wargame.analysis.results`): one row per run, the daily series
with `keep_series`, and what the runs were made from. One batch at a time holds
the folder. `resume` runs what is missing and again what failed, and refuses a
folder made from other inputs (the experiment file, any file of the theatre, the
resolved parameters), so results never mix. A run that raises is a row with
status "failed" and its error; the others go on. A run's row depends only on its
point and seed, never on the backend, the number of jobs or the order runs finish
in. Workers die with the batch that started them, even when it is killed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

import pandas as pd
import pyarrow as pa

from wargame import __version__
from wargame.analysis.environment import (
    DISTRIBUTION,
    differences,
    environment,
    worker_environment,
)
from wargame.analysis.experiments import Experiment, On, RunSpec, theatre_digests
from wargame.analysis.results import (
    LOCK,
    METADATA,
    BatchError,
    ResultWriter,
    clear,
    held,
    read_metadata,
    survey,
    write_metadata,
)
from wargame.analysis.workers import spawned_pool
from wargame.files import StrPath
from wargame.progress import show_progress
from wargame.scenario.errors import already_said
from wargame.scenario.parameters import Parameters, commodity_of

if TYPE_CHECKING:
    from wargame.scenario import Theatre

Backend = Literal["local", "dask"]
SCHEDULER_FILE_WAIT = 60.0
"""Seconds a batch waits for a Dask scheduler's file to appear."""
WORKER_WAIT = 600.0
"""Seconds a batch waits for a cluster's first worker (a queued job) before giving up."""

# The batch's own columns of `runs/part-*.parquet`; the rest of a row is the run summary.
# The user guide's table of them is generated from this (docs/generate.py).
RUNS_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "experiment": ("the experiment's id (its file name unless it sets `id`)", "name"),
    "run_id": ("the run's name, `p<point>-s<seed>`, e.g. `p0003-s7`", "name"),
    "point": (
        "the point's number, from 0 in the grid's order or the sampled design's",
        "index",
    ),
    "seed": ("the run's seed", "integer"),
    "<parameter>": (
        "the value of each swept parameter (`[grid]` or `[ranges]`) at this point",
        "its own",
    ),
    "status": ("`ok`, or `failed` when the run raised", "text"),
    "error": ("what went wrong and where, for a failed run; empty when ok", "text"),
    "<summary key>": (
        "every key of the run summary but `seed`, as in its tables above; "
        "lists as comma-separated text",
        "the key's own",
    ),
    "outcome.<name>": (
        "each `[outcomes]` entry: true/false for `holds` and `taken`, "
        "a number for `series` and `pace_change`, a count for `events` and `changed_hands`, "
        "a day for `first_event` (empty if none)",
        "per outcome",
    ),
    "outcome.<name>.day": ("for `taken`: the first day of the capture; empty if never", "days"),
}


class InputsChanged(Exception):
    """A run found its theatre or parameters other than the batch recorded at its start."""


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
    theatre_digests: dict[str, str]
    """The sha256 of each theatre file when the batch began; a run checks it reads the same."""
    resolved: dict[str, object]
    """Every parameter's value for this run, as the batch resolved it."""
    environment: dict[str, str] | None = None
    """Python, wargame's code and its libraries where the batch began; a run checks that
    its worker has the same (`wargame.analysis.environment`). None: no check."""


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
    first_error: str | None = None
    """The first failed run's id and error, for the batch's last line."""


def tasks(experiment: Experiment) -> list[RunTask]:
    digests = {name: recorded.sha256 for name, recorded in experiment.theatre_inputs.items()}
    here = environment()
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
            theatre_digests=digests,
            resolved=experiment.resolved[run.point],
            environment=here,
        )
        for run in experiment.runs()
    ]


def run_one(task: RunTask, theatre: Theatre | None = None) -> RunResult:
    """Run one campaign and reduce it to its row; an exception becomes a failed row.

    `theatre` is the theatre the batch loaded, sent to a cluster's workers with the work;
    without it, the worker reads the theatre's files (on the batch's own machine).
    """
    identity = _identity(task)
    try:
        from wargame.engine.model import build_model

        _check_environment(task)
        if theatre is None:
            theatre = _checked_theatre(task)
        with already_said():  # by load_experiment, for the theatre and every point
            model = build_model(theatre, task.parameters, task.run.seed)
        if model.parameters.model_dump(mode="json") != task.resolved:
            raise InputsChanged(
                "the parameters resolve to other values here than when the batch began "
                "(another version of wargame?)"
            )
        looked: dict[str, object] = {}  # what outcomes read on a day saw then
        for day in range(task.days + 1):
            if day:
                model.step()
            for name, outcome in task.outcomes.items():
                if isinstance(outcome, On) and task.outcome_days[name] == day:
                    looked[name] = outcome.look(model)
        frame = model.series()
        row = {
            **identity,
            "status": "ok",
            "error": None,
            **summary_columns(model),
            **outcome_values(model, frame, task, looked),
        }
        kept = None
        if task.keep_series:
            kept = frame.assign(run_id=task.run.run_id, point=task.run.point, seed=task.run.seed)
        return RunResult(row, kept)
    except Exception as error:  # any failure of one run is recorded, not raised
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f" ({Path(last.filename).name}:{last.lineno})"
        return RunResult({**identity, "status": "failed", "error": f"{error!r}{where}"})


def _check_environment(task: RunTask) -> None:
    """Refuse to run where the code or a library differs from where the batch began: the
    run would not be the run its row says."""
    if task.environment is None:
        return
    if changed := differences(task.environment, worker_environment()):
        raise InputsChanged(f"this worker runs other code than the batch: {'; '.join(changed)}")


def _checked_theatre(task: RunTask) -> Theatre:
    """The theatre as this worker reads it, if its files are those the batch began with:
    an edit during a batch, or a cluster worker with another copy, must not mix in."""
    from wargame.scenario import load_theatre

    theatre = load_theatre(task.theatre)
    digests = theatre_digests(theatre)
    changed = sorted(
        name
        for name in set(digests) | set(task.theatre_digests)
        if digests.get(name) != task.theatre_digests.get(name)
    )
    if changed:
        raise InputsChanged(
            f"the theatre's {', '.join(changed)} changed since the batch began "
            "(its runs would not match the others)"
        )
    return theatre


def outcome_values(
    model, frame: pd.DataFrame, task: RunTask, looked: dict[str, object]
) -> dict[str, object]:
    values: dict[str, object] = {}
    for name, outcome in task.outcomes.items():
        values.update(outcome.values(f"outcome.{name}", model, frame, looked.get(name)))
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
    from wargame.engine.measures import summary_kinds
    from wargame.scenario import PlaceKind

    theatre = experiment.theatre
    places = [p.id for p in theatre.map.places.values() if p.kind is not PlaceKind.SANCTUARY]
    parameters = {name: None for name in flatten(experiment.resolved[0])}
    fields = [
        pa.field("experiment", pa.string()),
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("seed", pa.int64()),
    ]
    fields += [pa.field(name, _arrow_type(values)) for name, values in experiment.swept().items()]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    for name, kind in summary_kinds(
        theatre.factions, places, parameters, theatre.commodities
    ).items():
        if name == "seed":
            continue  # the row's own
        if name.startswith("parameters."):
            arrow = _parameter_type(name.removeprefix("parameters."))
        else:
            arrow = ARROW_TYPES[kind]
        fields.append(pa.field(name, arrow))
    for name, outcome in experiment.spec.outcomes.items():
        for column, kind in outcome.columns(f"outcome.{name}").items():
            fields.append(pa.field(column, ARROW_TYPES[kind]))
    return pa.schema(fields)


ARROW_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}


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


# --- the batch ---------------------------------------------------------------------------


def run_batch(
    experiment: Experiment,
    out: StrPath,
    jobs: int | None = None,
    resume: bool = False,
    backend: Backend = "local",
    scheduler: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    scheduler_file: StrPath | None = None,
) -> Progress:
    """Run what is missing or failed of the experiment into `out`; returns the tally.

    With `backend="dask"`, `scheduler` is a Dask scheduler's address and `scheduler_file`
    the JSON file a scheduler started with `--scheduler-file` wrote (the usual way on a
    SLURM cluster); with neither, a cluster is started on this machine.

    Raises BatchError when the folder cannot be used as asked: another batch holds it, it
    holds results without `resume` or of other inputs, or one of its parts is damaged;
    or when a cluster's workers run other code or libraries than this process.
    """
    out = Path(out)
    if scheduler_file is not None:
        scheduler_file = _await_scheduler_file(Path(scheduler_file))
    _refuse_other_folder(out)
    jobs = jobs or os.cpu_count() or 1
    where = Where(backend, jobs, experiment.theatre, scheduler, scheduler_file)
    # a cluster is reached and its workers checked before anything is written to `out`
    with _connected(where) as client, held(out):
        done = prepare(experiment, out, resume)
        todo = [task for task in tasks(experiment) if task.run.run_id not in done]
        metadata = _metadata(experiment, out, backend, jobs, scheduler or scheduler_file)
        write_metadata(metadata, out)
        writer = ResultWriter(out, results_schema(experiment))
        progress = Progress(total=len(todo))
        arrivals = _execute(todo, where, client, writer.seconds_left)
        try:
            for result in arrivals:
                if result is not None:
                    writer.add(result.row, result.series)
                    _count(progress, result.row)
                    if on_progress:
                        on_progress(progress)
                writer.flush_if_due()
        finally:
            arrivals.close()  # stops the workers now, not whenever the generator is collected
            writer.flush()
            saved, total = len(done) + writer.written, len(experiment.runs())
            metadata.update(
                finished=_now(),
                runs_total=total,
                runs_saved=saved,
                runs_failed=writer.failed,
                complete=saved == total and writer.failed == 0,
            )
            write_metadata(metadata, out)
    return progress


def _count(progress: Progress, row: dict[str, object]) -> None:
    progress.done += 1
    if row["status"] != "ok":
        progress.failed += 1
        if progress.first_error is None:
            progress.first_error = f"{row['run_id']}: {row['error']}"


def _refuse_other_folder(out: Path) -> None:
    """Before anything is written into `out`: it must be new, empty or a results folder."""
    if out.exists() and not out.is_dir():
        raise BatchError(f"{out} is a file, not a folder: choose another --out")
    if (
        out.is_dir()
        and not (out / METADATA).exists()
        and any(path.name != LOCK for path in out.iterdir())
    ):
        raise BatchError(f"{out} exists and is not a results folder: choose another --out")


def prepare(experiment: Experiment, out: StrPath, resume: bool) -> set[str]:
    """Check the held folder fits the request and clear what is to be run again.

    Returns the runs already done. Nothing is changed unless every part reads whole.
    """
    out = Path(out)
    _refuse_other_folder(out)
    if not (out / METADATA).exists():
        return set()
    metadata = read_metadata(out)
    if not resume:
        raise BatchError(
            f"{out} already holds results of experiment {metadata.get('experiment')!r}: "
            "pass --resume to finish them, or choose another --out"
        )
    _refuse_other_inputs(experiment, out, metadata)
    _refuse_other_seeds(experiment, out, metadata)
    _refuse_other_environment(out, metadata)
    found = survey(out, experiment.spec.experiment.keep_series)
    clear(out, found)
    return found.ok


def _refuse_other_inputs(experiment: Experiment, out: Path, metadata: dict) -> None:
    if metadata.get("experiment") != experiment.id:
        raise BatchError(
            f"{out} holds results of experiment {metadata.get('experiment')!r}, "
            f"not {experiment.id!r}: choose another --out"
        )
    recorded = metadata.get("inputs")
    start_over = f"choose another --out, or delete {out} to start over"
    if not isinstance(recorded, dict) or not all(isinstance(v, dict) for v in recorded.values()):
        raise BatchError(
            f"{out} does not record the theatre and parameters its runs were made from "
            f"(made by an older wargame?), so resuming could mix runs: {start_over}"
        )
    changed = experiment.changed_inputs(recorded)
    if changed:
        paths = {name: item.path for name, item in experiment.inputs.items()}
        named = [
            f"the {name} ({paths[name]})" if paths.get(name) else f"the {name}" for name in changed
        ]
        described = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
        raise BatchError(
            f"{out} was made from other inputs: {described} changed since its runs began; "
            f"resuming would mix runs of both: {start_over}"
        )


def _refuse_other_environment(out: Path, metadata: dict) -> None:
    """Runs made by other code or libraries would not be the runs of the same seeds."""
    recorded = metadata.get("environment")
    if isinstance(recorded, dict) and (changed := differences(recorded, environment())):
        raise BatchError(
            f"{out} was made with another wargame or other libraries ({'; '.join(changed)}, "
            "'here' being the folder's): resuming would mix runs of both; install what it "
            f"was made with, or choose another --out"
        )


def _refuse_other_seeds(experiment: Experiment, out: Path, metadata: dict) -> None:
    """The file's seeds are checked with the file; `--seeds` can ask for others."""
    if metadata.get("seeds") == experiment.seeds:
        return
    by_flag = experiment.seeds_override is not None or metadata.get("seeds_override")
    raise BatchError(
        f"{out} holds runs on {_seed_words(metadata.get('seeds'))}, and this batch asks for "
        f"{_seed_words(experiment.seeds)}{' (--seeds)' if by_flag else ''}: resuming would mix "
        f"the two; choose another --out, or delete {out} to start over"
    )


def _seed_words(seeds: object) -> str:
    """Seeds as a reader would name them: "seeds 0 to 39", or the list when it is not a range."""
    if not isinstance(seeds, list) or not seeds:
        return "unrecorded seeds"
    if seeds == list(range(len(seeds))):
        return f"seeds 0 to {len(seeds) - 1}" if len(seeds) > 1 else "seed 0"
    shown = ", ".join(map(str, seeds[:6])) + (", ..." if len(seeds) > 6 else "")
    return f"seeds {shown}"


# --- where runs are run ------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where a batch's runs are run, and the theatre they need there."""

    backend: Backend
    jobs: int
    theatre: Theatre
    scheduler: str | None = None
    scheduler_file: Path | None = None


def _execute(
    todo: list[RunTask], where: Where, client, patience: Callable[[], float]
) -> Iterator[RunResult | None]:
    """Each run's result as it finishes, or None when `patience()` seconds pass without one
    (the writer's cue to write what it holds)."""
    if not todo:
        return
    if where.backend == "dask":
        yield from _execute_dask(todo, where.theatre, client, patience)
    elif where.jobs == 1:
        yield from _execute_here(todo, patience)
    else:
        yield from _execute_pool(todo, where.jobs, patience)


def _arrivals(
    finished: queue.SimpleQueue, count: int, patience: Callable[[], float]
) -> Iterator[object | None]:
    """The `count` things put in `finished`, or None after each `patience()` seconds without."""
    arrived = 0
    while arrived < count:
        try:
            item = finished.get(timeout=patience())
        except queue.Empty:
            yield None
            continue
        arrived += 1
        yield item


def _execute_here(todo: list[RunTask], patience: Callable[[], float]) -> Iterator[RunResult | None]:
    """One run at a time in this process, on a thread so that finished runs are written on
    time while the next one runs. A daemon thread: an interrupted batch does not wait for
    its current run to end."""
    finished: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        for task in todo:
            if stop.is_set():
                return
            finished.put(run_one(task))

    threading.Thread(target=work, name="wargame-batch-run", daemon=True).start()
    try:
        yield from _arrivals(finished, len(todo), patience)
    finally:
        stop.set()


def _execute_pool(
    todo: list[RunTask], jobs: int, patience: Callable[[], float]
) -> Iterator[RunResult | None]:
    finished: queue.SimpleQueue = queue.SimpleQueue()
    with spawned_pool(jobs) as pool:
        futures = [pool.submit(run_one, task) for task in todo]
        for future in futures:
            future.add_done_callback(finished.put)
        try:
            for future in _arrivals(finished, len(futures), patience):
                yield None if future is None else future.result()
        except BrokenProcessPool:
            raise BatchError(
                "a worker process stopped without a word (killed, or out of memory); "
                "the runs finished before it are saved: --resume runs the rest"
            ) from None
        finally:
            for future in futures:
                future.cancel()


def _execute_dask(
    todo: list[RunTask], theatre: Theatre, client, patience: Callable[[], float]
) -> Iterator[RunResult | None]:
    """The runs on a Dask cluster. The loaded theatre goes to the workers once, with the
    work, so a worker needs no copy of the theatre's files at any path."""
    finished: queue.SimpleQueue = queue.SimpleQueue()
    futures = []
    try:
        sent = client.scatter(theatre, broadcast=True, hash=False)
        futures = client.map(run_one, todo, theatre=sent, pure=False)
        task_of = {future.key: task for future, task in zip(futures, todo, strict=True)}
        for future in futures:
            future.add_done_callback(finished.put)
        for future in _arrivals(finished, len(futures), patience):
            yield None if future is None else _dask_result(future, task_of[future.key])
    finally:
        for future in futures:
            future.cancel()


@contextlib.contextmanager
def _connected(where: Where) -> Iterator[object | None]:
    """A Dask client whose workers run this process's code and libraries (None for the
    local backend); closed, with any cluster started for it, when the batch ends."""
    if where.backend != "dask":
        yield None
        return
    cluster, client = _dask_client(where)
    try:
        if cluster is None:
            _await_workers(client, where.scheduler or where.scheduler_file)
        _refuse_other_workers(client)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _await_workers(client, scheduler: object) -> None:
    """Wait for a first worker: on a cluster, workers are jobs that may still be queued."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError:
        raise BatchError(
            f"no Dask worker joined the scheduler {scheduler} in {WORKER_WAIT:.0f} s: start "
            "workers (`dask worker --scheduler-file FILE` or `dask worker ADDRESS`)"
        ) from None


def _dask_client(where: Where):
    """A client of the scheduler asked for, or of a cluster started here (and that cluster)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if where.scheduler is None and where.scheduler_file is None:
        # the workers' statistical profiler takes the GIL every 10 ms to walk the stacks,
        # which slows a pure-Python model; a local cluster is for runs, not for profiling
        with dask.config.set({"distributed.worker.profile.enabled": False}):
            cluster = LocalCluster(
                n_workers=where.jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
        return cluster, Client(cluster)
    named = where.scheduler or where.scheduler_file
    try:
        if where.scheduler_file is not None:
            return None, Client(scheduler_file=str(where.scheduler_file), timeout="30s")
        return None, Client(where.scheduler, timeout="30s")
    except (OSError, ValueError) as error:
        raise BatchError(f"cannot reach the Dask scheduler {named}: {error}") from None


def _await_scheduler_file(path: Path) -> Path:
    """The scheduler file once it exists: on a cluster the batch may start while the
    scheduler it was started with is still writing it."""
    deadline = time.monotonic() + SCHEDULER_FILE_WAIT
    while not path.is_file():
        if not path.parent.is_dir():
            raise BatchError(f"{path}: no folder {path.parent} for a scheduler file")
        if time.monotonic() > deadline:
            raise BatchError(
                f"{path}: no scheduler file after {SCHEDULER_FILE_WAIT:.0f} s (a scheduler "
                "started with `dask scheduler --scheduler-file FILE` writes it)"
            )
        time.sleep(0.5)
    return path


def _refuse_other_workers(client) -> None:
    """Stop before any run when a connected worker has other code or libraries than this
    process: its runs would differ from ours under the same seed. A worker that joins
    later is checked by each run it takes (`_check_environment`)."""
    mine = environment()
    try:
        theirs = client.run(environment)
    except Exception as error:  # a worker that cannot even import wargame
        raise BatchError(
            f"the Dask workers cannot run wargame ({error!r}): install {DISTRIBUTION} "
            f"{mine[DISTRIBUTION]} and its locked libraries (pylock.toml) on every worker"
        ) from None
    for address, found in sorted(theirs.items()):
        if changed := differences(mine, found):
            raise BatchError(
                f"the Dask worker at {address} differs from this process: "
                f"{'; '.join(changed)}. Install the same wargame and libraries on every "
                "worker (pylock.toml)"
            )


def _dask_result(future, task: RunTask) -> RunResult:
    try:
        return future.result()
    except Exception as error:  # the worker itself was lost: the run is failed
        return RunResult({**_identity(task), "status": "failed", "error": repr(error)})


def _identity(task: RunTask) -> dict[str, object]:
    """The columns that say which run a row is."""
    return {
        "experiment": task.experiment,
        "run_id": task.run.run_id,
        "point": task.run.point,
        "seed": task.run.seed,
        **task.run.parameters,
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _metadata(
    experiment: Experiment, out: Path, backend: str, jobs: int, scheduler: str | Path | None
) -> dict[str, object]:
    previous = read_metadata(out) if (out / METADATA).exists() else {}
    return {
        "experiment": experiment.id,
        "title": experiment.spec.experiment.title,
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.digest,
        "experiment_spec": experiment.spec.model_dump(mode="json", by_alias=True),
        "inputs": {
            name: {"path": item.path, "sha256": item.sha256}
            for name, item in experiment.inputs.items()
        },
        "grid": experiment.grid,
        "unswept": experiment.unswept(),
        "design": None if experiment.design is None else experiment.design.to_metadata(),
        "fan_series": experiment.fan_series,
        "theatre": experiment.theatre_path,
        "days": experiment.days,
        "seeds": experiment.seeds,
        "seeds_override": experiment.seeds_override,
        "wargame_version": __version__,
        "python": sys.version.split()[0],
        "environment": environment(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "backend": backend,
        "scheduler": None if scheduler is None else str(scheduler),
        "jobs": jobs,
        "first_started": previous.get("first_started", _now()),
        "started": _now(),
        "finished": None,
        "complete": False,
    }


@contextlib.contextmanager
def progress_display(
    label: str, stream: TextIO | None = None
) -> Iterator[Callable[[Progress], None]]:
    """Yields the callback `run_batch` calls after each run; the bar stays, as a record."""
    with show_progress(label, "runs", stream, transient=False, first_at_once=True) as update:
        yield lambda tally: update(tally.done, tally.total, f"{tally.failed} failed")
