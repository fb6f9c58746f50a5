"""The base of the page's two ECharts widgets, the charts and the map: the JavaScript
they share (loading ECharts from the package, letting it go) said once.

ipyvue builds a template's component from its script's data, hooks, watchers and
methods, ignoring Vue's `mixins`; what it does merge into every component is the
widget's `methods` trait, a JS object. So the shared methods live in
echarts_template.js, sent as that trait, and each .vue calls them from its hooks.
"""

from __future__ import annotations

from pathlib import Path

import ipyvuetify
import traitlets

SHARED_METHODS = (Path(__file__).parent / "echarts_template.js").read_text(encoding="utf-8")


class EChartsTemplate(ipyvuetify.VuetifyTemplate):
    """A template that draws with ECharts: `this.loadEcharts(then)` in its `mounted`,
    `this.release()` in its `beforeDestroy`, and `this.chart` (and `this.resizer`) set."""

    methods = traitlets.Unicode(SHARED_METHODS).tag(sync=True)
