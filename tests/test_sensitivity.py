"""Sensitivity designs: SALib's indices over the seeds' means find the levers that matter,
call those within the seeds' noise dead, and those whose effect turns round non-monotone."""

import re

import numpy as np
import pandas as pd
import pytest
from test_batch import UNITS
from test_experiments import write_experiment

from wargame import progress
from wargame.analysis import sensitivity
from wargame.analysis.designs import SampledDesign
from wargame.analysis.sensitivity import NotAnalysable, analyse
from wargame.cli import main

SEEDS = 4


def noisy_outputs(design: SampledDesign, effect, noise: float, seed: int = 5) -> np.ndarray:
    """points x seeds outputs: `effect` of the point's values plus independent noise per run."""
    rng = np.random.default_rng(seed)
    x = design.matrix()
    signal = np.array([effect(dict(zip(design.names, row, strict=True))) for row in x])
    return signal[:, None] + rng.normal(0.0, noise, size=(len(x), SEEDS))


def morris_design(trajectories: int = 20) -> SampledDesign:
    ranges = {"strong": (0.0, 1.0), "idle": (0.0, 1.0), "also_idle": (10.0, 50.0)}
    return SampledDesign.draw(
        "morris", ranges, dict.fromkeys(ranges, False), trajectories=trajectories, levels=4
    )


def test_a_lever_whose_effect_is_only_the_seeds_noise_is_dead_and_a_real_one_is_not():
    design = morris_design()
    found = analyse(design, "y", noisy_outputs(design, lambda p: 5.0 * p["strong"], noise=1.0))
    table = found.table
    assert found.dead == ["idle", "also_idle"]
    # noise alone gives the idle levers a mu* clearly above 0: only the floor calls them dead
    assert (table.loc[["idle", "also_idle"], "mu_star"] > 0.3).all()
    assert table.loc["strong", "mu_star"] == pytest.approx(5.0, rel=0.2)
    assert (
        table.loc["strong", "mu_star"] - table.loc["strong", "mu_star_conf"]
        > 3 * table.loc["strong", "noise_floor"]
    )
    assert found.changes_sign == []


def test_a_small_steady_effect_under_a_large_noise_each_seed_keeps_is_live():
    """Each seed sends the war its own way at every point (an offset of sd 10 per seed, as
    the same seed does at both ends of a Morris step) and the runs differ little otherwise
    (sd 0.1): a lever worth 0.5 over its range is live, though the seeds' spread at a
    point is 20 times its effect; a lever with none stays dead. Compared across seeds, as
    independent runs, it would pass for noise."""
    design = morris_design()
    rng = np.random.default_rng(3)
    outputs = noisy_outputs(design, lambda p: 0.5 * p["strong"], noise=0.1)
    outputs += rng.normal(0.0, 10.0, size=SEEDS)[None, :]
    found = analyse(design, "y", outputs)
    assert found.dead == ["idle", "also_idle"]
    strong = found.table.loc["strong"]
    assert strong["mu_star"] == pytest.approx(0.5, rel=0.2)
    assert strong["mu_star"] > 3 * strong["noise_floor"]


