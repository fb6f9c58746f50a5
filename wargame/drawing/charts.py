"""The campaign's daily charts: ground held, money, soldiers, civilians.

`campaign_charts` says what each chart shows (its title, lines and ceasefire
bands) once; the viewer turns that into ECharts options here, and
`wargame.drawing.plots` into matplotlib figures, so the browser and the files of
`wargame run --plots` cannot drift apart. The browser draws its charts itself
(ECharts ships in the package, wargame/_assets, so it works offline); Python
only builds the data, a few milliseconds a day, where a matplotlib figure of six
panels took 300 ms to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from wargame.engine.agents import Faction
    from wargame.engine.model import ConflictModel

REVENUE_SMOOTHING_DAYS = 7
LEGEND_PER_ROW = 3  # in a matplotlib figure's legend
LEGEND_TOP = 24  # px, under the title
LEGEND_ITEM_HEIGHT = 14
GRID_TOP = LEGEND_TOP + LEGEND_ITEM_HEIGHT + 30  # px: the legend's row and its padding clear
FEWEST_DAYS_SHOWN = 10  # a short run's day axis is not stretched over its few days
SOURCES = {"mines": "solid", "trade": "dashed", "external": "dotted", "allies": "dashed"}
SOLDIERS = {"strength": ("in play", "solid"), "killed": ("killed", "dashed")}
SOLDIERS["interned"] = ("interned", "dotted")
CIVILIANS = {  # Okabe-Ito colours the factions do not use
    "displaced": ("displaced", "#E69F00"),
    "refugees_abroad": ("refugees abroad", "#56B4E9"),
    "returned": ("returned", "#CC79A7"),
    "killed": ("killed", "#000000"),
}
CEASEFIRE_COLOUR = "#F0E442"  # Okabe-Ito yellow
CEASEFIRE_OPACITY = 0.45
HELD = (
    ("places_held", "Places held"),
    ("border_posts_held", "Border posts held"),
    ("mine_sites_held", "Mine sites held (uncontested)"),
)


@dataclass(frozen=True)
class ChartLine:
    """One line of a chart: a value per day, drawn `style` ("solid", "dashed" or "dotted")."""

    label: str
    values: np.ndarray
    colour: str
    style: str
    faction: str | None = None  # whose line it is


@dataclass(frozen=True)
class Chart:
    """What one chart shows, whoever draws it: lines over `days`, ceasefires as bands."""

    title: str
    days: np.ndarray
    lines: list[ChartLine]
    ceasefires: list[tuple[int, int]]

    @property
    def last_day_shown(self) -> int:
        return max(FEWEST_DAYS_SHOWN, int(self.days[-1]))


def campaign_charts(model: ConflictModel) -> dict[str, Chart]:
    """Every chart of the run so far, keyed by a short name, from its daily series."""
    return series_charts(model.series(), list(model.factions.values()))


def series_charts(frame: pd.DataFrame, factions: Sequence[Faction]) -> dict[str, Chart]:
    """The charts of `factions`' lines in a daily series, keyed by a short name; the civilians'
    chart too if the series has their columns. A chart draws nothing the series lacks."""
    days = frame["day"].to_numpy(dtype=float)
    bands = ceasefire_periods(frame)

    def values(column: pd.Series) -> np.ndarray:
        return column.to_numpy(dtype=float)

    charts: dict[str, Chart] = {}
    for measure, title in HELD:
        lines = [
            ChartLine(f.short_name, values(frame[f"{f.id}_{measure}"]), f.colour, "solid", f.id)
            for f in factions
        ]
        charts[measure] = Chart(title, days, lines, bands)
    revenue = []
    for f in factions:
        for source, style in SOURCES.items():
            daily = frame[f"{f.id}_income_{source}"].diff().fillna(0.0) / 1e6
            if (daily != 0).any():
                smooth = daily.rolling(REVENUE_SMOOTHING_DAYS, min_periods=1).mean().round(4)
                revenue.append(
                    ChartLine(f"{f.short_name} {source}", values(smooth), f.colour, style, f.id)
                )
    charts["revenue"] = Chart(
        f"Revenue, US$ m a day ({REVENUE_SMOOTHING_DAYS}-day mean)", days, revenue, bands
    )
    soldiers = [
        ChartLine(
            f"{f.short_name} {label}", values(frame[f"{f.id}_{measure}"]), f.colour, style, f.id
        )
        for f in factions
        for measure, (label, style) in SOLDIERS.items()
    ]
    charts["soldiers"] = Chart("Soldiers", days, soldiers, bands)
    if all(f"civilians_{measure}" in frame for measure in CIVILIANS):
        civilians = [
            ChartLine(label, values(frame[f"civilians_{measure}"]), colour, "solid")
            for measure, (label, colour) in CIVILIANS.items()
        ]
        charts["civilians"] = Chart("Civilians", days, civilians, bands)
    return charts


def chart_options(model: ConflictModel) -> dict[str, dict]:
    """One ECharts option per chart, keyed by a short name, from the run's daily series."""
    return {key: echarts_option(chart) for key, chart in campaign_charts(model).items()}


