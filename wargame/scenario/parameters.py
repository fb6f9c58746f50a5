"""The scenario parameters: every number a user may change with `--set`.

A theatre's set-up file overrides these defaults in its `[parameters]` table;
a user overrides the theatre with `--set name=value`. Each field says its unit
and where its default came from, so `docs/ODD.md` and `wargame run --help`
can list them.

Commodity prices are the theatre's own: its set-up declares each commodity
with its price (`[commodities.<id>] price = ...`), and a layer overrides one
as `prices.<id>` (`--set prices.gas=5.2`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)


def not_true_or_false(value: object) -> object:
    """No parameter is a yes/no: `true` for a number is a slip, not 1."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true or false")
    return value


PRICES = "prices"
PRICE_MAX = 10_000_000.0
"""The highest price a commodity may have, US$ per tonne: far above any mineral's."""
Price = Annotated[float, BeforeValidator(not_true_or_false), Field(ge=0.0, le=PRICE_MAX)]

RETIRED = {
    "china_pressure": "renamed 'broker_pressure' (the pressure of the theatre's [broker])",
    "china_deterrence": "renamed 'broker_deterrence' (the deterrence of the theatre's [broker])",
    "rare_earth_price": "each commodity has its own price now: {prices}",
    "closure_rate_per_day": "the broker no longer closes crossings by chance: it closes them "
    "when its interests are hurt past 'broker_tolerance'",
    "other_mineral_price": "each commodity has its own price now: {prices}",
}
"""Names parameters had before theatres carried their own neighbour and commodities, and
what replaced each: a file or command that still uses one is told the new name."""


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    capture_days: int = Field(
        default=3,
        ge=1,
        le=365,
        description="days of sole armed presence before a place changes hands "
        "(judgement: a few days to clear and occupy a town)",
    )
    speed_highway_km_per_day: float = Field(
        default=40.0,
        gt=0.0,
        le=1000.0,
        description="km a unit covers per day on a highway (judgement: trucks under threat)",
    )
    speed_road_km_per_day: float = Field(
        default=25.0,
        gt=0.0,
        le=1000.0,
        description="km per day on a road (judgement: mixed trucks and foot)",
    )
    speed_track_km_per_day: float = Field(
        default=12.0,
        gt=0.0,
        le=1000.0,
        description="km per day on a mountain track (judgement: infantry on foot)",
    )
    speed_river_km_per_day: float = Field(
        default=60.0,
        gt=0.0,
        le=1000.0,
        description="km per day by boat on a river route (judgement: river boats and landing "
        "craft by day, slowed by checkpoints and fire from the banks)",
    )
    speed_sea_km_per_day: float = Field(
        default=150.0,
        gt=0.0,
        le=1000.0,
        description="km per day by sea along a coast or to an island (judgement: landing craft "
        "at about 8 knots for most of a day)",
    )
    travel_friction: float = Field(
        default=0.25,
        ge=0.0,
        le=2.0,
        description="coefficient of variation of a unit's daily progress on the road "
        "(judgement: breakdowns, weather, checkpoints; 0 makes travel times exact)",
    )
    combat_mode: Literal["stochastic", "deterministic"] = Field(
        default="stochastic",
        description="'deterministic' applies the exact square-law losses; 'stochastic' draws "
        "binomial casualties whose expectation is that loss",
    )
    fortification_bonus: float = Field(
        default=1.5,
        ge=0.0,
        le=100.0,
        description="the fire a place's holder (and its allies) takes there is divided by "
        "1 + bonus x fortification: walls protect, they add nothing to the holder's fire "
        "(judgement: a fortified HQ (0.6) halves its losses, so an attacker needs "
        "sqrt(1.9) = 1.4 times the garrison to win)",
    )
    morale_loss_per_casualty: float = Field(
        default=1.5,
        ge=0.0,
        le=100.0,
        description="morale lost per fraction of a unit's strength lost in a day "
        "(judgement: a unit losing a fifth of its men in a day loses 0.3)",
    )
    morale_outnumbered_per_day: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="morale lost per day per unit of force ratio above 1 against it (judgement)",
    )
    morale_cut_off_per_day: float = Field(
        default=0.03,
        ge=0.0,
        le=1.0,
        description="morale lost per day with no road to friendly ground (judgement)",
    )
    rally_margin: float = Field(
        default=0.15,
        ge=0.0,
        le=1.0,
        description="a broken unit returns to duty when morale is this far above its break point",
    )
    internment_reach_days: float = Field(
        default=2.0,
        ge=0.0,
        le=365.0,
        description="a broken unit cut off from all friendly ground makes for the border, "
        "crossing on arrival, when a crossing is this many travel days away or less; 0 turns "
        "internment off (judgement)",
    )
    scatter_share: float = Field(
        default=0.1,
        ge=0.0,
        lt=1.0,
        description="share of a garrison broken under attack at a crossing its side holds "
        "that scatters across the border while the rest falls back, when the country beyond "
        "takes soldiers in and internment is on (judgement: 62 of a border town's garrison "
        "fled abroad as it fell [8]); 0: none",
    )
    supply_stock_days: int = Field(
        default=14,
        ge=0,
        le=365,
        description="days a unit cut off from supply lives on its stocks before it starts to "
        "waste away (judgement: a garrison keeps a few weeks' food and ammunition)",
    )
    supply_attrition_per_day: float = Field(
        default=0.005,
        ge=0.0,
        le=1.0,
        description="share of its soldiers a unit past its stocks without supply loses a day to "
        "hunger, sickness and desertion (judgement: a sixth of a garrison in a month)",
    )
    morale_unsupplied_per_day: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="morale a unit past its stocks without supply loses a day (judgement: "
        "with the stocks, a garrison of morale 0.7 reaches surrender_morale in about ten "
        "weeks, as Laukkai's garrison of ~2,400 surrendered in Jan 2024 after about ten weeks "
        "of encirclement [issue 20])",
    )
    siege_wear_per_day: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="fortification (0-1) an encircled place loses each day it is fought over "
        "(judgement: a fortified HQ (0.7) is worn away in about ten weeks of fighting, as "
        "Bhamo's outer positions fell during its siege from 4 Dec 2024 [20][21]; Putao, whose "
        "road was cut from 9 Mar 2024, held all year [28][64])",
    )
    surrender_morale: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="an encircled, invested garrison without supply surrenders when its "
        "morale falls below this (judgement; LID-88 troops surrendered at Bhamo on 14 Jan "
        "2025 [78]); 0: no garrison ever surrenders",
    )
    lift_capacity_scale: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="multiplies the soldiers each of the theatre's [[lift]]s can keep supplied "
        "(1: as the set-up says; 0: no lift)",
    )
    prices: dict[str, Price] = Field(
        default_factory=dict,
        description="US$ per tonne of each commodity the theatre's mines yield: "
        "`prices.<commodity>`, by default the price its set-up declares in [commodities]",
    )
    mine_output_per_site: float = Field(
        default=0.38,
        ge=0.0,
        le=1000.0,
        description="tonnes per mine site per day (41,700 t/yr from ~300 sites [11][12])",
    )
    mine_tax_share: float = Field(
        default=0.146,
        ge=0.0,
        le=1.0,
        description="share of a mine's output value its controller takes (the KIA's 35,000 "
        "yuan, ~US$4,900, per tonne of rare earths [15] over US$33,600 per tonne)",
    )
    patron_share: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="share of an allied militia's mine revenue passed to its patron (judgement)",
    )
    external_income_factor: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="multiplies each faction's external income, e.g. the military's budget",
    )
    recruits_per_base_per_day: int = Field(
        default=2,
        ge=0,
        le=10_000,
        description="recruits a quiet base can take into training per day, while money and "
        "manpower last (judgement)",
    )
    training_days: int = Field(
        default=60,
        ge=0,
        le=730,
        description="days a recruit trains before joining a unit at the base (judgement)",
    )
    payroll_reserve_days: float = Field(
        default=30.0,
        ge=0.0,
        le=3650.0,
        description="a faction spends on recruits, then on arms, what its treasury holds "
        "beyond this many days of paying its soldiers and of all of them fighting: the "
        "reserve its doctrine keeps (judgement)",
    )
    desertion_unpaid_per_day: float = Field(
        default=0.01,
        ge=0.0,
        le=1.0,
        description="share of its soldiers an army that pays none of its payroll loses to "
        "desertion a day; in proportion when it pays part (judgement)",
    )
    fire_when_unpaid: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="share of its fire a side keeps the day after it could pay nothing for "
        "its fighting: what its soldiers carry (judgement)",
    )
    arms_edge_max: float = Field(
        default=0.25,
        ge=0.0,
        le=10.0,
        description="the most that weapons bought beyond a side's basic kit (drones, mortars, "
        "artillery, air power) add to its fire, as a share: approached as its arms per "
        "soldier grow (judgement, held to the default theatre's patterns: the ODD says how)",
    )
    arms_half_per_soldier: float = Field(
        default=2000.0,
        gt=0.0,
        le=1e7,
        description="US$ of arms per soldier that give half of `arms_edge_max` (judgement)",
    )
    arms_wear_per_day: float = Field(
        default=0.0027,
        ge=0.0,
        le=1.0,
        description="share of a side's arms used up or worn out a day: bought arms last about "
        "a year (judgement)",
    )
    unpaid_morale_per_day: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="morale lost per day by every unit of a faction that cannot pay its "
        "soldiers (judgement)",
    )
    trade_share: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="share of a place's trade its controller takes in duties and fees (judgement)",
    )
    worth_border_post: float = Field(
        default=1.0, ge=0.0, le=100.0, description="strategic worth of a border post (0-1 scale)"
    )
    worth_base: float = Field(
        default=0.8, ge=0.0, le=100.0, description="strategic worth of a base"
    )
    worth_mine: float = Field(
        default=0.5, ge=0.0, le=100.0, description="strategic worth of a mine area"
    )
    worth_town: float = Field(
        default=0.3,
        ge=0.0,
        le=100.0,
        description="strategic worth of a town, plus up to 0.3 by population",
    )
    objective_discount_per_day: float = Field(
        default=0.8,
        ge=0.0,
        lt=1.0,
        description="a place's value to an attacker includes what lies beyond it, discounted "
        "by this factor per travel day (judgement)",
    )
    key_town_population: int = Field(
        default=20_000,
        ge=0,
        le=1_000_000_000,
        description="towns this populous are key places that keep a garrison (judgement)",
    )
    replan_days: int = Field(
        default=3,
        ge=1,
        le=365,
        description="days between a doctrine commander's plans; between them a unit keeps its "
        "orders unless its objective changes hands, it is attacked, it rallies or it is cut "
        "off past its stocks (judgement: a brigade staff's planning cycle); a faction's "
        "doctrine may set its own",
    )
    leash_days: float = Field(
        default=3.0,
        gt=0.0,
        le=365.0,
        description="travel days from its home place beyond which a garrison unit is never "
        "ordered (judgement: garrisons stay within their region; reserves go wherever a threat "
        "calls them); a doctrine may set its own",
    )
    reserve_share: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="share of a faction's field units (those not in garrison) kept as a reserve "
        "that moves to threatened friendly places (judgement); a doctrine may set its own",
    )
    sight_roads: int = Field(
        default=1,
        ge=0,
        le=20,
        description="roads beyond its own places and units' positions a side sees enemy units "
        "(judgement: patrols and informants about a day's march out); the classroom's fog "
        "and the commanders both use it",
    )
    intelligence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="daily chance a side learns the enemy presence at each place beyond its "
        "sight (0: nothing beyond sight, 1: no fog) (judgement); a doctrine may set its own",
    )
    broker_pressure: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="the broker's pressure for calm on its border, 0 to 1: scales its chances "
        "of brokering ceasefires and closing crossings (judgement)",
    )
    broker_deterrence: float = Field(
        default=0.3,
        ge=0.0,
        le=100.0,
        description="value a commander takes off a target near the broker's crossings at full "
        "pressure: its envoys, gate closures and threats (judgement)",
    )
    border_zone_days: float = Field(
        default=1.5,
        ge=0.0,
        le=365.0,
        description="fighting within this many travel days of a crossing of the broker's counts "
        "as near its border (judgement)",
    )
    ceasefire_trigger_days: int = Field(
        default=14,
        ge=1,
        le=3650,
        description="days of fighting near the border before the broker steps in (judgement)",
    )
    ceasefire_rate_per_day: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="daily chance of a ceasefire at full pressure once fighting has gone on "
        "(judgement)",
    )
    momentum_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="a side that took more places (from anyone, empty ones too) than it lost "
        "in this many days is winning and refuses a broker's truce, unless its commander says "
        "otherwise (judgement: a truce is taken in a stalemate, not in an advance [25][28]); "
        "0: every side accepts",
    )
    broker_tolerance: float = Field(
        default=60.0,
        ge=0.0,
        le=10_000.0,
        description="hurt to its interests the broker bears from one faction before it closes "
        "the crossings that faction holds or fights at; a day of fighting at or next to one of "
        "its crossings is 1 at full pressure (judgement)",
    )
    ultimatum_hurt: float = Field(
        default=5.0,
        ge=0.0,
        le=10_000.0,
        description="hurt a faction the broker has warned (its grievance past "
        "'broker_tolerance') must go on to do before the broker closes its crossings: five days "
        "of fighting by a crossing, or half of one crossing taken (judgement: a warning, then "
        "days of fighting, then the closure); 0: it closes them with the warning",
    )
    broker_memory_days: float = Field(
        default=90.0,
        gt=0.0,
        le=10_000.0,
        description="half-life of the broker's grievance against a faction, in days without "
        "new hurt (judgement)",
    )
    hurt_per_crossing_lost: float = Field(
        default=10.0,
        ge=0.0,
        le=10_000.0,
        description="hurt to the broker when a faction takes one of its crossings, counted to "
        "the captor (judgement: its trade stops while the gate changes hands)",
    )
    hurt_per_ore_fight_day: float = Field(
        default=1.0,
        ge=0.0,
        le=10_000.0,
        description="hurt to the broker per day of fighting at a mine whose ore it buys, to "
        "each faction fighting there (judgement)",
    )
    hurt_per_thousand_refugees: float = Field(
        default=1.0,
        ge=0.0,
        le=10_000.0,
        description="hurt to the broker per 1,000 refugees arriving in its country, to each "
        "faction fighting near its border that day (judgement)",
    )
    ore_hold_tolerance: float = Field(
        default=200.0,
        ge=0.0,
        le=10_000.0,
        description="grievance at which the broker stops buying a faction's ore (of the "
        "commodities it buys): that faction's mines of them then earn only what a market of "
        "their commodity in reach pays (judgement; "
        "a neighbour threatened so in May 2025 [14])",
    )
    reopen_quiet_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="days without fighting by a closed crossing before it reopens (judgement)",
    )
    alliance_threshold: float = Field(
        default=0.3,
        ge=-1.0,
        le=1.0,
        description="a militia whose relation to its patron falls below this stops fighting "
        "for it (judgement)",
    )
    militia_loyalty: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        description="starting relation of each militia to its patron, overriding the faction "
        "files; unset keeps the files' value",
    )
    rival_offer: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description="how far the patron's enemy softens towards a militia that breaks with "
        "its patron: a militia leaves only when the rival's relation to it plus this is not "
        "hostile, else it keeps faith out of need (judgement: the KIA offered the NDA-K none, "
        "and it fought on until its headquarters fell [5][32])",
    )
    alliance_strain_unhelped_per_day: float = Field(
        default=0.01,
        ge=0.0,
        le=2.0,
        description="relation a militia loses per place attacked per day with no patron unit "
        "there (judgement)",
    )
    alliance_strain_per_loss: float = Field(
        default=0.05,
        ge=0.0,
        le=2.0,
        description="relation a militia loses each time its patron loses a place in its region "
        "(judgement)",
    )
    drawn_in_per_loss: float = Field(
        default=0.1,
        ge=0.0,
        le=2.0,
        description="relation an ally at peace with its partner's enemy loses to that enemy, "
        "both ways, each time the enemy takes one of the partner's places next to the ally's "
        "own (one road away): below zero they are at war (judgement; 0: no one is drawn in)",
    )
    collapse_strength_share: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="a faction left with less than this share of its starting strength "
        "surrenders or disbands (judgement; >100 militia surrendered on 4 Nov 2024 [77])",
    )
    civilians_killed_per_casualty: float = Field(
        default=0.3,
        ge=0.0,
        le=100.0,
        description="civilians killed per soldier put out of action in a populated place "
        "(judgement: shelling and air strikes; e.g. 29 killed at Mung Lai Hkyet [42])",
    )
    civilian_harm_fortified: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="extra civilians killed in fighting at a fortified place, as a share of "
        "`civilians_killed_per_casualty` per unit of fortification: siege and street "
        "fighting in a town cost more lives than a skirmish (judgement)",
    )
    flee_chance_fighting: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="daily chance that a group leaves a place fought over that day: a town "
        "empties over days, not at once (judgement; held to the theatre's displaced counts, "
        "ODD: Civilians)",
    )
    flee_chance_near: float = Field(
        default=0.002,
        ge=0.0,
        le=1.0,
        description="the same when the fighting is one road away (judgement; held to the "
        "theatre's displaced counts, ODD: Civilians)",
    )
    flee_fear_half_life_days: float = Field(
        default=5.0,
        gt=0.0,
        le=3650.0,
        description="days after which the chance to flee fighting a group saw is halved: fear "
        "outlasts the fighting, then fades (judgement)",
    )
    flee_awareness_days: float = Field(
        default=3.0,
        ge=0.0,
        le=365.0,
        description="people who flee know the places within this many travel days and choose "
        "among them (judgement, after the Flee model's awareness of nearby places)",
    )
    camp_attraction: float = Field(
        default=2.0,
        ge=0.0,
        le=100.0,
        description="weight of a camp with all its room free against a town's 1 when people "
        "choose where to flee; a full camp weighs as a town (judgement, after Flee's camps)",
    )
    abroad_attraction: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="weight of crossing the border through an open crossing within "
        "`refugee_reach_days` against a town's 1 (judgement)",
    )
    refugee_reach_days: float = Field(
        default=1.5,
        ge=0.0,
        le=365.0,
        description="people weigh fleeing abroad when an open crossing is this near "
        "(travel days; judgement)",
    )
    recruits_per_displaced: float = Field(
        default=0.005,
        ge=0.0,
        le=1.0,
        description="recruits the holder of a place gains to its manpower for each person "
        "newly displaced who shelters there: the displaced and aggrieved join up or are "
        "conscripted (judgement: armed groups recruit among the displaced, and militaries "
        "conscript in camps)",
    )
    return_quiet_days: int = Field(
        default=45,
        ge=0,
        le=3650,
        description="days without fighting at or next to home before people go back (judgement)",
    )
    return_quiet_days_called: int = Field(
        default=10,
        ge=0,
        le=3650,
        description="the same when the faction holding home has called people back (judgement)",
    )
    return_rate_per_day: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="daily chance that a group free to go home sets off (judgement)",
    )
    civilian_group_size: int = Field(
        default=500,
        ge=1,
        le=10_000_000,
        description="people per civilian group (the brief: a few hundred)",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _not_true_or_false(cls, value: object) -> object:
        return not_true_or_false(value)

    @model_validator(mode="after")
    def _road_kinds_in_order(self) -> Parameters:
        """Speeds that rank the road kinds the wrong way round can be meant (a highway
        washed out) but are more often a slip, so they are said and the run goes on."""
        # imported here: the scenario package imports this module
        from wargame.scenario.errors import warn

        speeds = [self.speed(kind) for kind in ROAD_KINDS_FASTEST_FIRST]
        if speeds != sorted(speeds, reverse=True):
            given = ", ".join(
                f"speed_{kind}_km_per_day {speed:g}"
                for kind, speed in zip(ROAD_KINDS_FASTEST_FIRST, speeds, strict=True)
            )
            warn(
                None,
                "parameters",
                f"{given}: expected highway >= road >= track, the road kinds from fastest down",
            )
        return self

    def speed(self, road_kind: str) -> float:
        """Travel speed in km/day on a road of the given kind."""
        return getattr(self, f"speed_{road_kind}_km_per_day")

    def value(self, name: str) -> object:
        """A parameter's value by the name `--set` gives it (`prices.<commodity>` for a price)."""
        commodity = commodity_of(name)
        return self.prices[commodity] if commodity is not None else getattr(self, name)


ROAD_KINDS_FASTEST_FIRST = ("highway", "road", "track")
"""The land road kinds, whose speeds are expected in this order (boat routes are not ranked)."""


def parameter_names() -> list[str]:
    return list(Parameters.model_fields)


def commodity_of(name: str) -> str | None:
    """'prices.gas' -> 'gas': the commodity a price parameter is of (None: not a price)."""
    prefix = f"{PRICES}."
    return name.removeprefix(prefix) if name.startswith(prefix) else None


type Dotted[V] = dict[str, V | Dotted[V]]
"""A table of `V` as TOML reads it when its keys have dots: `prices.gas = 5` is
{"prices": {"gas": 5}}. `dotted` flattens it; a field validated through `dotted` names
this as its input, so the files' JSON Schemas accept both ways of writing it."""


def dotted(table: object) -> object:
    """A parameter table with its tables flattened: TOML reads `prices.gas = 5` (or a
    `[parameters.prices]` table) as {"prices": {"gas": 5}}, a layer has {"prices.gas": 5}."""
    if not isinstance(table, Mapping):
        return table
    flat: dict[str, object] = {}
    for name, value in table.items():
        if isinstance(value, Mapping):
            flat.update({f"{name}.{key}": inner for key, inner in dotted(value).items()})
        else:
            flat[name] = value
    return flat


def valid_range(name: str) -> str:
    """What a parameter accepts, in words: "a number from 0 to 1", "one of ..."."""
    if commodity_of(name) is not None or name == PRICES:
        return f"a number from 0 to {_number(PRICE_MAX)}"
    field = Parameters.model_fields[name]
    if get_origin(field.annotation) is Literal:
        return "one of " + ", ".join(repr(v) for v in get_args(field.annotation))
    bounds = {
        key: _number(getattr(b, key))
        for b in field.metadata
        for key in ("ge", "gt", "le", "lt")
        if hasattr(b, key)
    }
    kind = "a whole number" if field.annotation is int else "a number"
    if "gt" in bounds or "lt" in bounds:
        low = f"at least {bounds['ge']}" if "ge" in bounds else f"greater than {bounds['gt']}"
        high = f"at most {bounds['le']}" if "le" in bounds else f"less than {bounds['lt']}"
        words = f"{kind} {low} and {high}"
    else:
        words = f"{kind} from {bounds['ge']} to {bounds['le']}"
    return words + (", or left unset" if field.default is None else "")


def declared_bounds(name: str) -> tuple[float, float] | None:
    """The lowest and highest value a numeric parameter declares (its `ge` and `le`), or None
    when it lacks either (a bound it may not reach, or none): a search needs both ends."""
    if commodity_of(name) is not None:
        return (0.0, PRICE_MAX)
    field = Parameters.model_fields[name]
    bounds = {k: getattr(b, k) for b in field.metadata for k in ("ge", "le") if hasattr(b, k)}
    if {"ge", "le"} <= bounds.keys():
        return (float(bounds["ge"]), float(bounds["le"]))
    return None


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def parameter_problem(error: ValidationError) -> tuple[str, str]:
    """The parameter a ValidationError is about, and its problem worded with the valid range."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    name = ".".join(loc[:2]) if loc[:1] == [PRICES] else (loc[0] if loc else "")
    if name not in Parameters.model_fields and commodity_of(name) is None:
        return name, first["msg"]
    if first["type"] == "value_error":  # our own validators' words
        return name, str(first.get("ctx", {}).get("error", first["msg"]))
    return name, f"expected {valid_range(name)}, got {first.get('input')!r}"


SET_AT_START: dict[str, str] = {
    "civilian_group_size": "it splits each place's people into groups when the model is built",
    "militia_loyalty": "it is each militia's relation to its patron on day 0, which the war "
    "then moves (and may break)",
}
"""Parameters read only when a model is built, and why: a run under way cannot take a new
value of one (`World.parameters` refuses it), so a fork (`wargame run --fork`) cannot."""


class SetAtStartError(ValueError):
    """A change a run under way cannot make: `names` are parameters of `SET_AT_START`."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "; ".join(f"{name} cannot change during a run: {SET_AT_START[name]}" for name in names)
        )
        self.names = names


