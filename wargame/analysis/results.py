"""A batch's results folder: its parts, the lock that keeps it one batch's, reading it back.

`runs/part-NNNNN.parquet` holds one row per run; with `keep_series`,
`series/part-NNNNN.parquet` holds the daily series of the ok runs of the runs part of
the same number; `metadata.json` says what the runs were made from. Parts are written
under a hidden temporary name and renamed, the series part before its runs part, so a
batch killed at any moment leaves only whole files, and a run counts as done once its
runs part exists. Only files named as parts are read: anything else in `runs/` or
`series/` (a copy, a note) is left alone and named by `stray_files`. A part that does
not read is named with what to do about it, never guessed around.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wargame.files import StrPath, written_whole

RUNS, SERIES, METADATA = "runs", "series", "metadata.json"
LOCK = ".lock"
PART_NAME = re.compile(r"part-(\d{5,})\.parquet")
TEMPORARY = ".*.tmp"
"""What `written_whole` writes to before the rename: a killed batch may leave one."""


class BatchError(Exception):
    """A results folder that cannot be used as asked; the message says why and what to do."""


class DamagedPart(BatchError):
    """A part that does not read as the batch wrote it (truncated, overwritten, a stranger)."""

    def __init__(self, part: StrPath, out: StrPath, why: str) -> None:
        part = Path(part)
        super().__init__(
            f"{part} is damaged ({why}): delete it and run `{resume_command(out)}` to redo its runs"
        )
        self.part = part


def resume_command(out: StrPath) -> str:
    """The command that finishes the batch of `out`, for messages."""
    out = Path(out)
    try:
        experiment = json.loads((out / METADATA).read_text(encoding="utf-8"))["experiment_file"]
    except (OSError, ValueError, KeyError, TypeError):
        experiment = "EXPERIMENT"
    return f"wargame batch {experiment} --out {out} --resume"


def read_metadata(out: StrPath) -> dict:
    """What a results folder's runs were made from (`metadata.json`); raises BatchError when
    it does not read as the batch wrote it."""
    path = Path(out) / METADATA
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BatchError(
            f"{path} is damaged ({error}): what the runs were made from is lost, so they "
            "cannot be resumed or trusted; run the batch again into a new --out"
        ) from None
    if not isinstance(metadata, dict):
        raise BatchError(f"{path} is damaged (not a JSON object): run the batch again")
    return metadata


def write_metadata(metadata: dict, out: StrPath) -> None:
    with written_whole(Path(out) / METADATA) as temporary:
        temporary.write_text(json.dumps(metadata, indent=2, default=str), encoding="utf-8")


# --- the lock ----------------------------------------------------------------------------


@contextlib.contextmanager
def held(
    out: StrPath, command: str = "batch", again: str = "run again with --resume"
) -> Iterator[None]:
    """Hold the folder for one batch (or another `command`), or refuse at once if another
    holds it, saying how to carry on (`again`).

    An OS lock (flock) on `out/.lock`: the system releases it when its holder ends,
    however it ends (`kill -9` too), so there is never a stale lock to clear by hand.
    The file keeps the holder's process id, for the refusal's message.
    """
    import fcntl  # POSIX; here rather than above, so reading results works anywhere

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            raise BatchError(
                f"{out} is in use by another {command}"
                f"{f' (process {holder})' if holder else ''}: "
                f"wait for it to finish or stop it, then {again}"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- parts -------------------------------------------------------------------------------


def part_files(folder: StrPath) -> dict[int, Path]:
    """The parts in `folder` by number, in order; other files there are not parts."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    numbered = {}
    for path in folder.iterdir():
        match = PART_NAME.fullmatch(path.name)
        if match and path.is_file():
            numbered[int(match[1])] = path
    return dict(sorted(numbered.items()))


def stray_files(out: StrPath) -> list[Path]:
    """Files in `runs/` and `series/` that are neither parts nor a batch's temporary files."""
    out = Path(out)
    return sorted(
        path
        for name in (RUNS, SERIES)
        if (out / name).is_dir()
        for path in (out / name).iterdir()
        if not PART_NAME.fullmatch(path.name) and not path.match(TEMPORARY)
    )


def read_part(part: StrPath, out: StrPath, columns: list[str] | None = None) -> pa.Table:
    """One part, or DamagedPart naming it if it is not a whole Parquet file with `columns`."""
    try:
        table = pq.read_table(part, columns=columns)
    except PermissionError as error:
        raise BatchError(f"{part}: {error.strerror}") from None
    except (pa.ArrowException, OSError) as error:
        raise DamagedPart(part, out, _why_unreadable(error)) from None
    return table


def _why_unreadable(error: Exception) -> str:
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text)
    if "magic bytes" in text or "size is 0" in text:
        return "not a whole Parquet file: truncated?"
    if text.startswith("No match for FieldRef"):
        return "it lacks the columns of a part"
    return f"unreadable: {text}"


def _runs_tables(out: Path, columns: list[str] | None) -> Iterator[tuple[int, Path, pa.Table]]:
    """Each runs part with its table; a run saved in two parts is refused by name."""
    seen: dict[str, Path] = {}
    for number, part in part_files(out / RUNS).items():
        table = read_part(part, out, columns)
        for run_id in table.column("run_id").to_pylist():
            if run_id in seen:
                raise BatchError(
                    f"run {run_id} is saved twice, in {seen[run_id]} and in {part}: "
                    "delete the one that should not be there (a copy?), then try again"
                )
            seen[run_id] = part
        yield number, part, table


