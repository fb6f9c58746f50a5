"""Every measure of a run, said once: its name, meaning, unit, type and how it is computed.

The daily series, the run summary, the batch's Arrow schema, the CLI's tables
and the user guide's output tables are all made from `MEASURES`.

A measure is of the world (one value a day), of each faction (a column per
faction, `<faction>_<name>`), of each faction and each commodity the theatre
declares (`<faction>_<name>_<commodity>`) or of the civilians
(`civilians_<name>`). A faction measure is computed from the faction and the
places it holds, a commodity measure from the faction and the commodity; a
civilian measure from one count of the groups by state, which the day's
tally makes once. A faction's measures, its commodity measures among them,
keep the table's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from wargame.engine.agents import CivilianState, Faction
from wargame.engine.world import World
from wargame.scenario import PlaceKind, Theatre


class Scope(StrEnum):
    WORLD = "world"
    FACTION = "faction"
    COMMODITY = "commodity"
    CIVILIANS = "civilians"


@dataclass(frozen=True)
class Measure:
    name: str
    meaning: str
    unit: str
    kind: type
    """int, float or str: the series' and the batch table's type."""
    scope: Scope
    compute: Callable[..., Any]
    """(world) for the world's; (world, faction, held places) for a faction's;
    (world, faction, commodity) for a faction's of each commodity;
    (world, civilian tally) for the civilians'."""
    label: str = ""
    """Its row's label in `wargame run`'s table of factions; none: not shown there.
    A commodity measure's says `{commodity}` where the commodity's name goes."""

    def key(self, commodity: str | None = None) -> str:
        """Its name in a faction's summary: `income_gas` for the commodity measure `income`."""
        return f"{self.name}_{commodity}" if self.scope is Scope.COMMODITY else self.name

    def column(self, faction: str | None = None, commodity: str | None = None) -> str:
        if self.scope in (Scope.FACTION, Scope.COMMODITY):
            return f"{faction}_{self.key(commodity)}"
        if self.scope is Scope.CIVILIANS:
            return f"civilians_{self.name}"
        return self.name


@dataclass(frozen=True)
class CivilianTally:
    """People by state today, counted once for every civilian measure."""

    displaced: int
    abroad: int
    returned: int


def _held_of_kind(kind: PlaceKind) -> Callable[[World, Faction, list[str]], int]:
    return lambda world, faction, held: sum(world.theatre.map.places[p].kind is kind for p in held)


def _income(source: str) -> Callable[[World, Faction, list[str]], float]:
    return lambda world, faction, held: round(faction.income_total[source], 2)


def _morale(world: World, faction: str) -> float:
    """The faction's soldiers' morale: its units' weighted by their strength."""
    units = [u for u in world.units if u.faction == faction and u.strength > 0]
    soldiers = sum(u.strength for u in units)
    return sum(u.morale * u.strength for u in units) / soldiers if soldiers else 0.0


def _world(name, meaning, unit, kind, compute) -> Measure:
    return Measure(name, meaning, unit, kind, Scope.WORLD, compute)


def _faction(name, meaning, unit, kind, compute, label="") -> Measure:
    return Measure(name, meaning, unit, kind, Scope.FACTION, compute, label)


def _commodity(name, meaning, unit, kind, compute, label="") -> Measure:
    return Measure(name, meaning, unit, kind, Scope.COMMODITY, compute, label)


def _civilians(name, meaning, unit, compute) -> Measure:
    return Measure(name, meaning, unit, int, Scope.CIVILIANS, compute)


