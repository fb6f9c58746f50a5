"""The report of a batch: outcome odds with Wilson intervals, fan charts, final control,
for a sampled design each outcome's sensitivity to each parameter, and for an experiment
with `patterns = true` whether the theatre's patterns hold.

Reads a results folder (`wargame batch`) and writes PNG figures, CSV tables
and an `index.html` that shows them. Every figure and table says how many
runs it rests on. The folder is written under a temporary name and renamed
when complete, so a failed report never leaves half a page.
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from scipy.stats import binomtest

from wargame.analysis import paired, sensitivity
from wargame.analysis.designs import SampledDesign
from wargame.analysis.experiments import OUTCOME, OutcomeKind
from wargame.analysis.patterns import (
    PointVerdicts,
    judge_points,
    results_history,
    verdicts_frame,
)
from wargame.analysis.results import METADATA, BatchError, read_metadata, read_runs, read_series
from wargame.analysis.sensitivity import Sensitivity
from wargame.files import StrPath
from wargame.scenario import PlaceKind, ScenarioError, Theatre, load_theatre
from wargame.scenario.history import History

if TYPE_CHECKING:
    from wargame.progress import Update

CONFIDENCE = 0.95
LOW, HIGH = 0.1, 0.9  # the fan charts' band
SENSITIVITY_TEXT = "sensitivity.txt"
"""The sensitivity tables and verdicts as text, in the report folder (`wargame report`
prints it)."""


class ReportError(Exception):
    pass


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion (scipy's binomtest)."""
    interval = binomtest(successes, trials).proportion_ci(CONFIDENCE, method="wilson")
    return float(interval.low), float(interval.high)


def outcome_odds(runs: pd.DataFrame, outcome: str, by: str | None) -> pd.DataFrame:
    """Share of runs where the outcome is true, per value of `by`, with its interval."""
    groups = runs.groupby(by, sort=True) if by else [("all runs", runs)]
    rows = []
    for value, group in groups:
        trials = int(group[outcome].notna().sum())
        successes = int(group[outcome].fillna(False).astype(bool).sum())
        low, high = wilson_interval(successes, trials) if trials else (np.nan, np.nan)
        rows.append(
            {
                by or "runs": value,
                "runs": trials,
                "true": successes,
                "share": successes / trials if trials else np.nan,
                "wilson_low": low,
                "wilson_high": high,
            }
        )
    return pd.DataFrame(rows)


def outcome_spread(runs: pd.DataFrame, outcome: str, by: str | None) -> pd.DataFrame:
    groups = runs.groupby(by, sort=True) if by else [("all runs", runs)]
    rows = []
    for value, group in groups:
        values = group[outcome].dropna().astype(float)
        rows.append(
            {
                by or "runs": value,
                "runs": len(values),
                "p10": values.quantile(LOW),
                "median": values.median(),
                "p90": values.quantile(HIGH),
            }
        )
    return pd.DataFrame(rows)


def fan(series: pd.DataFrame, column: str, by: pd.Series | None) -> dict[object, pd.DataFrame]:
    """Per value of `by` (a run's swept value), the median and 10-90% band of a series by day."""
    if by is None:
        keyed = {"all runs": series}
    else:
        values = series["run_id"].map(by)
        keyed = {value: series[values == value] for value in sorted(values.dropna().unique())}
    return {
        value: frame.groupby("day")[column]
        .quantile([LOW, 0.5, HIGH])
        .unstack()
        .rename(columns={LOW: "p10", 0.5: "median", HIGH: "p90"})
        .assign(runs=frame["run_id"].nunique())
        for value, frame in keyed.items()
    }


def final_control(runs: pd.DataFrame, places: list[str]) -> pd.DataFrame:
    """Share of runs in which each faction (or nobody) holds each place at the end."""
    rows = []
    for place in places:
        holders = runs[f"control.{place}"].fillna("nobody").value_counts(normalize=True)
        rows.append({"place": place, **holders.to_dict()})
    return pd.DataFrame(rows).fillna(0.0).set_index("place")


