"""Phase 3, movement: units travel along their routes at the speed of each road.

Hostile columns that meet head-on on a road stop where they meet and fight
there (phase 4); a column that reaches a fight on the road stops at it too.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from wargame.engine.agents import Leg, Transit, Unit
from wargame.engine.world import World

FRICTION = "movement.friction"
"""The stream of each unit's daily progress: one draw per unit per day, by its id."""

ROAD_END_KM = 1e-6
"""A meeting nearer a road's end than this is at the place, where combat already looks."""

Road = tuple[str, str]
"""A road by its two ends, sorted by name."""


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

    Each search gives a batch of meetings sorted by hour, and the heap holds only
    each batch's next live one: a search of a crowded road finds hundreds, most
    of them dropped later, and they are dropped faster in a batch than in the
    heap. Units are known by their position in the day's legs; `replace` is how
    a halt is told, so the units' days and clashes are kept as arrays by it.
    """

    def __init__(self, model: World, legs: dict[Unit, list[Leg]]) -> None:
        self.graph = model.grid.G
        factions = sorted(model.factions)
        self.hostile = np.array(
            [[a != b and model.hostile(a, b) for b in factions] for a in factions]
        )
        side = {faction: number for number, faction in enumerate(factions)}
        self.units = list(legs)
        self.position = {unit: number for number, unit in enumerate(self.units)}
        self.side = np.array([side[unit.faction] for unit in self.units], dtype=int)
        self.days = np.zeros(len(self.units), dtype=int)
        self.clashed = np.array([unit.clash is not None for unit in self.units], dtype=bool)
        self.on_road: dict[Road, Stretches] = {}
        self.roads: dict[Unit, set[Road]] = {}
        self.number: dict[Road, int] = {}
        self.heap: list[tuple] = []
        self.batches: list[Batch] = []
        rows: dict[Road, list[tuple]] = {}
        for unit, covered in legs.items():
            for road, found in self._rows(unit, covered).items():
                rows.setdefault(road, []).extend(found)
        for road, found in rows.items():
            self.on_road[road] = Stretches.of(found)
        for road in self.on_road:
            self._search(road, None)

    def _rows(self, unit: Unit, covered: list[Leg]) -> dict[Road, list[tuple]]:
        """Each leg as a row (position, leg number, start and end hour, start and end km from
        the road's first end), by road; the roads are numbered in the order first met."""
        self.roads[unit] = set()
        rows: dict[Road, list[tuple]] = {}
        for number, leg in enumerate(covered):
            road = tuple(sorted((leg.origin, leg.destination)))
            length = self.graph[leg.origin][leg.destination]["length_km"]
            start, end = (
                (leg.start_km, leg.end_km)
                if leg.origin == road[0]
                else (length - leg.start_km, length - leg.end_km)
            )
            self.number.setdefault(road, len(self.number))
            rows.setdefault(road, []).append(
                (self.position[unit], number, leg.start_time, leg.end_time, start, end)
            )
            self.roads[unit].add(road)
        return rows

    def replace(self, unit: Unit, covered: list[Leg]) -> None:
        """Give `unit` a new day of legs (a fight halted it) and search its meetings again."""
        position = self.position[unit]
        for road in self.roads[unit]:
            self.on_road[road] = self.on_road[road].without(position)
        self.days[position] += 1
        self.clashed[position] = unit.clash is not None
        for road, found in self._rows(unit, covered).items():
            known = self.on_road.get(road)
            self.on_road[road] = Stretches.of(found) if known is None else known.with_rows(found)
        for road in self.roads[unit]:
            self._search(road, unit)

    def first(self) -> tuple[float, Road, float, tuple[Unit, Unit]] | None:
        """The day's earliest meeting not yet fought: (hour, road, km, the two units)."""
        while self.heap:
            hour, number, one, other, days, batch, road, km = heapq.heappop(self.heap)
            self._push_next(batch, number, road)
            if self._live(one[0], other[0], *days):
                return hour, road, km, (self.units[one[0]], self.units[other[0]])
        return None

    def _live(self, one, other, one_day, other_day):
        """Whether meetings found when the units (positions, one or arrays of them) were on
        those days may still be fought. A meeting dies when either unit is halted (its day
        moves on, or both are clashed) and never comes back to life."""
        return (
            (self.days[one] == one_day)
            & (self.days[other] == other_day)
            & ~(self.clashed[one] & self.clashed[other])
        )

    def _push_next(self, index: int, number: int, road: Road) -> None:
        """Push the next live meeting of batch `index`, if any is left: a dead one is dropped
        as soon as seen (`_live`)."""
        batch = self.batches[index]
        rest = slice(batch.at, len(batch.hour))
        live = self._live(
            batch.one[rest], batch.other[rest], batch.one_day[rest], batch.other_day[rest]
        )
        found = np.flatnonzero(live)
        if not len(found):
            batch.at = len(batch.hour)
            return
        i = batch.at + int(found[0])
        batch.at = i + 1
        entry = (
            float(batch.hour[i]),
            number,
            (int(batch.one[i]), int(batch.one_leg[i])),
            (int(batch.other[i]), int(batch.other_leg[i])),
            (int(batch.one_day[i]), int(batch.other_day[i])),
            index,
            road,
            float(batch.km[i]),
        )
        heapq.heappush(self.heap, entry)

    def _search(self, road: Road, unit: Unit | None) -> None:
        """Find the meetings on `road` of `unit`'s stretches (of every stretch when None)."""
        found = self.on_road[road]
        sides = self.side[found.who[:, 0]]
        if len(sides) < 2 or (sides == sides[0]).all():
            return  # one side alone on the road: nobody to meet
        length = self.graph[road[0]][road[1]]["length_km"]
        mine = None if unit is None else self.position[unit]
        one, other, hour, km = _meetings(found, mine, self.side, self.hostile, self.clashed)
        met = ~np.isnan(hour) & (km > ROAD_END_KM) & (km < length - ROAD_END_KM)
        if not met.any():
            return
        one, other, hour, km = one[met], other[met], hour[met], km[met]
        who, leg = found.who[:, 0], found.who[:, 1]
        order = np.lexsort((leg[other], who[other], leg[one], who[one], hour))
        one, other = one[order], other[order]
        batch = Batch(
            hour=hour[order],
            km=km[order],
            one=who[one],
            one_leg=leg[one],
            other=who[other],
            other_leg=leg[other],
            one_day=self.days[who[one]],
            other_day=self.days[who[other]],
        )
        self.batches.append(batch)
        self._push_next(len(self.batches) - 1, self.number[road], road)


@dataclass
class Stretches:
    """The stretches on one road: `who` (position, leg number) and `where` (start and end
    hour, start and end km from the road's first end), a row each."""

    who: np.ndarray
    where: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple]) -> Stretches:
        return cls(
            np.array([row[:2] for row in rows], dtype=int).reshape(-1, 2),
            np.array([row[2:] for row in rows], dtype=float).reshape(-1, 4),
        )

    def without(self, position: int) -> Stretches:
        kept = self.who[:, 0] != position
        return Stretches(self.who[kept], self.where[kept])

    def with_rows(self, rows: list[tuple]) -> Stretches:
        added = Stretches.of(rows)
        return Stretches(np.vstack([self.who, added.who]), np.vstack([self.where, added.where]))