MEASURES: tuple[Measure, ...] = (
    _world("day", "days since the start; day 0 is the starting state", "days", int,
           lambda w: w.day),
    _world("date", "the calendar date of that day, YYYY-MM-DD", "date", str,
           lambda w: w.date.isoformat()),
    _world("contested_places", "places where hostile units stand together that day", "places",
           int, lambda w: len(w.contested)),
    _world("events", "events in the log so far (total since day 0)", "count", int,
           lambda w: len(w.events)),
    _world("ceasefires_active", "ceasefires in force that day, one per pair of factions",
           "count", int, lambda w: len(w.truces)),
    _world("crossings_closed", "border crossings the broker (the theatre's neighbour) holds closed",
           "places", int, lambda w: len(w.closed_crossings)),
    _world("walls_worn",
           "fortification sieges have worn away so far, summed over the places (each place's "
           "is 0-1; total)", "fortification", float, lambda w: round(w.walls_worn(), 4)),
    _faction("strength", "soldiers in the faction's units, at places or on the road",
             "soldiers", int,
             lambda w, f, held: sum(u.strength for u in w.units if u.faction == f.id),
             label="soldiers in play"),
    _faction("morale",
             "the morale of the faction's soldiers in play, 0-1: their units' morale weighted "
             "by strength (0 with none in play)", "morale", float,
             lambda w, f, held: round(_morale(w, f.id), 4),
             label="morale"),
    _faction("killed",
             "soldiers put out of action in combat or lost to want of supply so far (total "
             "since day 0)",
             "soldiers", int, lambda w, f, held: f.killed,
             label="soldiers killed"),
    _faction("starved",
             "soldiers lost to want of supply so far: hunger, sickness, desertion (among the "
             "killed; total)", "soldiers", int, lambda w, f, held: f.starved,
             label="  of which starved"),
    _faction("interned",
             "soldiers who retreated across the border and were interned so far, held there "
             "still or handed back since (total)",
             "soldiers", int, lambda w, f, held: f.interned,
             label="soldiers interned"),
    _faction("repatriated",
             "interned soldiers the neighbouring country handed back to the faction so far "
             "(total): in play again",
             "soldiers", int, lambda w, f, held: f.repatriated,
             label="soldiers handed back"),
    _faction("captured",
             "soldiers of encircled garrisons who surrendered to a besieger so far (total)",
             "soldiers", int, lambda w, f, held: f.captured,
             label="soldiers captured"),
    _faction("unsupplied",
             "soldiers no road joins to a source of supply that day, less those a lift "
             "supplies",
             "soldiers", int, lambda w, f, held: round(w.unsupplied.get(f.id, 0.0)),
             label="soldiers unsupplied"),
    _faction("grievance",
             "the broker's grievance against the faction that day: the hurt it did to the "
             "neighbour's interests, fading with time (0 without a broker)",
             "hurt", float, lambda w, f, held: round(f.grievance, 3),
             label="broker's grievance"),
    _faction("idle_units",
             "formations in play that have never left the place they started at, garrisons "
             "excepted (a commander's job for them; `command.Job`)",
             "units", int,
             lambda w, f, held: sum(
                 1 for u in w.units if u.faction == f.id and not u.moved and u.job != "garrison"
             ),
             label="idle formations"),
    _faction("recruited",
             "soldiers recruited at the faction's bases who finished their training and "
             "joined its units so far (total)",
             "soldiers", int, lambda w, f, held: f.recruited,
             label="soldiers recruited"),
    _faction("in_training", "recruits enlisted and paid for, still in training that day",
             "soldiers", int, lambda w, f, held: f.in_training,
             label="  recruits in training"),
    _faction("deserted", "unpaid soldiers who went home so far (total)",
             "soldiers", int, lambda w, f, held: f.deserted,
             label="soldiers deserted"),
    _faction("fire_paid",
             "share of its last day of fighting the faction could pay for (0-1): the next "
             "day its fire falls towards fire_when_unpaid by the share it could not",
             "share", float, lambda w, f, held: round(f.fire_paid, 4),
             label="fighting paid for"),
    _faction("arms",
             "US$ of weapons bought beyond the basic kit, less what was used up or worn out",
             "US$", float, lambda w, f, held: round(f.arms, 2),
             label="arms (US$)"),
    _faction("arms_edge",
             "what the faction's arms per soldier add to its fire the next day, as a share "
             "(towards arms_edge_max)",
             "share", float, lambda w, f, held: round(f.arms_edge, 4),
             label="  fire added by arms"),
    _faction("surrendered",
             "soldiers who surrendered or went home when the faction collapsed (total)",
             "soldiers", int, lambda w, f, held: f.surrendered,
             label="soldiers surrendered"),
    _faction("treasury",
             "money in hand at the end of the day, after upkeep, fighting, recruits and arms",
             "US$", float, lambda w, f, held: round(f.treasury, 2),
             label="treasury (US$)"),
    _faction("revenue_total",
             "income so far from every source: the sum of the four `income_` measures (total)",
             "US$", float, lambda w, f, held: round(f.revenue_total, 2),
             label="revenue (US$)"),
    _faction("income_mines",
             "income from the mines it holds so far, net of the share passed to a patron (total)",
             "US$", float, _income("mines"),
             label="  from mines"),
    _faction("income_trade", "income from trade at the places it holds so far (total)",
             "US$", float, _income("trade"),
             label="  from trade"),
    _faction("income_external",
             "external income so far, such as the military's national budget (total)", "US$",
             float, _income("external"),
             label="  from outside"),
    _faction("income_allies", "shares of allied militias' mine income received so far (total)",
             "US$", float, _income("allies"),
             label="  from allies"),
    _commodity("income",
               "the part of `income_mines` plus `income_allies` that came from the mines of "
               "this commodity so far: not a further source (total)", "US$", float,
               lambda w, f, commodity: round(f.commodity_income_total[commodity], 2),
               label="  mines+allies: {commodity}"),
    _faction("places_held", "places the faction controls, contested ones included", "places",
             int, lambda w, f, held: len(held),
             label="places held"),
    _faction("border_posts_held", "border posts the faction controls, contested ones included",
             "places", int, _held_of_kind(PlaceKind.BORDER_POST),
             label="border posts held"),
    _faction("mine_sites_held",
             "mine sites at the places the faction controls, contested places excluded "
             "(a contested mine pays nothing)", "sites", int,
             lambda w, f, held: sum(
                 w.theatre.map.places[p].mine_sites for p in held if p not in w.contested
             ),
             label="mine sites held"),
    _civilians("population",
               "people alive, wherever they are: the starting population less those killed",
               "people", lambda w, t: w.start_population - w.civilians_killed),
    _civilians("displaced", "people away from home inside the theatre", "people",
               lambda w, t: t.displaced),
    _civilians("refugees_abroad", "people who fled across the border and are still abroad",
               "people", lambda w, t: t.abroad),
    _civilians("returned",
               "people back at home after fleeing (they are among those at home)", "people",
               lambda w, t: t.returned),
    _civilians("killed", "civilians killed in the fighting so far (total since day 0)",
               "people", lambda w, t: w.civilians_killed),
)  # fmt: skip


