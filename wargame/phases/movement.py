"""Phase 3, movement: units travel along their routes at the speed of each road.

Hostile columns that meet head-on on a road stop where they meet and fight
there (phase 4); a column that reaches a fight on the road stops at it too.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, product
from typing import NamedTuple

import numpy as np

from wargame.engine.agents import Leg, Transit, Unit
from wargame.engine.world import World

FRICTION = "movement.friction"
"""The stream of each unit's daily progress: one draw per unit per day, by its id."""

ROAD_END_KM = 1e-6
"""A meeting nearer a road's end than this is at the place, where combat already looks."""

Road = tuple[str, str]
"""A road by its two ends, sorted by name."""

ONE_BY_ONE = 64
"""Searches of up to this many pairs of stretches test them one by one, larger ones as arrays:
numpy's cost per call outweighs its speed on a few pairs (most searches are of one halted
unit's legs against a road's dozen others), not on the thousands of a crowded front."""

FEW = 32
"""A road that starts the day, or is given stretches, with up to this many keeps them in a list,
a busier one as arrays (and keeps them so as halts thin it out): numpy's cost per call again,
now at each halt, which takes a unit's stretches off and puts new ones on."""


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
    sigma = math.sqrt(math.log1p(cv**2))  # the C library's, not numpy's AVX-512 log1p
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
    transit = unit.transit  # copied field by field: `dataclasses.replace` costs 5x more
    if transit is not None:
        transit = Transit(transit.origin, transit.destination, transit.km_total, transit.km_left)
    return unit.place, transit, list(unit.route)


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
            leg = leg._replace(
                end_km=leg.start_km + share * (leg.end_km - leg.start_km), end_time=hour
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
    a halt is told, so the units' days and clashes are kept by it. A quiet road's
    stretches are kept in a list, a busy one's as arrays (`FEW`); a small search
    tests its pairs one by one (`ONE_BY_ONE`), with the same arithmetic in the
    same order as the arrays.
    """

    def __init__(self, model: World, legs: dict[Unit, list[Leg]]) -> None:
        self.road_data = model.roads
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
        self.plain = Plain(
            self.hostile.tolist(), self.side.tolist(), self.days.tolist(), self.clashed.tolist()
        )
        self.on_road: dict[Road, Stretches | FewStretches] = {}
        self.roads: dict[Unit, set[Road]] = {}
        self.number: dict[Road, int] = {}
        self.heap: list[tuple] = []
        self.batches: list[Batch | ArrayBatch] = []
        roads = [[_road(leg) for leg in covered] for covered in legs.values()]
        self.contested_roads = _contested(roads, self.plain.side)
        rows: dict[Road, list[Stretch]] = {}
        for (unit, covered), on in zip(legs.items(), roads, strict=True):
            if not self.contested_roads.isdisjoint(on):
                for road, found in self._rows(unit, covered, on).items():
                    rows.setdefault(road, []).extend(found)
        for road, found in rows.items():
            self.on_road[road] = _stretches(found)
        for road in self.on_road:
            self._search(road, None)

    def _rows(self, unit: Unit, covered: list[Leg], on: list[Road]) -> dict[Road, list[Stretch]]:
        """Each leg (on its road, in `on`) on a contested road as a Stretch, by road; the roads
        are numbered in the order first met."""
        self.roads[unit] = set()
        rows: dict[Road, list[Stretch]] = {}
        for number, (leg, road) in enumerate(zip(covered, on, strict=True)):
            if road not in self.contested_roads:
                continue
            length = self.road_data[leg.origin][leg.destination]["length_km"]
            start, end = (
                (leg.start_km, leg.end_km)
                if leg.origin == road[0]
                else (length - leg.start_km, length - leg.end_km)
            )
            self.number.setdefault(road, len(self.number))
            rows.setdefault(road, []).append(
                Stretch(
                    self.position[unit],
                    number,
                    leg.start_time,
                    leg.end_time,
                    start,
                    end,
                    _heading(start, end),
                )
            )
            self.roads[unit].add(road)
        return rows

    def replace(self, unit: Unit, covered: list[Leg]) -> None:
        """Give `unit` a new day of legs (a fight halted it) and search its meetings again.

        Its new legs are its old ones cut at the halt, and a standing one on the road it
        stood on then: all on roads it covered in the morning, so none is on a road left
        out then as uncontested."""
        position = self.position[unit]
        for road in self.roads[unit]:
            self.on_road[road] = self.on_road[road].without(position)
        self.days[position] += 1
        self.plain.days[position] += 1
        self.clashed[position] = self.plain.clashed[position] = unit.clash is not None
        for road, found in self._rows(unit, covered, [_road(leg) for leg in covered]).items():
            known = self.on_road.get(road)
            self.on_road[road] = _stretches(found) if known is None else known.with_rows(found)
        for road in self.roads[unit]:
            self._search(road, unit)

    def first(self) -> tuple[float, Road, float, tuple[Unit, Unit]] | None:
        """The day's earliest meeting not yet fought: (hour, road, km, the two units)."""
        while self.heap:
            hour, number, one, _, other, _, one_day, other_day, batch, road, km = heapq.heappop(
                self.heap
            )
            self._push_next(batch, number, road)
            if self.plain.live(one, other, one_day, other_day):
                return hour, road, km, (self.units[one], self.units[other])
        return None

    def live(self, one, other, one_day, other_day):
        """Whether meetings found when the units (positions, arrays of them) were on those days
        may still be fought. A meeting dies when either unit is halted (its day moves on, or
        both are clashed) and never comes back to life."""
        return (
            (self.days[one] == one_day)
            & (self.days[other] == other_day)
            & ~(self.clashed[one] & self.clashed[other])
        )

    def _push_next(self, index: int, number: int, road: Road) -> None:
        """Push the next live meeting of batch `index`, if any is left: a dead one is dropped
        as soon as seen."""
        meeting = self.batches[index].next_live(self)
        if meeting is not None:
            hour, one, one_leg, other, other_leg, km, one_day, other_day = meeting
            entry = (hour, number, one, one_leg, other, other_leg, one_day, other_day)
            heapq.heappush(self.heap, (*entry, index, road, km))

    def _search(self, road: Road, unit: Unit | None) -> None:
        """Find the meetings on `road` of `unit`'s stretches (of every stretch when None)."""
        found = self.on_road[road]
        if found.one_side(self):
            return  # nobody to meet
        length = self.road_data[road[0]][road[1]]["length_km"]
        mine = None if unit is None else self.position[unit]
        if found.pairs(mine) <= ONE_BY_ONE:
            met = self._one_by_one(found.rows(), mine, length)
        else:
            met = self._as_arrays(found.arrays(), mine, length)
        if met is not None:
            self.batches.append(met)
            self._push_next(len(self.batches) - 1, self.number[road], road)

    def _one_by_one(self, found: list[Stretch], mine: int | None, length: float) -> Batch | None:
        """The meetings of a few stretches, found pair by pair."""
        days, met = self.plain.days, []
        for one, other in self._pairs(found, mine):
            crossing = _crossing(one, other)
            if crossing is not None and ROAD_END_KM < crossing[1] < length - ROAD_END_KM:
                hour, km = crossing
                met.append(
                    (
                        hour,
                        one.who,
                        one.leg,
                        other.who,
                        other.leg,
                        km,
                        days[one.who],
                        days[other.who],
                    )
                )
        return Batch(sorted(met)) if met else None

    def _pairs(self, found: list[Stretch], mine: int | None) -> Iterator[tuple[Stretch, Stretch]]:
        """The pairs of stretches (earlier in column order first) that may meet: hostile, not
        both halted, not going the same way; `mine`'s against the rest, or every pair."""
        if mine is None:
            pairs = combinations(found, 2)
        else:
            own = [row for row in found if row.who == mine]
            pairs = product(own, [row for row in found if row.who != mine])
        side, clashed, hostile = self.plain.side, self.plain.clashed, self.plain.hostile
        for one, other in pairs:
            if (
                one.heading != other.heading
                and hostile[side[one.who]][side[other.who]]
                and not (clashed[one.who] and clashed[other.who])
            ):
                yield (one, other) if (one.who, one.leg) < (other.who, other.leg) else (other, one)

    def _as_arrays(
        self, found: Stretches, mine: int | None, length: float
    ) -> Batch | ArrayBatch | None:
        """The meetings of many stretches, found with arrays. The morning's search of every
        stretch keeps them as arrays: thousands die at each halt, dropped many at a time. A
        search after a unit's halt keeps a list: most of its meetings are read one by one,
        each once (as arrays, each read would weigh all those left)."""
        one, other, hour, km = _meetings(found, mine, self.side, self.hostile, self.clashed)
        met = ~np.isnan(hour) & (km > ROAD_END_KM) & (km < length - ROAD_END_KM)
        if not met.any():
            return None
        one, other, hour, km = one[met], other[met], hour[met], km[met]
        who, leg = found.who[:, 0], found.who[:, 1]
        order = np.lexsort((leg[other], who[other], leg[one], who[one], hour))
        one, other = one[order], other[order]
        batch = ArrayBatch(
            hour=hour[order],
            one=who[one],
            one_leg=leg[one],
            other=who[other],
            other_leg=leg[other],
            km=km[order],
            one_day=self.days[who[one]],
            other_day=self.days[who[other]],
        )
        return batch if mine is None else Batch(batch.rows())


def _heading(start_km: float, end_km: float) -> int:
    """+1 towards the road's second end, -1 towards its first, 0 standing."""
    return (end_km > start_km) - (end_km < start_km)


def _pairs(stretches: int, own: int | None) -> int:
    """How many pairs a search tests: of `own` stretches against the rest, or of every two
    when `own` is None."""
    if own is None:
        return stretches * (stretches - 1) // 2
    return own * (stretches - own)


def _contested(roads: list[list[Road]], sides: list[int]) -> set[Road]:
    """The roads more than one side covers today (each unit's roads, and its side): columns
    can meet on these alone."""
    first_side: dict[Road, int] = {}
    contested = set()
    for side, on in zip(sides, roads, strict=True):
        for road in on:
            if first_side.setdefault(road, side) != side:
                contested.add(road)
    return contested


def _road(leg: Leg) -> Road:
    origin, destination = leg.origin, leg.destination
    return (origin, destination) if origin < destination else (destination, origin)


class Stretch(NamedTuple):
    """A unit's leg on one road: who (position, leg number), when (start and end hour) and
    where (start and end km from the road's first end), and its heading (+1 towards the
    second end, -1 towards the first, 0 standing)."""

    who: int
    leg: int
    start_time: float
    end_time: float
    start_km: float
    end_km: float
    heading: int


@dataclass
class Stretches:
    """The stretches on one road: `who` (position, leg number) and `where` (start and end
    hour, start and end km from the road's first end), a row each."""

    who: np.ndarray
    where: np.ndarray

    @classmethod
    def of(cls, rows: list[Stretch]) -> Stretches:
        return cls(
            np.array([row[:2] for row in rows], dtype=int).reshape(-1, 2),
            np.array([row[2:6] for row in rows], dtype=float).reshape(-1, 4),
        )

    def rows(self) -> list[Stretch]:
        return [
            Stretch(who, leg, start_time, end_time, start, end, _heading(start, end))
            for (who, leg), (start_time, end_time, start, end) in zip(
                self.who.tolist(), self.where.tolist(), strict=True
            )
        ]

    def pairs(self, mine: int | None) -> int:
        """How many pairs a search of `mine`'s stretches (of every one when None) tests."""
        own = None if mine is None else int(np.count_nonzero(self.who[:, 0] == mine))
        return _pairs(len(self.who), own)

    def one_side(self, meetings: Meetings) -> bool:
        """Whether the stretches are of one side alone (or none)."""
        sides = meetings.side[self.who[:, 0]]
        return len(sides) < 2 or bool((sides == sides[0]).all())

    def arrays(self) -> Stretches:
        return self

    def without(self, position: int) -> Stretches:
        kept = self.who[:, 0] != position
        return Stretches(self.who[kept], self.where[kept])

    def with_rows(self, rows: list[Stretch]) -> Stretches:
        added = Stretches.of(rows)
        return Stretches(np.vstack([self.who, added.who]), np.vstack([self.where, added.where]))


@dataclass
class FewStretches:
    """The stretches on a quiet road (`FEW`), as `Stretches` reads them, kept in a list."""

    found: list[Stretch]

    def rows(self) -> list[Stretch]:
        return self.found

    def pairs(self, mine: int | None) -> int:
        """How many pairs a search of `mine`'s stretches (of every one when None) tests."""
        own = None if mine is None else sum(row.who == mine for row in self.found)
        return _pairs(len(self.found), own)

    def one_side(self, meetings: Meetings) -> bool:
        """Whether the stretches are of one side alone (or none)."""
        return len({meetings.plain.side[row.who] for row in self.found}) < 2

    def arrays(self) -> Stretches:
        return Stretches.of(self.found)

    def without(self, position: int) -> FewStretches:
        return FewStretches([row for row in self.found if row.who != position])

    def with_rows(self, rows: list[Stretch]) -> Stretches | FewStretches:
        return _stretches(self.found + rows)


def _stretches(rows: list[Stretch]) -> Stretches | FewStretches:
    """A road's stretches, in a list if few (`FEW`), else as arrays."""
    return FewStretches(rows) if len(rows) <= FEW else Stretches.of(rows)


@dataclass
class Plain:
    """Who fights whom, and each unit's side, day and whether it is halted, as lists: read one
    by one, they are faster than arrays."""

    hostile: list[list[bool]]
    side: list[int]
    days: list[int]
    clashed: list[bool]

    def live(self, one: int, other: int, one_day: int, other_day: int) -> bool:
        """`Meetings.live` of one meeting."""
        return (
            self.days[one] == one_day
            and self.days[other] == other_day
            and not (self.clashed[one] and self.clashed[other])
        )


@dataclass
class Batch:
    """The meetings a small search found, sorted by hour (hour, one's position and leg, the
    other's, km, their days then), and how many have been pushed."""

    found: list[tuple]
    at: int = 0

    def rows(self) -> list[tuple]:
        """Its meetings, as found (`ArrayBatch.rows` gives the same of an array batch)."""
        return self.found

    def next_live(self, meetings: Meetings) -> tuple | None:
        """The next meeting not dead yet, if any is left."""
        while self.at < len(self.found):
            meeting = self.found[self.at]
            self.at += 1
            if meetings.plain.live(meeting[1], meeting[3], meeting[6], meeting[7]):
                return meeting
        return None


@dataclass
class ArrayBatch:
    """The meetings a large search found, as `Batch`, an array each (in its order): a crowded
    road's search finds thousands, most of them dead before their hour, and they are dropped
    faster so."""

    hour: np.ndarray
    one: np.ndarray
    one_leg: np.ndarray
    other: np.ndarray
    other_leg: np.ndarray
    km: np.ndarray
    one_day: np.ndarray
    other_day: np.ndarray
    at: int = 0

    def rows(self) -> list[tuple]:
        """Its meetings as `Batch` keeps them."""
        columns = (
            self.hour,
            self.one,
            self.one_leg,
            self.other,
            self.other_leg,
            self.km,
            self.one_day,
            self.other_day,
        )
        return list(zip(*(column.tolist() for column in columns), strict=True))

    def next_live(self, meetings: Meetings) -> tuple | None:
        """The next meeting not dead yet, if any is left."""
        rest = slice(self.at, len(self.hour))
        live = meetings.live(
            self.one[rest], self.other[rest], self.one_day[rest], self.other_day[rest]
        )
        found = np.flatnonzero(live)
        if not len(found):
            self.at = len(self.hour)
            return None
        i = self.at + int(found[0])
        self.at = i + 1
        return (
            float(self.hour[i]),
            int(self.one[i]),
            int(self.one_leg[i]),
            int(self.other[i]),
            int(self.other_leg[i]),
            float(self.km[i]),
            int(self.one_day[i]),
            int(self.other_day[i]),
        )


def _crossing(one: Stretch, other: Stretch) -> tuple[float, float] | None:
    """When and where two stretches meet (hour, km), or None.

    Two stretches meet where the gap between them changes sign while both are on
    the road, each moving at an even pace (a stretch of no time stands at its
    start); both standing, or going the same way, is no meeting and is left out
    before."""
    begin = max(one.start_time, other.start_time)
    end = min(one.end_time, other.end_time)
    if not begin <= end:
        return None
    gap_begin = _km_at(one, begin) - _km_at(other, begin)
    if gap_begin == 0.0:
        return begin, _km_at(one, begin)
    gap_end = _km_at(one, end) - _km_at(other, end)
    if not gap_begin * gap_end <= 0.0 or gap_begin == gap_end:
        return None
    hour = begin + (end - begin) * gap_begin / (gap_begin - gap_end)
    return hour, _km_at(one, hour)


def _km_at(stretch: Stretch, hour: float) -> float:
    """Where the stretch is at `hour`."""
    start_time, end_time = stretch.start_time, stretch.end_time
    if end_time <= start_time:
        return stretch.start_km
    return stretch.start_km + (stretch.end_km - stretch.start_km) * (hour - start_time) / (
        end_time - start_time
    )


def _meetings(
    found: Stretches,
    mine: int | None,
    side: np.ndarray,
    hostile: np.ndarray,
    clashed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows (earlier in column order first) of the stretches that may meet, with the hour and km
    where each pair meets (NaN where they do not): `mine`'s against the rest, or every pair.
    The arrays' `_pairs` and `_crossing`."""
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
    """`_crossing` of each row of `one` (start and end hour, start and end km) with the same
    row of `other`, NaN where they do not meet: the same operations in the same order, so the
    same bits."""
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
    """`_km_at` of each row."""
    start_time, end_time, start_km, end_km = stretch.T
    moving = start_km + (end_km - start_km) * (hour - start_time) / (end_time - start_time)
    return np.where(end_time <= start_time, start_km, moving)
