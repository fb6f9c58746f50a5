"""Random streams: a draw depends on the seed, its purpose, its day and its id, nothing else.

So two runs of one seed that differ in a lever of one phase (two arms of an
experiment) keep every other phase's draws, and their comparison is paired.
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wargame import ConflictModel
from wargame.engine.streams import Streams, stream
from wargame.phases import movement
from wargame.scenario.synthetic import synthetic_theatre


def test_a_stream_is_its_seed_and_key_alone():
    assert stream(7, "combat.casualties", 3).random(4) == pytest.approx(
        stream(7, "combat.casualties", 3).random(4)
    )
    draws = {
        key: stream(7, *key).random()
        for key in [("a", 1), ("a", 2), ("b", 1), ("a", "1"), ("a", 1, "x")]
    }
    assert len(set(draws.values())) == len(draws)  # every key its own stream
    assert stream(8, "a", 1).random() != draws[("a", 1)]


def test_an_ids_draw_is_the_same_whichever_other_ids_draw_that_day():
    streams = Streams(11)
    alone = streams.uniforms("movement.friction", 5, [57])
    crowded = streams.uniforms("movement.friction", 5, [3, 900, 57, 12])
    assert crowded[2] == alone[0]
    assert streams.uniforms("movement.friction", 6, [57])[0] != alone[0]  # a new day, a new draw
    assert streams.uniform("diplomacy.closure", 5, "gate") == streams.uniform(
        "diplomacy.closure", 5, "gate"
    )


def test_draws_by_inversion_move_as_little_as_their_chance_does():
    """A higher chance keeps every success a lower one had: the arms' draws are coupled."""
    streams = Streams(3)
    ids, trials = np.arange(200), np.full(200, 400)
    low = streams.binomial("combat.casualties", 9, ids, trials, 0.05)
    high = streams.binomial("combat.casualties", 9, ids, trials, 0.06)
    assert np.all(high >= low) and high.sum() > low.sum()
    assert low.mean() == pytest.approx(20, rel=0.1)
    assert np.all(streams.binomial("x", 1, ids, trials, 0.0) == 0)
    assert np.all(streams.binomial("x", 1, ids, trials, 1.0) == 400)


def war(model: ConflictModel, days: int) -> tuple[list, list]:
    """Every unit's place and strength each day, and every friction draw of the run."""
    frictions = []
    progress = movement.daily_progress

    def recorded(world, ids):
        drawn = progress(world, ids)
        frictions.append((world.day, list(ids), drawn.tolist()))
        return drawn

    states = []
    movement.daily_progress = recorded
    try:
        for _ in range(days):
            model.step()
            states.append([(u.unique_id, u.place, u.strength) for u in model.units])
    finally:
        movement.daily_progress = progress
    return states, frictions


@pytest.mark.parametrize(
    ("lever", "low", "high"),
    [("return_rate_per_day", 0.02, 0.6), ("civilians_killed_per_casualty", 0.0, 2.0)],
)
def test_a_lever_of_the_civilians_phase_leaves_the_war_and_its_draws_as_they_were(lever, low, high):
    """Civilians do not fight: with the three ways their flight acts on the war turned off
    (recruits among the displaced, the trade of a town that emptied, the refugees a broker
    counts against those fighting near its border), a lever of theirs
    changes how many of their draws are made and what they are, and must leave every
    unit's luck, and so the war, unchanged."""
    theatre = synthetic_theatre(40, 60, seed=4, civilian_groups=300)
    quick = {"return_quiet_days": 1}  # people go home within the test's days
    quick |= {"recruits_per_displaced": 0.0, "trade_share": 0.0, "hurt_per_thousand_refugees": 0.0}
    # a run whose fighting drives people out early enough to go home within its 40 days
    arms = [ConflictModel(theatre, {**quick, lever: value}, rng=1) for value in (low, high)]
    (war_low, drawn_low), (war_high, drawn_high) = (war(arm, 40) for arm in arms)
    people = [arm.series()[["civilians_returned", "civilians_killed"]] for arm in arms]
    differs = (people[0] != people[1]).any(axis=1)
    assert differs.any()  # the lever did change the civilians' days...
    assert any(day > differs.idxmax() for day, _, _ in drawn_low)  # ...and units moved after
    assert drawn_low == drawn_high
    assert war_low == war_high


