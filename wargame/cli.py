"""The `wargame` command: thin sub-commands over the same functions a notebook would call."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wargame import __version__
from wargame._assets import CDN as FRONT_END
from wargame.apps.viewer import SCENARIO_ENV, THEATRES_ENV
from wargame.files import StrPath, unwritable, written_whole
from wargame.scenario.map_limits import BASEMAP_MARGIN_DEG, MAX_DAYS, ROAD_END_GAP_KM
from wargame.schemas import KINDS
from wargame.seeds import SEED_RANGE, seed_problem

DEFAULT_SCENARIO = "kachin"
"""The theatre `run` plays when none is named: a shipped one."""

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from wargame.analysis.fork import Fork
    from wargame.analysis.score_change import ScoreChange
    from wargame.engine.model import ConflictModel

SERIES_FORMATS = {".csv", ".parquet"}
GEOJSON_SUFFIXES = {".geojson", ".json"}
DEBUG_ENV = "WARGAME_DEBUG"
IDLE_SESSION = "5m"
"""How long a page's session (its model, its threads) outlives its browser's connection:
time for a dropped network to come back, too short for closed tabs to pile up."""
MALLOC_ARENAS = "2"
"""glibc's malloc arenas for the server (by default up to 8 a core, one per thread that
allocates): the threads that serve a class then leave its freed memory spread over many
arenas, where less of it goes back to the system (30 viewer sessions, opened and freed:
485 MiB held after with the default, 404 with 2; benchmarks/load.py, one run each)."""
NO_CDN = "offline:"
"""Where Solara's asset proxy would fetch what the package lacks: nowhere (no scheme it can
fetch)."""


class UserError(Exception):
    """Bad input from the command line; printed as one line, exit status 1."""


def _parse_set(pairs: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set {pair!r}: expected name=value")
        overrides[name.strip()] = value.strip()
    return overrides


class LateHelp(argparse.RawDescriptionHelpFormatter):
    """An epilog that is a function, called only when the help is shown: the parameters'
    list imports their models, which `--version` and a command's run need not pay for.
    (Only the epilog: argparse checks each argument's help as the parser is built.)"""

    def add_text(self, text: str | Callable[[], str] | None) -> None:
        super().add_text(text() if callable(text) else text)


def _parameter_help() -> str:
    from wargame.scenario.parameters import PRICES, Parameters, valid_range

    lines = ["scenario parameters (--set name=value):"]
    for name, info in Parameters.model_fields.items():
        if name == PRICES:
            lines.append(
                f"  {PRICES}.<commodity> (default: the set-up's [commodities] price; "
                f"{valid_range(name)}): {info.description}"
            )
            continue
        lines.append(f"  {name} (default {info.default}; {valid_range(name)}): {info.description}")
    return "\n".join(lines)


def write_atomically(frame: pd.DataFrame, path: StrPath) -> None:
    """Write CSV or Parquet whole or not at all (`written_whole`)."""
    path = Path(path)
    with written_whole(path) as temporary:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, index=False)


def _check_output_path(option: str, path: Path | None) -> None:
    if path is not None and path.suffix.lower() not in SERIES_FORMATS:
        raise UserError(f"{option} {path}: expected a file ending in .csv or .parquet")


def _check_outputs(args: argparse.Namespace) -> None:
    """`run`'s files and folder, checked before the run: a bad one fails now, not after it."""
    _check_output_path("--out", args.out)
    _check_output_path("--events", args.events)
    if args.map is not None and args.map.suffix.lower() not in (".png", ".svg"):
        raise UserError(f"--map {args.map}: expected a file ending in .png or .svg")
    if args.geojson is not None and args.geojson.suffix.lower() not in GEOJSON_SUFFIXES:
        raise UserError(f"--geojson {args.geojson}: expected a file ending in .geojson or .json")
    _check_animation(args)
    both = args.out is not None and args.events is not None
    if both and args.out.resolve() == args.events.resolve():
        raise UserError(f"--out and --events both name {args.out}: give each its own file")
    files = {
        "--out": args.out,
        "--events": args.events,
        "--map": args.map,
        "--geojson": args.geojson,
        "--animate": args.animate,
    }
    outputs = [(option, path, False) for option, path in files.items() if path is not None]
    if args.plots is not None:
        outputs.append(("--plots", args.plots, True))
    for option, path, folder in outputs:
        problem = unwritable(path, folder=folder)
        if problem:
            raise UserError(f"{option} {path}: {problem}")


def _check_animation(args: argparse.Namespace) -> None:
    if args.animate is None:
        for option, value in (("--animate-every", args.animate_every), ("--fps", args.fps)):
            if value is not None:
                raise UserError(f"{option} {value}: only with --animate FILE")
        return
    from wargame.drawing.timelapse import SUFFIXES, mp4_problem  # matplotlib: only if asked

    if args.animate.suffix.lower() not in SUFFIXES:
        raise UserError(f"--animate {args.animate}: expected a file ending in .gif or .mp4")
    if args.animate.suffix.lower() == ".mp4" and mp4_problem():
        raise UserError(f"--animate {args.animate}: {mp4_problem()}")
    if args.animate_every is not None and args.animate_every < 1:
        raise UserError(f"--animate-every {args.animate_every}: expected a number of days >= 1")


def _check_seed(seed: int | None) -> None:
    if seed is not None and seed_problem(seed):
        raise UserError(f"--seed {seed}: {seed_problem(seed)}")


# --- sub-commands ------------------------------------------------------------------


def cmd_scenarios(args: argparse.Namespace, console: Console) -> int:
    from rich.table import Table

    from wargame.scenario.catalogue import catalogue

    table = Table(title="Theatres that ship", show_lines=False)
    for column in ("name", "title", "start", "places", "factions", "units"):
        table.add_column(column)
    for theatre in catalogue():
        table.add_row(
            theatre.name,
            theatre.title,
            theatre.start_date.isoformat(),
            str(theatre.places),
            ", ".join(theatre.factions),
            str(theatre.units),
        )
    console.print(table)
    return 0


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
    from wargame.analysis.history import validate

    print(f"{args.path}: {validate(args.path)}")
    return 0


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from wargame.progress import show_progress

    _check_outputs(args)
    overrides = _parse_set(args.set or [])
    scenario = DEFAULT_SCENARIO if args.scenario is None else args.scenario
    if args.exercise:  # the exercise's theatre, parameters and seed, the computer on every side
        from wargame.scenario.exercises import read_exercise

        if args.scenario is not None:  # it would be ignored: the exercise names its theatre
            raise UserError(
                f"--scenario {args.scenario} with --exercise {args.exercise}: the exercise "
                "plays its own theatre; expected one of the two"
            )

        section = read_exercise(args.exercise).spec.exercise
        scenario = None
        args.days = section.turn_days * section.turns if args.days is None else args.days
    args.days = 270 if args.days is None else args.days
    if not 0 <= args.days <= MAX_DAYS:
        raise UserError(f"--days {args.days}: expected a number of days from 0 to {MAX_DAYS:,}")
    _check_seed(args.seed)
    if args.fork is not None:
        return _run_fork(args, scenario, overrides, console)
    model = _built(scenario, overrides, args.seed, args.exercise)
    # day by day, as `model.run` steps, so a long run can show how far it is
    with show_progress(f"{model.theatre.name}, seed {model.seed}", "days") as update:
        days = _played(model, args.days, update)
        if args.animate is not None:  # each frame drawn as its day is played
            _write_animation(args, days)
        for _ in days:
            pass
    _write_outputs(args, model)
    summary = model.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_summary(summary, model, console)
    return 0


