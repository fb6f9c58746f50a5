"""How long a command takes to start: CPU of `wargame` commands beyond a bare Python's.

    python benchmarks/startup.py                   # or: make bench
    python benchmarks/startup.py --repeat 3 --json startup.json

Each command runs `--repeat` times (7) in a fresh process, as a user types it;
the CPU it used (user + system, from the operating system's account of the
child) is kept at its best, so that a busy moment on a shared machine does not
count. The reference is `python -c pass` with the same interpreter, measured
the same way. Target (issue 24): `--version`, `--help` and `scenarios` within
0.25 s of CPU of the bare Python. Prints PASS or FAIL per command and exits 0
either way: it is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

WARGAME = str(Path(sys.executable).parent / "wargame")
COMMANDS = (["--version"], ["--help"], ["scenarios"], ["run", "--help"])
TARGET = {"--version": 0.25, "--help": 0.25, "scenarios": 0.25}
"""Seconds of CPU beyond a bare Python's that a command may take to start."""


def best_cpu(command: list[str], repeat: int) -> float:
    """The least CPU (user + system seconds) any of `repeat` runs of `command` took."""
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, used)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command (7)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    bare = best_cpu([sys.executable, "-c", "pass"], args.repeat)
    table = Table(title=f"CPU to start, best of {args.repeat}")
    for column in ("command", "CPU s", "beyond python -c pass"):
        table.add_column(column, justify="right" if column != "command" else "left")
    table.add_row("python -c pass", f"{bare:.3f}", "")
    figures: dict[str, object] = {"repeat": args.repeat, "python_seconds": bare, "commands": {}}
    verdicts = []
    for command in COMMANDS:
        name = " ".join(command)
        seconds = best_cpu([WARGAME, *command], args.repeat)
        beyond = seconds - bare
        table.add_row(f"wargame {name}", f"{seconds:.3f}", f"{beyond:+.3f}")
        figures["commands"][name] = {"seconds": seconds, "beyond_python": beyond}
        if name in TARGET:
            met = beyond <= TARGET[name]
            verdicts.append(
                f"{'PASS' if met else 'FAIL'}  wargame {name}: within {TARGET[name]} s of CPU "
                f"of a bare python: {beyond:+.3f} s"
            )
    console = Console()
    console.print(table)
    for line in verdicts:
        console.print(line, highlight=False)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
