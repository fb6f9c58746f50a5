"""How fast the wargame runs, next to a minimal Mesa random walk measured in the same process.

    python benchmarks/run.py                      # or: make bench
    python benchmarks/run.py --json out.json      # the figures as JSON too
    python benchmarks/run.py --sizes 1000 --large-days 30 --profile 25

Two kinds of theatre are run: the default theatre (`kachin`, `--days` days,
`--repeat` runs) and generated large ones (`wargame.scenario.synthetic.synthetic_theatre`,
the same as `wargame generate`) of each size in `--sizes`: N home places,
2N units and 10N civilian groups, for `--large-days` days, `--large-repeat`
runs. Each large size runs in a fresh process of its own, so that its peak
memory (the process's maximum resident set after building the theatre and
running our model) belongs to that size alone, with numpy's BLAS held to one
thread, so that ours and the walk each use one core.

The measure is agent-steps per second of stepping (building the model is not
timed). One agent-step is one agent taking part in one day: each day counts
the units and civilian groups alive at its start, and the agent-steps of a run
are those counts summed over its days. Factions are not counted. The
units-only rate (unit-steps per second) is printed as well.

The reference is the smallest Mesa model that moves the same agents: a
`mesa.Model` with a `mesa.discrete_space.Network` on the same networkx graph
(the model's `grid.G`), one `CellAgent` per unit and civilian group of the
model, each starting at that agent's place and stepping to a random
neighbouring cell each day (`agents.shuffle_do("step")`). Its agent-steps
are agents x days.

Each theatre warms up once (a short run of each model, not timed), then runs
fresh models of ours and of the random walk in turn, so both see the same
load on the machine, with the garbage collector off as Mesa's own benchmarks
do, and keeps the best (fastest) run of each; the median is in the JSON.
The default theatre also takes turns with issue 24's fixed yardstick: 2,000
CellAgents walking on a connected 60-node graph for as many days
(`reference_walk`), the same whatever theatre is timed.

Targets, issue 8: ours at least half the random walk's rate on the large
theatres; the 5,000-place theatre under 2 GiB; a default 270-day run well
under a second of CPU (read as 0.5 s: 1,000 runs on 2 cores in about 4
minutes). Issue 24: a default run at least 4 times faster, in CPU, than the
fixed walk; every large theatre at least the random walk's rate; the
50,000-place theatre under 1 GiB. The command prints PASS or FAIL for each
and exits 0 either way: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import multiprocessing
import os
import platform
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import mesa
import networkx as nx
from mesa.discrete_space import CellAgent, Network
from rich.console import Console
from rich.table import Table

from wargame.engine.agents import CivilianGroup, Unit
from wargame.engine.model import ConflictModel
from wargame.scenario.synthetic import synthetic_theatre

TARGET_RATIO = 0.5  # issue 8: ours at least half the random walk's rate, large theatres
TARGET_MEMORY_MIB = 2048  # issue 8: the 5,000-place theatre under 2 GiB
TARGET_MEMORY_PLACES = 5000
# issue 8: a 270-day default run "well under a second" of CPU, "so that 1,000 runs on
# 2 cores finish in a few minutes": 1,000 runs / 2 cores x 0.5 s = about 4 minutes
TARGET_DEFAULT_CPU_S = 0.5
# issue 24: a default run at least 4 times faster, in CPU, than the reference walk (2,000
# CellAgents on a 60-node graph for as many steps); every large theatre at least the random
# walk's rate on its own graph; the 50,000-place theatre under 1 GiB
REFERENCE_WALKERS, REFERENCE_NODES = 2000, 60
TARGET_REFERENCE_SPEEDUP = 4.0
TARGET_RATIO_24 = 1.0
TARGET_MEMORY_MIB_24, TARGET_MEMORY_PLACES_24 = 1024, 50_000
WARM_UP_DAYS = 5
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
UNITS_PER_PLACE = 2
GROUPS_PER_PLACE = 10


# --- the reference: a minimal Mesa random walk -----------------------------------


class Walker(CellAgent):
    """Steps to a random neighbouring cell each day."""

    def __init__(self, model: mesa.Model, cell) -> None:
        super().__init__(model)
        self.cell = cell

    def step(self) -> None:
        self.cell = self.cell.neighborhood.select_random_cell()


class RandomWalk(mesa.Model):
    """One Walker per starting place in `starts`, on `graph` as a Mesa Network."""

    def __init__(self, graph: nx.Graph, starts: list[str], rng: int) -> None:
        super().__init__(rng=rng)
        # positions given, so Network does not run spring_layout
        self.grid = Network(graph, random=self.random, layout=dict(graph.nodes(data="pos")))
        for place in starts:
            Walker(self, self.grid[place])

    def step(self) -> None:
        self.agents.shuffle_do("step")


def reference_walk(seed: int) -> RandomWalk:
    """Issue 24's yardstick: 2,000 walkers spread evenly over a connected 60-node graph
    (a small world, 4 neighbours each), the same whatever theatre is being timed."""
    graph = nx.connected_watts_strogatz_graph(REFERENCE_NODES, 4, 0.1, seed=seed)
    nx.set_node_attributes(graph, nx.circular_layout(graph), "pos")
    starts = [i % REFERENCE_NODES for i in range(REFERENCE_WALKERS)]
    return RandomWalk(graph, starts, seed)


# --- timing ----------------------------------------------------------------------


@dataclass
class Timing:
    """Repeated runs of one model: seconds of stepping, and the steps taken in one run."""

    seconds: list[float]
    cpu_seconds: list[float]
    agent_steps: int
    unit_steps: int

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def agent_steps_per_s(self) -> float:
        return self.agent_steps / self.best

    @property
    def unit_steps_per_s(self) -> float:
        return self.unit_steps / self.best

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "best_seconds": self.best,
            "median_seconds": statistics.median(self.seconds),
            "median_cpu_seconds": statistics.median(self.cpu_seconds),
            "agent_steps_per_s": self.agent_steps_per_s,
            "unit_steps_per_s": self.unit_steps_per_s,
        }


def _stepped(step: Callable[[], None], days: int, count: Callable[[], tuple[int, int]]):
    """Seconds and CPU seconds for `days` steps with gc off, and the steps counted each day."""
    agent_steps = unit_steps = 0
    gc.collect()
    gc.disable()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(days):
            agents, units = count()
            agent_steps += agents
            unit_steps += units
            step()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        gc.enable()
    return elapsed, cpu, agent_steps, unit_steps


def _alive(model: ConflictModel) -> tuple[int, int]:
    units = len(model.agents_by_type.get(Unit, ()))
    return units + len(model.agents_by_type.get(CivilianGroup, ())), units


def run_ours(make: Callable[[], ConflictModel], days: int) -> tuple[float, float, int, int]:
    """One timed run of a fresh model: seconds, CPU seconds, agent-steps, unit-steps."""
    model = make()
    return _stepped(model.step, days, lambda: _alive(model))


def peak_mib() -> float:
    """This process's maximum resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- one theatre -----------------------------------------------------------------


