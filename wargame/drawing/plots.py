"""A run's pictures as files: a still map and the viewer's charts, for `wargame run --map/--plots`.

Nothing here decides what a picture shows: the map is `map_figure`'s static
drawing (`draw_theatre`: the viewer's basemap, colours and symbols, its own
placing of the names), and each chart is drawn from the same content the
viewer's ECharts options are made from (`campaign_charts`), so a figure in a
paper matches what the class saw on screen. Figures are made with
`matplotlib.figure.Figure`, never pyplot, so no global state is touched and
no display is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from wargame.drawing.charts import (
    CEASEFIRE_COLOUR,
    CEASEFIRE_OPACITY,
    LEGEND_PER_ROW,
    Chart,
    campaign_charts,
)
from wargame.drawing.map_figure import draw_theatre
from wargame.files import StrPath, written_whole

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel

MAP_SUFFIXES = (".png", ".svg")
LINE_STYLES = {"solid": "-", "dashed": "--", "dotted": ":"}  # the viewer's style names
CHART_SIZE_INCHES = (8.0, 4.5)
CHART_DPI = 100


def chart_figure(chart: Chart) -> Figure:
    """`chart` as matplotlib draws it: step lines as the viewer's, ceasefires as yellow bands."""
    figure = Figure(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI, layout="constrained")
    ax = figure.add_subplot()
    for start, end in chart.ceasefires:
        ax.axvspan(start - 0.5, end + 0.5, color=CEASEFIRE_COLOUR, alpha=CEASEFIRE_OPACITY, lw=0)
    lone_day = "o" if len(chart.days) == 1 else None  # a step from one point draws nothing
    for line in chart.lines:
        ax.step(
            chart.days,
            line.values,
            where="post",  # a day's value holds until the next day's, as ECharts' step "end"
            color=line.colour,
            linestyle=LINE_STYLES[line.style],
            linewidth=1.6,
            marker=lone_day,
            label=line.label,
        )
    ax.set_title(chart.title, fontsize=11, loc="left")
    ax.set_xlabel("day")
    ax.set_xlim(0, chart.last_day_shown)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if chart.ceasefires:
        band = Patch(color=CEASEFIRE_COLOUR, alpha=CEASEFIRE_OPACITY)
        handles, labels = [*handles, band], [*labels, "ceasefire"]
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=LEGEND_PER_ROW, fontsize=8)
    return figure


def write_charts(model: ConflictModel, folder: StrPath) -> list[Path]:
    """Every chart of the viewer as `folder/<chart>.png` (the folder made if need be)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, chart in campaign_charts(model).items():
        path = folder / f"{name}.png"
        save_figure(chart_figure(chart), path)
        written.append(path)
    return written


def write_map(model: ConflictModel, path: StrPath) -> None:
    """The theatre as it stands today as a still map (`draw_theatre`), as .png or .svg."""
    path = Path(path)
    if path.suffix.lower() not in MAP_SUFFIXES:
        raise ValueError(f"{path}: expected a file ending in .png or .svg")
    save_figure(draw_theatre(model), path)


def save_figure(figure: Figure, path: StrPath) -> None:
    """Save the figure whole or not at all (`written_whole`)."""
    path = Path(path)
    with written_whole(path) as temporary, temporary.open("xb") as handle:
        figure.savefig(handle, format=path.suffix.lower().lstrip("."))
