"""The shipped Kachin theatre holds what the foundation issue asked of it."""

import pytest

from wargame.scenario import PlaceKind, load_theatre
from wargame.scenario.map_rules import haversine_km


@pytest.fixture(scope="module")
def kachin():
    return load_theatre("kachin")


REQUIRED = [
    "myitkyina",
    "waingmaw",
    "bhamo",
    "laiza",
    "chipwi",
    "pangwa",
    "kanpaiti",
    "sadung",
    "lweje",
    "hpakant",
    "muse",
]


def test_the_named_places_are_on_the_map(kachin):
    assert set(REQUIRED) <= set(kachin.map.places)
    home = [p for p in kachin.map.places.values() if p.kind is not PlaceKind.SANCTUARY]
    assert len(home) >= 30


def test_places_sit_near_their_real_coordinates(kachin):
    # Wikipedia coordinates quoted in the facts sheet (section 1a), to within 15 km
    known = {
        "myitkyina": (97.396, 25.383),
        "laiza": (97.563, 24.760),
        "lweje": (97.717, 24.200),
        "chipwi": (98.132, 25.884),
        "muse": (97.905, 23.979),
    }
    for place_id, lon_lat in known.items():
        place = kachin.map.places[place_id]
        assert haversine_km((place.lon, place.lat), lon_lat) < 15, place_id


def test_every_border_post_has_a_road_into_a_chinese_sanctuary(kachin):
    places = kachin.map.places
    crossings = {(r.a, r.b) for r in kachin.map.roads} | {(r.b, r.a) for r in kachin.map.roads}
    for place in places.values():
        if place.kind is PlaceKind.BORDER_POST:
            across = [
                b for a, b in crossings if a == place.id and places[b].kind is PlaceKind.SANCTUARY
            ]
            assert across, place.id
            assert all(places[b].country == "CN" for b in across)


def test_the_rare_earth_belt_has_hundreds_of_sites_and_hpakant_is_a_mine(kachin):
    places = kachin.map.places
    sr1 = sum(
        p.mine_sites
        for p in places.values()
        if p.id in {"chipwi_rare_earth", "pangwa_rare_earth", "kanpaiti"}
    )
    assert 250 <= sr1 <= 400  # "almost 300 separate locations" [11], "~300 sites" [48]
    assert places["hpakant"].kind is PlaceKind.MINE


def test_each_unit_starts_on_ground_its_faction_holds(kachin):
    for unit in kachin.units:
        assert kachin.control.get(unit.place) == unit.faction, unit


def test_order_of_battle_matches_the_reported_force_sizes(kachin):
    soldiers = {f: 0 for f in kachin.factions}
    for unit in kachin.units:
        soldiers[unit.faction] += unit.strength * unit.count
    assert 12_000 <= soldiers["kia"] <= 20_000  # ~15,000 [14], 20,000 [34]
    assert 700 <= soldiers["ndak"] <= 1_300  # ~900-1,000 in three BGF battalions [31c]


def test_every_place_and_road_says_where_its_figures_came_from(kachin):
    assert all(p.source for p in kachin.map.places.values())
    assert all(r.source for r in kachin.map.roads)


def test_relations_are_symmetric(kachin):
    for a, spec in kachin.factions.items():
        for b, value in spec.relations.items():
            assert kachin.factions[b].relations[a] == value
