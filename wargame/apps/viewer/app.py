"""The viewer of one model: map, inspector, story, levers, charts and play controls.

`Viewer(model)` shows a `ConflictModel` built anywhere: by `wargame serve`'s page
(`wargame.apps.viewer.page`, which builds one per browser tab) or in a notebook.
Plain Solara layouts only: Mesa's SolaraViz grid stayed blank offline in headless
Chromium on these machines. The model is stepped by the Step button and by the
play thread; a per-run lock keeps a render from reading a model half-way through
a day. Play pauses when no browser is connected to the tab any more
(`page_presence`). Importing this module changes nothing outside it (the server's
own settings are made by the page), so a notebook may.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import solara

from wargame.analysis.fork import Change, replay, replayed
from wargame.apps.error_slot import ErrorSlot
from wargame.apps.viewer.chart_widget import Chart, option_json
from wargame.apps.viewer.event_log import EVERY, filter_events, kind_label
from wargame.apps.viewer.inspector import place_report, report_html
from wargame.apps.viewer.levers import Lever, levers
from wargame.apps.viewer.map_view import ZOOM_TO_PLACE, MapView, view_json
from wargame.apps.viewer.presence import page_presence
from wargame.apps.viewer.what_if import ForkRefused, WhatIf, checked_change
from wargame.drawing.charts import chart_options
from wargame.drawing.map_option import base_option, day_option
from wargame.drawing.map_state import whole_map
from wargame.engine import measures
from wargame.engine.events import EventKind
from wargame.engine.model import ConflictModel

SPEEDS = {"1 day a second": 1.0, "2 days a second": 0.5, "5 days a second": 0.2, "flat out": 0.0}
DEFAULT_SPEED = "2 days a second"
CHART_HEIGHT = "320px"
STORY_LINES = 60
PANELS = ("Place", "Story", "Levers", "Download")
MAP_HEIGHT = "640px"
KINDS = {EVERY: EVERY} | {kind_label(k): k.value for k in EventKind}
PAGE_TITLE = "wargame viewer"
PAGE_STYLE = {"padding": "8px 16px", "max-width": "1600px", "box-sizing": "border-box"}
CONTROLS_STYLE = {"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}
PAGE_CSS = """
.wargame-viewer { max-width: 100%; }
.wargame-viewer .v-btn-toggle { flex-wrap: wrap; max-width: 100%; }
@media (max-width: 600px) {
  .wargame-viewer h2 { font-size: 1.2rem; }
  .wargame-page, .wargame-viewer .col { padding-left: 4px; padding-right: 4px; }
}
"""
"""How the page fits any screen: on a phone the columns stack (`ColumnsResponsive`) and
a row of buttons wraps rather than runs past the edge."""
DRAWING_GIF = threading.Lock()
"""Held while a time-lapse is drawn: each replays a run and draws it with matplotlib (tens of
seconds for a year), which is not thread-safe; a second request waits its turn."""
log = logging.getLogger(__name__)


@dataclass(eq=False)
class Run:
    """The model a viewer plays, with the things drawn from it."""

    model: ConflictModel
    restart: Callable[[Mapping[str, object]], ConflictModel]
    """The same run from day 0 (same theatre, parameters, seed), with some parameters changed:
    how the page looks back (none changed) and resets (the levers moved)."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    base: str = ""
    """The map's base (`base_option`) as JSON: the same all the run."""
    drawn: threading.Event = field(default_factory=threading.Event)
    """Set when the page has rendered the latest day; play waits for it before the next."""
    changes: tuple[Change, ...] = ()
    """The what-if changes this run was forked with, each made on its day."""
    origin: Run | None = None
    """The tab's run this one was forked from (None: this is it)."""

    failure: str = ""
    """Why the run stopped: a day that raised is shown to this tab alone, and the run ends."""

    @classmethod
    def of(cls, model: ConflictModel) -> Run:
        return cls(model, restart_of(model), base=option_json(base_option(model.theatre)))

    def fresh(self) -> ConflictModel:
        """The same run from day 0."""
        return self.restart({})

    def step(self) -> None:
        with self.lock:
            if self.failure:
                return
            try:
                self.model.step()
            except Exception as error:  # one tab's broken run must not take the server down
                log.exception("a run failed on day %d", self.model.day + 1)
                self.failure = (
                    f"Day {self.model.day + 1} could not be played: {type(error).__name__}: "
                    f"{error}. Reset or choose another theatre to start again."
                )


