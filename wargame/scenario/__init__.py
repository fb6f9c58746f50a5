"""Loading and validating theatres: everything after this layer may trust its input.

The names below are imported on first use, so that a module of this package (the
parameters, the errors) can be read without loading the map checks and their SciPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.scenario.errors import ScenarioError
    from wargame.scenario.loader import (
        Place,
        Road,
        Theatre,
        TheatreMap,
        load_faction,
        load_map,
        load_theatre,
        validate_path,
    )
    from wargame.scenario.paths import bundled_scenarios
    from wargame.scenario.schema import PlaceKind, RoadKind

_HOME = {
    "ScenarioError": "errors",
    "Place": "loader",
    "Road": "loader",
    "Theatre": "loader",
    "TheatreMap": "loader",
    "load_faction": "loader",
    "load_map": "loader",
    "load_theatre": "loader",
    "validate_path": "loader",
    "bundled_scenarios": "paths",
    "PlaceKind": "schema",
    "RoadKind": "schema",
}

__all__ = [
    "Place",
    "PlaceKind",
    "Road",
    "RoadKind",
    "ScenarioError",
    "Theatre",
    "TheatreMap",
    "bundled_scenarios",
    "load_faction",
    "load_map",
    "load_theatre",
    "validate_path",
]


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module 'wargame.scenario' has no attribute {name!r}")
    return getattr(import_module(f"wargame.scenario.{_HOME[name]}"), name)
