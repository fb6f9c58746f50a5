"""The model's agents: factions, their units, and groups of civilians.

Each class holds one agent's state and the decisions that are truly its own
(a unit following its route); rules that couple many agents live in the phases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple, Protocol

from mesa import Agent
from mesa.discrete_space import Cell, CellAgent, Network

from wargame.engine.geography import Routes
from wargame.engine.orders import Commander
from wargame.engine.posture import Posture
from wargame.scenario.schema import FactionFile


class AgentWorld(Protocol):
    """What an agent needs of the world it lives in (`wargame.engine.world.World` has it all).

    Said here, not imported: the world is built of these agents, so importing
    it would make a cycle.
    """

    grid: Network
    roads: dict[str, dict[str, dict]]
    routes: Routes
    factions: dict[str, Faction]
    units_by_id: dict[int, Unit]
    civilians_stirred: dict[int, CivilianGroup]
    civilians_away: dict[int, CivilianGroup]

    def hostile_ground(self, faction: str) -> frozenset[str]: ...

    def presence_changed(self) -> None: ...

    def group_moved(self, *places: str) -> None: ...

    def civilians_moved(self) -> None: ...


class CivilianState(Enum):
    HOME = "home"
    DISPLACED = "displaced"
    REFUGEE = "refugee"
    RETURNED = "returned"


class Faction(Agent):
    """One side: its doctrine and settings from `agents/<id>.toml`, and its tallies."""

    def __init__(
        self,
        model: AgentWorld,
        faction_id: str,
        spec: FactionFile,
        commodities: Iterable[str] = (),
    ) -> None:
        super().__init__(model)
        self.id = faction_id
        self.spec = spec
        self.name = spec.name
        self.short_name = spec.short_name
        self.colour = spec.colour
        self.relations: dict[str, float] = {
            other: value for other, value in spec.relations.items() if other != faction_id
        }
        self.treasury = spec.economy.treasury
        self.revenue_total = 0.0
        self.killed = 0
        self.interned = 0
        """Soldiers who fled across a border so far, whether held there still or handed back."""
        self.repatriated = 0
        """Soldiers a neighbouring country handed back so far: in play again."""
        self.awaiting_return = 0
        """Interned soldiers a neighbouring country is to hand back (kept by the morale phase):
        still the faction's, so it is not beaten while they wait abroad."""
        self.collapsed = False
        """The faction surrendered or went home (the diplomacy phase): none are handed back."""
        self.recruited = 0
        """Soldiers who finished their training and joined the faction's units so far."""
        self.manpower_gained = 0.0
        """Recruits the displaced who sheltered in its places added to its manpower so far."""
        self.training: list[Trainees] = []
        """Recruits enlisted and paid for, still in training (the economy phase)."""
        self.deserted = 0
        """Soldiers who went home because they were not paid, so far."""
        self.fire_paid = 1.0
        """Share of its last day's fighting the faction could pay for: the rest cuts its fire
        today, towards `fire_when_unpaid` (the combat phase, through `World.effectiveness`)."""
        self.arms = 0.0
        """US$ of weapons bought beyond the basic kit and not yet used up or worn out."""
        self.arms_edge = 0.0
        """What those arms add to the faction's fire, as a share, set by the economy phase
        from its arms per soldier (the combat phase, through `World.effectiveness`)."""
        self.surrendered = 0
        self.captured = 0
        """Soldiers of encircled garrisons who surrendered to a besieger so far."""
        self.starved = 0
        """Soldiers lost to want of supply so far: counted with the killed as well."""
        self.grievance = 0.0
        """The broker's grievance against the faction: the hurt it did, fading with time."""
        self.income_today: dict[str, float] = {}
        self.income_total: dict[str, float] = {
            source: 0.0 for source in ("mines", "trade", "external", "allies")
        }
        self.commodity_income_total: dict[str, float] = dict.fromkeys(commodities, 0.0)
        """Income from each commodity so far: its part of the mines' and the allies' income."""
        self.spent: dict[str, float] = dict.fromkeys(
            ("upkeep", "fighting", "recruits", "arms"), 0.0
        )
        """US$ paid out so far: treasury = starting treasury + revenue_total - all spent."""
        self.commander: Commander | None = None
        """Who gives the faction's orders: the model sets its doctrine AI unless told otherwise."""

    @property
    def in_training(self) -> int:
        """Recruits still in training: paid for and counted against manpower, not yet in play."""
        return sum(batch.soldiers for batch in self.training)

    def decides(self, question: str, default: bool) -> bool:
        """The commander's answer to a policy question (`POLICY_QUESTIONS`), else `default`."""
        answer = getattr(self.commander, question, None)
        return default if answer is None else bool(answer)

    def is_hostile(self, other: str) -> bool:
        """Factions fight when their relation is below zero; unknown relations are neutral."""
        return other != self.id and self.relations.get(other, 0.0) < 0.0


