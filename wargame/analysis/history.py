"""A theatre's runs scored against its history: how often, and how nearly, they tell what happened.

Each seed is one run of the theatre, long enough to reach every target of
its `history.toml`. A run's **credit** on a target is 1 when the run lies
inside the target's tolerance; outside it falls off with the miss,
`exp(-miss / scale)`:

- a capture or an event that must happen: the miss is the days between the
  run's first such day and the nearest end of the target's window, the scale
  the target's `tolerance_days` (at least 1 day); one that never comes in the
  run gets 0;
- a count: the miss is how many times too large or too small the run's
  count is against the range's nearer end, in doublings (of the count plus
  one, so a range may start at 0), the scale one doubling: a run at twice
  the `high` end or half the `low` end earns 0.37, however wide the range;
- a holder on a date, and an event that must not happen: 1 or 0.

So a run one tolerance (or a doubling) off still earns 0.37 and one five off
0.007: a search for better parameters sees which way is nearer even before
any run is inside. A target's **score** is the mean credit over the seeds (1
when every run agrees); the **overall score** is the mean of the targets'
scores, every target counting alike. The table also gives each target's share
of runs inside, its simulated median and the 5th to 95th percentile over runs.

A score rewards each date on its own; whether the story comes in the right
order shows better in how far the dates are off. So each dated target (a
capture, an event that happens) also has its **days off**: days from its
simulated median to the history's own dates (0 between them, tolerance not
counted), and the card gives their mean over the targets whose median run
saw them, with how many it never saw.

Runs are spread over processes (spawned, never forked, as the batch's are);
a run depends on its seed alone, so the same seeds give the same scores with
any number of jobs.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wargame.analysis.workers import spawned_pool
from wargame.engine.events import EventKind
from wargame.engine.measures import columns, summary_kinds
from wargame.engine.model import build_model
from wargame.files import StrPath
from wargame.scenario import PlaceKind, Theatre, load_theatre, validate_path
from wargame.scenario.errors import already_said
from wargame.scenario.history import (
    Capture,
    Count,
    History,
    Holder,
    Occurrence,
    Target,
    Vocabulary,
    load_history,
)
from wargame.scenario.loader import read_toml

NOBODY = "nobody"
"""A place no faction holds, in a holder target's shares."""
INTERVAL = (0.05, 0.95)
"""The simulated interval: the 5th to the 95th percentile over runs."""
SCORE_RULE = (
    "a run inside a target's tolerance earns 1, one outside exp(-miss/scale) (dates: days "
    "outside the window over tolerance_days; counts: doublings of count+1 away from the "
    "range's nearer end; holders and events that must not happen: 0); a target's score is "
    "the mean over runs, the overall score the mean over targets"
)


def vocabulary(theatre: Theatre) -> Vocabulary:
    """The engine's names a history may use: the daily series' columns, the event kinds and
    the run summary's keys (a batch's runs table has a column of each; its parameters aside,
    which a pattern has no use for)."""
    home = [p.id for p in theatre.map.places.values() if p.kind is not PlaceKind.SANCTUARY]
    return Vocabulary(
        measures=[name for name, _ in columns(theatre)],
        events=[kind.value for kind in EventKind],
        run_columns=summary_kinds(theatre.factions, home, {}, theatre.commodities),
    )


def read_history(theatre: Theatre, path: StrPath | None = None) -> History:
    """The theatre's `history.toml` (or the file at `path`), checked against the theatre."""
    return load_history(theatre, vocabulary(theatre), path)


def validate(path: StrPath) -> str:
    """`wargame validate`: a history file is checked against the theatre beside it; a theatre
    folder with a history has both checked. Raises ScenarioError for the first problem."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".toml" and "targets" in read_toml(path):
        history = read_history(load_theatre(path.parent), path)
        return f"valid history: {describe(history)}"
    verdict = validate_path(path)
    if path.is_dir() and (path / "history.toml").is_file():
        history = read_history(load_theatre(path))
        verdict += f"; history.toml: {describe(history)}"
    return verdict


def describe(history: History) -> str:
    kinds = Counter(target.kind for target in history.targets)
    listed = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    patterns = f" and {len(history.patterns)} patterns" if history.patterns else ""
    return f"{len(history.targets)} targets ({listed}) over {history.days} days{patterns}"


# --- one run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What one run showed for one target."""

    value: int | float | str | None
    """The first day (capture, event), the count on the date, or the holder on the date."""
    inside: bool
    credit: float


