"""Helpers that read and drive the viewer's page as Solara renders it, without a browser."""

from __future__ import annotations

import html
import json
import re
import time

import ipyvuetify as v
import solara
import solara.widgets

from wargame.apps.viewer.chart_widget import ChartWidget, option_json
from wargame.apps.viewer.map_view import MapWidget


def render_page():
    from wargame.apps.viewer.page import Page

    _, rc = solara.render(Page(), handle_error=False)
    return rc


def page_text(rc) -> str:
    parts = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
    parts += [str(c) for w in rc.find(v.Html).widgets for c in w.children if isinstance(c, str)]
    parts += [w.children[0] for w in rc.find(v.Alert).widgets if w.children]
    return " ".join(parts)


def shown_day(rc) -> int:
    return int(re.search(r"Day (\d+)", page_text(rc)).group(1))


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def rc_button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, children=[label]).widget


def set_seed(rc, seed: int) -> None:
    field = rc.find(v.TextField, label="Seed").widget
    field.v_model = str(seed)
    field.fire_event("keyup.enter", None)


def choose(rc, label: str, value: str) -> None:
    rc.find(v.Select, label=label).widget.v_model = value


def open_folder(rc, folder) -> None:
    field = rc.find(v.TextField, label="Or open your own theatre folder").widget
    field.v_model = str(folder)
    field.fire_event("keyup.enter", None)  # the field reports its value on Enter


def show_panel(rc, name: str) -> None:
    from wargame.apps.viewer.app import PANELS

    toggle = next(w for w in rc.find(v.BtnToggle).widgets if len(w.children) == len(PANELS))
    toggle.v_model = PANELS.index(name)


def choose_place(rc, name_starts: str) -> None:
    select = rc.find(v.Select, label="Place").widget
    select.v_model = next(item for item in select.items if item.startswith(name_starts))


def sliders(rc) -> dict[str, v.Slider]:
    """The lever sliders by the text above each (its name, unit and value)."""
    labels = [
        html.unescape(w.unsafe_innerHTML)
        for w in rc.find(solara.widgets.HTML).widgets
        if "wargame-lever" in (w.attributes or {}).get("class", "")
    ]
    levers = [w for w in rc.find(v.Slider).widgets if not w.label]  # the look-back one has a label
    return dict(zip(labels, levers, strict=True))


def map_day(rc) -> dict:
    """The day's map data the page sends its map (`day_option`)."""
    (widget,) = rc.find(MapWidget).widgets
    return json.loads(widget.option)


def expected_map(scenario="kachin", seed: int = 7, days: int = 0) -> dict:
    """The day's map data a fresh page should send: the same run drawn in this process."""
    from wargame import ConflictModel
    from wargame.drawing.map_option import day_option
    from wargame.drawing.map_state import whole_map

    model = ConflictModel(scenario, rng=seed)
    model.run(days)
    return json.loads(option_json(day_option(model.theatre, whole_map(model))))


def charts(rc) -> list[dict]:
    return [json.loads(w.option) for w in rc.find(ChartWidget).widgets]


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
