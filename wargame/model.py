"""The conflict model: builds a theatre's world and runs its days as a list of phases."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from pathlib import Path

import mesa
from mesa.discrete_space import Network

from wargame import (
    civilians,
    combat,
    command,
    control,
    diplomacy,
    economy,
    morale,
    movement,
    observation,
)
from wargame.agents import CivilianGroup, Faction, Unit
from wargame.command import Commander
from wargame.events import Event, EventKind, EventLog
from wargame.geography import Routes, build_graph, crossings
from wargame.parameters import Parameters, make_parameters
from wargame.scenario import PlaceKind, Theatre, load_theatre
from wargame.seeds import SEED_MAX, seed_problem
from wargame.situation import Holdings, Situation


class ConflictModel(Situation, mesa.Model):
    """One run of a theatre. `ConflictModel()` alone builds the default theatre.

    `scenario` is a shipped theatre's name, a theatre folder, a set-up file or
    an already loaded Theatre; `parameters` overrides the theatre's values; `rng`
    is the seed of the one generator every random draw comes from (0 to 2**32 - 1,
    `wargame.seeds`; ValueError outside it); `commanders` replaces the doctrine AI
    of the factions it names (a human's orders, say).
    """

    def __init__(
        self,
        scenario: str | Path | Theatre = "kachin",
        parameters: Mapping[str, object] | None = None,
        rng: int | None = None,
        commanders: Mapping[str, Commander] | None = None,
    ) -> None:
        self.seed = int(rng) if rng is not None else secrets.randbelow(SEED_MAX + 1)
        if seed_problem(self.seed):
            raise ValueError(f"seed {self.seed}: {seed_problem(self.seed)}")
        super().__init__(rng=self.seed)
        self.theatre = scenario if isinstance(scenario, Theatre) else load_theatre(scenario)
        self.parameters: Parameters = make_parameters(
            self.theatre.parameters, dict(parameters or {})
        )
        graph = build_graph(self.theatre.map, self.parameters)
        self.grid = Network(graph, random=self.random, layout=dict(graph.nodes(data="pos")))
        self.routes = Routes(graph)
        self.crossings = crossings(graph)

        self._situation: dict[tuple, object] = {}
        self._ground: dict[tuple, object] = {}
        self.depth_memo: dict[tuple, dict[str, float]] = {}
        """Commanders' values in depth by the places' own values (see command._value_in_depth)."""
        self._hostility: dict[tuple[str, str], bool] = {}
        self._border_zone: frozenset[str] | None = None
        self.factions: dict[str, Faction] = {
            faction_id: Faction(self, faction_id, spec)
            for faction_id, spec in self.theatre.factions.items()
        }
        for faction_id, commander in (commanders or {}).items():
            self.factions[faction_id].commander = commander
        if self.parameters.militia_loyalty is not None:
            for faction_id, faction in self.factions.items():
                if faction.spec.economy.patron in self.factions:
                    diplomacy.set_relation(
                        self,
                        faction_id,
                        faction.spec.economy.patron,
                        self.parameters.militia_loyalty,
                    )
        places = self.theatre.map.places
        self.controller = Holdings(
            (place_id, self.theatre.control.get(place_id))
            for place_id, place in places.items()
            if place.kind is not PlaceKind.SANCTUARY
        )
        self._start_holdings = {
            f: frozenset(p for p, holder in self.controller.items() if holder == f)
            for f in self.factions
        }
        self._starting_garrisons: dict[tuple[str, str], int] = {}
        for entry in self.theatre.units:
            key = (entry.faction, entry.place)
            self._starting_garrisons[key] = (
                self._starting_garrisons.get(key, 0) + entry.strength * entry.count
            )
        self.contested: set[str] = set()
        self.closed_crossings: set[str] = set()
        self.capture_progress: dict[str, tuple[str, int]] = {}
        self.engagements: list[combat.Engagement] = []
        self.events = EventLog()
        self.ceasefires = 0
        self.ceasefires_broken = 0
        self.ceasefire_pairs: set[tuple[str, str]] = set()
        self.border_fighting_days = 0
        self.gate_quiet: dict[str, int] = {}
        self.broken_alliances: set[str] = set()
        self.collapsed: set[str] = set()
        self.civilians_killed = 0
        self.interned_at: dict[tuple[str, str], int] = {}
        """Soldiers interned, by (sanctuary, faction): the map draws them across the border."""
        self.last_danger: dict[str, int] = {}
        """The last day each place saw fighting on it or one road away."""
        self.called_home: set[str] = set()
        self.returning: set[str] = set()

        for entry in self.theatre.units:
            for _ in range(entry.count):
                Unit(self, entry.faction, entry.strength, entry.place, entry.name)
        self.civilians_stirred: dict[int, CivilianGroup] = {}
        """Groups that have left home at least once, by id (kept by CivilianGroup.state)."""
        self.civilians_away: dict[int, CivilianGroup] = {}
        """Groups displaced or abroad now, by id (kept by CivilianGroup.state)."""
        self.start_population = sum(p.population for p in places.values())
        self._create_civilians()

        self._measures: dict[tuple, dict] = {}
        self.datacollector = observation.make_datacollector(self)
        self._observe()

    def _create_civilians(self) -> None:
        size = self.parameters.civilian_group_size
        for place in self.theatre.map.places.values():
            full, rest = divmod(place.population, size)
            for group_size in [size] * full + ([rest] if rest else []):
                CivilianGroup(self, place.id, group_size)

    # --- the day -------------------------------------------------------------

    def step(self) -> None:
        """One day, phase by phase, in the order of the design brief."""
        diplomacy.update(self)
        self._situation.clear()
        command.issue_orders(self)
        # orders change routes and postures only: what command worked out about
        # ground and presence still holds for movement's morning positions
        movement.advance(self)
        self._situation.clear()
        self.engagements = combat.fight(self)
        self._situation.clear()
        morale.update(self, self.engagements)
        self._situation.clear()
        control.update(self)
        self._situation.clear()
        economy.update(self)
        civilians.update(self, self.engagements)
        self._observe()

    def run(self, days: int) -> None:
        for _ in range(days):
            self.step()

    def _observe(self) -> None:
        self._measures.clear()
        self.datacollector.collect(self)

    # --- what the phases and views ask -----------------------------------------

    @property
    def day(self) -> int:
        return int(self.time)

    @property
    def date(self) -> dt.date:
        return self.theatre.start_date + dt.timedelta(days=self.day)

    @property
    def units(self) -> list[Unit]:
        """Units in play, in creation order (so phases that need no chance are repeatable)."""
        return list(self.agents_by_type.get(Unit, []))

    @property
    def civilians(self) -> list[CivilianGroup]:
        return list(self.agents_by_type.get(CivilianGroup, []))

    def unit(self, unique_id: int) -> Unit | None:
        return self._situation_of(("units",), lambda: {u.unique_id: u for u in self.units}).get(
            unique_id
        )

    def allied(self, a: str, b: str) -> bool:
        """One faction, or two whose relation both ways is above the alliance threshold."""
        threshold = self.parameters.alliance_threshold
        return a == b or (
            self.factions[a].relations.get(b, 0.0) > threshold
            and self.factions[b].relations.get(a, 0.0) > threshold
        )

    def hostile(self, a: str, b: str) -> bool:
        """Two factions fight when either is hostile to the other and no ceasefire holds."""
        pair = (a, b)
        if pair not in self._hostility:
            self._hostility[pair] = (
                self.factions[a].is_hostile(b) or self.factions[b].is_hostile(a)
            ) and tuple(sorted(pair)) not in self.ceasefire_pairs
        return self._hostility[pair]

    def relations_changed(self) -> None:
        """Forget everything worked out from who fights whom."""
        self._hostility.clear()
        self._situation.clear()
        self._ground.clear()

    def starting_strength(self, faction: str) -> int:
        return sum(u.strength * u.count for u in self.theatre.units if u.faction == faction)

    def border_zone(self) -> frozenset[str]:
        """Places within `border_zone_days` of a crossing (roads only; a fixed fact of the map)."""
        if self._border_zone is None:
            reach = self.parameters.border_zone_days
            self._border_zone = frozenset(self.routes.within(self.crossings, reach))
        return self._border_zone

    def measures_today(self, key: tuple) -> dict:
        """Observation's per-day measures, computed once per collection."""
        if key not in self._measures:
            if key[0] == "faction":
                self._measures[key] = observation.faction_measures(self, key[1])
            else:
                self._measures[key] = observation.civilian_measures(self)
        return self._measures[key]

    def place_name(self, place_id: str) -> str:
        return self.theatre.map.places[place_id].name

    def list_factions(self, faction_ids: list[str]) -> str:
        names = [self.factions[f].short_name for f in faction_ids]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def log(
        self, kind: EventKind, factions: tuple[str, ...], place: str | None, text: str
    ) -> Event:
        event = Event(self.day, self.date, kind, factions, place, text)
        self.events.append(event)
        return event

    def summary(self) -> dict[str, object]:
        return observation.summary(self)


def build_model(
    scenario: str | Path | Theatre = "kachin",
    overrides: Mapping[str, object] | None = None,
    seed: int | None = None,
) -> ConflictModel:
    """The Python API's entry point: a model ready to step."""
    return ConflictModel(scenario, overrides, rng=seed)