@dataclass(frozen=True)
class RunTask:
    """All one worker needs for one run; plain data, so it pickles to a spawned process."""

    theatre: str
    """The theatre's set-up file, loaded once per worker process."""
    parameters: dict[str, object]
    seed: int
    history: History


@dataclass(frozen=True)
class RunRecord:
    seed: int
    readings: dict[str, Reading]
    series: dict[str, list[float]]
    """The counted measures' daily values, for the pictures' bands."""


@functools.cache
def _theatre(setup: str) -> Theatre:
    return load_theatre(setup)


def observe(task: RunTask) -> RunRecord:
    """Run one seed through the history's last day and read every target off it."""
    history = task.history
    start = history.start_date
    with already_said():  # when the theatre and the parameters were checked, before any run
        model = build_model(_theatre(task.theatre), task.parameters, task.seed)
    captured: dict[str, int] = {}
    held: set[str] = set()
    on_date: dict[str, str | None] = {}
    captures = [t for t in history.targets if isinstance(t, Capture)]
    holders = [t for t in history.targets if isinstance(t, Holder)]
    for day in range(history.days + 1):
        if day:
            model.step()
        for target in captures:
            if target.id not in captured and model.controller.get(target.place) == target.faction:
                captured[target.id] = day
        for target in holders:
            holder = model.controller.get(target.place)
            if holder == target.holder and target.first_day(start) <= day <= target.last_day(start):
                held.add(target.id)
            if day == history.day_of(target.date):
                on_date[target.id] = holder
    frame = model.series()
    readings: dict[str, Reading] = {}
    for target in history.targets:
        if isinstance(target, Capture):
            readings[target.id] = _dated(target, captured.get(target.id), start)
        elif isinstance(target, Holder):
            inside = target.id in held
            readings[target.id] = Reading(on_date.get(target.id), inside, float(inside))
        elif isinstance(target, Count):
            value = float(frame[target.measure].iloc[history.day_of(target.date)])
            readings[target.id] = _counted(target, value)
        else:
            readings[target.id] = _occurred(target, _event_days(model, target), start)
    measures = sorted({t.measure for t in history.targets if isinstance(t, Count)})
    series = {name: [float(v) for v in frame[name]] for name in measures}
    return RunRecord(task.seed, readings, series)


def _dated(target: Capture | Occurrence, day: int | None, start: dt.date) -> Reading:
    if day is None:
        return Reading(None, False, 0.0)
    miss = max(target.first_day(start) - day, day - target.last_day(start), 0)
    return Reading(day, miss == 0, math.exp(-miss / max(target.tolerance_days, 1)))


def _counted(target: Count, value: float) -> Reading:
    if target.low <= value <= target.high:
        return Reading(value, True, 1.0)
    nearer = target.low if value < target.low else target.high
    doublings = abs(math.log2((max(value, 0.0) + 1) / (nearer + 1)))  # + 1: a range may start at 0
    return Reading(value, False, math.exp(-doublings))


def _occurred(target: Occurrence, days: list[int], start: dt.date) -> Reading:
    if target.happens:
        return _dated(target, days[0] if days else None, start)
    window = range(target.first_day(start), target.last_day(start) + 1)
    inside = not any(day in window for day in days)
    return Reading(days[0] if days else None, inside, float(inside))


def _event_days(model, target: Occurrence) -> list[int]:
    """The days of the run's events that match the target, in order."""
    wanted = set(target.factions)
    return [
        event.day
        for event in model.events.of_kind(EventKind(target.event))
        if wanted <= set(event.factions) and target.place in (None, event.place)
    ]


# --- many runs -------------------------------------------------------------------------


