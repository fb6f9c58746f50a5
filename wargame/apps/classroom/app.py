"""The classroom pages: a lobby to create or join a room, a team's page, the umpire's page.

Rooms live in one `Classroom` per server (shared by every tab, which is the
point: the teams of a room see one game). A page keeps who it is in its
address (`?seat=TOKEN` for a team, `?room=CODE&key=KEY` for the umpire), so a
reload rejoins the same seat. Every action is checked by `Classroom`, so a
page cannot act for another faction or see what the fog hides.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import ipyvuetify
import ipywidgets
import solara
from pydantic import ValidationError

from wargame.apps.classroom.exercises import load_exercise, sheet_html
from wargame.apps.classroom.fog import SideView, side_map, side_view
from wargame.apps.classroom.game import Game, GameSetup, Injection, replay_to_day
from wargame.apps.classroom.games_file import DB_ENV, LOCK_ENV, ClassroomError, ServerLock
from wargame.apps.classroom.rooms import PLAYED, Classroom, RoomError, Seat, read_record
from wargame.apps.classroom.team import (
    OrderDraft,
    OrderError,
    common_destinations,
    described,
    stacks,
)
from wargame.apps.closed_sessions import give_back_memory_when_sessions_close
from wargame.apps.error_slot import ErrorSlot
from wargame.apps.front_end import serve_front_end_read_only
from wargame.apps.viewer.access import refusal, served_theatres
from wargame.apps.viewer.chart_widget import Chart, option_json
from wargame.apps.viewer.map_view import MapView
from wargame.apps.viewer.presence import page_presence
from wargame.drawing.charts import chart_options, series_chart_options
from wargame.drawing.map_option import base_option, day_option
from wargame.drawing.map_state import MapState, whole_map
from wargame.engine.model import ConflictModel
from wargame.engine.posture import Posture
from wargame.scenario import ScenarioError, load_theatre
from wargame.scenario.errors import from_validation_error, show_warnings_as_lines
from wargame.scenario.exercises import PREFIX, ExerciseFile, shipped_exercises

REFRESH_SECONDS = 2.0
MAP_HEIGHT = "560px"
STAY = "(stay)"
POSTURES = tuple(p.value for p in Posture)
"""The postures a team may order, as the page offers them."""
NO_EXERCISE = "(none: set up by hand)"
PAGE_TITLE = "wargame classroom"
TEAMS = 2
"""Factions a room set up by hand gives teams at first: its theatre's first two."""
_classroom: Classroom | None = None
_server_lock: ServerLock | None = None
_classroom_lock = threading.Lock()
show_warnings_as_lines()  # a theatre's strange input, on the server's terminal as the CLI says it
serve_front_end_read_only()  # no page can change what every page is served
give_back_memory_when_sessions_close()  # a class leaving frees the server's memory
log = logging.getLogger(__name__)


def classroom() -> Classroom:
    """The server's classroom; ClassroomError when its games' file cannot be served."""
    global _classroom, _server_lock
    with _classroom_lock:
        if _classroom is None:
            path = Path(os.environ.get(DB_ENV, "classroom.sqlite"))
            if _server_lock is None:  # kept even if the file fails: no second server meanwhile
                inherited = os.environ.get(LOCK_ENV)
                _server_lock = ServerLock(path, int(inherited) if inherited else None)
            _classroom = Classroom(path, lock=_server_lock)
        return _classroom


def said(problem: Exception) -> str:
    """What a page shows of a failed action: the words of our own errors; of anything else
    only that it failed (a traceback would show the server's files to every visitor)."""
    if isinstance(problem, ValidationError):
        return str(from_validation_error("the form", problem))
    if isinstance(problem, (RoomError, OrderError, ScenarioError, ValueError)):
        return str(problem)
    log.error("a page's action failed", exc_info=problem)
    return "The server could not do that; its log says why."


