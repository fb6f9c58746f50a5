"""The theatre as a still map at its real longitude and latitude, for `run --map` and time-lapses.

The viewer's and classroom's interactive map is drawn in the browser from
`map_option`; this one shares its basemap, colours and symbols, draws the same day's
`MapState` (`map_state`), but places its own names.

Mesa's network drawers lay nodes out by force and redraw the layout every
frame; a map must keep places where they are on the ground, so this draws
the graph itself with matplotlib. The basemap (land, sea, lakes, rivers, coast
and country borders, when the theatre has one), roads, labels, scale bar and
legend are kept as pixels, drawn again only when the legend's lines change;
each day only the places' fills and rings and the units are drawn over them
(blitting), which takes ~30-50 ms where
drawing the whole figure took ~200 ms as PNG or ~100 ms as SVG.

Labels are placed, not just written (`labels`): most important first (by kind
and size), each at the first of a few positions around its symbol where its
rendered text overlaps no other label, no place symbol and the scale bar, and
dropped where none fits. Units are drawn under the place symbols, so a stack of
them rings a place without hiding who holds it.
"""

from __future__ import annotations

import io
import itertools
import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox, ScaledTranslation
from PIL import Image

from wargame.drawing.labels import Box, claim, short_name
from wargame.drawing.map_state import NEUTRAL, UNKNOWN, MapState, whole_map
from wargame.scenario import PlaceKind, RoadKind
from wargame.scenario.map_rules import haversine_km

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.axes import Axes

    from wargame.engine.model import ConflictModel
    from wargame.scenario import Place
    from wargame.scenario.basemap import Basemap

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
CONTESTED_EDGE = "#CC0000"
UNIT_AREA_PER_SOLDIER = 0.25  # marker area in points^2 per soldier: a 500-strong unit ~ 125
LABELLED_POPULATION = 20_000
ALL_LABELLED_PLACES = 20  # a theatre this small names every place (a new one, a tutorial's)
MOST_LABELS = 60  # a generated theatre of thousands of places gets its largest named only
FULL_SIZE_PLACES = 100  # up to this many places, markers at full size; then smaller
PLACE_AREA = 110  # a place symbol's area in points^2 at full size
VIEW_PAD_DEGREES = 0.25  # map around the outermost places, room for their labels

LABEL_FONT = 10  # points: read on a laptop at the viewer's size
TITLE_FONT = 12
LEGEND_FONT = 9
LABEL_GAP = 2.5  # points between a symbol's edge and its label
LABEL_POSITIONS = (  # (x, y, ha, va) around a symbol, tried in turn: right first, as atlases do
    (1, 0, "left", "center"),
    (0.8, 0.8, "left", "bottom"),
    (0.8, -0.8, "left", "top"),
    (-1, 0, "right", "center"),
    (-0.8, 0.8, "right", "bottom"),
    (-0.8, -0.8, "right", "top"),
    (0, 1, "center", "bottom"),
    (0, -1, "center", "top"),
)
LABEL_REACH = (
    1.0,
    2.2,
    3.6,
    5.5,
)  # then farther out, past a neighbour's symbol, with a leader line
LABEL_WEIGHT = {  # people a kind of place counts as on top of its own, for label priority:
    PlaceKind.BASE: 100_000,  # a base or a crossing matters to the campaign as much as a city
    PlaceKind.BORDER_POST: 60_000,
    PlaceKind.MINE: 30_000,
    PlaceKind.TOWN: 0,
    PlaceKind.SANCTUARY: 0,
}
HALO = [patheffects.withStroke(linewidth=3, foreground="white")]  # text legible over lines

BASEMAP_STYLE = {  # restrained: pale fills, thin blue water, grey-violet borders
    "ocean": {"facecolor": "#D4E4EF", "edgecolor": "none", "zorder": 0.1},
    "land": {"facecolor": "#F2EFE8", "edgecolor": "none", "zorder": 0.2},
    "lake": {"facecolor": "#D4E4EF", "edgecolor": "#8FB2CF", "linewidth": 0.5, "zorder": 0.3},
    "river": {"color": "#8FB2CF", "linewidth": 1.1, "zorder": 0.4},
    "coast": {"color": "#7E9DB6", "linewidth": 0.8, "zorder": 0.5},
    "border": {"color": "#8A7A96", "linewidth": 1.4, "zorder": 0.6},
}
OFF_BASEMAP = "#E8E8E8"  # the axes beyond the basemap's box: no data there, not sea
DISPUTED = "disputed"  # in a border's Natural Earth `featurecla`: drawn dashed
DISPUTED_DASHES = (0, (4, 2.5))
SCALE_BAR_SHARE = 0.22  # of the view's width the scale bar spans, about
SCALE_BAR_STEPS = (1, 2, 5)  # its length is one of these times a power of ten km


