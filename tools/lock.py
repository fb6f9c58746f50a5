"""Write pylock.toml: the exact version and hashes of every library wargame and its dev
tools need, resolved from pyproject.toml on the package index (`make lock`).

The project itself is left out (a directory cannot be hashed, and pip then refuses the
whole file), so an install is `pip install -r pylock.toml` and then wargame without its
dependencies. The machine's own package mirrors are ignored, so every URL in the lock is
the public index's. `python tools/lock.py --fits` exits 0 when this Python can install it.
"""

import platform
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = "https://pypi.org/simple"


def requirements() -> list[str]:
    """pyproject's dependencies and its dev extra, as written there."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def fits(lock: Path = ROOT / "pylock.toml") -> bool:
    """Whether this Python can install the lock's wheels: pip lock picks each package's
    wheel for the machine that made it (CPython 3.12, x86-64 Linux, a glibc new enough
    for its newest manylinux tag)."""
    libc, libc_version = platform.libc_ver()
    if sys.version_info[:2] != (3, 12) or platform.machine() != "x86_64" or libc != "glibc":
        return False
    tags = re.findall(r"manylinux_(\d+)_(\d+)", lock.read_text(encoding="utf-8"))
    needed = max(((int(a), int(b)) for a, b in tags), default=(2, 17))
    return tuple(int(part) for part in libc_version.split(".")[:2]) >= needed


def main() -> int:
    if sys.argv[1:] == ["--fits"]:
        return 0 if fits() else 1
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder) / "requirements.txt"
        listed.write_text("\n".join(requirements()) + "\n", encoding="utf-8")
        command = [sys.executable, "-m", "pip", "lock", "--isolated", "--quiet"]
        command += ["--index-url", INDEX, "-r", str(listed), "-o", str(ROOT / "pylock.toml")]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
