"""The scenario parameters: every number a user may change with `--set`.

A theatre's set-up file overrides these defaults in its `[parameters]` table;
a user overrides the theatre with `--set name=value`. Each field says its unit
and where its default came from, so `docs/ODD.md` and `wargame run --help`
can list them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    capture_days: int = Field(
        default=3,
        ge=1,
        description="days of sole armed presence before a place changes hands "
        "(judgement: a few days to clear and occupy a town)",
    )
    speed_highway_km_per_day: float = Field(
        default=40.0,
        gt=0.0,
        description="km a unit covers per day on a highway (judgement: trucks under threat)",
    )
    speed_road_km_per_day: float = Field(
        default=25.0,
        gt=0.0,
        description="km per day on a road (judgement: mixed trucks and foot)",
    )
    speed_track_km_per_day: float = Field(
        default=12.0,
        gt=0.0,
        description="km per day on a mountain track (judgement: infantry on foot)",
    )
    travel_friction: float = Field(
        default=0.25,
        ge=0.0,
        description="coefficient of variation of a unit's daily progress on the road "
        "(judgement: breakdowns, weather, checkpoints; 0 makes travel times exact)",
    )
    civilian_group_size: int = Field(
        default=500,
        ge=1,
        description="people per civilian group (the brief: a few hundred)",
    )

    def speed(self, road_kind: str) -> float:
        """Travel speed in km/day on a road of the given kind."""
        return getattr(self, f"speed_{road_kind}_km_per_day")


def parameter_names() -> list[str]:
    return list(Parameters.model_fields)


class UnknownParameterError(ValueError):
    """A parameter name that no phase reads; carries the valid names for the message."""


def make_parameters(*layers: dict[str, object]) -> Parameters:
    """Defaults overridden by each layer in turn (set-up file, then the user).

    Raises UnknownParameterError for a name the model does not have and
    pydantic's ValidationError for a value of the wrong type or range;
    strings such as "5" or "true" from the command line are converted.
    """
    merged: dict[str, object] = {}
    valid = set(parameter_names())
    for layer in layers:
        unknown = sorted(set(layer) - valid)
        if unknown:
            raise UnknownParameterError(
                f"unknown parameter {', '.join(repr(n) for n in unknown)}; "
                f"valid names: {', '.join(sorted(valid))}"
            )
        merged.update(layer)
    return Parameters.model_validate(merged)


__all__ = ["Parameters", "UnknownParameterError", "ValidationError", "make_parameters"]
