"""Which parameters matter: SALib's indices of each outcome over a sampled design, a noise
floor measured from the seeds, and the verdicts drawn from both.

Every point of a design is run with every seed of the experiment. An outcome's value
at a point is its mean over the point's finished runs (a flag's: the share of runs in
which it is true), and SALib analyses those means: Morris' mu*, mu and sigma for a
`morris` design, Sobol' first and total indices for `sobol`, RBD-FAST first-order
indices for `lhs`, each with SALib's bootstrap confidence interval.

A mean over a few seeds still carries the seeds' noise, and noise alone gives every
parameter a positive mu* (or total index). So the seeds also measure the noise: the
same SALib analysis is run again on outputs that are noise only, and a parameter's
noise floor is the NOISE_QUANTILE of the index it gets there. A Morris step compares
two points run with the same seeds, so its noise is that of the seeds' differences
across the step: a noise-only step is the mean of as many deviations of a seed's
difference from its step's mean difference as there are seeds, drawn from those of
every step of the same parameter, pooled (a seed that makes the war go one way at
both ends of a step adds no noise to it). That needs every run; a Morris design with
a run missing, and other designs, whose points are compared across seeds, get a
pooled floor: a noise-only output at a point is the mean of as many runs' deviations
from their point's mean as it has runs, drawn from all points' pooled.

A parameter is a dead lever for an outcome when its index is at or below its noise
floor: noise alone gives as much 1 time in 20, so these runs cannot tell its effect
from the seeds' noise. (The floor already is the index's spread under noise; its
interval is reported, not subtracted again.) Across the K outcomes of a report, a lever
that does nothing would pass one of K such floors far more often than 1 time in 20
(about 1 - 0.95^K when the outcomes are independent: 78% for 30). So the verdict on the
lever as a whole rests on its family-wise floors, the 1 - 0.05 / K quantile of each
outcome's noise-only index (Bonferroni: noise alone passes any of them in at most 1
analysis of 20, however the outcomes go together): it is dead when no outcome's index
passes its family-wise floor.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wargame.analysis.designs import SampledDesign

CONFIDENCE = 0.95
"""The level of SALib's bootstrap intervals."""
BOOTSTRAP_RESAMPLES = 500
"""SALib's bootstrap resamples for an interval (its default, 100, moves the interval's
width by a few per cent from one analysis seed to the next)."""
ANALYSIS_SEED = 1
"""Seeds SALib's bootstraps, so a report says the same each time it is made. Not 0:
SALib's Sobol' analysis reads a falsy seed as "unseeded"."""
NOISE_REPLICATES = 200
"""Noise-only SALib analyses behind each Sobol' and RBD-FAST noise floor: enough for a
stable 95th percentile; a family-wise floor beyond 1 - 1/200 is at most their largest."""
MORRIS_NOISE_REPLICATES = 20_000
"""Noise-only Morris indices behind each floor, computed at once (`_morris_null`): enough
for the family-wise quantile of some 40 outcomes (1 - 0.05/40) to rest on 25 draws."""
NOISE_QUANTILE = 0.95
"""A parameter's noise floor is the index that noise alone exceeds in 1 analysis of 20:
an effect below it is one the seeds' noise could have made."""
ROUNDING = 1e-12
"""Deviations of a seed's difference across a Morris step no larger than this share of the
largest output are the floating point's rounding, not the seeds' noise."""
SIGN_CHANGE_RATIO = 0.5
"""Morris: a live lever changes sign when |mu| < 0.5 mu*, i.e. at least a quarter of the
absolute weight of its elementary effects goes against the rest (Campolongo et al. 2007:
a low mu with a high mu* means effects of both signs); and when that opposing weight,
mu* - |mu|, exceeds its noise floor, so that noise alone could not have made it."""

METHODS = {"morris": "Morris elementary effects", "sobol": "Sobol' indices", "lhs": "RBD-FAST"}
VERDICT_INDEX = {"morris": "mu_star", "sobol": "ST", "lhs": "S1"}
"""The index a design's verdicts rest on: Morris' mu*, Sobol's total index, and for a
Latin hypercube the first-order index (the only one RBD-FAST gives: a lever that acts
only together with another looks dead there)."""


