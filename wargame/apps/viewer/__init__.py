"""The browser viewer (Solara): `Viewer(model)` in a notebook, or `wargame serve`.

from wargame import build_model
from wargame.apps.viewer import Viewer

model = build_model("kachin", seed=7)
Viewer(model)  # the last line of a Jupyter cell shows it; Step advances `model`
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.apps.viewer.app import Viewer

__all__ = ["SCENARIO_ENV", "THEATRES_ENV", "Viewer"]

SCENARIO_ENV = "WARGAME_SCENARIO"
"""`wargame serve --scenario PATH` names the theatre the page opens first through this."""

THEATRES_ENV = "WARGAME_THEATRES"
"""`wargame serve --theatres DIR`: the only folder (with the one given by --scenario) whose
theatre folders a page may open; the server's working folder when unset."""


def __getattr__(name: str) -> object:
    """`Viewer` on first use: the CLI reads the settings above without importing Solara."""
    if name == "Viewer":
        from wargame.apps.viewer.app import Viewer

        return Viewer
    raise AttributeError(f"module 'wargame.apps.viewer' has no attribute {name!r}")
