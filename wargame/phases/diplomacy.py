"""Phase 1, diplomacy: outside events, alliances strain and break, militias defect or collapse,
a neighbour with interests brokers truces, shuts gates and holds back ore.

- A theatre's dated outside events (`[[events]]`: a broker's visit, an
  envoy's ultimatum) set parameters from their day on, as a fork's change
  does; they never set who holds what.

- A militia allied to a patron (the NDA-K to the Tatmadaw) loses faith each
  day its places are attacked while no patron unit is there, and each time
  the patron loses a place in the militia's region (its doctrine's range,
  else its own places and those one road from them). Below
  `alliance_threshold` it breaks with the patron (no more revenue share, no
  shared defence) - but only when it has somewhere to go: the rivals that
  fight it (its patron's enemies) must not be hostile to it once
  `rival_offer` is added to their relation to it. Else it keeps faith out
  of need and swallows the strain (the NDA-K, fought by the KIA, fought on
  for the junta until its headquarters fell [5][32]). On breaking it does
  what the theatre's `[militias.<id>]` says: stands down (stops fighting for
  the patron, hostile to no one new), defects (its places and units go over
  to the rival's side: allied to it, hostile to the old patron) or turns
  independent (hostile to the old patron, at peace with the rival). Its
  places and units change sides, not owners, so every ledger stands.
  When its strength - its units in play and its soldiers a neighbour is to
  hand back - falls below
  `collapse_strength_share` of what it started with, its units surrender or
  disband (their soldiers counted) and its places fall to whoever holds them.
- An ally at peace with its partner's enemy is drawn into the war as that
  enemy takes the partner's places next to its own (one road away): each such
  capture lowers their relation, both ways, by `drawn_in_per_loss`; below
  zero they fight (the NDA-K took up arms for the junta on 7 Jun 2024 [32]).
- The broker is the theatre's neighbouring power (its `[broker]`; China in
  Kachin). When fighting near its crossings has gone on for
  `ceasefire_trigger_days`, it brokers a ceasefire between the two sides
  fighting most there, with a daily chance of `broker_pressure` x
  `ceasefire_rate_per_day`, unless a party refuses the offer: a side that took
  more places than it lost in the last `momentum_days` is winning and refuses
  (the KIA turned China's envoys away [25][28]); a commander, a human team's,
  may answer either way. A party in a coalition (`[coalitions.<id>]`) brings its
  coalition: the truce binds every member against every member of the other
  side. While it holds they do not attack each other; each day each member
  may break it, with its doctrine's `ceasefire_violation_per_day` (the
  military's higher, as in the seed story), and one member's breach ends it
  for all.
- The broker acts on its interests: trade through its crossings, calm on
  its border, the ore it buys. Each day it counts, against each faction, the
  hurt done to them, blaming for a fight those who brought it (not the holder
  of the place and its allies): a day of fighting at or next to one of its
  crossings (1), one of its crossings taken (`hurt_per_crossing_lost`, to the captor),
  a day of fighting at a mine whose ore it buys (`hurt_per_ore_fight_day`),
  refugees arriving (`hurt_per_thousand_refugees` a thousand, to those so
  blamed for fighting near the border), all scaled by `broker_pressure`; the grievance
  halves every `broker_memory_days`. A faction whose grievance passes
  `broker_tolerance` is first warned; if it goes on and does another
  `ultimatum_hurt` of hurt while the grievance stays past the tolerance, the
  broker closes the crossings that faction holds or fights at (a faction that
  stops is spared, and its warning lapses once the grievance fades under the
  tolerance). Past `ore_hold_tolerance` it stops buying that faction's ore.
  A closed crossing reopens after `reopen_quiet_days` without fighting near
  it once its holder's grievance is back under the tolerance; the ore is
  bought again under the ore tolerance.
- A theatre without a broker has none of this: no truce is brokered, no
  crossing closes, no ore is held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wargame.engine.agents import CivilianState
from wargame.engine.events import EventKind
from wargame.engine.world import World
from wargame.scenario.parameters import scaled_values, with_changes
from wargame.scenario.schema import OnBreak

VIOLATION = "diplomacy.violation"
"""The stream of truce violations: one draw per truce, party and day."""
OFFER = "diplomacy.offer"
"""The stream of the broker's offers of a truce: one draw a day."""

DEFECTED_RELATION = 1.0
"""A defector's relation to the side it joins, and (negated) to the patron it left."""


