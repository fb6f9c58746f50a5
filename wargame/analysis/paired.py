"""Paired differences: each value of a swept parameter against its baseline, seed by seed.

Runs with one seed share their random streams (`wargame.engine.streams`), so two
runs of one seed that differ in one lever share most of their luck: the
difference between them is mostly the lever's. The mean of those paired
differences has a t interval far narrower than the interval of the difference
of two arms' means taken apart (Welch's), whenever the arms are correlated
seed by seed; both are given, so a reader sees the gain.

A pair is two ok runs with the same seed and the same values of the other swept
parameters; a pair whose run failed, or whose outcome is empty, is dropped and
counted. The baseline of a parameter is its unswept value (the theatre's, an
exercise's or `[fixed]`'s) when the grid lists it, else the grid's first value.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95

COLUMNS = [
    "parameter",
    "value",
    "baseline",
    "outcome",
    "pairs",
    "dropped",
    "mean_difference",
    "paired_low",
    "paired_high",
    "unpaired_low",
    "unpaired_high",
    "width_ratio",
]
"""The table's columns: `width_ratio` is the paired interval's width over the unpaired's."""


def paired_interval(differences: np.ndarray) -> tuple[float, float, float]:
    """The mean of paired differences and its 95% t interval (scipy's one-sample t)."""
    differences = np.asarray(differences, dtype=float)
    if len(differences) == 0:
        return math.nan, math.nan, math.nan
    mean = float(differences.mean())
    if len(differences) < 2:  # one pair says nothing of the spread
        return mean, math.nan, math.nan
    if np.ptp(differences) == 0:  # every pair moved alike: no spread, the mean is exact
        return mean, mean, mean
    interval = stats.ttest_1samp(differences, 0.0).confidence_interval(CONFIDENCE)
    return mean, float(interval.low), float(interval.high)


def unpaired_interval(values: np.ndarray, baseline: np.ndarray) -> tuple[float, float, float]:
    """The difference of two arms' means and its 95% Welch t interval, the arms taken apart."""
    values, baseline = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    if len(values) == 0 or len(baseline) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean() - baseline.mean())
    if len(values) < 2 or len(baseline) < 2:
        return mean, math.nan, math.nan
    if np.ptp(values) == 0 and np.ptp(baseline) == 0:
        return mean, mean, mean
    with warnings.catch_warnings():  # an arm whose runs all agree is a sample like another
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        test = stats.ttest_ind(values, baseline, equal_var=False)
    interval = test.confidence_interval(CONFIDENCE)
    return mean, float(interval.low), float(interval.high)


def baselines(grid: Mapping[str, list], unswept: Mapping[str, object]) -> dict[str, object]:
    """Each swept parameter's baseline: its unswept value when the grid lists it (as the
    grid spells it), else the grid's first value."""
    chosen = {}
    for name, values in grid.items():
        own = unswept.get(name)
        chosen[name] = next((v for v in values if same_value(v, own)), values[0])
    return chosen


def same_value(a: object, b: object) -> bool:
    """One grid value, however a number is spelt (0.3 from a range is 0.30000000000000004)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def paired_differences(
    runs: pd.DataFrame,
    grid: Mapping[str, list],
    outcomes: Mapping[str, float | None],
    baseline: Mapping[str, object],
    seeds: list[int],
) -> pd.DataFrame:
    """A row per swept parameter, value other than its baseline and outcome column.

    `runs` is the runs table (failed runs included: they make no pair); `outcomes`
    maps each outcome column to the number an empty cell stands for (None: the
    pair is dropped). `seeds` are the experiment's, so the pairs a complete batch
    would have are known and the dropped ones counted.
    """
    ok = runs[runs["status"] == "ok"]
    rows = []
    for name, values in grid.items():
        others = [other for other in grid if other != name]
        expected = len(seeds) * math.prod(len(grid[other]) for other in others)
        base = ok[ok[name].map(lambda v, b=baseline[name]: same_value(v, b))]
        for value in values:
            if same_value(value, baseline[name]):
                continue
            arm = ok[ok[name].map(lambda v, w=value: same_value(v, w))]
            pairs = arm.merge(base, on=["seed", *others], suffixes=("", " baseline"))
            for column, fill in outcomes.items():
                rows.append(_row(name, value, baseline[name], column, pairs, fill, expected))
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(
    name: str,
    value: object,
    base: object,
    column: str,
    pairs: pd.DataFrame,
    fill: float | None,
    expected: int,
) -> dict[str, object]:
    both = pairs[[column, f"{column} baseline"]].astype(float)
    if fill is not None:
        both = both.fillna(fill)
    both = both.dropna()
    arm, baseline = both[column].to_numpy(), both[f"{column} baseline"].to_numpy()
    mean, low, high = paired_interval(arm - baseline)
    _, unpaired_low, unpaired_high = unpaired_interval(arm, baseline)
    unpaired_width = unpaired_high - unpaired_low
    return {
        "parameter": name,
        "value": value,
        "baseline": base,
        "outcome": column.removeprefix("outcome."),
        "pairs": len(both),
        "dropped": expected - len(both),
        "mean_difference": mean,
        "paired_low": low,
        "paired_high": high,
        "unpaired_low": unpaired_low,
        "unpaired_high": unpaired_high,
        "width_ratio": (high - low) / unpaired_width if unpaired_width > 0 else math.nan,
    }
