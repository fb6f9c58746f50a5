"""Phase 9, civilians: people flee fighting by their own choice, shelter, cross borders, go home.

The rules follow the Flee model's (Suleimenova, Bell and Groen 2017), at the
scale of groups of a few hundred:

- **Whether to go.** Each day a group at a place that saw fighting after the
  day it came there leaves with a chance: `flee_chance_fighting` for fighting at the
  place, `flee_chance_near` for fighting one road away, halved for every
  `flee_fear_half_life_days` since. So a town empties partly, over days, and a
  town the fighting has not reached loses few.
- **Where to.** A group that goes knows the places within
  `flee_awareness_days` of travel by roads clear of today's fighting, and
  picks one other than its home at random with weight attraction x safety /
  (1 + travel days): any place weighs 1, a camp with all its room free
  `camp_attraction` (a full camp weighs as any place), and a place's safety
  falls with the fighting at it or next to it, fading. An open crossing
  within `refugee_reach_days`, not fought over today, weighs `abroad_attraction`:
  people cross only where the neighbour lets them. With nowhere to go, they
  shelter where they are.
- **What it costs.** Fighting in a populated place kills civilians in
  proportion to the soldiers put out of action there (the day's intensity),
  more where the place is fortified (`civilian_harm_fortified`: siege and
  street fighting).
- **What it changes.** The holder of a place where people newly displaced
  shelter gains `recruits_per_displaced` recruits per person to its manpower; a town whose people
  have gone trades, and pays, that much less (`World.home_share`).
- **Going home.** Groups go home once home has been quiet for
  `return_quiet_days`, sooner when the faction holding it calls people back,
  as the KIA did after taking Kanpaiti (seed story).

People are conserved: those at home, displaced, abroad and killed always add
up to the starting population.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from wargame.engine.agents import CivilianGroup, CivilianState
from wargame.engine.events import Event, EventKind
from wargame.engine.world import World
from wargame.scenario import PlaceKind

REPORTED_TOLL = 10  # the log names a day's civilian toll from ten up; the series has every death
FADED = 10  # half-lives after which old fighting frightens no one (a chance below 0.1%)
KILLED = "civilians.killed"
"""The stream of civilian deaths in battle: one draw per group per day, by the group's id."""
FLEE = "civilians.flee"
"""The stream of flight: one draw per group at a frightened place per day, by the group's id."""
DESTINATION = "civilians.destination"
"""The stream of where a group flees: one draw per group that goes, by the group's id."""
RETURN = "civilians.return"
"""The stream of going home: one draw per group away per day, by the group's id."""


@dataclass
class State:
    last_fighting: dict[str, int] = field(default_factory=dict)
    """The last day each place was fought over."""
    last_near: dict[str, int] = field(default_factory=dict)
    """The last day each place saw fighting one road away."""
    called_home: set[str] = field(default_factory=set)
    """Places whose holder has called their displaced people home."""
    returning: set[str] = field(default_factory=set)
    """Places whose people have begun going home (the first return is news, the rest series)."""

    def last_danger(self, place: str) -> int | None:
        """The last day fighting was at or next to `place`, if ever."""
        days = [
            d for d in (self.last_fighting.get(place), self.last_near.get(place)) if d is not None
        ]
        return max(days) if days else None


@dataclass(frozen=True)
class Choice:
    """Where a group fleeing from one place may go today, and how much each weighs."""

    places: list[str]
    """Places in the country, or a crossing's foreign side for those who go abroad."""
    abroad: list[bool]
    weights: list[float]

    def pick(self, draw: float, home: str) -> int | None:
        """The index a uniform draw in [0, 1) picks by the weights, leaving out the group's
        home (going home is the return rule's); None when nothing else is left."""
        weights = [
            0.0 if place == home and not abroad else weight
            for place, abroad, weight in zip(self.places, self.abroad, self.weights, strict=True)
        ]
        total = sum(weights)
        if total <= 0.0:
            return None
        edge = 0.0
        for i, weight in enumerate(weights):
            edge += weight / total
            if weight > 0.0 and draw < edge:
                return i
        return max(i for i, weight in enumerate(weights) if weight > 0.0)  # rounding at the top


def start(world: World) -> State:
    state = State()
    world.listeners.append(partial(_hear, world, state))
    return state


