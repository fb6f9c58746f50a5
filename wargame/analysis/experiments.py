"""Experiment files (`experiments/*.toml`): a theatre, days, seeds, a design, outcomes.

The design is a grid of listed values (`[grid]`, the default) or points sampled
from parameter ranges (`[ranges]`, with `design = "lhs" | "morris" | "sobol"`;
`wargame.analysis.designs`). An experiment is checked once, when it is read,
against its theatre: every point must make valid parameters, every outcome must
name factions, places and series columns the theatre has. A bad file becomes one
ScenarioError naming the file, the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from wargame.analysis.designs import SampledDesign
from wargame.engine.events import EventKind
from wargame.engine.measures import columns as series_columns_of
from wargame.scenario import ScenarioError, Theatre, load_theatre
from wargame.scenario.errors import from_validation_error
from wargame.scenario.exercises import read_exercise
from wargame.scenario.history import OUTCOME_PREFIX, History, pattern_problem
from wargame.scenario.loader import read_toml
from wargame.scenario.map_limits import MAX_DAYS
from wargame.scenario.parameters import (
    Dotted,
    Parameters,
    UnknownParameterError,
    commodity_of,
    dotted,
    make_parameters,
    parameter_problem,
    valid_range,
)
from wargame.scenario.paths import data_root
from wargame.scenario.schema import Scalar
from wargame.seeds import SEED_MAX, SEED_RANGE, seed_problem


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Range(Strict):
    """`{from = 0.0, to = 1.0, step = 0.25}`: both ends included."""

    start: float = Field(alias="from")
    to: float
    step: float = Field(gt=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.to < self.start:
            raise ValueError(f"'to' ({self.to}) is below 'from' ({self.start})")
        return self

    def values(self) -> list[float]:
        count = math.floor((self.to - self.start) / self.step + 1e-9) + 1
        return [round(self.start + i * self.step, 10) for i in range(count)]


class Span(Strict):
    """`{from = 0.0, to = 1.0}`: a sampled design's range of one parameter."""

    start: float = Field(alias="from")
    to: float

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.to <= self.start:
            raise ValueError(f"'to' ({self.to:g}) must be above 'from' ({self.start:g})")
        return self


class OutcomeKind(Strict):
    """What one run is reduced to: each kind knows its columns, their types and its values.

    `columns(key)` names the runs table's columns of the outcome called `key`
    (`outcome.<name>`) with their type (bool: a yes/no the report gives odds
    of; int or float: a number it draws); `values` reads them from a finished
    run; an outcome read on a day before the end (`On`) is looked at then.
    """

    def columns(self, key: str) -> dict[str, type]:
        raise NotImplementedError

    def when_missing(self, column: str, days: int) -> float | None:
        """The number an empty cell of `column` stands for in a run of `days` days, where
        a sensitivity analysis needs a number in every run; None: it stands for none."""
        return None

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        raise NotImplementedError


class On(OutcomeKind):
    """An outcome read on a given day of the run (or a date), or at its end."""

    day: int | None = Field(default=None, ge=0)
    date: dt.date | None = None

    def look(self, model: Any) -> object:
        """What the outcome notes on its day (only that day's world can say)."""
        return None


class Holds(On):
    """Does the faction hold the place on the day?"""

    kind: Literal["holds"]
    faction: str
    place: str

    def look(self, model: Any) -> bool:
        return model.controller.get(self.place) == self.faction

    def columns(self, key: str) -> dict[str, type]:
        return {key: bool}

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        return {key: looked}


class Taken(OutcomeKind):
    """Did the faction ever capture the place? Also records the first day it did."""

    kind: Literal["taken"]
    faction: str
    place: str

    def columns(self, key: str) -> dict[str, type]:
        return {key: bool, f"{key}.day": int}

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        day = model.events.first_capture_day(self.faction, self.place)
        return {key: day is not None, f"{key}.day": day}

    def when_missing(self, column: str, days: int) -> float | None:
        """Never taken within the run counts as taken the day after it ends (a lever that
        keeps the place from falling then shows as a later day, not as no run)."""
        return float(days + 1) if column.endswith(".day") else None