@dataclass(frozen=True)
class Agreement:
    """A truce brokered between two sides, each a faction or a coalition: it binds every
    member of one against every member of the other, and one member's breach ends it all."""

    sides: tuple[frozenset[str], frozenset[str]]
    pairs: frozenset[tuple[str, str]]


@dataclass
class State:
    """What diplomacy remembers from day to day."""

    border_fighting_days: int = 0
    """Consecutive days of fighting near a crossing: a truce is offered after enough."""
    gate_quiet: dict[str, int] = field(default_factory=dict)
    """Days without fighting near each closed crossing, counted towards its reopening."""
    broken_alliances: set[str] = field(default_factory=set)
    """Militias that broke with their patron (stood down, defected or turned)."""
    collapsed: set[str] = field(default_factory=set)
    agreements: list[Agreement] = field(default_factory=list)
    """Truces the broker made and that still hold, with the sides they bind."""
    refugees_abroad: int = 0
    """People abroad in the broker's country at yesterday's count."""
    events_done: int = 0
    """Outside events already made (the theatre lists them by day)."""
    holders: dict[str, str | None] = field(default_factory=dict)
    """Who held each of the broker's crossings yesterday: a change is a crossing taken."""
    warned: dict[str, float] = field(default_factory=dict)
    """Factions the broker has warned, with the hurt each has done since its warning."""


def start(world: World) -> State:
    return State(holders={c: world.controller.get(c) for c in world.broker_crossings})


def run(world: World, state: State) -> None:
    _outside_events(world, state)
    _drawn_in(world)  # first: a militia drawn into its patron's war has no way out of it
    _strain_alliances(world, state)
    _collapse(world, state)
    _ceasefires(world, state)
    _interests(world, state)
    _warnings(world, state)
    _border_gates(world, state)
    _ore(world, state)


def _outside_events(model: World, state: State) -> None:
    """Each dated event sets or scales its parameters from its day on (the loader checked
    them); a scale multiplies the run's value that day."""
    events = model.theatre.events
    while state.events_done < len(events) and events[state.events_done].day <= model.day:
        event = events[state.events_done]
        changes = {**event.set, **scaled_values(model.parameters, event.scale)}
        model.parameters = with_changes(model.parameters, changes, model.theatre.prices)
        state.events_done += 1
        model.log(EventKind.OUTSIDE, (), None, event.description)


# --- alliances --------------------------------------------------------------------------


def _strain_alliances(model: World, state: State) -> None:
    params = model.parameters
    for faction_id, faction in model.factions.items():
        patron = faction.spec.economy.patron
        if patron not in model.factions or faction_id in state.broken_alliances:
            continue
        relation = faction.relations.get(patron, 0.0)  # none given: neutral
        strain = _strain(model, faction_id, patron)
        rival = _rival(model, faction_id, patron)
        way_out = rival is None or _offered(model, faction_id, rival) >= 0.0
        if strain and (way_out or relation - strain >= params.alliance_threshold):
            # with no way out, the strain that would break the alliance is swallowed
            relation = min(relation, model.factions[patron].relations.get(faction_id, 0.0))
            model.set_relation(faction_id, patron, relation - strain)
            relation = faction.relations.get(patron, 0.0)
        if relation < params.alliance_threshold:
            _break(model, state, faction_id, patron, rival)


def _strain(model: World, faction_id: str, patron: str) -> float:
    """Today's strain on a militia's alliance: its places attacked with no patron unit
    there, and the patron's places lost in the militia's region yesterday."""
    params = model.parameters
    strain = 0.0
    for place, holder in model.controller.items():
        unhelped = patron not in model.strength_at().get(place, {})
        if holder == faction_id and place in model.contested and unhelped:
            strain += params.alliance_strain_unhelped_per_day
    region = _region(model, faction_id)
    for event in model.events.since(model.day - 1):
        if (
            event.kind is EventKind.CAPTURE
            and len(event.factions) == 2
            and event.factions[1] == patron
            and event.place in region
        ):
            strain += params.alliance_strain_per_loss
    return strain


def _region(model: World, faction_id: str) -> frozenset[str]:
    """A militia's region: its doctrine's range, else the places it started with and those
    one road from them (the patron's places it sees fall are its neighbours, not its own)."""
    home = model.home_range(faction_id)
    if home is not None:
        return home
    own = model.start_holdings(faction_id)
    return frozenset(own) | {n for p in own for n, _ in model.routes.roads_from.get(p, [])}


