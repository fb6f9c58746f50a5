"""wargame: an agent-based conflict wargame on a network of towns and roads."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
"""The one place the version is written: the build reads it from here (pyproject.toml's
`[tool.hatch.version]`), so no command pays for `importlib.metadata` to print it."""

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel, build_model

__all__ = ["ConflictModel", "__version__", "build_model"]


def __getattr__(name: str) -> object:
    """The model on first use: a command that never builds one (`--version`, `--help`)
    does not pay for importing Mesa, SciPy and pandas."""
    if name in ("ConflictModel", "build_model"):
        from wargame.engine import model

        return getattr(model, name)
    raise AttributeError(f"module 'wargame' has no attribute {name!r}")
