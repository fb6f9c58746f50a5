"""What a page may open: the one check the viewer and the classroom make on the server.

Pages are open to whoever reaches the server, and anything they send (a
drop-down's value, a typed folder, an uploaded game record, a room stored by an
older server) may name any path. A server opens the shipped theatres and
exercises, and theatre folders inside its theatre roots (`--theatres`, else the
folder it was started in, and the `--scenario` folder); it refuses anything
else before reading it, so the refusal says nothing about the files outside.
"""

from __future__ import annotations

import os
from pathlib import Path

from wargame.apps.viewer import SCENARIO_ENV, THEATRES_ENV
from wargame.scenario import bundled_scenarios
from wargame.scenario.paths import SETUP_FILE


def theatre_roots() -> list[Path]:
    """Folders whose theatre folders a page may open: --theatres (or the working folder),
    and the folder `wargame serve --scenario` was given."""
    roots = [Path(os.environ.get(THEATRES_ENV) or os.getcwd()).resolve()]
    own = os.environ.get(SCENARIO_ENV)
    if own and Path(own).is_dir():
        roots.append(Path(own).resolve())
    return roots


def _inside_roots(path: Path, roots: list[Path]) -> bool:
    """Whether `path`, links followed, lies in one of `roots`."""
    try:
        resolved = path.expanduser().resolve()
    except (OSError, RuntimeError, ValueError):  # a null byte, a loop of links, a name too long
        return False
    return any(resolved.is_relative_to(root) for root in roots)


def refusal(scenario: str) -> str:
    """Why a page may not open `scenario` ("" when it may).

    A folder is checked with its links followed, and so are the files the
    loader reads from it by name (the set-up and `agents/*.toml`; the map is
    kept in the folder by the loader itself): a link out of the theatre roots
    is refused like the path it points to.
    """
    from wargame.scenario.exercises import PREFIX, shipped_exercises

    if scenario in bundled_scenarios():
        return ""
    if scenario.startswith(PREFIX):
        if scenario.removeprefix(PREFIX) in shipped_exercises():
            return ""
        return f"No shipped exercise is called {scenario.removeprefix(PREFIX)!r}."
    roots = theatre_roots()
    if not _inside_roots(Path(scenario), roots):
        return (
            f"This server opens theatre folders inside {roots[0]} only; "
            "start it with --theatres FOLDER to open others."
        )
    folder = Path(scenario).expanduser()
    if not folder.is_dir():
        return f"{scenario}: no such folder; expected a theatre folder holding {SETUP_FILE}."
    for named in (folder / SETUP_FILE, *sorted(folder.glob("agents/*.toml"))):
        if named.exists() and not _inside_roots(named, roots):
            return (
                f"{scenario}: {named.relative_to(folder)} links outside the theatre folders "
                "this server opens; expected the file itself."
            )
    return ""


def served_theatres() -> dict[str, str]:
    """Every theatre a page may start, by the name a drop-down shows: the shipped ones, then
    the theatre folders in the theatre roots (a root that is one itself included)."""
    served = {name: name for name in bundled_scenarios()}
    for root in theatre_roots():
        try:
            folders = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
        except OSError:
            continue
        for folder in folders:
            if (folder / SETUP_FILE).is_file() and not refusal(str(folder)):
                label = f"{folder.name} (theatre folder)"
                served.setdefault(label, str(folder))
    return served
