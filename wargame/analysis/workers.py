"""Worker processes for runs: spawned, never forked, and ending with the command that started them.

A batch, a score and a calibration spread their runs over such processes.
Spawned, because a forked copy of a process with threads may inherit a lock
held by a thread it does not have. Each worker ends when its driver ends,
even by `kill -9`, rather than run on unseen.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a Linux process gets when the thread that started it ends."""


@contextlib.contextmanager
def spawned_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` worker processes that die with this one."""
    context = multiprocessing.get_context("spawn")  # no forked copies of threads or locks
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=die_with_driver, initargs=(os.getpid(),)
    ) as pool:
        yield pool


def die_with_driver(driver: int) -> None:
    """A worker's first act: end when the command that started it ends, even by `kill -9`,
    rather than run on unseen (and keep the resource tracker alive with it).

    On Linux the kernel sends the signal (prctl PR_SET_PDEATHSIG), at once; it acts when
    the thread that started the worker ends, and a pool starts its workers from the
    thread that submits the runs, which outlives them. Elsewhere a thread watches.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(target=watch_driver, args=(driver,), daemon=True).start()
    if os.getppid() != driver:  # the driver ended before the worker got here
        os._exit(1)


def watch_driver(driver: int, every: float = 1.0) -> None:
    """End this process once its parent is no longer `driver` (it died: we were adopted)."""
    while os.getppid() == driver:
        time.sleep(every)
    os._exit(1)