def test_each_lever_is_judged_against_the_noise_of_its_own_steps():
    """`idle` and `also_idle` send each seed's run a new way at each of their values (sd
    10, no steady effect), as a lever that touches the war sends it elsewhere; `strong`
    moves every run alike by 0.5 over its range and sends none elsewhere. Judged against
    the noise of every step together, the others' would drown strong; against its own
    steps', it is live (and noiseless), they dead."""
    design = morris_design()
    rng = np.random.default_rng(4)
    ways: dict[tuple, float] = {}
    width = len(design.names) + 1
    outputs = np.array(
        [
            [
                0.5 * row[0]
                + ways.setdefault((seed, point // width, row[1], row[2]), rng.normal(0.0, 10.0))
                for seed in range(SEEDS)
            ]
            for point, row in enumerate(design.matrix())
        ]
    )
    found = analyse(design, "y", outputs)
    assert found.dead == ["idle", "also_idle"]
    assert found.table.loc["strong", "noise_floor"] == 0.0
    assert found.table.loc["strong", "mu_star"] == pytest.approx(0.5)


def test_a_missing_run_falls_back_to_the_pooled_floor_and_says_so():
    """A point short of one seed's run has a mean its step's paired differences do not
    describe (that seed's offset of sd 10 is in one end's mean, not the other's): the
    floor is then pooled across seeds, no idle lever passes for live, and the report says
    where the floor came from."""
    design = morris_design()
    rng = np.random.default_rng(3)
    outputs = noisy_outputs(design, lambda p: 0.5 * p["strong"], noise=0.1)
    outputs += rng.normal(0.0, 10.0, size=SEEDS)[None, :]
    assert analyse(design, "y", outputs).paired
    outputs[5, 0] = np.nan
    found = analyse(design, "y", outputs)
    assert not found.paired
    assert {"idle", "also_idle"} <= set(found.dead)
    assert "(a run missing: noise floor pooled across seeds)" in sensitivity.describe(
        [found], design, {}
    )


def test_the_noise_only_mu_star_is_salibs_own():
    """The floors' mu*, computed for many noise outputs at once, is SALib's mu* of each."""
    design = morris_design(trajectories=7)
    outputs = np.random.default_rng(2).normal(0.0, 3.0, size=(5, len(design.sample)))
    ours = sensitivity.morris_mu_star(design, outputs)
    for row, found in zip(outputs, ours, strict=True):
        salib = sensitivity._indices(design, row, resamples=2)["mu_star"]
        np.testing.assert_allclose(found, salib, rtol=1e-12)


def test_noise_drawn_many_at_once_is_a_row_a_draw_each_trajectory_starting_at_zero():
    """The paired floor draws many noise outputs at once: a row each, a value per point,
    every trajectory's first point 0 (noise is in the steps), and no two rows alike."""
    design = morris_design(trajectories=5)
    outputs = noisy_outputs(design, lambda p: p["strong"], noise=1.0)
    rows = sensitivity._step_noise(design, outputs)(np.random.default_rng(0), 3)
    assert rows.shape == (3, len(design.sample))
    assert (rows.reshape(3, 5, len(design.names) + 1)[:, :, 0] == 0.0).all()
    assert not np.allclose(rows[0], rows[1]) and not np.allclose(rows[1], rows[2])


def test_across_many_outcomes_a_lever_that_does_nothing_is_called_dead_as_a_whole():
    """Forty outcomes of seed noise alone: each outcome's 95% floor calls the idle levers
    live about 1 time in 20 (some of the 80 calls), but no outcome passes its family-wise
    floor (1 - 0.05/40), so the report calls both dead; the strong lever stays live."""
    design = morris_design()
    found = [
        analyse(design, f"y{k}", noisy_outputs(design, lambda p: 2.0 * p["strong"], 1.0, seed=k),
                family=40)
        for k in range(40)
    ]  # fmt: skip
    calls = [name for f in found for name in f.live if name != "strong"]
    assert 1 <= len(calls) <= 12  # of 80, about 4 expected
    assert sensitivity.dead_family_wise(found) == ["idle", "also_idle"]
    floors = pd.concat([f.table for f in found])
    assert (floors["family_floor"] > floors["noise_floor"]).all()


def test_runs_that_never_differ_but_for_their_seed_have_no_noise_floor():
    """Each seed's offset is the same at every point: the seeds' differences across a step
    have no spread, so nothing is noise and any lever that moves the outcome is live."""
    design = morris_design()
    outputs = noisy_outputs(design, lambda p: 0.01 * p["idle"], noise=0.0)
    outputs += np.arange(SEEDS, dtype=float)[None, :] * 7.0
    found = analyse(design, "y", outputs)
    assert found.table["noise_floor"].eq(0.0).all()
    assert found.dead == ["strong", "also_idle"]


def test_a_rare_yes_or_no_that_two_seeds_mostly_agree_on_still_has_a_noise_floor():
    """With two seeds, most points of a rare event see it in neither run: their own spread
    is 0, but the event's noise is not, and no lever may pass for live on it."""
    design = morris_design()
    rng = np.random.default_rng(11)
    outputs = (rng.random((len(design.sample), 2)) < 0.1).astype(float)
    found = analyse(design, "y", outputs)
    assert (found.table["noise_floor"] > 0).all()
    assert found.dead == list(design.names)


def test_without_seed_noise_only_a_lever_with_no_effect_at_all_is_dead():
    design = morris_design()
    outputs = noisy_outputs(design, lambda p: 5.0 * p["strong"] + 0.01 * p["idle"], noise=0.0)
    found = analyse(design, "y", outputs)
    assert found.table["noise_floor"].eq(0.0).all()
    assert found.dead == ["also_idle"]


def test_a_lever_whose_effect_turns_round_in_its_range_changes_sign():
    design = morris_design()
    outputs = noisy_outputs(
        design, lambda p: 8.0 * (p["strong"] - 0.5) ** 2 + 2.0 * p["idle"], noise=0.05
    )
    found = analyse(design, "y", outputs)
    assert found.changes_sign == ["strong"]  # up at both ends: mu near 0, mu* not
    assert found.dead == ["also_idle"]


def test_sobol_total_indices_find_the_lever_and_call_the_noise_dead():
    ranges = {"strong": (0.0, 1.0), "idle": (0.0, 1.0), "weak": (0.0, 1.0)}
    design = SampledDesign.draw("sobol", ranges, dict.fromkeys(ranges, False), samples=128)
    outputs = noisy_outputs(design, lambda p: 4.0 * p["strong"] + 1.0 * p["weak"], noise=0.5)
    found = analyse(design, "y", outputs)
    assert found.dead == ["idle"]
    assert found.table.loc["strong", "ST"] > 0.7 > found.table.loc["weak", "ST"] > 0.02


def test_an_outcome_the_same_in_every_run_makes_every_lever_dead_and_is_said_so():
    design = morris_design(trajectories=4)
    found = analyse(design, "y", np.ones((len(design.sample), SEEDS)))
    assert found.constant and found.dead == list(design.names)


def test_a_point_without_a_finished_run_is_named_not_guessed():
    design = morris_design(trajectories=4)
    outputs = np.ones((len(design.sample), SEEDS))
    outputs[3, :] = np.nan
    with pytest.raises(NotAnalysable, match="1 of 16 points have no finished run"):
        analyse(design, "y", outputs)


def test_a_flag_is_counted_as_0_or_1_and_never_taken_as_the_day_after_the_run():
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            "seed": [0, 1, 0, 1],
            "flag": [True, False, True, True],
            "day": [5.0, None, 7.0, 9.0],
        }
    )
    flags = sensitivity.outcome_matrix(runs, "flag", 2, [0, 1], None)
    days = sensitivity.outcome_matrix(runs, "day", 2, [0, 1], 31.0)
    assert flags.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    assert days.tolist() == [[5.0, 31.0], [7.0, 9.0]]


