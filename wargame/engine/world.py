"""The world every phase reads: places and their holders, units, relations, crossings, the day.

The world's state changes only through its own mutators (`set_holder`,
`set_relation`, `make_truce`, `close_crossing`, a unit's `stand_at`, its
`strength`, its `remove`...), and each mutator says what it changed by moving
one of two clocks:

- the *ground* clock: who holds what, who fights whom, which crossings are
  open, the parameters;
- the *presence* clock: where units stand and how strong they are.

Answers worked out from the state (whose ground, who is cut off, the
strength at a place, the threat to it) are kept beside the clock readings they
were computed at, and worked out afresh when a clock has moved. No phase
clears anything by hand, and a phase that changes the world through any
mutator cannot leave another reading a stale answer.

The shared rules live here too: armed presence, what a place earns, the
names of the neighbouring countries and which crossings the broker (the
neighbouring power that presses for calm, if the theatre has one) controls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from wargame.engine.agents import CivilianGroup, Faction, Unit
from wargame.engine.events import Event, EventKind, EventLog
from wargame.engine.geography import Routes, build_graph, crossings, time_roads
from wargame.engine.posture import Posture
from wargame.engine.streams import Streams
from wargame.scenario import PlaceKind, RoadKind, Theatre
from wargame.scenario.parameters import (
    SET_AT_START,
    Parameters,
    SetAtStartError,
)

if TYPE_CHECKING:
    import numpy as np

ADJACENT_THREAT_WEIGHT = 0.25  # judgement: enemies one road away count a quarter in a defence
MOST_FIRE_WEIGHT = 100.0
"""The most one enemy soldier counts for in a side's own, however weak its own fire (judgement)."""


@dataclass
class Engagement:
    """One place's (or road's) fight on one day: what combat leaves for morale, civilians and
    diplomacy."""

    place: str
    losses: dict[Unit, float] = field(default_factory=dict)
    strength_before: dict[Unit, float] = field(default_factory=dict)
    odds: dict[Unit, float] = field(default_factory=dict)
    """Hostile strength against the unit's side at the start of the day."""
    road: tuple[str, str] | None = None
    """The road's two ends when the fight was on a road between them (`place` is the nearer)."""


class _Kept:
    """Answers kept while a clock reads the same; a new reading drops them all."""

    __slots__ = ("answers", "reading")

    def __init__(self) -> None:
        self.reading = -1
        self.answers: dict[tuple, Any] = {}

    def at(self, reading: int) -> dict[tuple, Any]:
        """The answers kept at this reading (none, when the clock has moved since)."""
        if reading != self.reading:
            self.answers = {}
            self.reading = reading
        return self.answers


