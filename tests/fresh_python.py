"""Run a script in a fresh interpreter: what a command or an import loads is seen only in a
process that has loaded nothing before it."""

from __future__ import annotations

import subprocess
import sys


def fresh_python(script: str, timeout: float = 120) -> str:
    """The script's standard output; it must exit 0 (else its standard error is shown)."""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
