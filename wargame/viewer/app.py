"""The browser viewer (a first version): the map, step and reset, the day, the story so far.

Each browser tab gets its own model (`solara.use_memo` inside the page), so two
tabs never see each other's run. Plain Solara layouts only: Mesa's SolaraViz
grid stayed blank offline in headless Chromium on these machines.
"""

from __future__ import annotations

import solara

from wargame.model import ConflictModel
from wargame.scenario import ScenarioError, bundled_scenarios
from wargame.viewer.map_figure import draw_theatre

LOG_LINES = 15


@solara.component
def Page() -> None:
    scenario = solara.use_reactive(bundled_scenarios()[0] if bundled_scenarios() else "kachin")
    seed = solara.use_reactive(7)
    resets = solara.use_reactive(0)
    # the model is not reactive: a state change after each step redraws the page
    _, set_days = solara.use_state(0)

    def build() -> ConflictModel | str:
        try:
            return ConflictModel(scenario.value, rng=seed.value)
        except ScenarioError as error:
            return str(error)

    model = solara.use_memo(build, [scenario.value, seed.value, resets.value])

    def step() -> None:
        if isinstance(model, ConflictModel):
            model.step()
            set_days(model.day)

    def reset() -> None:
        resets.set(resets.value + 1)
        set_days(0)

    with solara.Column(style={"padding": "12px"}):
        solara.Markdown("## wargame")
        with solara.Row():
            solara.Select("Theatre", values=bundled_scenarios(), value=scenario)
            solara.InputInt("Seed", value=seed)
            solara.Button("Step one day", on_click=step, color="primary")
            solara.Button("Reset", on_click=reset)
        if isinstance(model, str):
            solara.Error(f"This theatre cannot be loaded: {model}")
            return
        solara.Markdown(f"**Day {model.day}** - {model.date:%d %B %Y}")
        with solara.Columns([3, 2]):
            solara.FigureMatplotlib(draw_theatre(model), format="png")
            with solara.Column():
                solara.Markdown("### What happened")
                recent = list(reversed(model.events))[:LOG_LINES]
                solara.Markdown(
                    "\n".join(f"- {event.sentence}" for event in recent) or "Nothing yet."
                )