@dataclass
class Result:
    theatre: str
    places: int
    roads: int
    units: int
    civilian_groups: int
    days: int
    ours: Timing
    walk: Timing
    peak_mib: float
    """Peak resident memory after building the theatre and running ours once."""
    base_mib: float = 0.0
    """Resident memory of the process before the theatre was built (Python and libraries)."""
    reference: Timing | None = None
    """Issue 24's fixed walk (`reference_walk`) for as many days, timed in turn with ours."""

    @property
    def ratio(self) -> float:
        return self.ours.agent_steps_per_s / self.walk.agent_steps_per_s

    @property
    def units_only_ratio(self) -> float:
        return self.ours.unit_steps_per_s / self.walk.agent_steps_per_s

    @property
    def reference_speedup(self) -> float | None:
        """How many times less CPU a run of ours takes than the fixed walk (medians)."""
        if self.reference is None:
            return None
        return statistics.median(self.reference.cpu_seconds) / statistics.median(
            self.ours.cpu_seconds
        )

    @property
    def runs_per_s(self) -> float:
        return 1 / statistics.median(self.ours.seconds)

    def as_dict(self) -> dict[str, object]:
        return {
            "theatre": self.theatre,
            "places": self.places,
            "roads": self.roads,
            "units": self.units,
            "civilian_groups": self.civilian_groups,
            "days": self.days,
            "ours": self.ours.as_dict(),
            "random_walk": self.walk.as_dict(),
            "ratio": self.ratio,
            "units_only_ratio": self.units_only_ratio,
            "runs_per_s": self.runs_per_s,
            "peak_mib": self.peak_mib,
            "base_mib": self.base_mib,
            "theatre_mib": self.peak_mib - self.base_mib,
            "reference_walk": None if self.reference is None else self.reference.as_dict(),
            "reference_speedup": self.reference_speedup,
        }


