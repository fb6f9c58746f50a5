"""The laws every day of every run obeys, checked by the soak and extreme-parameter tests."""

from __future__ import annotations

import math

from wargame import ConflictModel


def check_day(model: ConflictModel, start: dict[str, float], people: int) -> None:
    """Soldiers, civilians and money are conserved, and nothing counts below zero.

    `start` is each faction's soldiers on day 0 and `people` the civilians then.
    """
    day = model.day
    assert all(u.strength > 0 for u in model.units), day
    assert all(0.0 <= u.morale <= 1.0 for u in model.units), day
    sizes = [g.size for g in model.civilians]
    assert min(sizes, default=0) >= 0, day
    assert sum(sizes) + model.civilians_killed == people, day
    for faction_id, faction in model.factions.items():
        in_play = sum(u.strength for u in model.units if u.faction == faction_id)
        total = in_play + faction.killed + faction.interned + faction.surrendered
        total += faction.captured + faction.deserted
        came = start[faction_id] + faction.recruited + faction.repatriated
        assert math.isclose(total, came, rel_tol=1e-9), (
            day,
            faction_id,
        )
        tallies = (
            faction.killed,
            faction.interned,
            faction.recruited,
            faction.surrendered,
            faction.captured,
            faction.deserted,
        )
        assert min(tallies) >= 0, (day, faction_id)
        assert 0 <= faction.repatriated <= faction.interned, (day, faction_id)
        assert 0.0 <= faction.fire_paid <= 1.0, (day, faction_id)
        # arms are bought, then only wear out; the edge they give is capped
        assert 0.0 <= faction.arms <= faction.spent["arms"] * (1 + 1e-9), (day, faction_id)
        assert 0.0 <= faction.arms_edge <= model.parameters.arms_edge_max, (day, faction_id)
        assert not (faction.collapsed and faction.training), (day, faction_id)
        enlisted = faction.recruited + faction.in_training
        pool = faction.spec.economy.manpower + faction.manpower_gained
        assert enlisted <= pool, (day, faction_id)
        assert faction.treasury >= 0.0, (day, faction_id)
        assert all(v >= 0.0 for v in faction.income_total.values()), (day, faction_id)
        assert math.isclose(faction.revenue_total, sum(faction.income_total.values()))
        spent = sum(faction.spent.values())
        expected = faction.spec.economy.treasury + faction.revenue_total - spent
        assert math.isclose(faction.treasury, expected, rel_tol=1e-9, abs_tol=1e-3), (
            day,
            faction_id,
            faction.treasury,
            expected,
        )
        assert math.isclose(
            faction.spent["recruits"],
            enlisted * faction.spec.economy.recruit_cost,
            rel_tol=1e-9,
            abs_tol=1e-6,
        )


def starting_counts(model: ConflictModel) -> tuple[dict[str, float], int]:
    start = {f: sum(u.strength for u in model.units if u.faction == f) for f in model.factions}
    return start, sum(g.size for g in model.civilians)
