"""The worker pool hands results over in files: what comes back, what is left, and a death."""

import os
import pickle
import select
import signal
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool, _ResultItem
from pathlib import Path

import pytest

from wargame.analysis.workers import hand_over, spawned_pool


def big(n: int) -> list[int]:
    return list(range(n))


def fails(message: str) -> None:
    raise ValueError(message)


def dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_results_and_failures_come_back_whole_and_their_files_go():
    with spawned_pool(2) as pool:
        folder = pool.folder
        futures = [pool.submit(big, n) for n in (0, 10, 300_000)]
        failed = pool.submit(fails, "no such place")
        assert [future.result(timeout=60) for future in futures] == [big(0), big(10), big(300_000)]
        with pytest.raises(ValueError, match="no such place"):
            failed.result(timeout=60)
        assert list(folder.iterdir()) == []
    assert not folder.exists()


def test_what_a_worker_sends_through_the_pipe_fits_one_atomic_write(tmp_path):
    """A write of at most PIPE_BUF bytes to a pipe is whole or nothing, even under kill -9."""
    path = hand_over(tmp_path, big, 1_000_000)
    message = pickle.dumps(_ResultItem(2**31, result=path), pickle.HIGHEST_PROTOCOL)
    assert len(message) + 8 <= select.PIPE_BUF  # the connection's header is 4 or 8 bytes
    with open(path, "rb") as file:
        assert pickle.load(file) == (True, big(1_000_000))


def test_a_dead_worker_breaks_the_pool_instead_of_hanging_it():
    with spawned_pool(2) as pool:
        futures = [pool.submit(big, 200_000) for _ in range(6)] + [pool.submit(dies)]
        with pytest.raises(BrokenProcessPool):
            for future in as_completed(futures, timeout=60):
                future.result()


def mark(folder: Path, number: int) -> None:
    (folder / str(number)).touch()


def test_a_cancelled_run_is_not_run(tmp_path):
    with spawned_pool(1) as pool:
        futures = [pool.submit(mark, tmp_path, number) for number in range(20)]
        cancelled = [future for future in futures[1:] if future.cancel()]
        futures[0].result(timeout=60)
    assert cancelled and all(future.cancelled() for future in cancelled)
    assert len(list(tmp_path.iterdir())) == 20 - len(cancelled)