def run(world: World, state: State) -> None:
    fighting: dict[str, float] = defaultdict(float)
    for engagement in world.battles:  # a place's fights of the day, all counted
        fighting[engagement.place] += sum(engagement.losses.values())
    danger = set(fighting)
    for place in fighting:
        state.last_fighting[place] = world.day
        for near, _ in world.routes.roads_from[place]:
            danger.add(near)
            if near not in fighting:
                state.last_near[near] = world.day
    for place, losses in sorted(fighting.items()):
        _suffer(world, place, losses, world.groups_at(place))
    _flee(world, state, frozenset(fighting))
    _return_home(world, state, danger)


def _hear(world: World, state: State, event: Event) -> None:
    """A capture, as it happens: the new holder may call the place's displaced people home."""
    if event.kind is EventKind.CAPTURE and event.place is not None:
        state.called_home.discard(event.place)
        call_home(world, state, event.factions[0], event.place)


def _suffer(model: World, place: str, losses: float, groups: list[CivilianGroup]) -> None:
    """Civilians killed at a place of battle: expected killed_per_casualty x soldiers lost,
    more at a fortified place."""
    people = sum(g.size for g in groups)
    if people == 0 or losses <= 0:
        return
    params = model.parameters
    harm = 1.0 + params.civilian_harm_fortified * model.fortification(place)
    rate = min(params.civilians_killed_per_casualty * harm * losses / people, 1.0)
    ids, sizes = [g.unique_id for g in groups], [g.size for g in groups]
    deaths = model.streams.binomial(KILLED, model.day, ids, sizes, rate)
    killed = 0
    for group, dead in zip(groups, deaths, strict=True):
        group.size -= int(dead)
        killed += int(dead)
    model.civilians_killed += killed
    model.civilians_moved()
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


def fear(model: World, state: State, place: str, since: int = -(10**9)) -> float:
    """The daily chance to flee `place` for a group there since day `since`: the fighting it
    saw there or one road away, fading by half every `flee_fear_half_life_days`."""
    params = model.parameters
    chance = 0.0
    for last, top in (
        (state.last_fighting.get(place), params.flee_chance_fighting),
        (state.last_near.get(place), params.flee_chance_near),
    ):
        if last is not None and last > since:  # what it fled from on arrival is behind it
            chance = max(chance, top * _faded(model, last))
    return chance


def _faded(model: World, last: int | None) -> float:
    """What is left of the fright of fighting on day `last`: 1 that day, halved every
    `flee_fear_half_life_days` since (0 if it never happened)."""
    if last is None:
        return 0.0
    return 0.5 ** ((model.day - last) / model.parameters.flee_fear_half_life_days)


def _frightened(model: World, state: State) -> list[str]:
    """Places that saw fighting, at them or next to them, recently enough to frighten."""
    horizon = model.day - FADED * model.parameters.flee_fear_half_life_days
    return sorted(
        p
        for p in set(state.last_fighting) | set(state.last_near)
        if state.last_danger(p) >= horizon
    )


def _flee(model: World, state: State, fighting: frozenset[str]) -> None:
    """Each group at a frightened place leaves with its chance, for a place it chooses."""
    present = {
        place: [g for g in model.groups_at(place) if g.state is not CivilianState.REFUGEE]
        for place in _frightened(model, state)
    }
    everyone = [g for groups in present.values() for g in groups]
    draws = dict(
        zip(
            (g.unique_id for g in everyone),
            model.streams.uniforms(FLEE, model.day, [g.unique_id for g in everyone]),
            strict=True,
        )
    )
    leaving: dict[str, list[CivilianGroup]] = {}
    for place, groups in present.items():
        chances: dict[int, float] = {}  # by the day they came: most came together
        for group in groups:
            if group.arrived not in chances:
                chances[group.arrived] = fear(model, state, place, group.arrived)
            if draws[group.unique_id] < chances[group.arrived]:
                leaving.setdefault(place, []).append(group)
    if not leaving:
        return
    sheltering = _sheltering(model)
    goers = [g for groups in leaving.values() for g in groups]
    picks = model.streams.uniforms(DESTINATION, model.day, [g.unique_id for g in goers])
    pick = dict(zip((g.unique_id for g in goers), picks, strict=True))
    for place, groups in leaving.items():
        choice = choices(model, state, place, fighting, sheltering)
        if _go(model, place, groups, choice, pick):
            state.returning.difference_update(g.home for g in groups)


def _sheltering(model: World) -> dict[str, int]:
    """Displaced people at each place this morning: what fills its camps."""
    count: dict[str, int] = defaultdict(int)
    for group in model.civilians_away.values():
        if group.state is CivilianState.DISPLACED:
            count[group.cell.coordinate] += group.size
    return count


