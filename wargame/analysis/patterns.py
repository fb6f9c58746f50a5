"""A theatre's patterns judged on a batch's runs: does each statistic lie within its bounds?

The patterns are the theatre's (`[[patterns]]` in its `history.toml`); the runs
are a batch's rows (`wargame.analysis.results.read_runs`) of an experiment with
`patterns = true`, which records every column the patterns read. Only runs
that ended ok count. A `share` pattern is the share of runs in which its
conditions hold; a `median` pattern the median of a column over the runs, an
empty value (a capture that never came) counting as above every number, as
`statistics.median` takes it (the mean of the middle two of an even count).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wargame.scenario.history import (
    Condition,
    History,
    MedianPattern,
    Pattern,
    SharePattern,
)

DAY_SUFFIX = ".day"
"""A `taken` outcome's first day: shown as a day, its empty value as "never"."""


@dataclass(frozen=True)
class Verdict:
    """One pattern over one set of runs."""

    pattern: Pattern
    value: float | None
    """The share or the median; None when the runs lack a column the pattern reads."""
    runs: int

    @property
    def holds(self) -> bool | None:
        return None if self.value is None else self.pattern.admits(self.value)

    def measured(self) -> str:
        """The value as the table shows it."""
        if self.value is None:
            return "not recorded"
        return _shown(self.pattern, self.value)

    def required(self) -> str:
        """The bounds as the table shows them, with what they bound."""
        words = self.pattern.words(lambda bound: _shown(self.pattern, bound))
        return f"{self.pattern.kind} {words}"

    def as_record(self) -> dict[str, object]:
        pattern = self.pattern
        return {
            "id": pattern.id,
            "kind": pattern.kind,
            "note": pattern.note,
            "reads": ", ".join(column for _, column, _ in pattern.reads()),
            "required": self.required(),
            "value": None if self.value is None or math.isinf(self.value) else self.value,
            "measured": self.measured(),
            "holds": self.holds,
            "runs": self.runs,
        }


def _shown(pattern: Pattern, value: float) -> str:
    if isinstance(pattern, SharePattern):
        return f"{value * 100:.4g}%"
    if pattern.column.endswith(DAY_SUFFIX):
        return "never" if math.isinf(value) else f"day {value:g}"
    return f"{value:.3g}"


def judge(pattern: Pattern, runs: pd.DataFrame) -> Verdict:
    """The pattern over `runs` (the ok runs of a batch, or one grid point's)."""
    if any(column not in runs for _, column, _ in pattern.reads()):
        return Verdict(pattern, None, len(runs))
    if not len(runs):
        return Verdict(pattern, None, 0)
    if isinstance(pattern, MedianPattern):
        return Verdict(pattern, median(runs[pattern.column]), len(runs))
    counted = run_counts(pattern, runs)
    return Verdict(pattern, int(counted.sum()) / len(runs), len(runs))


def median(values: pd.Series) -> float:
    """The median over runs, an empty value (never) counting as above every number."""
    numbers = pd.to_numeric(values, errors="raise").astype(float).fillna(math.inf)
    return float(statistics.median(numbers.tolist()))


def run_counts(pattern: SharePattern, runs: pd.DataFrame) -> pd.Series:
    """For each run, whether it counts towards the share: all conditions hold, or any."""
    held = pd.concat(
        [_holds(condition, runs[condition.column]) for condition in pattern.where], axis=1
    )
    return held.all(axis=1) if pattern.match == "all" else held.any(axis=1)


def _holds(condition: Condition, values: pd.Series) -> pd.Series:
    if not condition.given():  # a true/false column: the run counts when it is true
        return values.eq(True)
    numbers = pd.to_numeric(values, errors="raise").astype(float)
    return numbers.map(condition.admits).astype(bool)


@dataclass(frozen=True)
class PointVerdicts:
    """The patterns over the runs of one grid point."""

    point: int
    values: dict[str, object]
    """The swept parameters' values at the point (none without a grid)."""
    verdicts: list[Verdict]

    def label(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.values.items()) or "all runs"


def judge_points(
    patterns: Sequence[Pattern], runs: pd.DataFrame, grid: Sequence[str] = ()
) -> list[PointVerdicts]:
    """Every pattern at every grid point, over the point's ok runs."""
    ok = runs[runs["status"] == "ok"]
    judged = []
    for point, at_point in runs.groupby("point", sort=True):
        values = {name: at_point[name].iloc[0] for name in grid if name in at_point}
        counted = ok[ok["point"] == point]
        judged.append(
            PointVerdicts(int(point), values, [judge(pattern, counted) for pattern in patterns])
        )
    return judged


def verdicts_frame(judged: list[PointVerdicts]) -> pd.DataFrame:
    """One row per pattern and point, for a CSV table."""
    return pd.DataFrame(
        [
            {"point": each.point, **each.values, **verdict.as_record()}
            for each in judged
            for verdict in each.verdicts
        ]
    )


def results_history(metadata: dict, theatre_path: str | Path) -> History | None:
    """The history whose patterns a results folder is judged on: its theatre's, when the
    experiment asked for them (`patterns = true`); else None."""
    if not metadata.get("experiment_spec", {}).get("experiment", {}).get("patterns"):
        return None
    from wargame.analysis.history import read_history
    from wargame.scenario import load_theatre

    return read_history(load_theatre(theatre_path))
