"""The conflict model: a theatre's world and its day, a list of phases run in ODD order.

A phase is a module of `wargame.phases` with two functions: `start(world)`,
which makes the phase's own state (or None), and `run(world, state)`, the
phase's part of the day. Adding a phase is one module and one line below.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from wargame.engine import measures
from wargame.engine.orders import Commander
from wargame.engine.world import World
from wargame.phases import (
    civilians,
    combat,
    command,
    control,
    diplomacy,
    economy,
    morale,
    movement,
    observation,
    supply,
)
from wargame.scenario import Theatre, load_theatre
from wargame.scenario.parameters import make_parameters
from wargame.seeds import SEED_MAX, seed_problem

PHASES: tuple[ModuleType, ...] = (
    diplomacy,  # relations strain, truces are brokered and broken, gates close
    command,  # each faction's commander gives its orders
    movement,  # units travel their roads
    combat,  # hostile units at one place fight
    supply,  # cut-off units waste away, sieges wear walls, broken garrisons surrender
    morale,  # units wear down; broken ones fall back or cross the border
    control,  # places change hands
    economy,  # revenue, pay, the cost of fighting, recruits, arms
    civilians,  # people flee, suffer and go home
    observation,  # the day's measures
)


class ConflictModel(World):
    """One run of a theatre.

    `scenario` is a shipped theatre's name, a theatre folder, a set-up file or
    an already loaded Theatre; `parameters` overrides the theatre's values; `rng`
    is the seed every random stream of the run derives from (`wargame.engine.streams`;
    0 to 2**32 - 1, `wargame.seeds`; ValueError outside it); `commanders` replaces the
    doctrine AI of the factions it names (a human's orders, say).
    """

    def __init__(
        self,
        scenario: str | Path | Theatre,
        parameters: Mapping[str, object] | None = None,
        rng: int | None = None,
        commanders: Mapping[str, Commander] | None = None,
    ) -> None:
        theatre = scenario if isinstance(scenario, Theatre) else load_theatre(scenario)
        seed = int(rng) if rng is not None else secrets.randbelow(SEED_MAX + 1)
        if seed_problem(seed):
            raise ValueError(f"seed {seed}: {seed_problem(seed)}")
        layers = (theatre.parameters, dict(parameters or {}))
        super().__init__(theatre, make_parameters(*layers, prices=theatre.prices), seed)
        for faction_id, commander in (commanders or {}).items():
            self.factions[faction_id].commander = commander
        self._set_militia_loyalty()
        self.populate()
        self.states: dict[ModuleType, Any] = {phase: phase.start(self) for phase in PHASES}
        observation.run(self, self.states[observation])  # day 0: the starting state

    def _set_militia_loyalty(self) -> None:
        """`militia_loyalty`, when set, replaces each militia's relation to its patron."""
        loyalty = self.parameters.militia_loyalty
        if loyalty is None:
            return
        for faction_id, faction in self.factions.items():
            if faction.spec.economy.patron in self.factions:
                self.set_relation(faction_id, faction.spec.economy.patron, loyalty)

    def step(self) -> None:
        """One day: every phase in turn."""
        for phase in PHASES:
            phase.run(self, self.states[phase])

    def run(self, days: int) -> None:
        for _ in range(days):
            self.step()

    def state(self, phase: ModuleType) -> Any:
        """A phase's own state (`model.state(diplomacy).broken_alliances`)."""
        return self.states[phase]

    def series(self) -> pd.DataFrame:
        """The daily series so far: one row a day from day 0."""
        return self.states[observation].frame()

    def summary(self) -> dict[str, object]:
        return measures.summary(self)


def build_model(
    scenario: str | Path | Theatre | None = None,
    overrides: Mapping[str, object] | None = None,
    seed: int | None = None,
    *,
    exercise: str | Path | None = None,
    commanders: Mapping[str, Commander] | None = None,
) -> ConflictModel:
    """A model ready to step: the one way every front end builds one.

    From a theatre, or from an exercise (its theatre, its parameters and its
    seed), with `overrides` on top of the theatre's or exercise's parameters,
    and `commanders` standing in for the doctrine AI of the factions they name.
    The CLI, the viewer, the classroom and the batch all call this, so an
    exercise means the same run everywhere.
    """
    if exercise is not None:
        from wargame.scenario.exercises import read_exercise  # only an exercise needs it

        spec = read_exercise(exercise).spec
        if scenario is not None and str(scenario) != spec.exercise.theatre:
            raise ValueError(f"exercise {exercise} plays {spec.exercise.theatre}, not {scenario}")
        scenario = spec.exercise.theatre
        overrides = {**spec.parameters, **(overrides or {})}
        seed = spec.exercise.seed if seed is None else seed
    if scenario is None:
        raise ValueError("build_model needs a theatre or an exercise")
    return ConflictModel(scenario, overrides, rng=seed, commanders=commanders)
