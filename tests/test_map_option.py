"""The browser's map as ECharts data: what it draws from a day's state, and that a side's map
holds nothing its side does not see."""

from __future__ import annotations

import json
import math
import re

import pytest

from wargame import ConflictModel
from wargame.apps.classroom.fog import SideKnowledge, side_map, side_view
from wargame.drawing.map_option import along, base_option, day_option, map_option
from wargame.drawing.map_state import MapState, whole_map
from wargame.drawing.timelapse import front_roads
from wargame.engine.sight import seen_places, seen_units


def series(option: dict, prefix: str) -> list[dict]:
    return [s for s in option["series"] if s["id"].startswith(prefix)]


def items(option: dict, prefix: str) -> list[dict]:
    return [item for s in series(option, prefix) for item in s["data"]]


def strings(value) -> list[str]:
    """Every text in an option, however deep."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for v in value.values() for text in strings(v)]
    if isinstance(value, list):
        return [text for v in value for text in strings(v)]
    return []


@pytest.fixture(scope="module")
def interning() -> ConflictModel:
    """A Kachin run (its seed the set-up) on the day Tatmadaw soldiers are first interned:
    a tally for the NDA-K's map to hide, while most units are out of the NDA-K's sight."""
    model = ConflictModel("kachin", rng=1)
    while not model.factions["tatmadaw"].interned and model.day < 120:
        model.step()
    assert model.factions["tatmadaw"].interned, "no Tatmadaw soldiers interned: pick another seed"
    return model


def fogged(model: ConflictModel, faction: str) -> MapState:
    knowledge = SideKnowledge(faction)
    knowledge.observe(model)
    names = {f: spec.short_name for f, spec in model.factions.items()}
    return side_map(side_view(model, knowledge), model.theatre.map.places, names)


def test_a_sides_map_has_no_unseen_enemy_unit_and_no_enemy_tally(interning):
    model = interning
    option = map_option(model.theatre, fogged(model, "ndak"))
    seen = seen_units(model, "ndak")
    hidden = [u for u in model.units if u not in seen]
    assert any(u.faction != "ndak" for u in hidden)  # there was something to hide
    drawn: dict[str, float] = {}
    for s in series(option, "units-"):
        drawn[s["id"].removeprefix("units-")] = sum(item["value"][2] for item in s["data"])
    for faction in model.factions:
        shown = sum(u.strength for u in seen if u.faction == faction)
        assert drawn[faction] == pytest.approx(shown), faction
    # no unseen unit's name in any hover, and no enemy's interned soldiers anywhere
    texts = " ".join(strings(option))
    assert [u.name for u in seen if u.faction != "ndak" and f"{u.name} (" in texts]
    assert not [u.name for u in hidden if f"{u.name} (" in texts]
    assert {item["itemStyle"]["color"] for item in items(option, "interned")} <= {
        model.factions["ndak"].spec.colour
    }
    tatmadaw = model.factions["tatmadaw"].interned
    assert "Tatmadaw" in option["legend"]["data"]  # the name, without its tally
    assert not [t for t in strings(option) if re.search(rf"\b{tatmadaw:,.0f} (interned|sold)", t)]
    # what it does not see, it does not know the holder of
    unseen = set(model.theatre.map.places) - seen_places(model, "ndak")
    assert {item["place"] for item in items(option, "places-unseen")} == unseen
    home = [i for i in items(option, "places-unseen") if "foreign ground" not in str(i["tooltip"])]
    assert home and all("not seen" in item["tooltip"]["formatter"] for item in home)


def test_a_sides_front_faces_only_its_own_enemies(interning):
    model = interning
    state = fogged(model, "kia")
    assert state.hostile == {pair for pair in model.at_war() if "kia" in pair}
    holders = state.holders
    front = items(day_option(model.theatre, state), "front")
    facing = [
        r
        for r in model.theatre.map.roads
        if (holders.get(r.a), holders.get(r.b)) in model.at_war()
        and "kia" in (holders[r.a], holders[r.b])
    ]
    assert front and len(front) == len(facing)


def test_a_truce_takes_the_front_off_every_map():
    """The viewer's and umpire's map, a team's map and the time-lapse: no front between
    factions under a ceasefire, as the engine makes one."""
    model = ConflictModel("kachin", rng=1)
    model.run(20)

    def fronts() -> list[int]:
        whole = items(day_option(model.theatre, whole_map(model)), "front")
        team = items(day_option(model.theatre, fogged(model, "kia")), "front")
        return [len(whole), len(team), len(front_roads(model))]

    assert all(fronts())
    for a, b in model.at_war():
        model.make_truce(a, b)
    assert fronts() == [0, 0, 0]
    model.break_truce("kia", "tatmadaw")
    assert all(fronts())


def test_the_whole_map_tells_every_tally_and_every_unit(interning):
    model = interning
    option = map_option(model.theatre, whole_map(model))
    tatmadaw = model.factions["tatmadaw"]
    assert f"Tatmadaw ({tatmadaw.interned:,.0f} interned)" in option["legend"]["data"]
    total = sum(item["value"][2] for item in items(option, "units-"))
    assert total == pytest.approx(sum(u.strength for u in model.units))
    assert not items(option, "places-unseen")
    assert "not seen" not in option["legend"]["data"]


def test_a_unit_on_the_road_is_drawn_on_the_roads_bends():
    model = ConflictModel("kachin", rng=7)
    bent = {(r.a, r.b): r.geometry for r in model.theatre.map.roads if len(r.geometry) > 2}
    model.run(6)
    marching = [u for u in model.units if u.transit is not None]
    assert marching
    option = day_option(model.theatre, whole_map(model))
    points = {(round(i["value"][0], 6), round(i["value"][1], 6)) for i in items(option, "units-")}
    for unit in marching:
        t = unit.transit
        line = bent.get((t.origin, t.destination)) or bent.get((t.destination, t.origin))
        if line is None:
            continue
        oriented = list(line) if (t.origin, t.destination) in bent else list(reversed(line))
        lon, lat = along(oriented, 1 - t.km_left / t.km_total)
        assert (round(lon, 6), round(lat, 6)) in points, unit.name
    corner = along([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)], 0.75)  # past the bend, not across
    assert corner == pytest.approx((1.0, 0.5))


def test_larger_places_get_larger_symbols_so_their_names_win_a_collision():
    model = ConflictModel("kachin", rng=7)
    option = day_option(model.theatre, whole_map(model))
    size = {item["place"]: item["symbolSize"] for item in items(option, "places-")}
    people = {p.id: p.population for p in model.theatre.map.places.values()}
    towns = [p.id for p in model.theatre.map.places.values() if p.kind.value == "town"]
    big, small = max(towns, key=people.get), min(towns, key=people.get)
    assert size[big] > size[small]
    assert all(s["labelLayout"] == {"hideOverlap": True} for s in series(option, "places-"))


def test_the_front_runs_between_factions_at_war_and_contested_places_are_ringed(interning):
    model = interning
    state = whole_map(model)
    front = items(day_option(model.theatre, state), "front")
    holders = state.holders
    expected = [
        r
        for r in model.theatre.map.roads
        if holders.get(r.a) and holders.get(r.b) and (holders[r.a], holders[r.b]) in state.hostile
    ]
    assert front and len(front) == len(expected)
    at_peace = MapState(**{**state.__dict__, "hostile": frozenset()})
    assert not items(day_option(model.theatre, at_peace), "front")
    rings = items(day_option(model.theatre, state), "contested")
    places = model.theatre.map.places
    assert sorted(tuple(r["value"]) for r in rings) == sorted(
        (places[p].lon, places[p].lat) for p in model.contested
    )


def test_a_disputed_border_is_drawn_apart_from_an_agreed_one():
    kachin = ConflictModel("kachin", rng=7).theatre
    layers = {s["id"]: s for s in base_option(kachin)["series"]}
    borders = kachin.basemap.layer("border")
    disputed = [f for f in borders if "disputed" in f["properties"]["featurecla"].lower()]
    assert disputed and len(disputed) < len(borders)  # the theatre has both
    assert layers["basemap-disputed-border"]["lineStyle"] != layers["basemap-border"]["lineStyle"]
    assert len(layers["basemap-disputed-border"]["data"]) >= len(disputed)


def test_the_base_is_the_theatres_alone_and_fits_the_places():
    model = ConflictModel("kachin", rng=7)
    base = base_option(model.theatre)
    (west, north), (east, south) = base["geo"]["boundingCoords"]
    for place in model.theatre.map.places.values():
        assert west < place.lon < east and south < place.lat < north
    assert base["geo"]["aspectScale"] == pytest.approx(math.cos(math.radians((north + south) / 2)))
    roads = sum(len(s["data"]) for s in series(base, "roads-"))
    assert roads == len(model.theatre.map.roads)
    model.run(5)
    assert json.dumps(base_option(model.theatre)) == json.dumps(base)  # nothing of the day


def test_the_basemap_is_drawn_under_the_roads_land_and_sea_apart():
    rakhine = ConflictModel("rakhine", rng=7).theatre
    base = base_option(rakhine)
    layers = {s["id"]: s for s in base["series"]}
    rivers, coast = layers["basemap-river"], layers["basemap-coast"]
    assert len(rivers["data"]) >= len(rakhine.basemap.layer("river"))
    assert coast["data"] and layers["basemap-border"]["data"]
    assert max(s["z"] for s in layers.values() if s["id"].startswith("basemap")) < min(
        s["z"] for s in layers.values() if s["id"].startswith("roads")
    )
    features = base["wargameRegions"]["geojson"]["features"]
    kinds = {f["properties"]["layer"] for f in features}
    assert kinds == {"land", "ocean"}  # the Rakhine box has no lake
    water = {r["name"] for r in base["geo"]["regions"]}
    assert water == {
        f["properties"]["name"] for f in features if f["properties"]["layer"] != "land"
    }
    assert (
        base["geo"]["itemStyle"]["areaColor"] != base["geo"]["regions"][0]["itemStyle"]["areaColor"]
    )
    west, south, east, north = rakhine.basemap.bbox
    (left, top), (right, bottom) = base["geo"]["boundingCoords"]
    assert left <= west and right >= east and bottom <= south and top >= north  # all the land


def test_a_lesser_places_name_goes_round_a_greater_neighbours():
    from types import SimpleNamespace

    from wargame.drawing.map_option import label_sides
    from wargame.scenario import Place, PlaceKind

    def place(id: str, lon: float, lat: float, people: int) -> Place:
        return Place(id, id.capitalize(), PlaceKind.TOWN, "MM", lon, lat, people, 0, 0.0, 0.0)

    # a theatre 3 degrees tall: a city, a village just south-east of it (its name, on the
    # right, would run into the city's), and a town far off
    towns = [
        place("city", 97.0, 25.0, 200_000),
        place("village", 97.06, 24.93, 500),
        place("far", 98.5, 28.0, 500),
    ]

    class Stand(SimpleNamespace):
        """A theatre's stand-in, kept (by `label_sides`) only as long as it lives, as a real one."""

    theatre = Stand(map=SimpleNamespace(places={t.id: t for t in towns}), basemap=None)
    sides = label_sides(theatre)
    assert sides["city"] == "right" and sides["far"] == "right"
    assert sides["village"] == "bottom"  # right and left meet the city's name or symbol


def test_the_label_sides_are_worked_out_once_a_theatre_and_let_go_with_it():
    import gc

    from wargame.drawing import map_option
    from wargame.scenario.synthetic import synthetic_theatre

    theatre = synthetic_theatre(30, 20, 1)
    sides = map_option.label_sides(theatre)
    assert map_option.label_sides(theatre) is sides  # the next day's map asks again
    assert sides == map_option._label_sides(theatre) and set(sides) == set(theatre.map.places)
    other = synthetic_theatre(30, 20, 1)  # equal, but another theatre: its own entry
    assert map_option.label_sides(other) is not sides
    key = id(theatre)
    del theatre, sides
    gc.collect()
    assert key not in map_option._SIDES
