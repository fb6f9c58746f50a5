"""Progress of long commands: a live bar on a terminal, a plain line now and then otherwise.

Progress goes to stderr only, so `--json` and other output on stdout stays
parseable. A log file gets a line every `PLAIN_EVERY_SECONDS` rather than a
bar's redraws; a command that ends sooner than that prints nothing at all
(unless asked for a first line at once, as a batch is).
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from collections.abc import Iterator
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PLAIN_EVERY_SECONDS = 10.0


class Update(Protocol):
    def __call__(self, done: int, total: int | None, note: str = "") -> None:
        """`done` of `total` steps (None: not known yet), and a short note on the last one."""


def _eta(started: float, done: int, total: int | None) -> str:
    if not done or total is None:
        return "unknown"
    left = (time.monotonic() - started) / done * (total - done)
    return f"{int(left // 60)}m{int(left % 60):02d}s"


@contextlib.contextmanager
def show_progress(
    label: str,
    unit: str,
    stream: TextIO | None = None,
    *,
    transient: bool = True,
    first_at_once: bool = False,
) -> Iterator[Update]:
    """Yields the `update` a long command calls after each step, shown on `stream` (stderr).

    On a terminal a bar, gone when done if `transient` so a summary printed
    after it reads cleanly. Otherwise a plain line every `PLAIN_EVERY_SECONDS`
    (read when the command starts, so tests may shorten it); the first only
    after that long unless `first_at_once`, and a last one at the end if any
    was printed, so a log shows that a long command finished.
    """
    stream = stream or sys.stderr
    started = time.monotonic()
    if stream.isatty():
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit + "{task.fields[note]}", markup=False),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=transient,
        )
        task = bar.add_task(label, total=None, note="")
        with bar:
            yield lambda done, total, note="": bar.update(
                task, total=total, completed=done, note=f", {note}" if note else ""
            )
        return
    every = PLAIN_EVERY_SECONDS
    last = {"at": -math.inf if first_at_once else started, "done": None}

    def plain(done: int, total: int | None, note: str = "") -> None:
        now = time.monotonic()
        finished = done == total and last["done"] is not None
        if (now - last["at"] >= every or finished) and done != last["done"]:
            last["at"], last["done"] = now, done
            print(
                f"{label}: {done}/{'?' if total is None else total} {unit}"
                f"{f', {note}' if note else ''}, ETA {_eta(started, done, total)}",
                file=stream,
                flush=True,
            )

    yield plain