def _rival(model: World, faction_id: str, patron: str) -> str | None:
    """The patron's enemy a wavering militia would deal with: the one the theatre names for
    a defection, else the enemy of the patron strongest in the militia's region (None: the
    patron has no enemy)."""
    named = model.theatre.militia(faction_id).defects_to
    if named is not None:
        return named
    enemies = sorted(f for f in model.factions if f != faction_id and _enemies(model, f, patron))
    if not enemies:
        return None
    region = _region(model, faction_id)
    presence = model.strength_at()

    def strength_near(enemy: str) -> float:
        return sum(presence.get(place, {}).get(enemy, 0.0) for place in region)

    return max(enemies, key=lambda enemy: (strength_near(enemy), enemy))


def _enemies(model: World, a: str, b: str) -> bool:
    """At war, truce or not: a truce pauses the fighting, not the enmity."""
    return model.factions[a].is_hostile(b) or model.factions[b].is_hostile(a)


def _offered(model: World, faction_id: str, rival: str) -> float:
    """The rival's relation to the militia once it offers terms (`rival_offer`)."""
    return model.factions[rival].relations.get(faction_id, 0.0) + model.parameters.rival_offer


def _break(model: World, state: State, faction_id: str, patron: str, rival: str | None) -> None:
    """The militia breaks with its patron and does what its theatre says it does."""
    state.broken_alliances.add(faction_id)
    faction = model.factions[faction_id]
    names = (faction.short_name, model.factions[patron].short_name)
    relation = faction.relations.get(patron, 0.0)
    on_break = model.theatre.militia(faction_id).on_break
    if rival is None or on_break is OnBreak.STAND_DOWN:
        model.set_relation(faction_id, patron, min(relation, 0.0))
        _make_peace(model, faction_id, rival)
        text = f"the {names[0]} stopped fighting for the {names[1]}"
        model.log(EventKind.ALLIANCE, (faction_id, patron), None, text)
        return
    model.set_relation(faction_id, patron, -DEFECTED_RELATION)
    rival_name = model.factions[rival].short_name
    if on_break is OnBreak.DEFECT:
        model.set_relation(faction_id, rival, DEFECTED_RELATION)
        places = sorted(p for p, holder in model.controller.items() if holder == faction_id)
        units = [u for u in model.units if u.faction == faction_id]
        text = (
            f"the {names[0]} went over from the {names[1]} to the {rival_name}, with "
            f"{len(places)} places and {sum(u.strength for u in units):,.0f} soldiers"
        )
    else:
        _make_peace(model, faction_id, rival)
        text = f"the {names[0]} turned on the {names[1]} and made its peace with the {rival_name}"
    model.log(EventKind.ALLIANCE, (faction_id, patron, rival), None, text)


def _make_peace(model: World, faction_id: str, rival: str | None) -> None:
    """A militia the rival offered terms to is at peace with it (neither hostile nor allied);
    one that broke with no offer (never allied at all) stays as it was."""
    if rival is not None and _offered(model, faction_id, rival) >= 0.0:
        relation = model.factions[faction_id].relations.get(rival, 0.0)
        model.set_relation(faction_id, rival, max(relation, 0.0))


def _drawn_in(model: World) -> None:
    """An ally at peace with its partner's enemy is drawn into the war as the enemy takes
    the partner's places next to its own: each such loss yesterday lowers its relation to
    the captor, both ways, by `drawn_in_per_loss`; below zero they fight."""
    step = model.parameters.drawn_in_per_loss
    if not step:
        return
    for event in model.events.since(model.day - 1):
        if event.kind is not EventKind.CAPTURE or len(event.factions) != 2:
            continue
        captor, loser = event.factions
        next_door = {model.controller.get(n) for n, _ in model.routes.roads_from[event.place]}
        for ally in sorted(next_door - {None, captor, loser}):
            if not model.allied(ally, loser) or _enemies(model, ally, captor):
                continue
            relation = min(_relation(model, ally, captor), _relation(model, captor, ally))
            model.set_relation(ally, captor, relation - step)
            if _enemies(model, ally, captor):
                names = [model.factions[f].short_name for f in (ally, loser, captor)]
                text = f"the {names[0]} took up arms for the {names[1]} against the {names[2]}"
                model.log(EventKind.WAR, (ally, captor), event.place, text)