class World(mesa.Model):
    """A theatre's state on one day and the questions every phase asks of it.

    Built from a loaded theatre and its parameters; every random draw comes from
    `streams`, derived from `seed` by purpose, day and id (`wargame.engine.streams`).
    Mesa's own generators (`rng`, `random`) are seeded too but draw nothing.
    """

    def __init__(self, theatre: Theatre, parameters: Parameters, seed: int) -> None:
        self.seed = seed
        super().__init__(rng=seed)
        self.streams = Streams(seed)
        self.theatre = theatre
        self._ground_clock = 0
        self._clock = 0
        """Moves with every change, of ground or of presence."""
        self._parameters = parameters
        self._ground = _Kept()
        self._situation = _Kept()
        graph = build_graph(theatre.map, parameters)
        self.grid = Network(graph, random=self.random, layout=dict(graph.nodes(data="pos")))
        self.roads: dict[str, dict[str, dict]] = {place: dict(graph.adj[place]) for place in graph}
        """Each place's roads, by the place at the other end: the graph's own road data (the
        same dicts, so re-timed roads show), without networkx's views, for the hot loops.
        Roads are never added or taken away once the world is built; if they were, this
        table would have to be made anew."""
        self.routes = Routes(graph)
        self.crossings: dict[str, list[str]] = crossings(graph)
        """Home places with a road into a foreign sanctuary, and the sanctuaries they face."""
        self.crossing_rows = np.array([self.routes.index[c] for c in self.crossings], dtype=np.intp)
        """Each crossing's row in the road searches' arrays, in the order of `crossings`: a
        fleeing unit reads all their distances at once."""
        places = theatre.map.places
        self.broker_crossings: frozenset[str] = frozenset(
            crossing
            for crossing, across in self.crossings.items()
            if any(places[s].country == theatre.broker for s in across)
        )
        """The crossings into the broker's country: those it closes, and near which it
        brokers truces (none when the theatre has no broker)."""

        self.factions: dict[str, Faction] = {
            faction_id: Faction(self, faction_id, spec, theatre.commodities)
            for faction_id, spec in theatre.factions.items()
        }
        self._holders: dict[str, str | None] = {
            place_id: theatre.control.get(place_id)
            for place_id, place in places.items()
            if place.kind is not PlaceKind.SANCTUARY
        }
        self.controller: Mapping[str, str | None] = MappingProxyType(self._holders)
        """Who holds each home place (read-only: `set_holder` changes it)."""
        self._start_holdings = {
            f: frozenset(p for p, holder in self._holders.items() if holder == f)
            for f in self.factions
        }
        self._starting_garrisons: dict[tuple[str, str], int] = {}
        for entry in theatre.units:
            key = (entry.faction, entry.place)
            self._starting_garrisons[key] = (
                self._starting_garrisons.get(key, 0) + entry.strength * entry.count
            )
        self._contested: frozenset[str] = frozenset()
        self._closed: frozenset[str] = frozenset()
        self._truces: frozenset[tuple[str, str]] = frozenset()
        self._ore_refused: frozenset[str] = frozenset()
        self.truces_made = 0
        self.truces_broken = 0
        self.battles: list[Engagement] = []
        """Today's fights (yesterday's until combat has run), for the phases after combat."""
        self.civilians_killed = 0
        self._fortification: dict[str, float] = {
            place_id: place.fortification for place_id, place in places.items()
        }
        self.unsupplied: dict[str, float] = {}
        """Soldiers of each faction the supply phase found cut off from supply today."""
        self.out_of_stocks: frozenset[int] = frozenset()
        """Ids of units past their stocks without supply today: they do not rest."""
        self.supplied: dict[str, frozenset[str]] = {}
        """The places a road joins to each faction's sources of supply, as the supply phase
        found them (yesterday's, to the phases before it)."""
        self.ore_unsold: frozenset[str] = frozenset()
        """Mines whose ore reached no buyer today (the economy phase's): they earned nothing."""
        self.interned_at: dict[tuple[str, str], int] = {}
        """Soldiers interned, by (sanctuary, faction): the map draws them across the border."""
        self.events = EventLog()
        self.listeners: list[Callable[[Event], None]] = []
        """Called with each event as it is logged: how a phase reacts to another's news
        (the civilians phase hears of captures) without importing it."""

        self.units_by_id: dict[int, Unit] = {}
        """Units in play by id (kept by Unit itself as it comes and goes)."""
        self.civilians_stirred: dict[int, CivilianGroup] = {}
        """Groups that have left home at least once, by id (kept by CivilianGroup.state)."""
        self.civilians_away: dict[int, CivilianGroup] = {}
        """Groups displaced or abroad now, by id (kept by CivilianGroup.state)."""
        self.start_population = sum(p.population for p in places.values())
        self._away_from: dict[str, int] | None = None
        """People displaced or abroad by home place, counted when asked after a move."""
        self._groups_at: dict[str, list[CivilianGroup]] = {}
        """Civilian groups at each place, oldest first, listed when asked after a move
        there or away (kept by CivilianGroup.cell): most places see no move on most days."""

    def populate(self) -> None:
        """The theatre's starting units and civilian groups, in the order the seed expects."""
        for entry in self.theatre.units:
            for _ in range(entry.count):
                unit = Unit(self, entry.faction, entry.strength, entry.place, entry.name)
                unit.job = entry.job
        size = self.parameters.civilian_group_size
        for place in self.theatre.map.places.values():
            full, rest = divmod(place.population, size)
            for group_size in [size] * full + ([rest] if rest else []):
                CivilianGroup(self, place.id, group_size)

    # --- the clocks ----------------------------------------------------------------

    def ground_changed(self) -> None:
        """Holders, relations, truces, crossings or parameters changed: every answer goes."""
        self._ground_clock += 1
        self._clock += 1

    def fire_changed(self) -> None:
        """A side's fire changed (its pay for fighting, its arms): answers weighed by fire go."""
        self._clock += 1

    def presence_changed(self) -> None:
        """A unit moved, came, went or changed strength: answers about presence go."""
        self._clock += 1

    def _ground_of(self, key: tuple, compute: Callable[[], Any]) -> Any:
        answers = self._ground.at(self._ground_clock)
        try:
            return answers[key]
        except KeyError:
            value = answers[key] = compute()
            return value

    def _situation_of(self, key: tuple, compute: Callable[[], Any]) -> Any:
        answers = self._situation.at(self._clock)
        try:
            return answers[key]
        except KeyError:
            value = answers[key] = compute()
            return value

    # --- mutators --------------------------------------------------------------------

    @property
    def parameters(self) -> Parameters:
        return self._parameters

    @parameters.setter
    def parameters(self, parameters: Parameters) -> None:
        """New values from today on: an umpire's price, a fork's change (`wargame run --fork`).

        Raises SetAtStartError for a new value of a parameter read only when the
        world was built (`SET_AT_START`). New road speeds re-time every road, and
        routes are searched afresh from the units' places on.
        """
        old = self._parameters
        fixed = [name for name in SET_AT_START if getattr(parameters, name) != getattr(old, name)]
        if fixed:
            raise SetAtStartError(fixed)
        self._parameters = parameters
        if any(parameters.speed(kind) != old.speed(kind) for kind in RoadKind):
            time_roads(self.grid.G, parameters)
            self.routes = Routes(self.grid.G)
        self.ground_changed()

    def set_holder(self, place: str, holder: str | None) -> None:
        """`holder` (None: nobody) now holds `place`."""
        self._holders[place] = holder
        self.ground_changed()

    def walls_worn(self) -> float:
        """Fortification sieges have worn away so far, summed over the places."""
        places = self.theatre.map.places
        return sum(places[p].fortification - left for p, left in self._fortification.items())

    def fortification(self, place: str) -> float:
        """The place's fortification today, 0-1: the map's, less what sieges have worn away."""
        return self._fortification[place]

    def effectiveness(self, faction_id: str) -> float:
        """A faction's fire today: its doctrine's effectiveness, raised by the arms it bought,
        less the share of its last day's fighting it could not pay for (down to
        `fire_when_unpaid` when it paid none)."""
        faction = self.factions[faction_id]
        short = (1.0 - faction.fire_paid) * (1.0 - self.parameters.fire_when_unpaid)
        return faction.spec.combat.effectiveness * (1.0 + faction.arms_edge) * (1.0 - short)

    def wear_fortification(self, place: str, amount: float) -> None:
        """A siege wears `amount` off the place's fortification (never below 0)."""
        self._fortification[place] = max(self._fortification[place] - amount, 0.0)
        self.ground_changed()

    def set_relation(self, a: str, b: str, value: float) -> None:
        """Both sides' view of each other, kept in [-1, 1]."""
        value = min(max(value, -1.0), 1.0)
        self.factions[a].relations[b] = value
        self.factions[b].relations[a] = value
        self.ground_changed()

    @property
    def truces(self) -> frozenset[tuple[str, str]]:
        """Pairs of factions (sorted) under a ceasefire: they do not fight while it holds."""
        return self._truces

    def make_truce(self, a: str, b: str) -> None:
        self._truces |= {_pair(a, b)}
        self.truces_made += 1
        self.ground_changed()

    def break_truce(self, a: str, b: str) -> None:
        self._truces -= {_pair(a, b)}
        self.truces_broken += 1
        self.ground_changed()

    @property
    def closed_crossings(self) -> frozenset[str]:
        """Crossings the neighbouring country holds closed."""
        return self._closed

    def close_crossing(self, crossing: str) -> None:
        self._closed |= {crossing}
        self.ground_changed()

    def open_crossing(self, crossing: str) -> None:
        self._closed -= {crossing}
        self.ground_changed()

    @property
    def ore_refused(self) -> frozenset[str]:
        """Factions whose ore the broker does not buy: their mines of what it buys earn only
        through a market of their commodity that a route reaches."""
        return self._ore_refused

    def refuse_ore(self, faction: str, refused: bool = True) -> None:
        self._ore_refused = (
            self._ore_refused | {faction} if refused else self._ore_refused - {faction}
        )
        self.ground_changed()

    @property
    def contested(self) -> frozenset[str]:
        """Places where hostile units stood together at the last count (the control phase's)."""
        return self._contested

    def set_contested(self, places: Iterable[str]) -> None:
        self._contested = frozenset(places)

    # --- time and words ----------------------------------------------------------------

    @property
    def day(self) -> int:
        return int(self.time)

    @property
    def date(self) -> dt.date:
        return self.theatre.start_date + dt.timedelta(days=self.day)

    def place_name(self, place_id: str) -> str:
        return self.theatre.map.places[place_id].name

    def country_name(self, place_id: str) -> str:
        """The name of the country a place lies in, as the theatre gives it (else its code)."""
        return self.theatre.country_name(self.theatre.map.places[place_id].country)

    @property
    def broker_name(self) -> str | None:
        """The broker's country's name, as events say it; None without a broker."""
        broker = self.theatre.broker
        return None if broker is None else self.theatre.country_name(broker)

    def list_factions(self, faction_ids: list[str]) -> str:
        names = [self.factions[f].short_name for f in faction_ids]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def log(
        self, kind: EventKind, factions: tuple[str, ...], place: str | None, text: str
    ) -> Event:
        event = Event(self.day, self.date, kind, factions, place, text)
        self.events.append(event)
        for listener in self.listeners:
            listener(event)
        return event

    # --- units ----------------------------------------------------------------------------

    @property
    def units(self) -> list[Unit]:
        """Units in play, in creation order (so phases that need no chance are repeatable)."""
        return list(self.agents_by_type.get(Unit, []))

    @property
    def civilians(self) -> list[CivilianGroup]:
        return list(self.agents_by_type.get(CivilianGroup, []))

    def unit(self, unique_id: int) -> Unit | None:
        return self.units_by_id.get(unique_id)

    def starting_strength(self, faction: str) -> int:
        return sum(u.strength * u.count for u in self.theatre.units if u.faction == faction)

    def starting_garrison(self, faction: str, place: str) -> int:
        """Soldiers the faction had at `place` on day 0."""
        return self._starting_garrisons.get((faction, place), 0)

    def start_holdings(self, faction: str) -> frozenset[str]:
        return self._start_holdings[faction]

    # --- who fights whom ---------------------------------------------------------------

    def allied(self, a: str, b: str) -> bool:
        """One faction, or two whose relation both ways is above the alliance threshold."""
        threshold = self.parameters.alliance_threshold
        return a == b or (
            self.factions[a].relations.get(b, 0.0) > threshold
            and self.factions[b].relations.get(a, 0.0) > threshold
        )

    def hostile(self, a: str, b: str) -> bool:
        """Two factions fight when either is hostile to the other and no truce holds."""
        return self._ground_of(
            ("hostile", a, b),
            lambda: (
                (self.factions[a].is_hostile(b) or self.factions[b].is_hostile(a))
                and _pair(a, b) not in self._truces
            ),
        )

    def at_war(self) -> frozenset[tuple[str, str]]:
        """The pairs of factions that fight today (`hostile`: no truce between them), both ways
        round: the front every map draws, so no map draws one through a ceasefire."""
        return self._ground_of(
            ("at war",),
            lambda: frozenset(
                (a, b) for a in self.factions for b in self.factions if self.hostile(a, b)
            ),
        )

    def allies_of(self, faction: str) -> frozenset[str]:
        """The faction and its allies."""
        return self._ground_of(
            ("allies", faction),
            lambda: frozenset(f for f in self.factions if self.allied(faction, f)),
        )

    def enemies_of(self, faction: str) -> frozenset[str]:
        """Factions the faction fights today."""
        return self._ground_of(
            ("enemies of", faction),
            lambda: frozenset(f for f in self.factions if self.hostile(faction, f)),
        )

    # --- ground -----------------------------------------------------------------------

    def friendly_ground(self, faction: str) -> frozenset[str]:
        """Places held by the faction or by its allies."""
        return self._ground_of(
            ("friendly", faction), lambda: self._held_by(self.allies_of(faction))
        )

    def hostile_ground(self, faction: str) -> frozenset[str]:
        """Places held by a faction hostile to this one: routes avoid passing through them."""
        return self._ground_of(
            ("hostile", faction), lambda: self._held_by(self.enemies_of(faction))
        )

    def _held_by(self, factions: frozenset[str]) -> frozenset[str]:
        return frozenset(p for p, holder in self._holders.items() if holder in factions)

    def is_cut_off(self, faction: str, place: str) -> bool:
        """No road from `place` reaches friendly ground without passing through the enemy.

        Roads run both ways, so one search from all friendly ground answers
        the question for every place at once.
        """
        in_touch = self._ground_of(
            ("in touch", faction),
            lambda: self.routes.reachable_from_any(
                self.friendly_ground(faction), self.hostile_ground(faction)
            ),
        )
        return place not in in_touch

    def key_places(self, faction: str) -> frozenset[str]:
        """Places the faction holds that doctrine keeps a garrison in."""
        places = self.theatre.map.places
        threshold = self.parameters.key_town_population
        return self._ground_of(
            ("key", faction),
            lambda: frozenset(
                p
                for p, holder in self._holders.items()
                if holder == faction
                and (places[p].kind is not PlaceKind.TOWN or places[p].population >= threshold)
            ),
        )

    def home_range(self, faction: str) -> frozenset[str] | None:
        """Places within the doctrine's range of what the faction held at the start."""
        days = self.factions[faction].spec.doctrine.range_days
        if days is None:
            return None
        return self._ground_of(
            ("range", faction),
            lambda: frozenset(
                p
                for home in self._start_holdings[faction]
                for p, d in self.routes.reachable(home).items()
                if d <= days
            ),
        )

    def border_zone(self) -> frozenset[str]:
        """Places within `border_zone_days` of a crossing of the broker's, by road: where
        its pressure for calm bears (nowhere, without a broker)."""
        return self._ground_of(
            ("border zone",),
            lambda: frozenset(
                self.routes.within(self.broker_crossings, self.parameters.border_zone_days)
            ),
        )

    # --- presence ---------------------------------------------------------------------

    def strength_at(self) -> dict[str, dict[str, float]]:
        """Soldiers per faction at each place (units on roads are at none)."""
        return self._situation_of(("presence",), self._armed_presence)

    def _armed_presence(self) -> dict[str, dict[str, int]]:
        presence: dict[str, dict[str, int]] = {}
        for unit in self.units:
            place, strength = unit.place, unit.strength
            if place is not None and strength > 0:
                here = presence.get(place)
                if here is None:  # not setdefault: it would build a dict for every unit
                    here = presence[place] = {}
                here[unit.faction] = here.get(unit.faction, 0) + strength
        return presence

    def enemy_positions(self, faction: str) -> frozenset[str]:
        """Places where units hostile to the faction stand."""
        return self._situation_of(
            ("enemies", faction),
            lambda: self._where_present(self.enemies_of(faction)),
        )

    def barred_ground(self, faction: str) -> frozenset[str]:
        """Places the faction's supply and trade cannot pass: held by its enemies, or with
        enemies on them that its side does not hold."""
        return self._situation_of(
            ("barred", faction),
            lambda: (
                self.hostile_ground(faction)
                | (self.enemy_positions(faction) - self.friendly_ground(faction))
            ),
        )

    def _where_present(self, factions: frozenset[str]) -> frozenset[str]:
        return frozenset(
            p for p, present in self.strength_at().items() if not factions.isdisjoint(present)
        )

    def safe_ground(self, faction: str) -> frozenset[str]:
        """Friendly places with no hostile unit on them."""
        return self._situation_of(
            ("safe", faction), lambda: self.friendly_ground(faction) - self.enemy_positions(faction)
        )

    def enemy_ground(self, faction: str) -> frozenset[str]:
        """Places hostile factions hold or stand on: what a retreat keeps clear of.

        One object while nothing changes, so the road searches of every broken
        unit of the faction share their cache entry.
        """
        return self._situation_of(
            ("enemy ground", faction),
            lambda: self.hostile_ground(faction) | self.enemy_positions(faction),
        )

    def ground_mask(self, ground: str, faction: str) -> np.ndarray:
        """`safe_ground`, `threatened_ground`... of a faction as a boolean array over places."""
        return self._situation_of(
            ("mask", ground, faction), lambda: self.routes.mask(getattr(self, ground)(faction))
        )

    def threatened_ground(self, faction: str) -> frozenset[str]:
        """Places with hostile units on them or one road away."""
        return self._situation_of(
            ("threatened", faction),
            lambda: frozenset(
                p
                for enemy_at in self.enemy_positions(faction)
                for p in [enemy_at, *(n for n, _ in self.routes.roads_from.get(enemy_at, []))]
            ),
        )

    def defence(self, faction: str, place: str) -> float:
        """Hostile soldiers an attacker on `place` would face, fortification included, in the
        attacker's soldiers: weighed by their fire against its own (`fire_weight`)."""
        return self._situation_of(
            ("defence", faction, place), lambda: self._defence(faction, place)
        )

    def fire_weight(self, faction: str, enemy: str) -> float:
        """How many of `faction`'s soldiers one of `enemy`'s is worth in a fight today: under
        the square law, the square root of their fire over its own (1 when equal), at most
        `MOST_FIRE_WEIGHT` (a side with no fire left fears every enemy that much)."""
        own, theirs = self.effectiveness(faction), self.effectiveness(enemy)
        if own <= 0.0:
            return MOST_FIRE_WEIGHT
        return min((theirs / own) ** 0.5, MOST_FIRE_WEIGHT)

    def _defence(self, faction: str, place: str) -> float:
        presence = self.strength_at()
        enemies = self.enemies_of(faction)
        weight = {f: self.fire_weight(faction, f) for f in enemies}
        here = sum(s * weight[f] for f, s in presence.get(place, {}).items() if f in enemies)
        near = sum(
            s * weight[f]
            for n, _ in self.routes.roads_from[place]
            for f, s in presence.get(n, {}).items()
            if f in enemies
        )
        holder = self._holders.get(place)
        bonus = 1.0
        if holder in enemies:
            bonus += self.parameters.fortification_bonus * self.fortification(place)
        return (here + ADJACENT_THREAT_WEIGHT * near) * bonus

    def threat(self, faction: str, place: str, held_off: frozenset[str] = frozenset()) -> float:
        """Soldiers needed to hold `place` against the hostile units on it and one road away,
        weighed by their fire against the holder's (`fire_weight`), less those on the places
        next door in `held_off` (the faction's places still holding out against them there:
        `holding_out`), who must take those before they reach `place`."""
        return self._situation_of(
            ("threat", faction, place, held_off), lambda: self._threat(faction, place, held_off)
        )

    def _threat(self, faction: str, place: str, held_off: frozenset[str]) -> float:
        presence = self.strength_at()
        weight = {f: self.fire_weight(faction, f) for f in self.enemies_of(faction)}
        enemies = sum(
            s * weight[f]
            for p in threat_ground(self, place, held_off)
            for f, s in presence.get(p, {}).items()
            if f in weight
        )
        fortification = self.fortification(place)
        return enemies / (1.0 + self.parameters.fortification_bonus * fortification) ** 0.5

    def holding_out(self, faction: str) -> frozenset[str]:
        """Friendly places with enemies on them where soldiers of the faction or its allies
        still stand and hold (not falling back, not broken): their besiegers are held off
        there. Not kept, since a unit that breaks changes it and moves nothing."""
        friends = self.allies_of(faction) | {faction}
        besieged = self.friendly_ground(faction) & self.enemy_positions(faction)
        return frozenset(
            u.place
            for u in self.units
            if u.place in besieged
            and u.faction in friends
            and u.strength > 0
            and u.posture is not Posture.WITHDRAW
            and u.morale >= self.factions[u.faction].spec.morale.break_point
        )

    # --- what places are worth ----------------------------------------------------------

    def mine_revenue(self, place: str) -> float:
        """US$ a mine area pays its controller in a day at today's price of what it yields."""
        spec = self.theatre.map.places[place]
        if not spec.mine_sites:
            return 0.0
        params = self.parameters
        price = params.prices[spec.mineral]
        return spec.mine_sites * params.mine_output_per_site * price * params.mine_tax_share

    def trade_revenue(self, place: str) -> float:
        """US$ of a place's trade its controller can take in a day with all its people at home
        (none while its crossing is closed); the economy pays it x `home_share`.

        Any place with a trade value earns it - a market town as well as a border post.
        """
        if place in self._closed:
            return 0.0
        return self.theatre.map.places[place].trade_per_day * self.parameters.trade_share

    def home_share(self, place: str) -> float:
        """Share of a place's people not displaced or abroad: a town that has emptied
        trades, and pays its holder, that much less (the economy; a commander values the
        trade its people will bring back). A place with no people keeps all of it."""
        population = self.theatre.map.places[place].population
        if population == 0:
            return 1.0
        if self._away_from is None:
            away: dict[str, int] = {}
            for group in self.civilians_away.values():
                away[group.home] = away.get(group.home, 0) + group.size
            self._away_from = away
        return max(1.0 - self._away_from.get(place, 0) / population, 0.0)

    def groups_at(self, place: str) -> list[CivilianGroup]:
        """Civilian groups at a place, oldest first: the cell knows who is there."""
        groups = self._groups_at.get(place)
        if groups is None:
            groups = self._groups_at[place] = sorted(
                (a for a in self.grid[place].agents if isinstance(a, CivilianGroup)),
                key=lambda g: g.unique_id,
            )
        return list(groups)

    def group_moved(self, *places: str) -> None:
        """A civilian group left or came to these places: their lists are made anew."""
        for place in places:
            self._groups_at.pop(place, None)

    def civilians_moved(self) -> None:
        """A civilian group left, came home, or lost people: the counts away are recounted."""
        self._away_from = None

    def revenue_per_day(self, place: str) -> float:
        """US$ a place can yield its controller per day: mine output at today's price, and
        trade with its people at home (what a commander values)."""
        return self.mine_revenue(place) + self.trade_revenue(place)

    def revenue_worths(self) -> dict[str, float]:
        """Each home place's revenue on a 0-1 scale (the richest is 1)."""

        def worths() -> dict[str, float]:
            per_day = {p: self.revenue_per_day(p) for p in self._holders}
            richest = max(per_day.values()) or 1.0
            return {p: revenue / richest for p, revenue in per_day.items()}

        return self._ground_of(("revenue worths",), worths)

    def strategic_worths(self) -> dict[str, float]:
        """`strategic_worth` of every home place: fixed while the parameters are."""
        return self._ground_of(
            ("strategic worths",), lambda: {p: self.strategic_worth(p) for p in self._holders}
        )

    def strategic_worth(self, place: str) -> float:
        spec = self.theatre.map.places[place]
        worth = getattr(self.parameters, f"worth_{spec.kind.value}")
        if spec.kind is PlaceKind.TOWN:
            worth += 0.3 * min(spec.population / 100_000, 1.0)
        return worth


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def threat_ground(world: World, place: str, held_off: frozenset[str]) -> list[str]:
    """The places whose enemies threaten `place`: itself and those one road away not in
    `held_off` (`World.threat`)."""
    return [place, *(n for n, _ in world.routes.roads_from[place] if n not in held_off)]