class SeriesStat(On):
    """A statistic of a daily series column up to the day, or that as a share of where
    another column started (a faction's soldiers left or killed per soldier it began with)."""

    kind: Literal["series"]
    column: str
    stat: Literal["final", "max", "min", "mean"] = "final"
    share_of_start: str | None = Field(
        default=None,
        description="a daily series column: the statistic is divided by its value on day 0 "
        "(empty when that is 0)",
    )

    def columns(self, key: str) -> dict[str, type]:
        return {key: float}

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        column = frame[self.column].iloc[: int(looked) + 1]
        value = float(column.iloc[-1] if self.stat == "final" else getattr(column, self.stat)())
        if self.share_of_start is not None:
            start = float(frame[self.share_of_start].iloc[0])
            return {key: value / start if start else None}
        return {key: value}

    def look(self, model: Any) -> int:
        return model.day


class EventCount(OutcomeKind):
    """How many events of a kind (involving the faction, when given) the run logged."""

    kind: Literal["events"]
    event: EventKind
    faction: str | None = None

    def columns(self, key: str) -> dict[str, type]:
        return {key: int}

    def matching(self, model: Any) -> list[Any]:
        """The run's events of the kind, involving the faction when one is given."""
        events = model.events.of_kind(EventKind(self.event))
        return [e for e in events if self.faction is None or self.faction in e.factions]

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        return {key: len(self.matching(model))}


class FirstEvent(EventCount):
    """The day of the first event of a kind (involving the faction, when given): when a
    thing happened, where a count says only whether it did."""

    kind: Literal["first_event"]

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        return {key: min((e.day for e in self.matching(model)), default=None)}

    def when_missing(self, column: str, days: int) -> float | None:
        """No such event within the run counts as one the day after it ends, as `taken`."""
        return float(days + 1)


class PaceChange(OutcomeKind):
    """How a running total's pace changed: its rise over the last `days` days of the run
    against its rise over the first `days` days, as (last - first) / first.

    -0.5 is half the first pace, 0 the same; 0 too when the first days rose by nothing.
    """

    kind: Literal["pace_change"]
    column: str
    days: int = Field(default=30, ge=1)

    def columns(self, key: str) -> dict[str, type]:
        return {key: float}

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        total = frame[self.column].to_numpy()
        window = min(self.days, len(total) - 1)
        first = float(total[window] - total[0])
        last = float(total[-1] - total[-1 - window])
        return {key: (last - first) / first if first else 0.0}


class ChangedHands(On):
    """How many places have another holder on the day than at the start (nobody counts as a
    holder); with a faction, how many it holds then that it did not hold at the start."""

    kind: Literal["changed_hands"]
    faction: str | None = None

    def look(self, model: Any) -> int:
        start = model.theatre.control
        return sum(
            1
            for place, holder in model.controller.items()
            if holder != start.get(place) and (self.faction is None or holder == self.faction)
        )

    def columns(self, key: str) -> dict[str, type]:
        return {key: int}

    def values(self, key: str, model: Any, frame: pd.DataFrame, looked: object) -> dict:
        return {key: looked}


Outcome = Annotated[
    Holds | Taken | SeriesStat | EventCount | FirstEvent | PaceChange | ChangedHands,
    Field(discriminator="kind"),
]
OUTCOME = TypeAdapter(Outcome)
"""Reads an outcome back from its dict (a results folder's metadata keeps the file's spec)."""