def number_text(value: float) -> str:
    """A table's number: three significant figures, whole with separators from 1,000 up
    (72,941, not 7.29e+04), "-" when there is none."""
    if math.isnan(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


@dataclass
class Page:
    title: str
    sections: list[str] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.sections.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str) -> None:
        self.sections.append(f"<p>{html.escape(text)}</p>")

    def table(self, frame: pd.DataFrame, caption: str, index: bool = False) -> None:
        table = frame.to_html(float_format=number_text, border=0, index=index)
        self.sections.append(
            f"<figure><figcaption>{html.escape(caption)}</figcaption>{table}</figure>"
        )

    def image(self, name: str, caption: str) -> None:
        self.sections.append(
            f"<figure><img src='{html.escape(name)}' alt='{html.escape(caption)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def html(self) -> str:
        style = (
            "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
            "img{max-width:100%}table{border-collapse:collapse;margin:.5em 0}"
            "td,th{padding:2px 8px;text-align:right}figure{margin:1.5em 0}"
            "figcaption{font-weight:bold;margin-bottom:.3em}"
        )
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}"
            f"</title><style>{style}</style></head><body><h1>{html.escape(self.title)}</h1>"
            + "".join(self.sections)
            + "</body></html>"
        )


def _quiet(done: int, total: int | None, note: str = "") -> None:
    pass


def key_places(theatre: Theatre, runs: pd.DataFrame) -> list[str]:
    """Places the report charts control of: what doctrine garrisons in these runs.

    Towns count from the runs' own `key_town_population` (the smallest, when it
    was swept), as the commanders in those runs counted them.
    """
    column = "parameters.key_town_population"
    threshold = int(runs[column].min()) if column in runs and len(runs) else 0
    return [
        p.id
        for p in theatre.map.places.values()
        if p.kind is not PlaceKind.SANCTUARY
        and (p.kind is not PlaceKind.TOWN or p.population >= threshold)
        and f"control.{p.id}" in runs
    ]


def build_report(results: StrPath, out: StrPath | None = None, progress: Update = _quiet) -> Path:
    """Write the report of a results folder; returns the report folder.

    `progress` is told of each step (reading, each figure), for a long batch's report.
    """
    results = Path(results)
    out = Path(out) if out is not None else results / "report"
    if not (results / METADATA).is_file():
        raise ReportError(f"{results}: not a results folder of `wargame batch` (no {METADATA})")
    _refuse_other_folder(out)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent if out.parent.exists() else None)
    )
    try:
        _write(results, read_metadata(results), staging, progress)
        _swap_in(staging, out)
    except BatchError as error:  # a damaged part or metadata, named with what to do
        raise ReportError(str(error)) from None
    except ScenarioError as error:  # the theatre or its history no longer reads
        raise ReportError(str(error)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _is_report_entry(entry: Path) -> bool:
    """Whether `entry` is one a report writes (the page, its figures, tables and text)."""
    if entry.name == "tables":
        return entry.is_dir()
    figure = re.fullmatch(r"figure-\d+\.png", entry.name) is not None
    return entry.is_file() and (figure or entry.name in {"index.html", SENSITIVITY_TEXT})


def _refuse_other_folder(out: Path) -> None:
    """`out` is new, empty, or an earlier report (which the new one replaces whole): a
    report replaces its folder, so any other file or folder there would be lost."""
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out}: is a file; expected a report folder")
    if not out.is_dir():
        return
    if Path.cwd().is_relative_to(out.resolve()):
        raise ReportError(
            f"--out {out}: holds the current folder, which the report would replace; "
            "expected a folder elsewhere"
        )
    entries = list(out.iterdir())
    if entries and not (
        (out / "index.html").is_file() and all(_is_report_entry(e) for e in entries)
    ):
        raise ReportError(
            f"--out {out}: exists and is not a report's folder (a report replaces its "
            "folder whole); expected a new or empty folder, or an earlier report"
        )


