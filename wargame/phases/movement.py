"""Phase 3, movement: units travel along their routes at the speed of each road."""

from __future__ import annotations

import numpy as np

from wargame.engine.world import World


def daily_progress(model: World, n: int) -> np.ndarray:
    """Days of road each of `n` units covers today: lognormal friction with mean exactly 1.

    A lognormal with sigma^2 = ln(1 + cv^2) and mu = -sigma^2 / 2 has mean 1 and
    the given coefficient of variation, so friction delays some units and
    speeds others without changing the expected pace.
    """
    cv = model.parameters.travel_friction
    if cv == 0.0:
        return np.ones(n)
    sigma = np.sqrt(np.log1p(cv**2))
    return model.rng.lognormal(mean=-(sigma**2) / 2, sigma=sigma, size=n)


def start(world: World) -> None:
    """Movement keeps nothing of its own: units carry their routes."""


def run(model: World, state: None) -> None:
    """Units on the move cover a day of road each; nobody blocks a road, so order is free."""
    # where enemies stood this morning, fixed before anyone moves
    barred = {faction: model.enemy_positions(faction) for faction in model.factions}
    moving = [unit for unit in model.units if unit.route or unit.transit]
    for unit, days in zip(moving, daily_progress(model, len(moving)), strict=True):
        unit.travel(float(days), barred[unit.faction])
