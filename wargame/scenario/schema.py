"""Schemas of the theatre files: what a map, a set-up and a faction file may hold.

Each file is checked field by field here; checks that need two files at once
(a unit's place must be on the map) live in `loader.py`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from wargame.scenario.map_limits import MAX_DAYS
from wargame.scenario.parameters import PRICE_MAX, Dotted, dotted, not_true_or_false

LATEST_START = dt.date.max - dt.timedelta(days=MAX_DAYS + 1)
"""The latest start date from which MAX_DAYS days still have a calendar date."""

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="lowercase snake_case id")]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="a #RRGGBB colour")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
CountryCode = Annotated[
    str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 two-letter code (XA-XZ: fictional)")
]


type Scalar = bool | int | Annotated[float, Field(allow_inf_nan=True)] | str
"""A parameter's value as a file gives it; an infinite or NaN one gets through here so the
parameter's own check says what range it expected."""
type ScaleFactor = Annotated[float, BeforeValidator(not_true_or_false), Field(ge=0, le=1000)]
"""What an outside event multiplies a numeric parameter by."""


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt key would otherwise be ignored silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PlaceKind(StrEnum):
    TOWN = "town"
    BORDER_POST = "border_post"
    MINE = "mine"
    BASE = "base"
    SANCTUARY = "sanctuary"


class RoadKind(StrEnum):
    HIGHWAY = "highway"
    ROAD = "road"
    TRACK = "track"
    RIVER = "river"
    """a boat route up or down a river"""
    SEA = "sea"
    """a sea route along the coast or to an island"""


# --- map (GeoJSON) -----------------------------------------------------------


def lon_lat(value: tuple[float, float]) -> tuple[float, float]:
    """A point in degrees; anything else would make distances meaningless (or fail)."""
    lon, lat = value
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"expected [longitude, latitude] in degrees, got {list(value)}")
    return value


class PointGeometry(Strict):
    type: Literal["Point"]
    coordinates: tuple[float, float]

    @field_validator("coordinates")
    @classmethod
    def _lon_lat(cls, value: tuple[float, float]) -> tuple[float, float]:
        return lon_lat(value)


