"""Road searches: fastest days and paths against networkx, whatever the cache keeps or forgets."""

import itertools
import math
import random

import networkx as nx
import pytest

from wargame import ConflictModel
from wargame.engine.geography import Routes
from wargame.scenario.synthetic import synthetic_theatre


@pytest.fixture(scope="module")
def graph():
    return ConflictModel(synthetic_theatre(places=120, units=0, seed=5), rng=5).routes.graph


def reference_days(graph: nx.Graph, origin: str, blocked: frozenset[str]) -> dict[str, float]:
    """Dijkstra where a path may end at a blocked place but not pass through one."""
    directed = nx.DiGraph()
    directed.add_nodes_from(graph)
    for a, b, days in graph.edges(data="days"):
        for start, end in ((a, b), (b, a)):
            if start == origin or start not in blocked:
                directed.add_edge(start, end, days=days)
    return nx.single_source_dijkstra_path_length(directed, origin, weight="days")


def queries(graph: nx.Graph, count: int, seed: int):
    """Origins and blocked sets drawn so that some repeat, as the phases' questions do."""
    draw = random.Random(seed)
    places = sorted(graph)
    blocked_sets = [frozenset()] + [
        frozenset(draw.sample(places, draw.randint(1, 30))) for _ in range(12)
    ]
    for _ in range(count):
        blocked = draw.choice(blocked_sets)
        origin = draw.choice(sorted(blocked)) if blocked and draw.random() < 0.3 else None
        yield origin or draw.choice(places), blocked


def test_days_and_paths_match_networkx(graph):
    routes = Routes(graph)
    for origin, blocked in queries(graph, 60, seed=1):
        expected = reference_days(graph, origin, blocked)
        assert routes.reachable(origin, blocked) == pytest.approx(expected, rel=1e-12)
        for destination, days in list(expected.items())[::7]:
            path = routes.path(origin, destination, blocked)
            assert path[0] == origin and path[-1] == destination
            assert not set(path[1:-1]) & blocked
            steps = sum(graph[a][b]["days"] for a, b in itertools.pairwise(path))
            assert steps == pytest.approx(days, rel=1e-12)


def test_a_small_cache_gives_the_same_answers_as_a_large_one(graph, monkeypatch):
    large = Routes(graph)
    monkeypatch.setattr(Routes, "MAX_BLOCKED_SETS", 3)
    monkeypatch.setattr(Routes, "SEARCH_CACHE_BYTES", 1)  # keeps the minimum, 64 searches
    small = Routes(graph)
    for origin, blocked in queries(graph, 400, seed=2):
        assert list(small.days_from(origin, blocked)) == list(large.days_from(origin, blocked))
        assert len(small._cache) <= 3
        assert small._searches_kept <= small._max_searches == 64
        assert small._searches_kept == sum(len(s) for _, s in small._cache.values())


def test_a_cleared_cache_holds_nothing_and_answers_as_before(graph):
    routes, fresh = Routes(graph), Routes(graph)
    asked = list(queries(graph, 120, seed=4))
    for origin, blocked in asked:
        routes.days_from(origin, blocked)
        routes.reachable_from_any({origin}, blocked)  # fills the pieces too
    assert routes.cache_bytes() > 0
    routes.clear_cache()
    assert routes.cache_bytes() == 0 and routes._searches_kept == 0
    for origin, blocked in asked[::-1]:
        assert list(routes.days_from(origin, blocked)) == list(fresh.days_from(origin, blocked))
    assert routes._searches_kept == sum(len(s) for _, s in routes._cache.values())


def test_places_within_some_days_of_any_origin(graph):
    routes = Routes(graph)
    origins = sorted(graph)[:5]
    for limit in (0.0, 0.5, 1.0, 2.5, math.inf):
        expected = {
            place
            for origin in origins
            for place, days in routes.reachable(origin).items()
            if days <= limit
        }
        assert routes.within(origins, limit) == expected


def test_places_reached_from_any_origin_are_the_union_of_each_origins(graph):
    routes = Routes(graph)
    for origin, blocked in queries(graph, 20, seed=3):
        origins = {origin, *sorted(blocked)[:3], *sorted(graph)[:2]}
        expected = set().union(*(reference_days(graph, o, blocked) for o in origins))
        assert routes.reachable_from_any(origins, blocked) == expected
