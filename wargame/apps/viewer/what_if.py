"""What if, from here: the look-back's control that forks the run on the day looked back at.

The page sends a parameter's name, a value typed as text and the day; all
three are checked here, on the server, before any model is built: the name
must be one a run under way can take (`mid_run_names`: not those read when
the model is built), the value inside that parameter's range, the day one the
run has played.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import solara

from wargame.analysis.fork import Change, changed_parameters
from wargame.apps.viewer.levers import levers
from wargame.scenario.parameters import (
    Parameters,
    SetAtStartError,
    UnknownParameterError,
    ValidationError,
    commodity_of,
    mid_run_names,
    parameter_problem,
    valid_range,
)

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel
    from wargame.scenario import Theatre

MAX_VALUE_CHARS = 40
"""A value typed into the page: longer is no number nor mode a parameter takes."""


class ForkRefused(ValueError):
    """A fork the page asked for that cannot be made; the message is for the page."""


def choices(theatre: Theatre) -> list[str]:
    """Parameters a fork may change: the theatre's levers first, then every other."""
    allowed = mid_run_names(theatre.prices)
    first = [lever.parameter for lever in levers(theatre) if lever.parameter in allowed]
    return first + [name for name in allowed if name not in first]


def words(theatre: Theatre, name: str) -> str:
    """What a parameter is, for the page: its lever's label, or its description."""
    label = next((lever.label for lever in levers(theatre) if lever.parameter == name), "")
    if label:
        return label
    commodity = commodity_of(name)
    if commodity is not None:
        return f"Price of {theatre.commodities[commodity].name}, US$ per tonne"
    return Parameters.model_fields[name].description or name


def checked_change(model: ConflictModel, today: int, day: int, name: str, value: str) -> Change:
    """The change the page asked for, on `day` of a run now at day `today`; ForkRefused
    with a sentence for the page when the name, the value or the day will not do."""
    if name not in choices(model.theatre):
        raise ForkRefused(f"{name!r} is not a parameter a run can change on its way.")
    if not 0 <= day < today:
        raise ForkRefused(f"Day {day}: a fork starts from a day already played, 0 to {today - 1}.")
    value = str(value).strip()
    if not value or len(value) > MAX_VALUE_CHARS:
        raise ForkRefused(f"{name}: expected {valid_range(name)}.")
    try:
        changed_parameters(model, {name: value})
    except ValidationError as error:
        _, problem = parameter_problem(error)
        raise ForkRefused(f"{name}: {problem}.") from None
    except (SetAtStartError, UnknownParameterError) as error:
        raise ForkRefused(f"{error}.") from None
    return Change(day, {name: value})


@solara.component
def WhatIf(model: ConflictModel, on_fork: Callable[[str, str], str]) -> None:
    """Pick a parameter and a value, and fork the run on `model`'s day (the one looked back at).

    `on_fork(name, value)` makes the fork and returns "" or why it could not.
    """
    names = choices(model.theatre)
    name = solara.use_reactive(names[0])
    value = solara.use_reactive("")
    refused = solara.use_reactive("")
    shown = name.value if name.value in names else names[0]  # the fork checks what is sent
    running = model.parameters.value(shown)

    def fork() -> None:
        refused.set(on_fork(name.value, value.value))

    with solara.Card(f"What if, from day {model.day}", classes=["wargame-what-if"]):
        solara.Text(
            f"Change one parameter from day {model.day} on and play on from there: the tab "
            "then runs the forked run, and keeps the run you forked from (a button brings it "
            "back)."
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
            solara.Select("Parameter", values=names, value=name, style={"min-width": "260px"})
            solara.InputText("New value", value=value, continuous_update=True)
        solara.HTML(
            "div",
            f"{html.escape(words(model.theatre, shown))}: running {_shown(running)}; "
            f"{html.escape(valid_range(shown))}.",
            classes=["wargame-what-if-parameter"],
        )
        solara.Button(f"Fork from day {model.day}", on_click=fork, color="warning")
        if refused.value:
            solara.Error(refused.value)


def _shown(value: object) -> str:
    """A parameter's value as the levers show one: 33600, 0.5, stochastic."""
    return f"{value:g}" if isinstance(value, int | float) else str(value)