def use_refresh(code: Callable[[], str]) -> int:
    """Re-render when the room changes, so a page sees turns that other teams' orders ran.

    Every few seconds the page asks what its room looks like (`room_state`) and
    re-renders only when that changed: a room of ten players re-rendering its
    pages on every poll whether anything happened or not kept a 2-core server
    too busy to show the turn (benchmarks/load.py). A page no browser is
    connected to asks nothing until one reconnects or the session is freed.
    """
    tick, set_tick = solara.use_state(0)
    present = page_presence()

    def poll(cancel: threading.Event) -> None:
        last = room_state(code)
        while not cancel.wait(REFRESH_SECONDS):
            if not present():  # no browser on this page: rest until one reconnects
                continue
            classroom().tick()  # timed turns run even when no team clicks
            now = room_state(code)
            if now != last:
                last = now
                set_tick(lambda t: t + 1)

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)
    return tick


def room_state(code: Callable[[], str]) -> tuple:
    """What a page shows that others' actions change: status, day, orders in, injections,
    the countdown of a timed turn (to the second)."""
    rooms = classroom()
    try:
        with rooms.lock:
            room = code()
            status, game, deadline = rooms.status(room), rooms.game(room), rooms.deadline(room)
            left = (
                None
                if deadline is None
                else int((deadline - dt.datetime.now(dt.UTC)).total_seconds())
            )
            return (
                status,
                game.turn,
                game.model.day,
                tuple(sorted(game.submitted)),
                len(game.injections),
                game.paused,
                left,
            )
    except RoomError as problem:
        return ("gone", str(problem))


def map_data(drawings: dict, key: object, model, side: MapState | None = None) -> tuple[str, str]:
    """The map of `model`, or of `side` alone (one side's view of it) if given, as the JSON of
    its base and its day (`MapView`), made once a day: pages re-render every few seconds to
    notice turns; the map only changes with the day. The day's is made from `side` alone,
    so a team's page is sent nothing its side does not see."""
    entry = drawings.get(key)
    if entry is None:
        entry = drawings[key] = {"base": option_json(base_option(model.theatre)), "drawn": None}
    state = (id(model), model.day)
    if entry["drawn"] != state:
        day = day_option(model.theatre, whole_map(model) if side is None else side)
        entry["day"], entry["drawn"] = option_json(day), state
    return entry["base"], entry["day"]


@solara.component
def Page() -> None:
    router = solara.use_router()
    query = {k: v[0] for k, v in parse_qs(router.search or "").items()}
    failure, clear = solara.use_exception()
    solara.Title(PAGE_TITLE)  # a room's page names its theatre (a deeper Title wins)
    with solara.Column(style={"padding": "8px 16px", "max-width": "1500px"}):
        try:
            classroom()
        except Exception as problem:  # the file's own problem, or a bug: the log says which
            log.error("%s", problem, exc_info=not isinstance(problem, ClassroomError))
            solara.Error(
                "This classroom server cannot serve its games' file; the teacher's terminal "
                "says why (wargame classroom)."
            )
            return
        if failure is not None:
            log.error("a classroom page failed", exc_info=failure)
            solara.Error("This page could not be drawn; its server's log says why.")
            solara.Button("Try again", on_click=clear)
        elif "seat" in query:
            TeamPage(query["seat"])
        elif "room" in query and "key" in query:
            UmpirePage(query["room"], query["key"])
        else:

            def go(params: dict[str, str]) -> None:
                router.push(f"{router.path or '/'}?{urlencode(params)}")

            Lobby(go, query.get("join", ""))


