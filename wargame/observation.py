"""Phase 9, observation: the daily series (Mesa DataCollector) and the run summary.

The series has one row per day (day 0 is the starting state) and columns
named `<faction>_<measure>` and `civilians_<measure>`; the summary's keys are a
contract that the CLI, the batch runner and the viewer all read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pandas as pd
from mesa import DataCollector

from wargame.agents import CivilianState
from wargame.scenario import PlaceKind

if TYPE_CHECKING:
    from wargame.model import ConflictModel

FACTION_MEASURES = (
    "strength",
    "killed",
    "interned",
    "recruited",
    "surrendered",
    "treasury",
    "revenue_total",
    "places_held",
    "border_posts_held",
    "mine_sites_held",
    "income_mines",
    "income_trade",
    "income_external",
    "income_allies",
    "income_rare_earth",
)
CIVILIAN_MEASURES = ("population", "displaced", "refugees_abroad", "returned", "killed")

# What each measure means and its unit, for the user guide's tables
# (`python docs/generate.py`); a measure without an entry here fails the docs tests.
# The summary holds each measure at the end of the run, the daily series on each day.
FACTION_MEASURE_DOCS: dict[str, tuple[str, str]] = {
    "strength": ("soldiers in the faction's units, at places or on the road", "soldiers"),
    "killed": ("soldiers put out of action in combat so far (total since day 0)", "soldiers"),
    "interned": (
        "soldiers who retreated across the border and were interned so far (total)",
        "soldiers",
    ),
    "recruited": ("soldiers recruited at the faction's bases so far (total)", "soldiers"),
    "surrendered": (
        "soldiers who surrendered or went home when the faction collapsed (total)",
        "soldiers",
    ),
    "treasury": ("money in hand at the end of the day, after upkeep and recruits", "US$"),
    "revenue_total": (
        "income so far from every source: the sum of the four `income_` measures (total)",
        "US$",
    ),
    "places_held": ("places the faction controls, contested ones included", "places"),
    "border_posts_held": (
        "border posts the faction controls, contested ones included",
        "places",
    ),
    "mine_sites_held": (
        "mine sites at the places the faction controls, contested places excluded "
        "(a contested mine pays nothing)",
        "sites",
    ),
    "income_mines": (
        "income from the mines it holds so far, net of the share passed to a patron (total)",
        "US$",
    ),
    "income_trade": ("income from border trade at the posts it holds so far (total)", "US$"),
    "income_external": (
        "external income so far, such as the military's national budget (total)",
        "US$",
    ),
    "income_allies": (
        "shares of allied militias' mine income received so far (total)",
        "US$",
    ),
    "income_rare_earth": (
        "the rare-earth part of `income_mines` plus `income_allies` so far: "
        "not a further source (total)",
        "US$",
    ),
}
CIVILIAN_MEASURE_DOCS: dict[str, tuple[str, str]] = {
    "population": (
        "people alive, wherever they are: the starting population less those killed",
        "people",
    ),
    "displaced": ("people away from home inside the theatre", "people"),
    "refugees_abroad": ("people who fled across the border and are still abroad", "people"),
    "returned": ("people back at home after fleeing (they are among those at home)", "people"),
    "killed": ("civilians killed in the fighting so far (total since day 0)", "people"),
}


def faction_measures(model: ConflictModel, faction_id: str) -> dict[str, float]:
    faction = model.factions[faction_id]
    held = [p for p, f in model.controller.items() if f == faction_id]
    places = model.theatre.map.places
    return {
        "strength": sum(u.strength for u in model.units if u.faction == faction_id),
        "killed": faction.killed,
        "interned": faction.interned,
        "recruited": faction.recruited,
        "surrendered": faction.surrendered,
        "treasury": round(faction.treasury, 2),
        "revenue_total": round(faction.revenue_total, 2),
        "places_held": len(held),
        "border_posts_held": sum(places[p].kind is PlaceKind.BORDER_POST for p in held),
        "mine_sites_held": sum(places[p].mine_sites for p in held if p not in model.contested),
        **{f"income_{k}": round(v, 2) for k, v in faction.income_total.items()},
        "income_rare_earth": round(faction.rare_earth_total, 2),
    }


def civilian_measures(model: ConflictModel) -> dict[str, int]:
    # Only groups that ever left home can be displaced, abroad or back, and the
    # living are the starting population less the killed (people are conserved):
    # a large theatre's groups mostly stay home, and this runs every day.
    displaced = abroad = returned = 0
    population = model.start_population - model.civilians_killed
    for group in model.civilians_stirred.values():
        size, state = group.size, group.state
        if state is CivilianState.DISPLACED:
            displaced += size
        elif state is CivilianState.REFUGEE:
            abroad += size
        elif state is CivilianState.RETURNED:
            returned += size
    return {
        "population": population,
        "displaced": displaced,
        "refugees_abroad": abroad,
        "returned": returned,
        "killed": model.civilians_killed,
    }


MODEL_MEASURES = (
    "day",
    "date",
    "contested_places",
    "events",
    "ceasefires_active",
    "crossings_closed",
)
MODEL_MEASURE_DOCS: dict[str, tuple[str, str]] = {
    "day": ("days since the start; day 0 is the starting state", "days"),
    "date": ("the calendar date of that day, YYYY-MM-DD", "date"),
    "contested_places": ("places where hostile units stand together that day", "places"),
    "events": ("events in the log so far (total since day 0)", "count"),
    "ceasefires_active": ("ceasefires in force that day, one per pair of factions", "count"),
    "crossings_closed": ("border crossings the neighbouring country holds closed", "places"),
}


def series_columns(faction_ids: Iterable[str]) -> list[str]:
    """The daily series' column names for a theatre with these factions, in order."""
    columns = list(MODEL_MEASURES)
    columns += [f"{f}_{key}" for f in faction_ids for key in FACTION_MEASURES]
    return columns + [f"civilians_{key}" for key in CIVILIAN_MEASURES]


