"""The seed story as patterns over many runs: what the default theatre is calibrated to.

`campaign_outcome` reduces one finished run to the facts the patterns ask
about; `military_patterns` turns many outcomes into the frequencies that
`tests/test_calibration.py` checks and the closing notes report.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from wargame.engine.events import EventKind
from wargame.phases import diplomacy
from wargame.scenario import PlaceKind

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel


def first_capture_day(model: ConflictModel, faction: str, place: str) -> int | None:
    for event in model.events.of_kind(EventKind.CAPTURE):
        if event.place == place and event.factions[0] == faction:
            return event.day
    return None


def _window_income(frame, faction: str, measure: str, days: int = 30) -> tuple:
    """A faction's income of one kind over the first and the last `days` days of the run."""
    cumulative = frame[f"{faction}_{measure}"].to_numpy()
    window = min(days, len(cumulative) - 1)
    first = float(cumulative[window] - cumulative[0])
    last = float(cumulative[-1] - cumulative[-1 - window])
    return first, last


def campaign_outcome(model: ConflictModel) -> dict[str, object]:
    """One run's end state, in plain types so it can cross a process boundary."""
    places = model.theatre.map.places
    frame = model.series()
    start = {f: model.starting_strength(f) for f in model.factions}
    return {
        "seed": model.seed,
        "control": dict(model.controller),
        "border_posts": {
            f: sum(
                1
                for p, h in model.controller.items()
                if h == f and places[p].kind is PlaceKind.BORDER_POST
            )
            for f in model.factions
        },
        "interned": {f: model.factions[f].interned for f in model.factions},
        "strength_share": {
            f: sum(u.strength for u in model.units if u.faction == f) / start[f]
            for f in model.factions
        },
        "killed_share": {f: model.factions[f].killed / start[f] for f in model.factions},
        "kanpaiti_taken_day": first_capture_day(model, "kia", "kanpaiti"),
        "peak_displaced": int(frame["civilians_displaced"].max()),
        "returned": model.summary()["civilians"]["returned"],
        "captures": len(model.events.of_kind(EventKind.CAPTURE)),
        "places_taken": sum(
            1 for p, holder in model.controller.items() if holder != model.theatre.control.get(p)
        ),
        "revenue": {f: model.factions[f].revenue_total for f in model.factions},
        "ceasefires": model.truces_made,
        "ceasefires_broken": model.truces_broken,
        "stopped_fighting_for_patron": sorted(model.state(diplomacy).broken_alliances),
        "tatmadaw_income": _window_income(frame, "tatmadaw", "revenue_total"),
        "tatmadaw_rare_earth": _window_income(frame, "tatmadaw", "income_rare_earth"),
    }


def run_outcome(args: tuple[str, Mapping[str, object], int, int]) -> dict[str, object]:
    from wargame.engine.model import ConflictModel

    scenario, parameters, seed, days = args
    model = ConflictModel(scenario, parameters, rng=seed)
    model.run(days)
    return campaign_outcome(model)


def run_many(
    seeds: Iterable[int],
    days: int = 270,
    scenario: str = "kachin",
    parameters: Mapping[str, object] | None = None,
    jobs: int | None = None,
) -> list[dict[str, object]]:
    """Outcomes of one run per seed, on all cores."""
    tasks = [(scenario, dict(parameters or {}), seed, days) for seed in seeds]
    # spawn, not fork: forking a process that has threads can deadlock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(run_outcome, tasks))


def share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return sum(flags) / len(flags)


def story_patterns(outcomes: list[dict]) -> dict[str, float]:
    """Frequencies of the economy and people issue's patterns."""
    income_change = [
        (last - first) / first if first else 0.0
        for first, last in (o["tatmadaw_income"] for o in outcomes)
    ]
    return {
        "tatmadaw_rare_earth_halved": share(
            last < 0.5 * first for first, last in (o["tatmadaw_rare_earth"] for o in outcomes)
        ),
        "median_tatmadaw_income_change": statistics.median(income_change),
        "ndak_halved_or_stopped_fighting": share(
            o["strength_share"]["ndak"] <= 0.5 or "ndak" in o["stopped_fighting_for_patron"]
            for o in outcomes
        ),
        "ceasefire_brokered_and_broken": share(
            o["ceasefires"] >= 1 and o["ceasefires_broken"] >= 1 for o in outcomes
        ),
        "displaced_peak_and_some_return": share(
            o["peak_displaced"] > 0 and o["returned"] > 0 for o in outcomes
        ),
    }


def military_patterns(outcomes: list[dict]) -> dict[str, float]:
    """Frequencies of the military issue's calibration patterns over many runs."""
    taken = [o["kanpaiti_taken_day"] for o in outcomes]
    never = 10**9  # a run where the KIA never took it sorts after every real day
    median_day = statistics.median(d if d is not None else never for d in taken)
    return {
        "kia_holds_kanpaiti": share(o["control"]["kanpaiti"] == "kia" for o in outcomes),
        "median_day_kia_takes_kanpaiti": median_day,
        "kia_holds_lweje": share(o["control"]["lweje"] == "kia" for o in outcomes),
        "tatmadaw_holds_myitkyina": share(
            o["control"]["myitkyina"] == "tatmadaw" for o in outcomes
        ),
        "tatmadaw_holds_bhamo": share(o["control"]["bhamo"] == "tatmadaw" for o in outcomes),
        "tatmadaw_at_most_one_border_post": share(
            o["border_posts"]["tatmadaw"] <= 1 for o in outcomes
        ),
        "tatmadaw_interned_some": share(o["interned"]["tatmadaw"] > 0 for o in outcomes),
        **{
            f"median_strength_share_{f}": statistics.median(
                o["strength_share"][f] for o in outcomes
            )
            for f in outcomes[0]["strength_share"]
        },
        # annihilated: every soldier killed; interned soldiers survive across the border
        **{
            f"median_killed_share_{f}": statistics.median(o["killed_share"][f] for o in outcomes)
            for f in outcomes[0]["killed_share"]
        },
    }


def main() -> None:
    """`python -m wargame.patterns`: print the calibration frequencies of the default theatre."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--days", type=int, default=270)
    parser.add_argument("--scenario", default="kachin")
    args = parser.parse_args()
    outcomes = run_many(range(args.seeds), days=args.days, scenario=args.scenario)
    print(json.dumps({**military_patterns(outcomes), **story_patterns(outcomes)}, indent=2))


if __name__ == "__main__":
    main()