@solara.component
def Lobby(go, join_code: str = "") -> None:
    theatres = solara.use_memo(served_theatres, [])  # the name shown -> the theatre opened
    theatre = solara.use_reactive(next(iter(theatres)))
    seed = solara.use_reactive(7)
    turn_days = solara.use_reactive(7)
    turns = solara.use_reactive(10)
    minutes = solara.use_reactive(0.0)
    opened = theatres.get(theatre.value, theatre.value)
    first = solara.use_memo(lambda: theatre_factions(opened)[0], [])
    humans = solara.use_reactive(first[:TEAMS])  # the theatre's first factions, as it lists them
    code = solara.use_reactive(join_code)
    team = solara.use_reactive("")
    faction = solara.use_reactive("")
    error = solara.use_reactive("")
    exercise = solara.use_reactive(NO_EXERCISE)
    replay = solara.use_reactive(None)
    scenario = theatres.get(theatre.value, theatre.value)
    factions, unusable = solara.use_memo(lambda: theatre_factions(scenario), [scenario])

    def load_record(name: str, data: bytes) -> None:
        try:
            setup, turns = read_record(data, name)
        except Exception as problem:
            error.set(f"This game record cannot be replayed: {said(problem)}")
            return
        error.set("")
        replay.set((setup, turns))

    def pick(name: str) -> None:
        """Another theatre: teams play its first factions until the teacher picks others."""
        theatre.set(name)
        humans.set(theatre_factions(theatres.get(name, name))[0][:TEAMS])

    def choose_exercise(name: str) -> None:
        exercise.set(name)
        if name == NO_EXERCISE:
            return
        try:
            _, setup, _ = shipped_exercise(name)
        except Exception as problem:
            exercise.set(NO_EXERCISE)
            error.set(said(problem))
            return
        theatre.set(setup.theatre)
        seed.set(setup.seed)
        humans.set(list(setup.humans))
        turn_days.set(setup.turn_days)
        turns.set(setup.turns)

    def create() -> None:
        try:
            chosen = exercise.value != NO_EXERCISE
            if unusable:
                raise RoomError(unusable)
            setup = GameSetup(
                theatre=scenario,
                seed=seed.value,
                humans=[f for f in humans.value if f in factions],
                turn_days=turn_days.value,
                turns=turns.value,
                parameters=shipped_exercise(exercise.value)[1].parameters if chosen else {},
                exercise=exercise.value if chosen else None,
                turn_minutes=minutes.value or None,
            )
            room, key = classroom().create_room(setup)
        except Exception as problem:
            error.set(said(problem))
            return
        go({"room": room, "key": key})

    def join() -> None:
        try:
            seat = classroom().join(code.value.strip().upper(), team.value or "team", faction.value)
        except Exception as problem:
            error.set(said(problem))
            return
        go({"seat": seat.token})

    solara.HTML("h2", "wargame classroom")
    ErrorSlot(error.value)
    with solara.ColumnsResponsive(12, medium=4):  # the three cards stack on a phone
        with solara.Card("Teacher: create a room"):
            solara.Select(
                "Exercise",
                values=[NO_EXERCISE, *shipped_exercises()],
                value=exercise.value,
                on_value=choose_exercise,
            )
            solara.Select("Theatre", values=list(theatres), value=theatre.value, on_value=pick)
            ErrorSlot(unusable)
            solara.InputInt("Seed", value=seed)
            solara.SelectMultiple("Factions played by teams", values=humans, all_values=factions)
            solara.InputInt("Days per turn", value=turn_days)
            solara.InputInt("Turns", value=turns)
            solara.InputFloat("Minutes per turn (0: untimed)", value=minutes)
            solara.Button("Create room", on_click=create, color="primary")
        with solara.Card("Replay a game record"):
            solara.Text("Open a game record (JSON, from the umpire's page):")
            ipywidgets.FileUpload.element(
                accept=".json",
                multiple=False,
                on_value=lambda files: (
                    files and load_record(files[0]["name"], bytes(files[0]["content"]))
                ),
            )
            if replay.value is not None:
                RecordReplay(*replay.value)
        with solara.Card("Team: join a room"):
            solara.InputText("Join code", value=code, continuous_update=True)
            solara.InputText("Team name", value=team, continuous_update=True)
            free = []
            try:
                room = code.value.strip().upper()
                game = classroom().game(room)
                taken = classroom().taken(room)
                free = [f for f in game.setup.humans if f not in taken]
            except RoomError:
                pass
            solara.Select("Faction", values=free, value=faction)
            solara.Button("Join", on_click=join, color="primary", disabled=not free)