@dataclass
class Batch:
    """The meetings one search found, sorted by hour, and how many have been pushed."""

    hour: np.ndarray
    km: np.ndarray
    one: np.ndarray
    one_leg: np.ndarray
    other: np.ndarray
    other_leg: np.ndarray
    one_day: np.ndarray
    other_day: np.ndarray
    at: int = 0


def _meetings(
    found: Stretches,
    mine: int | None,
    side: np.ndarray,
    hostile: np.ndarray,
    clashed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows (earlier in column order first) of the stretches that may meet, with the hour and km
    where each pair meets (NaN where they do not): `mine`'s against the rest, or every pair."""
    who, stretch = found.who, found.where
    if mine is None:
        first, second = np.triu_indices(len(who), 1)
    else:
        owner = who[:, 0] == mine
        first, second = (
            index.ravel() for index in np.meshgrid(owner.nonzero()[0], (~owner).nonzero()[0])
        )
    heading = np.sign(stretch[:, 3] - stretch[:, 2])
    unit_one, unit_two = who[first, 0], who[second, 0]
    keep = (
        (heading[first] != heading[second])
        & hostile[side[unit_one], side[unit_two]]
        & ~(clashed[unit_one] & clashed[unit_two])
    )
    first, second = first[keep], second[keep]
    earlier = (who[first, 0] < who[second, 0]) | (
        (who[first, 0] == who[second, 0]) & (who[first, 1] < who[second, 1])
    )
    one = np.where(earlier, first, second)
    other = np.where(earlier, second, first)
    hour, km = _crossings(stretch[one], stretch[other])
    return one, other, hour, km


def _crossings(one: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """When and where each row of `one` meets the same row of `other` (rows of start and end
    hour, start and end km), NaN where they do not.

    Two stretches meet where the gap between them changes sign while both are on
    the road, each moving at an even pace (a stretch of no time stands at its
    start); both standing, or going the same way, is no meeting and is left out
    before. The test's pair-by-pair rule agrees to the last bit."""
    with np.errstate(divide="ignore", invalid="ignore"):
        begin = np.maximum(one[:, 0], other[:, 0])
        end = np.minimum(one[:, 1], other[:, 1])
        gap_begin = _kms_at(one, begin) - _kms_at(other, begin)
        gap_end = _kms_at(one, end) - _kms_at(other, end)
        hour = np.where(
            gap_begin == 0.0,
            begin,
            begin + (end - begin) * gap_begin / (gap_begin - gap_end),
        )
        meets = (begin <= end) & ((gap_begin == 0.0) | (gap_begin * gap_end <= 0.0))
        hour = np.where(meets, hour, np.nan)
        return hour, np.where(meets, _kms_at(one, hour), np.nan)


def _kms_at(stretch: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Where each row's stretch is at its hour."""
    start_time, end_time, start_km, end_km = stretch.T
    moving = start_km + (end_km - start_km) * (hour - start_time) / (end_time - start_time)
    return np.where(end_time <= start_time, start_km, moving)
