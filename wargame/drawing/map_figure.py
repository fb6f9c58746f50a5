"""The theatre drawn at its real longitude and latitude, for the viewer and for reports.

Mesa's network drawers lay nodes out by force and redraw the layout every
frame; a map must keep places where they are on the ground, so this draws
the graph itself with matplotlib. The border, roads, labels and legend are
drawn once per theatre and kept as pixels; each day only the places' fills
and rings, the units and the selection are drawn over them (blitting), which
takes ~50 ms where drawing the whole figure took ~200 ms as PNG or ~100 ms as
SVG (and the browser then spent as long again rendering the SVG).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from wargame.scenario import PlaceKind, RoadKind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.axes import Axes

    from wargame.engine.agents import Transit
    from wargame.engine.model import ConflictModel
    from wargame.scenario import Place

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
    RoadKind.RIVER: {"linewidth": 1.4, "linestyle": "--", "color": "#4A7FB5"},
    RoadKind.SEA: {"linewidth": 1.0, "linestyle": (0, (1, 3)), "color": "#4A7FB5"},
}
ROAD_COLOUR = "#8C7A5B"  # a land road's; boat routes carry their own
NEUTRAL = "#BBBBBB"
UNKNOWN = "#F2F2F2"  # a place out of a side's sight
CONTESTED_EDGE = "#CC0000"
SELECTED_EDGE = "#000000"
UNIT_AREA_PER_SOLDIER = 0.25  # marker area in points^2 per soldier: a 500-strong unit ~ 125
LABELLED_POPULATION = 20_000
ALL_LABELLED_PLACES = 20  # a theatre this small names every place (a new one, a tutorial's)
MOST_LABELS = 60  # a generated theatre of thousands of places gets its largest named only
FULL_SIZE_PLACES = 100  # up to this many places, markers at full size; then smaller
ZOOM_DEGREES = 0.6  # half-width of the view around a selected place


@dataclass(frozen=True)
class MapState:
    """All a day's map draws: the whole theatre's state (`whole_map`), or what one side knows
    of it (`wargame.apps.classroom.fog.side_map`). The drawing reads nothing else of the day, so a
    side's map cannot show more than the state it was given."""

    holders: Mapping[str, str | None]
    """The holder of each place drawn (None: nobody); a place not in it is drawn unknown."""
    contested: frozenset[str]
    units: tuple[tuple[float, float, float, str], ...]
    """(lon, lat, strength, faction) of each unit drawn."""
    interned: tuple[tuple[str, str, float], ...]
    """(sanctuary, faction, soldiers) of each group of interned soldiers drawn."""
    labels: tuple[str, ...]
    """The legend's line for each faction, in the theatre's order."""
    unit_ways: tuple[tuple[str, str, str | None, float], ...] = ()
    """(name, place or road's origin, road's destination or None, share of the road covered)
    of each unit, in `units`' order: what the browser's map says of a unit, and where along
    the road's bends it puts one (empty: `units` alone, named by faction)."""
    hostile: frozenset[tuple[str, str]] | None = None
    """The pairs of factions at war, both ways round, that the front is drawn between
    (None: any two holders)."""


def whole_map(model: ConflictModel) -> MapState:
    """The theatre as it stands today, everything in it: the map of the viewer and the umpire."""
    return MapState(
        holders={p: model.controller.get(p) for p in model.theatre.map.places},
        contested=frozenset(model.contested),
        units=tuple(unit_positions(model)),
        interned=tuple((s, f, n) for (s, f), n in sorted(model.interned_at.items())),
        labels=tuple(faction_label(f.short_name, f.interned) for f in model.factions.values()),
        unit_ways=tuple(unit_way(unit) for unit in model.units),
        hostile=frozenset(
            pair
            for a, f in model.factions.items()
            for b in model.factions
            if f.is_hostile(b)
            for pair in ((a, b), (b, a))
        ),
    )


def unit_way(unit) -> tuple[str, str, str | None, float]:
    """(name, place or road's origin, road's destination or None, share of the road covered)
    of a unit, or of a side's `SeenUnit` (anything with a name, place and transit)."""
    if unit.transit is None:
        return unit.name, unit.place, None, 0.0
    transit = unit.transit
    return unit.name, transit.origin, transit.destination, 1.0 - transit.km_left / transit.km_total