def bench(
    label: str,
    make: Callable[[], ConflictModel],
    days: int,
    repeat: int,
    seed: int,
    reference: bool = False,
):
    """Ours and the random walk on one theatre, taking turns so both see the same load;
    with `reference`, issue 24's fixed walk (`reference_walk`) takes its turn too."""
    model = make()
    units, civilians = len(model.units), len(model.civilians)
    starts = [agent.cell.coordinate for agent in [*model.units, *model.civilians]]
    graph = model.grid.G
    model.run(min(days, WARM_UP_DAYS))  # warm up once, untimed
    del model
    RandomWalk(graph, starts, seed).run_for(min(days, WARM_UP_DAYS))
    ours, ours_cpu, walk, walk_cpu, counts, peak = [], [], [], [], set(), 0.0
    fixed, fixed_cpu = [], []
    for _ in range(repeat):
        elapsed, cpu, agent_steps, unit_steps = run_ours(make, days)
        peak = peak or peak_mib()  # after the first timed run, before any walk of this size
        ours.append(elapsed)
        ours_cpu.append(cpu)
        counts.add((agent_steps, unit_steps))
        walker = RandomWalk(graph, starts, seed)
        elapsed, cpu, _, _ = _stepped(walker.step, days, lambda: (0, 0))
        del walker
        walk.append(elapsed)
        walk_cpu.append(cpu)
        if reference:
            walker = reference_walk(seed)
            elapsed, cpu, _, _ = _stepped(walker.step, days, lambda: (0, 0))
            del walker
            fixed.append(elapsed)
            fixed_cpu.append(cpu)
    if len(counts) != 1:
        raise RuntimeError(f"runs of the same seed took different steps: {sorted(counts)}")
    agent_steps, unit_steps = counts.pop()
    return Result(
        theatre=label,
        places=graph.number_of_nodes(),
        roads=graph.number_of_edges(),
        units=units,
        civilian_groups=civilians,
        days=days,
        ours=Timing(ours, ours_cpu, agent_steps, unit_steps),
        walk=Timing(walk, walk_cpu, len(starts) * days, 0),
        peak_mib=peak,
        reference=Timing(fixed, fixed_cpu, REFERENCE_WALKERS * days, 0) if reference else None,
    )


def large_theatre(places: int, seed: int):
    return synthetic_theatre(
        places, UNITS_PER_PLACE * places, seed, civilian_groups=GROUPS_PER_PLACE * places
    )


def bench_large(places: int, days: int, repeat: int, seed: int) -> Result:
    """One large size, meant to run in a fresh process (its peak memory is the process's)."""
    base = peak_mib()
    theatre = large_theatre(places, seed)
    result = bench(
        f"generated {places:,}", lambda: ConflictModel(theatre, rng=seed), days, repeat, seed
    )
    result.base_mib = base
    return result


