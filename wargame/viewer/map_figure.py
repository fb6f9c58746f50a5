"""The theatre drawn at its real longitude and latitude, for the viewer and for reports.

Mesa's network drawers lay nodes out by force and redraw the layout every
frame; a map must keep places where they are on the ground, so this draws
the graph itself with matplotlib: the border, roads by kind, places by kind
filled with their controller's colour, units sized by strength, units on the
road part-way along it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wargame.scenario import PlaceKind, RoadKind

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from wargame.model import ConflictModel

MARKERS = {
    PlaceKind.TOWN: "o",
    PlaceKind.BORDER_POST: "s",
    PlaceKind.MINE: "^",
    PlaceKind.BASE: "D",
    PlaceKind.SANCTUARY: "P",
}
ROAD_STYLE = {
    RoadKind.HIGHWAY: {"linewidth": 2.4, "linestyle": "-"},
    RoadKind.ROAD: {"linewidth": 1.4, "linestyle": "-"},
    RoadKind.TRACK: {"linewidth": 1.0, "linestyle": ":"},
}
NEUTRAL = "#BBBBBB"
CONTESTED_EDGE = "#CC0000"
UNIT_AREA_PER_SOLDIER = 0.25  # marker area in points^2 per soldier: a 500-strong unit ~ 125
LABELLED_POPULATION = 20_000


def draw_theatre(model: ConflictModel, ax: Axes | None = None) -> Figure:
    """Draw the model's theatre as it stands today; returns the figure drawn on."""
    if ax is None:
        figure = Figure(figsize=(8, 8), layout="constrained")
        ax = figure.add_subplot()
    figure = ax.figure
    theatre_map = model.theatre.map
    places = theatre_map.places
    if theatre_map.border:
        xs, ys = zip(*theatre_map.border, strict=True)
        ax.plot(xs, ys, color="#555555", linestyle="--", linewidth=1.2, zorder=1)
    for road in theatre_map.roads:
        xs, ys = zip(*road.geometry, strict=True)
        ax.plot(xs, ys, color="#8C7A5B", zorder=2, **ROAD_STYLE[road.kind])
    for kind, marker in MARKERS.items():
        chosen = [p for p in places.values() if p.kind is kind]
        if not chosen:
            continue
        fills, edges, widths = [], [], []
        for place in chosen:
            holder = model.controller.get(place.id)
            fills.append(model.factions[holder].colour if holder else NEUTRAL)
            contested = place.id in model.contested
            edges.append(CONTESTED_EDGE if contested else "#222222")
            widths.append(2.5 if contested else 0.8)
        ax.scatter(
            [p.lon for p in chosen],
            [p.lat for p in chosen],
            marker=marker,
            s=90,
            c=fills,
            edgecolors=edges,
            linewidths=widths,
            zorder=4,
            gid=f"places-{kind.value}",
        )
    for place in places.values():
        if place.kind in (PlaceKind.BASE, PlaceKind.BORDER_POST) or (
            place.population >= LABELLED_POPULATION
        ):
            ax.annotate(
                place.name.split(" (")[0],
                (place.lon, place.lat),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=6,
            )
    _draw_units(model, ax)
    _legend(model, ax)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{model.theatre.title} - day {model.day}, {model.date:%d %b %Y}", fontsize=10)
    return figure


def unit_positions(model: ConflictModel) -> list[tuple[float, float, float, str]]:
    """(lon, lat, strength, colour) of every unit; those on a road sit part-way along it."""
    places = model.theatre.map.places
    positions = []
    for unit in model.units:
        colour = model.factions[unit.faction].colour
        if unit.place is not None:
            here = places[unit.place]
            positions.append((here.lon, here.lat, unit.strength, colour))
            continue
        transit = unit.transit
        start, end = places[transit.origin], places[transit.destination]
        done = 1.0 - transit.km_left / transit.km_total
        positions.append(
            (
                start.lon + done * (end.lon - start.lon),
                start.lat + done * (end.lat - start.lat),
                unit.strength,
                colour,
            )
        )
    return positions


def _draw_units(model: ConflictModel, ax: Axes) -> None:
    positions = unit_positions(model)
    if not positions:
        return
    lons, lats, strengths, colours = zip(*positions, strict=True)
    ax.scatter(
        lons,
        lats,
        s=[UNIT_AREA_PER_SOLDIER * s for s in strengths],
        c=colours,
        alpha=0.55,
        edgecolors="black",
        linewidths=0.5,
        zorder=5,
        gid="units",
    )


def _legend(model: ConflictModel, ax: Axes) -> None:
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=f.colour,
            markeredgecolor="black",
            markersize=8,
            label=f"{f.short_name} ({f.interned:,.0f} interned)" if f.interned else f.short_name,
        )
        for f in model.factions.values()
    ]
    handles += [
        Line2D(
            [],
            [],
            marker=marker,
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=7,
            label=kind.value.replace("_", " "),
        )
        for kind, marker in MARKERS.items()
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=NEUTRAL,
            markeredgecolor=CONTESTED_EDGE,
            markeredgewidth=2.5,
            markersize=8,
            label="contested",
        )
    )
    handles.append(Line2D([], [], color="#555555", linestyle="--", label="border"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