def with_changes(
    parameters: Parameters, values: Mapping[str, object], prices: Mapping[str, float]
) -> Parameters:
    """`parameters` with `values` on top, checked and typed: what a run under way takes from
    a fork's change or a theatre's dated event (`prices` are the theatre's commodities).

    Raises SetAtStartError for a parameter only read when a model is built (whatever its
    value), UnknownParameterError for a name the theatre lacks and pydantic's
    ValidationError for a value outside a parameter's range.
    """
    fixed = [name for name in dotted(values) if name in SET_AT_START]
    if fixed:
        raise SetAtStartError(fixed)
    return make_parameters(parameters.model_dump(), values, prices=prices)


class NotANumberError(ValueError):
    """A dated event scales a parameter that is not a number (`name`)."""

    def __init__(self, name: str, value: object) -> None:
        super().__init__(f"{name} is not a number (it is {value!r}): only a number scales")
        self.name = name


def scaled_values(parameters: Parameters, factors: Mapping[str, float]) -> dict[str, object]:
    """Each numeric parameter of `factors` times its factor, as a change `with_changes` takes:
    a whole number is rounded to the nearest (halves up), and the product is kept within the
    parameter's range, at a bound it may reach or just inside one it may not (a factor scales
    the run's own value, which a sweep or a `--set` may have put near a bound). Raises
    NotANumberError for a parameter that is not a number."""
    changes: dict[str, object] = {}
    for name, factor in factors.items():
        commodity = commodity_of(name)
        if commodity is not None:
            value = parameters.prices.get(commodity)
        else:
            value = getattr(parameters, name, None)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotANumberError(name, value)
        product = value * factor
        if isinstance(value, int):
            product = math.floor(product + 0.5)
        low, high = _reachable_range(name, whole=isinstance(value, int))
        changes[name] = min(max(product, low), high)
    return changes


