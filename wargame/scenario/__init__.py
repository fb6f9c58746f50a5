"""Loading and validating theatres: everything after this layer may trust its input."""

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
