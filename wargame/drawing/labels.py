"""Where a place's name goes on a map, and what it says: the rule the static map, the
browser's map and the time-lapse share.

A name is put at the first of a few spots beside its place's symbol, tried in turn,
whose box lies inside the picture and overlaps nothing already there (names placed
before it, symbols, a scale bar). Each map names its places most important first, so
a lesser name gives way to a greater one. What each tries and how it measures is its
own: the static map (`map_figure`) measures matplotlib's text at eight positions and
four reaches, the browser's map (`map_option`) estimates a name's size on four sides
for ECharts, the time-lapse (`timelapse`) measures Pillow's text beside a captured
place's ring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wargame.scenario import Place

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in pixels, x0 <= x1 and y0 <= y1, whichever way the picture's y runs."""


def short_name(place: Place) -> str:
    """A place's name without its other spelling: 'Tanai (Danai)' is labelled 'Tanai'."""
    return place.name.split(" (")[0]


def claim[Spot](
    spots: Iterable[tuple[Spot, Box]], taken: list[Box], frame: Box | None = None
) -> Spot | None:
    """The first of `spots` (each a spot and its name's box there) whose box lies inside
    `frame` (if given) and overlaps no box in `taken`, which gains that box; None if none
    does. `spots` is read only as far as the spot chosen, so a name moved to each spot to
    measure it is left at that one."""
    for spot, box in spots:
        if (frame is None or inside(box, frame)) and not any(overlap(box, t) for t in taken):
            taken.append(box)
            return spot
    return None


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share any area (touching edges do not)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: Box, frame: Box) -> bool:
    """Whether `box` lies wholly within `frame` (its edges may touch)."""
    return frame[0] <= box[0] and frame[1] <= box[1] and box[2] <= frame[2] and box[3] <= frame[3]