def of_scope(scope: Scope) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.scope is scope)


def of_factions(commodities: Iterable[str]) -> list[tuple[str, Measure, str | None]]:
    """A faction's measures in the table's order, each commodity measure once per commodity:
    (its key in the faction's summary, the measure, the commodity or None)."""
    commodities = list(commodities)
    keyed: list[tuple[str, Measure, str | None]] = []
    for m in MEASURES:
        if m.scope is Scope.FACTION:
            keyed.append((m.name, m, None))
        elif m.scope is Scope.COMMODITY:
            keyed += [(m.key(c), m, c) for c in commodities]
    return keyed


def columns(theatre: Theatre) -> list[tuple[str, Measure]]:
    """The daily series' columns of a theatre, in order, with their measure."""
    result = [(m.column(), m) for m in of_scope(Scope.WORLD)]
    for faction in theatre.factions:
        result += [(f"{faction}_{key}", m) for key, m, _ in of_factions(theatre.commodities)]
    return result + [(m.column(), m) for m in of_scope(Scope.CIVILIANS)]


def civilian_tally(world: World) -> CivilianTally:
    # Only groups that ever left home can be displaced, abroad or back: a large
    # theatre's groups mostly stay home, and this runs every day.
    displaced = abroad = returned = 0
    for group in world.civilians_stirred.values():
        size, state = group.size, group.state
        if state is CivilianState.DISPLACED:
            displaced += size
        elif state is CivilianState.REFUGEE:
            abroad += size
        elif state is CivilianState.RETURNED:
            returned += size
    return CivilianTally(displaced, abroad, returned)


def faction_measures(world: World, faction_id: str) -> dict[str, Any]:
    """Every faction measure of one faction today, by key (`Measure.key`)."""
    faction = world.factions[faction_id]
    held = [p for p, holder in world.controller.items() if holder == faction_id]
    return {
        key: m.compute(world, faction, held if commodity is None else commodity)
        for key, m, commodity in of_factions(world.theatre.commodities)
    }


def civilian_measures(world: World) -> dict[str, Any]:
    """Every civilian measure today, by name."""
    tally = civilian_tally(world)
    return {m.name: m.compute(world, tally) for m in of_scope(Scope.CIVILIANS)}


def today(world: World) -> dict[str, Any]:
    """Today's row of the daily series: every column's value."""
    row = {m.name: m.compute(world) for m in of_scope(Scope.WORLD)}
    for faction_id in world.factions:
        measures = faction_measures(world, faction_id)
        row.update({f"{faction_id}_{name}": value for name, value in measures.items()})
    row.update({f"civilians_{name}": value for name, value in civilian_measures(world).items()})
    return row