def _reporter(measure: Callable[[ConflictModel], dict], key: str) -> Callable:
    return lambda model: measure(model)[key]


def make_datacollector(model: ConflictModel) -> DataCollector:
    """One reporter per series column; each day's measures are computed once and cached."""
    reporters: dict[str, Callable] = {
        "day": lambda m: m.day,
        "date": lambda m: m.date.isoformat(),
        "contested_places": lambda m: len(m.contested),
        "events": lambda m: len(m.events),
        "ceasefires_active": lambda m: len(m.ceasefire_pairs),
        "crossings_closed": lambda m: len(m.closed_crossings),
    }
    for faction_id in model.factions:
        for key in FACTION_MEASURES:
            reporters[f"{faction_id}_{key}"] = _reporter(
                lambda m, f=faction_id: m.measures_today(("faction", f)), key
            )
    for key in CIVILIAN_MEASURES:
        reporters[f"civilians_{key}"] = _reporter(lambda m: m.measures_today(("civilians",)), key)
    return DailySeries(model_reporters=reporters)


class DailySeries(DataCollector):
    """Mesa's DataCollector without its deepcopy of each value (a tenth of a default run).

    Every reporter here returns a number or a string, which nothing can change
    after the day it was read, so there is nothing to copy.
    """

    def collect(self, model: ConflictModel) -> None:
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))


def series(model: ConflictModel) -> pd.DataFrame:
    """The daily series as a data frame indexed by nothing but its `day` column."""
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


EVENT_COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "day": ("the day it happened (day 1 is the first day run)", "days"),
    "date": ("the calendar date it happened, YYYY-MM-DD", "date"),
    "kind": ("what happened: one of the event kinds (`wargame.events.EventKind`)", "name"),
    "factions": ("the factions involved, comma-separated; empty when none", "faction ids"),
    "place": ("where it happened; empty when it has no one place (a ceasefire)", "place id"),
    "text": ("what happened, as a sentence without the day", "text"),
    "sentence": ("`Day N: ` and the text, as the viewer's story shows it", "text"),
}


def events_frame(model: ConflictModel) -> pd.DataFrame:
    columns = ["day", "date", "kind", "factions", "place", "text", "sentence"]
    return pd.DataFrame([e.as_record() for e in model.events], columns=columns)


# The summary's keys as dotted paths (`summary["factions"]["kia"]["strength"]` is
# `factions.<faction>.strength`, also the column name in a batch's runs table).
SUMMARY_DOCS: dict[str, tuple[str, str]] = {
    "scenario": ("the theatre: a shipped theatre's name or the folder's name", "name"),
    "seed": ("the seed of the run's one random generator", "integer"),
    "days": ("days run", "days"),
    "start_date": ("the theatre's first day, YYYY-MM-DD", "date"),
    "end_date": ("the date of the last day run, YYYY-MM-DD", "date"),
    "parameters.<parameter>": (
        "every scenario parameter's value in this run (defaults, the theatre's set-up, "
        "then `--set`)",
        "the parameter's own",
    ),
    "factions.<faction>.<measure>": ("each faction's measures at the end", "each measure's own"),
    "control.<place>": ("the faction holding each place at the end, or null", "faction id"),
    "contested": ("places where hostile units stand together at the end", "place ids"),
    "civilians.<measure>": ("the civilians' measures at the end", "each measure's own"),
    "ceasefires": ("ceasefires brokered during the run (refused offers not counted)", "count"),
    "ceasefires_broken": ("ceasefires a party broke during the run", "count"),
    "closed_crossings": ("crossings the neighbouring country holds closed at the end", "place ids"),
    "events": ("events in the log at the end", "count"),
}


def summary(model: ConflictModel) -> dict[str, object]:
    """The run summary: stable keys, plain JSON types."""
    return {
        "scenario": model.theatre.name,
        "seed": model.seed,
        "days": model.day,
        "start_date": model.theatre.start_date.isoformat(),
        "end_date": model.date.isoformat(),
        "parameters": model.parameters.model_dump(),
        "factions": {f: faction_measures(model, f) for f in model.factions},
        "control": dict(model.controller),
        "contested": sorted(model.contested),
        "civilians": civilian_measures(model),
        "ceasefires": model.ceasefires,
        "ceasefires_broken": model.ceasefires_broken,
        "closed_crossings": sorted(model.closed_crossings),
        "events": len(model.events),
    }
