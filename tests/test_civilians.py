"""Civilians: flight from fighting, refugees across the border, casualties, going home."""

import numpy as np
import pytest
from theatres import passive_model

from wargame.engine.agents import CivilianState
from wargame.engine.events import EventKind
from wargame.phases import civilians

BATTLE_AT_CHARLIE = [
    {"faction": "red", "place": "charlie", "strength": 1000},
    {"faction": "blue", "place": "charlie", "strength": 1000},
]


def battle(theatre_dir, parameters=None, rng=1):
    folder = theatre_dir(
        units=BATTLE_AT_CHARLIE,
        faction_overrides={"red": {"break_point": 0.0}, "blue": {"break_point": 0.0}},
    )
    return passive_model(folder, {"refugee_reach_days": 2.5, **(parameters or {})}, rng=rng)


def states_by_home(model):
    result = {}
    for group in model.civilians:
        result.setdefault(group.home, set()).add((group.state, group.cell.coordinate))
    return result


def test_people_flee_fighting_at_their_place_or_one_road_away(theatre_dir):
    model = battle(theatre_dir)
    model.step()
    where = states_by_home(model)
    # bravo is one road from the battle: its people go to alpha, out of danger
    assert where["bravo"] == {(CivilianState.DISPLACED, "alpha")}
    # charlie and delta have no safe place in reach but the border: they cross it
    assert where["charlie"] == {(CivilianState.REFUGEE, "sanctum")}
    assert where["delta"] == {(CivilianState.REFUGEE, "sanctum")}
    assert where["alpha"] == {(CivilianState.HOME, "alpha")}
    summary = model.summary()["civilians"]
    assert summary["displaced"] == 800
    assert summary["refugees_abroad"] == 300 + 100 - summary["killed"]
    texts = [e.text for e in model.events.of_kind(EventKind.FLIGHT)]
    assert "800 people fled Bravo for Alpha" in texts


def test_without_a_near_crossing_people_shelter_where_they_are(theatre_dir):
    model = battle(theatre_dir, {"refugee_reach_days": 0.5})
    model.step()
    where = states_by_home(model)
    assert where["charlie"] == {(CivilianState.HOME, "charlie")}
    assert where["delta"] == {(CivilianState.REFUGEE, "sanctum")}  # its own crossing


def test_civilian_deaths_follow_the_soldiers_put_out_of_action(theatre_dir):
    rate = 0.05
    killed, expected = [], []
    for seed in range(60):
        model = battle(
            theatre_dir,
            {"civilians_killed_per_casualty": rate, "refugee_reach_days": 0.0},
            rng=seed,
        )
        before = model.units[0].strength + model.units[1].strength
        model.step()
        losses = before - sum(u.strength for u in model.units)
        expected.append(min(rate * losses, 300))
        killed.append(model.civilians_killed)
    # binomial draws: the mean toll matches rate x casualties within 4 standard errors
    p = np.mean(expected) / 300
    assert abs(np.mean(killed) - np.mean(expected)) < 4 * np.sqrt(300 * p * (1 - p) / 60)
    assert np.mean(killed) > 0


def quiet_after_battle(theatre_dir, parameters):
    """A battle at charlie on day 1 only: the blue unit is gone by day 2."""
    model = battle(theatre_dir, {"return_rate_per_day": 1.0, **parameters})
    model.step()
    for unit in [u for u in model.units if u.faction == "blue"]:
        unit.remove()
    return model


def test_people_go_home_once_home_has_been_quiet_long_enough(theatre_dir):
    model = quiet_after_battle(theatre_dir, {"return_quiet_days": 10})
    away = model.summary()["civilians"]
    model.run(8)  # day 9: quiet for 8 days
    assert states_by_home(model)["bravo"] == {(CivilianState.DISPLACED, "alpha")}
    model.run(2)
    assert states_by_home(model)["bravo"] == {(CivilianState.RETURNED, "bravo")}
    assert model.summary()["civilians"]["returned"] == away["displaced"] + away["refugees_abroad"]
    assert any(e.place == "bravo" for e in model.events.of_kind(EventKind.RETURN))


def test_a_faction_that_calls_people_home_brings_them_back_sooner(theatre_dir):
    model = quiet_after_battle(
        theatre_dir, {"return_quiet_days": 60, "return_quiet_days_called": 5, "capture_days": 1}
    )
    model.factions["red"].spec.doctrine.__dict__["calls_home"] = True
    model.run(2)  # red alone at charlie: it takes charlie and calls its people home
    assert "charlie" in model.state(civilians).called_home
    assert model.events.of_kind(EventKind.CALLED_HOME)[0].text == (
        "Red called the displaced people of Charlie home"
    )
    model.run(5)
    assert states_by_home(model)["charlie"] == {(CivilianState.RETURNED, "charlie")}
    assert states_by_home(model)["bravo"] == {(CivilianState.DISPLACED, "alpha")}


@pytest.mark.parametrize("seed", range(5))
def test_people_are_conserved_through_a_campaign(seed):
    from wargame import ConflictModel

    model = ConflictModel("kachin", rng=seed)
    start = model.summary()["civilians"]["population"]
    for _ in range(120):
        model.step()
        civilians = model.summary()["civilians"]
        assert civilians["population"] + civilians["killed"] == start
        assert all(g.size > 0 for g in model.civilians)


def test_a_closed_crossing_keeps_people_from_fleeing_abroad(theatre_dir):
    model = battle(theatre_dir)
    model.close_crossing("delta")
    model.step()
    where = states_by_home(model)
    assert where["charlie"] == {(CivilianState.HOME, "charlie")}