def run_records(
    tasks: list[RunTask],
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    pool: Executor | None = None,
) -> list[RunRecord]:
    """Every task's record, in seed order whatever order they finish in: on `pool`, or on
    `jobs` worker processes started for these tasks (one job: in this process)."""
    jobs = jobs or os.cpu_count() or 1
    records: list[RunRecord] = []

    def done(record: RunRecord) -> None:
        records.append(record)
        if progress:
            progress(len(records), len(tasks))

    if pool is None and jobs == 1:
        for task in tasks:
            done(observe(task))
    elif pool is None:
        with spawned_pool(jobs) as started:
            return run_records(tasks, progress=progress, pool=started)
    else:
        futures = [pool.submit(observe, task) for task in tasks]
        try:
            for future in as_completed(futures):
                done(future.result())
        finally:
            for future in futures:
                future.cancel()
    return sorted(records, key=lambda record: record.seed)


@dataclass(frozen=True)
class TargetResult:
    target: Target
    history: str
    """The target as the history tells it, in words."""
    median: object
    interval: tuple[object, object]
    share_inside: float
    score: float
    runs: int
    detail: dict[str, object] = field(default_factory=dict)
    """`happened` (share of runs) for dated targets, `holders` (shares) for holders."""
    days_off: int | None = None
    """For a dated target, days from its median to the history's dates (`days_off`)."""

    def as_record(self) -> dict[str, object]:
        target = self.target
        return {
            "id": target.id,
            "kind": target.kind,
            "source": target.source,
            "note": target.note,
            "history": self.history,
            "expected": _expected(target),
            "median": self.median,
            "interval": list(self.interval),
            "share_inside": self.share_inside,
            "score": self.score,
            "runs": self.runs,
            **self.detail,
            **({"days_off": self.days_off} if dated(self.target) else {}),
        }


@dataclass(frozen=True)
class Scorecard:
    theatre: str
    history: History
    seeds: list[int]
    parameters: dict[str, object]
    targets: list[TargetResult]
    records: list[RunRecord]

    @property
    def score(self) -> float:
        return statistics.fmean(result.score for result in self.targets)

    def score_of(self, ids: Iterable[str]) -> float:
        """The mean score of these targets alone, by the same rule (a calibration's searched
        and held-out targets)."""
        wanted = set(ids)
        return statistics.fmean(r.score for r in self.targets if r.target.id in wanted)

    def timing(self) -> dict[str, object]:
        """How far the dated targets' medians are from the history's dates: the mean days off
        over those the median run saw, how many there are, and how many it never saw."""
        results = [r for r in self.targets if dated(r.target)]
        seen = [r.days_off for r in results if r.days_off is not None]
        return {
            "dated_targets": len(results),
            "never": len(results) - len(seen),
            "mean_days_off": statistics.fmean(seen) if seen else None,
        }

    def as_json(self) -> dict[str, object]:
        return {
            "theatre": self.theatre,
            "history": str(self.history.path),
            "days": self.history.days,
            "start_date": self.history.start_date.isoformat(),
            "seeds": self.seeds,
            "parameters": self.parameters,
            "interval": f"{INTERVAL[0]:.0%} to {INTERVAL[1]:.0%} of runs",
            "score_rule": SCORE_RULE,
            "score": self.score,
            "timing": self.timing(),
            "targets": [result.as_record() for result in self.targets],
        }


def score_history(
    theatre: Theatre,
    history: History,
    seeds: Iterable[int],
    parameters: Mapping[str, object] | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    pool: Executor | None = None,
) -> Scorecard:
    """Run the theatre once per seed and score every target of the history over the runs
    (on `pool` when given: a search scores many candidates on the same workers)."""
    parameters = dict(parameters or {})
    seeds = list(seeds)
    setup = str(theatre.setup_path.resolve())
    tasks = [RunTask(setup, parameters, seed, history) for seed in seeds]
    records = run_records(tasks, jobs, progress, pool)
    results = [summarise(target, history.start_date, records) for target in history.targets]
    return Scorecard(theatre.name, history, seeds, parameters, results, records)