class ExperimentSection(Strict):
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    theatre: str | None = None
    exercise: str | None = Field(
        default=None,
        description="a classroom exercise whose theatre and parameters every run takes "
        "(instead of `theatre`); `[fixed]` and `[grid]` go on top of its parameters",
    )
    days: int = Field(ge=1, le=MAX_DAYS)
    seeds: int | list[int] = Field(description="a count (seeds 0..n-1) or a list of seeds")
    keep_series: bool = False
    fan_series: list[str] | None = Field(
        default=None, description="daily series the report draws as fan charts"
    )
    design: Literal["grid", "lhs", "morris", "sobol"] = Field(
        default="grid",
        description="`grid` runs every combination of `[grid]`; the others sample points "
        "from `[ranges]`",
    )
    trajectories: int | None = Field(
        default=None, ge=2, le=1000, description="morris: trajectories of (parameters + 1) points"
    )
    levels: int | None = Field(
        default=None, ge=2, le=100, description="morris: levels each range is cut into (4)"
    )
    samples: int | None = Field(
        default=None,
        ge=2,
        le=2**16,
        description="lhs: points; sobol: base samples, each making (parameters + 2) points",
    )
    patterns: bool = Field(
        default=False,
        description="check the theatre's patterns (its history's [[patterns]]) on these runs; "
        "the experiment must record every column they read",
    )

    @model_validator(mode="after")
    def _seeds(self) -> ExperimentSection:
        if (self.theatre is None) == (self.exercise is None):
            raise ValueError("name a theatre or an exercise (one of them)")
        seeds = self.seeds
        if isinstance(seeds, int) and not 1 <= seeds <= SEED_MAX + 1:
            raise ValueError(f"seeds: expected a count from 1 to {SEED_MAX + 1} or a list of seeds")
        if isinstance(seeds, list) and (not seeds or len(set(seeds)) != len(seeds)):
            raise ValueError("seeds: expected a non-empty list without repeats")
        wrong = [seed for seed in seeds if seed_problem(seed)] if isinstance(seeds, list) else []
        if wrong:
            raise ValueError(f"seeds: {wrong[0]} is not a seed; each is {SEED_RANGE}")
        return self


class ExperimentFile(Strict):
    """An experiment: a theatre, how long and on which seeds to run it, the parameter values
    to run it with (a grid, or ranges a sampled design draws from) and what to record of
    each run."""

    experiment: ExperimentSection
    grid: dict[str, list[Scalar] | Range] = {}
    ranges: dict[str, Span] = {}
    fixed: dict[str, Scalar] = {}
    outcomes: dict[str, Outcome] = {}

    @field_validator("fixed", mode="before", json_schema_input_type=Dotted[Scalar])
    @classmethod
    def _fixed(cls, fixed: object) -> object:
        return dotted(fixed)

    @field_validator("grid", mode="before", json_schema_input_type=Dotted[list[Scalar] | Range])
    @classmethod
    def _grid(cls, grid: object) -> object:
        """Each swept parameter is a list or a range; say which one is neither, by name."""
        if not isinstance(grid, dict):
            return grid
        checked: dict[str, object] = {}
        for name, values in _swept(grid).items():
            if isinstance(values, dict):
                try:
                    checked[name] = Range.model_validate(values)
                except ValidationError as error:
                    problem = error.errors()[0]
                    where = ".".join(str(part) for part in problem["loc"])
                    words = problem["msg"].removeprefix("Value error, ")
                    raise ValueError(f"{name}{'.' + where if where else ''}: {words}") from None
            elif isinstance(values, list):
                checked[name] = values
            else:
                raise ValueError(f"{name}: expected a list of values or {{from, to, step}}")
        return checked

    @field_validator("ranges", mode="before", json_schema_input_type=Dotted[Span])
    @classmethod
    def _ranges(cls, ranges: object) -> object:
        """Each range is a table (`prices.gas = {from, to}` too, read as {"prices": {"gas":
        {...}}}); a list (a grid's habit) is named with what was expected."""
        if not isinstance(ranges, dict):
            return ranges
        flat = _swept(ranges)
        for name, span in flat.items():
            if not isinstance(span, dict):
                raise ValueError(
                    f"{name}: expected {{from = ..., to = ...}}, got {span!r}"
                    + (" (a list of values is for a grid)" if isinstance(span, list) else "")
                )
        return flat