def shipped_exercise(name: str) -> tuple[ExerciseFile, GameSetup, Path]:
    """`load_exercise` of a name a page sent, which must be a shipped exercise's, not a path."""
    refused = refusal(PREFIX + name)
    if refused:
        raise RoomError(refused)
    return load_exercise(name)


def theatre_factions(scenario: str) -> tuple[list[str], str]:
    """The factions a room on `scenario` may give teams, or none and why: a theatre this
    server does not serve is refused before it is read."""
    refused = refusal(scenario)
    if refused:
        return [], refused
    try:
        return list(load_theatre(scenario).factions), ""
    except ScenarioError as problem:
        return [], str(problem)


def _status(game, deadline=None) -> str:
    waiting = ", ".join(game.waiting_for()) or "nobody"
    state = "game over" if game.finished else f"turn {game.turn + 1} of {game.setup.turns}"
    if deadline is not None and not game.finished:
        left = max(0, int((deadline - dt.datetime.now(dt.UTC)).total_seconds()))
        state += f", {left // 60}:{left % 60:02d} left"
    return (
        f"<h2>Day {game.model.day} &nbsp; {game.model.date:%d %B %Y} &nbsp; <small>{state}; "
        f"waiting for: {html.escape(waiting)}</small></h2>"
    )


def labels(names: dict[object, str]) -> dict[str, object]:
    """Each thing's label in a drop-down, to the thing: its name, with its id where two share
    one. A label a page sends that is not here names nothing this page offered."""
    counts = Counter(names.values())
    return {(name if counts[name] == 1 else f"{name} ({key})"): key for key, name in names.items()}


def unit_count(count: int) -> str:
    return f"{count} unit{'s' * (count != 1)}"


def units_html(view: SideView, faction: str, names: dict[str, str]) -> str:
    """The side's own units by place (or by the place the road leads them to), each group
    saying where its units are heading, opened for the units one by one: what a team orders
    from, and how it sees its last orders carried out."""
    by_id = {u.id: u for u in view.units}
    rows = []
    for stack in stacks(view.units, faction):
        units = [by_id[i] for i in stack.units]
        where = f"on the road to {names[stack.place]}" if stack.moving else names[stack.place]
        heading = {u.id: names[u.objective] for u in units if u.objective not in (None, u.place)}
        going = ", ".join(
            f"{count} heading for {name}" for name, count in Counter(heading.values()).items()
        )
        listed = "".join(
            f"<li><span class='wargame-unit'>{html.escape(u.name)}</span> ({u.strength:,}"
            + (f", heading for {html.escape(heading[u.id])}" if u.id in heading else "")
            + ")</li>"
            for u in units
        )
        rows.append(
            f"<li><details><summary><b>{html.escape(where)}</b>: {unit_count(len(units))}, "
            f"{sum(u.strength for u in units):,} soldiers{'; ' * bool(going)}"
            f"{html.escape(going)}</summary><ul>{listed}</ul></details></li>"
        )
    return "".join(rows) or "<li>No units left.</li>"