def restart_of(model: ConflictModel) -> Callable[[Mapping[str, object]], ConflictModel]:
    """How to build `model`'s run again from day 0, with `changed` parameters on top.

    The theatre, parameters and seed are those `model` has when this is called: a user's
    model that was changed half-way (a what-if) replays as if it had had its present
    parameters from the start."""
    theatre, parameters, seed = model.theatre, dict(model.parameters), model.seed

    def restart(changed: Mapping[str, object]) -> ConflictModel:
        return ConflictModel(theatre, {**parameters, **changed}, rng=seed)

    return restart


def fork_of(run: Run, past: ConflictModel, name: str, value: str) -> Run:
    """`run` replayed to the day `past` shows, with `name` set to `value` from then on: a new
    run, whose look-back replays the same changes. ForkRefused when the page's request will
    not do (checked before any model is built)."""
    change = checked_change(past, run.model.day, past.day, name, value)
    changes = (*(c for c in run.changes if c.day <= past.day), change)
    model = replay(run.fresh, past.day, changes)
    return Run(
        model,
        run.restart,
        base=run.base,
        changes=changes,
        origin=run.origin or run,
    )


def change_words(run: Run) -> str:
    """The changes a forked run was made with, as the page says them."""
    parts = []
    for change in run.changes:
        for name, value in change.values.items():
            parts.append(f"{name} = {value} from day {change.day}")
    return "; ".join(parts)


@solara.component
def Viewer(model: ConflictModel) -> None:
    """The viewer of `model`: play controls, map, inspector, story, levers and charts.

    Steps `model` itself (Reset starts the same run again from day 0, with the levers
    moved), so a notebook that built a model sees it advance: `Viewer(model)` as the last
    line of a Jupyter cell. Each display has its own play controls; the run is stepped
    under a lock, so a render never reads a day half-played.
    """
    pending = solara.use_reactive({})  # lever values for the next reset
    resets = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    selected = solara.use_reactive("")
    # the model is not reactive: a state change after each step redraws the page
    day, set_day = solara.use_state(model.day)
    _, set_failure = solara.use_state("")
    first = solara.use_memo(lambda: Run.of(model), [model])
    original = solara.use_memo(
        lambda: first if resets.value == 0 else restarted(first, pending.value),
        [first, resets.value],
    )
    forked, set_forked = solara.use_state(None)  # a what-if run forked from the original
    solara.use_effect(lambda: set_forked(None), [original])  # a new original drops it
    run = forked if forked is not None and forked.origin is original else original

    present = page_presence()

    def play(cancel: threading.Event) -> None:
        # one day at a time, and the next only once the page has drawn this one: no queue
        while playing.value and not run.failure and not cancel.is_set():
            if not present():  # the tab was closed or lost: pause, as the Pause button does
                playing.set(False)
                return
            started = time.perf_counter()
            run.drawn.clear()
            run.step()
            set_day(run.model.day)
            if run.failure:
                set_failure(run.failure)
                playing.set(False)
            while not (run.drawn.wait(0.05) or cancel.is_set()):
                pass
            cancel.wait(max(SPEEDS[speed.value] - (time.perf_counter() - started), 0.01))

    solara.use_thread(play, dependencies=[playing.value, run], intrusive_cancel=False)

    def step() -> None:
        run.step()
        set_day(run.model.day)
        set_failure(run.failure)  # a failed day leaves the day as it was: redraw anyway

    def reset() -> None:
        playing.set(False)
        resets.set(resets.value + 1)
        set_day(0)

    def switch(to: Run | None) -> None:
        """Play a forked run in this tab (None: the original again, where it was)."""
        playing.set(False)
        set_forked(to)
        set_day((to or original).model.day)

    solara.Title(f"{model.theatre.title} - {PAGE_TITLE}")
    solara.Style(PAGE_CSS)
    with solara.Column(gap="0px", classes=["wargame-viewer"]):
        with solara.Row(style=CONTROLS_STYLE):
            solara.Button(
                "Step one day",
                on_click=step,
                color="primary",
                disabled=playing.value or bool(run.failure),
            )
            solara.Button(
                "Pause" if playing.value else "Play",
                on_click=lambda: playing.set(not playing.value),
                color="success",
                disabled=bool(run.failure),
            )
            solara.Select("Speed", values=list(SPEEDS), value=speed, style={"max-width": "170px"})
            solara.Button("Reset", on_click=reset)
        ErrorSlot(run.failure)
        View(run, day, selected, pending, switch)