# --- the command -----------------------------------------------------------------


def _table(results: list[Result]) -> Table:
    table = Table(title="agent-steps per second, best run of each (higher is faster)")
    table.add_column("")
    for r in results:
        table.add_column(r.theatre, justify="right")
    rows = [
        ("places (home + sanctuaries)", lambda r: f"{r.places:,}"),
        ("units + civilian groups", lambda r: f"{r.units:,} + {r.civilian_groups:,}"),
        ("days x runs", lambda r: f"{r.days} x {len(r.ours.seconds)}"),
        ("ours: seconds of stepping (best)", lambda r: f"{r.ours.best:.2f}"),
        (
            "ours: CPU seconds a run (median)",
            lambda r: f"{statistics.median(r.ours.cpu_seconds):.2f}",
        ),
        ("ours: runs per second", lambda r: f"{r.runs_per_s:.2f}"),
        ("ours: agent-steps/s", lambda r: f"{r.ours.agent_steps_per_s:,.0f}"),
        ("random walk: agent-steps/s", lambda r: f"{r.walk.agent_steps_per_s:,.0f}"),
        ("ratio ours / random walk", lambda r: f"{r.ratio:.2f}"),
        ("reference walk: CPU seconds (median)", _reference_cpu),
        ("reference walk CPU / ours", lambda r: _or_dash(r.reference_speedup, "{:.2f}")),
        ("ours: unit-steps/s (units only)", lambda r: f"{r.ours.unit_steps_per_s:,.0f}"),
        ("peak memory, MiB", lambda r: f"{r.peak_mib:,.0f}"),
        ("  of which the theatre and run, MiB", lambda r: _theatre_mib(r)),
        ("  per place, KiB", lambda r: _per_place_kib(r)),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in results))
    return table


def _reference_cpu(result: Result) -> str:
    if result.reference is None:
        return "-"
    return f"{statistics.median(result.reference.cpu_seconds):.2f}"


def _or_dash(value: float | None, form: str) -> str:
    return "-" if value is None else form.format(value)


def _theatre_mib(result: Result) -> str:
    return f"{result.peak_mib - result.base_mib:,.0f}" if result.base_mib else "-"


def _per_place_kib(result: Result) -> str:
    if not result.base_mib:
        return "-"
    return f"{1024 * (result.peak_mib - result.base_mib) / result.places:,.0f}"


def _median_cpu(result: Result) -> float:
    return statistics.median(result.ours.cpu_seconds)


def verdicts(default: Result, large: list[Result]) -> list[tuple[int, str, bool, str]]:
    """(issue, target, met, the measured figure) for each target of issues 8 and 24."""
    cpu = statistics.median(default.ours.cpu_seconds)
    found = [
        (
            8,
            f"default theatre: a {default.days}-day run under {TARGET_DEFAULT_CPU_S} s CPU",
            cpu < TARGET_DEFAULT_CPU_S,
            f"{cpu:.2f} s",
        )
    ]
    if default.reference_speedup is not None:
        found.append(
            (
                24,
                f"default theatre: a run >= {TARGET_REFERENCE_SPEEDUP:g} x faster in CPU than "
                f"{REFERENCE_WALKERS:,} walkers on {REFERENCE_NODES} nodes",
                default.reference_speedup >= TARGET_REFERENCE_SPEEDUP,
                f"{default.reference_speedup:.2f} x",
            )
        )
    for issue, ratio in ((8, TARGET_RATIO), (24, TARGET_RATIO_24)):
        found += [
            (
                issue,
                f"{r.theatre}: ours >= {ratio:g} x random walk",
                r.ratio >= ratio,
                f"{r.ratio:.2f}",
            )
            for r in large
        ]
    for issue, places, limit in (
        (8, TARGET_MEMORY_PLACES, TARGET_MEMORY_MIB),
        (24, TARGET_MEMORY_PLACES_24, TARGET_MEMORY_MIB_24),
    ):
        found += [
            (
                issue,
                f"{r.theatre}: peak memory under {limit:,} MiB",
                r.peak_mib < limit,
                f"{r.peak_mib:,.0f} MiB",
            )
            for r in large
            if r.civilian_groups == GROUPS_PER_PLACE * places
        ]
    return found


