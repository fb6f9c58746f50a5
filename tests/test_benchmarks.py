"""The model benchmark runs end to end at a tiny size and reports every figure it promises.

Its speed is not checked here (speed is measured by `make bench`, not in tests);
what is checked is that the command works and that its counts are right.
"""

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_the_model_benchmark_reports_rates_memory_and_targets(tmp_path):
    out = tmp_path / "model.json"
    args = ["--days", "3", "--repeat", "2", "--sizes", "40,80", "--large-days", "3"]
    args += ["--large-repeat", "1", "--json", str(out)]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert len(figures["default"]["ours"]["seconds"]) == 2
    for run in figures["large"]:
        assert run["civilian_groups"] == 10 * (run["units"] // 2)
        # the walk moves every unit and civilian group every day
        assert run["random_walk"]["agent_steps"] == (run["units"] + run["civilian_groups"]) * 3
        assert run["peak_mib"] >= run["base_mib"] > 0
    assert {t["target"].split(":")[0] for t in figures["targets"]} >= {
        "default theatre",
        "generated 40",
        "generated 80",
    }


def test_the_startup_benchmark_times_each_command_against_a_bare_python(tmp_path):
    out = tmp_path / "startup.json"
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "startup.py"), "--repeat", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert set(figures["commands"]) == {"--version", "--help", "scenarios", "run --help"}
    for command in figures["commands"].values():  # each imports more than a bare python
        assert command["seconds"] > figures["python_seconds"] > 0
    assert result.stdout.count("PASS") + result.stdout.count("FAIL") == 3