def _relation(model: World, a: str, b: str) -> float:
    """How `a` regards `b`; a relation its faction file does not give is neutral."""
    return model.factions[a].relations.get(b, 0.0)


def _collapse(model: World, state: State) -> None:
    threshold = model.parameters.collapse_strength_share
    for faction_id, faction in model.factions.items():
        if faction_id in state.collapsed:
            continue
        units = [u for u in model.units if u.faction == faction_id]
        start = model.starting_strength(faction_id)
        standing = sum(u.strength for u in units) + faction.awaiting_return
        if not start or standing >= threshold * start:
            continue
        state.collapsed.add(faction_id)
        faction.collapsed = True
        soldiers = sum(u.strength for u in units)
        faction.surrendered += soldiers
        trainees = faction.in_training  # they join, and go home with the rest
        faction.recruited += trainees
        faction.surrendered += trainees
        faction.training = []
        for unit in units:
            unit.remove()
        presence = model.strength_at()
        for place, holder in model.controller.items():
            if holder == faction_id:
                others = [f for f in presence.get(place, {}) if f != faction_id]
                model.set_holder(
                    place, max(others, key=lambda f: presence[place][f]) if others else None
                )
        model.log(
            EventKind.COLLAPSE,
            (faction_id,),
            None,
            f"the {faction.short_name} collapsed: {len(units)} units ({soldiers:,.0f} soldiers) "
            "surrendered or went home",
        )


def _border_battles(model: World) -> dict[tuple[str, str], int]:
    """Hostile pairs fighting today within `border_zone_days` of a crossing of the broker's,
    by battles (none without a broker: its border zone is empty)."""
    zone = model.border_zone()
    pairs: dict[tuple[str, str], int] = {}
    for engagement in model.battles:
        if engagement.place not in zone:
            continue
        factions = sorted({u.faction for u in engagement.losses})
        for i, a in enumerate(factions):
            for b in factions[i + 1 :]:
                if model.hostile(a, b):
                    pairs[(a, b)] = pairs.get((a, b), 0) + 1
    return pairs


def _ceasefires(model: World, state: State) -> None:
    _violations(model, state)
    battles = _border_battles(model)
    state.border_fighting_days = state.border_fighting_days + 1 if battles else 0
    params = model.parameters
    if state.border_fighting_days < params.ceasefire_trigger_days or not battles:
        return
    offer = model.streams.uniform(OFFER, model.day)
    if offer >= params.broker_pressure * params.ceasefire_rate_per_day:
        return
    a, b = max(battles, key=lambda pair: (battles[pair], pair))
    sides = _side(model, a, b), _side(model, b, a)
    parties = " and ".join(_named(model, side) for side in sides)
    if max(len(side) for side in sides) > 1:
        parties = " on one side and ".join(_named(model, side) for side in sides) + " on the other"
    refusing = sorted(
        f
        for f in sides[0] | sides[1]
        if not model.factions[f].decides("accepts_ceasefire", not _winning(model, f))
    )
    if refusing:
        model.log(
            EventKind.CEASEFIRE_REFUSED,
            tuple(dict.fromkeys((refusing[0], a, b))),  # who refused, then the two sides
            None,
            f"{model.broker_name} offered a ceasefire between {parties}; "
            f"the {model.factions[refusing[0]].short_name} refused",
        )
        return
    pairs = frozenset(_pair(x, y) for x in sides[0] for y in sides[1] if model.hostile(x, y))
    for x, y in sorted(pairs):
        model.make_truce(x, y)
    state.agreements.append(Agreement(sides, pairs))
    state.border_fighting_days = 0
    members = tuple(sorted(sides[0] | sides[1]))
    model.log(
        EventKind.CEASEFIRE,
        (a, b, *(f for f in members if f not in (a, b))),
        None,
        f"{model.broker_name} brokered a ceasefire between {parties}",
    )


def _winning(model: World, faction: str) -> bool:
    """Took more places than it lost in the last `momentum_days` (any place, from anyone,
    empty ones too): a side on the move turns the broker's truce down (a commander, a human
    team's, may answer otherwise)."""
    days = model.parameters.momentum_days
    if days <= 0:
        return False
    taken = lost = 0
    for event in model.events.since(model.day - days):
        if event.kind is EventKind.CAPTURE:
            taken += event.factions[0] == faction
            lost += event.factions[1:] == (faction,)
    return taken > lost


