"""The score's pictures: the simulated runs drawn against the history's dates.

`timeline.png` has a row for every dated target (captures, events, holders),
earliest at the top: the target's window (its dates give or take its
tolerance) as a green band with the source's dates as diamonds, and the runs'
first day as a blue bar from the 5th to the 95th percentile with a dot at the
median. `counts.png` has a panel per counted measure: the runs' daily 5th to
95th percentile as a band with the median as a line, and each count target
as a black bar from `low` to `high` on its date (a dot at the source's figure).
Drawn with `matplotlib.figure.Figure`, never pyplot, and written whole or not
at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from wargame.analysis.history import INTERVAL, Scorecard, TargetResult
from wargame.files import StrPath, written_whole
from wargame.scenario.history import Count, Holder, Occurrence

WINDOW_COLOUR = "#009E73"
RUNS_COLOUR = "#0072B2"
NEVER_COLOUR = "#D55E00"
ROW_INCHES = 0.32
WIDTH_INCHES = 11.0
PANEL_INCHES = 3.0
DPI = 100


def write_pictures(card: Scorecard, folder: StrPath) -> list[Path]:
    """`timeline.png` (dated targets) and `counts.png` (count targets) in `folder`, as present."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    dated = [r for r in card.targets if not isinstance(r.target, Count)]
    if dated:
        path = folder / "timeline.png"
        save_figure(timeline_figure(card, dated), path)
        written.append(path)
    counted = [r for r in card.targets if isinstance(r.target, Count)]
    if counted:
        path = folder / "counts.png"
        save_figure(counts_figure(card, counted), path)
        written.append(path)
    return written


def save_figure(figure: Figure, path: StrPath) -> None:
    with written_whole(path) as temporary, temporary.open("xb") as handle:
        figure.savefig(handle, format="png")


def _date(start: dt.date, day: int) -> dt.date:
    return start + dt.timedelta(days=day)


def _axis_dates(ax, start: dt.date, days: int) -> None:
    margin = max(days // 50, 1)  # a target on the last day stays in sight
    ax.set_xlim(_date(start, -margin), _date(start, days + margin))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)


def timeline_figure(card: Scorecard, results: list[TargetResult]) -> Figure:
    start, days = card.history.start_date, card.history.days
    results = sorted(results, key=lambda r: (r.target.date, r.target.id))
    height = max(3.0, 1.6 + ROW_INCHES * len(results))
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    end = _date(start, days)
    for row, result in enumerate(results):
        target = result.target
        first = _date(start, max(target.first_day(start), 0))
        last = _date(start, min(target.last_day(start), days))
        refused = isinstance(target, Occurrence) and not target.happens
        ax.barh(row, (last - first).days + 1, left=first, height=0.7,
                color=NEVER_COLOUR if refused else WINDOW_COLOUR, alpha=0.25, lw=0)  # fmt: skip
        marks = sorted({target.date, target.end()})
        ax.plot(marks, [row] * len(marks), "D", color="black", ms=4)
        if isinstance(target, Holder):
            held = result.detail["holders"].get(target.holder, 0.0)
            ax.annotate(f"{target.holder} holds it in {held:.0%} of runs", (first, row),
                        xytext=(-6, -3), textcoords="offset points", fontsize=7, ha="right",
                        color=RUNS_COLOUR)  # fmt: skip
        else:
            _runs_bar(ax, row, result, start, end)
        ax.annotate(f"{result.score:.2f}", (1.0, row), xycoords=("axes fraction", "data"),
                    xytext=(4, -3), textcoords="offset points", fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(results)), [r.target.id for r in results], fontsize=8)
    ax.set_ylim(len(results) - 0.5, -0.5)
    _axis_dates(ax, start, days)
    ax.set_title(
        f"{card.theatre}: history (green: window, diamonds: the source's dates; orange: no such "
        f"event wanted) against {len(card.seeds)} runs (blue: {INTERVAL[0]:.0%}-{INTERVAL[1]:.0%}"
        f" of first days, dot: median). Right: score. Overall {card.score:.2f}",
        fontsize=9,
        loc="left",
        wrap=True,
    )
    return figure


def _runs_bar(ax, row: int, result: TargetResult, start: dt.date, end: dt.date) -> None:
    """The runs' first days: the interval as a bar (to the edge when some never saw it)."""
    low, high = result.interval
    if low is None:  # most runs never saw it
        ax.annotate(f"never in {1 - result.detail['happened']:.0%} of runs", (end, row),
                    xytext=(-4, -3), textcoords="offset points", fontsize=7, ha="right",
                    color=NEVER_COLOUR)  # fmt: skip
        return
    left = dt.date.fromisoformat(low)
    right = dt.date.fromisoformat(high) if high is not None else end
    ax.plot([left, right], [row, row], color=RUNS_COLOUR, lw=2.5, solid_capstyle="butt")
    if result.median is not None:
        ax.plot([dt.date.fromisoformat(result.median)], [row], "o", color=RUNS_COLOUR, ms=5)
    if high is None:
        ax.annotate(f"never in {1 - result.detail['happened']:.0%}", (end, row),
                    xytext=(-4, 4), textcoords="offset points", fontsize=7, ha="right",
                    color=NEVER_COLOUR)  # fmt: skip


def counts_figure(card: Scorecard, results: list[TargetResult]) -> Figure:
    start, days = card.history.start_date, card.history.days
    measures = sorted({r.target.measure for r in results})
    figure = Figure(
        figsize=(WIDTH_INCHES * 0.8, PANEL_INCHES * len(measures)), dpi=DPI, layout="constrained"
    )
    axes = figure.subplots(len(measures), 1, squeeze=False)[:, 0]
    dates = [_date(start, day) for day in range(days + 1)]
    for ax, measure in zip(axes, measures, strict=True):
        runs = np.array([record.series[measure] for record in card.records], dtype=float)
        low, median, high = np.quantile(runs, [INTERVAL[0], 0.5, INTERVAL[1]], axis=0)
        ax.fill_between(dates, low, high, color=RUNS_COLOUR, alpha=0.25, lw=0,
                        label=f"runs, {INTERVAL[0]:.0%}-{INTERVAL[1]:.0%}")  # fmt: skip
        ax.plot(dates, median, color=RUNS_COLOUR, lw=1.5, label="runs, median")
        for result in (r for r in results if r.target.measure == measure):
            target = result.target
            ax.plot([target.date, target.date], [target.low, target.high], color="black", lw=2)
            if target.value is not None:
                ax.plot([target.date], [target.value], "o", color="black", ms=4)
            # near the right edge the label goes left of the bar's foot, in sight and clear of
            # the labels of earlier targets above
            late = card.history.day_of(target.date) > 0.8 * days
            ax.annotate(f"{target.id} {result.score:.2f}",
                        (target.date, target.low if late else target.high),
                        xytext=(-3, -2) if late else (3, 2), textcoords="offset points",
                        fontsize=7, ha="right" if late else "left",
                        va="top" if late else "bottom")  # fmt: skip
        ax.set_title(measure, fontsize=10, loc="left")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _axis_dates(ax, start, days)
        ax.legend(fontsize=7, loc="upper left")
    figure.suptitle(
        f"{card.theatre}: counts against history (black: the target's range on its date, "
        "dot: the source's figure; label: score)",
        fontsize=9,
    )
    return figure