class TheatreMap:
    """One theatre's map: the static layers drawn once, `update` redraws a day.

    `ax=None` makes a figure of its own; reports pass an axes of theirs.
    """

    def __init__(self, model: ConflictModel, ax: Axes | None = None) -> None:
        if ax is None:
            ax = Figure(figsize=(8.4, 7.2), dpi=100).add_subplot()
            ax.figure.subplots_adjust(left=0.08, right=0.74, bottom=0.07, top=0.95)
        self.ax = ax
        self.figure: Figure = ax.figure
        theatre_map = model.theatre.map
        self._theatre_places = theatre_map.places
        self._places = {
            kind: [p for p in theatre_map.places.values() if p.kind is kind] for kind in MARKERS
        }
        self._places = {kind: chosen for kind, chosen in self._places.items() if chosen}
        self._colours = {f: to_rgba(faction.colour) for f, faction in model.factions.items()}
        if theatre_map.border:
            xs, ys = zip(*theatre_map.border, strict=True)
            ax.plot(xs, ys, color="#555555", linestyle="--", linewidth=1.2, zorder=1)
        for road in theatre_map.roads:
            xs, ys = zip(*road.geometry, strict=True)
            ax.plot(xs, ys, **({"color": ROAD_COLOUR, "zorder": 2} | ROAD_STYLE[road.kind]))
        crowding = max(1.0, len(theatre_map.places) / FULL_SIZE_PLACES)
        self._symbols = {
            kind: ax.scatter(
                [p.lon for p in chosen],
                [p.lat for p in chosen],
                marker=MARKERS[kind],
                s=max(90 / math.sqrt(crowding), 12),
                c=[NEUTRAL] * len(chosen),
                edgecolors="#222222",
                linewidths=0.8,
                zorder=4,
                gid=f"places-{kind.value}",
            )
            for kind, chosen in self._places.items()
        }
        for place in _labelled(theatre_map.places.values()):
            ax.annotate(
                place.name.split(" (")[0],
                (place.lon, place.lat),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=8,
                zorder=6,
            )
        self._units = ax.scatter(
            [], [], alpha=0.55, edgecolors="black", linewidths=0.5, zorder=5, gid="units"
        )
        self._interned = ax.scatter(
            [], [], marker="X", alpha=0.8, edgecolors="black", linewidths=0.5, zorder=5
        )
        self._interned.set_gid("interned")
        (self._selected,) = ax.plot(
            [], [], marker="o", markersize=22, markerfacecolor="none", markeredgewidth=2.5,
            markeredgecolor=SELECTED_EDGE, linestyle="", zorder=7, gid="selected",
        )  # fmt: skip
        self._legend = _legend(model, ax)
        mean_lat = sum(p.lat for p in theatre_map.places.values()) / len(theatre_map.places)
        ax.set_aspect(1.0 / math.cos(math.radians(mean_lat)), adjustable="box")
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        lons = [p.lon for p in theatre_map.places.values()]
        lats = [p.lat for p in theatre_map.places.values()]
        pad = 0.1
        self._whole = (min(lons) - pad, max(lons) + pad, min(lats) - pad, max(lats) + pad)
        ax.set_title(model.theatre.title, fontsize=10)
        self._dynamic = [*self._symbols.values(), self._units, self._interned, self._selected]
        self._background = None
        self._background_key: tuple = ()

    def update(
        self, model: ConflictModel, selected: str | None = None, zoom: bool = False
    ) -> Figure:
        """Redraw today's whole theatre; `selected` rings a place, `zoom` centres the view on it."""
        return self.draw(whole_map(model), selected, zoom)

    def draw(self, state: MapState, selected: str | None = None, zoom: bool = False) -> Figure:
        """Redraw the day `state` describes, and nothing else of it: places not in its holders
        are drawn unknown, units and interned soldiers not in it not at all."""
        for kind, chosen in self._places.items():
            fills, edges, widths = [], [], []
            for place in chosen:
                if place.id not in state.holders:
                    fills.append(to_rgba(UNKNOWN))
                    edges.append("#999999")
                    widths.append(0.8)
                    continue
                holder = state.holders[place.id]
                fills.append(self._colours[holder] if holder else to_rgba(NEUTRAL))
                contested = place.id in state.contested
                edges.append(CONTESTED_EDGE if contested else "#222222")
                widths.append(2.5 if contested else 0.8)
            symbols = self._symbols[kind]
            symbols.set_facecolors(fills)
            symbols.set_edgecolors(edges)
            symbols.set_linewidths(widths)
        units = state.units
        self._units.set_offsets(np.array([u[:2] for u in units]).reshape(-1, 2))
        self._units.set_sizes([UNIT_AREA_PER_SOLDIER * u[2] for u in units])
        self._units.set_facecolors([self._colours[u[3]] for u in units])
        places = self._theatre_places
        interned = [(places[s], f, n) for s, f, n in state.interned]
        self._interned.set_offsets(
            np.array([(p.lon, p.lat) for p, _, _ in interned]).reshape(-1, 2)
        )
        self._interned.set_sizes([UNIT_AREA_PER_SOLDIER * n for _, _, n in interned])
        self._interned.set_facecolors([self._colours[f] for _, f, _ in interned])
        labels = state.labels
        for text, label in zip(self._legend.get_texts(), labels, strict=False):
            text.set_text(label)
        here = places.get(selected) if selected else None
        self._selected.set_data([here.lon] if here else [], [here.lat] if here else [])
        if zoom and here:
            x0, x1 = here.lon - ZOOM_DEGREES, here.lon + ZOOM_DEGREES
            y0, y1 = here.lat - ZOOM_DEGREES, here.lat + ZOOM_DEGREES
        else:
            x0, x1, y0, y1 = self._whole
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        key = (x0, x1, y0, y1, labels)
        if key != self._background_key:  # the view or the legend changed: redraw the rest
            self._background, self._background_key = None, key
        return self.figure

    def png(self) -> bytes:
        """Today's map as PNG: the kept background, today's layers drawn over it."""
        canvas = self.figure.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(self.figure)
        if self._background is None:
            for artist in self._dynamic:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            for artist in self._dynamic:
                artist.set_visible(True)
        canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.figure.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def _labelled(places) -> list:
    """Every home place of a small theatre; else bases, border posts and towns of 20,000 or
    more, the largest `MOST_LABELS` of them."""
    home = [p for p in places if p.kind is not PlaceKind.SANCTUARY]
    if len(home) <= ALL_LABELLED_PLACES:
        return home
    named = [
        p
        for p in places
        if p.kind in (PlaceKind.BASE, PlaceKind.BORDER_POST) or p.population >= LABELLED_POPULATION
    ]
    if len(named) <= MOST_LABELS:
        return named
    return sorted(named, key=lambda p: (-p.population, p.id))[:MOST_LABELS]


