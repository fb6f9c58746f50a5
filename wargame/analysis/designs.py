"""Sampled designs: where in their ranges an experiment's points lie, drawn by SALib.

A grid runs every combination of the values it lists; a sampled design draws its
points from each parameter's range instead: a Latin hypercube (`lhs`), Morris
trajectories (`morris`) or Saltelli's extension of the Sobol' sequence (`sobol`).
The draw is seeded, so a file always gives the same points. The matrix SALib
returned is kept with the results (`metadata.json`), because the analysis needs
exactly that matrix (`wargame.analysis.sensitivity`), not the values the runs
took: a whole-number parameter is run at the nearest whole number to its draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

SampledKind = Literal["lhs", "morris", "sobol"]

SAMPLE_SEED = 1
"""The samplers' seed: one file, one set of points. Not 0: some SALib functions read a
falsy seed as "draw unseeded"."""


@dataclass(frozen=True)
class SampledDesign:
    """A sampled design's parameters, ranges and the points SALib drew in them."""

    kind: SampledKind
    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    whole: tuple[bool, ...]
    """Which parameters take whole numbers (rounded from the draw)."""
    sample: tuple[tuple[float, ...], ...]
    """SALib's matrix, a row per point, a column per parameter, as drawn."""
    levels: int | None = None
    """Morris: the number of levels each range is cut into."""
    trajectories: int | None = None
    """Morris: the number of trajectories (each of len(names) + 1 points)."""

    @classmethod
    def draw(
        cls,
        kind: SampledKind,
        ranges: dict[str, tuple[float, float]],
        whole: dict[str, bool],
        samples: int | None = None,
        trajectories: int | None = None,
        levels: int | None = None,
    ) -> SampledDesign:
        """Draw the points: `samples` for lhs and sobol, `trajectories` and `levels` for
        morris (sobol draws samples x (parameters + 2) points, first and total indices
        only)."""
        from SALib.sample import latin, morris, sobol

        names = tuple(ranges)
        problem = _problem(names, tuple(ranges.values()))
        if kind == "morris":
            matrix = morris.sample(problem, trajectories, num_levels=levels, seed=SAMPLE_SEED)
        elif kind == "sobol":
            matrix = sobol.sample(problem, samples, calc_second_order=False, seed=SAMPLE_SEED)
        else:
            matrix = latin.sample(problem, samples, seed=SAMPLE_SEED)
        return cls(
            kind=kind,
            names=names,
            bounds=tuple(tuple(map(float, span)) for span in ranges.values()),
            whole=tuple(whole[name] for name in names),
            sample=tuple(tuple(float(x) for x in row) for row in matrix),
            levels=levels if kind == "morris" else None,
            trajectories=trajectories if kind == "morris" else None,
        )

    def problem(self) -> dict:
        """The problem as SALib's functions take it."""
        return _problem(self.names, self.bounds)

    def matrix(self) -> np.ndarray:
        return np.array(self.sample, dtype=float)

    def points(self) -> list[dict[str, int | float]]:
        """Each point as its runs set it."""
        return [
            {
                name: round(value) if whole else value
                for name, value, whole in zip(self.names, row, self.whole, strict=True)
            }
            for row in self.sample
        ]

    def describe(self) -> str:
        """The design in a few words, for the batch's first line and the report."""
        points = len(self.sample)
        if self.kind == "morris":
            return (
                f"morris design: {self.trajectories} trajectories x {len(self.names) + 1} "
                f"points ({self.levels} levels) = {points} points"
            )
        if self.kind == "sobol":
            base = points // (len(self.names) + 2)
            return f"sobol design: {base} samples x {len(self.names) + 2} = {points} points"
        return f"lhs design: {points} points"

    def to_metadata(self) -> dict:
        return {
            "kind": self.kind,
            "names": list(self.names),
            "bounds": [list(span) for span in self.bounds],
            "whole": list(self.whole),
            "levels": self.levels,
            "trajectories": self.trajectories,
            "sample": [list(row) for row in self.sample],
        }

    @classmethod
    def from_metadata(cls, recorded: dict) -> SampledDesign:
        return cls(
            kind=recorded["kind"],
            names=tuple(recorded["names"]),
            bounds=tuple(tuple(span) for span in recorded["bounds"]),
            whole=tuple(recorded["whole"]),
            sample=tuple(tuple(row) for row in recorded["sample"]),
            levels=recorded.get("levels"),
            trajectories=recorded.get("trajectories"),
        )


def _problem(names: tuple[str, ...], bounds) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
