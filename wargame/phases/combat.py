"""Phase 4, combat: Lanchester square-law attrition wherever hostile units share a place.

Aimed fire (the square law, Lanchester 1916): each side loses soldiers at a
rate proportional to the other side's strength times its effectiveness,
dA/dt = -beta B and dB/dt = -alpha A. Fire is split across the enemy's units in
proportion to their strength, so within a side every unit loses the same
fraction and the side's mean effectiveness stays constant through the day:
that makes the two-sided day exactly solvable in closed form. Places where
three or more mutually hostile sides meet are integrated numerically.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np

from wargame.engine.agents import Unit
from wargame.engine.events import EventKind
from wargame.engine.world import Engagement, World

RK4_STEPS_PER_DAY = 48
CASUALTIES = "combat.casualties"
"""The stream of each unit's losses in stochastic mode: one draw per unit per day, by id."""


def square_law(
    a0: float, b0: float, alpha: float, beta: float, t: float = 1.0
) -> tuple[float, float]:
    """Strengths of two sides after `t` days of aimed fire, by the exact solution.

    alpha is A's effectiveness (B soldiers put out of action per A soldier per
    day), beta is B's. A side that is annihilated within `t` stays at zero and
    the survivor keeps sqrt(A0^2 - (beta/alpha) B0^2), the square law's invariant.
    """
    if a0 <= 0 or b0 <= 0 or (alpha <= 0 and beta <= 0):
        return max(a0, 0.0), max(b0, 0.0)
    if alpha <= 0:
        return max(a0 - beta * b0 * t, 0.0), b0
    if beta <= 0:
        return a0, max(b0 - alpha * a0 * t, 0.0)
    gamma = math.sqrt(alpha * beta)
    a_power, b_power = alpha * a0 * a0, beta * b0 * b0
    if a_power > b_power:
        t_end = math.atanh(math.sqrt(b_power / a_power)) / gamma
        if t_end <= t:
            return math.sqrt((a_power - b_power) / alpha), 0.0
    elif b_power > a_power:
        t_end = math.atanh(math.sqrt(a_power / b_power)) / gamma
        if t_end <= t:
            return 0.0, math.sqrt((b_power - a_power) / beta)
    if a_power == b_power:  # an even fight: both wear away as exp(-gamma t), never to zero
        decay = math.exp(-gamma * t)
        return a0 * decay, b0 * decay
    c, s = math.cosh(gamma * t), math.sinh(gamma * t)
    a = a0 * c - math.sqrt(beta / alpha) * b0 * s
    b = b0 * c - math.sqrt(alpha / beta) * a0 * s
    return max(a, 0.0), max(b, 0.0)


