"""The model benchmark runs end to end at a tiny size and reports every figure it promises.

Its speed is not checked here (speed is measured by `make bench`, not in tests);
what is checked is that the command works and that its counts are right.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def benchmark(script: str, *args: str) -> subprocess.CompletedProcess:
    """One benchmark script run as a user runs it; it must exit 0."""
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_model_benchmark_reports_rates_memory_and_targets(tmp_path):
    out = tmp_path / "model.json"
    args = ["--days", "3", "--repeat", "2", "--sizes", "40,80", "--large-days", "3"]
    args += ["--large-repeat", "1", "--json", str(out)]
    benchmark("run.py", *args)
    figures = json.loads(out.read_text())
    assert len(figures["default"]["ours"]["seconds"]) == 2
    for run in figures["large"]:
        assert run["civilian_groups"] == 10 * (run["units"] // 2)
        # the walk moves every unit and civilian group every day
        assert run["random_walk"]["agent_steps"] == (run["units"] + run["civilian_groups"]) * 3
        assert run["peak_mib"] >= run["base_mib"] > 0
    # issue 24's fixed yardstick: 2,000 walkers for as many days as the default run
    reference = figures["default"]["reference_walk"]
    assert len(reference["seconds"]) == 2
    assert reference["agent_steps"] == 2000 * 3
    assert figures["default"]["reference_speedup"] == pytest.approx(
        reference["median_cpu_seconds"] / figures["default"]["ours"]["median_cpu_seconds"]
    )
    assert all(run["reference_walk"] is None for run in figures["large"])
    targets = {(t["issue"], t["target"].split(":")[0]) for t in figures["targets"]}
    assert targets == {
        (issue, theatre)
        for issue in (8, 24)
        for theatre in ("default theatre", "generated 40", "generated 80")
    }  # no memory target: neither size is the 5,000- or the 50,000-place theatre


def test_the_startup_benchmark_times_each_command_against_a_bare_python(tmp_path):
    out = tmp_path / "startup.json"
    result = benchmark("startup.py", "--repeat", "1", "--json", str(out))
    figures = json.loads(out.read_text())
    assert set(figures["commands"]) == {"--version", "--help", "scenarios", "run --help"}
    for command in figures["commands"].values():  # each imports more than a bare python
        assert command["seconds"] > figures["python_seconds"] > 0
    assert result.stdout.count("PASS") + result.stdout.count("FAIL") == 3


def test_the_batch_benchmark_projects_a_thousand_runs_from_its_rate(tmp_path):
    out = tmp_path / "batch.json"
    args = ["--runs", "2", "--days", "2", "--json", str(out)]
    result = benchmark("batch.py", *args)
    figures = json.loads(out.read_text())
    assert figures["identical_rows"] is True
    assert figures["thousand_runs_seconds"] == pytest.approx(figures["jobs_2_seconds"] * 500)
    assert "projected from 2 runs" in result.stdout
    assert "n/a (runs of 2 days, the target is of 270)" in result.stdout
    # judged: the speed-up alone; 1,000 two-day runs say nothing of 270-day ones
    assert result.stdout.count("PASS") + result.stdout.count("FAIL") == 1
