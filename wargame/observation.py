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


def events_frame(model: ConflictModel) -> pd.DataFrame:
    columns = ["day", "date", "kind", "factions", "place", "text", "sentence"]
    return pd.DataFrame([e.as_record() for e in model.events], columns=columns)


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