def _reachable_range(name: str, whole: bool) -> tuple[float, float]:
    """The lowest and highest value a parameter accepts, an open bound moved just inside."""
    if commodity_of(name) is not None:
        return (0.0, PRICE_MAX)
    low, high = -math.inf, math.inf
    for bound in Parameters.model_fields[name].metadata:
        step = 1 if whole else None
        if getattr(bound, "ge", None) is not None:
            low = bound.ge
        if getattr(bound, "gt", None) is not None:
            low = bound.gt + step if step else math.nextafter(bound.gt, math.inf)
        if getattr(bound, "le", None) is not None:
            high = bound.le
        if getattr(bound, "lt", None) is not None:
            high = bound.lt - step if step else math.nextafter(bound.lt, -math.inf)
    return low, high


def mid_run_names(prices: Mapping[str, float]) -> list[str]:
    """The parameters a run under way can take a new value of, prices as `prices.<commodity>`."""
    names = [n for n in parameter_names() if n not in SET_AT_START and n != PRICES]
    return [*(f"{PRICES}.{commodity}" for commodity in prices), *names]


class UnknownParameterError(ValueError):
    """Parameter names the model does not have (or no longer has), with the valid ones in
    the message; `names` are the names refused, for a caller that says where each was."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def make_parameters(
    *layers: Mapping[str, object], prices: Mapping[str, float] | None = None
) -> Parameters:
    """Defaults overridden by each layer in turn (set-up file, then the user).

    `prices` are the theatre's commodities and their declared prices: a layer
    may override one as `prices.<commodity>` (or a `prices` table of them).
    Raises UnknownParameterError for a name the model does not have, a retired
    name (naming its successor) or a price of a commodity the theatre lacks,
    and pydantic's ValidationError for a value of the wrong type or range;
    strings such as "5" or "true" from the command line are converted.
    """
    declared = dict(prices or {})
    merged: dict[str, object] = {}
    chosen: dict[str, object] = dict(declared)
    for layer in layers:
        flat = dotted(layer)
        check_names(flat, declared)
        for name, value in flat.items():
            commodity = commodity_of(name)
            if commodity is None:
                merged[name] = value
            else:
                chosen[commodity] = value
    return Parameters.model_validate({**merged, PRICES: chosen})


def check_names(layer: Mapping[str, object], declared: Mapping[str, float]) -> None:
    """Every name of the layer is a parameter, or a price of a commodity the theatre declares;
    a retired name is told its successor."""
    valid = set(parameter_names()) - {PRICES}
    problems: list[str] = []
    refused: list[str] = []
    for name in layer:
        commodity = commodity_of(name)
        if name in RETIRED:
            prices = ", ".join(f"{PRICES}.{c}" for c in declared)
            words = RETIRED[name].format(
                prices=f"{PRICES}.<commodity>" + (f" (this theatre's: {prices})" if prices else "")
            )
            problems.append(f"{name!r} is no longer a parameter: {words}")
        elif commodity is not None and commodity not in declared:
            known = (
                f"this theatre's commodities: {', '.join(declared)}"
                if declared
                else "this theatre declares no commodities ([commodities] in its set-up)"
            )
            problems.append(f"no commodity {commodity!r} to price in {name!r}; {known}")
        elif commodity is None and name not in valid:
            problems.append(f"unknown parameter {name!r}")
        else:
            continue
        refused.append(name)
    if not problems:
        return
    if any(commodity_of(name) is None and name not in RETIRED for name in refused):
        names = sorted(valid | {f"{PRICES}.<commodity>"})
        problems.append(f"valid names: {', '.join(names)}")
    raise UnknownParameterError("; ".join(problems), refused)


__all__ = [
    "PRICES",
    "PRICE_MAX",
    "RETIRED",
    "SET_AT_START",
    "Parameters",
    "SetAtStartError",
    "UnknownParameterError",
    "ValidationError",
    "check_names",
    "commodity_of",
    "declared_bounds",
    "dotted",
    "make_parameters",
    "mid_run_names",
    "parameter_problem",
    "valid_range",
    "with_changes",
]