def _played(
    model: ConflictModel, days: int, update: Callable[[int, int], None]
) -> Iterator[ConflictModel]:
    """The model on day 0, then after each of `days` days played."""
    yield model
    for day in range(1, days + 1):
        model.step()
        update(day, days)
        yield model


def _counted(
    days: Iterable[ConflictModel], last_day: int, update: Callable[[int, int], None]
) -> Iterator[ConflictModel]:
    for model in days:
        if model.day:
            update(model.day, last_day)
        yield model


def _write_animation(args: argparse.Namespace, days: Iterable[ConflictModel]) -> None:
    from wargame.drawing.timelapse import DEFAULT_EVERY, DEFAULT_FPS, write_timelapse

    every = DEFAULT_EVERY if args.animate_every is None else args.animate_every
    fps = DEFAULT_FPS if args.fps is None else args.fps
    frames = write_timelapse(args.animate, days, args.days, every, fps)
    print(f"time-lapse written to {args.animate}: {frames} frames", file=sys.stderr)


def _built(
    scenario: str | None, overrides: dict[str, str], seed: int | None, exercise: str | None
) -> ConflictModel:
    from wargame.engine.model import build_model

    with _set_problems():
        return build_model(scenario, overrides, seed, exercise=exercise)


@contextlib.contextmanager
def _set_problems(fork: int | None = None) -> Iterator[None]:
    """Bad `--set` input as one line: a name the theatre lacks, a value out of its range,
    or (with `--fork` on day `fork`) a parameter a run under way cannot take."""
    from pydantic import ValidationError

    from wargame.scenario.parameters import (
        SET_AT_START,
        SetAtStartError,
        UnknownParameterError,
        parameter_problem,
    )

    try:
        yield
    except SetAtStartError as error:
        name = error.names[0]
        raise UserError(
            f"--set {name}: cannot change during a run, so not with --fork {fork}: "
            f"{SET_AT_START[name]}; without --fork it applies from day 0"
        ) from None
    except UnknownParameterError as error:
        raise UserError(f"--set: {error}") from None
    except ValidationError as error:
        name, problem = parameter_problem(error)
        raise UserError(f"--set {name}: {problem}") from None


def _run_fork(
    args: argparse.Namespace, scenario: str | None, changes: dict[str, str], console: Console
) -> int:
    """`run --fork DAY --set ...`: the run to DAY, then on with the change and on without it."""
    from wargame.analysis.fork import Change, changed_parameters, fork
    from wargame.progress import show_progress

    if not changes:
        raise UserError(f"--fork {args.fork}: give the change as --set name=value (one or more)")
    if not 0 <= args.fork <= args.days:
        raise UserError(f"--fork {args.fork}: expected a day from 0 to {args.days} (--days)")
    first = _built(scenario, {}, args.seed, args.exercise)  # a fresh seed is drawn once
    with _set_problems(args.fork):  # before a day is played
        changed_parameters(first, changes)
    change = Change(args.fork, changes)
    title = f"{first.theatre.name}, seed {first.seed}, fork on day {args.fork}"
    with show_progress(title, "days") as update:
        result = fork(
            lambda: _built(scenario, {}, first.seed, args.exercise), change, args.days, update
        )
    _write_outputs(args, result.forked)
    if args.animate is not None:  # the forked run played again, a frame at a time
        from wargame.analysis.fork import replayed

        build = lambda: _built(scenario, {}, first.seed, args.exercise)  # noqa: E731
        with show_progress(f"{title}: time-lapse", "days") as update:
            days = replayed(build, args.days, [change])
            _write_animation(args, _counted(days, args.days, update))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        print_fork(result, console)
    return 0


