"""How much memory and time `wargame import-map` takes on a large spreadsheet.

    python benchmarks/import_map.py                    # 200,000 places, about 400,000 roads
    python benchmarks/import_map.py --places 20000 --json out.json

Writes a places CSV (a grid of towns, mines and bases, every row filled in,
with a long `source` note as real spreadsheets have) and a roads CSV joining
each place to its neighbours east and south, so the network is connected;
then runs `wargame import-map` on them in a child process and reports the
input size, the wall time and the child's peak resident memory
(`ru_maxrss` of the finished child). Issue 17: a 200 MB spreadsheet grew to
5.4 GB. The target is a peak well under ten times the input (read as 10x);
the command prints PASS or FAIL and exits 0 either way: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARGAME = str(Path(sys.executable).parent / "wargame")
TARGET_PEAK_PER_INPUT = 10.0  # peak resident memory over input size on disk
KINDS = ("town", "town", "town", "mine", "base")
ROAD_KINDS = ("road", "track", "highway")
SPACING_DEGREES = 0.01
NOTE = "generated for the import-map benchmark; figures made up; " * 2


def write_spreadsheets(folder: Path, places: int) -> tuple[Path, Path]:
    """`places` places on a grid of roughly square shape, and the roads between neighbours."""
    columns = math.ceil(math.sqrt(places))
    place_csv, road_csv = folder / "places.csv", folder / "roads.csv"
    with place_csv.open("w", encoding="utf-8") as out:
        out.write("id,name,kind,country,lon,lat,population,mine_sites,mineral,source\n")
        for n in range(places):
            row, column = divmod(n, columns)
            kind = KINDS[n % len(KINDS)]
            sites = 3 if kind == "mine" else ""
            mineral = "jade" if kind == "mine" else ""
            lon, lat = -170 + column * SPACING_DEGREES, -60 + row * SPACING_DEGREES
            out.write(
                f"p{n},Place {n},{kind},XA,{lon:.4f},{lat:.4f},{1000 + n % 5000},"
                f"{sites},{mineral},{NOTE}\n"
            )
    with road_csv.open("w", encoding="utf-8") as out:
        out.write("from,to,kind,source\n")
        for n in range(places):
            row, column = divmod(n, columns)
            for other in (n + 1 if column + 1 < columns else places, n + columns):
                if other < places:
                    out.write(f"p{n},p{other},{ROAD_KINDS[n % 3]},{NOTE}\n")
    return place_csv, road_csv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=200_000, help="places (200,000)")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        inputs = write_spreadsheets(folder, args.places)
        size_mib = sum(p.stat().st_size for p in inputs) / 2**20
        started = time.monotonic()
        done = subprocess.run(
            [WARGAME, "import-map", *map(str, inputs), "--out", str(folder / "map.geojson")],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {
        "places": args.places,
        "input_mib": round(size_mib, 1),
        "seconds": round(seconds, 1),
        "peak_mib": round(peak_mib, 1),
        "exit": done.returncode,
        "output": (done.stdout or done.stderr).strip()[:300],
    }
    print(json.dumps(figures, indent=2))
    ratio = peak_mib / size_mib
    verdict = "PASS" if ratio <= TARGET_PEAK_PER_INPUT and done.returncode == 0 else "FAIL"
    print(f"{verdict}: peak {peak_mib:,.0f} MiB for {size_mib:,.0f} MiB of input ({ratio:.1f}x)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
