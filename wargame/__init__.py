"""wargame: an agent-based conflict wargame on a network of towns and roads."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wargame")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"

from wargame.engine.model import ConflictModel, build_model

__all__ = ["ConflictModel", "__version__", "build_model"]