def _times(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector with each row summed exactly (`math.fsum`), so in the same bits on any
    CPU: `@` goes to BLAS, whose kernel (chosen by CPU) adds in its own order, which gave
    other last bits, and so other runs, where four or more sides fight at one place."""
    return np.array([math.fsum(row) for row in (matrix * vector).tolist()], dtype=float)


def losses_by_rates(
    strengths: np.ndarray,
    effectiveness: np.ndarray,
    hostile: np.ndarray,
    t: float = 1.0,
    side: np.ndarray | None = None,
    walls: np.ndarray | None = None,
) -> np.ndarray:
    """Each unit's loss over `t` days in a many-sided fight, by fourth-order Runge-Kutta.

    dS_i/dt = -sum_j hostile[i, j] e_j S_j S_i / T_j, T_j being the hostile
    strength facing j: every unit spreads its fire over its enemies by strength.
    With `side` (each unit's faction, 0..k-1), `hostile` is faction x faction:
    the sums then run over k factions instead of n units, which is what keeps
    a place with hundreds of units from costing n^2 a step. `walls` divides the
    fire each unit takes (its fortification's cover; 1 in the open).
    """
    exposed = 1.0 if walls is None else 1.0 / np.asarray(walls, dtype=float)
    if side is None:

        def rates(s: np.ndarray) -> np.ndarray:
            facing = _times(hostile, s)
            share = np.divide(effectiveness * s, facing, out=np.zeros_like(s), where=facing > 0)
            return -_times(hostile, share) * s * exposed

    else:
        k = len(hostile)

        def rates(s: np.ndarray) -> np.ndarray:
            facing = _times(hostile, np.bincount(side, weights=s, minlength=k))[side]
            share = np.divide(effectiveness * s, facing, out=np.zeros_like(s), where=facing > 0)
            fire = _times(hostile, np.bincount(side, weights=share, minlength=k))[side]
            return -fire * s * exposed

    s = strengths.astype(float)
    h = t / RK4_STEPS_PER_DAY
    for _ in range(RK4_STEPS_PER_DAY):
        k1 = rates(s)
        k2 = rates(np.maximum(s + h / 2 * k1, 0))
        k3 = rates(np.maximum(s + h / 2 * k2, 0))
        k4 = rates(np.maximum(s + h * k3, 0))
        s = np.maximum(s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 0)
    return strengths - s


def sides(model: World, factions: list[str]) -> list[set[str]] | None:
    """Factions at a place grouped into two sides, or None when that is not possible.

    Two factions are on one side when neither is hostile to the other.
    """
    friends = nx.Graph()
    friends.add_nodes_from(factions)
    friends.add_edges_from(
        (a, b) for i, a in enumerate(factions) for b in factions[i + 1 :] if not model.hostile(a, b)
    )
    groups = [set(c) for c in nx.connected_components(friends)]
    if len(groups) != 2:
        return None
    for group in groups:
        members = sorted(group)
        if any(model.hostile(a, b) for i, a in enumerate(members) for b in members[i + 1 :]):
            return None
    return groups


def cover(model: World, place: str | None, units: list[Unit]) -> np.ndarray:
    """What each unit's walls divide the fire it takes by: 1 + `fortification_bonus` x
    fortification for the holder of a place and its allies, 1 for everyone else and on roads.

    Fortification protects (it wastes the attacker's fire on walls) and does not
    add to the defender's own fire: a fortified garrison is hard to wear down but
    kills no more than it would in the open.
    """
    if place is None:
        return np.ones(len(units))
    controller = model.controller.get(place)
    # a siege wears the place's fortification down (the supply phase): cover as it is today
    walls = 1.0 + model.parameters.fortification_bonus * model.fortification(place)
    return np.array(
        [
            walls if controller is not None and model.allied(u.faction, controller) else 1.0
            for u in units
        ]
    )


def expected_losses(model: World, place: str | None, units: list[Unit]) -> np.ndarray:
    """Deterministic loss of each unit at `place` (None: a fight on a road) over one day.

    A unit fights from the hour it arrived (`Unit.arrival`, a fraction of the
    day): the day is cut at each arrival and every piece is fought with the
    units present, exactly (two sides) or by Runge-Kutta (more).
    """
    strengths = np.array([u.strength for u in units], dtype=float)
    effectiveness = np.array([model.effectiveness(u.faction) for u in units])
    walls = cover(model, place, units)
    arrival = np.array([min(max(u.arrival, 0.0), 1.0) for u in units])
    factions = sorted({u.faction for u in units})
    grouped = sides(model, factions)
    if grouped is None:
        # faction x faction: a crowded place has hundreds of units
        between = np.array([[float(model.hostile(a, b)) for b in factions] for a in factions])
        side = np.array([factions.index(u.faction) for u in units], dtype=np.intp)
    else:
        in_a = np.array([u.faction in grouped[0] for u in units])
    left = strengths.copy()
    cuts = [*sorted({0.0, *arrival.tolist()} - {1.0}), 1.0]
    for begin, end in itertools.pairwise(cuts):
        present = arrival <= begin
        if grouped is None:
            lost = losses_by_rates(
                left[present],
                effectiveness[present],
                between,
                end - begin,
                side[present],
                walls[present],
            )
        else:
            lost = _two_sided_losses(
                left[present], effectiveness[present], walls[present], in_a[present], end - begin
            )
        left[present] -= lost
    return strengths - np.maximum(left, 0.0)


def _two_sided_losses(
    strengths: np.ndarray, effectiveness: np.ndarray, walls: np.ndarray, in_a: np.ndarray, t: float
) -> np.ndarray:
    """Each unit's loss over `t` days of a two-sided fight, by the closed form.

    A side fights from behind walls when any of its units does (the holder's
    side shares the place's defences), so each side keeps one cover and the
    square law stays exact: the other side's effectiveness is divided by it.
    """
    a0, b0 = strengths[in_a].sum(), strengths[~in_a].sum()
    if a0 <= 0 or b0 <= 0:
        return np.zeros_like(strengths)
    alpha = (effectiveness[in_a] * strengths[in_a]).sum() / a0
    beta = (effectiveness[~in_a] * strengths[~in_a]).sum() / b0
    a_walls, b_walls = walls[in_a].max(), walls[~in_a].max()
    a1, b1 = square_law(a0, b0, alpha / b_walls, beta / a_walls, t)
    return strengths * np.where(in_a, 1 - a1 / a0, 1 - b1 / b0)


def start(world: World) -> None:
    """Combat keeps nothing of its own: the day's fights go to `world.battles`."""


def run(world: World, state: None) -> None:
    world.battles = fight(world)


def fight(model: World) -> list[Engagement]:
    """Every contested place, and every road where hostile columns met, fights for a day;
    returns what happened at each.

    Each fight's losses depend on its own units alone, so the day's expected losses
    are worked out first and drawn in one go (one read of the day's stream)."""
    at_place: dict[str, list[Unit]] = {}
    on_road: dict[tuple[str, str, float], list[Unit]] = {}
    for unit in model.units:
        if unit.place is not None:
            at_place.setdefault(unit.place, []).append(unit)
        elif unit.clash is not None:
            on_road.setdefault(unit.clash, []).append(unit)
    fights: list[tuple[str | None, tuple[str, str, float] | None, list[Unit]]] = [
        (place, None, units)
        for place, units in at_place.items()
        if _hostile_present(model, sorted({u.faction for u in units}))
    ]
    fights += [(None, clash, units) for clash, units in on_road.items()]
    if not fights:
        return []
    expected = [expected_losses(model, place, units) for place, _, units in fights]
    fighting = [unit for _, _, units in fights for unit in units]
    losses = iter(_losses(model, fighting, np.concatenate(expected)))
    return [
        _resolve(model, place, clash, units, [next(losses) for _ in units])
        for place, clash, units in fights
    ]


def nearer_end(model: World, clash: tuple[str, str, float]) -> str:
    """The place at the nearer end of the road where a clash is: whose people hear it."""
    first, second, km = clash
    return first if km <= model.grid.G[first][second]["length_km"] / 2 else second


def _hostile_present(model: World, factions: list[str]) -> bool:
    return any(model.hostile(a, b) for i, a in enumerate(factions) for b in factions[i + 1 :])


def _losses(model: World, units: list[Unit], expected: np.ndarray) -> list[float]:
    """Each unit's loss today: the expected loss, or in stochastic mode a binomial draw of
    the unit's soldiers with that expectation, by inversion of the unit's own uniform."""
    before = np.array([u.strength for u in units], dtype=float)
    if model.parameters.combat_mode != "stochastic":
        return np.minimum(expected, before).astype(float).tolist()
    chance = np.clip(np.divide(expected, before, out=np.zeros_like(before), where=before > 0), 0, 1)
    ids = [u.unique_id for u in units]
    drawn = model.streams.binomial(CASUALTIES, model.day, ids, before.astype(int), chance)
    return [int(loss) for loss in drawn]


def _resolve(
    model: World,
    place: str | None,
    clash: tuple[str, str, float] | None,
    units: list[Unit],
    losses: list[float],
) -> Engagement:
    """A place's or a road's day of fighting, its units' losses given: the engagement, the dead.

    A fight on a road is the engagement of the place at its nearer end (civilians
    and the broker hear of it there), with the road named."""
    if clash is None:
        engagement = Engagement(place)
        where = f"at {model.place_name(place)}"
    else:
        place = nearer_end(model, clash)
        engagement = Engagement(place, road=(clash[0], clash[1]))
        where = f"on the road between {model.place_name(clash[0])} and {model.place_name(clash[1])}"
    by_faction: dict[str, float] = {}
    for unit in units:
        by_faction[unit.faction] = by_faction.get(unit.faction, 0.0) + unit.strength
    odds = {}
    for faction in by_faction:
        enemies = sum(s for f, s in by_faction.items() if model.hostile(faction, f))
        friends = sum(s for f, s in by_faction.items() if not model.hostile(faction, f))
        odds[faction] = enemies / friends
    for unit in units:
        engagement.odds[unit] = odds[unit.faction]
    for unit, loss in zip(units, losses, strict=True):
        before = unit.strength
        unit.strength = before - loss
        model.factions[unit.faction].killed += loss
        engagement.losses[unit] = loss
        engagement.strength_before[unit] = before
    for unit in units:
        if unit.strength <= 0:
            model.log(
                EventKind.DESTROYED,
                (unit.faction,),
                place,
                f"{unit.name} was destroyed {where}",
            )
            unit.remove()
    return engagement
