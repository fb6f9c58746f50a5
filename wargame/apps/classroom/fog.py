"""Fog of war: what one side knows, decided on the server so a page cannot show more.

A side sees what `wargame.engine.sight` says it sees (the places it holds or
has units at, and those `sight_roads` roads beyond, with every unit there):
the same sight the doctrine commanders weigh their risks by. It knows its own
tallies, not the enemy's.

What it saw it keeps, and it learns no more: the game keeps a `SideKnowledge`
for each team's side, written at the end of every day, and a team's page is
built from that record and today's sight alone (`side_view`), never from the
model itself, so a place newly seen shows no history and a place lost from
sight keeps the events the side saw there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from wargame.drawing.map_state import MapState, faction_label, ground_point, unit_way
from wargame.engine.measures import faction_measures
from wargame.engine.sight import seen_places, seen_units

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from wargame.engine.agents import Transit
    from wargame.engine.events import Event
    from wargame.engine.model import ConflictModel
    from wargame.scenario import Place


@dataclass
class SideKnowledge:
    """What one side has seen, kept day by day as its game runs (`Game` calls `observe`).

    A side learns an event on the day it happens if it is a party to it, if the
    event is news for everyone (no place and no party: the umpire's
    announcements), or if it happens at a place the side saw that day - at its
    start or at its end, so a place it fought at and fell back from counts.
    """

    faction: str
    sight: dict[int, frozenset[str]] = field(default_factory=dict)
    """The places it saw at the end of each day (day 0: the start)."""
    events: list[Event] = field(default_factory=list)
    """The events it learned, in the order they happened."""
    tallies: list[dict[str, object]] = field(default_factory=list)
    """Its own measures each day, named as the daily series names them, with the ceasefires
    it is party to."""
    weighed: int = 0
    """How many events of the model's log it has already weighed."""
    injects: list[Event] = field(default_factory=list)
    """The umpire's injections that reached it, as their events tell them (`hear`)."""

    def observe(self, model: ConflictModel) -> None:
        """Note today's sight, learn today's events (and any logged since), note own tallies."""
        today = frozenset(seen_places(model, self.faction))
        yesterday = self.sight.get(model.day - 1)
        self.sight[model.day] = yesterday if today == yesterday else today  # one copy a spell
        fresh = model.events[self.weighed :]
        self.weighed = len(model.events)
        self.events += [event for event in fresh if self.learns(event)]
        own = faction_measures(model, self.faction)
        self.tallies.append(
            {
                "day": model.day,
                "ceasefires_active": sum(self.faction in pair for pair in model.truces),
                **{f"{self.faction}_{measure}": value for measure, value in own.items()},
            }
        )

    def hear(self, injected: Iterable[Event]) -> None:
        """Note the umpire's injections that reach this side: those it learns of (a ceasefire
        offered to two factions reaches those two; the broker's closing and a price, everyone)."""
        self.injects += [event for event in injected if self.learns(event)]

    def learns(self, event: Event) -> bool:
        if self.faction in event.factions:
            return True
        if event.place is None:
            return not event.factions
        that_day = self.sight.get(event.day - 1, frozenset()) | self.sight.get(
            event.day, frozenset()
        )
        return event.place in that_day

    def series(self) -> pd.DataFrame:
        """Its own daily tallies as a daily series: the only columns its charts can draw."""
        return pd.DataFrame(self.tallies)


@dataclass(frozen=True)
class SeenUnit:
    """A unit as a side sees it: its morale only if it is the side's own."""

    id: int
    name: str
    faction: str
    place: str | None
    transit: Transit | None
    strength: int
    morale: float | None
    objective: str | None
    """Where it is heading, only if it is the side's own."""


@dataclass(frozen=True)
class SideView:
    """Everything a team's page is given: today's sight and its side's record, nothing else."""

    faction: str
    day: int
    places: Mapping[str, str | None]
    """Who holds each place it sees today."""
    contested: frozenset[str]
    """The places it sees that are contested today."""
    units: tuple[SeenUnit, ...]
    interned: tuple[tuple[str, float], ...]
    """(sanctuary, soldiers) of its own interned soldiers."""
    events: tuple[Event, ...]
    injects: tuple[Event, ...]
    """The umpire's injections that reached the side."""
    series: pd.DataFrame
    """Its own daily tallies (`SideKnowledge.series`)."""
    at_war: frozenset[str] = frozenset()
    """The factions it is at war with (either way round): whom its front faces."""


def side_view(model: ConflictModel, knowledge: SideKnowledge) -> SideView:
    """What `knowledge`'s side may know today; the one place the model is read for a team."""
    faction = knowledge.faction
    places = seen_places(model, faction)
    return SideView(
        faction=faction,
        day=model.day,
        places={p: model.controller.get(p) for p in sorted(places)},
        contested=frozenset(model.contested & places),
        units=tuple(
            SeenUnit(
                id=u.unique_id,
                name=u.name,
                faction=u.faction,
                place=u.place,
                transit=None if u.transit is None else replace(u.transit),
                strength=u.strength,
                morale=round(u.morale, 2) if u.faction == faction else None,
                objective=u.objective if u.faction == faction else None,
            )
            for u in seen_units(model, faction)
        ),
        interned=tuple((s, n) for (s, f), n in sorted(model.interned_at.items()) if f == faction),
        events=tuple(knowledge.events),
        injects=tuple(knowledge.injects),
        series=knowledge.series(),
        at_war=frozenset(b for a, b in model.at_war() if a == faction),
    )


def side_map(view: SideView, places: Mapping[str, Place], names: Mapping[str, str]) -> MapState:
    """The map of a side's view: `places` (the theatre's, to put units on the ground) and the
    factions' `names` (short names, by id, in the theatre's order) are all it adds."""

    own_interned = float(view.series[f"{view.faction}_interned"].iloc[-1])
    return MapState(
        holders=view.places,
        contested=view.contested,
        units=tuple(
            (*ground_point(places, u.place, u.transit), u.strength, u.faction) for u in view.units
        ),
        interned=tuple((s, view.faction, n) for s, n in view.interned),
        labels=tuple(
            faction_label(name, own_interned if f == view.faction else 0.0)
            for f, name in names.items()
        ),
        unit_ways=tuple(unit_way(u) for u in view.units),
        hostile=frozenset(
            pair for f in view.at_war for pair in ((view.faction, f), (f, view.faction))
        ),
    )
