"""What a run's result depends on besides its inputs: Python, wargame's own code, the
libraries it runs on. A batch records it, and refuses cluster workers that differ.

Two installs of the same version can hold different code (an editable checkout
moves on), so wargame's own modules are compared by digest, not only by version.
"""

from __future__ import annotations

import hashlib
import platform
from functools import cache
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

from packaging.requirements import Requirement

from wargame import __version__

DISTRIBUTION = "wargame-abm"
_PACKAGE = Path(__file__).resolve().parent.parent


def environment() -> dict[str, str]:
    """Python's version (major.minor: a patch release does not change a run), wargame's
    version and code digest, and the version of each library wargame depends on (its
    runtime dependencies, not the dev tools). Read afresh: the code may have been edited
    since the last batch of this process (a notebook)."""
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        DISTRIBUTION: __version__,  # the code's own, as the batch records it
        "wargame code": code_digest(),
        **{name: _version(name) for name in runtime_dependencies()},
    }


@cache
def worker_environment() -> dict[str, str]:
    """This worker process's environment, read once: a worker runs many runs."""
    return environment()


def runtime_dependencies() -> list[str]:
    """The names of the distribution's own dependencies, sorted; none when run from a
    checkout that was never installed."""
    try:
        declared = requires(DISTRIBUTION) or []
    except PackageNotFoundError:
        return []
    requirements = [Requirement(line) for line in declared]
    return sorted(
        {r.name.lower() for r in requirements if r.marker is None or "extra" not in str(r.marker)}
    )


def code_digest() -> str:
    """The sha256 of every module of the `wargame` package, by path, in a stable order."""
    digest = hashlib.sha256()
    for module in sorted(_PACKAGE.rglob("*.py")):
        digest.update(module.relative_to(_PACKAGE).as_posix().encode())
        digest.update(b"\0")
        digest.update(module.read_bytes())
    return digest.hexdigest()


def differences(mine: dict[str, str], theirs: dict[str, str]) -> list[str]:
    """Each entry that differs, as "name: mine here, theirs there"."""
    return [
        f"{name} {mine.get(name, 'absent')} here, {theirs.get(name, 'absent')} there"
        for name in sorted(set(mine) | set(theirs))
        if mine.get(name) != theirs.get(name)
    ]


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"
