"""Phase 3, movement: units travel along their routes at the speed of each road."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wargame.engine.world import World

FRICTION = "movement.friction"
"""The stream of each unit's daily progress: one draw per unit per day, by its id."""


def daily_progress(model: World, ids: Sequence[int] | np.ndarray) -> np.ndarray:
    """Days of road each unit (by id) covers today: lognormal friction with mean exactly 1.

    A lognormal with sigma^2 = ln(1 + cv^2) and mu = -sigma^2 / 2 has mean 1 and
    the given coefficient of variation, so friction delays some units and
    speeds others without changing the expected pace. Each unit's draw is its
    own (by id and day), so a unit that moves in one arm of an experiment and
    not in the other leaves the others' luck alone.
    """
    cv = model.parameters.travel_friction
    if cv == 0.0:
        return np.ones(len(ids))
    sigma = np.sqrt(np.log1p(cv**2))
    return model.streams.lognormal(FRICTION, model.day, ids, mu=-(sigma**2) / 2, sigma=sigma)


def start(world: World) -> None:
    """Movement keeps nothing of its own: units carry their routes."""


def run(model: World, state: None) -> None:
    """Units on the move cover a day of road each; nobody blocks a road, so order is free."""
    # where enemies stood this morning, fixed before anyone moves
    barred = {faction: model.enemy_positions(faction) for faction in model.factions}
    moving = [unit for unit in model.units if unit.route or unit.transit]
    progress = daily_progress(model, [unit.unique_id for unit in moving])
    for unit, days in zip(moving, progress, strict=True):
        unit.travel(float(days), barred[unit.faction])
