"""Long runs: thousands of days finish, every law holds every day, and memory stays flat.

Memory is traced from the end of a warm-up to the end of the run, so what is
counted is what the run allocated after warm-up and still holds. Two things
may grow, by design, and are measured apart: the run's history (the daily
series and the event log gain a row a day; their size is measured object by
object) and the road-search cache (bounded by `Routes.SEARCH_CACHE_BYTES`; it
fills as new control situations arise). Everything else must not grow; it
may shrink, as units destroyed after warm-up free their memory (on the large
theatre 665 of 2,004 units leave play between days 200 and 1,000: about 1 MiB).
"""

from __future__ import annotations

import sys
import tracemalloc

import pytest
from invariants import check_day, starting_counts

from wargame import ConflictModel
from wargame.engine.geography import Routes
from wargame.phases import observation
from wargame.scenario.synthetic import synthetic_theatre

FLAT_BYTES = 512 * 1024  # what the rest may grow by over the whole run: caches settling


def deep_size(root: object) -> int:
    """Bytes of an object and everything it holds (each object once)."""
    seen: set[int] = set()
    stack, total = [root], 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple | set | frozenset):
            stack += list(item)
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))
        elif hasattr(item, "__slots__"):  # an event: its fields are held in the object itself
            stack += [getattr(item, name) for name in item.__slots__]
    return total


def history_size(model: ConflictModel) -> int:
    """The daily series (with Mesa's list of collection times) and the event log."""
    return deep_size(model.states[observation]) + deep_size(model.events)


def soak(build, warm_up: int, days: int) -> tuple[ConflictModel, dict[str, float]]:
    """Build and run, checking the laws daily; what memory grew by after warm-up, by kind.

    Every allocation is traced from the start, so memory freed after warm-up
    (a cache replacing old entries) counts against what was allocated.
    """
    tracemalloc.start()
    try:
        model = build()
        start, people = starting_counts(model)
        for _ in range(warm_up):
            model.step()
            check_day(model, start, people)
        before = tracemalloc.get_traced_memory()[0]
        history, cache = history_size(model), model.routes.cache_bytes()
        for _ in range(days - warm_up):
            model.step()
            check_day(model, start, people)
        history = history_size(model) - history
        cache = model.routes.cache_bytes() - cache
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return model, {
        "days": days - warm_up,
        "grown": grown,
        "history": history,
        "cache": cache,
        "rest": grown - history - cache,
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
    assert model.routes.cache_bytes() <= Routes.SEARCH_CACHE_BYTES + 64 * 2**20
