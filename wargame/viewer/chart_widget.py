"""A chart drawn by ECharts in the browser, from the option Python sends.

Solara's own `FigureEcharts` calls `setOption` on a chart that may not exist
yet (it loads ECharts asynchronously), which logs a console error whenever the
model steps while a page is still loading; this one waits. ECharts is served
by the Solara server from solara-assets, so it works offline.
"""

from __future__ import annotations

import ipyvuetify
import solara
import traitlets


class ChartWidget(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "chart.vue")
    option = traitlets.Dict({}).tag(sync=True)
    attributes = traitlets.Dict({}).tag(sync=True)


@solara.component
def Chart(option: dict, height: str = "280px"):
    return ChartWidget.element(option=option, attributes={"style": f"height: {height};"})
