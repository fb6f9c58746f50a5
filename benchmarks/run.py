"""How fast the wargame runs, next to a minimal Mesa random walk measured in the same process.

    python benchmarks/run.py                 # or: make bench
    python benchmarks/run.py --json out.json # the figures as JSON too
    python benchmarks/run.py --profile 25    # and cProfile's top 25 of the large theatre

Two theatres are run: the default theatre (`kachin`, `--days` days) and a
generated large one (`wargame.synthetic.synthetic_theatre`, 1,000 places and
2,000 units by default, `--large-days` days).

The measure is agent-steps per second of stepping (building the model is not
timed). One agent-step is one agent taking part in one day: each day counts
the units and civilian groups alive at its start, and the agent-steps of a run
are those counts summed over its days. Factions are not counted. Civilian
groups are counted because the issue asks for it, but until the civilian phase
exists they do nothing each day, so the units-only rate (unit-steps per
second) is printed as well: it is the stricter figure.

The reference is the smallest Mesa model that moves the same agents: a
`mesa.Model` with a `mesa.discrete_space.Network` on the same networkx graph
(the model's `grid.G`), one `CellAgent` per unit and civilian group of the
model, each starting at that agent's place and stepping to a random
neighbouring cell each day (`agents.shuffle_do("step")`). Its agent-steps
are agents x days.

Each theatre warms up once (a short run of each model, not timed), then runs
`--repeat` fresh models of ours and of the random walk in turn, so both see
the same load on the machine, with the garbage collector off as Mesa's own
benchmarks do, and keeps the best (fastest) run of each; the median is in the
JSON. The target of the issue is
ours at least a third of the random walk's rate; the command prints PASS or
FAIL and exits 0 either way: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import mesa
import networkx as nx
from mesa.discrete_space import CellAgent, Network
from rich.console import Console
from rich.table import Table

from wargame.agents import CivilianGroup, Unit
from wargame.model import ConflictModel
from wargame.synthetic import synthetic_theatre

TARGET_RATIO = 1 / 3  # the issue: ours at least a third of the random walk's rate
WARM_UP_DAYS = 5


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


# --- timing ----------------------------------------------------------------------


@dataclass
class Timing:
    """Repeated runs of one model: seconds of stepping, and the steps taken in one run."""

    seconds: list[float]
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
            "agent_steps_per_s": self.agent_steps_per_s,
            "unit_steps_per_s": self.unit_steps_per_s,
        }


def _stepped(step: Callable[[], None], days: int, count: Callable[[], tuple[int, int]]):
    """Seconds for `days` steps with gc off, and the (agent, unit) steps counted each day."""
    agent_steps = unit_steps = 0
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(days):
            agents, units = count()
            agent_steps += agents
            unit_steps += units
            step()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, agent_steps, unit_steps


def _alive(model: ConflictModel) -> tuple[int, int]:
    units = len(model.agents_by_type.get(Unit, ()))
    return units + len(model.agents_by_type.get(CivilianGroup, ())), units


def run_ours(make: Callable[[], ConflictModel], days: int) -> tuple[float, int, int]:
    """One timed run of a fresh model: seconds, agent-steps, unit-steps."""
    model = make()
    return _stepped(model.step, days, lambda: _alive(model))


def run_walk(graph: nx.Graph, starts: list[str], days: int, seed: int) -> float:
    """Seconds of one timed run of a fresh random walk."""
    walk = RandomWalk(graph, starts, seed)
    return _stepped(walk.step, days, lambda: (0, 0))[0]


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

    @property
    def ratio(self) -> float:
        return self.ours.agent_steps_per_s / self.walk.agent_steps_per_s

    @property
    def units_only_ratio(self) -> float:
        return self.ours.unit_steps_per_s / self.walk.agent_steps_per_s

    @property
    def target_met(self) -> bool:
        return self.ratio >= TARGET_RATIO

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
            "target_met": self.target_met,
        }


def bench(label: str, make: Callable[[], ConflictModel], days: int, repeat: int, seed: int):
    """Ours and the random walk on one theatre, taking turns so both see the same load."""
    model = make()
    units, civilians = model.units, model.civilians
    starts = [agent.cell.coordinate for agent in [*units, *civilians]]
    graph = model.grid.G
    make().run(min(days, WARM_UP_DAYS))  # warm up once, untimed
    RandomWalk(graph, starts, seed).run_for(min(days, WARM_UP_DAYS))
    ours, walk, counts = [], [], set()
    for _ in range(repeat):
        elapsed, agent_steps, unit_steps = run_ours(make, days)
        ours.append(elapsed)
        counts.add((agent_steps, unit_steps))
        walk.append(run_walk(graph, starts, days, seed))
    if len(counts) != 1:
        raise RuntimeError(f"runs of the same seed took different steps: {sorted(counts)}")
    agent_steps, unit_steps = counts.pop()
    return Result(
        theatre=label,
        places=graph.number_of_nodes(),
        roads=graph.number_of_edges(),
        units=len(units),
        civilian_groups=len(civilians),
        days=days,
        ours=Timing(ours, agent_steps, unit_steps),
        walk=Timing(walk, len(starts) * days, 0),
    )


# --- the command -----------------------------------------------------------------


def _table(results: list[Result], repeat: int) -> Table:
    table = Table(title=f"agent-steps per second, best of {repeat} (higher is faster)")
    table.add_column("")
    for r in results:
        table.add_column(r.theatre, justify="right")
    rows = [
        ("places (home + sanctuaries)", lambda r: f"{r.places:,}"),
        ("units + civilian groups", lambda r: f"{r.units:,} + {r.civilian_groups:,}"),
        ("days", lambda r: f"{r.days}"),
        ("ours: seconds of stepping", lambda r: f"{r.ours.best:.2f}"),
        ("ours: agent-steps/s", lambda r: f"{r.ours.agent_steps_per_s:,.0f}"),
        ("random walk: agent-steps/s", lambda r: f"{r.walk.agent_steps_per_s:,.0f}"),
        ("ratio ours / random walk", lambda r: f"{r.ratio:.2f}"),
        ("ours: unit-steps/s (units only)", lambda r: f"{r.ours.unit_steps_per_s:,.0f}"),
        ("ratio units-only / random walk", lambda r: f"{r.units_only_ratio:.3f}"),
        (
            "target: ours >= 1/3 random walk",
            lambda r: "[green]PASS[/]" if r.target_met else "[red]FAIL[/]",
        ),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(r) for r in results))
    return table


def _profile(make: Callable[[], ConflictModel], days: int, top: int, console: Console) -> None:
    model = make()
    profiler = cProfile.Profile()
    profiler.runcall(model.run, days)
    console.print(f"\ncProfile of ours on the large theatre, {days} days (top {top} by own time):")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="days of the default theatre")
    parser.add_argument("--large-days", type=int, default=30, help="days of the large theatre")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each; best is kept")
    parser.add_argument("--seed", type=int, default=42, help="seed of models and the theatre")
    parser.add_argument("--scenario", default="kachin", help="the default theatre")
    parser.add_argument("--places", type=int, default=1000, help="home places, large theatre")
    parser.add_argument("--units", type=int, default=2000, help="units, large theatre")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--profile", type=int, metavar="N", default=0, help="then cProfile the large theatre"
    )
    args = parser.parse_args(argv)
    if min(args.days, args.large_days, args.repeat) < 1:
        parser.error("--days, --large-days and --repeat must be 1 or more")

    console = Console()
    started = time.perf_counter()
    large = synthetic_theatre(args.places, args.units, args.seed)
    theatres = [
        (args.scenario, args.days, lambda: ConflictModel(args.scenario, rng=args.seed)),
        (
            f"synthetic {args.places:,}/{args.units:,}",
            args.large_days,
            lambda: ConflictModel(large, rng=args.seed),
        ),
    ]
    results = []
    for label, days, make in theatres:
        with console.status(f"timing {label}, {days} days x {args.repeat}"):
            results.append(bench(label, make, days, args.repeat, args.seed))
    elapsed = time.perf_counter() - started

    console.print(_table(results, args.repeat))
    console.print(
        "agent-step: one unit or civilian group alive at the start of a day, for that day "
        "(unit-step: units only). ours: every phase of ConflictModel.step. random walk: a "
        "mesa.Model with one CellAgent per unit and civilian group on the same graph, each "
        "moving to a random neighbour per step."
    )
    met = all(r.target_met for r in results)
    console.print(
        f"target ours >= 1/3 of the random walk's rate: {'PASS' if met else 'FAIL'}"
        f" ({', '.join(f'{r.theatre} {r.ratio:.2f}' for r in results)}); "
        f"benchmark took {elapsed:.1f} s"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "measure": "agent-steps per second: units and civilian groups alive at "
                    "the start of each day, summed over days, per second of stepping",
                    "target_ratio": TARGET_RATIO,
                    "target_met": met,
                    "seed": args.seed,
                    "repeat": args.repeat,
                    "seconds_total": elapsed,
                    "python": platform.python_version(),
                    "mesa": mesa.__version__,
                    "results": [r.as_dict() for r in results],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        console.print(f"figures written to {args.json}")
    if args.profile:
        _profile(theatres[1][2], args.large_days, args.profile, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
