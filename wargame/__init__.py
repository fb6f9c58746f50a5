"""wargame: an agent-based conflict wargame on a network of towns and roads."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

try:
    __version__ = version("wargame-abm")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"

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
