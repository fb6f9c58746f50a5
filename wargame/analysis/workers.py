"""Worker processes for runs: spawned, never forked, and ending with the command that started them.

A batch, a score and a calibration spread their runs over such processes.
Spawned, because a forked copy of a process with threads may inherit a lock
held by a thread it does not have. Each worker ends when its driver ends,
even by `kill -9`, rather than run on unseen. Each hands its results over in
files, so that a worker killed while handing one over cannot hang the pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from functools import partial
from pathlib import Path

from wargame.files import StrPath

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a Linux process gets when the thread that started it ends."""


@contextlib.contextmanager
def spawned_pool(jobs: int) -> Iterator[Executor]:
    """A pool of `jobs` worker processes that die with this one and hand results over in files."""
    context = multiprocessing.get_context("spawn")  # no forked copies of threads or locks
    with (
        tempfile.TemporaryDirectory(prefix="wargame-results-") as folder,
        ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=die_with_driver,
            initargs=(os.getpid(),),
        ) as pool,
    ):
        yield HandOverPool(pool, Path(folder))


class HandOverPool(Executor):
    """A process pool whose workers write each result to a file and send only its name.

    A worker killed while it sends a long result leaves half a message in the pool's one
    result pipe, and the pool's manager thread then waits for the rest for ever (CPython
    3.12): the batch hangs instead of reporting the dead worker. A file's name fits in one
    pipe write, which the kernel makes whole or nothing, so the pool sees the death.
    """

    def __init__(self, pool: ProcessPoolExecutor, folder: StrPath) -> None:
        self._pool, self.folder = pool, Path(folder)

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        """`fn(*args, **kwargs)` in a worker; the future holds its result, read from the file."""
        sent = self._pool.submit(hand_over, self.folder, fn, *args, **kwargs)
        taken = _Taken(sent)
        sent.add_done_callback(partial(_take_over, taken))
        return taken

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class _Taken(Future):
    """The caller's future of a run handed over by file: cancelled only if the run is."""

    def __init__(self, sent: Future) -> None:
        super().__init__()
        self._sent = sent

    def cancel(self) -> bool:
        return self._sent.cancel() and super().cancel()


def hand_over(folder: StrPath, fn: Callable, /, *args, **kwargs) -> str:
    """In a worker: call `fn` and write what it returns or raises to a new file in `folder`."""
    try:
        outcome = (True, fn(*args, **kwargs))
    except Exception as error:
        error.add_note("".join(traceback.format_exception(error)))  # the worker's traceback
        outcome = (False, error)
    handle, path = tempfile.mkstemp(dir=folder, suffix=".pickle")
    with os.fdopen(handle, "wb") as file:
        pickle.dump(outcome, file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _take_over(taken: _Taken, sent: Future) -> None:
    """Settle `taken` from the worker's file named by `sent`, or from how `sent` failed; a
    file that cannot be read settles it too, as a failure (it must never stay pending)."""
    if sent.cancelled():
        Future.cancel(taken)
        return
    try:
        failure = sent.exception()
        if failure is not None:
            raise failure
        path = Path(sent.result())
        try:
            with path.open("rb") as file:
                ok, value = pickle.load(file)
        finally:
            path.unlink(missing_ok=True)
    except BaseException as error:
        ok, value = False, error
    with contextlib.suppress(InvalidStateError):  # `taken` was cancelled meanwhile
        if ok:
            taken.set_result(value)
        else:
            taken.set_exception(value)


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