def _side(model: World, faction: str, enemy: str) -> frozenset[str]:
    """The faction and the members of its coalition who fight `enemy` or stand with the
    faction: those a truce it signs binds."""
    return frozenset(
        f
        for f in model.theatre.coalition_of(faction)
        if f == faction or model.hostile(f, enemy) or model.allied(f, faction)
    )


def _named(model: World, side: frozenset[str]) -> str:
    """ "the Blue", "the Blue and the Green", or a whole coalition by the name it is given."""
    for coalition in model.theatre.coalitions.values():
        if coalition.name and side == frozenset(coalition.members):
            return f"the {coalition.name}"
    return "the " + model.list_factions(sorted(side)).replace(", ", ", the ").replace(
        " and ", " and the "
    )


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _violations(model: World, state: State) -> None:
    """Each member of each truce may break it today: one breach ends the whole truce.
    Truces made by hand (an umpire's) are pairs, each its own agreement."""
    covered = {pair for agreement in state.agreements for pair in agreement.pairs}
    loose = [
        Agreement((frozenset({a}), frozenset({b})), frozenset({(a, b)}))
        for a, b in sorted(model.truces - covered)
    ]
    kept: list[Agreement] = []
    for agreement in [*state.agreements, *loose]:
        live = agreement.pairs & model.truces
        if not live:
            continue
        breaker = _breaker(model, agreement, live)
        if breaker is None:
            if agreement in state.agreements:
                kept.append(agreement)
            continue
        for pair in sorted(live):
            model.break_truce(*pair)
        other = agreement.sides[1] if breaker in agreement.sides[0] else agreement.sides[0]
        target = min(other)
        model.log(
            EventKind.CEASEFIRE_BROKEN,
            (breaker, *sorted(other)),
            None,
            f"the {model.factions[breaker].short_name} broke the ceasefire with "
            + (
                f"the {model.factions[target].short_name}"
                if len(other) == 1
                else _named(model, other)
            ),
        )
    state.agreements = kept


def _breaker(model: World, agreement: Agreement, live: frozenset[tuple[str, str]]) -> str | None:
    """The first member of a truce to break it today, if any (each draws once a day)."""
    for pair in sorted(live):
        for faction_id in pair:
            rate = model.factions[faction_id].spec.doctrine.ceasefire_violation_per_day
            if model.streams.uniform(VIOLATION, model.day, *pair, faction_id) < rate:
                return faction_id
    return None


# --- the broker's interests -----------------------------------------------------------


def _interests(model: World, state: State) -> None:
    """The day's hurt to the broker's interests, counted against those who did it; every
    grievance first fades by its half-life."""
    if not model.broker_crossings:
        return
    params = model.parameters
    fade = 0.5 ** (1.0 / params.broker_memory_days)
    hurt = dict.fromkeys(model.factions, 0.0)
    near = _near_crossings(model)
    bought = model.theatre.buys
    places = model.theatre.map.places
    zone = model.border_zone()
    in_zone: set[str] = set()
    for engagement in model.battles:
        fighting = _attackers(model, engagement.place, {u.faction for u in engagement.losses})
        if engagement.place in zone:
            in_zone |= fighting
        for faction in fighting:
            hurt[faction] += len(near.get(engagement.place, ()))
            if places[engagement.place].mineral in bought and places[engagement.place].mine_sites:
                hurt[faction] += params.hurt_per_ore_fight_day
    for crossing in sorted(model.broker_crossings):
        holder, before = model.controller.get(crossing), state.holders.get(crossing)
        if holder != before and holder is not None:
            hurt[holder] += params.hurt_per_crossing_lost
        state.holders[crossing] = holder
    abroad = _refugees_in_broker_country(model)
    arrived, state.refugees_abroad = max(abroad - state.refugees_abroad, 0), abroad
    for faction in in_zone:
        hurt[faction] += params.hurt_per_thousand_refugees * arrived / 1000.0
    for faction_id, faction in model.factions.items():
        faction.grievance = faction.grievance * fade + params.broker_pressure * hurt[faction_id]
        if faction_id in state.warned:
            state.warned[faction_id] += params.broker_pressure * hurt[faction_id]