@dataclass
class Trainees:
    """A day's recruits at one base: they join a unit there on day `ready`."""

    ready: int
    base: str
    soldiers: int


@dataclass
class Transit:
    """A unit on the road between two places."""

    origin: str
    destination: str
    km_total: float
    km_left: float


class Leg(NamedTuple):
    """A stretch of one road a unit covered today: from `start_km` to `end_km` (km from
    `origin`), between `start_time` and `end_time` (fractions of the day).

    A named tuple, not a frozen dataclass: a large theatre makes a hundred
    thousand a month, and a tuple is made in a third of the time."""

    origin: str
    destination: str
    start_km: float
    end_km: float
    start_time: float
    end_time: float


class Unit(CellAgent):
    """A battalion-sized unit: at a place (its cell) or on a road (`transit`)."""

    def __init__(
        self, model: AgentWorld, faction: str, strength: int, place: str, name: str = ""
    ) -> None:
        super().__init__(model)
        model.units_by_id[self.unique_id] = self
        self.faction = faction
        self._strength = strength
        self.name = name or f"{model.factions[faction].short_name} unit {self.unique_id}"
        self.morale = model.factions[faction].spec.morale.initial
        self.posture = Posture.HOLD
        self.objective: str | None = None
        self.route: list[str] = []
        self.transit: Transit | None = None
        self.arrival = 0.0
        """When in the day the unit got to where it stands (0: there all day): it fights
        only the rest of the day."""
        self.clash: tuple[str, str, float] | None = None
        """Where on a road the unit met a hostile column today (road ends, km from the first),
        or None: the units with one clash fight there."""
        self.place: str | None = None
        """The place the unit stands at, or None while it is on a road.

        Kept beside `cell` (a plain attribute, not a property over it): the
        phases ask it millions of times on a large theatre.
        """
        self.job: str | None = None
        """What its commander uses it for ('garrison', 'attack'...; `command.Job`), if said."""
        self.started_at = place
        self.moved = False
        """Whether it has ever left `started_at`: a unit that never has is idle."""
        self.stand_at(place)

    @property
    def strength(self) -> float:
        """Soldiers in the unit."""
        return self._strength

    @strength.setter
    def strength(self, soldiers: float) -> None:
        self._strength = soldiers
        self.model.presence_changed()

    def stand_at(self, place: str | None) -> None:
        """Arrive at `place`, or take to the road (None)."""
        self.place = place
        self.moved = self.moved or place != self.started_at
        self.cell = self.model.grid[place] if place is not None else None
        self.model.presence_changed()

    def remove(self) -> None:
        self.model.units_by_id.pop(self.unique_id, None)
        super().remove()
        self.model.presence_changed()

    def order_to(self, objective: str) -> bool:
        """Head for `objective` by the fastest road; False when no road leads there.

        The route lists the places still to reach; on a road it starts with the
        road's far end, unless turning back is the faster way.
        """
        routes = self.model.routes
        avoid = self.model.hostile_ground(self.faction)
        if self.transit is None:
            path = routes.path(self.place, objective, avoid)
            if path is None:
                return False
            self.route = path[1:]
        else:
            transit = self.transit
            days_per_km = self.model.grid.G[transit.origin][transit.destination]["days"] / (
                transit.km_total
            )
            onward = transit.km_left * days_per_km + routes.travel_days(
                transit.destination, objective
            )
            back = (transit.km_total - transit.km_left) * days_per_km + routes.travel_days(
                transit.origin, objective
            )
            if min(onward, back) == float("inf"):
                return False
            if back < onward:
                transit.origin, transit.destination = transit.destination, transit.origin
                transit.km_left = transit.km_total - transit.km_left
            self.route = routes.path(transit.destination, objective, avoid)
        self.objective = objective
        return True

    def travel(
        self,
        days: float = 1.0,
        barred: frozenset[str] = frozenset(),
        pace: float | None = None,
        legs: list[Leg] | None = None,
    ) -> None:
        """Cover `days` of road along the route, passing through places on the way.

        A place in `barred` (where hostile units stood this morning) stops the
        march: a column cannot slip past an enemy garrison. The unit covers
        `pace` days of road in the whole day (`days` unless told), so it reaches
        a place at the fraction of the day given by the road it covered before
        over `pace`: its `arrival`. Each stretch of road covered goes to `legs`.
        """
        changed = True  # if the march fails half-way, its cell still follows its place
        try:
            changed = self._cover(days, barred, days if pace is None else pace, legs)
        finally:
            if changed:
                self.stand_at(self.place)  # the cell and the clock once, not at each place

    def _cover(
        self, days: float, barred: frozenset[str], pace: float, legs: list[Leg] | None
    ) -> bool:
        """`travel`'s march, keeping `place` (not the cell) as it goes; whether it changed."""
        roads = self.model.roads
        spent, changed = 0.0, False
        while days > 0:
            if self.transit is None:
                if not self.route:
                    return changed
                here, there = self.place, self.route[0]
                length = roads[here][there]["length_km"]
                self.transit = Transit(here, there, length, length)
                self.place, self.moved, changed = None, True, True
            transit = self.transit
            km_per_day = roads[transit.origin][transit.destination]["km_per_day"]
            done = transit.km_total - transit.km_left
            step = min(days, transit.km_left / km_per_day)
            if legs is not None:
                legs.append(
                    Leg(
                        transit.origin,
                        transit.destination,
                        done,
                        done + step * km_per_day,
                        spent / pace,
                        (spent + step) / pace,
                    )
                )
            if days * km_per_day < transit.km_left:
                transit.km_left -= days * km_per_day
                return changed
            days -= step
            spent += step
            arrived = transit.destination
            self.place, changed = arrived, True
            self.arrival = min(spent / pace, 1.0)
            self.transit = None
            self.route.pop(0)
            if arrived in barred:
                return changed  # an enemy force bars the way: the unit must fight through it
        return changed


