"""Long runs: thousands of days finish, every law holds every day, and memory stays flat.

Memory is traced by the allocator from the start, so what is counted is what the
run holds at the end beyond what it held at the end of a warm-up (memory freed
after warm-up counts against what was allocated). Two things may grow, by design,
and are measured apart, each by the bytes the allocator gets back when it is
dropped at the end: the run's history (the daily series and the event log gain
a row a day) and the road-search cache (bounded by `Routes.SEARCH_CACHE_BYTES`;
it fills as new control situations arise, so it is emptied at the end of warm-up
and all of what it holds at the end is its growth). Everything else must not
grow; it may shrink, as units destroyed after warm-up free their memory (on the
large theatre 665 of 2,004 units leave play between days 200 and 1,000: about
1 MiB).

Measured so, by the allocator rather than object by object, the figures do not
depend on what ran before in the process (sizes counted object by object missed
a few hundred KiB the allocator held for the series, which a process that had
run other models before hid).
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from invariants import check_day, starting_counts

from wargame import ConflictModel
from wargame.engine.geography import Routes
from wargame.phases import observation
from wargame.scenario.synthetic import synthetic_theatre

FLAT_BYTES = 512 * 1024  # what the rest may grow by over the whole run: caches settling


def held() -> int:
    """Bytes the traced allocations hold now, after collecting what is unreachable."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def soak(build, warm_up: int, days: int) -> tuple[ConflictModel, dict[str, float]]:
    """Build and run, checking the laws daily; what memory grew by after warm-up, by kind.

    At the end the history written after warm-up is dropped, then the road-search
    cache, and what the allocator gets back each time is that part's growth: the
    model keeps its state but not its history or its cache.
    """
    tracemalloc.start()
    try:
        model = build()
        start, people = starting_counts(model)
        for _ in range(warm_up):
            model.step()
            check_day(model, start, people)
        model.routes.clear_cache()
        rows, logged = len(model.states[observation].rows), len(model.events)
        before = held()
        for _ in range(days - warm_up):
            model.step()
            check_day(model, start, people)
        cache_bytes = model.routes.cache_bytes()
        end = held()
        del model.states[observation].rows[rows:], model.events[logged:]
        without_history = held()
        model.routes.clear_cache()
        without_cache = held()
    finally:
        tracemalloc.stop()
    return model, {
        "days": days - warm_up,
        "grown": end - before,
        "history": end - without_history,
        "cache": without_history - without_cache,
        "cache_bytes": cache_bytes,
        "rest": without_cache - before,
    }


def report(name: str, kept: dict[str, float]) -> str:
    return (
        f"{name}: in {kept['days']} days after warm-up memory grew by "
        f"{kept['grown'] / 2**20:.2f} MiB: history {kept['history'] / 2**20:.2f} MiB "
        f"({kept['history'] / kept['days']:.0f} B a day), road searches "
        f"{kept['cache'] / 2**20:.2f} MiB, the rest {kept['rest'] / 1024:.0f} KiB"
    )


@pytest.mark.slow
def test_the_default_theatre_runs_5000_days_keeping_every_law_with_flat_memory():
    model, kept = soak(lambda: ConflictModel("kachin", rng=11), warm_up=500, days=5000)
    print(report("kachin 5,000 days", kept))
    assert model.day == 5000
    assert kept["rest"] < FLAT_BYTES, report("kachin", kept)
    assert kept["history"] / kept["days"] < 8 * 1024  # a row of the series and a few events


@pytest.mark.slow
def test_a_large_generated_theatre_runs_1000_days_keeping_every_law_with_flat_memory():
    theatre = synthetic_theatre(1000, 2000, 5, civilian_groups=10_000)
    model, kept = soak(lambda: ConflictModel(theatre, rng=5), warm_up=200, days=1000)
    print(report("1,000 places, 1,000 days", kept))
    assert model.day == 1000
    assert kept["rest"] < FLAT_BYTES, report("1,000 places", kept)
    assert kept["cache_bytes"] <= Routes.SEARCH_CACHE_BYTES + 64 * 2**20
