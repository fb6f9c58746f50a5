"""Helpers that read and drive the viewer's page as Solara renders it, without a browser."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ElementTree

import ipyvuetify as v
import ipywidgets
import solara
import solara.widgets

from wargame.viewer.chart_widget import ChartWidget

SVG = "{http://www.w3.org/2000/svg}"


def render_page():
    from wargame.viewer.app import Page

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


def choose(rc, label: str, value: str) -> None:
    rc.find(v.Select, label=label).widget.v_model = value


def open_folder(rc, folder) -> None:
    field = rc.find(v.TextField, label="Or open your own theatre folder").widget
    field.v_model = str(folder)
    field.fire_event("keyup.enter", None)  # the field reports its value on Enter


def show_panel(rc, name: str) -> None:
    from wargame.viewer.app import PANELS

    toggle = next(w for w in rc.find(v.BtnToggle).widgets if len(w.children) == len(PANELS))
    toggle.v_model = PANELS.index(name)


def choose_place(rc, name_starts: str) -> None:
    select = rc.find(v.Select, label="Place").widget
    select.v_model = next(item for item in select.items if item.startswith(name_starts))


def sliders(rc) -> dict[str, v.Slider]:
    return {w.label: w for w in rc.find(v.Slider).widgets}


def map_svg(rc) -> bytes:
    (image,) = rc.find(ipywidgets.Image).widgets
    assert image.format == "svg+xml"
    return image.value


def charts(rc) -> list[dict]:
    return [w.option for w in rc.find(ChartWidget).widgets]


def svg_place_symbols(svg: bytes) -> dict[str, int]:
    """How many symbols each `places-<kind>` group of the map's SVG draws (a use or a path each)."""
    root = ElementTree.fromstring(bytes(svg))
    return {
        group.get("id"): _symbols(group)
        for group in root.iter(f"{SVG}g")
        if (group.get("id") or "").startswith("places-")
    }


def _symbols(element) -> int:
    count = 0
    for child in element:
        if child.tag in (f"{SVG}use", f"{SVG}path"):
            count += 1
        elif child.tag != f"{SVG}defs":  # a marker's definition is not a symbol on the map
            count += _symbols(child)
    return count


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
