"""Phase 9, civilians: people flee fighting, cross the border when it is near, and go home.

A group flees when fighting happens at its place or one road away: to the
nearest place out of danger, or across the border as refugees when an open
crossing is nearer than any safe place and within `refugee_reach_days`.
Fighting in a populated place kills civilians in proportion to the soldiers
put out of action there (the day's intensity). Groups go home once home has
been quiet for `return_quiet_days`, sooner when the faction holding it calls
people back, as the KIA did after taking Kanpaiti (seed story).

People are conserved: those at home, displaced, abroad and killed always add
up to the starting population.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from wargame.engine.agents import CivilianGroup, CivilianState
from wargame.engine.events import Event, EventKind
from wargame.engine.world import World

REPORTED_TOLL = 10  # the log names a day's civilian toll from ten up; the series has every death
KILLED = "civilians.killed"
"""The stream of civilian deaths in battle: one draw per group per day, by the group's id."""
RETURN = "civilians.return"
"""The stream of going home: one draw per group away per day, by the group's id."""


@dataclass
class State:
    last_danger: dict[str, int] = field(default_factory=dict)
    """The last day each place saw fighting on it or one road away."""
    called_home: set[str] = field(default_factory=set)
    """Places whose holder has called their displaced people home."""
    returning: set[str] = field(default_factory=set)
    """Places whose people have begun going home (the first return is news, the rest series)."""


def start(world: World) -> State:
    state = State()
    world.listeners.append(partial(_hear, world, state))
    return state


def run(world: World, state: State) -> None:
    fighting = {e.place: sum(e.losses.values()) for e in world.battles}
    danger = set(fighting)
    for place in fighting:
        danger.update(n for n, _ in world.routes.roads_from[place])
    for place in danger:
        state.last_danger[place] = world.day
    for place, losses in fighting.items():
        _suffer(world, place, losses, groups_at(world, place))
    blocked = frozenset(danger)  # one set for every search: each search opens its origin
    out_of_danger = ~world.routes.mask(danger)
    for place in sorted(danger):
        groups = [g for g in groups_at(world, place) if g.size > 0]
        if groups:
            _flee(world, state, place, groups, blocked, out_of_danger)
    _return_home(world, state, danger)


def _hear(world: World, state: State, event: Event) -> None:
    """A capture, as it happens: the new holder may call the place's displaced people home."""
    if event.kind is EventKind.CAPTURE and event.place is not None:
        state.called_home.discard(event.place)
        call_home(world, state, event.factions[0], event.place)


def groups_at(model: World, place: str) -> list[CivilianGroup]:
    """Civilian groups at a place, oldest first: the cell knows who is there."""
    return sorted(
        (a for a in model.grid[place].agents if isinstance(a, CivilianGroup)),
        key=lambda g: g.unique_id,
    )


def _suffer(model: World, place: str, losses: float, groups: list[CivilianGroup]) -> None:
    """Civilians killed at a place of battle: expected killed_per_casualty x soldiers lost."""
    people = sum(g.size for g in groups)
    if people == 0 or losses <= 0:
        return
    rate = min(model.parameters.civilians_killed_per_casualty * losses / people, 1.0)
    ids, sizes = [g.unique_id for g in groups], [g.size for g in groups]
    deaths = model.streams.binomial(KILLED, model.day, ids, sizes, rate)
    killed = 0
    for group, dead in zip(groups, deaths, strict=True):
        group.size -= int(dead)
        killed += int(dead)
    model.civilians_killed += killed
    if killed >= REPORTED_TOLL:
        model.log(
            EventKind.CIVILIANS_KILLED,
            (),
            place,
            f"{killed:,} civilians were killed in the fighting at {model.place_name(place)}",
        )
    for group in groups:
        if group.size == 0:
            group.remove()


def _flee(
    model: World,
    state: State,
    place: str,
    groups: list[CivilianGroup],
    danger: frozenset[str],
    out_of_danger: np.ndarray,
) -> None:
    """Move every group at a place in danger to safety, or abroad when the border is nearer."""
    index = model.routes.index
    days = model.routes.days_from(place, danger)
    refuge = model.routes.nearest(days, out_of_danger)
    reach = model.parameters.refugee_reach_days
    exits = [
        c
        for c in model.crossings
        if np.isfinite(days[index[c]])
        and days[index[c]] <= reach
        and c not in model.closed_crossings
    ]
    crossing = min(exits, key=lambda c: (days[index[c]], c)) if exits else None
    abroad = crossing is not None and (
        refuge is None or days[index[crossing]] < days[index[refuge]]
    )
    if refuge is None and not abroad:
        return  # nowhere to go: they shelter where they are
    people = 0
    for group in groups:
        if group.state is CivilianState.REFUGEE:
            continue
        people += group.size
        if abroad:
            group.cell = model.grid[model.crossings[crossing][0]]
            group.state = CivilianState.REFUGEE
        else:
            group.cell = model.grid[refuge]
            group.state = (
                CivilianState.RETURNED if refuge == group.home else CivilianState.DISPLACED
            )
    if people == 0:
        return
    state.returning.difference_update(g.home for g in groups)
    if abroad:
        text = (
            f"{people:,} people fled {model.place_name(place)} and crossed into "
            f"{model.country_name(model.crossings[crossing][0])}"
        )
        if crossing != place:
            text += f" at {model.place_name(crossing)}"
    else:
        text = f"{people:,} people fled {model.place_name(place)} for {model.place_name(refuge)}"
    model.log(EventKind.FLIGHT, (), place, text)


def _return_home(model: World, state: State, danger: set[str]) -> None:
    """Groups away go home, each with a daily chance, once home has been quiet long enough."""
    params = model.parameters
    returning: dict[str, int] = defaultdict(int)
    away = sorted(model.civilians_away.values(), key=lambda g: g.unique_id)
    draws = model.streams.uniforms(RETURN, model.day, [g.unique_id for g in away])
    today, last_danger, called_home = model.day, state.last_danger, state.called_home
    for group, draw in zip(away, draws, strict=True):
        home = group.home
        if home in danger:
            continue
        quiet = today - last_danger.get(home, -(10**9))
        needed = (
            params.return_quiet_days_called if home in called_home else params.return_quiet_days
        )
        if quiet >= needed and draw < params.return_rate_per_day:
            group.cell = model.grid[home]
            group.state = CivilianState.RETURNED
            returning[home] += group.size
    for home, people in sorted(returning.items()):
        if home not in state.returning:  # the first who go back are news; the rest are series
            state.returning.add(home)
            model.log(
                EventKind.RETURN,
                (),
                home,
                f"{people:,} people began returning home to {model.place_name(home)}",
            )


def call_home(model: World, state: State, faction: str, place: str) -> None:
    """A faction that calls people home after a capture shortens their wait to return."""
    doctrine = model.factions[faction].spec.doctrine.calls_home
    if not model.factions[faction].decides("calls_home", default=doctrine):
        return
    if not any(g.home == place for g in model.civilians_away.values()):
        return
    state.called_home.add(place)
    model.log(
        EventKind.CALLED_HOME,
        (faction,),
        place,
        f"{model.factions[faction].short_name} called the displaced people of "
        f"{model.place_name(place)} home",
    )
