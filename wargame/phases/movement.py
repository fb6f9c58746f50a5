"""Phase 3, movement: units travel along their routes at the speed of each road.

Hostile columns that meet head-on on a road stop where they meet and fight
there (phase 4); a column that reaches a fight on the road stops at it too.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations, product

import numpy as np

from wargame.engine.agents import Leg, Transit, Unit
from wargame.engine.world import World

FRICTION = "movement.friction"
"""The stream of each unit's daily progress: one draw per unit per day, by its id."""

ROAD_END_KM = 1e-6
"""A meeting nearer a road's end than this is at the place, where combat already looks."""

Road = tuple[str, str]
"""A road by its two ends, sorted by name."""

Stretch = tuple[float, float, float, float]
"""A unit's stretch of one road today: start and end hour, start and end km from the
road's first end (its ends sorted by name)."""


def daily_progress(model: World, ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Days of road each unit (by id) covers today: lognormal friction with mean exactly 1.

    A lognormal with sigma^2 = ln(1 + cv^2) and mu = -sigma^2 / 2 has mean 1 and
    the given coefficient of variation, so friction delays some units and
    speeds others without changing the expected pace. Each unit's draw is its
    own (by id and day), so a unit that moves in one arm of an experiment and
    not in the other leaves the others' luck alone.
    """
    cv = model.parameters.travel_friction
    if cv == 0.0:
        return np.ones(len(ids))
    sigma = np.sqrt(np.log1p(cv**2))
    return model.streams.lognormal(FRICTION, model.day, ids, mu=-(sigma**2) / 2, sigma=sigma)


def start(world: World) -> None:
    """Movement keeps nothing of its own: units carry their routes."""


def run(model: World, state: None) -> None:
    """Units on the move cover a day of road each, then hostile columns that met stop there.

    Each unit moves at an even pace through the day, so where it is at any hour
    is known; the first meeting of the day is found, its units are put back to
    where they stood at that hour, and the search goes on until no hostile
    columns cross.
    """
    # where enemies stood this morning, fixed before anyone moves
    barred = {faction: model.enemy_positions(faction) for faction in model.factions}
    for unit in model.units:
        unit.arrival, unit.clash = 0.0, None
    moving = [unit for unit in model.units if unit.route or unit.transit]
    progress = daily_progress(model, [unit.unique_id for unit in moving])
    morning = {unit: _whereabouts(unit) for unit in moving}
    legs: dict[Unit, list[Leg]] = {}
    for unit, days in zip(moving, progress, strict=True):
        legs[unit] = []
        unit.travel(float(days), barred[unit.faction], legs=legs[unit])
    pace = dict(zip(moving, progress.tolist(), strict=True))
    meetings = Meetings(model, legs)
    while (meeting := meetings.first()) is not None:
        hour, road, km, pair = meeting
        for unit in pair:
            if unit.clash is None:
                _halt(model, unit, morning[unit], pace[unit], barred[unit.faction], hour, road, km)
                legs[unit] = [*_legs_to(legs[unit], hour), _standing(unit, hour)]
                meetings.replace(unit, legs[unit])


def _whereabouts(unit: Unit) -> tuple[str | None, Transit | None, list[str]]:
    return unit.place, None if unit.transit is None else replace(unit.transit), list(unit.route)


def _halt(
    model: World,
    unit: Unit,
    morning: tuple[str | None, Transit | None, list[str]],
    pace: float,
    barred: frozenset[str],
    hour: float,
    road: tuple[str, str],
    km: float,
) -> None:
    """Put `unit` where it was at `hour` (on `road`, `km` from its first end) and stop it."""
    place, transit, route = morning
    unit.stand_at(place)
    unit.transit, unit.route = transit, route
    unit.travel(pace * hour, barred, pace=pace)
    transit = unit.transit
    assert transit is not None and tuple(sorted((transit.origin, transit.destination))) == road
    done = km if transit.origin == road[0] else transit.km_total - km
    transit.km_left = transit.km_total - done
    unit.arrival, unit.clash = hour, (*road, km)


def _legs_to(legs: list[Leg], hour: float) -> list[Leg]:
    """The stretches of road covered before `hour`, the last one cut at it."""
    kept = []
    for leg in legs:
        if leg.start_time >= hour:
            break
        if leg.end_time > hour:
            share = (hour - leg.start_time) / (leg.end_time - leg.start_time)
            leg = replace(
                leg, end_km=leg.start_km + share * (leg.end_km - leg.start_km), end_time=hour
            )
        kept.append(leg)
    return kept


def _standing(unit: Unit, hour: float) -> Leg:
    """A halted unit's day from `hour` on: it stays where it met the enemy."""
    transit = unit.transit
    done = transit.km_total - transit.km_left
    return Leg(transit.origin, transit.destination, done, done, hour, 1.0)


class Meetings:
    """The day's meetings of hostile columns on roads, kept in a heap by hour.

    Columns meet head-on, or one reaches a column halted by a fight; one
    overtaking another going the same way is no meeting (their speeds differ by
    friction alone). Units already halted are not met again by each other.
    Every pair of hostile stretches on a road is searched once; when a fight
    halts a unit, only its own pairs are searched again (a meeting found before
    with its old day is dropped when it comes up). Among meetings at the same
    hour the first in road and column order wins (the road order the day's legs
    gave when the search began; an exhaustive search after each fight could
    order two roads otherwise only at an exact tie of hours).
    """

    def __init__(self, model: World, legs: dict[Unit, list[Leg]]) -> None:
        self.graph = model.grid.G
        factions = sorted(model.factions)
        self.enemies = {
            pair
            for a, b in combinations(factions, 2)
            if model.hostile(a, b)
            for pair in ((a, b), (b, a))
        }
        self.position = {unit: number for number, unit in enumerate(legs)}
        self.on_road: dict[Road, dict[Unit, list[tuple[tuple[int, int], Stretch]]]] = {}
        self.roads: dict[Unit, set[Road]] = {}
        self.number: dict[Road, int] = {}
        self.day_of: dict[Unit, int] = dict.fromkeys(legs, 0)
        self.heap: list[tuple] = []
        for unit, covered in legs.items():
            self._place(unit, covered)
        for road in self.on_road:
            self._search(road, None)

    def _place(self, unit: Unit, covered: list[Leg]) -> None:
        self.roads[unit] = set()
        for number, leg in enumerate(covered):
            road = tuple(sorted((leg.origin, leg.destination)))
            length = self.graph[leg.origin][leg.destination]["length_km"]
            start, end = (
                (leg.start_km, leg.end_km)
                if leg.origin == road[0]
                else (length - leg.start_km, length - leg.end_km)
            )
            self.number.setdefault(road, len(self.number))
            order = (self.position[unit], number)
            stretch = (leg.start_time, leg.end_time, start, end)
            self.on_road.setdefault(road, {}).setdefault(unit, []).append((order, stretch))
            self.roads[unit].add(road)

    def replace(self, unit: Unit, covered: list[Leg]) -> None:
        """Give `unit` a new day of legs (a fight halted it) and search its meetings again."""
        for road in self.roads[unit]:
            del self.on_road[road][unit]
        self.day_of[unit] += 1
        self._place(unit, covered)
        for road in self.roads[unit]:
            self._search(road, unit)

    def first(self) -> tuple[float, Road, float, tuple[Unit, Unit]] | None:
        """The day's earliest meeting not yet fought: (hour, road, km, the two units)."""
        while self.heap:
            hour, _, _, _, days, road, km, pair = heapq.heappop(self.heap)
            current = days == (self.day_of[pair[0]], self.day_of[pair[1]])
            if current and (pair[0].clash is None or pair[1].clash is None):
                return hour, road, km, pair
        return None

    def _search(self, road: Road, unit: Unit | None) -> None:
        """Push the meetings on `road` of `unit`'s stretches (of every stretch when None)."""
        stretches = [
            (o, u, s, _heading(s)) for u, found in self.on_road[road].items() for o, s in found
        ]
        if unit is None:
            pairs = combinations(stretches, 2)
        else:
            mine = [entry for entry in stretches if entry[1] is unit]
            pairs = product(mine, [entry for entry in stretches if entry[1] is not unit])
        length = self.graph[road[0]][road[1]]["length_km"]
        for first, second in pairs:
            if first[3] == second[3]:
                continue  # both standing, or going the same way: no meeting (`_crossing`)
            if (first[1].faction, second[1].faction) not in self.enemies:
                continue
            one, other = (first, second) if first[0] < second[0] else (second, first)
            units = (one[1], other[1])
            if units[0].clash is not None and units[1].clash is not None:
                continue
            met = _crossing(one[2], other[2])
            if met is None or not ROAD_END_KM < met[1] < length - ROAD_END_KM:
                continue
            days = (self.day_of[units[0]], self.day_of[units[1]])
            entry = (met[0], self.number[road], one[0], other[0], days, road, met[1], units)
            heapq.heappush(self.heap, entry)


def _crossing(one: Stretch, other: Stretch) -> tuple[float, float] | None:
    """When and where two stretches (start and end hour, start and end km) meet, if they do."""
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


def _heading(stretch: Stretch) -> int:
    """+1 going towards the road's second end, -1 towards its first, 0 standing."""
    return (stretch[3] > stretch[2]) - (stretch[3] < stretch[2])


def _km_at(stretch: Stretch, hour: float) -> float:
    start_time, end_time, start_km, end_km = stretch
    if end_time <= start_time:
        return start_km
    return start_km + (end_km - start_km) * (hour - start_time) / (end_time - start_time)