def _write_outputs(args: argparse.Namespace, model: ConflictModel) -> None:
    """`run`'s series, events, GeoJSON, map and charts of `model`, each where its option says."""
    from wargame.engine import measures

    if args.out is not None:
        write_atomically(model.series(), args.out)
    if args.events is not None:
        write_atomically(measures.events_frame(model), args.events)
    if args.geojson is not None:
        from wargame.drawing.geojson import write_geojson

        write_geojson(model, args.geojson)
        print(f"GeoJSON written to {args.geojson}", file=sys.stderr)
    if args.map is not None or args.plots is not None:
        from wargame.drawing import plots

        if args.map is not None:
            plots.write_map(model, args.map)
            print(f"map written to {args.map}", file=sys.stderr)
        if args.plots is not None:
            written = plots.write_charts(model, args.plots)
            names = ", ".join(path.name for path in written)
            print(f"charts written to {args.plots}: {names}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace, console: Console) -> int:
    """Run the viewer with Solara's server; telemetry off, nothing fetched from the internet."""
    if args.theatres is not None and not args.theatres.is_dir():
        raise UserError(f"--theatres {args.theatres}: no such folder")
    _check_port(args.port)
    if args.scenario:  # a wrong theatre is said here, once, not on a page after the start
        from wargame.scenario import load_theatre

        load_theatre(args.scenario)
    command, env = serve_command(args.host, args.port, args.scenario, theatres=args.theatres)
    print(f"wargame viewer on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    # replace this process, so a signal to `wargame serve` reaches the server itself
    os.execve(sys.executable, command, env)


def _quoted(path: StrPath) -> str:
    """A path as a suggested command must print it for a shell to read it back whole."""
    return shlex.quote(str(path))


def _check_port(port: int) -> None:
    """Refuse a port no server can listen on, before a server starts on it."""
    if not 1 <= port <= 65535:
        raise UserError(f"--port {port}: expected a port from 1 to 65535")


def serve_command(
    host: str,
    port: int,
    scenario: str | None,
    app: str = "wargame.apps.viewer.page",
    theatres: StrPath | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The Solara server's command line and environment for `wargame serve` (or `classroom`).

    The server makes no call outside the machine: no telemetry, no version check
    against the package index, the pages' front end comes from the package
    (`wargame._assets`, which Solara's asset proxy reads as its cache), and an
    asset the package does not ship is a 404 rather than a download (a page could
    otherwise make the server fetch any npm package). A page's session is freed
    `IDLE_SESSION` after its browser goes (Solara keeps it 24 hours otherwise),
    and malloc keeps `MALLOC_ARENAS` arenas. Solara's banner, fixed over the pages'
    bottom corner, is off; the tab reads "wargame" until a page names its theatre.
    Each of these settings but the telemetry's is kept when the environment gives it.
    """
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    env.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(FRONT_END))
    env.setdefault("SOLARA_ASSETS_CDN", NO_CDN)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", IDLE_SESSION)
    env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # it sat over the pages' corner
    env.setdefault("SOLARA_THEME_TITLE", "wargame")  # until a page names its theatre
    if theatres is not None:
        env[THEATRES_ENV] = str(Path(theatres).resolve())
    if scenario:
        # a folder is made absolute; the page shows why it cannot load, if it cannot
        path = Path(scenario)
        env[SCENARIO_ENV] = str(path.resolve()) if path.exists() else scenario
    command = [sys.executable, "-m", "solara", "run", app, "--no-check-version"]
    return [*command, "--host", host, "--port", str(port), "--production"], env


def print_summary(summary: dict, model: ConflictModel, console: Console) -> None:
    """The run summary as tables a person can read at a glance."""
    from rich.table import Table

    from wargame.scenario import PlaceKind

    print(
        f"{model.theatre.title}\n{summary['scenario']}, seed {summary['seed']}, "
        f"{summary['days']} days ({summary['start_date']} to {summary['end_date']})"
    )
    table = Table(title="Factions at the end")
    table.add_column("")
    for faction_id in summary["factions"]:
        table.add_column(model.factions[faction_id].short_name, justify="right")
    for label, key in _faction_rows(model):
        table.add_row(label, *(f"{m[key]:,.0f}" for m in summary["factions"].values()))
    console.print(table)

    places = model.theatre.map.places
    key_kinds = {PlaceKind.BORDER_POST, PlaceKind.MINE, PlaceKind.BASE}
    control = Table(title="Key places at the end")
    for column in ("place", "kind", "held by"):
        control.add_column(column)
    for place_id, faction_id in summary["control"].items():
        if places[place_id].kind in key_kinds:
            holder = _holder(model, faction_id)
            if place_id in summary["contested"]:
                holder += " (contested)"
            control.add_row(places[place_id].name, places[place_id].kind.value, holder)
    console.print(control)
    civilians = summary["civilians"]
    print(
        "Civilians: "
        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in civilians.items())
        + f". Ceasefires: {summary['ceasefires']} brokered, {summary['ceasefires_broken']} broken."
        + f" Events: {summary['events']}."
    )


def _faction_rows(model: ConflictModel) -> list[tuple[str, str]]:
    """The table's faction measures: each row's label and the measure's key in a summary."""
    from wargame.engine import measures

    commodities = model.theatre.commodities
    return [
        (measure.label.format(commodity=commodities[commodity].name if commodity else ""), key)
        for key, measure, commodity in measures.of_factions(commodities)
        if measure.label
    ]


def _holder(model: ConflictModel, faction_id: str | None) -> str:
    return model.factions[faction_id].short_name if faction_id else "-"


def print_fork(result: Fork, console: Console) -> None:
    """The forked run's summary, then what differs from the same run unchanged at the end."""
    from rich.table import Table

    model, summary, other = result.forked, result.forked.summary(), result.unchanged.summary()
    print_summary(summary, model, console)
    changes = ", ".join(
        f"{name} {before} -> {after}" for name, (before, after) in result.changes().items()
    )
    day = result.change.day
    print(
        f"\nWhat if, from day {day} ({result.date().isoformat()}): {changes}. Beside it, the "
        f"same run (same seed, the same first {day} days) played on unchanged."
    )
    first = result.first_difference()
    if first is None:
        print(f"The runs never differ: the change made no difference by day {summary['days']}.")
        return
    print(f"The runs first differ on day {first}.")
    rows = [
        (label, before, after)
        for label, before, after in _compared_numbers(model, other, summary)
        if before != after
    ]
    numbers = Table(title="Numbers that differ at the end")
    for column, justify in (("", "left"), ("unchanged", "right"), ("forked", "right")):
        numbers.add_column(column, justify=justify)
    numbers.add_column("difference", justify="right")
    for label, before, after in rows:
        numbers.add_row(label, f"{before:,.0f}", f"{after:,.0f}", f"{after - before:+,.0f}")
    console.print(numbers if rows else "No number of the summary differs at the end.")
    places = model.theatre.map.places
    moved = [p for p, holder in summary["control"].items() if holder != other["control"][p]]
    if not moved:
        print("Every place has the same holder at the end in both runs.")
        return
    holders = Table(title="Places held by another at the end")
    for column in ("place", "kind", "unchanged", "forked"):
        holders.add_column(column)
    for place in moved:
        before, after = other["control"][place], summary["control"][place]
        kind = places[place].kind.value
        holders.add_row(places[place].name, kind, _holder(model, before), _holder(model, after))
    console.print(holders)


def _compared_numbers(
    model: ConflictModel, before: dict, after: dict
) -> list[tuple[str, float, float]]:
    """The summary's numbers in two runs, labelled as `run`'s tables label them."""
    rows = []
    for faction_id, faction in model.factions.items():
        for label, key in _faction_rows(model):
            values = (before["factions"][faction_id][key], after["factions"][faction_id][key])
            rows.append((f"{faction.short_name}: {label.strip()}", *values))
    for key in before["civilians"]:
        name = f"civilians {key.replace('_', ' ')}"
        rows.append((name, before["civilians"][key], after["civilians"][key]))
    for key, label in (
        ("ceasefires", "ceasefires brokered"),
        ("ceasefires_broken", "ceasefires broken"),
        ("events", "events"),
    ):
        rows.append((label, before[key], after[key]))
    return rows


def cmd_batch(args: argparse.Namespace, console: Console) -> int:
    """Run an experiment's grid x seeds into a results folder."""
    from wargame.analysis.batch import progress_display, run_batch
    from wargame.analysis.experiments import load_experiment
    from wargame.analysis.results import BatchError

    if args.jobs is not None and args.jobs < 1:
        raise UserError(f"--jobs: expected 1 or more, got {args.jobs}")
    if (args.scheduler or args.scheduler_file) and args.backend != "dask":
        option = "--scheduler" if args.scheduler else "--scheduler-file"
        raise UserError(f"{option} needs --backend dask")
    if args.scheduler_file is not None and not args.scheduler_file.parent.is_dir():
        raise UserError(f"--scheduler-file: {args.scheduler_file.parent} is not a folder")
    experiment = load_experiment(args.experiment)
    if args.seeds is not None:
        try:
            experiment = experiment.with_seeds(args.seeds)
        except ValueError as error:
            raise UserError(f"--seeds: {error}") from None
    out = args.out or Path("results") / experiment.id
    runs = len(experiment.runs())
    print(
        f"{experiment.id}: {experiment.describe_points()} x {len(experiment.seeds)} "
        f"seeds = {runs} runs of {experiment.days} days -> {out}",
        file=sys.stderr,
    )
    _warn_of_strays(out)
    try:
        with progress_display(experiment.id) as on_progress:
            tally = run_batch(
                experiment,
                out,
                jobs=args.jobs,
                resume=args.resume,
                backend=args.backend,
                scheduler=args.scheduler,
                scheduler_file=args.scheduler_file,
                on_progress=on_progress,
            )
    except BatchError as error:
        raise UserError(str(error)) from None
    except KeyboardInterrupt:
        print(
            f"interrupted: finished runs are saved in {out}; --resume runs the rest",
            file=sys.stderr,
        )
        return 130
    print(f"{tally.done} runs done, {tally.failed} failed; results in {out}", file=sys.stderr)
    if tally.failed:
        raise UserError(
            f"{tally.failed} of {tally.done} runs failed (first {tally.first_error}); "
            f"their rows say why (status 'failed'); "
            f"`wargame batch {_quoted(args.experiment)} --out {_quoted(out)} "
            "--resume` runs them again"
        )
    return 0


def _warn_of_strays(results: Path) -> None:
    """Name files in a results folder that are not its parts: they are not read."""
    from wargame.analysis.results import stray_files

    for path in stray_files(results):
        print(
            f"warning: {path} is not a part of the results (parts are named "
            "part-NNNNN.parquet): it is left out",
            file=sys.stderr,
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _raised_by_an_interrupt(error: BaseException) -> bool:
    """Whether `error` came while an interrupt unwound: Ctrl-C or `kill` inside a library's
    clean-up (the search's journal releasing its lock) can end in that clean-up's error."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _calibration_interrupted(out: Path) -> int:
    print(
        f"interrupted: the candidates scored so far are kept in {out}; "
        "the same command carries on from them",
        file=sys.stderr,
    )
    return 130


def cmd_generate(args: argparse.Namespace, console: Console) -> int:
    """A random but plausible theatre of the given size, written as a folder."""
    from wargame.scenario.synthetic import FACTION_COLOURS, MAX_SIZES, synthetic_theatre
    from wargame.scenario.writer import write_theatre

    for size, least in (("places", 1), ("units", 0), ("civilian_groups", 0)):
        value, most = getattr(args, size), MAX_SIZES[size]
        if value is not None and not least <= value <= most:
            option = "--" + size.replace("_", "-")
            raise UserError(f"{option}: expected {least} to {most:,}, got {value:,}")
    if not 1 <= args.factions <= len(FACTION_COLOURS):
        raise UserError(f"--factions: expected 1 to {len(FACTION_COLOURS)}, got {args.factions}")
    _check_seed(args.seed)
    if args.places < args.factions:
        raise UserError(f"--places: at least one per faction ({args.factions}), got {args.places}")
    units = 2 * args.places if args.units is None else args.units
    groups = 10 * args.places if args.civilian_groups is None else args.civilian_groups
    theatre = synthetic_theatre(args.places, units, args.seed, args.factions, groups)
    try:
        setup = write_theatre(theatre, args.folder)
    except (FileExistsError, OSError) as error:
        raise UserError(str(error)) from None
    print(
        f"{setup}: {args.places:,} places, {units:,} units, {groups:,} civilian groups, "
        f"{args.factions} factions (seed {args.seed}); open it with "
        f"`wargame run --scenario {_quoted(args.folder)}` or "
        f"`wargame serve --scenario {_quoted(args.folder)}`"
    )
    return 0


def cmd_new_theatre(args: argparse.Namespace, console: Console) -> int:
    """A minimal theatre that runs at once, with comments, to edit into one's own."""
    from wargame.scenario.scaffold import new_theatre

    try:
        setup = new_theatre(args.folder, args.title)
    except ValueError as error:
        raise UserError(f"--title: {error}") from None
    except OSError as error:  # FileExistsError included: a theatre is never overwritten
        raise UserError(str(error)) from None
    print(
        f"{setup}: two towns, a border crossing and a sanctuary across the border, three roads, "
        f"two factions (agents/). Try `wargame run --scenario {_quoted(args.folder)} "
        "--days 60`; "
        "docs/tutorial.md shows how to make it your own."
    )
    return 0


def cmd_basemap(args: argparse.Namespace, console: Console) -> int:
    """A theatre's basemap, clipped from the bundled Natural Earth world set."""
    from wargame.scenario.basemap import LAYERS
    from wargame.scenario.basemap_clip import make_basemap

    made = make_basemap(args.theatre, args.margin, args.force)
    counts = {layer: len(made.basemap.layer(layer)) for layer in LAYERS}
    shown = ", ".join(f"{n} {layer}" for layer, n in counts.items() if n)
    print(f"{made.path}: {len(made.basemap.features)} features ({shown or 'none'})")
    if made.setup_changed:
        print(f'added basemap = "{made.path.name}" to the set-up\'s [scenario]')
    return 0


def cmd_schema(args: argparse.Namespace, console: Console) -> int:
    """A kind of file's JSON Schema, for an editor: printed, or written whole to --out."""
    from wargame.schemas import schema_text

    text = schema_text(args.kind)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    problem = unwritable(args.out)
    if problem:
        raise UserError(f"--out {args.out}: {problem}")
    with written_whole(args.out) as temporary:
        temporary.write_text(text, encoding="utf-8")
    print(f"{args.kind} schema written to {args.out}", file=sys.stderr)
    return 0


def cmd_completion(args: argparse.Namespace, console: Console) -> int:
    """A completion script for the shell, made from this very parser by shtab (imported
    here, so that no other command pays for it); a path's option completes file names."""
    import shtab

    parser = build_parser()
    for action in _every_action(parser):
        if action.type is Path:
            action.complete = shtab.FILE
    print(shtab.complete(parser, shell=args.shell))
    return 0


def _every_action(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """The parser's arguments and options, and those of each of its sub-commands."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield from _every_action(command)


def cmd_import_map(args: argparse.Namespace, console: Console) -> int:
    """A theatre's map from spreadsheets (CSV) and GIS layers (GeoJSON, e.g. from QGIS)."""
    from wargame.progress import show_progress
    from wargame.scenario.importer import import_map

    if args.out.suffix.lower() not in {".geojson", ".json"}:
        raise UserError(f"--out {args.out}: expected a file ending in .geojson")
    if not 0 < args.snap_km <= ROAD_END_GAP_KM:  # a road ending farther off is refused
        raise UserError(
            f"--snap-km: expected a distance above 0 km and at most {ROAD_END_GAP_KM:g} km "
            f"(a road's end may lie at most that far from its place), got {args.snap_km:g}"
        )
    with show_progress("import-map", "MB") as update:
        summary = import_map(args.files, args.out, args.snap_km, progress=update)
    print(f"{args.out}: {summary}")
    return 0


def cmd_classroom(args: argparse.Namespace, console: Console) -> int:
    """The classroom server: rooms, teams and the umpire, saved in a SQLite file."""
    # the games file only: the server this process becomes imports the model, not this one
    from wargame.apps.classroom.games_file import (
        DB_ENV,
        LOCK_ENV,
        ClassroomError,
        ServerLock,
        open_games_file,
    )

    if args.theatres is not None and not args.theatres.is_dir():
        raise UserError(f"--theatres {args.theatres}: no such folder")
    _check_port(args.port)
    try:
        if args.list:  # beside a running server too: the file is only read
            from wargame.apps.classroom.rooms import Classroom

            for room in Classroom(args.db, read_only=True).rooms(with_keys=True):
                setup = room["setup"]
                address = (
                    f"http://{args.host}:{args.port}/?room={room['code']}&key={room['umpire_key']}"
                )
                print(
                    f"{room['code']}  {room['status']:<6}  created {room['created']}  "
                    f"{room['turns_played']}/{setup['turns']} turns  "
                    f"teams: {', '.join(setup['humans'])}  umpire: {address}"
                )
            return 0
        lock = ServerLock(args.db)  # one server per file; the server inherits the lock
        open_games_file(args.db).close()  # an empty or damaged file is refused here, not served
    except ClassroomError as error:
        raise UserError(str(error)) from None
    command, env = serve_command(
        args.host, args.port, None, app="wargame.apps.classroom.app", theatres=args.theatres
    )
    env[DB_ENV] = str(args.db.resolve())
    env[LOCK_ENV] = str(lock.fileno())
    os.set_inheritable(lock.fileno(), True)
    print(
        f"wargame classroom on http://{args.host}:{args.port} (games saved in {args.db}; "
        "Ctrl-C to stop)",
        flush=True,
    )
    os.execve(sys.executable, command, env)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    """Tables and figures of a results folder, as PNG, CSV and one HTML page; and the
    theatre's patterns, when the experiment checks them."""
    from wargame.analysis.report import (
        SENSITIVITY_TEXT,
        ReportError,
        build_report,
        results_paired,
        results_patterns,
    )
    from wargame.progress import show_progress

    _warn_of_strays(args.results)
    try:
        with show_progress("report", "steps") as update:
            out = build_report(args.results, args.out, progress=update)
        patterns = results_patterns(args.results)
        paired = results_paired(args.results)
    except ReportError as error:
        raise UserError(str(error)) from None
    if (out / SENSITIVITY_TEXT).is_file():
        print((out / SENSITIVITY_TEXT).read_text(encoding="utf-8"))
    if paired is not None:
        print_paired(*paired, console)
    if patterns is not None:
        print_patterns(*patterns, console)
    print(f"report written to {out / 'index.html'}")
    return 0


def print_paired(frame, baselines: str, console: Console) -> None:
    """Each swept value against its baseline: the mean paired difference of each outcome
    with its paired and unpaired 95% intervals (as the report's page shows them)."""
    from rich.table import Table

    from wargame.analysis.report import paired_display

    shown = paired_display(frame)
    table = Table(title="Paired differences against the baseline (same seed, value - baseline)")
    for column in shown.columns:
        words = column in ("parameter", "value (baseline)", "outcome")
        table.add_column(column, overflow="fold", justify="left" if words else "right")
    for row in shown.itertuples(index=False):
        table.add_row(*row)
    console.print(table)
    print(baselines)


def print_patterns(history, judged, console: Console) -> None:
    """The theatre's patterns: what each asks, and what the runs of each grid point show."""
    from rich.table import Table

    from wargame.analysis.report import HOLDS

    table = Table(title=f"The theatre's patterns ({history.path})")
    table.add_column("pattern", overflow="fold")
    table.add_column("required", overflow="fold")
    for each in judged:
        table.add_column(f"{each.label()} ({each.verdicts[0].runs} runs)", overflow="fold")
    for number, verdict in enumerate(judged[0].verdicts):
        cells = [
            f"{each.verdicts[number].measured()}: {HOLDS[each.verdicts[number].holds]}"
            for each in judged
        ]
        table.add_row(verdict.pattern.id, verdict.required(), *cells)
    console.print(table)
    for each in judged:
        held = sum(bool(v.holds) for v in each.verdicts)
        print(f"{each.label()}: {held} of {len(each.verdicts)} patterns hold")


MAX_RUNS = 100_000
"""The most seeds or candidates `score` and `calibrate` take: a day of runs or more; far
more filled the memory with their list before the first run."""


def _check_counts(counts: dict[str, int | None]) -> None:
    """Each given count is 1 or more; a count of runs (not --jobs) at most MAX_RUNS."""
    for option, value in counts.items():
        if value is not None and value < 1:
            raise UserError(f"{option}: expected 1 or more, got {value}")
        if value is not None and option != "--jobs" and value > MAX_RUNS:
            raise UserError(f"{option}: expected at most {MAX_RUNS:,}, got {value:,}")


def cmd_score(args: argparse.Namespace, console: Console) -> int:
    """Many runs of a theatre scored against its history's dated targets."""
    from wargame.analysis.history import read_history, score_history
    from wargame.analysis.score_change import compare, read_earlier
    from wargame.progress import show_progress
    from wargame.scenario import load_theatre

    _check_counts({"--seeds": args.seeds, "--jobs": args.jobs})
    if args.plots is not None and unwritable(args.plots, folder=True):
        raise UserError(f"--plots {args.plots}: {unwritable(args.plots, folder=True)}")
    theatre = load_theatre(args.theatre)
    history = read_history(theatre, args.history)
    parameters = _checked_parameters(theatre, _parse_set(args.set or []))
    earlier = None if args.against is None else read_earlier(args.against)
    label = f"score {theatre.name}, {args.seeds} seeds of {history.days} days"
    with show_progress(label, "runs") as update:
        card = score_history(theatre, history, range(args.seeds), parameters, args.jobs, update)
    change = None if earlier is None else compare(card, earlier, args.against)
    if args.plots is not None:
        from wargame.analysis.timeline import write_pictures

        written = write_pictures(card, args.plots)
        names = ", ".join(path.name for path in written)
        print(f"pictures written to {args.plots}: {names}", file=sys.stderr)
    if args.json:
        document = card.as_json()
        if change is not None:
            document["against"] = change.as_json()
        print(json.dumps(document, indent=2))
    else:
        print_scorecard(card, console)
        if change is not None:
            print_score_change(change, console)
    return 0


def _checked_parameters(theatre, overrides: dict[str, str]) -> dict[str, object]:
    """`--set` values checked and typed against the theatre's own, before any run starts."""
    from wargame.scenario.parameters import make_parameters

    with _set_problems():
        parameters = make_parameters(theatre.parameters, overrides)
    return {name: getattr(parameters, name) for name in overrides}


def print_scorecard(card, console: Console) -> None:
    """The score table: each target's history against its simulated median and interval."""
    from rich.markup import escape
    from rich.table import Table

    from wargame.analysis.history import NOBODY, shown

    table = Table(
        title=escape(
            f"{card.theatre} against {card.history.path.name}: {len(card.seeds)} runs of "
            f"{card.history.days} days, their median and 5-95% range"
        )
    )
    # whole ids when the other columns keep room for whole dates; else every column folds
    longest = max(len(result.target.id) for result in card.targets)
    table.add_column("target", no_wrap=console.width - longest >= 64, overflow="fold")
    for column in ("history", "median", "5-95% of runs"):
        table.add_column(column, overflow="fold")
    for column in ("inside", "score"):
        table.add_column(column, justify="right", no_wrap=True)
    for result in card.targets:
        low, high = result.interval
        interval = "" if result.target.kind == "holder" else f"{shown(low)} to {shown(high)}"
        median = shown(result.median)
        if result.target.kind == "holder":
            holder = result.median or NOBODY
            median = f"{holder} ({result.detail['holders'][holder]:.0%})"
        table.add_row(
            escape(result.target.id),
            result.history,
            median,
            interval,
            f"{result.share_inside:.0%}",
            f"{result.score:.2f}",
        )
    console.print(table)
    print(f"Overall score: {card.score:.2f} (the mean of the {len(card.targets)} targets' scores)")
    timing = card.timing()
    if timing["dated_targets"]:
        mean, dated = timing["mean_days_off"], timing["dated_targets"]
        off = "-" if mean is None else f"{mean:.1f}"
        print(
            f"Days off the history's dates: {off} on average over {dated} dated "
            f"target{'s' if dated != 1 else ''} ({timing['never']} not seen in the median run)"
        )


def print_score_change(change: ScoreChange, console: Console) -> None:
    """The targets whose score moved since the earlier score, then one line for them all."""
    from rich.markup import escape
    from rich.table import Table

    moved = change.moved()
    if moved:
        table = Table(title=escape(f"Targets whose score moved since {change.path}"))
        table.add_column("target", overflow="fold")
        for column in ("before", "now", "change"):
            table.add_column(column, justify="right", no_wrap=True)
        for c in moved:
            table.add_row(
                escape(c.id),
                "-" if c.before is None else f"{c.before:.3f}",
                "-" if c.now is None else f"{c.now:.3f}",
                "-" if c.change is None else f"{c.change:+.3f}",
            )
        console.print(table)
    print(change.summary())


def cmd_calibrate(args: argparse.Namespace, console: Console) -> int:
    """Search parameter values for the best history score; a report, never a theatre edit."""
    from wargame.analysis.calibration import (
        DEFAULT_SAMPLER_SEED,
        CalibrationError,
        Request,
        calibrate,
        held_out_targets,
        parse_params,
        refuse_other_folder,
        search_ranges,
    )
    from wargame.analysis.history import read_history
    from wargame.analysis.results import BatchError
    from wargame.progress import show_progress
    from wargame.scenario import load_theatre

    _check_counts({"--budget": args.budget, "--seeds": args.seeds, "--jobs": args.jobs})
    sampler_seed = DEFAULT_SAMPLER_SEED if args.sampler_seed is None else args.sampler_seed
    if seed_problem(sampler_seed):
        raise UserError(f"--sampler-seed {sampler_seed}: {seed_problem(sampler_seed)}")
    theatre = load_theatre(args.theatre)
    history = read_history(theatre, args.history)
    fixed = _checked_parameters(theatre, _parse_set(args.set or []))
    held_out = [name.strip() for name in (args.hold_out or "").split(",") if name.strip()]
    try:
        request = Request(
            theatre,
            history,
            search_ranges(theatre, parse_params(args.params), fixed),
            tuple(range(args.seeds)),
            fixed,
            held_out_targets(history, held_out),
            sampler_seed,
        )
    except CalibrationError as error:
        raise UserError(str(error)) from None
    out = args.out or Path("results") / f"calibrate-{theatre.name}"
    if unwritable(out, folder=True):
        raise UserError(f"--out {out}: {unwritable(out, folder=True)}")
    try:
        refuse_other_folder(out, request)
    except CalibrationError as error:
        raise UserError(str(error)) from None
    print(
        f"calibrate {theatre.name}: {args.budget} candidates of "
        f"{'; '.join(searched.describe() for searched in request.ranges)}, each on the same "
        f"{args.seeds} seeds -> {out}",
        file=sys.stderr,
    )
    try:
        with show_progress(f"calibrate {theatre.name}", "runs") as update:
            result = calibrate(request, out, args.budget, args.jobs, update)
    except (CalibrationError, BatchError) as error:
        raise UserError(str(error)) from None
    except Exception as error:
        if not _raised_by_an_interrupt(error):
            raise
        return _calibration_interrupted(out)
    except KeyboardInterrupt:
        return _calibration_interrupted(out)
    print_calibration(result, console)
    print(f"report written to {out / 'report.md'}")
    return 0


def print_calibration(calibration, console: Console) -> None:
    """The targets before and after, the best values, the verdict and the --set line."""
    from rich.table import Table

    from wargame.analysis.calibration import targets_table, value_text

    request, before, best = calibration.request, calibration.before, calibration.best
    table = Table(
        title=f"{request.theatre.name} against {request.history.path.name}: the theatre's values "
        f"(before) and the best of {len(calibration.candidates)} candidates (after), "
        f"each on the same {len(request.seeds)} seeds"
    )
    table.add_column("target", overflow="fold")
    table.add_column("history", overflow="fold")
    for column in ("before", "after"):
        table.add_column(f"{column}: median", overflow="fold")
        table.add_column("score", justify="right", no_wrap=True)
    for row in targets_table(calibration).itertuples():
        table.add_row(
            f"{row.target}{' (held out)' if row.held_out else ''}",
            row.history,
            str(row.before_median),
            f"{row.before_score:.2f}",
            str(row.after_median),
            f"{row.after_score:.2f}",
        )
    console.print(table)
    values = ", ".join(
        f"{name} {value_text(before.values[name])} -> {value_text(value)}"
        for name, value in best.values.items()
    )
    print(f"Best: candidate {best.number} of {len(calibration.candidates)}: {values}")
    print(calibration.verdict())
    print(f"To reproduce: {calibration.reproduce()}")


# --- the parser ------------------------------------------------------------------------


def _number_from(text: str, least: float, most: float, unit: str) -> float:
    """`text` as a number from `least` to `most`, or argparse's one-line usage error."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not least <= value <= most:  # NaN and a word fail too
        raise argparse.ArgumentTypeError(f"expected {least:g} to {most:g} {unit}, got {text!r}")
    return value


def _frames_per_second(text: str) -> float:
    from wargame.drawing.timelapse import FPS_RANGE  # matplotlib: only when --fps is given

    return _number_from(text, *FPS_RANGE, "frames per second")


def _margin_degrees(text: str) -> float:
    from wargame.scenario.basemap_clip import MARGIN_RANGE

    return _number_from(text, *MARGIN_RANGE, "degrees")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wargame", description="An agent-based conflict wargame on a map of towns and roads."
    )
    parser.add_argument("--version", action="version", version=f"wargame {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    scenarios = commands.add_parser("scenarios", help="list the theatres that ship")
    scenarios.set_defaults(handler=cmd_scenarios)

    validate = commands.add_parser(
        "validate", help="check a theatre folder, set-up, map or faction file"
    )
    validate.add_argument(
        "path",
        type=Path,
        help="a theatre folder, or a set-up .toml, faction .toml, .geojson map or basemap",
    )
    validate.set_defaults(handler=cmd_validate)

    run = commands.add_parser(
        "run",
        help="run one campaign and print its summary",
        epilog=_parameter_help,
        formatter_class=LateHelp,
    )
    run.add_argument(
        "--scenario",
        help=f"a shipped theatre's name or a theatre folder (default {DEFAULT_SCENARIO})",
    )
    run.add_argument("--days", type=int, default=None, help="days to run, 0 to 3,650 (default 270)")
    run.add_argument(
        "--exercise", help="a classroom exercise's set-up (experiments/classroom), all computer"
    )
    run.add_argument(
        "--seed", type=int, default=None, help=f"seed, {SEED_RANGE} (default: a fresh one)"
    )
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.add_argument("--out", type=Path, help="write the daily series (.csv or .parquet)")
    run.add_argument("--events", type=Path, help="write the event log (.csv or .parquet)")
    run.add_argument(
        "--map",
        type=Path,
        metavar="FILE",
        help="draw the theatre at the end as a still map (.png or .svg)",
    )
    run.add_argument(
        "--geojson",
        type=Path,
        metavar="FILE",
        help="write the places, units and roads at the end as GeoJSON for GIS tools "
        "(.geojson or .json)",
    )
    run.add_argument(
        "--animate",
        type=Path,
        metavar="FILE",
        help="draw the campaign day by day with the date, captures and the front, as a "
        "time-lapse (.gif or .mp4)",
    )
    run.add_argument(
        "--animate-every",
        type=int,
        metavar="DAYS",
        help="with --animate: days between frames (default 2)",
    )
    run.add_argument(
        "--fps",
        type=_frames_per_second,
        help="with --animate: frames per second (default 8), from 0.1 to 50",
    )
    run.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="write the viewer's daily charts into DIR as PNG files, one per chart",
    )
    run.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="override a scenario parameter (repeatable); with --fork, from that day on",
    )
    run.add_argument(
        "--fork",
        type=int,
        metavar="DAY",
        help="what if, from DAY: play the run to DAY, make the --set change, play on, and "
        "print it beside the same run unchanged (files written are the forked run's)",
    )
    run.set_defaults(handler=cmd_run)

    serve = commands.add_parser("serve", help="open the viewer in a browser")
    serve.add_argument("--host", default="localhost", help="address to listen on (localhost)")
    serve.add_argument("--port", type=int, default=8765, help="port (8765)")
    serve.add_argument(
        "--scenario", help="a theatre to open first: a shipped name or your theatre folder"
    )
    serve.add_argument(
        "--theatres",
        type=Path,
        help="the folder whose theatre folders pages may open (default: the current folder)",
    )
    serve.set_defaults(handler=cmd_serve)

    batch = commands.add_parser(
        "batch", help="run an experiment: every point x seed, in parallel, to Parquet"
    )
    batch.add_argument("experiment", help="an experiment file, or a shipped one's name")
    batch.add_argument("--jobs", type=int, help="runs at once (all cores)")
    batch.add_argument(
        "--seeds",
        type=int,
        metavar="N",
        help="run seeds 0..N-1 instead of the file's (a quick look first)",
    )
    batch.add_argument("--out", type=Path, help="results folder (results/<experiment id>)")
    batch.add_argument(
        "--resume", action="store_true", help="run what the folder lacks and again what failed"
    )
    batch.add_argument("--backend", choices=["local", "dask"], default="local")
    cluster = batch.add_mutually_exclusive_group()
    cluster.add_argument(
        "--scheduler", help="a Dask scheduler address (with --backend dask; else a local cluster)"
    )
    cluster.add_argument(
        "--scheduler-file",
        type=Path,
        metavar="FILE",
        help="the file a Dask scheduler wrote with --scheduler-file (as on a SLURM cluster)",
    )
    batch.set_defaults(handler=cmd_batch)

    generate = commands.add_parser(
        "generate", help="write a random theatre of a given size (for scale tests)"
    )
    generate.add_argument("folder", type=Path, help="new folder to write the theatre into")
    generate.add_argument(
        "--places", type=int, default=1000, help="home places, 1 to 100,000 (1000)"
    )
    generate.add_argument("--units", type=int, help="units, up to 1,000,000 (default: 2 per place)")
    generate.add_argument(
        "--civilian-groups",
        type=int,
        help="civilian groups, up to 1,000,000 (default: 10 per place)",
    )
    generate.add_argument("--factions", type=int, default=3, help="factions, 1 to 8 (3)")
    generate.add_argument(
        "--seed", type=int, default=0, help=f"the random theatre's seed, {SEED_RANGE} (0)"
    )
    generate.set_defaults(handler=cmd_generate)

    scaffold = commands.add_parser(
        "new-theatre", help="write a minimal theatre folder to start your own from"
    )
    scaffold.add_argument("folder", type=Path, help="new folder (its name is the theatre's name)")
    scaffold.add_argument("--title", help="the theatre's title (from the folder's name)")
    scaffold.set_defaults(handler=cmd_new_theatre)

    basemap = commands.add_parser(
        "basemap",
        help="draw coast, rivers and borders under a theatre: clip the bundled Natural Earth "
        "world set to its places",
    )
    basemap.add_argument("theatre", help="a theatre folder or set-up file (or a bundled name)")
    basemap.add_argument(
        "--margin",
        type=_margin_degrees,
        default=BASEMAP_MARGIN_DEG,
        help="degrees of map around the outermost places, 0 to 10 "
        f"(default {BASEMAP_MARGIN_DEG:g})",
    )
    basemap.add_argument(
        "--force",
        action="store_true",
        help="replace an existing basemap.geojson, and make one even if the places lie at sea",
    )
    basemap.set_defaults(handler=cmd_basemap)

    importer = commands.add_parser(
        "import-map", help="make a map.geojson from places and roads in CSV or GeoJSON (QGIS)"
    )
    importer.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="places, roads and border: .csv (by their columns) or .geojson layers",
    )
    importer.add_argument(
        "--out", type=Path, required=True, help="the map to write, e.g. my_theatre/map.geojson"
    )
    importer.add_argument(
        "--snap-km",
        type=float,
        default=1.0,
        help="a drawn road without from/to joins the places within this distance of its ends "
        f"(1, at most {ROAD_END_GAP_KM:g})",
    )
    importer.set_defaults(handler=cmd_import_map)

    room = commands.add_parser("classroom", help="the classroom server: teams command factions")
    room.add_argument("--host", default="localhost", help="address to listen on (localhost)")
    room.add_argument("--port", type=int, default=8766, help="port (8766)")
    room.add_argument(
        "--db",
        type=Path,
        default=Path("classroom.sqlite"),
        help="the games' file (classroom.sqlite)",
    )
    room.add_argument(
        "--theatres",
        type=Path,
        help="the folder whose theatre folders rooms and game records may use "
        "(default: the current folder)",
    )
    room.add_argument(
        "--list", action="store_true", help="list the games on file with their umpire addresses"
    )
    room.set_defaults(handler=cmd_classroom)

    report = commands.add_parser("report", help="tables and figures of a batch's results")
    report.add_argument("results", type=Path, help="a results folder of `wargame batch`")
    report.add_argument("--out", type=Path, help="report folder (RESULTS/report)")
    report.set_defaults(handler=cmd_report)

    score = commands.add_parser(
        "score", help="score many runs of a theatre against its history (history.toml)"
    )
    score.add_argument("theatre", help="a shipped theatre's name or a theatre folder")
    score.add_argument(
        "--seeds", type=int, default=20, metavar="N", help="runs, seeds 0 to N-1 (20)"
    )
    score.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="a history file (default: the theatre's history.toml)",
    )
    score.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="override a scenario parameter in every run (repeatable; list: wargame run --help)",
    )
    score.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    score.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="draw the simulated bands against the history's dates into DIR (PNG)",
    )
    score.add_argument(
        "--against",
        type=Path,
        metavar="FILE",
        help="set the scores against an earlier `wargame score --json` output, target by "
        "target (the targets that moved, and those now lower)",
    )
    score.add_argument("--jobs", type=int, metavar="N", help="runs at once (all cores)")
    score.set_defaults(handler=cmd_score)

    calibrate = commands.add_parser(
        "calibrate",
        help="search parameter values that raise a theatre's history score (a report; "
        "never edits the theatre)",
    )
    calibrate.add_argument("theatre", help="a shipped theatre's name or a theatre folder")
    calibrate.add_argument(
        "--params",
        required=True,
        metavar="NAME[=LOW:HIGH],...",
        help="the parameters to search, comma-separated, each in LOW:HIGH or, alone, in the "
        "bounds it declares (prices.<commodity> too; list: wargame run --help)",
    )
    calibrate.add_argument(
        "--budget", type=int, required=True, metavar="N", help="candidates to score in all"
    )
    calibrate.add_argument(
        "--seeds",
        type=int,
        default=20,
        metavar="N",
        help="runs per candidate, seeds 0 to N-1, the same for every candidate (20)",
    )
    calibrate.add_argument(
        "--hold-out",
        metavar="ID,...",
        help="history targets left out of the searched score and scored apart",
    )
    calibrate.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="a history file (default: the theatre's history.toml)",
    )
    calibrate.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="fix a parameter in every run (repeatable)",
    )
    calibrate.add_argument(
        "--out", type=Path, metavar="DIR", help="the study and report (results/calibrate-<theatre>)"
    )
    calibrate.add_argument(
        "--sampler-seed",
        type=int,
        metavar="S",
        help="the seed of the search's sampler (a fixed one unless given): the same seed, "
        "the same candidates",
    )
    calibrate.add_argument("--jobs", type=int, metavar="N", help="runs at once (all cores)")
    calibrate.set_defaults(handler=cmd_calibrate)

    schema = commands.add_parser(
        "schema", help="the JSON Schema of a kind of TOML file, for an editor to check it by"
    )
    schema.add_argument(
        "kind", choices=list(KINDS), metavar="KIND", help=f"one of {', '.join(KINDS)}"
    )
    schema.add_argument(
        "--out", type=Path, metavar="FILE", help="write it to FILE (default: print it)"
    )
    schema.set_defaults(handler=cmd_schema)

    completion = commands.add_parser(
        "completion", help="a tab-completion script for bash or zsh (see the user guide)"
    )
    completion.add_argument("shell", choices=["bash", "zsh"], help="bash or zsh")
    completion.set_defaults(handler=cmd_completion)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # `kill` (SIGTERM) stops a command as Ctrl-C does: a batch writes what is finished first
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    try:
        return _main(argv)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)  # --help and --version end here
    from rich.console import Console

    from wargame.scenario.errors import ScenarioError, warnings_as_lines

    try:
        with warnings_as_lines():  # strange input: one `warning:` line each, the command goes on
            return args.handler(args, Console())
    except (ScenarioError, UserError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`: stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug, not bad input: still one line, the details on request
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"error: unexpected {type(error).__name__}: {error} "
            f"(a bug in wargame; set {DEBUG_ENV}=1 to see where)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