Draw = Callable[[np.random.Generator, int], np.ndarray]
"""Draws `count` sets of noise-only outputs, a row each with a value per point."""


class NotAnalysable(ValueError):
    """An outcome SALib cannot analyse in these runs; the message says why."""


@dataclass(frozen=True)
class Sensitivity:
    """One outcome's indices per parameter, with the noise floor and the verdicts."""

    outcome: str
    kind: str
    """The design's kind: morris, sobol or lhs."""
    table: pd.DataFrame
    """One row per parameter, in the design's order: SALib's indices and intervals,
    `noise_floor`, `family_floor`, `dead` and (morris) `changes_sign`."""
    seeds_per_point: float
    constant: bool
    """The outcome is the same in every run: nothing can move it."""
    paired: bool = False
    """The noise floor is the seeds' differences across each Morris step (`paired`)."""
    family: int = 1
    """How many outcomes the levers are judged on together (the family-wise floor's K)."""

    @property
    def index(self) -> str:
        return VERDICT_INDEX[self.kind]

    @property
    def dead(self) -> list[str]:
        """Within this outcome's noise (its 95% floor): a verdict on this outcome alone."""
        return list(self.table.index[self.table["dead"]])

    @property
    def live(self) -> list[str]:
        return list(self.table.index[~self.table["dead"]])

    @property
    def dead_in_family(self) -> list[str]:
        """Dead by the family-wise floor: the verdict of a report of several outcomes."""
        return list(self.table.index[self.table[self.index] <= self.table["family_floor"]])

    @property
    def unmoved(self) -> list[str]:
        """Parameters whose index is exactly 0: the outcome's mean over the seeds is the
        same at every pair of points that differ in them alone (Morris' steps, Sobol's A
        and AB matrices), run with the same seeds: whatever they do never reached it."""
        if self.kind == "lhs":  # its points share no seeds' pairs that differ in one value
            return []
        return list(self.table.index[self.table[self.index] == 0.0])

    @property
    def changes_sign(self) -> list[str]:
        if "changes_sign" not in self.table:
            return []
        return list(self.table.index[self.table["changes_sign"]])


def outcome_matrix(
    runs: pd.DataFrame, column: str, points: int, seeds: list[int], missing: float | None
) -> np.ndarray:
    """The outcome `column` as a points x seeds array (NaN where a run is not in `runs`);
    a flag as 0/1, an empty cell as `missing` (see OutcomeKind.when_missing)."""
    values = runs[column].astype(object)
    if missing is not None:
        values = values.where(values.notna(), missing)
    frame = pd.DataFrame(
        {"point": runs["point"], "seed": runs["seed"], "value": pd.to_numeric(values)}
    )
    table = frame.pivot(index="point", columns="seed", values="value")
    return table.reindex(index=range(points), columns=seeds).to_numpy(dtype=float)


def lacking(matrix: np.ndarray) -> str | None:
    """Why the outcome `matrix` (points x seeds) cannot be analysed, or None: SALib needs
    every point's value."""
    finished = np.sum(~np.isnan(matrix), axis=1)
    if (finished == 0).any():
        return (
            f"{int(np.sum(finished == 0))} of {len(matrix)} points have no finished run "
            "(resume the batch to run them)"
        )
    return None


def is_constant(matrix: np.ndarray) -> bool:
    """The outcome is the same in every run of `matrix`: nothing moved it."""
    values = matrix[~np.isnan(matrix)]
    return bool(values.size and np.ptp(values) == 0.0)


