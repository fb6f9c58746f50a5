"""A non-editable install from the wheel finds the bundled theatres and factions."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_ships_the_theatres_and_runs_them_outside_the_checkout(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", tmp_path],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("wargame-*.whl"))
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", fresh], check=True)
    subprocess.run(
        [fresh / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel],
        check=True,
        capture_output=True,
    )
    # The fresh venv borrows this environment's dependencies but not its editable
    # wargame: a PYTHONPATH entry is searched without running its .pth files.
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    where = tmp_path / "elsewhere"
    where.mkdir()
    probe = subprocess.run(
        [fresh / "bin" / "python", "-c", "import wargame; print(wargame.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=where,
        env=env,
    )
    assert probe.stdout.strip().startswith(str(fresh))
    run = subprocess.run(
        [fresh / "bin" / "wargame", "run", "--scenario", "kachin", "--days", "3", "--json"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["scenario"] == "kachin"
    listed = subprocess.run(
        [fresh / "bin" / "wargame", "scenarios"], capture_output=True, text=True, cwd=where, env=env
    )
    assert "kachin" in listed.stdout
    # the viewer's chart template and the shipped experiments travel in the wheel too
    probe = subprocess.run(
        [
            fresh / "bin" / "python",
            "-c",
            "from wargame.analysis.experiments import shipped_experiments, load_experiment;"
            "import wargame.apps.viewer, pathlib;"
            "print(shipped_experiments(), load_experiment('china_pressure').id,"
            " (pathlib.Path(wargame.apps.viewer.__file__).parent / 'chart.vue').is_file())",
        ],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    assert "'china_pressure', 'historical'" in probe.stdout and probe.stdout.endswith("True\n")
    # the new-theatre scaffold's templates travel too: a scaffold made from the wheel runs
    made = subprocess.run(
        [fresh / "bin" / "wargame", "new-theatre", "mine"], capture_output=True, text=True,
        cwd=where, env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    ran = subprocess.run(
        [fresh / "bin" / "wargame", "run", "--scenario", "mine", "--days", "5", "--json"],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
    )
    assert ran.returncode == 0, ran.stderr
    assert "tamsen_island" in listed.stdout
