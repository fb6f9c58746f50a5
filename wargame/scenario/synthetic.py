"""Random but valid theatres built in memory, for benchmarks and property tests.

Why this exists: the Kachin theatre is small (45 places, 100 units), and a
hand-written test theatre is smaller still. To measure how the engine scales,
and to let property tests draw many different theatres, we need theatres of
any size without writing files. `synthetic_theatre` builds the same `Theatre`
object `load_theatre` returns and keeps the invariants the loader checks:
unique ids, roads between known places, every place reachable by road, units
of known factions on known home places held by their own faction, and no
unit or control in a foreign sanctuary. A model cannot tell it from a theatre
read from files.

Sanctuaries come on top of `places`: a theatre of `places=1000` has 1,000 home
places (towns, bases, mines and border posts) plus one sanctuary across the
border from each border post.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import networkx as nx
import numpy as np

from wargame.scenario.loader import Place, Road, Theatre, TheatreMap
from wargame.scenario.map_rules import haversine_km
from wargame.scenario.parameters import Parameters
from wargame.scenario.schema import Commodity, FactionFile, PlaceKind, RoadKind, UnitEntry

SYNTHETIC_PATH = Path("<synthetic>")
LON_RANGE = (96.0, 99.0)  # degrees east: about the size of Kachin State
LAT_RANGE = (23.0, 27.0)  # degrees north

# Faction ids in order, each with an Okabe-Ito colour (colour-blind safe).
FACTION_COLOURS = {
    "red": "#D55E00",  # vermillion
    "blue": "#0072B2",
    "green": "#009E73",  # bluish green
    "orange": "#E69F00",
    "purple": "#CC79A7",  # reddish purple
    "sky": "#56B4E9",  # sky blue
    "yellow": "#F0E442",
    "black": "#000000",
}
# Relations among the first three, as in the test theatres: red and blue at war,
# blue and green hostile, red and green allied. Any pair with a fourth or later
# faction is at war.
RELATIONS = {
    frozenset({"red", "blue"}): -1.0,
    frozenset({"blue", "green"}): -0.5,
    frozenset({"red", "green"}): 0.5,
}

# Shares of the home places by kind; the rest are towns.
KIND_SHARES = {PlaceKind.BASE: 0.10, PlaceKind.MINE: 0.05, PlaceKind.BORDER_POST: 0.05}
ROAD_KINDS = [RoadKind.HIGHWAY, RoadKind.ROAD, RoadKind.TRACK]
ROAD_KIND_SHARES = [0.15, 0.45, 0.40]
ROAD_DETOUR = 1.3  # road km per great-circle km
NEAREST = 3  # each place has a road to its nearest neighbours
MAX_SIZES = {"places": 100_000, "units": 1_000_000, "civilian_groups": 1_000_000}
"""The largest theatre `wargame generate` writes: 100,000 places take minutes and most of
a GiB; far larger ones would run out of memory rather than say so."""
MEDIAN_POPULATION = 2_500  # people; log-normal, so a few towns are much larger
STRENGTH_RANGE = (100, 600)  # soldiers per unit
FORTIFICATION_MAX = 0.6
HOME, NEIGHBOUR = "XA", "XB"
COUNTRIES = {HOME: "Home", NEIGHBOUR: "the Neighbour"}
ORE, ORE_PRICE = "ore", 33_600.0  # US$ per tonne: a rare-earth oxide's 2023 price


def synthetic_theatre(
    places: int,
    units: int,
    seed: int,
    factions: int = 3,
    civilian_groups: int | None = None,
) -> Theatre:
    """A random theatre: `places` home places, `units` units and `factions` factions.

    Every random draw comes from `numpy.random.default_rng(seed)`, so the same
    arguments give the same theatre. Places lie at random in a box the size of
    Kachin State; each has a road to its `NEAREST` nearest neighbours, and
    further roads join any pieces left apart, so the network is connected.
    About 80% of places are towns, 10% bases, 5% mines (of the one commodity,
    `ORE`) and 5% border posts, each border post with one road to a sanctuary
    of its own in the neighbouring country, the broker (the sanctuaries are
    extra places, not counted in `places`). Every home place
    starts held by the faction whose seed place is nearest by road (a seed
    per faction, spread out), so each faction holds one connected region;
    units are spread at random over their faction's places, factions taking
    turns, with 100 to 600 soldiers each.

    With `civilian_groups`, populations are redrawn (after everything else,
    so the rest of the theatre is unchanged) to make exactly that many groups
    at the default group size, spread over places in proportion to the
    log-normal sizes.
    """
    if not 1 <= factions <= len(FACTION_COLOURS):
        raise ValueError(f"factions must be 1 to {len(FACTION_COLOURS)}, got {factions}")
    if places < factions:
        raise ValueError(f"need at least one place per faction, got {places} for {factions}")
    if units < 0:
        raise ValueError(f"units must be 0 or more, got {units}")
    rng = np.random.default_rng(seed)

    home = _home_places(places, rng)
    graph = _road_graph(home, rng)
    sanctuaries, crossings = _sanctuaries(home, rng)
    roads = [
        _road(home[a], home[b], ROAD_KINDS[kind])
        for (a, b), kind in zip(
            sorted(graph.edges),
            rng.choice(len(ROAD_KINDS), size=graph.number_of_edges(), p=ROAD_KIND_SHARES),
            strict=True,
        )
    ]
    roads.extend(crossings)

    faction_ids = list(FACTION_COLOURS)[:factions]
    control = _regions(home, graph, faction_ids, rng)
    held = {f: sorted(p for p, holder in control.items() if holder == f) for f in faction_ids}
    unit_entries = []
    for k in range(units):
        faction = faction_ids[k % factions]
        unit_entries.append(
            UnitEntry(
                faction=faction,
                place=held[faction][int(rng.integers(len(held[faction])))],
                strength=int(rng.integers(STRENGTH_RANGE[0], STRENGTH_RANGE[1] + 1)),
            )
        )

    if civilian_groups is not None:
        home = _populate(home, civilian_groups, rng)
    return Theatre(
        name="synthetic",
        setup_path=SYNTHETIC_PATH,
        title=f"Synthetic theatre: {places} places, {units} units, seed {seed}",
        description="A random theatre generated in memory for benchmarks and property tests.",
        start_date=dt.date(2024, 3, 7),
        map=TheatreMap(
            path=SYNTHETIC_PATH,
            places={p.id: p for p in [*home, *sanctuaries]},
            roads=roads,
            border=None,
        ),
        factions={f: _faction(f, faction_ids) for f in faction_ids},
        faction_paths={},
        control=control,
        units=unit_entries,
        parameters={},
        commodities={ORE: Commodity(price=ORE_PRICE)},
        countries=COUNTRIES,
        broker=NEIGHBOUR,
    )


def _home_places(count: int, rng: np.random.Generator) -> list[Place]:
    lon = rng.uniform(*LON_RANGE, size=count)
    lat = rng.uniform(*LAT_RANGE, size=count)
    kinds = [PlaceKind.TOWN] * count
    order = rng.permutation(count)
    start = 0
    for kind, share in KIND_SHARES.items():
        n = round(share * count)
        for i in order[start : start + n]:
            kinds[i] = kind
        start += n
    population = rng.lognormal(math.log(MEDIAN_POPULATION), 1.0, size=count)
    fortification = rng.uniform(0.0, FORTIFICATION_MAX, size=count)
    mine_sites = rng.integers(5, 61, size=count)
    trade = rng.uniform(1e4, 2e5, size=count)
    width = len(str(count - 1))
    return [
        Place(
            id=f"p{i:0{width}d}",
            name=f"Place {i}",
            kind=kinds[i],
            country=HOME,
            lon=float(lon[i]),
            lat=float(lat[i]),
            population=int(round(population[i], -2)),
            mine_sites=int(mine_sites[i]) if kinds[i] is PlaceKind.MINE else 0,
            mineral=ORE if kinds[i] is PlaceKind.MINE else None,
            trade_per_day=float(trade[i]) if kinds[i] is PlaceKind.BORDER_POST else 0.0,
            fortification=float(fortification[i]),
            source="synthetic",
        )
        for i in range(count)
    ]


def _populate(home: list[Place], groups: int, rng: np.random.Generator) -> list[Place]:
    """Home places with populations that make exactly `groups` civilian groups."""
    if groups < 0:
        raise ValueError(f"civilian groups must be 0 or more, got {groups}")
    size = Parameters.model_fields["civilian_group_size"].default
    weights = rng.lognormal(0.0, 1.0, size=len(home))
    share = groups * weights / weights.sum()
    count = np.floor(share).astype(int)
    # largest remainders get the groups left over
    count[np.argsort(count - share, kind="stable")[: groups - count.sum()]] += 1
    last = rng.integers(1, size + 1, size=len(home))  # the last group is part-full
    return [
        dataclasses.replace(place, population=int((n - 1) * size + last[i]) if n else 0)
        for i, (place, n) in enumerate(zip(home, count, strict=True))
    ]


def _road_graph(home: list[Place], rng: np.random.Generator) -> nx.Graph:
    """Place indexes joined to their nearest neighbours, then joined into one piece.

    Distances are on a flat projection (longitude scaled by the cosine of the
    latitude), good enough to choose neighbours over a few degrees.
    """
    xy = _projected(home)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(home)))
    k = min(NEAREST, len(home) - 1)
    for i in range(len(home)):
        distance = np.hypot(*(xy - xy[i]).T)
        distance[i] = np.inf
        for j in np.argpartition(distance, k - 1)[:k] if k else ():
            graph.add_edge(i, int(j))
    # Join the pieces: the smallest piece gets a road from its place nearest to
    # any other piece, until one piece is left.
    pieces = [sorted(c) for c in nx.connected_components(graph)]
    while len(pieces) > 1:
        pieces.sort(key=lambda c: (len(c), c[0]))
        small = pieces[0]
        rest = np.array(sorted(i for c in pieces[1:] for i in c))
        best = (np.inf, -1, -1)
        for i in small:
            distance = np.hypot(*(xy[rest] - xy[i]).T)
            j = int(np.argmin(distance))
            if distance[j] < best[0]:
                best = (float(distance[j]), i, int(rest[j]))
        graph.add_edge(best[1], best[2])
        pieces = [sorted(c) for c in nx.connected_components(graph)]
    return graph


def _projected(home: list[Place]) -> np.ndarray:
    lat0 = math.radians(sum(LAT_RANGE) / 2)
    return np.array([(p.lon * math.cos(lat0), p.lat) for p in home])


def _road(a: Place, b: Place, kind: RoadKind) -> Road:
    ends = ((a.lon, a.lat), (b.lon, b.lat))
    length = max(haversine_km(*ends) * ROAD_DETOUR, 0.1)
    return Road(a.id, b.id, kind, length, ends, "synthetic")


def _sanctuaries(home: list[Place], rng: np.random.Generator) -> tuple[list[Place], list[Road]]:
    """One sanctuary a few km from each border post, with a road to it."""
    sanctuaries, roads = [], []
    for post in (p for p in home if p.kind is PlaceKind.BORDER_POST):
        angle = rng.uniform(0.0, 2 * math.pi)
        reach = rng.uniform(0.03, 0.1)  # degrees
        across = Place(
            id=f"{post.id}_cn",
            name=f"Across from {post.name}",
            kind=PlaceKind.SANCTUARY,
            country=NEIGHBOUR,
            lon=post.lon + reach * math.cos(angle),
            lat=post.lat + reach * math.sin(angle),
            population=0,
            mine_sites=0,
            trade_per_day=0.0,
            fortification=0.0,
            source="synthetic",
        )
        sanctuaries.append(across)
        roads.append(_road(post, across, RoadKind.ROAD))
    return sanctuaries, roads


def _regions(
    home: list[Place], graph: nx.Graph, faction_ids: list[str], rng: np.random.Generator
) -> dict[str, str]:
    """Each home place held by the faction whose seed place is nearest by road.

    The first seed is random, each next one the place farthest by road from
    the seeds so far, so regions are of comparable size. A place's nearest
    seed is reached through places with the same nearest seed, so each
    faction's region is connected.
    """
    xy = _projected(home)
    for a, b in graph.edges:
        graph.edges[a, b]["length"] = float(np.hypot(*(xy[a] - xy[b])))
    seeds = [int(rng.integers(len(home)))]
    while len(seeds) < len(faction_ids):
        distance = nx.multi_source_dijkstra_path_length(graph, seeds, weight="length")
        seeds.append(max(distance, key=lambda i: (distance[i], -i)))
    _, paths = nx.multi_source_dijkstra(graph, seeds, weight="length")
    owner = {seed: faction for seed, faction in zip(seeds, faction_ids, strict=True)}
    return {home[i].id: owner[paths[i][0]] for i in range(len(home))}


def _faction(faction_id: str, faction_ids: list[str]) -> FactionFile:
    relations = {
        other: RELATIONS.get(frozenset({faction_id, other}), -1.0)
        for other in faction_ids
        if other != faction_id
    }
    return FactionFile.model_validate(
        {
            "name": f"{faction_id.title()} Army",
            "short_name": faction_id.title(),
            "colour": FACTION_COLOURS[faction_id],
            "source": "synthetic",
            "doctrine": {
                "revenue": 1.0,
                "strategic": 1.0,
                "risk": 1.0,
                "distance": 0.1,
                "aggression": 0.6,
                "garrison": 150,
                "caution": 0.5,
            },
            "combat": {"effectiveness": 0.004},
            "morale": {"initial": 0.8, "break_point": 0.3, "recovery_per_day": 0.03},
            "economy": {
                "treasury": 1e7,
                "upkeep_per_soldier_per_day": 3.0,
                "recruit_cost": 1500.0,
                "manpower": 10_000,
            },
            "relations": relations,
        }
    )