TOY_MORRIS = """\
design = "morris"
trajectories = 6

[ranges]
capture_days = { from = 1, to = 10 }
alliance_strain_per_loss = { from = 0.0, to = 1.0 }

[outcomes.red_took_charlie]
kind = "taken"
faction = "red"
place = "charlie"
"""


def test_the_batch_and_report_find_the_lever_the_toy_exercises_and_the_one_it_never_does(
    theatre_dir, tmp_path, capsys, monkeypatch
):
    """The toy theatre has no militia, so `alliance_strain_per_loss` can do nothing; Red
    takes the mine at Charlie once its units have held it `capture_days` days, so that
    lever moves the day by the width of its range, 9 days. Seed 3's Red arrives a day
    later than seeds 0 to 2's: runs of one seed share their friction at every point
    (common random numbers), so without it the seeds would agree everywhere and leave no
    noise to measure."""
    folder = theatre_dir(units=UNITS)
    path = write_experiment(folder.parent, TOY_MORRIS, seeds="4")
    out = tmp_path / "results"
    assert main(["batch", str(path), "--jobs", "1", "--out", str(out)]) == 0
    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0.0)  # every step said
    assert main(["report", str(out)]) == 0
    captured = capsys.readouterr()
    printed = captured.out
    steps = re.findall(r"report: (\d+)/(\d+) steps, ([^,]+)", captured.err)
    assert [(int(done), note) for done, _, note in steps][:3] == [
        (1, "read the results"),
        (2, "analysed red_took_charlie"),
        (3, "analysed red_took_charlie.day"),
    ]
    assert steps[-1][0] == steps[-1][1]
    assert "5% over the 2 outcomes): alliance_strain_per_loss\n" in printed
    assert "any step (index exactly 0): alliance_strain_per_loss\n" in printed
    assert "  red_took_charlie.day: capture_days\n" in printed  # its live levers
    day = pd.read_csv(out / "report" / "tables" / "sensitivity-red_took_charlie.day.csv")
    day = day.set_index("parameter")
    assert list(day.index) == ["capture_days", "alliance_strain_per_loss"]  # by mu*
    strong = day.loc["capture_days"]
    assert strong["mu_star"] == pytest.approx(9.0, abs=1.5) and strong["mu"] > 0
    assert strong["mu_star"] - strong["mu_star_conf"] > 5 * strong["noise_floor"] > 0
    assert pd.isna(strong["verdict"]) and day.loc["alliance_strain_per_loss", "verdict"] == "dead"
    page = (out / "report" / "index.html").read_text()
    assert "Sensitivity: Morris elementary effects" in page and "noise floor" in page
