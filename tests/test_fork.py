"""What if, from here: a fork is its run to the day, and differs after only through its change."""

from functools import partial

import pandas as pd
import pytest

from wargame import build_model
from wargame.analysis.fork import Change, changed_parameters, fork, replay
from wargame.engine import measures
from wargame.scenario.parameters import SET_AT_START, SetAtStartError, UnknownParameterError

DAYS = 120
FORK_DAY = 50
kachin = partial(build_model, "kachin", {}, 7)


def events(model) -> pd.DataFrame:
    return measures.events_frame(model)


def test_a_fork_is_its_run_exactly_up_to_its_day_and_another_run_after():
    result = fork(kachin, Change(FORK_DAY, {"fortification_bonus": "3"}), DAYS)
    ours, theirs = result.forked.series(), result.unchanged.series()
    pd.testing.assert_frame_equal(ours.iloc[: FORK_DAY + 1], theirs.iloc[: FORK_DAY + 1])
    before = events(result.forked)["day"] <= FORK_DAY
    pd.testing.assert_frame_equal(
        events(result.forked)[before], events(result.unchanged)[: before.sum()]
    )
    assert not ours.equals(theirs)
    assert result.first_difference() > FORK_DAY
    assert result.forked.parameters.fortification_bonus == 3.0
    assert result.unchanged.parameters.fortification_bonus == 2.5  # Kachin's own


def test_the_unchanged_run_is_the_run_without_any_fork():
    result = fork(kachin, Change(FORK_DAY, {"broker_pressure": "1"}), DAYS)
    plain = kachin()
    plain.run(DAYS)
    pd.testing.assert_frame_equal(result.unchanged.series(), plain.series())
    assert result.unchanged.summary() == plain.summary()


@pytest.mark.parametrize(
    "values",
    [
        {"broker_pressure": "0.5"},  # its value already
        {"prices.rare_earth": "33600", "speed_track_km_per_day": "12"},
        {"worth_mine": "0.5", "combat_mode": "stochastic"},
    ],
)
def test_a_change_that_cannot_act_reproduces_the_run_to_the_end(values):
    result = fork(kachin, Change(FORK_DAY, values), DAYS)
    pd.testing.assert_frame_equal(result.forked.series(), result.unchanged.series())
    pd.testing.assert_frame_equal(events(result.forked), events(result.unchanged))
    assert result.forked.summary() == result.unchanged.summary()
    assert result.first_difference() is None and result.differences() == {}


@pytest.mark.parametrize(
    "values",
    [
        {"fortification_bonus": "3"},  # the fighting at walls from the next battle on
        {"prices.rare_earth": "0"},
        {"external_income_factor": "0", "recruits_per_base_per_day": "20"},
    ],
)
def test_a_strong_change_alters_the_days_after_the_fork(values):
    result = fork(kachin, Change(FORK_DAY, values), DAYS)
    first = result.first_difference()
    assert first is not None and FORK_DAY < first <= DAYS
    differences = result.differences()
    assert {f"parameters.{name}" for name in values} <= differences.keys()
    assert len(differences) > len(values)  # more than the parameters themselves


@pytest.mark.parametrize(
    "values",
    [
        {"speed_track_km_per_day": "6", "speed_road_km_per_day": "30"},
        {"speed_highway_km_per_day": "80"},
        {"broker_pressure": "1", "border_zone_days": "4"},
        {"prices.jade": "0", "worth_mine": "2"},
        {"objective_discount_per_day": "0.5", "capture_days": "1"},
    ],
)
def test_a_fork_on_day_0_is_the_run_with_the_change_from_the_start(values):
    # a mid-run change acts fully: from day 0 it is the same as building the model with it
    result = fork(kachin, Change(0, values), DAYS)
    direct = build_model("kachin", values, 7)
    direct.run(DAYS)
    pd.testing.assert_frame_equal(result.forked.series(), direct.series())
    pd.testing.assert_frame_equal(events(result.forked), events(direct))
    assert result.forked.summary() == direct.summary()


@pytest.mark.parametrize("name", sorted(SET_AT_START))
def test_a_parameter_read_when_the_model_is_built_is_refused_even_at_its_value(name):
    model = kachin()
    current = model.parameters.value(name)
    value = 500 if current is None else current
    with pytest.raises(SetAtStartError) as refused:
        changed_parameters(model, {name: value})
    assert refused.value.names == [name] and name in str(refused.value)
    with pytest.raises(SetAtStartError):
        fork(kachin, Change(10, {name: value}), 20)


def test_the_world_refuses_a_new_value_of_a_parameter_read_when_it_was_built():
    model = kachin()
    with pytest.raises(SetAtStartError, match="civilian_group_size"):
        model.parameters = model.parameters.model_copy(update={"civilian_group_size": 100})
    assert model.parameters.civilian_group_size == 500


def test_a_bad_change_is_refused_before_a_day_is_played():
    with pytest.raises(UnknownParameterError):
        fork(kachin, Change(10, {"no_such_thing": "1"}), 20)
    with pytest.raises(ValueError, match="from 0 to 20"):
        fork(kachin, Change(21, {"broker_pressure": "1"}), 20)
    with pytest.raises(ValueError, match="from 0 to 20"):
        fork(kachin, Change(-1, {"broker_pressure": "1"}), 20)


def test_a_fork_replayed_to_a_day_is_the_fork_on_that_day():
    # how the viewer looks back at a forked run: a fresh model, the change on its day
    change = Change(FORK_DAY, {"broker_pressure": "1", "speed_road_km_per_day": "15"})
    result = fork(kachin, change, DAYS)
    for day in (FORK_DAY - 10, FORK_DAY, DAYS):
        again = replay(kachin, day, [change])
        assert again.day == day
        pd.testing.assert_frame_equal(again.series(), result.forked.series().iloc[: day + 1])
        if day >= FORK_DAY:  # the fork's parameters on that day (outside events change them)
            assert again.parameters == fork(kachin, change, day).forked.parameters
    assert replay(kachin, FORK_DAY - 1, [change]).parameters == kachin().parameters
