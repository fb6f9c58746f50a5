"""The levers the viewer offers as sliders: a parameter, its words, its unit and its range.

The range is what a class would try, inside what `Parameters` accepts; a test
keeps every lever a real parameter whose bounds contain the slider's. A
slider snaps its value to its steps as soon as it is drawn, so the shipped
theatres' values must lie on a step, or a reset would quietly change them.

Which levers a theatre has, and their words, come from the theatre: its
broker's pressure, named for the broker (none without one), and a price for
each of its commodities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wargame.scenario.parameters import PRICES, commodity_of

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel
    from wargame.scenario import Theatre

PRICE_SLIDER_TOP = 3.0
"""A price slider reaches this many times the declared price: from nothing to a boom."""


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
        commodity = commodity_of(self.parameter)
        if commodity is not None:
            return float(model.parameters.prices[commodity])
        value = getattr(model.parameters, self.parameter)
        if value is None and self.parameter == "militia_loyalty":
            militias = [f.spec for f in model.factions.values() if f.spec.economy.patron]
            if not militias:
                return None
            value = militias[0].relations.get(militias[0].economy.patron, 0.0)
        return float(value)


GENERAL_LEVERS = (
    Lever(
        "militia_loyalty",
        "Militias' loyalty to their patron",
        "relation, -1 to 1",
        -1.0,
        1.0,
        0.05,
    ),
    Lever(
        "external_income_factor",
        "External income (a national army's budget)",
        "x the theatre's figure",
        0.0,
        3.0,
        0.1,
    ),
    Lever("ceasefire_rate_per_day", "Ceasefire chance", "per day at full pressure", 0.0, 0.5, 0.01),
    Lever("recruits_per_base_per_day", "Recruits", "soldiers per base per day", 0.0, 20.0, 1.0),
)


def levers(theatre: Theatre) -> tuple[Lever, ...]:
    """The theatre's levers: its broker's pressure, each commodity's price, then the rest."""
    own = []
    if theatre.broker is not None:
        broker = theatre.country_name(theatre.broker)
        own.append(
            Lever(
                "broker_pressure",
                f"{broker}'s pressure for calm",
                "0 none - 1 full",
                0.0,
                1.0,
                0.05,
            )
        )
    for commodity, spec in theatre.commodities.items():
        step = _price_step(spec.price)
        own.append(
            Lever(
                f"{PRICES}.{commodity}",
                f"Price of {spec.name}",
                "US$ per tonne",
                0.0,
                max(PRICE_SLIDER_TOP * spec.price, 100 * step),
                step,
            )
        )
    return (*own, *GENERAL_LEVERS)


def _price_step(price: float) -> float:
    """A round step the declared price lies on, about a hundredth of it or less: 100 for
    33,600, 0.01 for 5.2 (a slider snaps its value to a step: the price must be one)."""
    step = 10.0 ** (int(f"{price:e}".split("e")[1]) - 2)
    while step > 1e-6 and abs(price / step - round(price / step)) > 1e-6:
        step /= 10
    return step
