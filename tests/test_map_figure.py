"""The map drawing: every place at its coordinates, filled by its holder; units on their roads."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from theatres import passive_model

from wargame import ConflictModel
from wargame.drawing.map_figure import (
    NEUTRAL,
    UNIT_AREA_PER_SOLDIER,
    TheatreMap,
    draw_theatre,
    unit_positions,
)


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
    assert len(draw_theatre(small).axes[0].texts) == len(named)  # a small theatre: all of them

    crowded = ConflictModel(synthetic_theatre(1000, 0, 1, civilian_groups=0), rng=1)
    ax = draw_theatre(crowded).axes[0]
    assert len(ax.texts) == MOST_LABELS
    labelled = {t.get_text() for t in ax.texts}
    places = crowded.theatre.map.places.values()
    biggest = sorted(places, key=lambda p: -p.population)[:10]  # bases and posts included
    assert {p.name for p in biggest if p.kind.value in ("base", "border_post")} <= labelled
    sizes = [c.get_sizes()[0] for c in place_markers(ax.figure).values()]
    small_sizes = [c.get_sizes()[0] for c in place_markers(draw_theatre(small)).values()]
    assert max(sizes) < min(small_sizes)


def test_a_small_theatre_names_every_place_but_the_sanctuaries():
    tiny = ConflictModel("tamsen_island", rng=1)
    names = {t.get_text() for t in draw_theatre(tiny).axes[0].texts}
    places = tiny.theatre.map.places.values()
    assert names == {p.name for p in places if p.kind.value != "sanctuary"}
    assert any(p.population < 20_000 and p.name in names for p in places)
