"""The theatre as a graph of places and roads, and the travel-time questions asked of it."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from wargame.scenario import PlaceKind, TheatreMap
from wargame.scenario.parameters import Parameters

INFINITY = float("inf")
_ROUTES_MADE = itertools.count()


def build_graph(theatre_map: TheatreMap, parameters: Parameters) -> nx.Graph:
    """Places as nodes (attribute `place`), roads as edges with `kind`, `length_km`, `days`.

    `km_per_day` is the speed on the road's kind; `days`, the travel time at
    that speed, is the weight every route uses.
    """
    graph = nx.Graph()
    for place in theatre_map.places.values():
        graph.add_node(place.id, place=place, pos=(place.lon, place.lat))
    for road in theatre_map.roads:
        graph.add_edge(road.a, road.b, kind=road.kind, length_km=road.length_km, road=road)
    time_roads(graph, parameters)
    return graph


def time_roads(graph: nx.Graph, parameters: Parameters) -> None:
    """Set each road's `km_per_day` (the speed on its kind) and `days` (its travel time)."""
    for _, _, road in graph.edges(data=True):
        road["km_per_day"] = parameters.speed(road["kind"])
        road["days"] = road["length_km"] / road["km_per_day"]


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


class Routes:
    """Fastest paths between home-country places, cached per origin and per blocked set.

    Foreign sanctuaries are left out: armed units do not transit a neighbouring
    country; they only cross into it to be interned. A blocked place (enemy
    ground) can end a path - a unit may march on an enemy town - but is not a
    way through; the origin is never blocked, so a unit can always leave where
    it stands. Searches run in scipy's compiled Dijkstra on a sparse matrix of
    travel days, and a cache keyed by the blocked set serves every unit of a
    faction until control changes.
    """

    MAX_BLOCKED_SETS = 64  # old control situations are not asked about again
    SEARCH_CACHE_BYTES = 256 * 2**20  # searches kept, over all blocked sets; then start afresh

    def __init__(self, graph: nx.Graph) -> None:
        self.version = next(_ROUTES_MADE)
        """Unique to these routes in this process: a memo of answers worked out from their
        travel days keys on it, so it never serves answers from roads timed otherwise."""
        home = [n for n, d in graph.nodes(data=True) if d["place"].kind is not PlaceKind.SANCTUARY]
        self.graph = graph.subgraph(home).copy()
        self.places: list[str] = list(self.graph)
        self.index = {place: i for i, place in enumerate(self.places)}
        self.roads_from: dict[str, list[tuple[str, float]]] = {
            place: [(other, data["days"]) for other, data in self.graph[place].items()]
            for place in self.graph
        }
        """Each place's neighbours with the days to reach them: a plain dict for hot loops."""
        self._days = nx.to_scipy_sparse_array(
            self.graph, nodelist=self.places, weight="days", format="csr"
        )
        self._row_lengths = np.diff(self._days.indptr)
        self._adjacent = sparse.csr_array(
            (np.ones(self._days.nnz, dtype=bool), self._days.indices, self._days.indptr),
            shape=self._days.shape,
        )
        """Which places a road joins, whatever its length (a road of 0 days is a road)."""
        self._labels: dict[frozenset[str], Pieces] = {}  # blocked set -> its pieces, LRU
        self._discount: float | None = None
        self._discounted: dict[str, list[tuple[str, float]]] = {}
        # Least recently used last: blocked set -> (its matrix, its searches by origin).
        self._cache: dict[frozenset[str], tuple[sparse.csr_array, dict[str, Search]]] = {}
        self._last_blocked: frozenset[str] | None = None
        self._last_searches: dict[str, Search] = {}
        # A search holds days and predecessors for every place (16 bytes each):
        # on a 50,000-place theatre an unbounded cache would grow by gigabytes.
        self._max_searches = max(64, self.SEARCH_CACHE_BYTES // (16 * max(len(self.places), 1)))
        self._searches_kept = 0

    def cache_bytes(self) -> int:
        """Bytes the cached searches, blocked matrices and pieces hold (bounded; see above).

        Each array and search is counted whole, headers with data: on a small
        theatre the headers of a few hundred searches outweigh their data.
        """
        held = 0
        for matrix, searches in self._cache.values():
            if matrix is not self._days:
                held += sum(map(_array_bytes, (matrix.data, matrix.indices, matrix.indptr)))
            held += sys.getsizeof(searches) + sum(
                sys.getsizeof(s) + _array_bytes(s.days) + _array_bytes(s.predecessors)
                for s in searches.values()
            )
        for pieces in self._labels.values():
            arrays = (pieces.labels, pieces.edge_place, pieces.edge_piece)
            held += sys.getsizeof(pieces) + sum(map(_array_bytes, arrays))
        return held

    def clear_cache(self) -> None:
        """Give back the memory of every cached search, blocked matrix and set of pieces.

        Not an invalidation: each entry is keyed by everything its answer depends on (the
        blocked set, the origin), so none goes stale; later answers are the same, each
        searched again when asked. A soak test measures the cache's growth this way.
        """
        self._labels, self._cache = {}, {}
        self._last_blocked, self._last_searches = None, {}
        self._searches_kept = 0

    def discounted_roads(self, discount: float) -> dict[str, list[tuple[str, float]]]:
        """Each place's neighbours with discount ** days of the road there."""
        if self._discount != discount:
            self._discount = discount
            self._discounted = {
                place: [(q, discount**days) for q, days in roads]
                for place, roads in self.roads_from.items()
            }
        return self._discounted

    def _closed(self, blocked: frozenset[str]) -> sparse.csr_array:
        """Travel days with no road out of a blocked place."""
        if not blocked:
            return self._days
        keep = np.ones(len(self.places))
        keep[[self.index[p] for p in blocked if p in self.index]] = 0.0
        data = self._days.data * np.repeat(keep, self._row_lengths)
        matrix = sparse.csr_array(
            (data, self._days.indices.copy(), self._days.indptr.copy()), shape=self._days.shape
        )
        matrix.eliminate_zeros()
        return matrix

    def _entry(self, blocked: frozenset[str]) -> tuple[sparse.csr_array, dict[str, Search]]:
        """The cache entry of a blocked set, made the most recently used."""
        entry = self._cache.pop(blocked, None)
        if entry is None:
            entry = (self._closed(blocked), {})
        self._cache[blocked] = entry
        while len(self._cache) > self.MAX_BLOCKED_SETS:
            self._evict_oldest()
        return entry

    def _evict_oldest(self) -> None:
        oldest = next(iter(self._cache))
        self._searches_kept -= len(self._cache.pop(oldest)[1])
        if oldest is self._last_blocked:
            self._last_blocked = None

    def _matrix(self, blocked: frozenset[str]) -> sparse.csr_array:
        return self._entry(blocked)[0]

    def _search(self, origin: str, blocked: frozenset[str]) -> Search:
        # Equal blocked sets from different days compare element by element; the
        # same object asked again (one faction's phase) skips that.
        if blocked is not self._last_blocked:
            self._last_searches = self._entry(blocked)[1]
            self._last_blocked = blocked
        by_origin = self._last_searches
        search = by_origin.get(origin)
        if search is None:
            if origin in blocked:
                # the origin may always be left: search with its own roads open
                matrix = self._closed(blocked - {origin})
            else:
                matrix = self._cache[blocked][0]
            days, predecessors = csgraph.dijkstra(
                matrix, indices=self.index[origin], return_predecessors=True
            )
            search = by_origin[origin] = Search(days, predecessors)
            self._searches_kept += 1
            while self._searches_kept > self._max_searches and len(self._cache) > 1:
                self._evict_oldest()
            if self._searches_kept > self._max_searches:  # one blocked set holds them all
                self._searches_kept -= len(by_origin)
                by_origin.clear()
        return search

    def path(
        self, origin: str, destination: str, avoid: frozenset[str] = frozenset()
    ) -> list[str] | None:
        """Places from origin to destination inclusive, or None when no road leads there.

        With `avoid`, the path passes through none of those places when it can,
        and falls back to the fastest path when it cannot.
        """
        if destination not in self.index:
            return None  # a foreign sanctuary: no route goes there
        for blocked in (avoid, frozenset()) if avoid else (frozenset(),):
            # Searched from the destination: many units head for one objective, and
            # roads run both ways (the destination, like an origin, is never blocked).
            search = self._search(destination, blocked)
            start = self.index[origin]
            if np.isfinite(search.days[start]):
                steps = [start]
                while steps[-1] != self.index[destination]:
                    steps.append(search.predecessors[steps[-1]])
                return [self.places[i] for i in steps]
        return None

    def travel_days(
        self, origin: str, destination: str, avoid: frozenset[str] = frozenset()
    ) -> float:
        """Days on the fastest path (avoiding `avoid` strictly); infinity when none exists.

        The network is undirected and only the ends of a path may be blocked,
        so days from a to b equal days from b to a: ask with the end that many
        questions share as `origin`, and one search answers them all.
        """
        if destination not in self.index:
            return INFINITY
        return float(self._search(origin, avoid).days[self.index[destination]])

    def days_from(self, origin: str, avoid: frozenset[str] = frozenset()) -> np.ndarray:
        """Days from origin to every place, in the order of `places` (inf: unreachable)."""
        return self._search(origin, avoid).days

    def reachable(self, origin: str, avoid: frozenset[str] = frozenset()) -> dict[str, float]:
        """Every place reachable from origin without passing through `avoid`, with its days."""
        days = self._search(origin, avoid).days
        found = np.flatnonzero(np.isfinite(days))
        places = self.places
        return dict(zip([places[i] for i in found], days[found].tolist(), strict=True))

    def mask(self, places: Collection[str]) -> np.ndarray:
        """A boolean array over `places` in the order of this object's `places`."""
        where = np.zeros(len(self.places), dtype=bool)
        where[[self.index[p] for p in places if p in self.index]] = True
        return where

    def nearest(self, days: np.ndarray, where: np.ndarray) -> str | None:
        """The place `where` allows with the fewest `days` (ties: the first id), or None."""
        candidates = np.flatnonzero(where & np.isfinite(days))
        if not candidates.size:
            return None
        fewest = days[candidates]
        return min(self.places[i] for i in candidates[fewest == fewest.min()])

    def within(self, origins: Collection[str], days: float) -> set[str]:
        """Places within `days` of some origin by any road (origins included)."""
        if not origins:
            return set()
        nearest = csgraph.dijkstra(  # the limit only saves work: allow for rounding at it
            self._days,
            indices=[self.index[o] for o in origins],
            min_only=True,
            limit=days * (1 + 1e-9) + 1e-9,
        )
        return {self.places[i] for i in np.flatnonzero(nearest <= days)}

    def reachable_from_any(self, origins: Collection[str], avoid: frozenset[str]) -> set[str]:
        """Places some origin reaches without passing through `avoid` (origins may be blocked).

        Answered from the connected pieces of the open places, found once per
        blocked set: an origin reaches its piece and the blocked places on its
        edge; a blocked origin steps out to its neighbours first.
        """
        if not origins:
            return set()
        pieces = self._pieces(avoid)
        labels = pieces.labels
        at = np.array([self.index[o] for o in origins], dtype=np.intp)
        blocked_at = at[labels[at] < 0]
        reached = np.zeros(pieces.count + 1, dtype=bool)  # the last stays False: label -1
        reached[labels[at]] = True
        around = [
            self._days.indices[self._days.indptr[b] : self._days.indptr[b + 1]] for b in blocked_at
        ]
        for neighbours in around:
            reached[labels[neighbours]] = True
        reached[-1] = False
        found = reached[labels]
        found[pieces.edge_place[reached[pieces.edge_piece]]] = True
        found[blocked_at] = True
        for neighbours in around:
            found[neighbours] = True
        places = self.places
        return {places[i] for i in np.flatnonzero(found)}

    def _pieces(self, blocked: frozenset[str]) -> Pieces:
        """The connected pieces of the open places over open roads, cached per blocked set."""
        pieces = self._labels.pop(blocked, None)
        if pieces is None:
            pieces = self._find_pieces(blocked)
        self._labels[blocked] = pieces
        while len(self._labels) > self.MAX_BLOCKED_SETS:
            del self._labels[next(iter(self._labels))]
        return pieces

    def _find_pieces(self, blocked: frozenset[str]) -> Pieces:
        is_open = ~self.mask(blocked)
        where = np.flatnonzero(is_open)
        labels = np.full(len(self.places), -1, dtype=np.intp)
        count = 0
        if where.size:
            count, labels[where] = csgraph.connected_components(
                self._adjacent[where][:, where], directed=False
            )
        rows = np.repeat(np.arange(len(self.places)), self._row_lengths)
        cols = self._days.indices
        edge = ~is_open[rows] & is_open[cols]  # a road from a blocked place to an open one
        return Pieces(labels, count, rows[edge], labels[cols[edge]])


@dataclass(frozen=True)
class Search:
    """One Dijkstra search: days to every place (inf: unreachable) and the tree of paths."""

    days: np.ndarray
    predecessors: np.ndarray


def _array_bytes(array: np.ndarray) -> int:
    """An array's header and data in memory: a view's data is its base's."""
    base = array.base if isinstance(array.base, np.ndarray) else None
    return sys.getsizeof(array) + (sys.getsizeof(base) if base is not None else 0)


@dataclass(frozen=True)
class Pieces:
    """Connected pieces of the open places: a label per place (-1: blocked), and the
    roads from blocked places into them (`edge_place` touches piece `edge_piece`)."""

    labels: np.ndarray
    count: int
    edge_place: np.ndarray
    edge_piece: np.ndarray
