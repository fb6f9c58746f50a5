"""Phase 10, observation: the day's row of every measure, kept as the daily series.

The series has one row per day (day 0 is the starting state) with the
columns of `wargame.engine.measures`: `<faction>_<measure>`,
`civilians_<measure>` and the world's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from wargame.engine import measures
from wargame.engine.world import World


@dataclass
class State:
    columns: tuple[str, ...] = ()
    """The series' columns, the same every day of a run."""
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    """One row of values a day, oldest first: a tuple, not a dict, since a long run keeps
    thousands (a dict of ~90 keys costs twice the tuple's memory)."""

    def frame(self) -> pd.DataFrame:
        """The daily series as a data frame with a plain index (its `day` column counts days)."""
        return pd.DataFrame(self.rows, columns=list(self.columns))


def start(world: World) -> State:
    return State()


def run(world: World, state: State) -> None:
    today = measures.today(world)
    if not state.columns:
        state.columns = tuple(today)
    state.rows.append(tuple(today[column] for column in state.columns))
