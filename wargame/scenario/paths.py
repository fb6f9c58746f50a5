"""Where the bundled theatres and factions live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """The folder holding `agents/`, `maps/` and `experiments/`.

    A wheel carries them inside the package (`wargame/_data`); a checkout or an
    editable install reads them from the repository's top level.
    """
    bundled = _PACKAGE / "_data"
    return bundled if (bundled / "maps").is_dir() else _PACKAGE.parent


def maps_dir() -> Path:
    return data_root() / "maps"


def agents_dir() -> Path:
    return data_root() / "agents"


SETUP_FILE = "setup.toml"


def bundled_scenarios() -> list[str]:
    """Names of the theatres that ship: every `maps/<name>/setup.toml`."""
    root = maps_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / SETUP_FILE).is_file())


def resolve_scenario(scenario: str | Path) -> Path:
    """The set-up file of a bundled theatre name, a theatre folder or a set-up path.

    Raises FileNotFoundError naming the shipped theatres when nothing matches.
    """
    candidate = Path(scenario)
    if candidate.is_file():
        return candidate
    if (candidate / SETUP_FILE).is_file():
        return candidate / SETUP_FILE
    if isinstance(scenario, str) and (maps_dir() / scenario / SETUP_FILE).is_file():
        return maps_dir() / scenario / SETUP_FILE
    shipped = ", ".join(bundled_scenarios()) or "none"
    raise FileNotFoundError(
        f"not a theatre: expected a shipped theatre's name ({shipped}) "
        f"or a folder holding {SETUP_FILE}"
    )