def test_no_draw_comes_from_mesas_generators():
    """Mesa's `rng` and `random` are seeded but unused: every draw has a stream of its own."""
    model = ConflictModel(synthetic_theatre(30, 40, seed=2, civilian_groups=100), rng=4)
    rng, random = model.rng.bit_generator.state, model.random.getstate()
    model.run(30)
    assert model.rng.bit_generator.state == rng
    assert model.random.getstate() == random


def test_the_binomial_draw_is_scipys_quantile_of_the_uniform():
    """The fast kernel gives what `scipy.stats.binom.ppf` gives, edges included (a
    chance of 0 or 1, no trials, a uniform of exactly 0), and refuses what it cannot draw."""
    from scipy import stats

    streams = Streams(5)
    rng = np.random.default_rng(2)
    ids = np.arange(5000)
    trials = rng.integers(0, 3000, ids.size)
    trials[:300] = 0
    chance = rng.random(ids.size) ** 3
    chance[300:600], chance[600:900] = 0.0, 1.0
    drawn = streams.binomial("x", 4, ids, trials, chance)
    quantile = stats.binom.ppf(streams.uniforms("x", 4, ids), trials, chance)
    assert np.array_equal(drawn, np.maximum(quantile, 0).astype(np.int64))
    streams.uniforms = lambda purpose, day, ids: np.zeros(len(ids))  # the quantile at 0 is -1
    assert np.array_equal(streams.binomial("x", 4, [1, 2], [10, 10], [0.5, 1.0]), [0, 0])
    with pytest.raises(ValueError, match="chance"):
        streams.binomial("x", 4, [1], [10], [1.5])
    with pytest.raises(ValueError, match="trials"):
        streams.binomial("x", 4, [1], [-1], [0.5])
    with pytest.raises(ValueError, match="trials"):
        streams.binomial("x", 4, [1], [10.5], [0.5])
    with pytest.raises(ValueError, match="chance"):
        streams.binomial("x", 4, [1], [10], [float("nan")])


def test_a_binomial_draw_takes_one_chance_for_all_and_no_ids():
    """Callers pass one chance for every id (civilians killed), and may have no ids."""
    streams = Streams(5)
    ids, trials = [3, 8, 21], [40, 400, 4000]
    assert np.array_equal(
        streams.binomial("x", 2, ids, trials, 0.1),
        streams.binomial("x", 2, ids, trials, [0.1, 0.1, 0.1]),
    )
    assert streams.binomial("x", 2, [], [], 0.1).size == 0


def test_a_lognormal_draw_is_the_c_librarys_exp_bit_for_bit():
    """numpy's exp takes a vector path on AVX-512 CPUs whose last bits differ from the C
    library's (511 of these 10,000 did on one such machine): the draw must not."""
    from scipy import special

    ids = np.arange(10_000)
    drawn = Streams(3).lognormal("movement.friction", 9, ids, mu=-0.02, sigma=0.2)
    exponents = -0.02 + 0.2 * special.ndtri(Streams(3).uniforms("movement.friction", 9, ids))
    assert drawn.tolist() == [math.exp(x) for x in exponents.tolist()]


AVX512 = [
    f
    for f in np.show_config(mode="dicts")["SIMD Extensions"]["found"]
    if f.startswith("AVX512") or f == "X86_V4"
]
"""numpy's AVX-512 loops this machine would use (its `found` list: X86_V4, AVX512_*)."""


@pytest.mark.skipif(not AVX512, reason="numpy finds no AVX-512 on this CPU: nothing to turn off")
def test_one_seed_gives_one_run_with_numpys_avx512_loops_on_or_off():
    """The same generated run (its crowded fronts draw friction for thousands of columns)
    in this process and in one where numpy may not use AVX-512, as on an older CPU."""
    tests = Path(__file__).parent
    code = f"import sys; sys.path.insert(0, {str(tests)!r}); from test_digest import digest; "
    off = subprocess.run(
        [sys.executable, "-c", code + "print(digest('synthetic', 1))"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(AVX512)},
    )  # fmt: skip
    assert off.returncode == 0, off.stderr
    from test_digest import digest

    assert off.stdout.strip() == digest("synthetic", 1)
