"""A theatre's history (`history.toml`): dated targets a run of the theatre can be scored against.

Each target says what happened, when, how far off a run may be and still
agree (its tolerance), and which source says so. Four kinds:

- `holder`: a faction holds a place on a date (give or take `tolerance_days`);
- `capture`: a faction first takes a place on a date or within a span
  (`date` to `until`), give or take `tolerance_days`;
- `count`: a measure of the daily series (`civilians_displaced`,
  `tatmadaw_interned`, ...) lies from `low` to `high` on a date;
- `event`: the first event of a kind (a gate closure, a militia leaving its
  patron, a ceasefire), among given factions or at a place, comes on a date
  or within a span; with `happens = false`, no such event in the span.

The names a count or an event target may use belong to the engine (its
measures table and event kinds), which lies above this layer: whoever loads a
history passes them in (`wargame.analysis.history.read_history` does).
A bad file becomes one ScenarioError naming the file, the target and what
was expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from wargame.scenario.errors import ScenarioError, from_validation_error
from wargame.scenario.loader import Theatre, read_toml
from wargame.scenario.schema import Id, PlaceKind, Strict

HISTORY_FILE = "history.toml"
MAX_DAYS = 3650
"""The longest run a history may ask for (ten years), as an experiment's."""


class StrictTarget(Strict):
    """TOML gives dates, numbers and booleans their own types: no string stands in for them."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    id: Id
    source: str = Field(min_length=1, description="the source's number, e.g. [8][30]")
    note: str = ""
    date: dt.date

    def first_day(self, start: dt.date) -> int:
        """The first day of the run on which the target can be met."""
        return (self.date - start).days - self.slack()

    def last_day(self, start: dt.date) -> int:
        """The last day of the run on which the target can be met."""
        return (self.end() - start).days + self.slack()

    def slack(self) -> int:
        """Days a run may be off either side (a count is read on its date alone)."""
        return 0

    def end(self) -> dt.date:
        """The last date the source gives."""
        return self.date


class Spanned(StrictTarget):
    until: dt.date | None = Field(default=None, description="the span's last day, if a span")
    tolerance_days: int = Field(ge=0, le=MAX_DAYS)

    def slack(self) -> int:
        return self.tolerance_days

    def end(self) -> dt.date:
        return self.until or self.date

    @model_validator(mode="after")
    def _ordered(self) -> Spanned:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"until ({self.until}) is before date ({self.date})")
        return self


class Holder(StrictTarget):
    kind: Literal["holder"]
    place: Id
    holder: Id
    tolerance_days: int = Field(ge=0, le=MAX_DAYS)

    def slack(self) -> int:
        return self.tolerance_days


class Capture(Spanned):
    kind: Literal["capture"]
    place: Id
    faction: Id


class Count(StrictTarget):
    kind: Literal["count"]
    measure: str = Field(min_length=1, description="a column of the daily series")
    value: float | None = Field(default=None, description="the source's own figure, if it has one")
    low: float = Field(ge=0.0, description="every measure counts from 0 up")
    high: float

    @model_validator(mode="after")
    def _range(self) -> Count:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g})")
        if self.value is not None and not self.low <= self.value <= self.high:
            raise ValueError(
                f"value ({self.value:g}) is outside its range {self.low:g} to {self.high:g}"
            )
        return self


class Occurrence(Spanned):
    kind: Literal["event"]
    event: str = Field(min_length=1, description="an event kind, e.g. border or ceasefire")
    factions: list[Id] = Field(default_factory=list, description="all of them take part")
    place: Id | None = None
    happens: bool = Field(default=True, description="false: no such event in the span")


Target = Holder | Capture | Count | Occurrence
KINDS: dict[str, type[StrictTarget]] = {
    "holder": Holder,
    "capture": Capture,
    "count": Count,
    "event": Occurrence,
}


class HistoryHeader(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    title: str = ""
    days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DAYS,
        description="days each run lasts; default: up to the last target's last day",
    )


class HistoryFile(Strict):
    history: HistoryHeader = HistoryHeader()
    targets: list[dict] = Field(min_length=1)


@dataclass(frozen=True)
class Vocabulary:
    """The names a count or an event target may use: the engine's, passed down."""

    measures: Collection[str]
    events: Collection[str]


@dataclass(frozen=True)
class History:
    path: Path
    title: str
    start_date: dt.date
    targets: tuple[Target, ...]
    days: int
    """Days each scored run lasts."""

    def day_of(self, date: dt.date) -> int:
        return (date - self.start_date).days