def restarted(run: Run, changed: Mapping[str, object]) -> Run:
    """`run` from day 0 with the levers' `changed` values (they stay inside their bounds)."""
    return Run.of(run.restart(changed))


@solara.component
def View(
    run: Run,
    day: int,
    selected: solara.Reactive[str],
    pending: solara.Reactive[dict],
    switch: Callable[[Run | None], None],
):
    """Everything drawn from the model; it is read here, once a render, under the run's lock.

    `switch` makes the tab play a forked run, or its original again (None)."""
    moves, set_moves = solara.use_state((0, None))  # (serial, place to zoom to or None)
    panel = solara.use_reactive(PANELS[0])
    faction = solara.use_reactive(EVERY)
    kind = solara.use_reactive(EVERY)
    back = solara.use_reactive(-1)  # a day to look back at; -1: today
    looking = 0 <= back.value < day

    def look_back() -> tuple[ConflictModel] | None:
        """The same run replayed to the day looked back at (the run is deterministic), with
        the what-if changes it was forked with, each on its day."""
        if not looking:
            return None
        past = replay(run.fresh, back.value, run.changes)
        return (past,)

    past = solara.use_memo(look_back, [run, back.value if looking else -1])

    def fork(name: str, value: str) -> str:
        """Fork the run on the day looked back at; "" when done, else why not."""
        try:
            with run.lock:  # the day it has reached, not one half-played
                new = fork_of(run, past[0], name, value)
        except ForkRefused as error:
            return str(error)
        except Exception as error:  # a bug, not the user's request: say so, log the rest
            log.exception("a fork on day %d failed", past[0].day)
            return f"The fork could not be made: {type(error).__name__}: {error}"
        back.set(-1)
        switch(new)
        return ""

    def to_original() -> None:
        back.set(-1)
        switch(None)

    def draw() -> str:
        with run.lock:
            model = past[0] if past else run.model
            return option_json(day_option(model.theatre, whole_map(model), selected.value or None))

    map_day = solara.use_memo(draw, [run, day, selected.value, past])

    def chart_data() -> list[str]:
        with run.lock:
            model = past[0] if past else run.model
            return [option_json(option) for option in chart_options(model).values()]

    options = solara.use_memo(chart_data, [run, day, past])  # not again for a click on a panel
    solara.use_effect(run.drawn.set, [run, day])
    with run.lock:
        model = past[0] if past else run.model
        heading = (
            f"<h2>Day {model.day} &nbsp; {model.date:%d %B %Y} &nbsp; "
            f"<small>{html.escape(model.theatre.title)}"
            f"{f' (looking back; today is day {run.model.day})' if past else ''}</small></h2>"
        )
        places = sorted(model.theatre.map.places.values(), key=lambda p: p.name)
        zoomed = model.theatre.map.places.get(moves[1] or "")
        zoom_centre = (zoomed.lon, zoomed.lat) if zoomed else None
        place_ids = {p.name: p.id for p in places}
        report = report_html(place_report(model, selected.value)) if selected.value else ""
        factions = {EVERY: EVERY} | {f.short_name: f.id for f in model.factions.values()}
        events = filter_events(
            model.events, factions[faction.value], KINDS[kind.value], limit=STORY_LINES
        )
        now = run.model
        offered = levers(now.theatre)
        running = {lever.parameter: lever.value(now) for lever in offered}
        so_far = f"The run so far: {now.day + 1} days of series, {len(now.events)} events."
        stem = f"{now.theatre.name}-seed{now.seed}"
        if run.changes:
            stem += f"-fork-day{run.changes[-1].day}"
            origin_day = run.origin.model.day

    solara.HTML("div", heading)
    if run.changes:
        with solara.Row(style={"align-items": "center", "gap": "12px"}):
            solara.Info(
                f"What if: {change_words(run)}. This tab now plays the forked run, from the "
                f"day of the fork on; the run it was forked from is kept at day {origin_day}."
            )
            solara.Button("Back to the original run", on_click=to_original)
    # side by side from a laptop's width on; stacked, map first, on a tablet or a phone
    with solara.ColumnsResponsive(12, medium=[7, 5]):
        with solara.Column():
            MapView(
                run.base,
                map_day,
                selected=selected.value,
                on_selected=lambda place: selected.set(
                    place if place in run.model.theatre.map.places else ""
                ),  # a page may send any id: only the theatre's places are chosen
                view=view_json(moves[0], zoom_centre, ZOOM_TO_PLACE),
                height=MAP_HEIGHT,
            )
            with solara.Row(style={"gap": "8px", "flex-wrap": "wrap"}):
                solara.Button(
                    "Whole theatre", on_click=lambda: set_moves((moves[0] + 1, None)), text=True
                )
                solara.Button(
                    "Zoom to the chosen place",
                    on_click=lambda: set_moves((moves[0] + 1, selected.value)),
                    disabled=not selected.value,
                    text=True,
                )
            solara.SliderInt(
                "Look back to day (-1: today)", value=back, min=-1, max=max(day, 0), step=1
            )
            if past:
                WhatIf(past[0], fork)
        with solara.Column():
            solara.ToggleButtonsSingle(value=panel, values=list(PANELS))
            if panel.value == "Place":
                name = next((n for n, pid in place_ids.items() if pid == selected.value), None)
                solara.Select(
                    "Place",
                    values=list(place_ids),
                    value=name,
                    on_value=lambda name: selected.set(place_ids.get(name, "")),
                )
                if report:
                    solara.HTML("div", report)
                else:
                    solara.Text(
                        "Choose a place to see who holds it, who is there and what happened."
                    )
            elif panel.value == "Story":
                with solara.Row():
                    solara.Select("Faction", values=list(factions), value=faction)
                    solara.Select("Kind", values=list(KINDS), value=kind)
                solara.Text(f"The newest {STORY_LINES} that match; Download has them all.")
                items = "".join(f"<li>{html.escape(event.sentence)}</li>" for event in events)
                solara.HTML(
                    "ul",
                    items or "<li>Nothing yet.</li>",
                    style={"max-height": "560px", "overflow-y": "auto"},
                    classes=["wargame-story"],
                )
            elif panel.value == "Levers":
                Levers(offered, running, pending)
            else:
                solara.Text(so_far)
                solara.FileDownload(
                    csv_of(run, lambda model: model.series()),
                    f"{stem}-series.csv",
                    label="Daily series (CSV)",
                )
                solara.FileDownload(
                    csv_of(run, measures.events_frame),
                    f"{stem}-events.csv",
                    label="Event log (CSV)",
                )
                solara.FileDownload(
                    gif_of(run), f"{stem}-timelapse.gif", label="Time-lapse of the run so far (GIF)"
                )
    with solara.ColumnsResponsive(12, medium=6, large=4):
        for option in options:
            Chart(option, CHART_HEIGHT)