def analyse(
    design: SampledDesign, outcome: str, matrix: np.ndarray, family: int = 1
) -> Sensitivity:
    """SALib's indices of the per-point means of `matrix` (points x seeds), their noise
    floors and verdicts; NotAnalysable when a point has no finished run. `family`: how many
    outcomes the report judges the levers on (their family-wise floors)."""
    why = lacking(matrix)
    if why:
        raise NotAnalysable(why)
    finished = np.sum(~np.isnan(matrix), axis=1)
    means = np.nanmean(matrix, axis=1)
    constant = is_constant(matrix)
    names = list(design.names)
    if constant:
        table = pd.DataFrame(0.0, index=names, columns=_columns(design.kind))
        floors = np.zeros((2, len(names)))
    else:
        table = pd.DataFrame(_indices(design, means, BOOTSTRAP_RESAMPLES), index=names)
        wanted = [NOISE_QUANTILE, 1 - (1 - NOISE_QUANTILE) / max(family, 1)]
        floors = _noise_floors(design, matrix, means, wanted)
    table.index.name = "parameter"
    table["noise_floor"], table["family_floor"] = floors
    index = VERDICT_INDEX[design.kind]
    table["dead"] = table[index] <= table["noise_floor"]
    if design.kind == "morris":
        opposed = table["mu_star"] - table["mu"].abs()
        table["changes_sign"] = (
            (table["mu_star"] > table["family_floor"])
            & (table["mu"].abs() < SIGN_CHANGE_RATIO * table["mu_star"])
            & (opposed > table["noise_floor"])
        )
    return Sensitivity(
        outcome,
        design.kind,
        table,
        float(finished.mean()),
        constant,
        paired(design, matrix),
        family,
    )


def _columns(kind: str) -> list[str]:
    return {
        "morris": ["mu_star", "mu_star_conf", "mu", "sigma"],
        "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
        "lhs": ["S1", "S1_conf"],
    }[kind]


def _indices(design: SampledDesign, y: np.ndarray, resamples: int) -> dict[str, np.ndarray]:
    """SALib's analysis of the design's kind on the per-point outputs `y`."""
    from SALib.analyze import morris, rbd_fast, sobol

    problem, x = design.problem(), design.matrix()
    with warnings.catch_warnings():  # SALib's own notes on small samples; the CIs say it
        warnings.simplefilter("ignore")
        if design.kind == "morris":
            found = morris.analyze(
                problem,
                x,
                y,
                num_resamples=resamples,
                conf_level=CONFIDENCE,
                num_levels=design.levels,
                seed=ANALYSIS_SEED,
            )
        elif design.kind == "sobol":
            found = sobol.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=resamples,
                conf_level=CONFIDENCE,
                seed=ANALYSIS_SEED,
            )
        else:
            found = rbd_fast.analyze(
                problem,
                x,
                y,
                num_resamples=resamples,
                conf_level=CONFIDENCE,
                seed=ANALYSIS_SEED,
            )
    return {column: np.asarray(found[column], dtype=float) for column in _columns(design.kind)}


def _noise_floors(
    design: SampledDesign, matrix: np.ndarray, means: np.ndarray, quantiles: list[float]
) -> np.ndarray:
    """Per quantile and parameter, that quantile of the verdict index SALib's analysis finds
    in outputs that are the seeds' noise only, on the scale of the real outputs.

    Morris with every run: from the seeds' differences across each step (`_step_noise`).
    Else the seeds' noise is pooled over every point: each run's deviation from its point's
    mean, times sqrt(n / (n - 1)) for a point of n runs, is a draw of one run's noise. A
    noise-only output at a point is the mean of as many such draws as the point has
    runs: the spread its mean has from its seeds. Pooled, because a few seeds cannot
    measure a point's own spread (two runs of a rare event mostly agree, though the
    event is no less random there). Variance-based indices are fractions of the output's
    variance, so theirs are rescaled from the noise's variance to the real output's.
    """
    draw = _step_noise(design, matrix) if paired(design, matrix) else _pooled_noise(matrix, means)
    if draw is None:  # one seed a point, or runs that never differ
        return np.zeros((len(quantiles), len(design.names)))
    rng = np.random.default_rng(ANALYSIS_SEED)
    if design.kind == "morris":
        found = _morris_null(design, draw, rng)
    else:
        found = _salib_null(design, draw, rng, means)
    if not len(found):
        return np.zeros((len(quantiles), len(design.names)))
    return np.nanquantile(found, quantiles, axis=0)


def _morris_null(design: SampledDesign, draw: Draw, rng: np.random.Generator) -> np.ndarray:
    """MORRIS_NOISE_REPLICATES noise-only mu* per parameter (rows), drawn in chunks."""
    found, chunk = [], 2_000
    for done in range(0, MORRIS_NOISE_REPLICATES, chunk):
        count = min(chunk, MORRIS_NOISE_REPLICATES - done)
        found.append(morris_mu_star(design, draw(rng, count)))
    return np.concatenate(found)