@solara.component
def TeamPage(token: str) -> None:
    use_refresh(lambda: classroom().seat(token).room)
    drawings = solara.use_memo(dict, [])
    drafted = solara.use_reactive((0, OrderDraft()))
    flags = solara.use_reactive({"recruits": True, "accepts_ceasefire": True, "calls_home": True})
    notice = solara.use_reactive((0, ""))
    rooms = classroom()
    try:
        seat = rooms.seat(token)
        status = rooms.status(seat.room)
        if status == "ended":  # the seat keeps a debrief
            Debrief(*rooms.debrief(token))
            return
        if status not in PLAYED:  # closed when idle: the umpire may reopen it, fog and all
            solara.Info(
                "This game was closed after a long time without play. Your umpire can reopen "
                "it; this page then shows it again."
            )
            return
        game = rooms.game(seat.room)
    except RoomError as problem:
        solara.Error(f"This seat cannot be found: {problem}")
        return
    with rooms.lock:  # the side's view is all read of the model, beside the map's places and roads
        model = game.model
        turn = game.turn
        view = side_view(model, game.knowledge[seat.faction])
        names = {p: model.place_name(p) for p in model.theatre.map.places}
        short_names = {f: faction.short_name for f, faction in model.factions.items()}
        side = side_map(view, model.theatre.map.places, short_names)
        drawn = map_data(drawings, (seat.room, seat.faction), model, side)
        status = _status(game, rooms.deadline(seat.room))
        sent = game.submitted.get(seat.faction)
        own = {u.id: u for u in view.units if u.faction == seat.faction}
        draft = drafted.value[1] if drafted.value[0] == turn else OrderDraft()
        origins = [own[u].place or own[u].transit.destination for u in draft.chosen if u in own]
        destinations = common_destinations(model, origins)
        faction = model.factions[seat.faction]
        charts = [option_json(o) for o in series_chart_options(view.series, [faction]).values()]
        offers = (
            f"{model.broker_name}'s ceasefire offers" if model.broker_name else "ceasefire offers"
        )
    unit_names = {u.id: f"{u.name} ({u.strength:,})" for u in own.values()}
    unit_labels = labels(unit_names)
    stack_at = {("to " if s.moving else "") + s.place: s for s in stacks(view.units, seat.faction)}
    groups = {  # "Laiza: 13 units"; two places of one name told apart by their ids
        label: stack_at[key].units
        for label, key in labels(
            {
                key: (f"on the road to {names[s.place]}" if s.moving else names[s.place])
                + f": {unit_count(len(s.units))}"
                for key, s in stack_at.items()
            }
        ).items()
    }
    goals = labels({p: names[p] for p in sorted(destinations, key=lambda p: (names[p], p))})
    shown = notice.value[1] if notice.value[0] == turn else ""

    def change(new: OrderDraft) -> None:
        drafted.set((turn, new))
        notice.set((turn, ""))

    def refuse(problem: str) -> None:
        notice.set((turn, f"Not taken: {problem}"))

    def choose(units: tuple[int, ...]) -> None:
        """A new group: its destination is kept only if every unit of it can go there."""
        kept = {u: own[u].place or own[u].transit.destination for u in units}
        with rooms.lock:  # another seat's orders may be running the turn on this model
            reach = common_destinations(model, kept.values())
        new = draft.choose(units)
        change(new if new.objective in reach else new.go_to(None))

    def choose_stack(label: str) -> None:
        if label not in groups:  # the page sent a group it was not offered
            refuse(f"no group {label!r} of yours")
            return
        choose(groups[label])

    def choose_units(chosen: list[str]) -> None:
        unknown = [label for label in chosen if label not in unit_labels]
        if unknown:
            refuse(f"no unit of yours called {unknown[0]!r}")
            return
        choose(tuple(unit_labels[label] for label in chosen))

    def go_to(label: str) -> None:
        if label != STAY and label not in goals:
            refuse(f"the chosen units have no road to {label!r}")
            return
        change(draft.go_to(None if label == STAY else goals[label]))

    def posture(value: str) -> None:
        if value not in POSTURES:  # the page sent a posture it was not offered
            refuse(f"no posture {value!r}")
            return
        change(draft.hold_as(Posture(value)))

    def submit() -> None:
        try:  # a group chosen on the map but not yet added goes with the rest
            rooms.submit(token, draft.add().turn_orders(**flags.value))
        except Exception as problem:
            notice.set((turn, f"Not sent: {said(problem)}"))
            return
        drafted.set((turn, OrderDraft()))
        notice.set((turn, ""))

    def click(place: str) -> None:
        """A place clicked on the map: the chosen units' destination, or the stack there."""
        if not place:  # the map's choice cleared, not a click
            return
        try:
            change(draft.click(place, stack_at.values(), destinations))
        except OrderError as problem:
            name = names.get(place)
            refuse(
                f"{name}: none of your units stand there, and the chosen ones have no road to it"
                if name
                else said(problem)
            )

    solara.Title(f"{seat.team}: {model.theatre.title} - {PAGE_TITLE}")
    solara.HTML("div", status)
    solara.HTML("div", f"<b>{html.escape(seat.team)}</b> commands the {html.escape(faction.name)}")
    with solara.ColumnsResponsive(12, medium=[7, 5]):  # stacked on a phone
        MapView(*drawn, selected=draft.objective or "", on_selected=click, height=MAP_HEIGHT)
        with solara.Column():
            solara.HTML("h3", f"Orders for turn {turn + 1}")
            ErrorSlot(shown)
            if game.finished:
                solara.Info(
                    "The game is over: every turn is played. When the umpire ends it, this "
                    "page becomes your debrief, with the whole game to replay."
                )
            elif sent is not None:
                lines = described(sent, own, names) or ["no unit was given an order"]
                solara.Success(
                    f"Orders sent for turn {turn + 1}: "
                    + "; ".join(lines)
                    + ". Every other unit holds. The turn runs when every team has sent theirs."
                )
            else:
                OrderForm(draft, groups, unit_labels, choose_stack, choose_units)
                solara.Select(
                    "Go to",
                    values=[STAY, *goals],
                    value=next((k for k, v in goals.items() if v == draft.objective), STAY),
                    on_value=go_to,
                    disabled=not draft.chosen,
                )
                solara.Select(
                    "Posture",
                    values=list(POSTURES),
                    value=draft.posture.value,
                    on_value=posture,
                )
                solara.Button(
                    "Add order", on_click=lambda: change(draft.add()), disabled=not draft.chosen
                )
                GivenOrders(draft, change, own, names)
                for flag, label in (
                    ("recruits", "Spend on recruits"),
                    ("accepts_ceasefire", f"Accept {offers}"),
                    ("calls_home", "Call the displaced home after a capture"),
                ):
                    solara.Checkbox(
                        label=label,
                        value=flags.value[flag],
                        on_value=lambda v, f=flag: flags.set({**flags.value, f: v}),
                    )
                solara.Button("Send orders", on_click=submit, color="primary")
            solara.HTML("h3", "Your units")
            solara.HTML("ul", units_html(view, seat.faction, names), classes=["wargame-units"])
            Injects(view.injects)
            solara.HTML("h3", "What your side has seen")
            items = "".join(
                f"<li>{html.escape(e.sentence)}</li>" for e in reversed(view.events[-40:])
            )
            solara.HTML("ul", items or "<li>Nothing yet.</li>", classes=["wargame-story"])
    with solara.ColumnsResponsive(12, medium=6, large=4):
        for option in charts:
            Chart(option, "300px")


