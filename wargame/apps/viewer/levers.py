"""The levers the viewer offers as sliders: a parameter, its words, its unit and its range.

The range is what a class would try, inside what `Parameters` accepts; a test
keeps every lever a real parameter whose bounds contain the slider's. A
slider snaps its value to its steps as soon as it is drawn, so the shipped
theatres' values must lie on a step, or a reset would quietly change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel


@dataclass(frozen=True)
class Lever:
    parameter: str
    label: str
    unit: str
    low: float
    high: float
    step: float

    def value(self, model: ConflictModel) -> float | None:
        """The value the model runs with; None when the theatre has nothing it moves.

        An unset militia loyalty reads the first militia's relation in the faction files.
        """
        value = getattr(model.parameters, self.parameter)
        if value is None and self.parameter == "militia_loyalty":
            militias = [f.spec for f in model.factions.values() if f.spec.economy.patron]
            if not militias:
                return None
            value = militias[0].relations.get(militias[0].economy.patron, 0.0)
        return float(value)


LEVERS = (
    Lever("china_pressure", "China's pressure for calm", "0 none - 1 full", 0.0, 1.0, 0.05),
    Lever("rare_earth_price", "Rare-earth oxide price", "US$ per tonne", 0.0, 100_000.0, 100.0),
    Lever("militia_loyalty", "NDA-K loyalty to the military", "relation, -1 to 1", -1.0, 1.0, 0.05),
    Lever(
        "external_income_factor",
        "The military's budget from Naypyitaw",
        "x the theatre's figure",
        0.0,
        3.0,
        0.1,
    ),
    Lever("ceasefire_rate_per_day", "Ceasefire chance", "per day at full pressure", 0.0, 0.5, 0.01),
    Lever("recruits_per_base_per_day", "Recruits", "soldiers per base per day", 0.0, 20.0, 1.0),
)
