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

A history also holds the theatre's **patterns** (`[[patterns]]`): what it is
calibrated to over many runs, each a statistic over the runs of a batch and
the bounds it must lie in:

- `share`: the share of runs in which the `where` conditions hold (all of
  them, or any with `match = "any"`); a condition names a column of the
  batch's runs table and, for a number, its bounds;
- `median`: the median of a number column over the runs (an empty value, a
  capture that never came, counts as above every number).

Bounds are `at_least` or `above` and `at_most` or `below`. Which runs a pattern
reads is the batch's: an experiment with `patterns = true` records what they need.

The names a target or a pattern may use belong to the engine (its measures
table, event kinds and run summary), which lies above this layer: whoever
loads a history passes them in (`wargame.analysis.history.read_history`
does). A bad file becomes one ScenarioError naming the file, the target or
pattern and what was expected.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from wargame.files import StrPath
from wargame.scenario.errors import ScenarioError, from_validation_error
from wargame.scenario.loader import Theatre, read_toml
from wargame.scenario.map_limits import MAX_DAYS
from wargame.scenario.schema import Id, PlaceKind, Strict

HISTORY_FILE = "history.toml"


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


# --- patterns: what the theatre is calibrated to, over many runs ------------------------

Use = Literal["flag", "bounded", "median"]
"""How a pattern reads a column: a run counts when it is true, when it is within bounds,
or its median is taken."""
OUTCOME_PREFIX = "outcome."
"""A runs table's columns of an experiment's own outcomes: known only with the experiment."""


class Bounds(Strict):
    """Where a number must lie: from `at_least` (or `above`) to `at_most` (or `below`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)

    at_least: float | None = None
    above: float | None = None
    at_most: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Bounds:
        if self.at_least is not None and self.above is not None:
            raise ValueError("give at_least or above, not both")
        if self.at_most is not None and self.below is not None:
            raise ValueError("give at_most or below, not both")
        low, high = self.lower(), self.upper()
        if low is not None and high is not None:
            strict = self.above is not None or self.below is not None
            if low > high or (low == high and strict):
                raise ValueError(f"no number is {self.words()}")
        return self

    def lower(self) -> float | None:
        return self.at_least if self.at_least is not None else self.above

    def upper(self) -> float | None:
        return self.at_most if self.at_most is not None else self.below

    def given(self) -> bool:
        return self.lower() is not None or self.upper() is not None

    def admits(self, value: float) -> bool:
        """Is `value` within the bounds? NaN (an empty value) never is."""
        if math.isnan(value):
            return False
        return (
            (self.at_least is None or value >= self.at_least)
            and (self.above is None or value > self.above)
            and (self.at_most is None or value <= self.at_most)
            and (self.below is None or value < self.below)
        )

    def words(self, shown: Callable[[float], str] = lambda v: f"{v:g}") -> str:
        """The bounds as a reader says them: ">= 0.6", "90 to 270", "> 0 and < 1"."""
        if self.at_least is not None and self.at_most is not None:
            return f"{shown(self.at_least)} to {shown(self.at_most)}"
        parts = [
            f"{sign} {shown(value)}"
            for sign, value in ((">=", self.at_least), (">", self.above),
                                ("<=", self.at_most), ("<", self.below))
            if value is not None
        ]  # fmt: skip
        return " and ".join(parts)


class Condition(Bounds):
    """What one run must show: a true/false column true, or a number column within bounds."""

    column: str = Field(min_length=1, description="a column of the batch's runs table")


class PatternBase(Bounds):
    """A statistic over many runs and the bounds the theatre is calibrated to keep it in."""

    id: Id
    note: str = Field(default="", description="what the pattern says, in words")
    source: str = Field(default="", description="where its threshold comes from")

    @model_validator(mode="after")
    def _bounded(self) -> PatternBase:
        if not self.given():
            raise ValueError("expected a bound: at_least, above, at_most or below")
        return self

    def reads(self) -> Iterator[tuple[str, str, Use]]:
        """(its key in the pattern, column, what it is used for) for each column it reads."""
        raise NotImplementedError


class SharePattern(PatternBase):
    kind: Literal["share"]
    where: list[Condition] = Field(min_length=1)
    match: Literal["all", "any"] = Field(
        default="all", description="a run counts when all conditions hold, or any of them"
    )

    @model_validator(mode="after")
    def _a_share(self) -> SharePattern:
        for bound in (self.lower(), self.upper()):
            if bound is not None and not 0.0 <= bound <= 1.0:
                raise ValueError(f"a share lies from 0 to 1; got a bound of {bound:g}")
        return self

    def reads(self) -> Iterator[tuple[str, str, Use]]:
        for number, condition in enumerate(self.where):
            use: Use = "bounded" if condition.given() else "flag"
            yield f"where[{number}].column", condition.column, use


class MedianPattern(PatternBase):
    kind: Literal["median"]
    column: str = Field(min_length=1, description="a number column of the batch's runs table")

    def reads(self) -> Iterator[tuple[str, str, Use]]:
        yield "column", self.column, "median"


Pattern = SharePattern | MedianPattern
PATTERN_KINDS: dict[str, type[PatternBase]] = {"share": SharePattern, "median": MedianPattern}


def pattern_problem(
    pattern: Pattern, kinds: Mapping[str, type], checked: Callable[[str], bool]
) -> tuple[str, str] | None:
    """The first column among those `checked` that the pattern reads and the runs table
    lacks, or holds values it cannot use: (its key in the pattern, the problem). A column
    the table lacks is said as "no column 'name'", for callers to add what they know."""
    for key, column, use in pattern.reads():
        if not checked(column):
            continue
        kind = kinds.get(column)
        if kind is None:
            return key, f"no column {column!r}"
        what = {bool: "true or false", int: "a number", float: "a number"}.get(kind, "text")
        if use == "flag" and kind is not bool:
            more = ": give bounds (at_least, above, at_most or below)" if kind is not str else ""
            return key, f"{column!r} is {what}, not true or false{more}"
        if use == "bounded" and kind not in (int, float):
            more = ": give no bounds, a run counts when it is true" if kind is bool else ""
            return key, f"{column!r} is {what}, not a number{more}"
        if use == "median" and kind not in (int, float):
            return key, f"{column!r} is {what}; a median needs a number"
    return None


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
    patterns: list[dict] = Field(default_factory=list)


# The whole file with each target and pattern read by its `kind` at once, as an editor
# checks it (`wargame.schemas`): the loader reads `HistoryFile`, then each entry alone, so
# that a problem names the entry and its id.
class HistoryFileByKind(HistoryFile):
    """A theatre's history: the dated targets its runs are scored against, and the patterns
    it is calibrated to over many runs."""

    targets: list[Annotated[Target, Field(discriminator="kind")]] = Field(min_length=1)
    patterns: list[Annotated[Pattern, Field(discriminator="kind")]] = Field(default_factory=list)


@dataclass(frozen=True)
class Vocabulary:
    """The names a target or a pattern may use: the engine's, passed down."""

    measures: Collection[str]
    events: Collection[str]
    run_columns: Mapping[str, type] = field(default_factory=dict)
    """The runs table's columns but the outcomes', with their types (the run summary's keys)."""