@solara.component
def OrderForm(draft, groups, unit_labels, choose_stack, choose_units) -> None:
    """Which units the next order is for: a place's whole stack, or units picked by name."""
    chosen = set(draft.chosen)
    stack = next((label for label, units in groups.items() if set(units) == chosen), None)
    solara.Select("Units at", values=list(groups), value=stack, on_value=choose_stack)
    ipyvuetify.Select.element(  # small chips: a stack of 13 units in a few lines, not 13
        label="Units",
        v_model=[label for label, unit in unit_labels.items() if unit in chosen],
        on_v_model=choose_units,
        items=list(unit_labels),
        multiple=True,
        small_chips=True,
        deletable_chips=True,
    )


@solara.component
def GivenOrders(draft: OrderDraft, change, own: dict, names: dict) -> None:
    """The orders added so far, each with a button to take it back."""
    if not draft.given:
        solara.Text("No orders yet: units without one hold where they are.")
    for index, group in enumerate(draft.given):
        words = "; ".join(described(OrderDraft(given=(group,)).turn_orders(), own, names))
        with solara.Row(style={"align-items": "center"}, classes=["wargame-order"]):
            solara.Text(words)
            solara.Button("Remove", text=True, on_click=lambda i=index: change(draft.remove(i)))


@solara.component
def Injects(injects) -> None:
    """The umpire's injections that reached this side, newest first."""
    solara.HTML("h3", "From the umpire")
    items = "".join(f"<li>{html.escape(e.sentence)}</li>" for e in reversed(injects))
    solara.HTML("ul", items or "<li>Nothing yet.</li>", classes=["wargame-injects"])