def draw_theatre(model: ConflictModel, ax: Axes | None = None) -> Figure:
    """Draw the model's theatre as it stands today; returns the figure drawn on."""
    figure = TheatreMap(model, ax).update(model)
    ax = ax or figure.axes[0]
    ax.set_title(f"{model.theatre.title} - day {model.day}, {model.date:%d %b %Y}", fontsize=10)
    return figure


def unit_positions(model: ConflictModel) -> list[tuple[float, float, float, str]]:
    """(lon, lat, strength, faction) of every unit; on a road, part-way along it."""
    places = model.theatre.map.places
    return [
        (*ground_point(places, unit.place, unit.transit), unit.strength, unit.faction)
        for unit in model.units
    ]


def ground_point(
    places: Mapping[str, Place], place: str | None, transit: Transit | None
) -> tuple[float, float]:
    """(lon, lat) of a unit at `place`, or of one on the road, as far along it as it has come."""
    if place is not None:
        return places[place].lon, places[place].lat
    start, end = places[transit.origin], places[transit.destination]
    done = 1.0 - transit.km_left / transit.km_total
    return start.lon + done * (end.lon - start.lon), start.lat + done * (end.lat - start.lat)


def faction_label(short_name: str, interned: float) -> str:
    """A faction's line in the legend: its name, and its interned soldiers if any."""
    if interned:
        return f"{short_name} ({interned:,.0f} interned)"
    return short_name


def _legend(model: ConflictModel, ax: Axes):
    def key(label: str, **style) -> Line2D:
        return Line2D([], [], linestyle="", markeredgecolor="black", label=label, **style)

    handles = [  # names only: each day's state gives the lines (`TheatreMap.draw`)
        key(f.short_name, marker="o", markerfacecolor=f.colour, markersize=8)
        for f in model.factions.values()
    ]
    handles += [
        key(kind.value.replace("_", " "), marker=marker, markerfacecolor="white", markersize=7)
        for kind, marker in MARKERS.items()
    ]
    handles.append(
        Line2D(
            [], [], marker="o", linestyle="", markerfacecolor=NEUTRAL, markersize=8,
            markeredgecolor=CONTESTED_EDGE, markeredgewidth=2.5, label="contested",
        )
    )  # fmt: skip
    handles.append(key("interned, by sanctuary", marker="X", markerfacecolor=NEUTRAL, markersize=8))
    handles.append(Line2D([], [], color="#555555", linestyle="--", label="border"))
    return ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, framealpha=0.9
    )
