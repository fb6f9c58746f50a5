"""The road-fight search: the heap of meetings gives the same fights, in the same order, as
searching every pair of hostile stretches again after each fight (the rule as the ODD
states it), on random days of many columns crowding a few roads."""

from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import numpy as np
import pytest

from wargame.engine.agents import Leg
from wargame.phases import movement
from wargame.phases.movement import ROAD_END_KM, Meetings, _legs_to

ROADS = {("a", "b"): 40.0, ("b", "c"): 25.0, ("a", "c"): 60.0}
FACTIONS = ("red", "blue", "green")
HOSTILE = {("red", "blue"), ("red", "green")}  # blue and green are at peace


def _crossing(one: tuple, other: tuple) -> tuple[float, float] | None:
    """The rule pair by pair, as the ODD states it: when and where two stretches (start and
    end hour, start and end km) meet, if they do. The model searches whole roads at once."""
    begin, end = max(one[0], other[0]), min(one[1], other[1])
    if begin > end:
        return None
    if _heading(one) == _heading(other):
        return None  # both standing, or one overtaking the other
    gap_begin = _km_at(one, begin) - _km_at(other, begin)
    gap_end = _km_at(one, end) - _km_at(other, end)
    if gap_begin == 0.0:
        hour = begin
    elif gap_begin * gap_end <= 0.0:
        hour = begin + (end - begin) * gap_begin / (gap_begin - gap_end)
    else:
        return None
    return hour, _km_at(one, hour)


def _heading(stretch: tuple) -> int:
    """+1 going towards the road's second end, -1 towards its first, 0 standing."""
    return (stretch[3] > stretch[2]) - (stretch[3] < stretch[2])


def _km_at(stretch: tuple, hour: float) -> float:
    start_time, end_time, start_km, end_km = stretch
    if end_time <= start_time:
        return start_km
    return start_km + (end_km - start_km) * (hour - start_time) / (end_time - start_time)


@dataclass(eq=False)
class Column:
    faction: str
    clash: tuple | None = None


class Roads:
    """What the search reads of a model: the roads, the factions and who fights whom."""

    def __init__(self) -> None:
        self.grid = type("Grid", (), {"G": nx.Graph()})()
        for (one, two), km in ROADS.items():
            self.grid.G.add_edge(one, two, length_km=km)
        self.roads = {place: dict(self.grid.G.adj[place]) for place in self.grid.G}
        self.factions = dict.fromkeys(FACTIONS)

    def hostile(self, a: str, b: str) -> bool:
        return (a, b) in HOSTILE or (b, a) in HOSTILE


def random_day(rng: np.random.Generator, columns: int) -> dict[Column, list[Leg]]:
    """Each column covers one or two stretches of road, either way, at its own pace."""
    legs = {}
    for _ in range(columns):
        column = Column(str(rng.choice(FACTIONS)))
        hour, covered = 0.0, []
        for _ in range(int(rng.integers(1, 3))):
            (one, two), km = list(ROADS.items())[int(rng.integers(len(ROADS)))]
            origin, destination = (one, two) if rng.random() < 0.5 else (two, one)
            start = float(rng.uniform(0, km))
            end = float(rng.uniform(start, km))
            finish = min(1.0, hour + float(rng.uniform(0.1, 0.6)))
            covered.append(Leg(origin, destination, start, end, hour, finish))
            hour = finish
            if hour >= 1.0:
                break
        legs[column] = covered
    return legs


def exhaustive_first(model: Roads, legs: dict[Column, list[Leg]]):
    """Every pair of hostile stretches, searched afresh: the earliest meeting by (hour, road,
    column order)."""
    stretches, roads = [], {}
    for column, covered in legs.items():
        for leg in covered:
            road = tuple(sorted((leg.origin, leg.destination)))
            length = ROADS[road]
            ends = (
                (leg.start_km, leg.end_km)
                if leg.origin == road[0]
                else (
                    length - leg.start_km,
                    length - leg.end_km,
                )
            )
            roads.setdefault(road, len(roads))
            stretches.append((road, column, (leg.start_time, leg.end_time, *ends)))
    first = None
    for (i, one), (j, other) in combinations(enumerate(stretches), 2):
        if one[0] != other[0] or one[1] is other[1]:
            continue
        if not model.hostile(one[1].faction, other[1].faction):
            continue
        if one[1].clash is not None and other[1].clash is not None:
            continue
        met = _crossing(one[2], other[2])
        if met is None or not ROAD_END_KM < met[1] < ROADS[one[0]] - ROAD_END_KM:
            continue
        key = (met[0], roads[one[0]], i, j)
        if first is None or key < first[0]:
            first = (key, one[0], met[1], (one[1], other[1]))
    return None if first is None else (first[0][0], first[1], first[2], first[3])


def halted(covered: list[Leg], hour: float, road: tuple[str, str], km: float) -> list[Leg]:
    """The legs up to the fight, then standing where it is."""
    kept = _legs_to(covered, hour)
    last = kept[-1]
    assert tuple(sorted((last.origin, last.destination))) == road
    done = km if last.origin == road[0] else ROADS[road] - km
    return [*kept, Leg(last.origin, last.destination, done, done, hour, 1.0)]


@pytest.mark.parametrize(
    ("seed", "columns"), [*((seed, 40) for seed in range(12)), *((seed, 150) for seed in range(3))]
)
@pytest.mark.parametrize(
    ("one_by_one", "few"),
    [(movement.ONE_BY_ONE, movement.FEW), (0, 0), (10**9, 10**9)],
    ids=["shipped", "arrays-only", "lists-only"],
)
def test_the_heap_fights_the_same_fights_in_the_same_order_as_an_exhaustive_search(
    seed, columns, one_by_one, few, monkeypatch
):
    """40 columns, and 150 crowding the roads as a large theatre's fronts do (most of each
    search's meetings die before their hour comes); with the shipped thresholds between lists
    and arrays, and with every road and search kept on one side of them, through every halt."""
    monkeypatch.setattr(movement, "ONE_BY_ONE", one_by_one)
    monkeypatch.setattr(movement, "FEW", few)
    rng = np.random.default_rng(seed)
    model = Roads()
    legs = random_day(rng, columns=columns)
    meetings = Meetings(model, legs)
    fights = 0
    while True:
        expected = exhaustive_first(model, legs)
        found = meetings.first()
        assert found == expected
        if found is None:
            break
        hour, road, km, pair = found
        for column in pair:
            if column.clash is None:
                column.clash = (*road, km)
                legs[column] = halted(legs[column], hour, road, km)
                meetings.replace(column, legs[column])
        fights += 1
    assert fights > 0  # a day of 40 columns on three roads has fights to find


@pytest.mark.parametrize("seed", range(6))
def test_pair_by_pair_and_array_searches_find_the_same_meetings_to_the_last_bit(seed):
    """Small searches test pairs one by one, large ones as arrays (`ONE_BY_ONE`): on the same
    stretches both give the same meetings, hours and km equal bit for bit, in the same order."""
    rng = np.random.default_rng(seed)
    meetings = Meetings(Roads(), random_day(rng, columns=60))
    compared = 0
    for road, found in meetings.on_road.items():
        length = ROADS[road]
        for mine in [None, *sorted({row.who for row in found.rows()})]:
            plain = meetings._one_by_one(found.rows(), mine, length)
            arrays = meetings._as_arrays(found.arrays(), mine, length)
            assert (plain is None) == (arrays is None)
            if plain is None:
                continue
            as_rows = arrays.rows()
            assert plain.found == as_rows
            compared += len(as_rows)
    assert compared > 50  # sixty columns on three roads meet often