@solara.component
def Debrief(seat: Seat, game: Game) -> None:
    """A seat's page once its game is over: read only, the whole game to replay.

    The fog lifts: a debrief is where a team sees what it could not see while it played.
    """
    with classroom().lock:
        model = game.model
        faction = model.factions[seat.faction].name
        view = side_view(model, game.knowledge[seat.faction])
        record = list(game.record)
        theatre = model.theatre.title
    solara.Title(f"{seat.team} debrief: {theatre} - {PAGE_TITLE}")
    solara.HTML(
        "h2",
        f"Debrief &nbsp; <small>the game is over: {len(record)} of {game.setup.turns} turns "
        f"played, to day "
        f"{model.day} ({model.date:%d %B %Y})</small>",
    )
    solara.HTML(
        "div",
        f"<b>{html.escape(seat.team)}</b> commanded the {html.escape(faction)}. This page is "
        "read only: the game takes no more orders. Replay it day by day, every side shown.",
    )
    with solara.ColumnsResponsive(12, medium=[7, 5]):  # stacked on a phone
        with solara.Column():
            RecordReplay(game.setup, record, game.model)
        with solara.Column():
            Injects(view.injects)
            solara.HTML("h3", "What your side saw")
            items = "".join(
                f"<li>{html.escape(e.sentence)}</li>" for e in reversed(view.events[-40:])
            )
            solara.HTML("ul", items or "<li>Nothing yet.</li>", classes=["wargame-story"])


@solara.component
def RecordReplay(setup: GameSetup, turns: list[dict], final: ConflictModel | None = None) -> None:
    """A played game, day by day. `final`: the game's model at its last day (an ended game
    no longer moves), shown as it is instead of replayed, so the debrief opens at once."""
    last = len(turns) * setup.turn_days
    day = solara.use_reactive(last)

    def at_day() -> ConflictModel:
        if final is not None and day.value == final.day == last:
            return final
        return replay_to_day(setup, turns, day.value)

    model = solara.use_memo(at_day, [day.value])
    drawings = solara.use_memo(dict, [])
    drawn = solara.use_memo(lambda: map_data(drawings, "record", model), [day.value])
    solara.SliderInt("Day", value=day, min=0, max=last, step=1)
    solara.HTML("div", f"<b class='wargame-shown'>Replaying day {model.day}</b>")
    MapView(*drawn, height=MAP_HEIGHT)
    items = "".join(f"<li>{html.escape(e.sentence)}</li>" for e in list(model.events)[-20:][::-1])
    solara.HTML("ul", items or "<li>Nothing yet.</li>", classes=["wargame-story"])


