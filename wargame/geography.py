"""The theatre as a graph of places and roads, and the travel-time questions asked of it."""

from __future__ import annotations

import networkx as nx

from wargame.parameters import Parameters
from wargame.scenario import PlaceKind, TheatreMap


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


class Routes:
    """Fastest paths between home-country places, computed once per origin.

    Foreign sanctuaries are left out: armed units do not transit a neighbouring
    country; they only cross into it to be interned.
    """

    def __init__(self, graph: nx.Graph) -> None:
        home = [n for n, d in graph.nodes(data=True) if d["place"].kind is not PlaceKind.SANCTUARY]
        self._graph = graph.subgraph(home)
        self._from: dict[str, tuple[dict[str, float], dict[str, list[str]]]] = {}

    def _tables(self, origin: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        if origin not in self._from:
            self._from[origin] = nx.single_source_dijkstra(self._graph, origin, weight="days")
        return self._from[origin]

    def path(self, origin: str, destination: str) -> list[str] | None:
        """Places from origin to destination inclusive, or None when no road leads there."""
        return self._tables(origin)[1].get(destination)

    def travel_days(self, origin: str, destination: str) -> float:
        """Days on the fastest road path; infinity when none exists."""
        return self._tables(origin)[0].get(destination, float("inf"))
