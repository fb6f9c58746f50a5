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
mine); a broker whose closures shut trade but not the ore it wants
(`[broker] ore_through_closed_crossings`) takes that ore through any of its
crossings. External income (a military's national budget) arrives whatever
happens on the ground, which is why losing local revenue hurts a national army
without crippling it. Each
faction's income is also tallied by commodity: its own mines' and its
allies' shares of each.

Each faction then spends, so that money acts on the war: it pays upkeep for
every soldier in play and in training (an army paid short loses heart and
soldiers to desertion); it buys the ammunition and fire support its soldiers
used in the day's fights (what it cannot pay for is fire it lacks the next
day); it turns what its treasury holds beyond its reserve
(`payroll_reserve_days` of pay and fighting) into recruits at the quiet bases it holds,
who train for `training_days` before they join a unit; and it spends what is
still left on arms. The reserve is that many days of paying its soldiers and
of all of them fighting. Arms wear out at `arms_wear_per_day`; a side's arms per
soldier raise its fire by up to `arms_edge_max`, by half that at
`arms_half_per_soldier`. So revenue, prices and budgets act on the war even
where training places or manpower cap recruiting.
"""

from __future__ import annotations

from wargame.engine.agents import Faction, Trainees, Unit
from wargame.engine.events import EventKind
from wargame.engine.posture import Posture
from wargame.engine.world import World
from wargame.scenario import PlaceKind

SOURCES = ("mines", "trade", "external", "allies")
DESERTION = "economy.desertion"
"""The stream of each unit's deserters in stochastic mode: one draw per unit per day, by id."""


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
        _pay_for_fighting(model, faction_id)
        _train(model, faction_id)
        _arm(model, faction)
    model.fire_changed()


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
            income[holder]["trade"] += model.trade_revenue(place) * model.home_share(place)
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
        markets, and the broker's crossings unless the broker refuses the holder's ore (its
        open ones only, unless its ore passes the closed ones too); None when no buyer is
        named (it sells at the mine)."""
        model, theatre = self.model, self.model.theatre
        markets = set(theatre.commodities[mineral].markets)
        if mineral in theatre.buys:
            if holder not in model.ore_refused:
                through = model.broker_crossings
                if not theatre.ore_through_closed_crossings:
                    through = through - model.closed_crossings
                markets |= through
        elif not markets:
            return None
        barred = model.barred_ground(holder)
        return frozenset(model.routes.reachable_from_any(markets - barred, barred))


def _pay(model: World, faction_id: str) -> None:
    """Pay the soldiers and the recruits in training; an army that cannot pay them all
    loses heart, and some of its soldiers go home."""
    faction = model.factions[faction_id]
    units = [u for u in model.units if u.faction == faction_id]
    heads = sum(u.strength for u in units) + faction.in_training
    payroll = heads * faction.spec.economy.upkeep_per_soldier_per_day
    unpaid = _spend(faction, "upkeep", payroll)
    if unpaid <= 0.0:
        return
    params = model.parameters
    for unit in units:
        unit.morale = max(unit.morale - params.unpaid_morale_per_day * unpaid, 0.0)
    _desert(model, faction_id, units, params.desertion_unpaid_per_day * unpaid)


def _spend(faction: Faction, what: str, bill: float) -> float:
    """Pay as much of `bill` as the treasury holds; returns the share left unpaid."""
    paid = min(bill, faction.treasury)
    faction.treasury -= paid
    faction.spent[what] += paid
    return 1.0 - paid / bill if bill > 0 else 0.0


def _desert(model: World, faction_id: str, units: list[Unit], chance: float) -> None:
    """Each soldier of the faction goes home with the day's `chance`: the expected share,
    or in stochastic mode a binomial draw per unit."""
    if chance <= 0.0 or not units:
        return
    if model.parameters.combat_mode == "stochastic":
        ids = [u.unique_id for u in units]
        trials = [int(u.strength) for u in units]
        chances = [min(chance, 1.0)] * len(units)
        drawn = model.streams.binomial(DESERTION, model.day, ids, trials, chances)
        losses = [int(x) for x in drawn]
    else:
        losses = [u.strength * chance for u in units]
    faction = model.factions[faction_id]
    for unit, loss in zip(units, losses, strict=True):
        if loss <= 0:
            continue
        unit.strength -= loss
        faction.deserted += loss
        if unit.strength <= 0:
            model.log(
                EventKind.DESTROYED,
                (faction_id,),
                unit.place,
                f"{unit.name} went home unpaid",
            )
            unit.remove()


def _pay_for_fighting(model: World, faction_id: str) -> None:
    """Buy the ammunition and fire support the faction's soldiers used in today's fights;
    the share it cannot pay for is fire it lacks tomorrow (`World.effectiveness`)."""
    faction = model.factions[faction_id]
    engaged = sum(  # those with an enemy there: a bystander at the place fires nothing
        before
        for engagement in model.battles
        for unit, before in engagement.strength_before.items()
        if unit.faction == faction_id and engagement.odds.get(unit, 0.0) > 0.0
    )
    bill = engaged * faction.spec.economy.fighting_cost_per_soldier_per_day
    if bill > 0.0:
        faction.fire_paid = 1.0 - _spend(faction, "fighting", bill)
    elif faction.treasury > 0.0:
        faction.fire_paid = 1.0  # a quiet day with money in hand restocks


def _train(model: World, faction_id: str) -> None:
    """The faction enlists recruits with what its treasury holds beyond its reserve, at the
    quiet bases it holds, while manpower lasts (unless its commander says not to); then
    those who have trained long enough join a unit at their base, or at another."""
    faction = model.factions[faction_id]
    bases = [
        p
        for p, holder in sorted(model.controller.items())
        if holder == faction_id
        and model.theatre.map.places[p].kind is PlaceKind.BASE
        and p not in model.contested
    ]
    if faction.decides("recruits", default=True):
        _enlist(model, faction, bases)
    _join(model, faction, bases)


def _soldiers(model: World, faction_id: str) -> float:
    return sum(u.strength for u in model.units if u.faction == faction_id)


def _reserve(model: World, faction: Faction, heads: float) -> float:
    """What the faction's doctrine keeps: the reserve's days of paying `heads` soldiers and
    of every one of them fighting, so that buying recruits or arms leaves it able to pay
    and to fire for that long without income."""
    economy = faction.spec.economy
    daily = economy.upkeep_per_soldier_per_day + economy.fighting_cost_per_soldier_per_day
    return heads * daily * model.parameters.payroll_reserve_days


def _enlist(model: World, faction: Faction, bases: list[str]) -> None:
    """Enlist recruits at each base, up to its training places, within money and manpower."""
    economy = faction.spec.economy
    params = model.parameters
    in_training = faction.in_training
    heads = _soldiers(model, faction.id) + in_training
    per_head = economy.recruit_cost + _reserve(model, faction, 1.0)
    left = int(economy.manpower + faction.manpower_gained) - faction.recruited - in_training
    for base in bases:
        # the reserve counts all it pays, recruits included
        affordable = int(max(faction.treasury - _reserve(model, faction, heads), 0.0) // per_head)
        recruits = min(params.recruits_per_base_per_day, left, affordable)
        if recruits <= 0:
            return
        faction.treasury -= recruits * economy.recruit_cost
        faction.spent["recruits"] += recruits * economy.recruit_cost
        faction.training.append(Trainees(model.day + params.training_days, base, recruits))
        left -= recruits
        heads += recruits


def _join(model: World, faction: Faction, bases: list[str]) -> None:
    """Trained recruits join the smallest ready unit at their base, or form a new one, once
    it is quiet; recruits whose base was lost go to the first quiet base, or wait for one."""
    today = model.day
    ready: dict[str, list[Unit]] | None = None  # the units at rest by place, once a batch joins
    waiting = []
    for batch in faction.training:
        if batch.ready > today:
            waiting.append(batch)
            continue
        if model.controller.get(batch.base) == faction.id:
            base = batch.base if batch.base in bases else None  # contested: they wait
        else:
            base = bases[0] if bases else None  # lost: the first quiet base takes them
        if base is None:
            waiting.append(batch)
            continue
        if ready is None:
            ready = _at_rest(model, faction.id)
        faction.recruited += batch.soldiers
        present = ready.get(base)
        if present:
            min(present, key=lambda u: (u.strength, u.unique_id)).strength += batch.soldiers
        else:
            name = f"{faction.short_name} recruits, {model.place_name(base)}"
            ready[base] = [Unit(model, faction.id, batch.soldiers, base, name)]
    faction.training = waiting


def _at_rest(model: World, faction_id: str) -> dict[str, list[Unit]]:
    """The faction's units at a place and not withdrawing, by place: those recruits join."""
    ready: dict[str, list[Unit]] = {}
    for unit in model.units:
        at_rest = unit.place is not None and unit.posture is not Posture.WITHDRAW
        if unit.faction == faction_id and at_rest:
            ready.setdefault(unit.place, []).append(unit)
    return ready


def _arm(model: World, faction: Faction) -> None:
    """Wear the faction's arms down, buy arms with what its treasury holds beyond its reserve
    (none when arms add nothing to fire, or for a collapsed faction), and set the edge its
    arms per soldier give its fire."""
    params = model.parameters
    faction.arms *= 1.0 - params.arms_wear_per_day
    soldiers = _soldiers(model, faction.id)
    if params.arms_edge_max > 0.0 and not faction.collapsed:  # arms that add nothing: none
        surplus = faction.treasury - _reserve(model, faction, soldiers + faction.in_training)
        if surplus > 0.0:
            _spend(faction, "arms", surplus)
            faction.arms += surplus
    per_soldier = faction.arms / soldiers if soldiers > 0 else 0.0
    faction.arms_edge = (
        params.arms_edge_max * per_soldier / (per_soldier + params.arms_half_per_soldier)
    )
