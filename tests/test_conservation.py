"""Soldiers and people are conserved in any theatre and seed.

Every soldier is in play, killed, interned (held abroad or handed back, and
then in play again) or surrendered; every person is at home, displaced,
abroad or killed.
"""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from theatres import place, road, write_theatre

from wargame import ConflictModel
from wargame.scenario.map_rules import haversine_km

FACTIONS = ["red", "blue", "green"]


@st.composite
def theatres(draw):
    n = draw(st.integers(4, 10))
    ids = [f"p{i}" for i in range(n)]
    features = [
        place(
            pid,
            97 + draw(st.floats(0, 1)),
            25 + draw(st.floats(0, 1)),
            draw(st.sampled_from(["town", "base", "mine", "border_post"])),
            population=draw(st.integers(0, 5000)),
            fortification=draw(st.floats(0, 0.8)),
        )
        for pid in ids
    ]
    features[-1]["properties"]["kind"] = "border_post"
    kinds = st.sampled_from(["highway", "road", "track"])
    points = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in features}

    def winding(a: str, b: str) -> float:
        """A length a real road between a and b could have: 1 to 2.5 times the line."""
        return max(haversine_km(points[a], points[b]) * draw(st.floats(1, 2.5)), 0.5)

    for i in range(1, n):  # a random tree keeps every place connected
        a = ids[draw(st.integers(0, i - 1))]
        features.append(road(a, ids[i], draw(kinds), winding(a, ids[i])))
    for _ in range(draw(st.integers(0, n))):
        a, b = draw(st.permutations(ids))[:2]
        if not any(
            {a, b} == {f["properties"].get("from"), f["properties"].get("to")} for f in features
        ):
            features.append(road(a, b, draw(kinds), winding(a, b)))
    lon, lat = points[ids[-1]]
    features.append(place("abroad", lon + 0.01, lat, "sanctuary", country="CN"))
    features.append(road(ids[-1], "abroad", "road", 2.0))
    factions = FACTIONS[: draw(st.integers(2, 3))]
    control = {pid: draw(st.sampled_from(factions)) for pid in ids}
    units = [
        {"faction": control[pid], "place": pid, "strength": draw(st.integers(1, 800))}
        for pid in draw(st.lists(st.sampled_from(ids), min_size=1, max_size=8))
    ]
    overrides = {  # each faction draws its own view of the others: relations may be one-sided
        f: {
            "relations": {o: draw(st.floats(-1, 1)) for o in factions if o != f},
            "effectiveness": draw(st.floats(0.001, 0.05)),
        }
        for f in factions
    }
    neighbour = draw(
        st.sampled_from(
            [
                {"soldiers": "intern"},
                {"soldiers": "refuse"},
                {"soldiers": "hand_back", "hand_back_after_days": draw(st.integers(1, 10))},
            ]
        )
    )
    return features, control, units, factions, overrides, neighbour


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    theatre=theatres(),
    seed=st.integers(0, 2**31),
    mode=st.sampled_from(["stochastic", "deterministic"]),
)
def test_soldiers_and_people_are_conserved(theatre, seed, mode):
    features, control, units, factions, overrides, neighbour = theatre
    with tempfile.TemporaryDirectory() as folder:
        write_theatre(
            Path(folder),
            features=features,
            control=control,
            units=units,
            factions=factions,
            faction_overrides=overrides,
            neighbours={"CN": neighbour},
        )
        model = ConflictModel(folder, {"combat_mode": mode}, rng=seed)
        start = {f: sum(u["strength"] for u in units if u["faction"] == f) for f in factions}
        people = sum(g.size for g in model.civilians)
        for _ in range(40):
            model.step()
            assert all(u.strength > 0 for u in model.units)
            assert sum(g.size for g in model.civilians) + model.civilians_killed == people
            for f in factions:
                faction = model.factions[f]
                in_play = sum(u.strength for u in model.units if u.faction == f)
                total = in_play + faction.killed + faction.interned + faction.surrendered
                total += faction.captured + faction.deserted
                came = start[f] + faction.recruited + faction.repatriated
                assert 0 <= faction.repatriated <= faction.interned
                if mode == "stochastic":
                    assert total == came
                else:
                    assert abs(total - came) <= 1e-6 * max(start[f], 1)


def test_daily_civilian_tallies_equal_a_count_of_every_group():
    """Tallies and returns read indexes of groups that left home; a full count must agree."""
    from wargame.engine.agents import CivilianState
    from wargame.engine.measures import civilian_measures
    from wargame.scenario.synthetic import synthetic_theatre

    for scenario, seed in (("kachin", 3), (synthetic_theatre(150, 300, 2), 2)):
        model = ConflictModel(scenario, rng=seed)
        moved_days = 0
        for _ in range(120):
            model.step()
            groups = model.civilians
            by_state = {
                state: sum(g.size for g in groups if g.state is state) for state in CivilianState
            }
            measures = civilian_measures(model)
            assert measures["population"] == sum(g.size for g in groups)
            assert measures["displaced"] == by_state[CivilianState.DISPLACED]
            assert measures["refugees_abroad"] == by_state[CivilianState.REFUGEE]
            assert measures["returned"] == by_state[CivilianState.RETURNED]
            away = {CivilianState.DISPLACED, CivilianState.REFUGEE}
            assert set(model.civilians_away) == {g.unique_id for g in groups if g.state in away}
            moved_days += by_state[CivilianState.HOME] < measures["population"]
        assert moved_days > 30  # people fled for much of the run: the index was exercised