EVENT_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "day": ("the day it happened (day 1 is the first day run)", "days"),
    "date": ("the calendar date it happened, YYYY-MM-DD", "date"),
    "kind": ("what happened: one of the event kinds (`wargame.engine.events.EventKind`)", "name"),
    "factions": ("the factions involved, comma-separated; empty when none", "faction ids"),
    "place": ("where it happened; empty when it has no one place (a ceasefire)", "place id"),
    "text": ("what happened, as a sentence without the day", "text"),
    "sentence": ("`Day N: ` and the text, as the viewer's story shows it", "text"),
}


def events_frame(world: World) -> pd.DataFrame:
    """The event log as a table, one row an event, with the columns of `EVENT_COLUMN_DOCS`."""
    return pd.DataFrame([e.as_record() for e in world.events], columns=list(EVENT_COLUMN_DOCS))


# The summary's keys as dotted paths (`summary["factions"]["kia"]["strength"]` is
# `factions.<faction>.strength`, also the column name in a batch's runs table).
SUMMARY_DOCS: dict[str, tuple[str, str]] = {
    "scenario": ("the theatre: a shipped theatre's name or the folder's name", "name"),
    "seed": ("the seed the run's random streams derive from", "integer"),
    "days": ("days run", "days"),
    "start_date": ("the theatre's first day, YYYY-MM-DD", "date"),
    "end_date": ("the date of the last day run, YYYY-MM-DD", "date"),
    "parameters.<parameter>": (
        "every scenario parameter's value in this run (defaults, the theatre's set-up, "
        "then `--set`)",
        "the parameter's own",
    ),
    "parameters.prices.<commodity>": (
        "each commodity's price in this run: its set-up's `[commodities]` price, or "
        "`--set prices.<commodity>=...`",
        "US$ per tonne",
    ),
    "factions.<faction>.<measure>": (
        "each faction's measures at the end, its commodity measures as `<measure>_<commodity>`",
        "each measure's own",
    ),
    "control.<place>": ("the faction holding each place at the end, or null", "faction id"),
    "contested": ("places where hostile units stand together at the end", "place ids"),
    "civilians.<measure>": ("the civilians' measures at the end", "each measure's own"),
    "ceasefires": ("ceasefires brokered during the run (refused offers not counted)", "count"),
    "ceasefires_broken": ("ceasefires a party broke during the run", "count"),
    "closed_crossings": ("crossings the broker holds closed at the end", "place ids"),
    "events": ("events in the log at the end", "count"),
}


def summary_kinds(
    factions: Iterable[str],
    places: Iterable[str],
    parameters: dict[str, type],
    commodities: Iterable[str],
) -> dict[str, type]:
    """The summary's keys flattened with dots (as the batch's runs table names its columns),
    in the summary's order, with each value's type: the runs table's schema, before any run.

    `places` are the theatre's home places (those `control` names), `parameters`
    the flattened parameters' types, `commodities` the theatre's.
    """
    kinds: dict[str, type] = {
        "scenario": str, "seed": int, "days": int, "start_date": str, "end_date": str
    }  # fmt: skip
    kinds |= {f"parameters.{name}": kind for name, kind in parameters.items()}
    for faction in factions:
        kinds |= {f"factions.{faction}.{key}": m.kind for key, m, _ in of_factions(commodities)}
    kinds |= {f"control.{place}": str for place in places}
    kinds["contested"] = str
    kinds |= {f"civilians.{m.name}": m.kind for m in of_scope(Scope.CIVILIANS)}
    kinds |= {"ceasefires": int, "ceasefires_broken": int, "closed_crossings": str, "events": int}
    return kinds


def summary(world: World) -> dict[str, object]:
    """The run summary: stable keys, plain JSON types."""
    return {
        "scenario": world.theatre.name,
        "seed": world.seed,
        "days": world.day,
        "start_date": world.theatre.start_date.isoformat(),
        "end_date": world.date.isoformat(),
        "parameters": world.parameters.model_dump(),
        "factions": {f: faction_measures(world, f) for f in world.factions},
        "control": dict(world.controller),
        "contested": sorted(world.contested),
        "civilians": civilian_measures(world),
        "ceasefires": world.truces_made,
        "ceasefires_broken": world.truces_broken,
        "closed_crossings": sorted(world.closed_crossings),
        "events": len(world.events),
    }
