"""Every benchmark in one command, each writing its figures as JSON into one folder.

    python benchmarks/suite.py                 # or: make bench
    python benchmarks/suite.py --quick         # smaller sizes, for a first look
    python benchmarks/suite.py --out figures/  # where the JSON goes (benchmarks/results/)

In order: the commands' start-up (`startup.py`: CPU of `wargame --version`,
`--help` and `scenarios` beyond a bare Python's), the model (`run.py`: the
default theatre and generated large ones against a Mesa random walk, with peak
memory), a 200-run sweep of the default
theatre with 1 and 2 jobs (`batch.py`), `import-map` on a 200,000-place
spreadsheet (`import_map.py`), and the viewer in Chromium on the
default theatre and on a generated 1,000-place theatre (`viewer.py`). Each
prints its own table and PASS/FAIL lines; this command stops at the first
benchmark that cannot run (exit 1) and otherwise exits 0, met targets or not.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


WARGAME = str(Path(sys.executable).parent / "wargame")


def step(name: str, *command: str) -> None:
    print(f"\n=== {name} ===", flush=True)
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        sys.exit(f"benchmark {name!r} failed with exit status {result.returncode}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for the JSON")
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    quick = args.quick
    model = ["--sizes", "1000", "--large-days", "30"] if quick else []
    sweep = ["--runs", "20"] if quick else []
    steps = ["--steps", "20"] if quick else []
    python = sys.executable
    repeat = ["--repeat", "3"] if quick else []
    startup = ["--json", str(args.out / "startup.json")]
    step("start-up", python, str(HERE / "startup.py"), *repeat, *startup)
    step("model", python, str(HERE / "run.py"), *model, "--json", str(args.out / "model.json"))
    step("sweep", python, str(HERE / "batch.py"), *sweep, "--json", str(args.out / "sweep.json"))
    sheet = ["--places", "20000"] if quick else []
    step(
        "import-map",
        python,
        str(HERE / "import_map.py"),
        *sheet,
        "--json",
        str(args.out / "import-map.json"),
    )
    step("viewer", python, str(HERE / "viewer.py"), *steps, "--json", str(args.out / "viewer.json"))
    with tempfile.TemporaryDirectory() as folder:
        large = Path(folder) / "generated-1000"
        step("generate", WARGAME, "generate", str(large), "--places", "1000")
        step(
            "viewer, 1,000 places",
            python,
            str(HERE / "viewer.py"),
            *(steps or ["--steps", "40"]),
            "--scenario",
            str(large),
            "--target-ms",
            "1000",
            "--json",
            str(args.out / "viewer-1000.json"),
        )
    print(f"\nfigures written to {args.out}/")


if __name__ == "__main__":
    main()
