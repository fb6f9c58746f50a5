"""Phase 8, economy: mines and trade pay whoever holds them; armies cost money.

Each day a mine area pays its controller sites x output per site x the
price of the commodity it yields x the tax share a controller takes (in
Kachin, the KIA's 35,000 yuan per tonne of rare earths [15] is ~15% of the
value); a contested mine pays nothing. A place with trade (a border post, a
market town) pays its controller a share of it, nothing while contested or
while its crossing is closed. An allied militia passes a share of its mine
revenue to its patron (the NDA-K to the Tatmadaw). A mine whose ore the
broker buys (`[broker] buys`) earns nothing while the broker refuses its
holder's ore (diplomacy: its grievance against that faction has passed
`ore_hold_tolerance`), unless a market of its commodity buys it. Ore earns
only when it reaches a buyer: a route over ground no enemy of its holder holds
or stands on joins the mine to one of its commodity's `markets` or, for ore
the broker buys, to an open crossing into the broker's country, so a closed
gate or a cut road stops the money (ore with no buyer named sells at the
mine). External income (a military's national budget) arrives whatever
happens on the ground, which is why losing local revenue hurts a national army
without crippling it. Each
faction's income is also tallied by commodity: its own mines' and its
allies' shares of each.

Each faction then pays upkeep for every soldier in play and, while its
treasury can carry the payroll for `payroll_reserve_days`, recruits at the
bases it holds from its manpower pool.
"""

from __future__ import annotations

from wargame.engine.agents import Unit
from wargame.engine.posture import Posture
from wargame.engine.world import World
from wargame.scenario import PlaceKind

SOURCES = ("mines", "trade", "external", "allies")


def start(world: World) -> None:
    """The economy keeps nothing of its own: treasuries and tallies are the factions'."""


def run(model: World, state: None) -> None:
    income = {f: dict.fromkeys(SOURCES, 0.0) for f in model.factions}
    commodities = {f: dict.fromkeys(model.theatre.commodities, 0.0) for f in model.factions}
    model.ore_unsold = _earn_from_the_ground(model, income, commodities)
    for faction_id, faction in model.factions.items():
        patron = faction.spec.economy.patron
        if patron in model.factions and model.allied(faction_id, patron):
            share = model.parameters.patron_share
            income[patron]["allies"] += share * income[faction_id]["mines"]
            income[faction_id]["mines"] -= share * income[faction_id]["mines"]
            for commodity, earned in commodities[faction_id].items():
                commodities[patron][commodity] += share * earned
                commodities[faction_id][commodity] -= share * earned
        income[faction_id]["external"] = (
            faction.spec.economy.external_income_per_day * model.parameters.external_income_factor
        )
    for faction_id, faction in model.factions.items():
        faction.income_today = income[faction_id]
        for commodity, earned in commodities[faction_id].items():
            faction.commodity_income_total[commodity] += earned
        for source, amount in income[faction_id].items():
            faction.income_total[source] += amount
        faction.revenue_total += sum(income[faction_id].values())
        faction.treasury += sum(income[faction_id].values())
        _pay(model, faction_id)
        _recruit(model, faction_id)


def _earn_from_the_ground(
    model: World, income: dict[str, dict[str, float]], commodities: dict[str, dict[str, float]]
) -> frozenset[str]:
    """Add each holder's mine and trade revenue of the day; returns the mines whose ore
    reached no buyer (they earn nothing)."""
    places = model.theatre.map.places
    outlets = _Outlets(model)
    unsold = set()
    for place, holder in model.controller.items():
        if holder is None or place in model.contested:
            continue
        if places[place].mine_sites:
            mineral = places[place].mineral  # every mine's (the loader's `_with_minerals`)
            if outlets.sells(holder, mineral, place):
                earned = model.mine_revenue(place)
                income[holder]["mines"] += earned
                commodities[holder][mineral] += earned
            else:
                unsold.add(place)
        if places[place].trade_per_day:
            income[holder]["trade"] += model.trade_revenue(place)
    return frozenset(unsold)


class _Outlets:
    """Where each holder's ore of each commodity reaches a buyer today, found on demand."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.found: dict[tuple[str, str], frozenset[str] | None] = {}

    def sells(self, holder: str, mineral: str, mine: str) -> bool:
        """Whether the ore of `mine` reaches a buyer today (or needs none)."""
        key = (holder, mineral)
        if key not in self.found:
            self.found[key] = self._joined(holder, mineral)
        joined = self.found[key]
        return joined is None or mine in joined

    def _joined(self, holder: str, mineral: str) -> frozenset[str] | None:
        """Places a route over ground open to the holder joins to a buyer of the mineral: its
        markets, and the broker's open crossings unless the broker refuses the holder's ore;
        None when no buyer is named (it sells at the mine)."""
        model, theatre = self.model, self.model.theatre
        markets = set(theatre.commodities[mineral].markets)
        if mineral in theatre.buys:
            if holder not in model.ore_refused:
                markets |= model.broker_crossings - model.closed_crossings
        elif not markets:
            return None
        barred = model.barred_ground(holder)
        return frozenset(model.routes.reachable_from_any(markets - barred, barred))


def _pay(model: World, faction_id: str) -> None:
    """Pay the soldiers; an army that cannot pay them all loses heart."""
    faction = model.factions[faction_id]
    units = [u for u in model.units if u.faction == faction_id]
    payroll = sum(u.strength for u in units) * faction.spec.economy.upkeep_per_soldier_per_day
    if faction.treasury >= payroll:
        faction.treasury -= payroll
        faction.spent["upkeep"] += payroll
        return
    unpaid = 1.0 - faction.treasury / payroll
    faction.spent["upkeep"] += faction.treasury
    faction.treasury = 0.0
    for unit in units:
        unit.morale = max(unit.morale - model.parameters.unpaid_morale_per_day * unpaid, 0.0)


def _recruit(model: World, faction_id: str) -> None:
    """Recruits join at each quiet base the faction holds, while money and manpower last."""
    faction = model.factions[faction_id]
    if not faction.decides("recruits", default=True):
        return
    economy = faction.spec.economy
    params = model.parameters
    units = [u for u in model.units if u.faction == faction_id]
    soldiers = sum(u.strength for u in units)
    reserve = soldiers * economy.upkeep_per_soldier_per_day * params.payroll_reserve_days
    bases = sorted(
        p
        for p, holder in model.controller.items()
        if holder == faction_id
        and model.theatre.map.places[p].kind is PlaceKind.BASE
        and p not in model.contested
    )
    ready: dict[str, list[Unit]] = {}  # each base is visited once: new units need no entry
    for unit in units:
        if unit.place is not None and unit.posture is not Posture.WITHDRAW:
            ready.setdefault(unit.place, []).append(unit)
    for base in bases:
        recruits = min(params.recruits_per_base_per_day, economy.manpower - faction.recruited)
        cost = recruits * economy.recruit_cost
        if recruits <= 0 or faction.treasury - cost < reserve:
            return
        faction.treasury -= cost
        faction.spent["recruits"] += cost
        faction.recruited += recruits
        present = ready.get(base)
        if present:
            min(present, key=lambda u: (u.strength, u.unique_id)).strength += recruits
        else:
            Unit(
                model,
                faction_id,
                recruits,
                base,
                f"{faction.short_name} recruits, {model.place_name(base)}",
            )
