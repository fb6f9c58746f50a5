"""Generated theatres: the requested size, the loader's invariants, and a model that runs."""

import networkx as nx
import pytest

from wargame import ConflictModel
from wargame.scenario import PlaceKind
from wargame.scenario.synthetic import NEIGHBOUR, synthetic_theatre


@pytest.fixture(scope="module")
def theatre():
    return synthetic_theatre(places=200, units=300, seed=3)


def test_the_theatre_has_the_requested_counts(theatre):
    places = theatre.map.places.values()
    home = [p for p in places if p.kind is not PlaceKind.SANCTUARY]
    posts = [p for p in home if p.kind is PlaceKind.BORDER_POST]
    sanctuaries = [p for p in places if p.kind is PlaceKind.SANCTUARY]
    assert len(home) == 200
    assert len(sanctuaries) == len(posts) == 10  # on top of the 200, one per border post
    assert sum(u.count for u in theatre.units) == 300
    assert list(theatre.factions) == ["red", "blue", "green"]
    assert all(p.kind is PlaceKind.MINE for p in home if p.mine_sites)
    assert all(0.0 <= p.fortification <= 0.6 for p in places)
    assert all(100 <= u.strength <= 600 for u in theatre.units)


def test_ids_are_unique_and_roads_join_known_places_once(theatre):
    places = theatre.map.places
    assert all(place_id == place.id for place_id, place in places.items())
    pairs = [frozenset((road.a, road.b)) for road in theatre.map.roads]
    assert len(set(pairs)) == len(pairs)
    assert all(len(pair) == 2 and pair <= places.keys() for pair in pairs)
    assert all(road.length_km > 0 for road in theatre.map.roads)


def test_every_place_is_reachable_by_road(theatre):
    graph = nx.Graph()
    graph.add_nodes_from(theatre.map.places)
    graph.add_edges_from((road.a, road.b) for road in theatre.map.roads)
    assert nx.is_connected(graph)


def test_each_sanctuary_is_reached_only_from_its_own_border_post(theatre):
    places = theatre.map.places
    for road in theatre.map.roads:
        kinds = {places[road.a].kind, places[road.b].kind}
        if PlaceKind.SANCTUARY in kinds:
            assert kinds == {PlaceKind.SANCTUARY, PlaceKind.BORDER_POST}
    for place in places.values():
        if place.kind is PlaceKind.SANCTUARY:
            assert place.country == NEIGHBOUR


def test_each_faction_holds_one_connected_region_of_home_places(theatre):
    places = theatre.map.places
    home = {p for p, place in places.items() if place.kind is not PlaceKind.SANCTUARY}
    assert theatre.control.keys() == home
    graph = nx.Graph((road.a, road.b) for road in theatre.map.roads)
    for faction in theatre.factions:
        region = [p for p, holder in theatre.control.items() if holder == faction]
        assert region and nx.is_connected(graph.subgraph(region))


def test_units_sit_on_their_own_factions_places(theatre):
    for unit in theatre.units:
        assert unit.faction in theatre.factions
        assert theatre.control[unit.place] == unit.faction
        assert theatre.map.places[unit.place].kind is not PlaceKind.SANCTUARY


def test_relations_follow_the_three_faction_pattern(theatre):
    relations = {f: spec.relations for f, spec in theatre.factions.items()}
    assert relations["red"] == {"blue": -1.0, "green": 0.5}
    assert relations["blue"] == {"red": -1.0, "green": -0.5}
    assert relations["green"] == {"red": 0.5, "blue": -0.5}


def test_the_same_seed_gives_the_same_theatre_and_another_seed_another():
    assert synthetic_theatre(60, 40, seed=9) == synthetic_theatre(60, 40, seed=9)
    assert synthetic_theatre(60, 40, seed=9) != synthetic_theatre(60, 40, seed=10)


@pytest.mark.parametrize(("places", "units", "factions"), [(1, 2, 1), (5, 0, 2), (30, 25, 5)])
def test_small_and_odd_sizes_are_valid(places, units, factions):
    theatre = synthetic_theatre(places, units, seed=1, factions=factions)
    assert len(theatre.factions) == factions
    assert sum(p.kind is not PlaceKind.SANCTUARY for p in theatre.map.places.values()) == places
    assert len(theatre.units) == units
    ConflictModel(theatre, rng=1).run(2)


def test_impossible_sizes_are_refused():
    with pytest.raises(ValueError, match="place per faction"):
        synthetic_theatre(2, 10, seed=1, factions=3)
    with pytest.raises(ValueError, match="factions"):
        synthetic_theatre(10, 10, seed=1, factions=0)


