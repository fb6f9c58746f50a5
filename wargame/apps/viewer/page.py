"""`wargame serve`'s page: choose a theatre and a seed, and play it in the `Viewer`.

A thin wrapper: it builds the model a user's notebook would build
(`build_model`) and renders `Viewer(model)`. Each browser tab builds its own
model (`solara.use_memo` inside the page), so two tabs never see each other's
run. What only a server needs is set up here, on import, where `solara run`
loads the page, and not where a notebook imports `Viewer`.
"""

from __future__ import annotations

import logging
import os

import solara

from wargame.apps.closed_sessions import give_back_memory_when_sessions_close
from wargame.apps.front_end import serve_front_end_read_only
from wargame.apps.viewer import SCENARIO_ENV
from wargame.apps.viewer.access import refusal
from wargame.apps.viewer.app import CONTROLS_STYLE, PAGE_STYLE, PAGE_TITLE, Viewer
from wargame.engine.model import ConflictModel, build_model
from wargame.scenario import ScenarioError, bundled_scenarios
from wargame.scenario.errors import show_warnings_as_lines
from wargame.scenario.exercises import PREFIX
from wargame.seeds import seed_problem

log = logging.getLogger(__name__)
show_warnings_as_lines()  # a theatre's strange input, on the server's terminal as the CLI says it
serve_front_end_read_only()  # no page can change what every page is served
give_back_memory_when_sessions_close()  # a class leaving frees the server's memory


def start_scenarios() -> list[str]:
    from wargame.scenario.exercises import PREFIX, shipped_exercises

    shipped = bundled_scenarios() + [PREFIX + name for name in shipped_exercises()]
    own = os.environ.get(SCENARIO_ENV)
    return ([own] if own else []) + [s for s in shipped if s != own]


def open_model(scenario: str, seed: int | None) -> ConflictModel | str:
    """The model the page's theatre and seed name, or why it cannot be built (checked here,
    on the server: a page can name any folder)."""
    if seed_problem(seed):
        return f"Seed {seed}: {seed_problem(seed)}."
    refused = refusal(scenario)
    if refused:
        return refused
    try:
        return fresh_model(scenario, seed)
    except ScenarioError as error:
        return str(error)
    except Exception as error:  # a bug, not the user's file: say so on the page, log the rest
        log.exception("building %s failed", scenario)
        return f"The theatre could not be built: {type(error).__name__}: {error}"


def fresh_model(scenario: str, seed: int) -> ConflictModel:
    """A theatre's model, or a classroom exercise's (its theatre, parameters; the page's seed)."""
    if scenario.startswith(PREFIX):
        return build_model(exercise=scenario.removeprefix(PREFIX), seed=seed)
    return build_model(scenario, seed=seed)


@solara.component
def Page() -> None:
    """`wargame serve`'s page: a theatre and a seed chosen here, played by `Viewer`."""
    scenarios = solara.use_reactive(start_scenarios())
    scenario = solara.use_reactive(scenarios.value[0])
    seed = solara.use_reactive(7)
    # each tab builds its own model: two tabs never see each other's run
    opened = solara.use_memo(
        lambda: open_model(scenario.value, seed.value), [scenario.value, seed.value]
    )

    def open_folder(path: str | None) -> None:
        path = (path or "").strip()
        if not path:
            return
        if path not in scenarios.value:
            scenarios.set([path, *scenarios.value])
        scenario.set(path)

    with solara.Column(style=PAGE_STYLE, classes=["wargame-page"]):
        with solara.Row(style=CONTROLS_STYLE):
            solara.Select("Theatre", values=scenarios.value, value=scenario)
            solara.InputText(
                "Or open your own theatre folder",
                on_value=open_folder,
                style={"min-width": "240px", "max-width": "100%"},
            )
            solara.InputInt("Seed", value=seed, style={"max-width": "90px"})
        if isinstance(opened, str):
            solara.Title(PAGE_TITLE)
            solara.Error(f"This run cannot start. {opened}")
            return
        # a new model is a new viewer: levers moved, a place chosen, play all start afresh
        Viewer(opened).key(f"viewer-{id(opened)}")