def _swap_in(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
    shutil.move(str(staging), out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def results_patterns(results: StrPath) -> tuple[History, list[PointVerdicts]] | None:
    """The theatre's patterns judged on a results folder's runs, at each grid point; None
    unless its experiment asked for them (`patterns = true`).

    Raises ReportError for a folder that does not read, or a theatre or history that no
    longer does."""
    results = Path(results)
    if not (results / METADATA).is_file():
        raise ReportError(f"{results}: not a results folder of `wargame batch` (no {METADATA})")
    try:
        metadata = read_metadata(results)
        history = results_history(metadata, metadata["theatre"])
        if history is None:
            return None
        runs = read_runs(results)
    except (BatchError, ScenarioError) as error:
        raise ReportError(str(error)) from None
    return history, judge_points(history.patterns, runs, list(metadata.get("grid") or {}))


def results_paired(results: StrPath) -> tuple[pd.DataFrame, str] | None:
    """A grid experiment's paired differences (`paired.paired_differences`) and the sentence
    that says each parameter's baseline; None for a sampled design or nothing swept.

    Raises ReportError for a folder that does not read."""
    results = Path(results)
    if not (results / METADATA).is_file():
        raise ReportError(f"{results}: not a results folder of `wargame batch` (no {METADATA})")
    try:
        metadata = read_metadata(results)
        if not _has_arms(metadata):
            return None
        runs = read_runs(results)
    except BatchError as error:
        raise ReportError(str(error)) from None
    return paired_frame(metadata, runs), baselines_text(metadata)


def _has_arms(metadata: dict) -> bool:
    """A grid with two values of some parameter: arms to pair."""
    grid = metadata.get("grid") or {}
    return not metadata.get("design") and any(len(values) > 1 for values in grid.values())


def paired_frame(metadata: dict, runs: pd.DataFrame) -> pd.DataFrame:
    """Every numeric and true/false outcome's paired differences, each grid value against
    its parameter's baseline; a never-taken place's day (or a first event that never came)
    counts as the day after the run, as in the sensitivity analysis."""
    grid = metadata["grid"]
    fills = {
        f"outcome.{column}": outcome.when_missing(column, metadata["days"])
        for name, spec in metadata["experiment_spec"].get("outcomes", {}).items()
        for outcome in [OUTCOME.validate_python(spec)]
        for column in outcome.columns(name)
        if f"outcome.{column}" in runs
    }
    baseline = paired.baselines(grid, metadata.get("unswept") or {})
    return paired.paired_differences(runs, grid, fills, baseline, metadata["seeds"])


def baselines_text(metadata: dict) -> str:
    """Each swept parameter's baseline and why it is that value, as one sentence."""
    unswept = metadata.get("unswept") or {}
    chosen = paired.baselines(metadata["grid"], unswept)
    parts = []
    for name, value in chosen.items():
        if name in unswept and paired.same_value(value, unswept[name]):
            why = "its unswept value"
        elif name in unswept:
            why = f"the grid's first; its unswept value {unswept[name]} is not in the grid"
        else:
            why = "the grid's first"
        parts.append(f"{name} = {value} ({why})")
    return "Baselines: " + "; ".join(parts) + "."


def patterns_table(judged: list[PointVerdicts]) -> pd.DataFrame:
    """A row per pattern: what it asks, then what each grid point's runs show."""
    first = judged[0].verdicts
    table = pd.DataFrame(
        {
            "pattern": [v.pattern.id for v in first],
            "says": [v.pattern.note for v in first],
            "required": [v.required() for v in first],
        }
    )
    for each in judged:
        table[f"{each.label()} ({each.verdicts[0].runs} runs)"] = [
            f"{v.measured()}: {HOLDS[v.holds]}" for v in each.verdicts
        ]
    return table


HOLDS = {True: "holds", False: "does not hold", None: "not recorded"}


def _write(results: Path, metadata: dict, folder: Path, progress: Update) -> None:
    # read everything first, so the number of figures (the progress's steps) is known
    runs = read_runs(results)
    series = read_series(results)
    theatre = load_theatre(metadata["theatre"])
    ok = runs[runs["status"] == "ok"]
    grid = list(metadata.get("grid") or {})
    outcomes = {
        name: OUTCOME.validate_python(spec)
        for name, spec in metadata["experiment_spec"].get("outcomes", {}).items()
    }
    columns = {
        column: kind
        for name, outcome in outcomes.items()
        for column, kind in outcome.columns(name).items()
    }
    flags = [column for column, kind in columns.items() if kind is bool]
    numbers = [column for column, kind in columns.items() if kind is not bool]
    key = key_places(theatre, ok)
    design = SampledDesign.from_metadata(metadata["design"]) if metadata.get("design") else None
    matrices, unanalysed = (
        sensitivity_inputs(design, ok, outcomes, metadata) if design and len(ok) else ({}, {})
    )
    figures = (
        sum(not sensitivity.is_constant(matrix) for matrix in matrices.values())
        + (len(grid or [None]) if flags else 0)
        + (len(metadata.get("fan_series") or []) if series is not None else 0)
        + (1 if key and len(ok) else 0)
    )
    steps = 1 + len(matrices) + figures  # reading, each outcome's analysis, each figure
    progress(1, steps, "read the results")
    analyses = []
    for column, matrix in matrices.items():
        analyses.append(sensitivity.analyse(design, column, matrix, family=len(matrices)))
        progress(1 + len(analyses), steps, f"analysed {column}")
    (folder / "tables").mkdir()
    page = Page(f"{metadata.get('title', metadata['experiment'])}")
    page.paragraph(
        f"Experiment {metadata['experiment']} ({metadata['experiment_file']}, sha256 "
        f"{metadata['experiment_sha256'][:12]}), theatre {metadata['theatre']}, "
        f"{metadata['days']} days; {len(runs)} runs: {len(ok)} ok, {len(runs) - len(ok)} failed"
        f"{'' if metadata.get('complete') else ' (the batch is not complete)'}. "
        f"wargame {metadata['wargame_version']}."
    )
    if grid:
        page.paragraph(
            "Swept: "
            + "; ".join(
                f"{name} = {', '.join(map(str, values))}"
                for name, values in metadata["grid"].items()
            )
            + (". With several parameters, each figure pools the others." if len(grid) > 1 else ".")
        )
    history = results_history(metadata, metadata["theatre"])
    if history is not None:
        judged = judge_points(history.patterns, runs, grid)
        _patterns_section(page, history, judged, folder / "tables")
    if _has_arms(metadata):
        _paired_section(page, metadata, runs, folder / "tables")
    figure_number = 0

    def save(figure: Figure, caption: str) -> None:
        nonlocal figure_number
        figure_number += 1
        name = f"figure-{figure_number:02d}.png"
        figure.savefig(folder / name, dpi=100)
        page.image(name, caption)
        progress(
            1 + len(analyses) + figure_number, steps, f"drew figure {figure_number} of {figures}"
        )

    tables = folder / "tables"
    if design is not None:
        page.paragraph(f"Design: {design.describe()}; ranges: " + _ranges_text(design) + ".")
        _sensitivity_section(page, design, analyses, unanalysed, folder, save)
    for by in grid or [None]:
        if flags:
            page.heading(f"Outcome odds{f' against {by}' if by else ''}")
            odds = {name: outcome_odds(ok, f"outcome.{name}", by) for name in flags}
            for name, frame in odds.items():
                frame.to_csv(tables / f"odds-{name}{'-' + by if by else ''}.csv", index=False)
                page.table(frame, f"{name}: share of runs, 95% Wilson interval (n = runs per row)")
            save(
                _odds_figure(odds, by),
                f"Outcome odds{f' against {by}' if by else ''}, "
                f"95% Wilson intervals; {len(ok)} runs",
            )
        if numbers:
            page.heading(f"Outcome values{f' against {by}' if by else ''}")
            for name in numbers:
                column = f"outcome.{name}"
                if column not in ok:
                    continue
                frame = outcome_spread(ok, column, by)
                frame.to_csv(tables / f"values-{name}{'-' + by if by else ''}.csv", index=False)
                page.table(frame, f"{name}: median and 10-90% of runs (n = runs per row)")
    if series is not None:
        series = series[series["run_id"].isin(ok["run_id"])]
        by = grid[0] if grid else None
        swept = ok.set_index("run_id")[by] if by else None
        page.heading(f"Daily series: median and 10-90% band{f' per {by}' if by else ''}")
        for column in metadata.get("fan_series") or []:
            fans = fan(series, column, swept)
            runs_each = ", ".join(f"{v}: {f['runs'].iloc[0]}" for v, f in fans.items())
            save(_fan_figure(column, fans, by), f"{column}; runs: {runs_each}")
    if key and len(ok):
        page.heading("Who holds the key places at the end")
        control = final_control(ok, key)
        control.to_csv(tables / "final-control.csv")
        page.table(
            control,
            f"Share of runs holding each place on day {metadata['days']}; {len(ok)} runs",
            index=True,
        )
        save(_control_figure(control, theatre), f"Final control of key places; {len(ok)} runs")
    (folder / "index.html").write_text(page.html(), encoding="utf-8")


def sensitivity_inputs(
    design: SampledDesign, ok: pd.DataFrame, outcomes: dict[str, OutcomeKind], metadata: dict
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Each outcome column's points x seeds values for `sensitivity.analyse`, and why any
    cannot be analysed."""
    matrices, unanalysed = {}, {}
    for name, outcome in outcomes.items():
        for column in outcome.columns(name):
            if f"outcome.{column}" not in ok:
                continue
            matrix = sensitivity.outcome_matrix(
                ok,
                f"outcome.{column}",
                len(design.sample),
                metadata["seeds"],
                outcome.when_missing(column, metadata["days"]),
            )
            why = sensitivity.lacking(matrix)
            if why:
                unanalysed[column] = why
            else:
                matrices[column] = matrix
    return matrices, unanalysed


def _ranges_text(design: SampledDesign) -> str:
    return ", ".join(
        f"{name} {low:g} to {high:g}"
        for name, (low, high) in zip(design.names, design.bounds, strict=True)
    )


def _sensitivity_section(
    page: Page,
    design: SampledDesign,
    analyses: list[Sensitivity],
    unanalysed: dict[str, str],
    folder: Path,
    save: Callable[[Figure, str], None],
) -> None:
    """Per outcome, SALib's indices as a table and a figure; then the verdicts."""
    text = sensitivity.describe(analyses, design, unanalysed)
    (folder / SENSITIVITY_TEXT).write_text(text + "\n", encoding="utf-8")
    page.heading(f"Sensitivity: {sensitivity.METHODS[design.kind]}")
    page.paragraph(_rules(design.kind))
    verdicts = "".join(
        f"<li>{html.escape(line.strip())}</li>"
        for line in sensitivity.verdicts_text(analyses, design.kind)
    )
    page.sections.append(f"<ul>{verdicts}</ul>")
    for analysis in analyses:
        table = sensitivity.ranked(analysis)
        table.to_csv(folder / "tables" / f"sensitivity-{analysis.outcome}.csv")
        runs = f"{analysis.seeds_per_point:.3g} seeds a point{sensitivity.floor_note(analysis)}"
        note = "; the same in every run" if analysis.constant else ""
        page.table(table, f"{analysis.outcome}: {runs}{note}", index=True)
        if not analysis.constant:  # nothing to draw
            save(_sensitivity_figure(analysis), f"{analysis.outcome}: {analysis.index}; {runs}")
    for outcome, why in unanalysed.items():
        page.paragraph(f"{outcome}: not analysed: {why}")


RULES = {
    "morris": "mu* is the mean absolute change in the outcome's mean over seeds when a "
    "parameter crosses its whole range (elementary effects, Morris' method), mu the mean "
    "signed change, sigma their spread (large against mu*: interactions or a curve). "
    "A lever is within noise on an outcome when its mu* is at or below that outcome's noise "
    "floor; it changes sign when its mu* passes its family-wise floor, |mu| < {ratio} mu* "
    "and mu* - |mu| is above its noise floor.",
    "sobol": "S1 is the share of the outcome's variance a parameter explains alone, ST the "
    "share it takes part in (Sobol'). A lever is within noise on an outcome when its ST is "
    "at or below its noise floor. Sobol' indices have no sign: for levers that change "
    "sign, use a Morris design.",
    "lhs": "S1 is the share of the outcome's variance a parameter explains alone (RBD-FAST "
    "on a Latin hypercube). A lever is within noise on an outcome when its S1 is at or "
    "below its noise floor; one that acts only together with another looks dead here (a "
    "Sobol' design gives total indices).",
}


def _rules(kind: str) -> str:
    """What the indices are and how the verdicts are drawn, for the page."""
    return (
        RULES[kind].format(ratio=sensitivity.SIGN_CHANGE_RATIO)
        + f" Intervals: {sensitivity.CONFIDENCE:.0%}, SALib's bootstrap. Noise floor: the "
        f"index the seeds' noise alone exceeds in {1 - sensitivity.NOISE_QUANTILE:.0%} "
        "of analyses; an outcome's live levers are those above it. Family-wise floor: the "
        f"index noise alone exceeds in {1 - sensitivity.NOISE_QUANTILE:.0%} / K of analyses, "
        "K the outcomes analysed; a lever is dead when no outcome passes it (so a lever that "
        "does nothing is called live in at most 1 report of 20, however many outcomes it has"
        + (
            ")."
            if kind == "morris"
            else f"; here each floor rests on {sensitivity.NOISE_REPLICATES} noise analyses, "
            f"so beyond 1 - 1/{sensitivity.NOISE_REPLICATES} it is at most their largest and "
            "with many outcomes the 1 in 20 is not assured)."
        )
    )


PAIRED_TABLE = "paired-differences.csv"


def _paired_section(page: Page, metadata: dict, runs: pd.DataFrame, tables: Path) -> None:
    frame = paired_frame(metadata, runs)
    frame.to_csv(tables / PAIRED_TABLE, index=False)
    page.heading("Paired differences against the baseline")
    page.paragraph(
        "Runs with one seed share their random draws (common random numbers), so each "
        "value of a swept parameter is compared with its baseline seed by seed: the mean "
        "of the paired differences (value minus baseline) with its 95% t interval, beside "
        "the 95% Welch interval of the same runs taken as two independent arms. A pair is "
        "two ok runs with the same seed and the same values of the other swept "
        "parameters; a pair with a failed run or an empty outcome is dropped, and "
        "counted. A place never taken, or an event that never came, counts as the day after "
        "the run. " + baselines_text(metadata) + f" Every figure is in tables/{PAIRED_TABLE}."
    )
    page.table(
        paired_display(frame),
        "Paired differences: mean over pairs, 95% paired and unpaired intervals "
        "(n = pairs per row); width ratio = paired width / unpaired width",
    )


def paired_display(frame: pd.DataFrame) -> pd.DataFrame:
    """The paired differences as a reader takes them in: a row's value against its
    baseline, each interval in one cell, the numbers as `number_text` writes them."""

    def interval(low: float, high: float) -> str:
        return f"{number_text(low)} to {number_text(high)}"

    return pd.DataFrame(
        {
            "parameter": frame["parameter"],
            "value (baseline)": [
                f"{value} ({base})"
                for value, base in zip(frame["value"], frame["baseline"], strict=True)
            ],
            "outcome": frame["outcome"],
            "pairs": [
                f"{n} ({d} dropped)" if d else str(n)
                for n, d in zip(frame["pairs"], frame["dropped"], strict=True)
            ],
            "mean difference": frame["mean_difference"].map(number_text),
            "paired 95%": list(map(interval, frame["paired_low"], frame["paired_high"])),
            "unpaired 95%": list(map(interval, frame["unpaired_low"], frame["unpaired_high"])),
            "width ratio": frame["width_ratio"].map(number_text),
        }
    )


def _patterns_section(
    page: Page, history: History, judged: list[PointVerdicts], tables: Path
) -> None:
    verdicts_frame(judged).to_csv(tables / "patterns.csv", index=False)
    holding = [sum(bool(v.holds) for v in each.verdicts) for each in judged]
    page.heading("The theatre's patterns")
    page.paragraph(
        f"What the theatre is calibrated to ({history.path}): each pattern's statistic over "
        "the runs that ended ok, and whether it lies within its bounds; "
        + "; ".join(
            f"{each.label()}: {held} of {len(each.verdicts)} hold"
            for each, held in zip(judged, holding, strict=True)
        )
        + "."
    )
    page.table(patterns_table(judged), "The theatre's patterns (n = runs per column)")


def _odds_figure(odds: dict[str, pd.DataFrame], by: str | None) -> Figure:
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = figure.add_subplot()
    for number, (name, frame) in enumerate(odds.items()):
        x = frame[by] if by else np.array([number])
        ax.errorbar(
            x,
            frame["share"],
            yerr=[frame["share"] - frame["wilson_low"], frame["wilson_high"] - frame["share"]],
            marker="o",
            capsize=4,
            label=f"{name} (n = {frame['runs'].sum()})",
        )
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("share of runs")
    ax.set_xlabel(by or "outcome")
    if not by:
        ax.set_xticks(range(len(odds)), list(odds), rotation=20, ha="right")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return figure


def _fan_figure(column: str, fans: dict[object, pd.DataFrame], by: str | None) -> Figure:
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = figure.add_subplot()
    colours = colormaps["viridis"](np.linspace(0.0, 0.9, max(len(fans), 1)))
    for colour, (value, frame) in zip(colours, fans.items(), strict=False):
        label = f"{by} = {value}" if by else str(value)
        ax.plot(
            frame.index,
            frame["median"],
            color=colour,
            label=f"{label} (n = {frame['runs'].iloc[0]})",
        )
        ax.fill_between(frame.index, frame["p10"], frame["p90"], color=colour, alpha=0.2)
    ax.set_title(column)
    ax.set_xlabel("day")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return figure


def _control_figure(control: pd.DataFrame, theatre) -> Figure:
    figure = Figure(figsize=(8, max(3.0, 0.3 * len(control) + 1)), layout="constrained")
    ax = figure.add_subplot()
    left = np.zeros(len(control))
    for holder in control.columns:
        colour = theatre.factions[holder].colour if holder in theatre.factions else "#BBBBBB"
        name = theatre.factions[holder].short_name if holder in theatre.factions else holder
        ax.barh(control.index, control[holder], left=left, color=colour, label=name)
        left += control[holder].to_numpy()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="lower right")
    return figure


VERDICT_COLOURS = {"": "#0072B2", "dead": "#BBBBBB", "changes sign": "#D55E00"}


def _sensitivity_figure(analysis: Sensitivity) -> Figure:
    """Bars of the verdict index (and S1 below ST) with their intervals, coloured by
    verdict, the noise floor as a tick; for Morris, sigma as a circle."""
    table = sensitivity.ranked(analysis).iloc[::-1]  # largest at the top
    rows = np.arange(len(table))
    figure = Figure(figsize=(8, 1.4 + 0.3 * len(table)), layout="constrained")
    ax = figure.add_subplot()
    index = analysis.index
    colours = table["verdict"].map(VERDICT_COLOURS).to_numpy()
    sobol = analysis.kind == "sobol"
    height, offset = (0.4, 0.2) if sobol else (0.7, 0.0)
    ax.barh(
        rows + offset, table[index], height, xerr=table[f"{index}_conf"], color=colours, capsize=2
    )
    handles = [
        Patch(color=colour, label=f"{index}: {verdict or 'moves the outcome'}")
        for verdict, colour in VERDICT_COLOURS.items()
        if analysis.kind == "morris" or verdict != "changes sign"
    ]
    if sobol:
        ax.barh(
            rows - offset, table["S1"], height, xerr=table["S1_conf"], color="#56B4E9", capsize=2
        )
        handles.append(Patch(color="#56B4E9", label="S1"))
    if analysis.kind == "morris":
        (sigma,) = ax.plot(table["sigma"], rows, "o", mfc="none", color="#333333", label="sigma")
        handles.append(sigma)
    (floor,) = ax.plot(
        table["noise_floor"],
        rows + offset,
        "|",
        color="black",
        markersize=12,
        label=f"{index} noise floor",
    )
    handles.append(floor)
    ax.set_yticks(rows, table.index)
    ax.set_xlabel(f"{index}, with its 95% interval")
    ax.set_title(analysis.outcome)
    figure.legend(handles=handles, fontsize=8, loc="outside lower center", ncols=3)
    ax.grid(axis="x", alpha=0.3)
    return figure