@solara.component
def Levers(
    offered: tuple[Lever, ...], running: dict[str, float | None], pending: solara.Reactive[dict]
):
    solara.Text("Move a lever, then press Reset to start a run with it.")
    for lever in offered:
        now = running[lever.parameter]
        if now is None:  # nothing in this theatre for it to move
            continue
        value = pending.value.get(lever.parameter, now)
        changed = f", <b>{value:g} after reset</b>" if value != now else ""
        solara.HTML(
            "div",
            f"{html.escape(lever.label)} ({html.escape(lever.unit)}): running {now:g}{changed}",
            classes=["wargame-lever"],
        )
        solara.SliderFloat(
            "",
            value=value,
            min=lever.low,
            max=lever.high,
            step=lever.step,
            on_value=lambda v, p=lever.parameter: pending.set({**pending.value, p: v}),
        )


def csv_of(run: Run, frame_of) -> Callable[[], bytes]:
    """The download's data, made when the user clicks: the run as it stands then."""

    def data() -> bytes:
        with run.lock:
            return frame_of(run.model).to_csv(index=False).encode()

    return data


def gif_of(run: Run) -> Callable[[], bytes]:
    """The time-lapse of the run so far, made when the user clicks (in Solara's download
    thread): the run replayed from day 0 beside it, so play goes on while it is drawn."""

    def data() -> bytes:
        # here: matplotlib, which draws it, costs every server's start about a second
        from wargame.drawing.timelapse import timelapse_gif

        with run.lock:
            day = run.model.day
        with DRAWING_GIF:  # one at a time on the server, however many tabs ask
            return timelapse_gif(replayed(run.fresh, day, run.changes), day)

    return data