class LineGeometry(Strict):
    type: Literal["LineString"]
    coordinates: list[tuple[float, float]] = Field(min_length=2)

    @field_validator("coordinates")
    @classmethod
    def _lon_lat(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [lon_lat(point) for point in value]


class PlaceProperties(Strict):
    id: Id
    name: str = Field(min_length=1)
    kind: PlaceKind
    country: CountryCode
    population: int = Field(ge=0)
    mine_sites: int = Field(default=0, ge=0)
    mineral: Id | None = Field(
        default=None,
        description="what the mine sites yield: one of the set-up's [commodities]; "
        "may be left out when the set-up declares only one",
    )
    trade_per_day: float = Field(default=0.0, ge=0.0, description="US$ of border trade per day")
    fortification: Fraction = 0.0
    camp_capacity: int = Field(
        default=0,
        ge=0,
        description="people its camps for the displaced can shelter (0: no camp)",
    )
    source: str = ""


class RoadProperties(Strict):
    from_: Id = Field(alias="from")
    to: Id
    kind: RoadKind
    length_km: float | None = Field(default=None, gt=0.0)
    source: str = ""


class BorderProperties(Strict):
    kind: Literal["border"]
    name: str = ""


class PlaceFeature(Strict):
    type: Literal["Feature"]
    geometry: PointGeometry
    properties: PlaceProperties


class RoadFeature(Strict):
    type: Literal["Feature"]
    geometry: LineGeometry
    properties: RoadProperties


class BorderFeature(Strict):
    type: Literal["Feature"]
    geometry: LineGeometry
    properties: BorderProperties


class MapFile(Strict):
    """The GeoJSON FeatureCollection; features are sorted into kinds by `loader`."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    type: Literal["FeatureCollection"]
    features: list[dict] = Field(min_length=1)


# --- set-up (TOML) -----------------------------------------------------------


class ScenarioHeader(Strict):
    title: str = Field(min_length=1)
    description: str = ""
    map: str = Field(min_length=1, description="GeoJSON file, relative to the set-up file")
    basemap: str | None = Field(
        default=None,
        min_length=1,
        description="GeoJSON file of coast, rivers, lakes and borders drawn under the map, "
        "relative to the set-up file (`wargame basemap` makes one); none: no basemap is drawn",
    )
    start_date: dt.date = Field(le=LATEST_START)
    factions: list[Id] = Field(min_length=1)
    shipped_factions: list[Id] = Field(
        default_factory=list,
        description="factions of `factions` read from the shipped agents/ folder, not this "
        "theatre's own: only these are borrowed, so a missing file is an error, not a guess",
    )


class UnitEntry(Strict):
    faction: Id
    place: Id
    strength: int = Field(
        gt=0,
        le=100_000,
        description="soldiers: a battalion is hundreds, a division about 10,000 (more would "
        "have the day's losses take hours to draw)",
    )
    name: str = ""
    count: int = Field(
        default=1,
        ge=1,
        le=10_000,
        description="identical units to create (millions made a run of one day last minutes)",
    )
    job: Literal["garrison", "attack", "reserve", "screen"] | None = Field(
        default=None,
        description="what a doctrine commander uses the unit for, when the order of battle "
        "says (a garrison holds the place it starts at); by default the doctrine's shares "
        "decide",
    )


class Commodity(Strict):
    """What a theatre's mines yield, and what it sells for."""

    price: float = Field(
        ge=0.0,
        le=PRICE_MAX,
        description="US$ per tonne (or tonne-equivalent) of output: a mine site yields "
        "`mine_output_per_site` tonnes a day",
    )
    name: str = Field(
        default="", description="how pages name it; by default its id with spaces for `_`"
    )
    markets: list[Id] = Field(
        default_factory=list,
        description="home places where its ore is bought (a trading town, a port): a mine's "
        "ore earns only when a route over ground no enemy holds or stands on reaches one, or "
        "an open crossing into the broker's country if the broker buys it; with neither, it "
        "sells at the mine",
    )
    source: str = ""


class Broker(Strict):
    """The neighbouring power that presses for calm on its border (brokers truces, closes
    crossings): not an agent, but the country behind some of the theatre's crossings."""

    country: CountryCode = Field(
        description="its country: the crossings it controls are those into this country"
    )
    buys: list[Id] = Field(
        default_factory=list,
        description="commodities (of [commodities]) whose ore it buys: fighting at their mines "
        "hurts its interests, and it may stop buying them from a faction that hurts them",
    )
    ore_through_closed_crossings: bool = Field(
        default=False,
        description="whether the ore it buys still passes the crossings it has closed: closing "
        "a gate then stops trade, refugees and supply, not the ore it wants (only refusing a "
        "faction's ore, `ore_hold_tolerance`, stops that); needs `buys`",
    )
    source: str = ""


class SoldiersAcross(StrEnum):
    """What a neighbouring country does with soldiers who flee across its border."""

    INTERN = "intern"
    """holds them to the end of the run"""
    HAND_BACK = "hand_back"
    """holds them some days, then hands them back to their own side"""
    REFUSE = "refuse"
    """turns them back at the gate: nobody crosses into it"""


class Neighbour(Strict):
    """What a neighbouring country does with soldiers who cross into it (`[neighbours.<code>]`)."""

    soldiers: SoldiersAcross = Field(
        default=SoldiersAcross.INTERN,
        description="intern, hand_back or refuse soldiers who flee across the border",
    )
    hand_back_after_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="days the country holds soldiers before handing them back (hand_back only)",
    )
    hand_back_through: Id | None = Field(
        default=None,
        description="the crossing (a home place with a road into this country) they are handed "
        "back through; by default the one they crossed at (hand_back only)",
    )
    hand_back_elsewhere: bool = Field(
        default=True,
        description="when that crossing is not their side's, hand them back through another "
        "crossing into this country that their faction, or else its allied patron, holds "
        "(hand_back only; judgement)",
    )
    hand_back_wait_days: int = Field(
        default=60,
        ge=0,
        le=3650,
        description="days past hand_back_after_days the country waits for a crossing to hand "
        "them back through; then it keeps them interned for good (hand_back only; judgement)",
    )
    source: str = ""

    @model_validator(mode="after")
    def _hand_back_settings(self) -> Neighbour:
        if self.soldiers is SoldiersAcross.HAND_BACK and self.hand_back_after_days is None:
            raise ValueError(
                "soldiers = 'hand_back' needs hand_back_after_days (days the soldiers are "
                "held before they are handed back, at least 1)"
            )
        if self.soldiers is not SoldiersAcross.HAND_BACK:
            given = [
                key
                for key in (
                    "hand_back_after_days",
                    "hand_back_through",
                    "hand_back_elsewhere",
                    "hand_back_wait_days",
                )
                if key in self.model_fields_set
            ]
            if given:
                verb = "applies" if len(given) == 1 else "apply"
                raise ValueError(
                    f"{' and '.join(given)} {verb} only with soldiers = 'hand_back' "
                    f"(here soldiers = {self.soldiers.value!r})"
                )
        return self


class Coalition(Strict):
    """Factions that negotiate and hold truces together (`[coalitions.<id>]`): a ceasefire
    brokered with one member covers every member, and one member breaking it ends it for all."""

    name: str = Field(default="", description="how events name it; by default its id")
    members: list[Id] = Field(min_length=2, description="the factions of the coalition")
    source: str = ""


