"""A chart drawn by ECharts in the browser, from the option Python sends.

Solara's own `FigureEcharts` calls `setOption` on a chart that may not exist
yet (it loads ECharts asynchronously), which logs a console error whenever the
model steps while a page is still loading; this one waits. ECharts is served
by the Solara server from the package (wargame/_assets), so it works offline.

The option travels as one JSON string: as a dict of thousands of [day, value]
pairs, Solara's renderer and ipywidgets walked every pair each render looking
for widgets, which cost more than drawing the map.
"""

from __future__ import annotations

import json

import solara
import traitlets

from wargame.apps.viewer.echarts_template import EChartsTemplate


class ChartWidget(EChartsTemplate):
    template_file = (__file__, "chart.vue")
    option = traitlets.Unicode("{}").tag(sync=True)
    attributes = traitlets.Dict({}).tag(sync=True)


@solara.component
def Chart(option: str, height: str = "280px"):
    """`option` is the ECharts option as JSON (see `option_json`)."""
    return ChartWidget.element(option=option, attributes={"style": f"height: {height};"})


def option_json(option: dict) -> str:
    return json.dumps(option, separators=(",", ":"))
