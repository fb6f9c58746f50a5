"""The browser's half of the Solara pages, kept in the package so no page needs the internet.

Solara's page loads its front end (Vue 2, Vuetify 2 and the widget manager in one
bundle, its styles and fonts), RequireJS and Font Awesome through the Solara
server's asset proxy, which would fetch them from a CDN; the charts load ECharts
the same way. `CDN` holds those files laid out as the CDN does
(`<npm package>@<version>/<path>`) and `wargame serve` points the proxy at it.
They are unpacked from the npm packages pinned in `front_end.toml` by
`python -m wargame._assets.fetch` and committed, so a clone, an editable install
and a wheel have them with no step of their own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
CDN = HERE / "cdn"
PINS = HERE / "front_end.toml"


@dataclass(frozen=True)
class Pin:
    """One npm package as `front_end.toml` pins it."""

    name: str
    version: str
    integrity: str
    files: tuple[str, ...]
    notices: tuple[str, ...]

    @property
    def folder(self) -> Path:
        """Where its files are served from: the CDN's `<package>@<version>`."""
        return CDN / f"{self.name}@{self.version}"


def pins() -> list[Pin]:
    with PINS.open("rb") as handle:
        packages = tomllib.load(handle)["packages"]
    return [
        Pin(name, p["version"], p["integrity"], tuple(p["files"]), tuple(p.get("notices", ())))
        for name, p in packages.items()
    ]