class OnBreak(StrEnum):
    """What a militia does when its alliance with its patron breaks."""

    STAND_DOWN = "stand_down"
    """stops fighting for its patron; keeps its places and units, hostile to no one new"""
    DEFECT = "defect"
    """its places and units go over to the patron's enemy (`defects_to`)"""
    INDEPENDENT = "independent"
    """keeps its places and units and turns on its former patron"""


class Militia(Strict):
    """What a militia allied to a patron does when the alliance breaks (`[militias.<faction>]`)."""

    on_break: OnBreak = Field(
        default=OnBreak.STAND_DOWN, description="stand_down, defect or independent"
    )
    defects_to: Id | None = Field(
        default=None,
        description="the faction it goes over to (defect only); by default the patron's enemy "
        "that fights the militia's patron hardest in its region",
    )
    source: str = ""

    @model_validator(mode="after")
    def _defects_to_only_on_defect(self) -> Militia:
        if self.defects_to is not None and self.on_break is not OnBreak.DEFECT:
            raise ValueError(
                f"defects_to applies only with on_break = 'defect' "
                f"(here on_break = {self.on_break.value!r})"
            )
        return self


class OutsideEvent(Strict):
    """A dated event from outside the theatre (a broker's visit, an envoy's ultimatum, an
    earthquake) that sets or scales parameters from its day on (`[[events]]`): it changes
    what the actors weigh, never who holds what. Scaling keeps the run's own value in play
    (a sweep or a `--set` of the parameter still acts after the event); setting replaces it."""

    date: dt.date | None = Field(default=None, description="the date it happens")
    day: int | None = Field(default=None, ge=0, le=36_500, description="or the day of the run")
    description: str = Field(min_length=1, description="what happened, as the event log says it")
    set: dict[str, Scalar] = Field(
        default_factory=dict, description="parameters and their new values from that day on"
    )
    scale: dict[str, ScaleFactor] = Field(
        default_factory=dict,
        description="numeric parameters and the factor their value that day is multiplied by",
    )
    source: str = ""

    @model_validator(mode="after")
    def _date_or_day(self) -> OutsideEvent:
        if (self.date is None) == (self.day is None):
            raise ValueError("expected either date or day (one of them, not both)")
        if not self.set and not self.scale:
            raise ValueError("expected set or scale: a table of the parameters it changes")
        both = sorted(self.set.keys() & self.scale.keys())
        if both:
            raise ValueError(f"{', '.join(both)} both set and scaled: expected one or the other")
        return self

    @field_validator("set", mode="before", json_schema_input_type=Dotted[Scalar])
    @classmethod
    def _dotted_set(cls, value: object) -> object:
        return dotted(value)

    @field_validator("scale", mode="before", json_schema_input_type=Dotted[ScaleFactor])
    @classmethod
    def _dotted_scale(cls, value: object) -> object:
        return dotted(value)