class CivilianGroup(CellAgent):
    """A few hundred people from one home place; they move as one.

    Groups that have left home at least once are indexed in the model's
    `civilians_stirred`, and those away now in `civilians_away`, as their
    state changes: the daily tallies and the returns then visit those alone,
    not every group of a large theatre.
    """

    def __init__(self, model: AgentWorld, home: str, size: int) -> None:
        super().__init__(model)
        self.home = home
        self.size = size
        self._state = CivilianState.HOME
        self.cell = model.grid[home]
        self.arrived = 0
        """The day the group came to where it is: it fears only fighting it saw there."""

    @property
    def cell(self) -> Cell | None:
        return CellAgent.cell.fget(self)

    @cell.setter
    def cell(self, cell: Cell | None) -> None:
        """Move as Mesa moves any cell agent, and tell the world both places' lists changed."""
        old = CellAgent.cell.fget(self)
        CellAgent.cell.fset(self, cell)
        if cell is not old:
            self.model.group_moved(*(c.coordinate for c in (old, cell) if c is not None))

    @property
    def state(self) -> CivilianState:
        return self._state

    @state.setter
    def state(self, state: CivilianState) -> None:
        self._state = state
        self.model.civilians_moved()
        if state is not CivilianState.HOME:
            self.model.civilians_stirred[self.unique_id] = self
        if state is CivilianState.DISPLACED or state is CivilianState.REFUGEE:
            self.model.civilians_away[self.unique_id] = self
        else:
            self.model.civilians_away.pop(self.unique_id, None)

    def remove(self) -> None:
        self.model.civilians_stirred.pop(self.unique_id, None)
        self.model.civilians_away.pop(self.unique_id, None)
        super().remove()