def _profile(places: int, days: int, seed: int, top: int, console: Console) -> None:
    model = ConflictModel(large_theatre(places, seed), rng=seed)
    profiler = cProfile.Profile()
    profiler.runcall(model.run, days)
    console.print(f"\ncProfile of ours, generated {places:,}, {days} days (top {top}):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1000,5000, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes of 1 or more, got {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=270, help="days of the default theatre")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the default theatre")
    parser.add_argument(
        "--sizes", type=_sizes, default=[1000, 5000, 10000, 50000], help="large theatres' places"
    )
    parser.add_argument("--large-days", type=int, default=100, help="days of a large theatre")
    parser.add_argument("--large-repeat", type=int, default=2, help="runs of each large theatre")
    parser.add_argument("--seed", type=int, default=42, help="seed of models and theatres")
    parser.add_argument("--scenario", default="kachin", help="the default theatre")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="then cProfile the first large size"
    )
    args = parser.parse_args(argv)
    if min(args.days, args.large_days, args.repeat, args.large_repeat) < 1:
        parser.error("--days, --large-days and the repeats must be 1 or more")

    console = Console()
    started = time.perf_counter()
    with console.status(f"timing {args.scenario}, {args.days} days x {args.repeat}"):
        default = bench(
            args.scenario,
            lambda: ConflictModel(args.scenario, rng=args.seed),
            args.days,
            args.repeat,
            args.seed,
            reference=True,
        )
    large = []
    # One core for ours as for the walk: a crowded place's fight is a matrix product,
    # which OpenBLAS would otherwise spread over every core of the machine.
    for variable in BLAS_THREADS:
        os.environ[variable] = "1"
    spawn = multiprocessing.get_context("spawn")
    for places in args.sizes:
        with (
            console.status(f"timing generated {places:,}, {args.large_days} days"),
            ProcessPoolExecutor(1, mp_context=spawn) as fresh,
        ):
            large.append(
                fresh.submit(
                    bench_large, places, args.large_days, args.large_repeat, args.seed
                ).result()
            )
        console.print(
            f"generated {places:,}: ratio {large[-1].ratio:.2f}, peak {large[-1].peak_mib:,.0f} MiB"
        )
    elapsed = time.perf_counter() - started

    console.print(_table([default, *large]))
    console.print(
        "agent-step: one unit or civilian group alive at the start of a day, for that day. "
        "ours: every phase of ConflictModel.step. random walk: a mesa.Model with one "
        "CellAgent per unit and civilian group on the same graph, each moving to a random "
        "neighbour per step. Peak memory: the process's maximum resident set after building "
        "the theatre and running ours (Python and the libraries included)."
    )
    checks = verdicts(default, large)
    for issue, target, met, figure in checks:
        verdict = "[green]PASS[/]" if met else "[red]FAIL[/]"
        console.print(f"{verdict}  (issue {issue}) {target}: {figure}")
    console.print(f"benchmark took {elapsed:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "measure": "agent-steps per second: units and civilian groups alive at "
                    "the start of each day, summed over days, per second of stepping",
                    "targets": [
                        {"issue": i, "target": t, "met": met, "measured": f}
                        for i, t, met, f in checks
                    ],
                    "seed": args.seed,
                    "seconds_total": elapsed,
                    "python": platform.python_version(),
                    "mesa": mesa.__version__,
                    "default": default.as_dict(),
                    "large": [r.as_dict() for r in large],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        console.print(f"figures written to {args.json}")
    if args.profile:
        _profile(args.sizes[0], args.large_days, args.seed, args.profile, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