@solara.component
def UmpirePage(code: str, key: str) -> None:
    use_refresh(lambda: code)
    drawings = solara.use_memo(dict, [])
    replay_day = solara.use_reactive(-1)
    price = solara.use_reactive(50_000.0)
    commodity = solara.use_reactive("")
    message = solara.use_reactive("")
    rooms = classroom()
    try:
        game = rooms.umpire(code, key)
    except RoomError as problem:
        solara.Error(f"This room cannot be opened: {problem}")
        return

    def act(action) -> None:
        try:
            action()
            message.set("")
        except Exception as problem:
            message.set(said(problem))

    with rooms.lock:
        if 0 <= replay_day.value < game.model.day:
            model = replay_to_day(game.setup, game.record, replay_day.value)
            drawn = map_data(drawings, "replay", model)
        else:
            model = game.model
            drawn = map_data(drawings, code, model)
        status_now = rooms.status(code)
        status = _status(game, rooms.deadline(code) if status_now == "open" else None)
        seats = rooms.db.execute(
            "select faction, team from seats where room = ?", (code,)
        ).fetchall()
        events = [e.sentence for e in model.events][-40:]
        charts = [option_json(o) for o in chart_options(model).values()]
        record = json.dumps({"setup": game.setup.model_dump(), "turns": game.record}, indent=1)
        last_day = game.model.day
        title = f"Umpire: {game.model.theatre.title} - {PAGE_TITLE}"
        broker = game.model.broker_name
        commodities = {c.name: key for key, c in game.model.theatre.commodities.items()}
        pair = tuple(game.setup.humans[:2]) if len(game.setup.humans) >= 2 else None

    solara.Title(title)
    solara.HTML(
        "div", status + ("" if status_now == "open" else f"<p><b>Game {status_now}.</b></p>")
    )
    solara.HTML(
        "div",
        f"Join code <b style='font-size:1.6em;letter-spacing:.15em'>{code}</b> &nbsp; "
        f"link for the teams: <code>?join={code}</code> on this server &nbsp; teams: "
        + (", ".join(f"{html.escape(t)} ({f})" for f, t in seats) or "none yet"),
    )
    ErrorSlot(message.value)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button("Run the turn now", on_click=lambda: act(lambda: rooms.force_turn(code, key)))
        if broker:
            solara.Button(
                f"{broker} closes the border",
                on_click=lambda: act(
                    lambda: rooms.inject(code, key, Injection(kind="close_border"))
                ),
            )
        if pair:
            solara.Button(
                "Offer a ceasefire",
                on_click=lambda: act(
                    lambda: rooms.inject(code, key, Injection(kind="ceasefire", factions=pair))
                ),
            )
        if commodities:
            chosen = commodity.value if commodity.value in commodities else next(iter(commodities))
            solara.Select(
                "Commodity", values=list(commodities), value=chosen, on_value=commodity.set
            )
            solara.InputFloat(f"Price of {chosen}, US$/t", value=price)
            solara.Button(
                "Set the price",
                on_click=lambda: act(
                    lambda: rooms.inject(
                        code,
                        key,
                        Injection(kind="price", commodity=commodities[chosen], price=price.value),
                    )
                ),
            )
        if status_now == "open":
            solara.Button("Pause", on_click=lambda: act(lambda: rooms.pause(code, key)))
        elif status_now != "ended":
            solara.Button(
                "Resume" if status_now == "paused" else "Reopen",
                on_click=lambda: act(lambda: rooms.resume(code, key)),
            )
        solara.Button("End the game", on_click=lambda: act(lambda: rooms.end(code, key)))
        solara.FileDownload(record, f"game-{code}.json", label="Game record (JSON)")
    solara.SliderInt(
        "Replay: day (-1 = now)", value=replay_day, min=-1, max=max(last_day, 0), step=1
    )
    shown = f"Replaying day {model.day}" if model is not game.model else "Now"
    solara.HTML("div", f"<b class='wargame-shown'>{shown}</b>")
    with solara.ColumnsResponsive(12, medium=[7, 5]):  # stacked on a phone
        MapView(*drawn, height=MAP_HEIGHT)
        with solara.Column():
            items = "".join(f"<li>{html.escape(s)}</li>" for s in reversed(events))
            solara.HTML("ul", items or "<li>Nothing yet.</li>", classes=["wargame-story"])
            if game.setup.exercise:
                solara.HTML(
                    "details",
                    f"<summary>Exercise sheet</summary>{sheet_html(game.setup.exercise)}",
                )
    with solara.ColumnsResponsive(12, medium=6, large=4):
        for option in charts:
            Chart(option, "300px")
