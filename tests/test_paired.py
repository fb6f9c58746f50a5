"""Paired differences: the t interval of a hand-worked table, pairs matched on seed and the
other swept values, failed runs dropped and counted, and the baseline each parameter takes."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wargame.analysis.paired import baselines, paired_differences, paired_interval

T_975_3 = 3.182446305284263  # Student's t, 97.5% quantile, 3 degrees of freedom (tables)


def run(lever, other, seed, value, took=None, status="ok"):
    return {
        "lever": lever,
        "other": other,
        "seed": seed,
        "status": status,
        "outcome.value": value if status == "ok" else None,
        "outcome.took": took if status == "ok" else None,
    }


# lever 1.0 is the baseline; each seed is run at both values of `other`.
# Pairs (lever 2.0 - lever 1.0, same seed, same `other`): 12-10, 15-12, 12-11, 16-13 =
# 2, 3, 1, 3; seed 2's pairs each lose a run (failed), so 2 of the 6 are dropped.
RUNS = pd.DataFrame(
    [
        run(1.0, 10, 0, 10.0, True),
        run(1.0, 10, 1, 12.0, False),
        run(1.0, 20, 0, 11.0, True),
        run(1.0, 20, 1, 13.0, None),  # an empty outcome: its pair is dropped for `took`
        run(1.0, 10, 2, 50.0, True),
        run(1.0, 20, 2, 0.0, status="failed"),
        run(2.0, 10, 0, 12.0, True),
        run(2.0, 10, 1, 15.0, True),
        run(2.0, 20, 0, 12.0, False),
        run(2.0, 20, 1, 16.0, True),
        run(2.0, 10, 2, 0.0, status="failed"),
        run(2.0, 20, 2, 99.0, False),
    ]
)
GRID = {"lever": [1.0, 2.0], "other": [10, 20]}


def table(unswept=None, fills=None):
    chosen = baselines(GRID, unswept or {"lever": 1.0, "other": 10})
    outcomes = fills or {"outcome.value": None, "outcome.took": None}
    return paired_differences(RUNS, GRID, outcomes, chosen, seeds=[0, 1, 2])


def test_the_paired_interval_is_the_t_interval_worked_by_hand():
    # differences 2, 3, 1, 3: mean 2.25, sample sd sqrt(2.75 / 3), 4 pairs
    row = table().set_index(["parameter", "outcome"]).loc[("lever", "value")]
    half = T_975_3 * math.sqrt(2.75 / 3) / 2
    assert (row["pairs"], row["dropped"]) == (4, 2)
    assert row["mean_difference"] == pytest.approx(2.25)
    assert (row["paired_low"], row["paired_high"]) == pytest.approx((2.25 - half, 2.25 + half))
    assert (row["paired_low"], row["paired_high"]) == pytest.approx((0.72652, 3.77348), abs=1e-5)


def test_the_unpaired_interval_is_welchs_on_the_same_runs():
    arm, base = np.array([12.0, 15.0, 12.0, 16.0]), np.array([10.0, 12.0, 11.0, 13.0])
    va, vb = arm.var(ddof=1) / 4, base.var(ddof=1) / 4  # 4.25 / 4 and (5 / 3) / 4
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 3)  # Welch-Satterthwaite
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    row = table().set_index(["parameter", "outcome"]).loc[("lever", "value")]
    assert (row["unpaired_low"], row["unpaired_high"]) == pytest.approx((2.25 - half, 2.25 + half))
    assert row["width_ratio"] == pytest.approx((2 * T_975_3 * math.sqrt(2.75 / 3) / 2) / (2 * half))
    assert row["width_ratio"] < 1  # these arms move together seed by seed


def test_pairs_match_the_other_swept_values_and_true_false_counts_as_one_and_zero():
    rows = table().set_index(["parameter", "outcome"])
    # other 20 against 10, same seed and lever: 11-10, 13-12, 12-12, 16-15
    other = rows.loc[("other", "value")]
    assert (other["pairs"], other["dropped"], other["mean_difference"]) == (4, 2, 0.75)
    # took, lever 2.0 against 1.0: (True-True, True-False, False-True); (s1, other 20) empty
    took = rows.loc[("lever", "took")]
    assert (took["pairs"], took["dropped"]) == (3, 3)
    assert took["mean_difference"] == pytest.approx(0.0)


def test_an_empty_outcome_takes_its_fill_when_the_outcome_has_one():
    rows = table(fills={"outcome.took": 0.0}).set_index(["parameter", "outcome"])
    assert rows.loc[("lever", "took"), "pairs"] == 4
    assert rows.loc[("lever", "took"), "mean_difference"] == pytest.approx(1 / 4)


def test_the_baseline_is_the_unswept_value_when_the_grid_has_it_else_the_first():
    assert baselines(GRID, {"lever": 2.0, "other": 30}) == {"lever": 2.0, "other": 10}
    assert baselines({"p": [0.1, 0.30000000000000004]}, {"p": 0.3}) == {"p": 0.30000000000000004}
    assert baselines({"mode": ["a", "b"]}, {}) == {"mode": "a"}
    rows = table({"lever": 2.0, "other": 10}).set_index(["parameter", "outcome"])
    assert rows.loc[("lever", "value"), "value"] == 1.0
    assert rows.loc[("lever", "value"), "mean_difference"] == pytest.approx(-2.25)


def test_pairs_that_all_moved_alike_have_an_exact_interval_and_one_pair_none():
    assert paired_interval(np.array([3.0, 3.0, 3.0])) == (3.0, 3.0, 3.0)
    mean, low, high = paired_interval(np.array([1.5]))
    assert mean == 1.5 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in paired_interval(np.array([])))


LEVER = """\
[experiment]
title = "China's pressure, a little more"
theatre = "kachin"
days = 120
seeds = 6

[grid]
broker_pressure = [0.8, 0.9]

[outcomes.peak_displaced]
kind = "series"
column = "civilians_displaced"
stat = "max"

[outcomes.kia_killed]
kind = "series"
column = "kia_killed"
"""


def test_pairing_narrows_the_interval_of_a_real_lever_over_a_few_seeds(tmp_path):
    """The arms share their draws seed by seed, so the paired interval of the broker's
    pressure's effect is narrower than the interval of the arms taken apart."""
    from wargame.analysis.batch import run_batch
    from wargame.analysis.experiments import load_experiment
    from wargame.analysis.report import results_paired

    path = tmp_path / "lever.toml"
    path.write_text(LEVER, encoding="utf-8")
    run_batch(load_experiment(path), tmp_path / "results", jobs=1)
    frame, _ = results_paired(tmp_path / "results")
    assert list(frame["outcome"]) == ["peak_displaced", "kia_killed"]
    assert (frame["pairs"] == 6).all()
    paired = frame["paired_high"] - frame["paired_low"]
    unpaired = frame["unpaired_high"] - frame["unpaired_low"]
    assert (unpaired > 0).all() and (paired < unpaired).all(), frame.to_string()