def history_path(theatre: Theatre) -> Path:
    """Where a theatre keeps its history: `history.toml` beside its set-up."""
    return theatre.setup_path.parent / HISTORY_FILE


def load_history(theatre: Theatre, vocabulary: Vocabulary, path: Path | None = None) -> History:
    """The theatre's history (or the one at `path`), every target checked against the theatre.

    Raises ScenarioError naming the file, the target and what was expected.
    """
    if path is None and not history_path(theatre).is_file():
        raise ScenarioError(
            history_path(theatre),
            "",
            "the theatre has no history: write its dated targets in this file "
            "(see the user guide, 'A theatre's history')",
        )
    path = Path(path) if path is not None else history_path(theatre)
    try:
        document = HistoryFile.model_validate(read_toml(path))
    except ValidationError as error:
        raise from_validation_error(path, error) from None
    targets = tuple(_target(path, index, entry) for index, entry in enumerate(document.targets))
    seen: dict[str, int] = {}
    for index, target in enumerate(targets):
        if target.id in seen:
            raise ScenarioError(
                path,
                _where(index, target.id),
                f"id given twice (first at targets[{seen[target.id]}]); expected a unique id",
            )
        seen[target.id] = index
        _check_against_theatre(path, _where(index, target.id), target, theatre, vocabulary)
    last = max(target.last_day(theatre.start_date) for target in targets)
    days = document.history.days if document.history.days is not None else max(last, 1)
    if last > days:
        late = max(targets, key=lambda target: target.last_day(theatre.start_date))
        raise ScenarioError(
            path,
            "history.days",
            f"expected at least {last} days to reach the last day of target {late.id!r}, "
            f"got {days}",
        )
    if days > MAX_DAYS:
        raise ScenarioError(
            path, "targets", f"the last target ends on day {days}; expected at most {MAX_DAYS}"
        )
    return History(path, document.history.title, theatre.start_date, targets, days)


def _where(index: int, target_id: object) -> str:
    named = f" ({target_id!r})" if isinstance(target_id, str) else ""
    return f"targets[{index}]{named}"


def _target(path: Path, index: int, entry: dict) -> Target:
    where = _where(index, entry.get("id") if isinstance(entry, dict) else None)
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind not in KINDS:
        raise ScenarioError(
            path, f"{where}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}"
        )
    try:
        return KINDS[kind].model_validate(entry)
    except ValidationError as error:
        found = from_validation_error(path, error)
        problem = found.problem
        if error.errors()[0]["type"] == "date_type":  # "2024-03-10" in quotes is text in TOML
            problem = f"expected a TOML date such as 2024-03-10, without quotes; {problem}"
        raise ScenarioError(
            path, f"{where}.{found.where}" if found.where else where, problem
        ) from None


def _check_against_theatre(
    path: Path, where: str, target: Target, theatre: Theatre, vocabulary: Vocabulary
) -> None:
    def fail(key: str, problem: str) -> ScenarioError:
        return ScenarioError(path, f"{where}.{key}", problem)

    factions = ", ".join(theatre.factions)
    if target.date < theatre.start_date:
        raise fail("date", f"expected a date from the theatre's start, {theatre.start_date}")
    place = getattr(target, "place", None)  # a count has none, an event may have none
    if place is not None and place not in theatre.map.places:
        raise fail("place", f"no place {place!r} on the theatre's map")
    if isinstance(target, Holder | Capture) and (
        theatre.map.places[target.place].kind is PlaceKind.SANCTUARY
    ):
        raise fail("place", f"{place!r} is a sanctuary abroad; no faction ever holds it")
    named = {
        "holder": [getattr(target, "holder", None)],
        "faction": [getattr(target, "faction", None)],
        "factions": list(getattr(target, "factions", [])),
    }
    for key, ids in named.items():
        for faction in ids:
            if faction is not None and faction not in theatre.factions:
                raise fail(key, f"no faction {faction!r} in the theatre (factions: {factions})")
    if isinstance(target, Capture) and theatre.control.get(target.place) == target.faction:
        raise fail(
            "faction",
            f"{target.faction!r} already holds {target.place!r} at the start; "
            "expected a faction that takes it",
        )
    if isinstance(target, Count) and target.measure not in vocabulary.measures:
        raise fail(
            "measure",
            f"no daily series named {target.measure!r}; expected a column such as "
            f"civilians_displaced or {next(iter(theatre.factions))}_interned",
        )
    if isinstance(target, Occurrence) and target.event not in vocabulary.events:
        kinds = ", ".join(vocabulary.events)
        raise fail("event", f"no event kind {target.event!r}; expected one of {kinds}")
