"""The campaign's daily charts as ECharts options: ground held, money, soldiers, civilians.

The browser draws them (ECharts ships with solara-assets, so it works
offline); Python only builds the data, a few milliseconds a day, where a
matplotlib figure of six panels took 300 ms to render. Ceasefires are bands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wargame import observation

if TYPE_CHECKING:
    from wargame.model import ConflictModel

REVENUE_SMOOTHING_DAYS = 7
LEGEND_PER_ROW = 3
SOURCES = {"mines": "solid", "trade": "dashed", "external": "dotted", "allies": "dashed"}
SOLDIERS = {"strength": ("in play", "solid"), "killed": ("killed", "dashed")}
SOLDIERS["interned"] = ("interned", "dotted")
CIVILIANS = {  # Okabe-Ito colours the factions do not use
    "displaced": ("displaced", "#E69F00"),
    "refugees_abroad": ("refugees abroad", "#56B4E9"),
    "returned": ("returned", "#CC79A7"),
    "killed": ("killed", "#000000"),
}
CEASEFIRE_BAND = "rgba(240, 228, 66, 0.45)"  # Okabe-Ito yellow
HELD = (
    ("places_held", "Places held"),
    ("border_posts_held", "Border posts held"),
    ("mine_sites_held", "Mine sites held (uncontested)"),
)


def chart_options(model: ConflictModel) -> dict[str, dict]:
    """One ECharts option per chart, keyed by a short name, from the run's daily series."""
    frame = observation.series(model)
    days = frame["day"].to_numpy(dtype=float)
    bands = ceasefire_periods(frame)
    factions = model.factions.values()
    charts: dict[str, dict] = {}
    for measure, title in HELD:
        charts[measure] = _chart(
            title,
            days,
            bands,
            [(f.short_name, frame[f"{f.id}_{measure}"], f.colour, "solid") for f in factions],
        )
    revenue = []
    for f in factions:
        for source, style in SOURCES.items():
            daily = frame[f"{f.id}_income_{source}"].diff().fillna(0.0) / 1e6
            if (daily != 0).any():
                smooth = daily.rolling(REVENUE_SMOOTHING_DAYS, min_periods=1).mean().round(4)
                revenue.append((f"{f.short_name} {source}", smooth, f.colour, style))
    charts["revenue"] = _chart(
        f"Revenue, US$ m a day ({REVENUE_SMOOTHING_DAYS}-day mean)", days, bands, revenue
    )
    charts["soldiers"] = _chart(
        "Soldiers",
        days,
        bands,
        [
            (f"{f.short_name} {label}", frame[f"{f.id}_{measure}"], f.colour, style)
            for f in factions
            for measure, (label, style) in SOLDIERS.items()
        ],
    )
    charts["civilians"] = _chart(
        "Civilians",
        days,
        bands,
        [
            (label, frame[f"civilians_{measure}"], colour, "solid")
            for measure, (label, colour) in CIVILIANS.items()
        ],
    )
    return charts


def _chart(
    title: str,
    days: np.ndarray,
    bands: list[tuple[int, int]],
    lines: list[tuple[str, pd.Series, str, str]],
) -> dict:
    series = [
        {
            "type": "line",
            "name": name,
            "data": np.column_stack((days, values.to_numpy(dtype=float))).tolist(),
            "showSymbol": False,
            "step": "end",
            "color": colour,
            "lineStyle": {"type": style, "width": 2},
        }
        for name, values, colour, style in lines
    ]
    if series:
        series[0]["markArea"] = {
            "silent": True,
            "itemStyle": {"color": CEASEFIRE_BAND},
            "data": [
                [{"xAxis": start - 0.5, "name": "ceasefire"}, {"xAxis": end + 0.5}]
                for start, end in bands
            ],
        }
    legend_rows = -(-len(series) // LEGEND_PER_ROW)
    return {
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24, "itemGap": 8, "textStyle": {"fontSize": 12}},
        "grid": {"left": 56, "right": 16, "top": 44 + 22 * legend_rows, "bottom": 32},
        "xAxis": {"type": "value", "name": "day", "min": 0, "max": max(10, int(days[-1]))},
        "yAxis": {"type": "value", "min": 0},
        "series": series,
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


def side_chart_options(model: ConflictModel, faction: str) -> dict[str, dict]:
    """The charts a team may see: its own side's lines only, no theatre-wide civilian counts."""
    name = model.factions[faction].short_name
    own: dict[str, dict] = {}
    for key, option in chart_options(model).items():
        if key == "civilians":
            continue
        series = [s for s in option["series"] if s["name"].split(" ")[0] == name]
        if series and "markArea" not in series[0] and "markArea" in option["series"][0]:
            series[0] = {**series[0], "markArea": option["series"][0]["markArea"]}
        own[key] = {**option, "series": series}
    return own
