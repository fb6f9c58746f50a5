"""The load benchmark, run small: many pages at once, each session and room on its own."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LOAD = Path(__file__).parent.parent / "benchmarks" / "load.py"


def test_viewer_sessions_and_classroom_rooms_under_load_stay_apart_without_errors(tmp_path):
    out = tmp_path / "load.json"
    command = [sys.executable, str(LOAD), "--sessions", "4", "--rooms", "2", "--players", "4"]
    result = subprocess.run([*command, "--json", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["viewer"]["pages"] == 4 and figures["viewer"]["errors"] == []
    assert figures["classroom"]["pages"] == 8 and figures["classroom"]["errors"] == []
    assert figures["viewer"]["step_ms_median"] > 0 and figures["viewer"]["server_peak_mib"] > 0