class Lift(Strict):
    """An air or river lift a faction keeps up to named places (`[[lift]]`): it supplies the
    faction's soldiers there, up to `soldiers` in all, while no road from a source reaches them."""

    faction: Id
    places: list[Id] = Field(min_length=1, description="the places it reaches, first served first")
    soldiers: int = Field(ge=0, description="soldiers it can keep supplied, over all its places")
    source: str = ""

    @field_validator("places")
    @classmethod
    def _once_each(cls, places: list[str]) -> list[str]:
        twice = sorted({p for p in places if places.count(p) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed more than once")
        return places


class Depot(Strict):
    """Places that supply a faction's soldiers as its bases do (`[[depot]]`): the home hills a
    guerrilla army lives from, say, while it holds them."""

    faction: Id
    places: list[Id] = Field(min_length=1)
    source: str = ""


class Handover(Strict):
    """A place a neutral faction takes over by agreement when its holder's encircled garrison
    is about to surrender there (`[[handover]]`), instead of the besieger."""

    place: Id
    faction: Id = Field(description="the faction that takes the place over")
    source: str = ""


class SetupFile(Strict):
    """A theatre's set-up: its title, start date and map, its factions, who holds which place
    and which units stand where on the first day, and the parameters it sets."""

    scenario: ScenarioHeader
    countries: dict[CountryCode, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description="the name of each country the map's codes stand for"
    )
    broker: Broker | None = None
    neighbours: dict[CountryCode, Neighbour] = Field(
        default_factory=dict,
        description="what each neighbouring country does with soldiers who flee into it "
        "(a country not listed interns them)",
    )
    commodities: dict[Id, Commodity] = Field(default_factory=dict)
    coalitions: dict[Id, Coalition] = Field(
        default_factory=dict, description="factions that negotiate and hold truces together"
    )
    militias: dict[Id, Militia] = Field(
        default_factory=dict,
        description="what each militia does when its alliance breaks (one not listed stands down)",
    )
    events: list[OutsideEvent] = Field(
        default_factory=list, description="dated outside events that set parameters"
    )
    control: dict[Id, Id] = Field(default_factory=dict)
    units: list[UnitEntry] = Field(default_factory=list)
    lift: list[Lift] = Field(
        default_factory=list, description="air or river lifts that supply named places"
    )
    depot: list[Depot] = Field(
        default_factory=list,
        description="places that supply a faction as its bases do, while it holds them",
    )
    handover: list[Handover] = Field(
        default_factory=list,
        description="places a neutral faction takes over when their garrison surrenders",
    )
    parameters: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("parameters", mode="before", json_schema_input_type=Dotted[Scalar])
    @classmethod
    def _dotted(cls, value: object) -> object:
        """`prices.gas = 5` in TOML is a table; a parameter layer names it `prices.gas`."""
        return dotted(value)


# --- faction (TOML) ----------------------------------------------------------


class Doctrine(Strict):
    """Weights of the commander's objective value (see `command.py`)."""

    revenue: float = Field(ge=0.0)
    strategic: float = Field(ge=0.0)
    risk: float = Field(ge=0.0)
    distance: float = Field(ge=0.0, description="cost per travel day")
    aggression: Fraction = Field(description="share of field units sent on the offensive")
    garrison: int = Field(ge=0, description="soldiers kept at each key place")
    caution: float = Field(
        default=1.0,
        ge=0.0,
        description="share of the enemy strength in reach that garrisons of key places match",
    )
    hold: Fraction = Field(
        default=0.0,
        description="share of its starting garrison, to the nearest whole unit, a held place "
        "keeps whatever happens elsewhere",
    )
    attack_ratio: float = Field(
        default=1.5, gt=0.0, description="force ratio over the defence needed to commit an attack"
    )
    recapture: float = Field(
        default=0.0, ge=0.0, description="weight on retaking places the faction held at the start"
    )
    ceasefire_violation_per_day: Fraction = Field(
        default=0.02, description="daily chance this faction breaks a ceasefire it is in"
    )
    calls_home: bool = Field(
        default=False, description="after a capture, calls the place's displaced people home"
    )
    range_days: float | None = Field(
        default=None, gt=0.0, description="attacks only places this many travel days from home"
    )
    replan_days: int | None = Field(
        default=None, ge=1, le=365, description="days between plans (unset: `replan_days`)"
    )
    leash_days: float | None = Field(
        default=None,
        gt=0.0,
        le=365.0,
        description="travel days from home a garrison unit may go (unset: `leash_days`)",
    )
    reserve_share: Fraction | None = Field(
        default=None, description="share of field units kept in reserve (unset: `reserve_share`)"
    )
    intelligence: Fraction | None = Field(
        default=None,
        description="daily chance of learning each place beyond sight (unset: `intelligence`)",
    )


class Combat(Strict):
    effectiveness: float = Field(
        gt=0.0, description="enemy soldiers put out of action per own soldier per day"
    )


class Morale(Strict):
    initial: Fraction
    break_point: Fraction
    recovery_per_day: Fraction

    @model_validator(mode="after")
    def _starts_unbroken(self) -> Morale:
        """A unit whose morale starts below its break point breaks on day 0: never meant."""
        if self.initial < self.break_point:
            raise ValueError(
                f"initial {self.initial:g} is below break_point {self.break_point:g}: "
                "every unit would break on the first day; expected initial >= break_point"
            )
        return self


class Economy(Strict):
    treasury: float = Field(ge=0.0, description="US$ at the start")
    upkeep_per_soldier_per_day: float = Field(ge=0.0)
    recruit_cost: float = Field(gt=0.0, description="US$ per soldier")
    manpower: int = Field(ge=0, description="soldiers that can still be recruited")
    external_income_per_day: float = Field(default=0.0, ge=0.0)
    fighting_cost_per_soldier_per_day: float = Field(
        default=0.0,
        ge=0.0,
        description="US$ of ammunition and fire support each soldier in a fight uses a day",
    )
    patron: Id | None = Field(
        default=None, description="faction this one passes a share of its mine revenue to"
    )


class FactionFile(Strict):
    """A faction: its names and colour, its commander's doctrine, how it fights, its morale,
    its money, and how it regards the other factions."""

    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    colour: Colour
    source: str = ""
    doctrine: Doctrine
    combat: Combat
    morale: Morale
    economy: Economy
    relations: dict[Id, Annotated[float, Field(ge=-1.0, le=1.0)]] = Field(default_factory=dict)
