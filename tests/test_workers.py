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


def test_a_run_said_to_be_cancelled_is_never_run(tmp_path):
    """Cancelling reports True only for runs the pool had not yet taken up."""
    with spawned_pool(1) as pool:
        futures = [pool.submit(mark, tmp_path, number) for number in range(20)]
        cancelled = {number for number, future in enumerate(futures) if future.cancel()}
        assert all(futures[n].cancelled() for n in cancelled)
        for number, future in enumerate(futures):
            if number not in cancelled:
                future.result(timeout=60)
    assert cancelled
    assert {int(path.name) for path in tmp_path.iterdir()} == set(range(20)) - cancelled


class Unrebuildable(Exception):
    def __init__(self, a: str, b: str) -> None:  # pickle rebuilds it with one argument
        super().__init__(a)


def raises_unrebuildable() -> None:
    raise Unrebuildable("x", "y")


def test_a_result_that_cannot_be_read_back_fails_its_future_and_its_file_goes():
    with spawned_pool(1) as pool:
        future = pool.submit(raises_unrebuildable)
        with pytest.raises(TypeError):
            future.result(timeout=60)
        assert list(pool.folder.iterdir()) == []


def test_a_failure_keeps_the_workers_traceback():
    with spawned_pool(1) as pool, pytest.raises(ValueError) as raised:
        pool.submit(fails, "no such place").result(timeout=60)
    assert any("in fails" in note for note in raised.value.__notes__)
