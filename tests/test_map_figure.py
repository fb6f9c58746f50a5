"""The map drawing: every place at its coordinates, filled by its holder; units on their roads."""

import pytest
from theatres import passive_model

from wargame import ConflictModel
from wargame.viewer.map_figure import NEUTRAL, draw_theatre, unit_positions


def place_markers(figure):
    ax = figure.axes[0]
    return {c.get_gid(): c for c in ax.collections if (c.get_gid() or "").startswith("places")}


def test_the_map_draws_one_symbol_per_place_at_its_coordinates():
    model = ConflictModel(rng=1)
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
    assert lon == pytest.approx((97.0 + 97.2) / 2) and lat == pytest.approx(25.0)
    assert strength == 300