def _attackers(model: World, place: str, fighting: set[str]) -> set[str]:
    """Those who brought a fight to a place: the sides fighting there other than its holder
    and the holder's allies (all of them where none of those fight, as at nobody's place).
    The broker blames them, not those defending what they hold."""
    holder = model.controller.get(place)
    if holder is None:
        return fighting
    came = {f for f in fighting if not model.allied(f, holder)}
    return came or fighting


def _near_crossings(model: World) -> dict[str, list[str]]:
    """The broker's crossings each place is at or next to: fighting there hurts their trade."""
    near: dict[str, list[str]] = {}
    for crossing in sorted(model.broker_crossings):
        for place in {crossing, *(n for n, _ in model.routes.roads_from[crossing])}:
            near.setdefault(place, []).append(crossing)
    return near


def _refugees_in_broker_country(model: World) -> int:
    places = model.theatre.map.places
    return sum(
        group.size
        for group in model.civilians_stirred.values()
        if group.state is CivilianState.REFUGEE
        and places[group.cell.coordinate].country == model.theatre.broker
    )


def _past_tolerance(model: World) -> frozenset[str]:
    """The factions whose grievance has passed the broker's tolerance."""
    tolerance = model.parameters.broker_tolerance
    return frozenset(
        f
        for f, faction in model.factions.items()
        if faction.grievance >= tolerance and faction.grievance > 0.0
    )


def _warnings(model: World, state: State) -> None:
    """The broker warns each faction that has passed its tolerance, once; a warning lapses
    when the grievance fades back under the tolerance."""
    past = _past_tolerance(model)
    for faction in sorted(set(state.warned) - past):
        del state.warned[faction]
    for faction in sorted(past - set(state.warned)):
        state.warned[faction] = 0.0
        model.log(
            EventKind.WARNING,
            (faction,),
            None,
            f"{model.broker_name} warned the {model.factions[faction].short_name} to stop "
            "the fighting that hurts its trade and its border",
        )


def _aggrieved(model: World, state: State) -> frozenset[str]:
    """The factions that went on hurting the broker after its warning: it acts against them."""
    enough = model.parameters.ultimatum_hurt
    return frozenset(f for f, since in state.warned.items() if since >= enough)


def _border_gates(model: World, state: State) -> None:
    """The broker closes the crossings held by, or fought at by, a faction it has lost
    patience with; a closed crossing reopens once quiet and its holder forgiven."""
    neighbour = model.broker_name
    aggrieved = _aggrieved(model, state)
    fought: dict[str, set[str]] = {}
    near = _near_crossings(model)
    for engagement in model.battles:
        for crossing in near.get(engagement.place, ()):
            fought.setdefault(crossing, set()).update(u.faction for u in engagement.losses)
    for crossing in sorted(model.broker_crossings):
        holder = model.controller.get(crossing)
        if crossing in fought:
            state.gate_quiet[crossing] = 0
        if crossing not in model.closed_crossings:
            blamed = sorted(({holder} | fought.get(crossing, set())) & aggrieved)
            if blamed:
                model.close_crossing(crossing)
                model.log(
                    EventKind.BORDER,
                    tuple(blamed),
                    crossing,
                    f"{neighbour} closed the crossing at {model.place_name(crossing)}, "
                    f"its patience with the {model.list_factions(blamed)} spent",
                )
        elif crossing not in fought:
            state.gate_quiet[crossing] = state.gate_quiet.get(crossing, 0) + 1
            quiet = state.gate_quiet[crossing] >= model.parameters.reopen_quiet_days
            if quiet and holder not in aggrieved:
                model.open_crossing(crossing)
                model.log(
                    EventKind.BORDER,
                    (),
                    crossing,
                    f"{neighbour} reopened the crossing at {model.place_name(crossing)}",
                )


def _ore(model: World, state: State) -> None:
    """The broker stops buying the ore of a faction it holds a deep grievance against, and
    buys again once the grievance has faded."""
    if not model.theatre.buys or not model.broker_crossings:
        return
    tolerance = model.parameters.ore_hold_tolerance
    bought = ", ".join(model.theatre.commodities[c].name for c in model.theatre.buys)
    for faction in sorted(model.factions):
        refuse = model.factions[faction].grievance >= tolerance
        if refuse == (faction in model.ore_refused):
            continue
        model.refuse_ore(faction, refuse)
        name = model.factions[faction].short_name
        verb = "stopped buying" if refuse else "bought again"
        model.log(
            EventKind.ORE, (faction,), None, f"{model.broker_name} {verb} the {name}'s {bought}"
        )
