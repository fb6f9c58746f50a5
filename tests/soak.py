"""One soak run, in a process of its own: days of a theatre with every law checked daily, and
what memory grew by after warm-up, by kind; prints the figures as JSON.

Memory is what the C allocator has handed out and not had back, Python's objects and
numpy's arrays alike (memory a library maps for itself is not counted; tracemalloc
missed it too). The test starts this script with Python's own small-object allocator
off (PYTHONMALLOC=malloc) and glibc's per-thread cache off, so every block the run
holds is counted by `mallinfo2` the moment it is allocated or freed. That costs the
run little, where tracing each allocation (`tracemalloc`, used where glibc or its
`mallinfo2` is missing) makes it 4x slower. Either way the figure is bytes held, so
memory freed after warm-up counts against what was allocated.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import sys
import tracemalloc
from collections.abc import Callable

from invariants import check_day, starting_counts

from wargame import ConflictModel
from wargame.phases import observation
from wargame.scenario.synthetic import synthetic_theatre


def environment(inherited: dict[str, str]) -> dict[str, str]:
    """The environment to start this script with, so that the allocator's count is exact:
    Python's small-object allocator off, glibc's per-thread cache off (after any tunables
    the caller set)."""
    tunables = [t for t in inherited.get("GLIBC_TUNABLES", "").split(":") if t]
    tunables.append("glibc.malloc.tcache_count=0")
    return {**inherited, "PYTHONMALLOC": "malloc", "GLIBC_TUNABLES": ":".join(tunables)}


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _glibc_count() -> Callable[[], int] | None:
    """Bytes glibc's malloc has handed out and not had back, if every allocation is its."""
    if os.environ.get("PYTHONMALLOC") != "malloc":
        return None
    if "glibc.malloc.tcache_count=0" not in os.environ.get("GLIBC_TUNABLES", ""):
        return None  # blocks freed into the per-thread cache would still count as held
    try:
        mallinfo2 = ctypes.CDLL(ctypes.util.find_library("c")).mallinfo2
    except (OSError, AttributeError, TypeError):
        return None
    mallinfo2.restype = _MallInfo2

    def count() -> int:
        info = mallinfo2()
        return info.uordblks + info.hblkhd  # in the heap's chunks, and mapped apart

    return count


class Meter:
    """Bytes the process holds now, after collecting what is unreachable."""

    def __init__(self) -> None:
        self._count = _glibc_count()
        self.kind = "malloc" if self._count else "tracemalloc"
        if self._count is None:
            tracemalloc.start()
            self._count = lambda: tracemalloc.get_traced_memory()[0]
        self._check()

    def held(self) -> int:
        gc.collect()
        return self._count()

    def _check(self) -> None:
        """Refuse a meter that misses small objects: a leak of them is the likely one."""
        before = self.held()
        kept = [str(i) * 4 for i in range(20_000)]
        seen = self.held() - before
        real = sum(sys.getsizeof(item) for item in kept) + sys.getsizeof(kept)
        del kept
        if not real <= seen <= 2 * real:
            raise SystemExit(f"the {self.kind} meter saw {seen:,} bytes of {real:,} allocated")


def soak(
    build: Callable[[], ConflictModel], warm_up: int, days: int, leak: int = 0
) -> dict[str, float]:
    """Build and run, checking the laws daily; what memory grew by after warm-up, by kind.

    At the end the history written after warm-up is dropped, then the road-search
    cache, and what the allocator gets back each time is that part's growth: the
    model keeps its state but not its history or its cache. `leak` floats a day are
    kept for good, one object each: a planted leak, for the test that the soak finds one.
    """
    meter = Meter()
    planted: list[list[float]] = []
    model = build()
    start, people = starting_counts(model)
    for _ in range(warm_up):
        model.step()
        check_day(model, start, people)
    model.routes.clear_cache()
    rows, logged = len(model.states[observation].rows), len(model.events)
    before = meter.held()
    for _ in range(days - warm_up):
        model.step()
        check_day(model, start, people)
        if leak:
            planted.append([float(model.day + i) for i in range(leak)])
    cache_bytes = model.routes.cache_bytes()
    end = meter.held()
    del model.states[observation].rows[rows:], model.events[logged:]
    without_history = meter.held()
    model.routes.clear_cache()
    without_cache = meter.held()
    return {
        "meter": meter.kind,
        "day": model.day,
        "days": days - warm_up,
        "grown": end - before,
        "history": end - without_history,
        "cache": without_history - without_cache,
        "cache_bytes": cache_bytes,
        "rest": without_cache - before,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("theatre", help="a theatre's name, or 'synthetic'")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--warm-up", type=int, required=True)
    parser.add_argument("--days", type=int, required=True)
    parser.add_argument(
        "--size",
        type=int,
        nargs=4,
        metavar=("PLACES", "UNITS", "FACTIONS", "CIVILIANS"),
        help="the synthetic theatre's size",
    )
    parser.add_argument("--plant-leak", type=int, default=0, metavar="FLOATS")
    args = parser.parse_args(argv)

    def build() -> ConflictModel:
        theatre = args.theatre
        if theatre == "synthetic":
            places, units, factions, civilians = args.size
            theatre = synthetic_theatre(places, units, factions, civilian_groups=civilians)
        return ConflictModel(theatre, rng=args.seed)

    print(json.dumps(soak(build, args.warm_up, args.days, args.plant_leak)))


if __name__ == "__main__":
    main()