class TheatreMap:
    """One theatre's map: the static layers drawn once, `update` redraws a day.

    `ax=None` makes a figure of its own; reports pass an axes of theirs.
    """

    def __init__(self, model: ConflictModel, ax: Axes | None = None) -> None:
        own_figure = ax is None
        if ax is None:
            ax = Figure(figsize=(8.4, 7.2), dpi=100).add_subplot()
            ax.figure.subplots_adjust(left=0.02, right=0.71, bottom=0.02, top=0.94)
        self.ax = ax
        self.figure: Figure = ax.figure
        theatre_map = model.theatre.map
        self._theatre_places = theatre_map.places
        self._places = {
            kind: [p for p in theatre_map.places.values() if p.kind is kind] for kind in MARKERS
        }
        self._places = {kind: chosen for kind, chosen in self._places.items() if chosen}
        self._colours = {f: to_rgba(faction.colour) for f, faction in model.factions.items()}
        basemap = model.theatre.basemap
        if basemap is not None:
            _draw_basemap(ax, basemap)
        if theatre_map.border and not (basemap and basemap.layer("border")):
            xs, ys = zip(*theatre_map.border, strict=True)
            ax.plot(xs, ys, color="#555555", linestyle="--", linewidth=1.2, zorder=1)
        for road in theatre_map.roads:
            xs, ys = zip(*road.geometry, strict=True)
            ax.plot(xs, ys, **({"color": ROAD_COLOUR, "zorder": 2} | ROAD_STYLE[road.kind]))
        crowding = max(1.0, len(theatre_map.places) / FULL_SIZE_PLACES)
        self._marker_area = max(PLACE_AREA / math.sqrt(crowding), 12)
        self._symbols = {
            kind: ax.scatter(
                [p.lon for p in chosen],
                [p.lat for p in chosen],
                marker=MARKERS[kind],
                s=self._marker_area,
                c=[NEUTRAL] * len(chosen),
                edgecolors="#222222",
                linewidths=0.8,
                zorder=4,
                gid=f"places-{kind.value}",
            )
            for kind, chosen in self._places.items()
        }
        self._labels = _make_labels(ax, _labelled(theatre_map.places.values()))
        self._leaders = LineCollection(
            [], colors="#555555", linewidths=0.7, zorder=3.8, gid="label-leaders"
        )
        ax.add_collection(self._leaders)
        # Units under the place symbols (zorder 3 < 4): a stack rings its place, whose holder
        # stays visible.
        self._units = ax.scatter(
            [], [], alpha=0.5, edgecolors="#333333", linewidths=0.6, zorder=3, gid="units"
        )
        self._interned = ax.scatter(  # over the sanctuary, which nobody holds
            [], [], marker="X", alpha=0.8, edgecolors="black", linewidths=0.5, zorder=5
        )
        self._interned.set_gid("interned")
        self._scale_bar, self._scale_label = _make_scale_bar(ax)
        self._legend = _legend(model, ax)
        self._own_figure = own_figure
        mean_lat = sum(p.lat for p in theatre_map.places.values()) / len(theatre_map.places)
        ax.set_aspect(1.0 / math.cos(math.radians(mean_lat)), adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        if basemap is not None:
            ax.set_facecolor(OFF_BASEMAP)
        lons = [p.lon for p in theatre_map.places.values()]
        lats = [p.lat for p in theatre_map.places.values()]
        pad = VIEW_PAD_DEGREES
        ax.set_xlim(min(lons) - pad, max(lons) + pad)
        ax.set_ylim(min(lats) - pad, max(lats) + pad)
        ax.set_title(model.theatre.title, fontsize=TITLE_FONT, loc="left")  # a long one runs right
        self._dynamic = [*self._symbols.values(), self._units, self._interned]
        self._background = None
        self._legend_lines: tuple[str, ...] | None = None
        self._lay_out()  # once: the view is always the whole theatre

    def update(self, model: ConflictModel) -> Figure:
        """Redraw today's whole theatre."""
        return self.draw(whole_map(model))

    def draw(self, state: MapState) -> Figure:
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
        if labels != self._legend_lines:  # the legend changed: redraw the background
            self._background, self._legend_lines = None, labels
        return self.figure

    def _lay_out(self) -> None:
        """The scale bar and the labels, measured as they will be drawn."""
        canvas = self.figure.canvas
        if not hasattr(canvas, "get_renderer"):
            canvas = FigureCanvasAgg(self.figure)
        renderer = canvas.get_renderer()
        self.ax.apply_aspect()  # the axes' final box: what data -> pixels depends on
        if self._own_figure:  # the legend beside the map, however narrow its aspect makes it
            box = self.ax.get_position()
            self._legend.set_bbox_to_anchor((box.x1 + 0.01, box.y1), self.figure.transFigure)
        self._draw_scale_bar()
        taken = [_extents(self._scale_bar.get_window_extent(renderer))]
        taken.append(_extents(self._scale_label.get_window_extent(renderer)))
        taken += self._symbol_boxes()
        frame = _extents(self.ax.get_window_extent(renderer))
        leaders = []
        for place_id in _by_importance(self._labels, self._theatre_places):
            label, place = self._labels[place_id], self._theatre_places[place_id]
            label.set_visible(True)  # a hidden text has no extent to measure
            reach = _place_label(label, self._label_offset(), taken, frame, renderer)
            label.set_visible(reach is not None)
            if reach is not None and reach > 1:
                leaders.append(self._leader(place, label.xyann))
        self._leaders.set_segments(leaders)

    def _leader(self, place: Place, anchor: tuple[float, float]) -> np.ndarray:
        """A line in data coordinates from the edge of a place's symbol to its label, which
        `anchor` (points from the place) says where it starts."""
        to_pixels = self.figure.dpi / 72
        centre = self.ax.transData.transform((place.lon, place.lat))
        reach = np.hypot(*anchor)
        start = (
            centre + np.asarray(anchor) / reach * (self._label_offset() - LABEL_GAP + 1) * to_pixels
        )
        end = centre + np.asarray(anchor) * to_pixels
        return self.ax.transData.inverted().transform([start, end])

    def _label_offset(self) -> float:
        """Points from a place's centre to its label's nearest edge: past the symbol."""
        return math.sqrt(self._marker_area) / 2 + LABEL_GAP

    def _symbol_boxes(self) -> list[Box]:
        """Each place symbol's box in pixels, a little larger: no label may cover one."""
        half = (math.sqrt(self._marker_area) / 2 + 1) * self.figure.dpi / 72
        points = [(p.lon, p.lat) for p in self._theatre_places.values()]
        centres = self.ax.transData.transform(points)
        return [(x - half, y - half, x + half, y + half) for x, y in centres]

    def _draw_scale_bar(self) -> None:
        """A bar of a round number of km in the view's lower left, measured along its parallel."""
        (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
        lon, lat = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
        km_per_degree = haversine_km((lon, lat), (lon + 1.0, lat))
        km = _round_km(SCALE_BAR_SHARE * (x1 - x0) * km_per_degree)
        end = lon + km / km_per_degree
        self._scale_bar.set_data([lon, end], [lat, lat])
        self._scale_label.set_position(((lon + end) / 2, lat))
        self._scale_label.set_text(f"{km:g} km")
        self._scale_label.set_transform(self.ax.transData + _points_up(self.figure, 4))

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


def _make_labels(ax: Axes, places: list[Place]) -> dict[str, Annotation]:
    """A name for each place, placed (and shown or not) by `TheatreMap._lay_out`."""
    return {
        place.id: ax.annotate(
            short_name(place),
            (place.lon, place.lat),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=LABEL_FONT,
            color="#1A1A1A",
            zorder=6,
            path_effects=HALO,
            gid=f"label-{place.id}",
        )
        for place in places
    }


def _make_scale_bar(ax: Axes) -> tuple[Line2D, Text]:
    """The scale bar and its "50 km", empty until `TheatreMap._draw_scale_bar` measures them."""
    (bar,) = ax.plot(
        [], [], color="#333333", linewidth=2.2, marker="|", markersize=7, markeredgewidth=1.5,
        solid_capstyle="butt", zorder=6, gid="scale-bar", path_effects=HALO,
    )  # fmt: skip
    label = ax.text(
        0, 0, "", ha="center", va="bottom", fontsize=LEGEND_FONT, zorder=6,
        path_effects=HALO, gid="scale-bar-label",
    )  # fmt: skip
    return bar, label


def _by_importance(labels: Mapping[str, object], places: Mapping[str, Place]) -> list[str]:
    """The labelled places, the one to label first first: by the people it counts as
    (LABEL_WEIGHT), then by name for a fixed order."""

    def importance(place_id: str) -> tuple:
        place = places[place_id]
        return (-(place.population + LABEL_WEIGHT[place.kind]), place.name)

    return sorted(labels, key=importance)


def _place_label(
    label: Annotation, offset: float, taken: list[Box], frame: Box, renderer
) -> float | None:
    """Move `label` to the first of LABEL_POSITIONS, nearest reach first, where it lies inside
    the axes and clear of every box in `taken` (`labels.claim`); its reach there, or None."""

    def spots():
        for reach, (x, y, ha, va) in itertools.product(LABEL_REACH, LABEL_POSITIONS):
            label.xyann = (x * offset * reach, y * offset * reach)
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            yield reach, _extents(label_box(label, renderer))

    return claim(spots(), taken, frame)


def label_box(label: Annotation, renderer) -> Bbox:
    """A label's text in pixels (an annotation's own extent would take in its point too)."""
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def _extents(box: Bbox) -> Box:
    return tuple(float(edge) for edge in box.extents)


def _round_km(km: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `km`."""
    power = 10 ** math.floor(math.log10(km))
    return max(step * power for step in SCALE_BAR_STEPS if step * power <= km)


def _points_up(figure: Figure, points: float) -> ScaledTranslation:
    return ScaledTranslation(0, points / 72, figure.dpi_scale_trans)


def _draw_basemap(ax: Axes, basemap: Basemap) -> None:
    """Land, sea and lakes filled, rivers, coast and borders stroked, bottom layer first; a
    disputed border dashed. Each layer is one collection, its gid `basemap-<layer>`."""
    from wargame.scenario.basemap import LAYERS

    for layer in LAYERS:
        features = basemap.layer(layer)
        if not features:
            continue
        style = BASEMAP_STYLE[layer]
        if layer in ("ocean", "land", "lake"):
            patches = [PathPatch(_area(f["geometry"])) for f in features]
            ax.add_collection(PatchCollection(patches, gid=f"basemap-{layer}", **style))
            continue
        disputed = [
            DISPUTED in str(f["properties"].get("featurecla", "")).lower() for f in features
        ]
        for dashed in (False, True):
            lines = [
                line
                for feature, is_disputed in zip(features, disputed, strict=True)
                if is_disputed == dashed
                for line in _lines(feature["geometry"])
            ]
            if lines:
                extra = {"linestyle": DISPUTED_DASHES} if dashed else {}
                gid = f"basemap-{layer}" + ("-disputed" if dashed else "")
                ax.add_collection(LineCollection(lines, gid=gid, **style, **extra))


def _lines(geometry: dict) -> list[np.ndarray]:
    coordinates = geometry["coordinates"]
    parts = coordinates if geometry["type"] == "MultiLineString" else [coordinates]
    return [np.asarray(part, dtype=float)[:, :2] for part in parts]


def _area(geometry: dict) -> Path:
    """A (Multi)Polygon as one path: outer rings anticlockwise, holes clockwise, so that
    matplotlib's non-zero fill leaves the holes (a lake's island) empty."""
    polygons = geometry["coordinates"]
    polygons = polygons if geometry["type"] == "MultiPolygon" else [polygons]
    vertices, codes = [], []
    for polygon in polygons:
        for number, ring in enumerate(polygon):
            points = np.asarray(ring, dtype=float)[:, :2]
            if (_signed_area(points) > 0) != (number == 0):
                points = points[::-1]
            vertices.append(points)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(points) - 2) + [Path.CLOSEPOLY]
    return Path(np.concatenate(vertices), codes)


def _signed_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


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
    ax.set_title(
        f"{model.theatre.title} - day {model.day}, {model.date:%d %b %Y}",
        fontsize=TITLE_FONT,
        loc="left",
    )
    return figure


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
    handles += _basemap_keys(model)
    # In the map's own figure, beside the axes' box as drawn (TheatreMap._lay_out): the space
    # right of the widest box is kept for it, so a square theatre cannot push it off the edge.
    return ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=LEGEND_FONT,
        framealpha=0.9,
    )


def _basemap_keys(model: ConflictModel) -> list[Line2D]:
    """The legend's lines for what the basemap draws: borders (disputed ones apart), rivers."""
    basemap = model.theatre.basemap
    if basemap is None or not basemap.layer("border"):
        border = [Line2D([], [], color="#555555", linestyle="--", label="border")]
        return border if model.theatre.map.border else []
    style = {"color": BASEMAP_STYLE["border"]["color"], "linewidth": 1.4}
    keys = [Line2D([], [], **style, label="international border")]
    featureclasses = [str(f["properties"].get("featurecla", "")) for f in basemap.layer("border")]
    if any(DISPUTED in featureclass.lower() for featureclass in featureclasses):
        keys.append(Line2D([], [], **style, linestyle=DISPUTED_DASHES, label="disputed border"))
    if basemap.layer("river"):
        keys.append(Line2D([], [], color=BASEMAP_STYLE["river"]["color"], label="river"))
    return keys