def summarise(target: Target, start: dt.date, records: list[RunRecord]) -> TargetResult:
    """One target over all runs: its median, interval, share inside and score."""
    readings = [record.readings[target.id] for record in records]
    share = statistics.fmean(r.inside for r in readings)
    score = statistics.fmean(r.credit for r in readings)
    told = tell(target)
    if isinstance(target, Holder):
        shares = Counter(r.value for r in readings)
        common = shares.most_common(1)[0][0]
        holders = {h or NOBODY: n / len(readings) for h, n in sorted(shares.items(), key=str)}
        return TargetResult(
            target, told, common, (None, None), share, score, len(readings), {"holders": holders}
        )
    if isinstance(target, Count):
        values = np.array([r.value for r in readings], dtype=float)
        low, median, high = (_quantile(values, q) for q in (INTERVAL[0], 0.5, INTERVAL[1]))
        return TargetResult(target, told, median, (low, high), share, score, len(readings))
    days = np.array([math.inf if r.value is None else r.value for r in readings], dtype=float)
    quantiles = (INTERVAL[0], 0.5, INTERVAL[1])
    low, median, high = (_as_date(_quantile(days, q), start) for q in quantiles)
    happened = statistics.fmean(r.value is not None for r in readings)
    return TargetResult(
        target,
        told,
        median,
        (low, high),
        share,
        score,
        len(readings),
        {"happened": happened},
        days_off(target, median),
    )


def dated(target: Target) -> bool:
    """Whether the target is met on a day a run finds: a capture, or an event that happens."""
    return isinstance(target, Capture) or (isinstance(target, Occurrence) and target.happens)


def days_off(target: Target, median: str | None) -> int | None:
    """Days from a dated target's median date to the history's dates, 0 between them (the
    tolerance not counted); None for a median run that never saw it, or an undated target."""
    if not dated(target) or median is None:
        return None
    day = dt.date.fromisoformat(median)
    return max((target.date - day).days, (day - target.end()).days, 0)


def _quantile(values: np.ndarray, q: float) -> float:
    """A value some run had (no interpolation, so a run that never saw the day stays 'never')."""
    return float(np.quantile(values, q, method="inverted_cdf"))


def _as_date(day: float, start: dt.date) -> str | None:
    """A run day as its date; None for a day that never came in the run."""
    return None if math.isinf(day) else (start + dt.timedelta(days=int(day))).isoformat()


def _expected(target: Target) -> dict[str, object]:
    base: dict[str, object] = {"date": target.date.isoformat()}
    if isinstance(target, Holder):
        return {**base, "holder": target.holder, "place": target.place,
                "tolerance_days": target.tolerance_days}  # fmt: skip
    if isinstance(target, Count):
        return {**base, "measure": target.measure, "value": target.value,
                "low": target.low, "high": target.high}  # fmt: skip
    until = target.until.isoformat() if target.until else None
    spanned = {**base, "until": until, "tolerance_days": target.tolerance_days}
    if isinstance(target, Capture):
        return {**spanned, "faction": target.faction, "place": target.place}
    return {**spanned, "event": target.event, "factions": target.factions,
            "place": target.place, "happens": target.happens}  # fmt: skip


def tell(target: Target) -> str:
    """The target as the history tells it: what, when and how far off a run may be."""
    span = target.date.isoformat()
    if target.end() != target.date:
        span += f" to {target.end().isoformat()}"
    give = f" ±{target.slack()} d" if target.slack() else ""
    if isinstance(target, Holder):
        return f"{target.holder} on {span}{give}"
    if isinstance(target, Count):
        bounds = f"{target.low:,.0f}-{target.high:,.0f}"
        said = f"{target.value:,.0f} ({bounds})" if target.value is not None else bounds
        return f"{said} on {span}"
    if isinstance(target, Occurrence) and not target.happens:
        return f"none {span}{give}"
    return f"{span}{give}"


def shown(value: object) -> str:
    """A simulated value as the table prints it."""
    if value is None:
        return "never"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)
