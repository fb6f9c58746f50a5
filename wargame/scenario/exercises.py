"""Exercise files (`experiments/classroom/*.toml`): a theatre, its parameters, a seed and teams.

An exercise is data like a theatre's set-up: one file that every front end
reads the same way. `wargame run --exercise`, the viewer's list, the
classroom's rooms and `wargame.build_model(exercise=...)` all take its
theatre, parameters and seed from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wargame.scenario.errors import ScenarioError, from_validation_error
from wargame.scenario.loader import load_theatre, read_toml
from wargame.scenario.parameters import (
    UnknownParameterError,
    dotted,
    make_parameters,
    parameter_problem,
)
from wargame.scenario.paths import data_root
from wargame.seeds import Seed

PREFIX = "exercise:"
"""How the viewer's theatre list names an exercise."""


class ExerciseSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    title: str
    sheet: str = Field(description="the Markdown sheet, next to this file")
    theatre: str = Field(description="a shipped theatre's name or a theatre folder")
    seed: Seed = 7
    humans: list[str] = Field(min_length=1)
    turn_days: int = Field(default=7, ge=1)
    turns: int = Field(default=8, ge=1)


class ExerciseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    exercise: ExerciseSection
    parameters: dict[str, bool | int | float | str] = {}

    @field_validator("parameters", mode="before")
    @classmethod
    def _dotted(cls, value: object) -> object:
        """`prices.gas = 5` in TOML is a table; a parameter layer names it `prices.gas`."""
        return dotted(value)


@dataclass(frozen=True)
class Exercise:
    """An exercise file, read and checked: its contents, where it is, and its sheet."""

    spec: ExerciseFile
    path: Path
    sheet: Path

    @property
    def name(self) -> str:
        return self.path.stem


def exercises_dir() -> Path:
    return data_root() / "experiments" / "classroom"


def shipped_exercises() -> list[str]:
    folder = exercises_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def read_exercise(name_or_path: str | Path) -> Exercise:
    """A shipped exercise by name, or an exercise file; checked against its theatre."""
    path = Path(name_or_path)
    if not path.is_file():
        path = exercises_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        raise ScenarioError(
            Path(str(name_or_path)),
            "",
            f"no such exercise; shipped: {', '.join(shipped_exercises())}",
        )
    try:
        spec = ExerciseFile.model_validate(read_toml(path))
    except ValidationError as error:
        raise from_validation_error(path, error) from None
    section = spec.exercise
    theatre = load_theatre(section.theatre)
    unknown = [f for f in section.humans if f not in theatre.factions]
    if unknown:
        raise ScenarioError(path, "exercise.humans", f"no faction {unknown[0]!r} in the theatre")
    try:
        make_parameters(theatre.parameters, spec.parameters, prices=theatre.prices)
    except UnknownParameterError as error:
        raise ScenarioError(path, "parameters", str(error)) from None
    except ValidationError as error:
        name, problem = parameter_problem(error)
        raise ScenarioError(path, f"parameters.{name}", problem) from None
    sheet = path.parent / section.sheet
    if not sheet.is_file():
        raise ScenarioError(path, "exercise.sheet", f"no sheet {section.sheet} beside the file")
    return Exercise(spec, path, sheet)