def echarts_option(chart: Chart) -> dict:
    """The ECharts option that draws `chart` in the browser."""
    series = [
        {
            "type": "line",
            "name": line.label,
            "data": np.column_stack((chart.days, line.values)).tolist(),
            "showSymbol": len(chart.days) == 1,  # day 0 alone: a dot, as a line needs two
            "step": "end",
            "color": line.colour,
            "lineStyle": {"type": line.style, "width": 2},
        }
        for line in chart.lines
    ]
    if series:
        red, green, blue = (int(CEASEFIRE_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
        series[0]["markArea"] = {
            "silent": True,
            "itemStyle": {"color": f"rgba({red}, {green}, {blue}, {CEASEFIRE_OPACITY})"},
            "data": [
                [{"xAxis": start - 0.5, "name": "ceasefire"}, {"xAxis": end + 0.5}]
                for start, end in chart.ceasefires
            ],
        }
    return {
        "animation": False,
        "title": {"text": chart.title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        # one row that pages, whatever the chart's width: eleven lines' names wrapped into
        # rows ran over the plot in a narrow column
        "legend": {
            "type": "scroll",
            "top": LEGEND_TOP,
            "itemGap": 8,
            "itemHeight": LEGEND_ITEM_HEIGHT,
            "textStyle": {"fontSize": 12},
        },
        "grid": {"left": 56, "right": 24, "top": GRID_TOP, "bottom": 44},
        "xAxis": {
            "type": "value",
            "name": "day",
            "nameLocation": "middle",  # under the axis: at its end it ran off a narrow chart
            "nameGap": 24,
            "min": 0,
            "max": chart.last_day_shown,
        },
        "yAxis": {"type": "value", "min": 0},
        "series": series,
        "graphic": [] if series else [nothing_yet(chart)],
    }


def nothing_yet(chart: Chart) -> dict:
    """The words an empty chart shows (revenue on day 0: nobody has been paid yet)."""
    return {
        "type": "text",
        "left": "center",
        "top": "middle",
        "style": {"text": f"Nothing yet on day {int(chart.days[-1])}", "fontSize": 13},
    }


def ceasefire_periods(frame: pd.DataFrame) -> list[tuple[int, int]]:
    """(first day, last day) of each spell with a ceasefire in force, from the daily series."""
    periods: list[tuple[int, int]] = []
    start = None
    for day, active in zip(frame["day"], frame["ceasefires_active"] > 0, strict=True):
        if active and start is None:
            start = int(day)
        if not active and start is not None:
            periods.append((start, int(day) - 1))
            start = None
    if start is not None:
        periods.append((start, int(frame["day"].iloc[-1])))
    return periods


def series_chart_options(frame: pd.DataFrame, factions: Sequence[Faction]) -> dict[str, dict]:
    """One ECharts option per chart of `series_charts`: a team's, from its side's own record."""
    return {key: echarts_option(chart) for key, chart in series_charts(frame, factions).items()}