def morris_mu_star(design: SampledDesign, outputs: np.ndarray) -> np.ndarray:
    """Morris' mu* per parameter of each row of `outputs` (rows x points), as SALib's
    `morris.analyze` gives it (unscaled): the mean over trajectories of |the output's
    change across the step that moves the parameter| / delta, delta = levels / (2 (levels
    - 1)). Computed for many rows at once, where SALib takes one output at a time."""
    width = len(design.names) + 1
    changed = _changed(design)
    delta = design.levels / (2 * (design.levels - 1))
    steps = np.abs(np.diff(outputs.reshape(len(outputs), -1, width), axis=2)) / delta
    return np.stack([steps[:, changed == j].mean(axis=1) for j in range(width - 1)], axis=1)


def _salib_null(
    design: SampledDesign, draw: Draw, rng: np.random.Generator, means: np.ndarray
) -> np.ndarray:
    """NOISE_REPLICATES noise-only indices per parameter (rows) from SALib's own analysis,
    rescaled from the noise's variance to the real output's."""
    index = VERDICT_INDEX[design.kind]
    found = []
    for _ in range(NOISE_REPLICATES):
        noise = draw(rng, 1)[0]
        if np.ptp(noise) == 0.0:
            continue
        values = _indices(design, noise, resamples=2)[index]
        found.append(values * np.var(noise) / np.var(means))
    return np.array(found)


def _changed(design: SampledDesign) -> np.ndarray:
    """The parameter each step of a Morris design changes (trajectories x parameters)."""
    width = len(design.names) + 1
    moved = np.diff(design.matrix().reshape(-1, width, len(design.names)), axis=1)
    return np.abs(moved).argmax(axis=2)


def paired(design: SampledDesign, matrix: np.ndarray) -> bool:
    """Whether the floor comes from the seeds' differences across each Morris step: it
    needs every point's every run (a point short of a seed has a mean its step's
    differences do not describe, and gets the pooled floor instead)."""
    return design.kind == "morris" and matrix.shape[1] >= 2 and not np.isnan(matrix).any()


def _step_noise(design: SampledDesign, matrix: np.ndarray) -> Draw | None:
    """Noise-only outputs of a Morris design (trajectories of len(names) + 1 points): each
    step the mean of as many draws as there are seeds, each a seed's difference across a
    step less that step's mean difference, times sqrt(n / (n - 1)), pooled over the steps
    of the parameter the step changes; summed along each trajectory from 0. A lever that
    sends the war another way moves its steps' differences more than one that touches a
    few runs, so each is judged against its own. None when no seed's difference deviates."""
    width, seeds = len(design.names) + 1, matrix.shape[1]
    differences = np.diff(matrix.reshape(-1, width, seeds), axis=1)
    deviations = differences - differences.mean(axis=2, keepdims=True)
    deviations *= np.sqrt(seeds / (seeds - 1))
    deviations[np.abs(deviations) <= ROUNDING * np.abs(matrix).max()] = 0.0
    if not deviations.any():
        return None
    changed = _changed(design)
    pools = [deviations[changed == j].ravel() for j in range(len(design.names))]

    def draw(rng: np.random.Generator, count: int) -> np.ndarray:
        steps = np.zeros((count, *changed.shape))
        for j, pool in enumerate(pools):
            where = changed == j
            size = (count, int(where.sum()), seeds)
            steps[:, where] = rng.choice(pool, size=size).mean(axis=2)
        start = np.zeros((count, len(changed), 1))
        return np.concatenate([start, np.cumsum(steps, axis=2)], axis=2).reshape(count, -1)

    return draw


def _pooled_noise(matrix: np.ndarray, means: np.ndarray) -> Draw | None:
    """Noise-only outputs compared across seeds: at each point the mean of as many draws as
    it has runs, each a run's deviation from its point's mean times sqrt(n / (n - 1)),
    pooled over every point. None with one seed a point or runs that never differ."""
    finished = np.sum(~np.isnan(matrix), axis=1)
    scale = np.sqrt(finished / np.maximum(finished - 1, 1))[:, None]
    deviations = (matrix - means[:, None]) * scale
    pool = deviations[(finished > 1)[:, None] & ~np.isnan(matrix)]
    if not pool.size or not pool.any():
        return None

    def draw(rng: np.random.Generator, count: int) -> np.ndarray:
        size = (count, *matrix.shape)
        draws = np.where(np.isnan(matrix), np.nan, rng.choice(pool, size=size))
        return np.nanmean(draws, axis=2)

    return draw