@dataclass(frozen=True)
class History:
    path: Path
    title: str
    start_date: dt.date
    targets: tuple[Target, ...]
    days: int
    """Days each scored run lasts."""
    patterns: tuple[Pattern, ...] = ()
    """What the theatre is calibrated to over many runs."""

    def day_of(self, date: dt.date) -> int:
        return (date - self.start_date).days


def history_path(theatre: Theatre) -> Path:
    """Where a theatre keeps its history: `history.toml` beside its set-up."""
    return theatre.setup_path.parent / HISTORY_FILE


def load_history(theatre: Theatre, vocabulary: Vocabulary, path: StrPath | None = None) -> History:
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
    patterns = _patterns(path, document.patterns, vocabulary)
    return History(path, document.history.title, theatre.start_date, targets, days, patterns)


def _patterns(path: Path, entries: list[dict], vocabulary: Vocabulary) -> tuple[Pattern, ...]:
    """Each pattern checked alone, its ids unique, the summary columns it reads known; the
    columns of an experiment's outcomes are checked when an experiment reads them."""
    patterns: list[Pattern] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = _where(index, entry.get("id") if isinstance(entry, dict) else None, "patterns")
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in PATTERN_KINDS:
            expected = ", ".join(PATTERN_KINDS)
            raise ScenarioError(path, f"{where}.kind", f"expected one of {expected}, got {kind!r}")
        try:
            pattern = PATTERN_KINDS[kind].model_validate(entry)
        except ValidationError as error:
            found = from_validation_error(path, error)
            raise ScenarioError(
                path, f"{where}.{found.where}" if found.where else where, found.problem
            ) from None
        if pattern.id in seen:
            raise ScenarioError(
                path,
                where,
                f"id given twice (first at patterns[{seen[pattern.id]}]); expected a unique id",
            )
        seen[pattern.id] = index
        problem = pattern_problem(
            pattern, vocabulary.run_columns, lambda c: not c.startswith(OUTCOME_PREFIX)
        )
        if problem is not None:
            key, words = problem
            if words.startswith("no column"):
                words += " in a batch's runs table; expected a run summary key such as "
                words += "ceasefires, or outcome.<name> for an experiment's outcome"
            raise ScenarioError(path, f"{where}.{key}", words)
        patterns.append(pattern)
    return tuple(patterns)


def _where(index: int, target_id: object, table: str = "targets") -> str:
    named = f" ({target_id!r})" if isinstance(target_id, str) else ""
    return f"{table}[{index}]{named}"


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