def _swept(grid: dict, prefix: str = "") -> dict[str, object]:
    """The grid with its tables of parameters flattened (`prices.gas = [1, 2]` is read as
    {"prices": {"gas": [1, 2]}}): a table is a range when it has a range's keys."""
    flat: dict[str, object] = {}
    for name, values in grid.items():
        if isinstance(values, dict) and values and not values.keys() & RANGE_KEYS:
            flat.update(_swept(values, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = values
    return flat


RANGE_KEYS = {"from", "to", "step"}


@dataclass(frozen=True)
class RunSpec:
    """One run: a point of the design and a seed. `run_id` names it in the results."""

    run_id: str
    point: int
    seed: int
    parameters: dict[str, Scalar]
    """The swept values of this point only."""


@dataclass(frozen=True)
class Input:
    """One thing a batch's runs are made from: where it was read, and its sha256."""

    path: str | None
    sha256: str


@dataclass(frozen=True)
class Experiment:
    id: str
    path: Path
    digest: str
    spec: ExperimentFile
    theatre_path: str
    """What `ConflictModel` is given: a shipped theatre's name or an absolute folder."""
    grid: dict[str, list[Scalar]]
    """The values `[grid]` lists for each parameter (empty for a sampled design)."""
    design: SampledDesign | None
    """A sampled design's points, or None for a grid."""
    outcome_days: dict[str, int]
    fan_series: list[str]
    """Named in the file, or else every faction's places held and the displaced."""
    resolved: list[dict[str, Scalar]]
    """Every parameter's value at each point: defaults, the theatre's, `[fixed]`, the point's."""
    theatre_inputs: dict[str, Input]
    """Each file the theatre was read from (`Theatre.files`), by what it is."""
    theatre: Theatre
    """The theatre as read when the experiment was: its factions and places name columns."""
    fixed: dict[str, Scalar]
    """What every run sets: the exercise's parameters (if any), then `[fixed]`."""
    history: History | None = None
    """With `patterns = true`: the theatre's history, whose patterns the runs are checked on."""
    seeds_override: int | None = None
    """The count of seeds a command asked for instead of the file's (`batch --seeds`)."""

    @property
    def seeds(self) -> list[int]:
        seeds = self.spec.experiment.seeds
        return list(range(seeds)) if isinstance(seeds, int) else list(seeds)

    @property
    def days(self) -> int:
        return self.spec.experiment.days

    def points(self) -> list[dict[str, Scalar]]:
        """The swept values of each point: every combination of the grid's, or the draws."""
        return grid_points(self.grid) if self.design is None else self.design.points()

    def swept(self) -> dict[str, list[Scalar]]:
        """Each swept parameter's values: the grid's list, or its value at every point."""
        if self.design is None:
            return self.grid
        points = self.points()
        return {name: [point[name] for point in points] for name in self.design.names}

    def describe_points(self) -> str:
        """How many points and what kind, for the batch's first line."""
        if self.design is None:
            return f"{len(self.points())} grid points"
        return self.design.describe()

    def runs(self) -> list[RunSpec]:
        return [
            RunSpec(f"p{point:04d}-s{seed}", point, seed, values)
            for point, values in enumerate(self.points())
            for seed in self.seeds
        ]

    def parameters_for(self, run: RunSpec) -> dict[str, Scalar]:
        return {**self.fixed, **run.parameters}

    def unswept(self) -> dict[str, Scalar]:
        """The value each parameter of the grid takes when it is not swept: the theatre's
        own (or the exercise's, or `[fixed]`'s), where paired differences start from."""
        parameters = make_parameters(
            self.theatre.parameters, self.fixed, prices=self.theatre.prices
        ).model_dump(mode="json")
        flat = dotted(parameters)
        return {name: flat[name] for name in self.grid}

    @property
    def inputs(self) -> dict[str, Input]:
        """What the runs are made from, by what it is: this file, each file of the theatre
        and the resolved parameters. A batch never mixes runs of other inputs."""
        return {
            "experiment file": Input(str(self.path), self.digest),
            **self.theatre_inputs,
            "parameters": Input(None, parameters_digest(self.resolved)),
        }

    def with_seeds(self, count: int) -> Experiment:
        """The same experiment on seeds 0..count-1 instead of the file's: a quick look first."""
        if not 1 <= count <= SEED_MAX + 1:
            raise ValueError(f"expected a count of seeds from 1 to {SEED_MAX + 1}, got {count}")
        section = self.spec.experiment.model_copy(update={"seeds": count})
        spec = self.spec.model_copy(update={"experiment": section})
        return replace(self, spec=spec, seeds_override=count)

    def changed_inputs(self, recorded: dict[str, dict[str, str]]) -> list[str]:
        """What differs from the inputs `recorded` (as in a results folder's metadata)."""
        inputs = self.inputs
        names = [*inputs, *(name for name in recorded if name not in inputs)]
        return [
            name
            for name in names
            if name not in inputs or recorded.get(name, {}).get("sha256") != inputs[name].sha256
        ]


def grid_points(grid: dict[str, list[Scalar]]) -> list[dict[str, Scalar]]:
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def theatre_digests(theatre: Theatre) -> dict[str, str]:
    """The sha256 of each file the theatre is read from, by what the file is."""
    return {name: _sha256(path.read_bytes()) for name, path in theatre.files.items()}


def parameters_digest(resolved: list[dict[str, Scalar]]) -> str:
    return _sha256(json.dumps(resolved, sort_keys=True).encode())


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def experiments_dir() -> Path:
    return data_root() / "experiments"


def shipped_experiments() -> list[str]:
    folder = experiments_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def resolve_experiment(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = experiments_dir() / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    raise ScenarioError(
        path,
        "",
        f"no such experiment file; shipped experiments: {', '.join(shipped_experiments())}",
    )


def load_experiment(name_or_path: str | Path) -> Experiment:
    path = resolve_experiment(name_or_path)
    document = read_toml(path)
    try:
        spec = ExperimentFile.model_validate(document)
    except ValidationError as error:
        raise from_validation_error(path, error) from None
    section = spec.experiment
    fixed = dict(spec.fixed)
    theatre_path = section.theatre
    if section.exercise is not None:  # its theatre and parameters, as every front end takes them
        try:
            exercise = read_exercise(section.exercise)
        except ScenarioError as error:
            raise ScenarioError(path, "experiment.exercise", str(error)) from None
        theatre_path = exercise.spec.exercise.theatre
        fixed = {**exercise.spec.parameters, **fixed}
    elif not _is_shipped_theatre(theatre_path):  # a folder: relative to the experiment file
        theatre_path = str((path.parent / theatre_path).resolve())
    try:
        theatre = load_theatre(theatre_path)
    except ScenarioError as error:
        raise ScenarioError(
            path, "experiment.theatre", f"cannot load the theatre: {error}"
        ) from None
    grid = {
        name: values.values() if isinstance(values, Range) else list(values)
        for name, values in spec.grid.items()
    }
    for name, values in grid.items():
        if not values:
            raise ScenarioError(path, f"grid.{name}", "expected at least one value")
    _check_design(path, spec)
    _check_parameters(path, theatre, grid, fixed)
    design = _sampled_design(path, theatre, spec, fixed)
    outcome_days = _check_outcomes(path, theatre, spec)
    fans = {name for name, _ in series_columns_of(theatre)}
    for number, column in enumerate(section.fan_series or []):
        if column not in fans:
            raise ScenarioError(
                path, f"experiment.fan_series[{number}]", f"no daily series named {column!r}"
            )
    points = grid_points(grid) if design is None else design.points()
    resolved = _resolved_parameters(path, theatre, points, fixed, section.design)
    history = _patterns_history(path, theatre, spec) if section.patterns else None
    digest = _sha256(path.read_bytes())
    theatre_inputs = {
        name: Input(str(theatre.files[name].resolve()), sha256)
        for name, sha256 in theatre_digests(theatre).items()
    }
    return Experiment(
        id=section.id or path.stem,
        path=path.resolve(),
        digest=digest,
        spec=spec,
        theatre_path=theatre_path,
        grid=grid,
        design=design,
        outcome_days=outcome_days,
        fan_series=section.fan_series
        or [f"{f}_places_held" for f in theatre.factions] + ["civilians_displaced"],
        resolved=resolved,
        theatre_inputs=theatre_inputs,
        theatre=theatre,
        fixed=fixed,
        history=history,
    )


def _is_shipped_theatre(name: str) -> bool:
    from wargame.scenario import bundled_scenarios

    return name in bundled_scenarios()


def _check_parameters(
    path: Path, theatre: Theatre, grid: dict[str, list[Scalar]], fixed: dict[str, Scalar]
) -> None:
    """`fixed`, then each grid point as its runs will have it: a name the model lacks or a
    value out of range is named, and what is strange in a point is warned about here, once,
    so that its runs need not be."""
    points = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    for table, point in [("fixed", {}), *(("grid", point) for point in points)]:
        try:
            make_parameters(theatre.parameters, fixed, point, prices=theatre.prices)
        except UnknownParameterError as error:
            raise ScenarioError(
                path, f"{table}.{error.names[0]}", f"{error} (`wargame run --help` lists them)"
            ) from None
        except ValidationError as error:
            name, problem = parameter_problem(error)
            raise ScenarioError(path, f"{table}.{name}", problem) from None


def _resolved_parameters(
    path: Path,
    theatre: Theatre,
    points: list[dict[str, Scalar]],
    fixed: dict[str, Scalar],
    design: str,
) -> list[dict[str, Scalar]]:
    resolved = []
    for point in points:
        try:
            parameters = make_parameters(theatre.parameters, fixed, point, prices=theatre.prices)
        except ValidationError as error:  # each value passed alone; together they do not
            problem = parameter_problem(error)[1]
            table = "grid" if design == "grid" else "ranges"
            raise ScenarioError(path, table, f"at {point}: {problem}") from None
        resolved.append(parameters.model_dump(mode="json"))
    return resolved


DESIGN_SETTINGS: dict[str, dict[str, str | None]] = {
    "grid": {},
    "lhs": {"samples": "points, e.g. 64"},
    "morris": {
        "trajectories": "trajectories of (parameters + 1) points each, e.g. 10",
        "levels": None,
    },
    "sobol": {"samples": "base samples, a power of 2, each making (parameters + 2) points"},
}
"""The `[experiment]` keys each design takes, with what a required one is (None: optional)."""
MORRIS_LEVELS = 4
"""Morris' levels when the file gives none: SALib's default, and Morris (1991)'s p = 4."""
MIN_LHS_SAMPLES = 100
"""RBD-FAST (the lhs design's analysis) sums 10 harmonics and corrects its bias by a
factor 1 / (1 - 20 / points), on half the points in its bootstrap: below 100 points the
correction (1.7 at 50) swamps the estimate and its interval."""


def _check_design(path: Path, spec: ExperimentFile) -> None:
    """The design's settings and tables fit together; one line for the first that does not."""
    section = spec.experiment
    design = section.design
    for key in ("trajectories", "levels", "samples"):
        if getattr(section, key) is not None and key not in DESIGN_SETTINGS[design]:
            users = [name for name, keys in DESIGN_SETTINGS.items() if key in keys]
            raise ScenarioError(
                path,
                f"experiment.{key}",
                f"only for design = {' or '.join(map(repr, users))}; this one is {design!r}",
            )
    for key, what in DESIGN_SETTINGS[design].items():
        if what is not None and getattr(section, key) is None:
            raise ScenarioError(
                path, f"experiment.{key}", f"design = {design!r} needs {key}: {what}"
            )
    _check_design_tables(path, spec)
    problem = _design_size_problem(section)
    if problem:
        raise ScenarioError(path, *problem)


def _check_design_tables(path: Path, spec: ExperimentFile) -> None:
    """A grid sweeps `[grid]`; a sampled design samples `[ranges]`; never the other."""
    design = spec.experiment.design
    if design == "grid":
        if spec.ranges:
            sampled = ", ".join(repr(name) for name in DESIGN_SETTINGS if name != "grid")
            raise ScenarioError(
                path, "ranges", f"a grid sweeps [grid]; [ranges] is for design = {sampled}"
            )
        return
    if spec.grid:
        raise ScenarioError(
            path,
            "grid",
            f"design = {design!r} samples [ranges]: give each parameter there as "
            "{from, to}, not in [grid]",
        )
    if not spec.ranges:
        raise ScenarioError(
            path,
            "ranges",
            f"design = {design!r} needs [ranges]: each parameter it varies as "
            "name = {from = ..., to = ...}",
        )


def _design_size_problem(section: ExperimentSection) -> tuple[str, str] | None:
    """What is wrong with a sampled design's size, as (key, problem), or None."""
    if section.design == "morris" and section.levels is not None and section.levels % 2:
        return "experiment.levels", (
            "expected an even number (Morris' steps cover the levels evenly only then), "
            f"got {section.levels}"
        )
    samples = section.samples
    if section.design == "sobol" and samples & (samples - 1):
        return "experiment.samples", (
            f"expected a power of 2 (the Sobol' sequence is balanced only then), got {samples}"
        )
    if section.design == "lhs" and samples < MIN_LHS_SAMPLES:
        return "experiment.samples", (
            f"expected {MIN_LHS_SAMPLES} or more (RBD-FAST's estimate needs them), got {samples}"
        )
    return None


def _sampled_design(
    path: Path, theatre: Theatre, spec: ExperimentFile, fixed: dict[str, Scalar]
) -> SampledDesign | None:
    """The points a sampled design draws in its ranges, once each range is checked."""
    section = spec.experiment
    if section.design == "grid":
        return None
    whole = {}
    for name, span in spec.ranges.items():
        whole[name] = _check_range(path, theatre, name, span, fixed)
    return SampledDesign.draw(
        section.design,
        {name: (span.start, span.to) for name, span in spec.ranges.items()},
        whole,
        samples=section.samples,
        trajectories=section.trajectories,
        levels=section.levels or MORRIS_LEVELS,
    )


def _check_range(
    path: Path, theatre: Theatre, name: str, span: Span, fixed: dict[str, Scalar]
) -> bool:
    """`check_range` for `[ranges]`: a problem is said at the range's key."""
    try:
        return check_range(theatre, name, span.start, span.to, fixed)
    except NotNumeric as error:
        raise ScenarioError(path, f"ranges.{name}", f"{error}: sweep it in a grid") from None
    except RangeError as error:
        raise ScenarioError(path, f"ranges.{name}", str(error)) from None


class RangeError(ValueError):
    """A parameter range that cannot be sampled or searched; the message says why."""


class NotNumeric(RangeError):
    """A range of a parameter that takes no numbers (a choice of words)."""


def check_range(
    theatre: Theatre, name: str, low: float, high: float, fixed: dict[str, Scalar]
) -> bool:
    """A range is of a numeric parameter (or a commodity's price) and both its ends are
    valid values of it; returns whether the parameter takes whole numbers. Raises
    RangeError (a name the model lacks or no longer has is told as `--set` tells it)."""
    if not is_numeric(name):
        raise NotNumeric(f"expected a numeric parameter; {name} is {valid_range(name)}")
    whole = int in _number_kinds(name)
    for end in (low, high):
        value = int(end) if whole and float(end).is_integer() else end
        try:
            make_parameters(theatre.parameters, fixed, {name: value}, prices=theatre.prices)
        except UnknownParameterError as error:
            raise RangeError(f"{error} (`wargame run --help` lists them)") from None
        except ValidationError as error:
            raise RangeError(parameter_problem(error)[1]) from None
    return whole


def is_numeric(name: str) -> bool:
    """Whether a parameter takes numbers, so that a range of it can be sampled or searched."""
    return bool(_number_kinds(name) & {int, float})


def _number_kinds(name: str) -> set[object]:
    """The types a parameter's value may have (a price: float; a name the model lacks:
    float, so that `make_parameters` names it with the valid ones)."""
    if commodity_of(name) is not None or name not in Parameters.model_fields:
        return {float}
    annotation = Parameters.model_fields[name].annotation
    return set(get_args(annotation)) if get_args(annotation) else {annotation}


def run_column_kinds(theatre: Theatre, outcomes: dict[str, Outcome]) -> dict[str, type]:
    """The runs table's columns a pattern may read, with their types: the run summary's
    keys (its parameters aside) and the outcomes' columns."""
    from wargame.analysis.history import vocabulary

    kinds = dict(vocabulary(theatre).run_columns)
    for name, outcome in outcomes.items():
        kinds |= outcome.columns(f"{OUTCOME_PREFIX}{name}")
    return kinds


def _patterns_history(path: Path, theatre: Theatre, spec: ExperimentFile) -> History:
    """The theatre's history, every column its patterns read recorded by this experiment."""
    from wargame.analysis.history import read_history

    where = "experiment.patterns"
    try:
        history = read_history(theatre)
    except ScenarioError as error:
        raise ScenarioError(path, where, f"cannot read the theatre's patterns: {error}") from None
    if not history.patterns:
        raise ScenarioError(path, where, f"the theatre's history ({history.path}) has no patterns")
    kinds = run_column_kinds(theatre, spec.outcomes)
    recorded = ", ".join(c for c in kinds if c.startswith(OUTCOME_PREFIX)) or "none"
    for number, pattern in enumerate(history.patterns):
        problem = pattern_problem(pattern, kinds, lambda column: True)
        if problem is not None:
            key, words = problem
            if words.startswith("no column"):
                words += f" in this experiment's runs (its outcome columns: {recorded})"
            raise ScenarioError(
                path,
                where,
                f"{history.path}: patterns[{number}] ({pattern.id!r}).{key}: {words}",
            )
    return history


def _check_outcomes(path: Path, theatre: Theatre, spec: ExperimentFile) -> dict[str, int]:
    """Checks every outcome against the theatre; returns the day each is read on."""
    days: dict[str, int] = {}
    columns = {name for name, _ in series_columns_of(theatre)}
    for name, outcome in spec.outcomes.items():
        where = f"outcomes.{name}"
        faction = getattr(outcome, "faction", None)
        if faction is not None and faction not in theatre.factions:
            raise ScenarioError(
                path,
                f"{where}.faction",
                f"no faction {faction!r} in the theatre (factions: {', '.join(theatre.factions)})",
            )
        place = getattr(outcome, "place", None)
        if place is not None and place not in theatre.map.places:
            raise ScenarioError(path, f"{where}.place", f"no place {place!r} in the theatre")
        for key in ("column", "share_of_start"):
            column = getattr(outcome, key, None)
            if column is not None and column not in columns:
                raise ScenarioError(path, f"{where}.{key}", f"no daily series named {column!r}")
        day = spec.experiment.days
        if isinstance(outcome, On):
            if outcome.day is not None and outcome.date is not None:
                raise ScenarioError(path, where, "give a day or a date, not both")
            if outcome.date is not None:
                day = (outcome.date - theatre.start_date).days
            elif outcome.day is not None:
                day = outcome.day
            if not 0 <= day <= spec.experiment.days:
                raise ScenarioError(
                    path,
                    where,
                    f"expected a day within the run (0 to {spec.experiment.days}), got day {day}",
                )
        days[name] = day
    return days
