"""The batch's progress: a live bar on a terminal, a plain line now and then otherwise."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from wargame.batch import Progress as Tally

PLAIN_EVERY_SECONDS = 10.0


def _eta(tally: Tally) -> str:
    if not tally.done:
        return "unknown"
    left = (time.monotonic() - tally.started) / tally.done * (tally.total - tally.done)
    return f"{int(left // 60)}m{int(left % 60):02d}s"


@contextlib.contextmanager
def progress_display(label: str, stream: TextIO | None = None) -> Iterator[Callable[[Tally], None]]:
    """Yields the callback `run_batch` calls after each run."""
    stream = stream or sys.stderr
    if stream.isatty():
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs, {task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream),
        )
        task = bar.add_task(label, total=None, failed=0)
        with bar:
            yield lambda t: bar.update(task, total=t.total, completed=t.done, failed=t.failed)
        return
    last = {"at": 0.0}

    def plain(tally: Tally) -> None:
        now = time.monotonic()
        if tally.done == tally.total or now - last["at"] >= PLAIN_EVERY_SECONDS:
            last["at"] = now
            print(
                f"{label}: {tally.done}/{tally.total} runs, {tally.failed} failed, "
                f"ETA {_eta(tally)}",
                file=stream,
                flush=True,
            )

    yield plain
