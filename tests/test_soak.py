"""Long runs: thousands of days finish, every law holds every day, and memory stays flat.

Each soak runs in a process of its own (tests/soak.py), where the C allocator counts
what the process allocates (Python's objects, numpy's arrays), so what is counted is
what the run holds at the end beyond what it held at the end of a warm-up (memory
freed after warm-up counts against what was allocated). Two things may grow, by
design, and are measured apart, each by the bytes the allocator gets back when it is
dropped at the end: the run's history (the daily series and the event log gain a row
a day) and the road-search cache (bounded by `Routes.SEARCH_CACHE_BYTES`; it fills as
new control situations arise, so it is emptied at the end of warm-up and all of what
it holds at the end is its growth). Everything else must not grow; it may shrink, as
units destroyed after warm-up free their memory (on the large theatre 665 of 2,004
units leave play between days 200 and 1,000: about 1 MiB).

Measured so, by the allocator rather than object by object, the figures do not
depend on what ran before in the process (sizes counted object by object missed
a few hundred KiB the allocator held for the series).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from soak import environment

from wargame.engine.geography import Routes

FLAT_BYTES = 512 * 1024  # what the rest may grow by over the whole run: caches settling
SCRIPT = Path(__file__).with_name("soak.py")


def _glibc_with_mallinfo2() -> bool:
    """glibc 2.33 or later, the first with `mallinfo2`; elsewhere the soak traces."""
    library, version = platform.libc_ver()
    return library == "glibc" and tuple(int(v) for v in version.split(".")[:2]) >= (2, 33)


def soak(*arguments: str) -> dict[str, float]:
    """tests/soak.py's figures for a run, started with the allocator counting exactly."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        env=environment(dict(os.environ)),
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,  # the large soak takes minutes; a hung one must not hold CI
    )
    assert done.returncode == 0, done.stderr[-3000:]
    kept = json.loads(done.stdout.splitlines()[-1])
    if _glibc_with_mallinfo2():  # the allocator's count, not the 4x slower trace
        assert kept["meter"] == "malloc", kept
    return kept


def report(name: str, kept: dict[str, float]) -> str:
    return (
        f"{name}: in {kept['days']} days after warm-up memory grew by "
        f"{kept['grown'] / 2**20:.2f} MiB: history {kept['history'] / 2**20:.2f} MiB "
        f"({kept['history'] / kept['days']:.0f} B a day), road searches "
        f"{kept['cache'] / 2**20:.2f} MiB, the rest {kept['rest'] / 1024:.0f} KiB "
        f"(counted by {kept['meter']})"
    )


def test_the_soak_finds_a_leak_planted_in_it():
    """A thousand small objects kept a day after warm-up (about 32 KiB) is more than the
    run's flat memory allows within a month, and the soak says so."""
    kept = soak("kachin", "--seed", "2", "--warm-up", "20", "--days", "50", "--plant-leak", "1000")
    print(report("kachin with a planted leak", kept))
    assert kept["rest"] >= 30 * 1000 * 24, report("planted", kept)  # a float is 24 bytes
    assert kept["rest"] > FLAT_BYTES


@pytest.mark.slow
def test_the_default_theatre_runs_5000_days_keeping_every_law_with_flat_memory():
    kept = soak("kachin", "--seed", "11", "--warm-up", "500", "--days", "5000")
    print(report("kachin 5,000 days", kept))
    assert kept["day"] == 5000
    assert kept["rest"] < FLAT_BYTES, report("kachin", kept)
    assert kept["history"] / kept["days"] < 8 * 1024  # a row of the series and a few events


@pytest.mark.slow
def test_a_large_generated_theatre_runs_1000_days_keeping_every_law_with_flat_memory():
    size = ["--size", "1000", "2000", "5", "10000"]
    kept = soak("synthetic", *size, "--seed", "5", "--warm-up", "200", "--days", "1000")
    print(report("1,000 places, 1,000 days", kept))
    assert kept["day"] == 1000
    assert kept["rest"] < FLAT_BYTES, report("1,000 places", kept)
    assert kept["cache_bytes"] <= Routes.SEARCH_CACHE_BYTES + 64 * 2**20
