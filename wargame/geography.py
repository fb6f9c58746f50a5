"""The theatre as a graph of places and roads, and the travel-time questions asked of it."""

from __future__ import annotations

from collections.abc import Collection

import networkx as nx

from wargame.parameters import Parameters
from wargame.scenario import PlaceKind, TheatreMap

INFINITY = float("inf")


def build_graph(theatre_map: TheatreMap, parameters: Parameters) -> nx.Graph:
    """Places as nodes (attribute `place`), roads as edges with `kind`, `length_km`, `days`.

    `days` is the travel time at the parameters' speed for the road's kind, the
    weight every route uses.
    """
    graph = nx.Graph()
    for place in theatre_map.places.values():
        graph.add_node(place.id, place=place, pos=(place.lon, place.lat))
    for road in theatre_map.roads:
        graph.add_edge(
            road.a,
            road.b,
            kind=road.kind,
            length_km=road.length_km,
            days=road.length_km / parameters.speed(road.kind),
            road=road,
        )
    return graph


def crossings(graph: nx.Graph) -> dict[str, list[str]]:
    """Home places with a road into a foreign sanctuary, and the sanctuaries they face."""
    result: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data["place"].kind is PlaceKind.SANCTUARY:
            continue
        across = [
            n for n in graph.neighbors(node) if graph.nodes[n]["place"].kind is PlaceKind.SANCTUARY
        ]
        if across:
            result[node] = sorted(across)
    return result


Tables = tuple[dict[str, float], dict[str, list[str]]]


def fastest_paths(graph: nx.Graph, origin: str, blocked: Collection[str] = ()) -> Tables:
    """Travel days and paths from `origin`, never passing *through* a blocked place.

    A blocked place can still be the end of a path (a unit may march on an
    enemy town) but is not a way through; the origin is never blocked, so a
    unit can always leave where it stands.
    """

    def weight(u: str, v: str, data: dict) -> float | None:
        return None if u in blocked and u != origin else data["days"]

    return nx.single_source_dijkstra(graph, origin, weight=weight)


class Routes:
    """Fastest paths between home-country places, cached per origin and per blocked set.

    Foreign sanctuaries are left out: armed units do not transit a neighbouring
    country; they only cross into it to be interned. A cache keyed by the
    blocked set serves every unit of a faction until control changes.
    """

    def __init__(self, graph: nx.Graph) -> None:
        home = [n for n, d in graph.nodes(data=True) if d["place"].kind is not PlaceKind.SANCTUARY]
        self.graph = graph.subgraph(home).copy()
        self.roads_from: dict[str, list[tuple[str, float]]] = {
            place: [(other, data["days"]) for other, data in self.graph[place].items()]
            for place in self.graph
        }
        """Each place's neighbours with the days to reach them: a plain dict for hot loops."""
        self._open: dict[str, Tables] = {}
        self._avoiding: dict[frozenset[str], dict[str, Tables]] = {}

    def _tables(self, origin: str, blocked: frozenset[str] = frozenset()) -> Tables:
        if not blocked:
            if origin not in self._open:
                self._open[origin] = fastest_paths(self.graph, origin)
            return self._open[origin]
        if blocked not in self._avoiding:
            if len(self._avoiding) > 64:  # old control situations are not asked again
                self._avoiding.clear()
            self._avoiding[blocked] = {}
        by_origin = self._avoiding[blocked]
        if origin not in by_origin:
            by_origin[origin] = fastest_paths(self.graph, origin, blocked)
        return by_origin[origin]

    def path(
        self, origin: str, destination: str, avoid: frozenset[str] = frozenset()
    ) -> list[str] | None:
        """Places from origin to destination inclusive, or None when no road leads there.

        With `avoid`, the path passes through none of those places when it can,
        and falls back to the fastest path when it cannot.
        """
        if avoid:
            found = self._tables(origin, avoid)[1].get(destination)
            if found is not None:
                return found
        return self._tables(origin)[1].get(destination)

    def travel_days(
        self, origin: str, destination: str, avoid: frozenset[str] = frozenset()
    ) -> float:
        """Days on the fastest path (avoiding `avoid` strictly); infinity when none exists."""
        return self._tables(origin, avoid)[0].get(destination, INFINITY)

    def reachable(self, origin: str, avoid: frozenset[str] = frozenset()) -> dict[str, float]:
        """Every place reachable from origin without passing through `avoid`, with its days."""
        return self._tables(origin, avoid)[0]