def read_runs(out: StrPath) -> pd.DataFrame:
    """The runs table of a results folder, sorted by run id.

    Raises DamagedPart naming a part that does not read, BatchError when nothing is saved.
    """
    out = Path(out)
    tables = [table for _, _, table in _runs_tables(out, None)]
    if not tables:
        raise BatchError(f"{out} holds no finished runs yet")
    runs = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    return runs.sort_values("run_id", ignore_index=True)


def read_series(out: StrPath) -> pd.DataFrame | None:
    """The daily series of the saved runs, or None when the batch kept none."""
    out = Path(out)
    saved = part_files(out / RUNS)
    parts = [p for number, p in part_files(out / SERIES).items() if number in saved]
    if not parts:
        return None
    tables = [read_part(part, out) for part in parts]
    series = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    return series.sort_values(["run_id", "day"], ignore_index=True)


# --- what a resumed batch finds -----------------------------------------------------------


@dataclass
class Survey:
    """What a results folder holds, and what must go before its missing runs are run."""

    ok: set[str] = field(default_factory=set)
    """Runs saved with status ok: done."""
    remove: list[Path] = field(default_factory=list)
    """Parts whose runs are redone: orphans of a kill, a runs part whose series part is
    gone, a runs part of failed runs only."""
    rewrite: dict[Path, pa.Table] = field(default_factory=dict)
    """Runs parts with some failed runs, as they will be without them."""


def survey(out: StrPath, keep_series: bool) -> Survey:
    """Read every part; raises DamagedPart before anything is changed."""
    out = Path(out)
    found = Survey()
    series = part_files(out / SERIES)
    runs = part_files(out / RUNS)
    found.remove += [part for number, part in series.items() if number not in runs]
    for number, part, table in _runs_tables(out, ["run_id", "status"]):
        ok = pc.equal(table.column("status"), "ok")
        ok_ids = set(table.filter(ok).column("run_id").to_pylist())
        if keep_series and ok_ids:
            if number not in series:  # deleted as damaged: its runs are done again
                found.remove.append(part)
                continue
            kept = set(read_part(series[number], out, ["run_id"]).column("run_id").to_pylist())
            if kept != ok_ids:
                raise DamagedPart(series[number], out, f"its runs are not those of {part}")
        if not ok_ids:
            found.remove.append(part)
        elif len(ok_ids) < table.num_rows:
            found.rewrite[part] = read_part(part, out).filter(ok)
        found.ok |= ok_ids
    return found


def clear(out: StrPath, found: Survey) -> None:
    """Remove what `survey` found to go, and temporary files a killed batch left."""
    out = Path(out)
    for leftover in [*out.glob(TEMPORARY), *out.glob(f"*/{TEMPORARY}")]:
        leftover.unlink()
    for part, table in found.rewrite.items():
        write_part(table, part)
    for part in found.remove:
        part.unlink()


def write_part(table: pa.Table, path: StrPath) -> None:
    with written_whole(path) as temporary:
        pq.write_table(table, temporary)


# --- writing -----------------------------------------------------------------------------

FLUSH_SECONDS = 2.0
"""A finished run is on disk within this long, so `kill -9` loses at most the runs of
its last FLUSH_SECONDS."""
GATHER_SECONDS = 1.0
"""How long the writer gathers finished runs into one part; the rest of FLUSH_SECONDS is
for waking up and writing it on a busy machine (measured: up to 0.5 s at a load of 5 on
2 cores)."""


class ResultWriter:
    """Gathers finished runs and writes them as the next numbered parts."""

    def __init__(self, out: StrPath, schema: pa.Schema) -> None:
        self.out = Path(out)
        self.schema = schema
        numbers = [*part_files(self.out / RUNS), *part_files(self.out / SERIES)]
        self.next_part = max(numbers, default=-1) + 1
        self.rows: list[dict] = []
        self.series: list[pd.DataFrame] = []
        self.oldest: float | None = None
        self.written = 0
        self.failed = 0

    def add(self, row: dict, series: pd.DataFrame | None) -> None:
        self.rows.append(row)
        if series is not None:
            self.series.append(series)
        if self.oldest is None:
            self.oldest = time.monotonic()

    def seconds_left(self) -> float:
        """How long the oldest finished run may still wait before it must be written."""
        if self.oldest is None:
            return FLUSH_SECONDS
        return max(0.0, self.oldest + GATHER_SECONDS - time.monotonic())

    def flush_if_due(self) -> None:
        if self.oldest is not None and self.seconds_left() <= 0.0:
            self.flush()

    def flush(self) -> None:
        """Write what is gathered: the series part first, so a runs part never lacks it."""
        if not self.rows:
            return
        name = f"part-{self.next_part:05d}.parquet"
        if self.series:
            frame = pd.concat(self.series, ignore_index=True)
            write_part(pa.Table.from_pandas(frame, preserve_index=False), self.out / SERIES / name)
        rows = sorted(self.rows, key=lambda row: row["run_id"])
        write_part(pa.Table.from_pylist(rows, schema=self.schema), self.out / RUNS / name)
        self.next_part += 1
        self.written += len(rows)
        self.failed += sum(row["status"] != "ok" for row in rows)
        self.rows, self.series, self.oldest = [], [], None