def choices(
    model: World, state: State, origin: str, fighting: frozenset[str], sheltering: dict[str, int]
) -> Choice:
    """The places a group fleeing `origin` knows of, by roads through no place fought over
    today, and their weights: attraction x safety / (1 + travel days)."""
    params = model.parameters
    places = model.theatre.map.places
    index = model.routes.index
    days = model.routes.days_from(origin, fighting)
    chosen, abroad, weights = [], [], []
    for place, spec in places.items():
        if spec.kind is PlaceKind.SANCTUARY or place not in index:
            continue  # abroad is reached through a crossing, below
        d = days[index[place]]
        if place == origin or place in fighting or not d <= params.flee_awareness_days:
            continue
        attraction = 1.0
        if spec.camp_capacity:
            room = max(1.0 - sheltering.get(place, 0) / spec.camp_capacity, 0.0)
            attraction += (params.camp_attraction - 1.0) * room
        chosen.append(place)
        abroad.append(False)
        weights.append(attraction * safety(model, state, place) / (1.0 + d))
    for crossing, (foreign, *_) in sorted(model.crossings.items()):
        d = days[index[crossing]]
        if crossing in model.closed_crossings or not d <= params.refugee_reach_days:
            continue
        if crossing in fighting and crossing != origin:
            continue  # no way through a fight, as for the places above
        chosen.append(foreign)
        abroad.append(True)
        weights.append(params.abroad_attraction / (1.0 + d))
    kept = [i for i, w in enumerate(weights) if w > 0.0]
    return Choice([chosen[i] for i in kept], [abroad[i] for i in kept], [weights[i] for i in kept])


def safety(model: World, state: State, place: str) -> float:
    """How safe a place looks to those choosing where to flee: 1 less the fading memory of
    fighting there, and half as much for fighting one road away (1: never near fighting)."""
    there = _faded(model, state.last_fighting.get(place))
    nearby = _faded(model, state.last_near.get(place))
    return (1.0 - there) * (1.0 - 0.5 * nearby)


def _go(
    model: World,
    origin: str,
    groups: list[CivilianGroup],
    choice: Choice,
    pick: dict[int, float],
) -> bool:
    """Move each leaving group to the place its draw picks; with no choice, they stay. The
    holder of a shelter gains recruits among those newly displaced, once per person."""
    went: dict[tuple[str, bool], int] = defaultdict(int)
    for group in groups:
        i = choice.pick(float(pick[group.unique_id]), group.home)
        if i is None:
            continue
        place, abroad = choice.places[i], choice.abroad[i]
        newly = group.state is not CivilianState.DISPLACED
        group.cell = model.grid[place]
        group.arrived = model.day
        if abroad:
            group.state = CivilianState.REFUGEE
        else:
            group.state = CivilianState.DISPLACED
            if newly:
                _enlist_the_displaced(model, place, group.size)
        went[place, abroad] += group.size
    if went:
        _report_flight(model, origin, went)
    return bool(went)


def _enlist_the_displaced(model: World, place: str, people: int) -> None:
    """The holder of the place where displaced people shelter gains recruits among them."""
    holder = model.controller.get(place)
    if holder in model.factions:
        model.factions[holder].manpower_gained += people * model.parameters.recruits_per_displaced


def _report_flight(model: World, origin: str, went: dict[tuple[str, bool], int]) -> None:
    """One line of the log for the day's flight from a place, naming where most went."""
    people = sum(went.values())
    (place, abroad), most = max(went.items(), key=lambda item: (item[1], item[0]))
    if abroad:
        text = (
            f"{people:,} people fled {model.place_name(origin)}; {most:,} crossed into "
            f"{model.country_name(place)}"
        )
    else:
        text = (
            f"{people:,} people fled {model.place_name(origin)}; "
            f"{most:,} went to {model.place_name(place)}"
        )
    model.log(EventKind.FLIGHT, (), origin, text)


def _return_home(model: World, state: State, danger: set[str]) -> None:
    """Groups away go home, each with a daily chance, once home has been quiet long enough."""
    params = model.parameters
    returning: dict[str, int] = defaultdict(int)
    away = sorted(model.civilians_away.values(), key=lambda g: g.unique_id)
    draws = model.streams.uniforms(RETURN, model.day, [g.unique_id for g in away])
    today, called_home = model.day, state.called_home
    for group, draw in zip(away, draws, strict=True):
        home = group.home
        if home in danger:
            continue
        last = state.last_danger(home)
        quiet = today - (last if last is not None else -(10**9))
        needed = (
            params.return_quiet_days_called if home in called_home else params.return_quiet_days
        )
        if quiet >= needed and draw < params.return_rate_per_day:
            group.cell = model.grid[home]
            group.arrived = today
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
