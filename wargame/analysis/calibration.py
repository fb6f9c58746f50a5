"""Calibration: a search for the parameter values whose runs come nearest a theatre's history.

`calibrate` asks Optuna's TPE sampler for candidate values of the named
parameters, each within its range, and scores every candidate with the history
score `wargame score` prints (`wargame.analysis.history.score_history`: the
same runs, the same rule). It keeps the best and never edits a theatre file:
the report gives the best values as `--set` options.

- **Common random numbers.** Every candidate is run on the same seeds (0 to
  N-1), so two candidates' scores differ by their values, not by the luck of
  their draws. The best candidate's score is still the best of many on those
  seeds, so it flatters it a little: score it again on more seeds.
- **Held-out targets** are read off the same runs but left out of the score the
  search maximises, and scored apart, with the theatre's values and the best.
  A search that raises the searched targets while the held-out ones fall is
  fitting those targets, not the history: the report says it overfits.
- **Resumable.** The study is kept in the folder (`study.journal`, Optuna's
  journal storage), each candidate as it is scored; the request (theatre
  files, history, ranges, seeds, hold-out, sampler seed) in `request.json`.
  The same command again continues up to the budget; another request into the
  same folder is refused. A candidate interrupted half-way is scored afresh.
- **Reproducible.** Candidate k is drawn by a sampler seeded with the sampler
  seed and k, from the candidates before it: the same request gives the same
  candidates at once or interrupted and resumed, with any number of jobs.
  Candidates are scored one after another, each one's runs spread over the
  workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution
from optuna.samplers import TPESampler
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from wargame.analysis.experiments import RangeError, check_range, is_numeric, theatre_digests
from wargame.analysis.history import NOBODY, Scorecard, score_history, shown, tell
from wargame.analysis.results import LOCK, held
from wargame.analysis.timeline import save_figure
from wargame.analysis.workers import spawned_pool
from wargame.files import StrPath, written_whole
from wargame.scenario import Theatre, bundled_scenarios
from wargame.scenario.errors import name_list
from wargame.scenario.history import History, history_path
from wargame.scenario.parameters import (
    UnknownParameterError,
    check_names,
    commodity_of,
    declared_bounds,
    make_parameters,
    valid_range,
)

REQUEST = "request.json"
STUDY = "study.journal"
RESULTS = "calibration.json"
TARGETS_CSV = "targets.csv"
TRIALS_CSV = "trials.csv"
TRIALS_PNG = "trials.png"
REPORT = "report.md"
STUDY_NAME = "calibration"
DEFAULT_SAMPLER_SEED = 0
STARTUP_CANDIDATES = 10
"""Candidates drawn at random before TPE models the scores (Optuna's default)."""
BEFORE = "before"
"""The study's attribute holding the theatre's own values' scores, scored once."""

BEST_COLOUR = "#0072B2"
HELD_OUT_COLOUR = "#D55E00"


class CalibrationError(Exception):
    """A request or a folder that cannot be used as asked; the message says why, in one line."""


# --- the request -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRange:
    """One searched parameter: its range, and whether it takes whole numbers."""

    name: str
    low: float
    high: float
    whole: bool

    def distribution(self) -> BaseDistribution:
        if self.whole:
            return IntDistribution(int(self.low), int(self.high))
        return FloatDistribution(self.low, self.high)

    def describe(self) -> str:
        whole = ", whole numbers" if self.whole else ""
        return f"{self.name} {number(self.low)} to {number(self.high)}{whole}"


def parse_params(text: str) -> list[tuple[str, tuple[float, float] | None]]:
    """`a,b=0.1:0.5,prices.jade=1000:9000` as (name, (low, high) or None) in order."""
    parsed: list[tuple[str, tuple[float, float] | None]] = []
    for item in text.split(","):
        name, given, span = (part.strip() for part in item.partition("="))
        if not name:
            raise CalibrationError(
                f"--params {text!r}: expected names, each alone or as name=low:high, "
                "separated by commas"
            )
        if name in (seen for seen, _ in parsed):
            raise CalibrationError(f"--params {name}: named twice")
        if not given:
            parsed.append((name, None))
            continue
        ends = _ends(span)
        if ends is None:
            raise CalibrationError(f"--params {name}={span}: expected low:high, two numbers")
        if ends[0] >= ends[1]:
            raise CalibrationError(f"--params {name}={span}: expected low below high")
        parsed.append((name, ends))
    return parsed


def _ends(span: str) -> tuple[float, float] | None:
    low, colon, high = span.partition(":")
    try:
        ends = (float(low), float(high))
    except ValueError:
        return None
    return ends if colon and all(map(math.isfinite, ends)) else None


def search_ranges(
    theatre: Theatre,
    params: Sequence[tuple[str, tuple[float, float] | None]],
    fixed: dict[str, object],
) -> tuple[SearchRange, ...]:
    """Each named parameter's range, checked as an experiment's `[ranges]` are; a name alone
    takes the range the parameter declares. Sorted by name: their order is not the search's."""
    ranges = []
    for name, given in params:
        where = f"--params {name}"
        if name in fixed:
            raise CalibrationError(f"{where}: also given with --set; search it or set it")
        try:
            check_names({name: None}, theatre.prices)
        except UnknownParameterError as error:
            raise CalibrationError(f"{where}: {error} (`wargame run --help` lists them)") from None
        if not is_numeric(name):
            raise CalibrationError(
                f"{where}: expected a numeric parameter; {name} is {valid_range(name)}"
            )
        span = given or declared_bounds(name)
        if span is None:
            raise CalibrationError(
                f"{where}: it declares no range with two ends to search ({valid_range(name)}); "
                f"give one as {name}=low:high"
            )
        try:
            whole = check_range(theatre, name, span[0], span[1], fixed)
        except RangeError as error:
            given_span = f"{number(span[0])}:{number(span[1])}"
            raise CalibrationError(f"{where}={given_span}: {error}") from None
        ranges.append(SearchRange(name, float(span[0]), float(span[1]), whole))
    return tuple(sorted(ranges, key=lambda searched: searched.name))


def held_out_targets(history: History, ids: Sequence[str]) -> tuple[str, ...]:
    """The targets `--hold-out` names, each a target of the history, leaving some to search."""
    known = [target.id for target in history.targets]
    for target_id in ids:
        if target_id not in known:
            raise CalibrationError(
                f"--hold-out {target_id}: no such target in {history.path}; "
                f"its targets: {name_list(known)}"
            )
    if set(ids) >= set(known):
        raise CalibrationError(
            f"--hold-out: that is every target of {history.path}; leave some to search"
        )
    return tuple(sorted(set(ids), key=known.index))


@dataclass(frozen=True)
class Request:
    """What a calibration searches, over which runs, against what."""

    theatre: Theatre
    history: History
    ranges: tuple[SearchRange, ...]
    seeds: tuple[int, ...]
    fixed: dict[str, object] = field(default_factory=dict)
    """`--set` values, the same in every run (the theatre's own values included)."""
    held_out: tuple[str, ...] = ()
    sampler_seed: int = DEFAULT_SAMPLER_SEED

    @property
    def searched(self) -> list[str]:
        return [t.id for t in self.history.targets if t.id not in self.held_out]

    def theatre_values(self) -> dict[str, object]:
        """The searched parameters' values in the theatre (with `--set`): the starting point."""
        theatre = self.theatre
        parameters = make_parameters(theatre.parameters, self.fixed, prices=theatre.prices)
        values = {}
        for searched in self.ranges:
            commodity = commodity_of(searched.name)
            values[searched.name] = (
                parameters.prices[commodity] if commodity else getattr(parameters, searched.name)
            )
        return values

    def identity(self) -> dict[str, object]:
        """What a rerun into the same folder must match, keyed by how the user gives it."""
        return {
            "theatre": str(self.theatre.setup_path.resolve()),
            "theatre's files": theatre_digests(self.theatre),
            "history": {
                "path": str(self.history.path.resolve()),
                "sha256": hashlib.sha256(self.history.path.read_bytes()).hexdigest(),
            },
            "--params": [asdict(searched) for searched in self.ranges],
            "--set": {name: _plain(value) for name, value in sorted(self.fixed.items())},
            "--seeds": list(self.seeds),
            "--hold-out": list(self.held_out),
            "--sampler-seed": self.sampler_seed,
        }

    def theatre_argument(self) -> str:
        """The theatre as a command names it: a shipped one by name, another by its folder."""
        folder = self.theatre.setup_path.parent
        if self.theatre.name in bundled_scenarios() and folder.name == self.theatre.name:
            return self.theatre.name
        return str(folder)


def _plain(value: object) -> object:
    """A parameter value as JSON holds it (a price table's name is flattened by --set)."""
    return value if isinstance(value, bool | int | float | str | type(None)) else str(value)


# --- candidates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One set of values scored on the request's seeds: the theatre's own (number 0) or
    the search's (1, 2, ...)."""

    number: int
    values: dict[str, object]
    score: float
    """The mean score of the searched targets: what the search maximises."""
    held_out_score: float | None
    targets: dict[str, dict[str, object]]
    """Each target's score, share of runs inside, median and interval."""

    @classmethod
    def scored(
        cls, number: int, values: dict[str, object], card: Scorecard, request: Request
    ) -> Candidate:
        held_out = card.score_of(request.held_out) if request.held_out else None
        targets = {
            result.target.id: {
                "score": result.score,
                "share_inside": result.share_inside,
                "median": result.median,
                "interval": list(result.interval),
            }
            for result in card.targets
        }
        return cls(number, values, card.score_of(request.searched), held_out, targets)

    def record(self) -> dict[str, object]:
        """As JSON keeps it (in the study, and in the report)."""
        return {
            "number": self.number,
            "values": self.values,
            "score": self.score,
            "held_out_score": self.held_out_score,
            "targets": self.targets,
        }

    @classmethod
    def from_record(cls, record: dict) -> Candidate:
        return cls(
            record["number"],
            record["values"],
            record["score"],
            record["held_out_score"],
            record["targets"],
        )


@dataclass(frozen=True)
class Calibration:
    """A finished search: the theatre's own values, every candidate, and the best."""

    request: Request
    before: Candidate
    candidates: list[Candidate]

    @property
    def best(self) -> Candidate:
        """The highest-scoring candidate (the first of equals)."""
        return max(self.candidates, key=lambda candidate: candidate.score)

    def overfits(self) -> bool:
        before, best = self.before, self.best
        if best.held_out_score is None or before.held_out_score is None:
            return False
        return best.score > before.score and best.held_out_score < before.held_out_score

    def verdict(self) -> str:
        """What the search did to the searched targets and, apart, to the held-out ones."""
        before, best, request = self.before, self.best, self.request
        searched = _whose(len(request.searched), "searched")
        change = f"from {before.score:.3f} to {best.score:.3f}"
        if best.score <= before.score:
            found = (
                f"No candidate scored above the theatre's own values on {searched} score "
                f"(best {best.score:.3f} against {before.score:.3f})."
            )
        else:
            found = f"The search raised {searched} score {change}."
        if best.held_out_score is None or before.held_out_score is None:
            return found
        held = _whose(len(request.held_out), "held-out")
        held_change = f"from {before.held_out_score:.3f} to {best.held_out_score:.3f}"
        if self.overfits():
            return (
                f"The search overfits: it raised {searched} score {change} but lowered {held} "
                f"{held_change}; the best values fit the searched targets at the others' cost."
            )
        moved = "fell" if best.held_out_score < before.held_out_score else "did not fall"
        return f"{found} {held[0].upper()}{held[1:]} score {moved}: {held_change}."

    def reproduce(self) -> str:
        """The command that scores the best values on the same seeds."""
        request = self.request
        history = request.history.path
        words = ["wargame", "score", request.theatre_argument(), "--seeds", str(len(request.seeds))]
        if history.resolve() != history_path(request.theatre).resolve():
            words += ["--history", str(history)]
        for name, value in {**request.fixed, **self.best.values}.items():
            words += ["--set", f"{name}={value}"]
        return " ".join(words)


def _whose(count: int, kind: str) -> str:
    """'the searched target's', 'the 3 searched targets'': whose score a sentence tells."""
    return f"the {kind} target's" if count == 1 else f"the {count} {kind} targets'"


# --- the search --------------------------------------------------------------------------


Progress = Callable[[int, int | None, str], None]


def calibrate(
    request: Request,
    out: StrPath,
    budget: int,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Calibration:
    """Score candidates into `out` until it holds `budget` of them, then write the report.

    Raises CalibrationError when the folder holds something else or another calibration,
    BatchError when another command holds it.
    """
    out = Path(out)
    refuse_other_folder(out, request)
    jobs = jobs or os.cpu_count() or 1
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with held(out, "calibration", "run the same command again"):
        refuse_other_folder(out, request)  # once more, now that no other can change it
        if not (out / REQUEST).exists():
            with written_whole(out / REQUEST) as temporary:
                temporary.write_text(json.dumps(request.identity(), indent=2), encoding="utf-8")
        study = _study(out)
        _close_interrupted(study)
        candidates = _candidates(study)
        before = study.user_attrs.get(BEFORE)
        runs = (max(budget - len(candidates), 0) + (before is None)) * len(request.seeds)
        counter = _RunCounter(runs, progress)
        with _workers(jobs) as pool:
            if before is None:
                card = _score(request, {}, jobs, pool, counter.runs_of("the theatre's values"))
                before = Candidate.scored(0, request.theatre_values(), card, request).record()
                study.set_user_attr(BEFORE, before)
            while len(candidates) < budget:
                counter.best = max((c.score for c in candidates), default=None)
                number = len(candidates) + 1
                candidates.append(_next_candidate(study, request, number, jobs, pool, counter))
        calibration = Calibration(request, Candidate.from_record(before), candidates)
        write_report(calibration, out)
    return calibration


class _RunCounter:
    """Counts this invocation's runs for the progress display, with the best score so far."""

    def __init__(self, runs: int, show: Progress | None) -> None:
        self.total, self.show = runs, show
        self.finished = 0
        self.best: float | None = None

    def runs_of(self, what: str) -> Callable[[int, int], None]:
        start = self.finished

        def ran(done: int, total: int) -> None:
            self.finished = start + done
            if self.show:
                best = f", best {self.best:.3f}" if self.best is not None else ""
                self.show(self.finished, self.total, f"{what}{best}")

        return ran


@contextlib.contextmanager
def _workers(jobs: int) -> Iterator[Executor | None]:
    """One pool for the whole search (its workers load the theatre once); none for one job."""
    if jobs == 1:
        yield None
        return
    with spawned_pool(jobs) as pool:
        yield pool


def _score(
    request: Request,
    values: dict[str, object],
    jobs: int,
    pool: Executor | None,
    progress: Callable[[int, int], None],
) -> Scorecard:
    """The history score of these values (over `--set`) on the request's seeds."""
    parameters = {**request.fixed, **values}
    return score_history(
        request.theatre, request.history, request.seeds, parameters, jobs, progress, pool
    )


def _next_candidate(
    study: optuna.Study,
    request: Request,
    number: int,
    jobs: int,
    pool: Executor | None,
    counter: _RunCounter,
) -> Candidate:
    """Draw candidate `number` from those before it, score it, and keep it in the study."""
    study.sampler = _sampler(request, number)
    trial = study.ask({searched.name: searched.distribution() for searched in request.ranges})
    values = dict(trial.params)
    try:
        card = _score(request, values, jobs, pool, counter.runs_of(f"candidate {number}"))
    except BaseException:  # interrupted or failed: not a candidate; resuming draws it again
        study.tell(trial, state=TrialState.FAIL)
        raise
    candidate = Candidate.scored(number, values, card, request)
    trial.set_user_attr("candidate", candidate.record())
    study.tell(trial, candidate.score)
    return candidate


def _sampler(request: Request, number: int) -> TPESampler:
    """Candidate `number`'s sampler: its draw depends on the sampler seed, the number and the
    candidates before it, never on whether the search was interrupted on the way."""
    seed = int(np.random.SeedSequence([request.sampler_seed, number]).generate_state(1)[0])
    return TPESampler(seed=seed, n_startup_trials=STARTUP_CANDIDATES)


def _study(out: Path) -> optuna.Study:
    storage = JournalStorage(JournalFileBackend(str(out / STUDY)))
    return optuna.create_study(
        study_name=STUDY_NAME, storage=storage, direction="maximize", load_if_exists=True
    )


def _close_interrupted(study: optuna.Study) -> None:
    """A candidate left running by a search that was killed is no candidate."""
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)


def _candidates(study: optuna.Study) -> list[Candidate]:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return [_candidate(trial) for trial in sorted(complete, key=lambda t: t.number)]


def _candidate(trial: FrozenTrial) -> Candidate:
    return Candidate.from_record(trial.user_attrs["candidate"])


def refuse_other_folder(out: StrPath, request: Request) -> None:
    """`out` is new, empty, or a calibration of exactly this request; raises CalibrationError
    if not. Nothing is written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CalibrationError(f"--out {out} is a file, not a folder: choose another --out")
    if not out.is_dir():
        return
    path = out / REQUEST
    if not path.exists():
        if any(not entry.name.startswith(LOCK) for entry in out.iterdir()):
            raise CalibrationError(
                f"--out {out} exists and is not a calibration's folder: choose another --out"
            )
        return
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CalibrationError(
            f"{path} is damaged ({error}): what the search was of is lost; "
            f"delete {out} to start over, or choose another --out"
        ) from None
    asked = request.identity()
    recorded = recorded if isinstance(recorded, dict) else {}
    changed = [key for key, value in asked.items() if recorded.get(key) != value]
    if changed:
        raise CalibrationError(
            f"--out {out} holds a calibration of another request (its {', '.join(changed)} "
            f"differ): choose another --out, or delete {out} to start over"
        )


# --- the report --------------------------------------------------------------------------


def write_report(calibration: Calibration, out: StrPath) -> list[Path]:
    """The report's files in `out`, each written whole: the results as JSON, the targets
    before and after and every candidate as CSV, the search as a picture, and report.md."""
    out = Path(out)
    written = []
    for name, write in (
        (RESULTS, lambda path: path.write_text(json.dumps(results(calibration), indent=2))),
        (TARGETS_CSV, lambda path: targets_table(calibration).to_csv(path, index=False)),
        (TRIALS_CSV, lambda path: trials_table(calibration).to_csv(path, index=False)),
        (REPORT, lambda path: path.write_text(report_text(calibration), encoding="utf-8")),
    ):
        with written_whole(out / name) as temporary:
            write(temporary)
        written.append(out / name)
    save_figure(search_figure(calibration), out / TRIALS_PNG)
    written.append(out / TRIALS_PNG)
    return written


def results(calibration: Calibration) -> dict[str, object]:
    request, before, best = calibration.request, calibration.before, calibration.best
    return {
        "theatre": request.theatre.name,
        "history": str(request.history.path),
        "seeds": list(request.seeds),
        "common_random_numbers": "every candidate ran on the same seeds",
        "set": {name: _plain(value) for name, value in request.fixed.items()},
        "params": [asdict(searched) for searched in request.ranges],
        "held_out": list(request.held_out),
        "sampler_seed": request.sampler_seed,
        "candidates": len(calibration.candidates),
        "before": {k: before.record()[k] for k in ("values", "score", "held_out_score")},
        "best": {k: best.record()[k] for k in ("number", "values", "score", "held_out_score")},
        "overfits": calibration.overfits(),
        "verdict": calibration.verdict(),
        "reproduce": calibration.reproduce(),
        "targets": targets_table(calibration).to_dict(orient="records"),
    }


def targets_table(calibration: Calibration) -> pd.DataFrame:
    """A row per target: the history, and the runs' median and score before and after."""
    request = calibration.request
    rows = []
    for target in request.history.targets:
        row: dict[str, object] = {
            "target": target.id,
            "kind": target.kind,
            "history": tell(target),
            "held_out": target.id in request.held_out,
        }
        for when, candidate in (("before", calibration.before), ("after", calibration.best)):
            result = candidate.targets[target.id]
            holder = target.kind == "holder"
            median = (result["median"] or NOBODY) if holder else shown(result["median"])
            row |= {
                f"{when}_median": median,
                f"{when}_inside": result["share_inside"],
                f"{when}_score": result["score"],
            }
        rows.append(row)
    return pd.DataFrame(rows)


def trials_table(calibration: Calibration) -> pd.DataFrame:
    """A row per candidate in order: its values, score, the best so far, and each target's."""
    rows, best = [], -math.inf
    for candidate in calibration.candidates:
        best = max(best, candidate.score)
        row: dict[str, object] = {"candidate": candidate.number, **candidate.values}
        row |= {"score": candidate.score, "best_so_far": best}
        if candidate.held_out_score is not None:
            row["held_out_score"] = candidate.held_out_score
        row |= {f"score.{tid}": result["score"] for tid, result in candidate.targets.items()}
        rows.append(row)
    return pd.DataFrame(rows)


def search_figure(calibration: Calibration) -> Figure:
    """Each candidate's score against its number, the best so far as a step line, and the
    theatre's own score as a dashed line (held-out targets apart, in their own colour)."""
    table = trials_table(calibration)
    figure = Figure(figsize=(9.0, 4.5), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.plot(table["candidate"], table["score"], "o", color=BEST_COLOUR, label="searched targets")
    axes.step(table["candidate"], table["best_so_far"], where="post", color=BEST_COLOUR,
              label="best so far")  # fmt: skip
    axes.axhline(calibration.before.score, color=BEST_COLOUR, linestyle="--",
                 label="theatre's values")  # fmt: skip
    if "held_out_score" in table:
        axes.plot(table["candidate"], table["held_out_score"], "s", mfc="none",
                  color=HELD_OUT_COLOUR, label="held-out targets")  # fmt: skip
        axes.axhline(calibration.before.held_out_score, color=HELD_OUT_COLOUR, linestyle="--",
                     label="held out, theatre's values")  # fmt: skip
    request = calibration.request
    axes.set_title(
        f"{request.theatre.name}: history score of each candidate "
        f"({len(request.seeds)} seeds each, the same for all)"
    )
    axes.set_xlabel("candidate")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("score (mean over targets)")
    axes.legend(loc="best", fontsize="small")
    return figure


def report_text(calibration: Calibration) -> str:
    request, before, best = calibration.request, calibration.before, calibration.best
    seeds = len(request.seeds)
    lines = [
        f"# Calibration of {request.theatre.name} against {request.history.path.name}",
        "",
        f"{len(calibration.candidates)} candidates drawn by Optuna's TPE sampler (seed "
        f"{request.sampler_seed}) in {'; '.join(s.describe() for s in request.ranges)}. "
        f"Every candidate ran on the same {seeds} seeds (0 to {seeds - 1}): common random "
        "numbers, so differences between candidates are not the seeds' noise.",
        "",
        "| parameter | theatre's value | best |",
        "| --- | --- | --- |",
        *(
            f"| {name} | {value_text(before.values[name])} | {value_text(value)} |"
            for name, value in best.values.items()
        ),
        "",
        f"Best: candidate {best.number}, {_whose(len(request.searched), 'searched')} score "
        f"{best.score:.3f} ({before.score:.3f} with the theatre's values).",
        "",
        calibration.verdict(),
        "",
        "To score the best values again (more seeds check that the best is not luck of these):",
        "",
        f"    {calibration.reproduce()}",
        "",
        "## Targets before and after",
        "",
        "| target | history | before: median | score | after: median | score |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in targets_table(calibration).itertuples():
        held = " (held out)" if row.held_out else ""
        lines.append(
            f"| {row.target}{held} | {row.history} | {row.before_median} | "
            f"{row.before_score:.2f} | {row.after_median} | {row.after_score:.2f} |"
        )
    lines += [
        "",
        "## The search",
        "",
        f"![score of each candidate]({TRIALS_PNG})",
        "",
        f"Every candidate's values and scores, each target's too: [{TRIALS_CSV}]({TRIALS_CSV}).",
        "",
    ]
    return "\n".join(lines)


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def value_text(value: object) -> str:
    """A parameter's value for reading (the `--set` line keeps every digit)."""
    if value is None:
        return "unset"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