def dead_family_wise(analyses: list[Sensitivity]) -> list[str]:
    """The parameters no outcome analysed shows beyond its family-wise floor: noise alone
    passes one of these floors in at most 1 analysis of 20, however many outcomes."""
    if not analyses:
        return []
    names = list(analyses[0].table.index)
    return [name for name in names if all(name in a.dead_in_family for a in analyses)]


def unmoved_everywhere(analyses: list[Sensitivity]) -> list[str]:
    """The parameters that moved no outcome's mean at any step."""
    if not analyses:
        return []
    names = list(analyses[0].table.index)
    return [name for name in names if all(name in a.unmoved for a in analyses)]


def floor_note(analysis: Sensitivity) -> str:
    """Says where a Morris outcome's floor came from when a missing run made it pooled."""
    if analysis.kind != "morris" or analysis.paired or analysis.seeds_per_point < 2:
        return ""
    return " (a run missing: noise floor pooled across seeds)"


def verdicts_text(analyses: list[Sensitivity], kind: str) -> list[str]:
    """The dead levers, those that moved nothing at all, the live ones per outcome and the
    ones whose effect changes sign, a line each."""
    dead = dead_family_wise(analyses)
    unmoved = unmoved_everywhere(analyses)
    family = analyses[0].family if analyses else 1
    lines = [
        f"Dead levers (no outcome beyond its family-wise floor, the index noise alone "
        f"exceeds in {(1 - NOISE_QUANTILE) / family:.2%} of analyses, "
        f"{1 - NOISE_QUANTILE:.0%} over the "
        f"{family} outcomes): " + (", ".join(dead) or "none"),
        "  of which moved no outcome's mean at any step (index exactly 0): "
        + (", ".join(unmoved) or "none"),
        "Live levers per outcome (above that outcome's own noise floor; on one outcome of "
        "many, weak evidence):",
        *(f"  {a.outcome}: {', '.join(a.live) or 'none'}" for a in analyses),
    ]
    if kind == "morris":
        changing = [f"{a.outcome}: {', '.join(a.changes_sign)}" for a in analyses if a.changes_sign]
        lines.append("Levers whose effect changes sign: " + ("; ".join(changing) or "none"))
    return lines


def describe(analyses: list[Sensitivity], design: SampledDesign, unanalysed: dict[str, str]) -> str:
    """The analyses as text: a table per outcome, then the dead and sign-changing levers."""
    lines = [
        f"Sensitivity: {METHODS[design.kind]} ({design.describe()}); each point's outcome is "
        f"the mean over its seeds; intervals {CONFIDENCE:.0%} (SALib bootstrap); noise floor: "
        f"the index seed noise alone exceeds in {1 - NOISE_QUANTILE:.0%} of analyses",
        "",
    ]
    for analysis in analyses:
        note = " (the same in every run)" if analysis.constant else ""
        lines.append(
            f"{analysis.outcome}: {analysis.seeds_per_point:.3g} seeds a point"
            f"{floor_note(analysis)}, by {analysis.index}{note}"
        )
        lines.append(_table_text(analysis))
        lines.append("")
    for outcome, why in unanalysed.items():
        lines += [f"{outcome}: not analysed: {why}", ""]
    return "\n".join(lines + verdicts_text(analyses, design.kind))


def verdict(analysis: Sensitivity) -> pd.Series:
    """Per parameter: "dead", "changes sign" or empty."""
    words = pd.Series("", index=analysis.table.index)
    words[analysis.table["dead"]] = "dead"
    if "changes_sign" in analysis.table:
        words[analysis.table["changes_sign"]] = "changes sign"
    return words


def ranked(analysis: Sensitivity) -> pd.DataFrame:
    """The table by the verdict index, largest first, with the verdict in words."""
    table = analysis.table.drop(columns=["dead", "changes_sign"], errors="ignore")
    table = table.assign(verdict=verdict(analysis))
    return table.sort_values(analysis.index, ascending=False, kind="stable")


def _table_text(analysis: Sensitivity) -> str:
    table = ranked(analysis)
    return table.to_string(float_format=lambda v: f"{v:.3g}")