def test_a_model_built_from_it_runs_30_days(theatre):
    model = ConflictModel(theatre, rng=5)
    soldiers = sum(u.strength for u in theatre.units)
    model.run(30)
    assert model.day == 30
    in_play = sum(u.strength for u in model.units)
    out = sum(
        f.killed
        + f.interned
        + f.surrendered
        + f.captured
        + f.deserted
        - f.recruited
        - f.repatriated
        for f in model.factions.values()
    )
    assert in_play + out == soldiers
    assert model.summary()["days"] == 30
    assert model.events, "hostile factions side by side should have fought"


@pytest.mark.parametrize(("places", "groups"), [(50, 0), (50, 7), (200, 2000), (120, 999)])
def test_a_theatre_asked_for_n_civilian_groups_makes_exactly_n(places, groups):
    theatre = synthetic_theatre(places, units=2 * places, seed=4, civilian_groups=groups)
    assert len(ConflictModel(theatre, rng=1).civilians) == groups


def test_asking_for_civilian_groups_changes_only_the_populations():
    plain = synthetic_theatre(places=80, units=100, seed=6)
    peopled = synthetic_theatre(places=80, units=100, seed=6, civilian_groups=800)
    assert plain.units == peopled.units and plain.control == peopled.control
    assert plain.map.roads == peopled.map.roads
    for place_id, place in plain.map.places.items():
        other = peopled.map.places[place_id]
        assert (place.lon, place.lat, place.kind) == (other.lon, other.lat, other.kind)


def test_a_written_theatre_loads_back_the_same(tmp_path):
    from wargame.scenario import load_theatre
    from wargame.scenario.writer import write_theatre

    theatre = synthetic_theatre(places=60, units=90, seed=2, civilian_groups=400)
    write_theatre(theatre, tmp_path / "generated")
    loaded = load_theatre(tmp_path / "generated")
    assert loaded.map.places == theatre.map.places
    assert [(r.a, r.b, r.kind, r.length_km) for r in loaded.map.roads] == [
        (r.a, r.b, r.kind, r.length_km) for r in theatre.map.roads
    ]
    assert loaded.control == theatre.control and loaded.units == theatre.units
    assert loaded.factions == theatre.factions
    assert loaded.start_date == theatre.start_date
    run = ConflictModel(loaded, rng=3)
    run.run(10)
    twin = ConflictModel(theatre, rng=3)
    twin.run(10)
    assert run.summary() | {"scenario": None} == twin.summary() | {"scenario": None}


def test_a_written_theatre_keeps_its_neighbours_policy(tmp_path):
    import dataclasses

    from wargame.scenario import load_theatre
    from wargame.scenario.schema import Neighbour
    from wargame.scenario.synthetic import NEIGHBOUR
    from wargame.scenario.writer import write_theatre

    theatre = synthetic_theatre(places=30, units=20, seed=2)
    policy = Neighbour(soldiers="hand_back", hand_back_after_days=7, source="test")
    theatre = dataclasses.replace(theatre, neighbours={NEIGHBOUR: policy})
    write_theatre(theatre, tmp_path / "generated")
    assert load_theatre(tmp_path / "generated").neighbours == {NEIGHBOUR: policy}


def test_a_written_theatre_keeps_what_its_broker_buys_and_where_ore_sells(tmp_path):
    import dataclasses

    from wargame.scenario import load_theatre
    from wargame.scenario.synthetic import ORE
    from wargame.scenario.writer import write_theatre

    theatre = synthetic_theatre(places=30, units=20, seed=2)
    market = sorted(theatre.control)[0]
    ore = theatre.commodities[ORE].model_copy(update={"markets": [market]})
    theatre = dataclasses.replace(theatre, buys=(ORE,), commodities={ORE: ore})
    write_theatre(theatre, tmp_path / "generated")
    loaded = load_theatre(tmp_path / "generated")
    assert loaded.buys == (ORE,) and loaded.commodities[ORE].markets == [market]
    assert not loaded.ore_through_closed_crossings
    through = dataclasses.replace(theatre, ore_through_closed_crossings=True)
    write_theatre(through, tmp_path / "through")
    assert load_theatre(tmp_path / "through").ore_through_closed_crossings


def test_writing_never_overwrites_a_theatre(tmp_path):
    from wargame.scenario.writer import write_theatre

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "setup.toml").write_text("# my own work\n")
    with pytest.raises(FileExistsError):
        write_theatre(synthetic_theatre(places=10, units=5, seed=1), folder)
    assert (folder / "setup.toml").read_text() == "# my own work\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left
