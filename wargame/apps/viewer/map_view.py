"""The theatre's interactive map in the page: ECharts' SVG renderer, from `map_option`.

Names are SVG text, so a find-in-page or a screen reader reads them. The
campaign's base (land, water, roads) is sent when the theatre changes; each day
only `day_option`'s layers, which ECharts merges by series id, so the user's
zoom and pan survive the daily update. A click on a place sets `selected`, which
the page reads as its chosen place (and sets, to ring the place chosen elsewhere).
ECharts is served from the package (wargame/_assets): nothing from the internet.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import solara
import traitlets

from wargame.apps.viewer.echarts_template import EChartsTemplate

ZOOM_TO_PLACE = 5.0  # times the whole theatre's scale: a place and its neighbours


class MapWidget(EChartsTemplate):
    template_file = (__file__, "map.vue")
    base = traitlets.Unicode("{}").tag(sync=True)
    """`base_option` as JSON: drawn afresh (and the view reset) when it changes."""
    option = traitlets.Unicode("{}").tag(sync=True)
    """`day_option` as JSON: merged into what is drawn, keeping the view."""
    selected = traitlets.Unicode("").tag(sync=True)
    """The chosen place's id: set by a click on a place, or by the page."""
    view = traitlets.Unicode("{}").tag(sync=True)
    """{"serial": n, "center": [lon, lat] | null, "zoom": z}: a new serial moves the view
    there (center null: the whole theatre)."""
    attributes = traitlets.Dict({}).tag(sync=True)


@solara.component
def MapView(
    base: str,
    option: str,
    selected: str = "",
    on_selected: Callable[[str], None] | None = None,
    view: str = "{}",
    height: str = "640px",
):
    """The map: `base` and `option` are `base_option` and `day_option` as JSON
    (`option_json`); `on_selected` hears a click on a place (its id)."""
    return MapWidget.element(
        base=base,
        option=option,
        selected=selected,
        on_selected=on_selected,
        view=view,
        attributes={"style": f"height: {height}; width: 100%;"},
    )


def view_json(serial: int, center: tuple[float, float] | None, zoom: float = 1.0) -> str:
    """A move of the map's view: to `center` at `zoom`, or the whole theatre (None)."""
    return json.dumps({"serial": serial, "center": center and list(center), "zoom": zoom})
