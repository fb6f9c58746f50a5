"""The map drawing: every place at its coordinates, filled by its holder; units on their roads."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from theatres import passive_model

from wargame import ConflictModel
from wargame.drawing.map_figure import UNIT_AREA_PER_SOLDIER, TheatreMap, draw_theatre
from wargame.drawing.map_state import NEUTRAL, unit_positions


def labels(ax, shown_only: bool = True) -> list:
    """The place names drawn on the map (not the scale bar's)."""
    named = [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]
    return [t for t in named if t.get_visible() or not shown_only]


def place_markers(figure):
    ax = figure.axes[0]
    return {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("places")}


def test_the_map_draws_one_symbol_per_place_at_its_coordinates():
    model = ConflictModel("kachin", rng=1)
    markers = place_markers(draw_theatre(model))
    drawn = {tuple(xy) for c in markers.values() for xy in c.get_offsets()}
    assert sum(len(c.get_offsets()) for c in markers.values()) == len(model.theatre.map.places)
    assert {(p.lon, p.lat) for p in model.theatre.map.places.values()} == drawn


def test_places_are_filled_with_their_holders_colour(theatre_dir):
    model = passive_model(theatre_dir())
    markers = place_markers(draw_theatre(model))
    towns = markers["places-town"]  # bravo, uncontrolled
    bases = markers["places-base"]  # alpha, red
    assert tuple(towns.get_facecolors()[0][:3]) == pytest.approx(
        tuple(int(NEUTRAL[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    red = model.factions["red"].colour
    assert tuple(bases.get_facecolors()[0][:3]) == pytest.approx(
        tuple(int(red[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )


def test_a_unit_on_the_road_is_drawn_part_way_along_it(theatre_dir):
    model = passive_model(
        theatre_dir(units=[{"faction": "red", "place": "alpha", "strength": 300}]),
        {"travel_friction": 0.0, "recruits_per_base_per_day": 0},
    )
    model.units[0].order_to("bravo")
    model.step()  # 40 of 80 km
    ((lon, lat, strength, _),) = unit_positions(model)
    assert lon == pytest.approx((97.0 + 97.3) / 2) and lat == pytest.approx(25.0)
    assert strength == 300


def pixel_at(drawing: TheatreMap, png: bytes, lon: float, lat: float) -> tuple[int, int, int]:
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    x, y = drawing.ax.transData.transform((lon, lat))
    return tuple(int(c) for c in image[image.shape[0] - round(y), round(x)])


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(round(c * 255) for c in to_rgb(colour))


def test_the_png_shows_each_place_without_units_in_its_holders_colour():
    model = ConflictModel("kachin", rng=1)
    drawing = TheatreMap(model)
    drawing.update(model)
    png = drawing.png()
    to_pixels = drawing.ax.transData.transform
    units = [  # (x, y, radius) in pixels of every unit's marker
        (*to_pixels((lon, lat)), (UNIT_AREA_PER_SOLDIER * s / np.pi) ** 0.5 * 100 / 72)
        for lon, lat, s, _ in unit_positions(model)
    ]
    checked = 0
    for place in model.theatre.map.places.values():
        x, y = to_pixels((place.lon, place.lat))
        if any(np.hypot(x - ux, y - uy) <= r + 2 for ux, uy, r in units):
            continue  # a unit's marker lies over it
        holder = model.controller.get(place.id)
        colour = model.factions[holder].colour if holder else NEUTRAL
        assert pixel_at(drawing, png, place.lon, place.lat) == pytest.approx(rgb(colour), abs=3)
        checked += 1
    assert checked >= 9  # of the 45 places, those no unit marker covers


def test_the_png_redraws_a_place_that_changed_hands(theatre_dir):
    model = passive_model(theatre_dir())
    drawing = TheatreMap(model)
    drawing.update(model)
    bravo = model.theatre.map.places["bravo"]
    assert pixel_at(drawing, drawing.png(), bravo.lon, bravo.lat) == pytest.approx(
        rgb(NEUTRAL), abs=3
    )
    model.set_holder("bravo", "red")
    drawing.update(model)
    assert pixel_at(drawing, drawing.png(), bravo.lon, bravo.lat) == pytest.approx(
        rgb(model.factions["red"].colour), abs=3
    )


def test_a_crowded_theatre_names_only_its_largest_places_with_smaller_markers():
    from wargame.drawing.map_figure import LABELLED_POPULATION, MOST_LABELS
    from wargame.scenario.synthetic import synthetic_theatre

    small = ConflictModel("kachin", rng=1)
    named = [
        p
        for p in small.theatre.map.places.values()
        if p.kind.value in ("base", "border_post") or p.population >= LABELLED_POPULATION
    ]
    assert len(labels(draw_theatre(small).axes[0])) == len(named)  # a small theatre: all of them

    crowded = ConflictModel(synthetic_theatre(1000, 0, 1, civilian_groups=0), rng=1)
    ax = draw_theatre(crowded).axes[0]
    assert len(labels(ax, shown_only=False)) == MOST_LABELS
    labelled = {t.get_text() for t in labels(ax, shown_only=False)}
    places = crowded.theatre.map.places.values()
    biggest = sorted(places, key=lambda p: -p.population)[:10]  # bases and posts included
    assert {p.name for p in biggest if p.kind.value in ("base", "border_post")} <= labelled
    sizes = [c.get_sizes()[0] for c in place_markers(ax.figure).values()]
    small_sizes = [c.get_sizes()[0] for c in place_markers(draw_theatre(small)).values()]
    assert max(sizes) < min(small_sizes)


def test_a_small_theatre_names_every_place_but_the_sanctuaries():
    tiny = ConflictModel("tamsen_island", rng=1)
    names = {t.get_text() for t in labels(draw_theatre(tiny).axes[0])}
    places = tiny.theatre.map.places.values()
    assert names == {p.name for p in places if p.kind.value != "sanctuary"}
    assert any(p.population < 20_000 and p.name in names for p in places)


def drawn_boxes(figure) -> tuple[list, list]:
    """(label, box in pixels) of every name shown, and every place symbol's centre in pixels,
    measured on the canvas as drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from wargame.drawing.map_figure import label_box

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = figure.axes[0]
    shown = [(t, label_box(t, renderer)) for t in labels(ax)]
    centres = [
        xy
        for c in place_markers(figure).values()
        for xy in c.get_offset_transform().transform(c.get_offsets())
    ]
    return shown, centres


@pytest.mark.parametrize("theatre", ["kachin", "rakhine"])
def test_no_two_names_overlap_and_none_covers_a_place(theatre):
    model = ConflictModel(theatre, rng=1)
    model.run(30)
    shown, centres = drawn_boxes(draw_theatre(model))
    assert len(shown) >= 15  # of the 20 each theatre names
    for number, (label, box) in enumerate(shown):
        for other, other_box in shown[number + 1 :]:
            assert not box.overlaps(other_box), f"{label.get_text()} on {other.get_text()}"
        covered = [xy for xy in centres if box.contains(*xy)]
        assert not covered, f"{label.get_text()} covers a place at {covered}"


def test_the_names_that_used_to_collide_are_all_shown():
    shown, _ = drawn_boxes(draw_theatre(ConflictModel("kachin", rng=1)))
    names = {label.get_text() for label, _ in shown}
    assert {"Kanpaiti", "Myitkyina", "Waingmaw", "Phimaw", "Nazun Bote"} <= names


def basemap_gids(figure) -> set[str]:
    return {
        c.get_gid() for c in figure.axes[0].collections if (c.get_gid() or "").startswith("basemap")
    }


def test_the_basemap_is_drawn_under_the_roads_when_the_theatre_has_one(theatre_dir):
    kachin = draw_theatre(ConflictModel("kachin", rng=1))
    assert {
        "basemap-land",
        "basemap-river",
        "basemap-border",
        "basemap-border-disputed",
    } <= basemap_gids(kachin)
    rakhine = draw_theatre(ConflictModel("rakhine", rng=1))
    assert {"basemap-ocean", "basemap-coast"} <= basemap_gids(rakhine)
    roads = [line.get_zorder() for line in kachin.axes[0].lines if line.get_gid() is None]
    assert max(
        c.get_zorder()
        for c in kachin.axes[0].collections
        if (c.get_gid() or "").startswith("basemap")
    ) < min(roads)
    assert basemap_gids(draw_theatre(passive_model(theatre_dir()))) == set()
    assert basemap_gids(draw_theatre(ConflictModel("tamsen_island", rng=1))) == set()


def test_the_sea_is_drawn_where_the_basemap_has_sea():
    model = ConflictModel("rakhine", rng=1)
    drawing = TheatreMap(model)
    drawing.update(model)
    png = drawing.png()
    from wargame.drawing.map_figure import BASEMAP_STYLE

    sea = rgb(BASEMAP_STYLE["ocean"]["facecolor"])
    land = rgb(BASEMAP_STYLE["land"]["facecolor"])
    assert pixel_at(drawing, png, 92.3, 18.0) == pytest.approx(sea, abs=3)  # Bay of Bengal
    assert pixel_at(drawing, png, 95.4, 19.5) == pytest.approx(land, abs=3)  # the Arakan Yoma


@pytest.mark.parametrize("theatre", ["kachin", "rakhine"])
def test_the_scale_bar_is_as_long_as_it_says(theatre):
    from wargame.scenario.map_rules import haversine_km

    model = ConflictModel(theatre, rng=1)
    drawing = TheatreMap(model)
    drawing.update(model)
    (bar,) = [line for line in drawing.ax.lines if line.get_gid() == "scale-bar"]
    (label,) = [t for t in drawing.ax.texts if t.get_gid() == "scale-bar-label"]
    km = float(label.get_text().removesuffix(" km"))
    (lon0, lon1), (lat0, lat1) = bar.get_data()
    assert lat0 == lat1
    assert haversine_km((lon0, lat0), (lon1, lat1)) == pytest.approx(km, rel=0.03)
    x0, x1 = drawing.ax.get_xlim()
    assert 0.1 < (lon1 - lon0) / (x1 - x0) < 0.3  # a fifth of the view, about
    assert x0 <= lon0 and lon1 <= x1


def test_units_never_hide_the_place_they_stand_at():
    model = ConflictModel("kachin", rng=1)
    drawing = TheatreMap(model)
    drawing.update(model)
    png = drawing.png()
    at = {(lon, lat) for lon, lat, _, _ in unit_positions(model)}
    places = model.theatre.map.places.values()
    pixels = {p.id: drawing.ax.transData.transform((p.lon, p.lat)) for p in places}
    alone = [  # no other place's symbol overlaps its own (Kanpaiti and Sadung nearly touch)
        p
        for p in places
        if all(np.hypot(*(pixels[p.id] - pixels[q.id])) > 15 for q in places if q != p)
    ]
    garrisoned = [p for p in alone if (p.lon, p.lat) in at]
    assert len(garrisoned) >= 10
    for place in garrisoned:
        holder = model.controller.get(place.id)
        colour = model.factions[holder].colour if holder else NEUTRAL
        assert pixel_at(drawing, png, place.lon, place.lat) == pytest.approx(rgb(colour), abs=3), (
            place.id
        )
