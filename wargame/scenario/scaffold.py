"""A minimal theatre to start from: `wargame new-theatre NAME`.

Why: a blank page is the hardest part of building a theatre. The scaffold is
the smallest folder that uses every kind of file (set-up, map, two factions)
and every feature a border war needs (two towns, roads, a border crossing
with a sanctuary across it), runs as it is, and says in comments what each
key is for, so a builder edits a working theatre instead of guessing a format.
The files are templates kept beside this module (`templates/`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from string import Template

from wargame.files import StrPath
from wargame.scenario.paths import SETUP_FILE
from wargame.scenario.writer import staged_folder

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_START = dt.date(2025, 1, 1)


def default_title(folder: StrPath) -> str:
    """'my_island' -> 'My island': a readable title until the builder writes a real one."""
    words = Path(folder).name.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() or "A new theatre"


def new_theatre(folder: StrPath, title: str | None = None, start: dt.date = DEFAULT_START) -> Path:
    """Write the scaffold into the new folder `folder`; returns its set-up file.

    Raises FileExistsError when `folder` exists and is not empty, and
    ValueError for a title TOML cannot hold on one line.
    """
    folder = Path(folder)
    title = default_title(folder) if title is None else title.strip()
    if not title or any(c in title for c in '"\\\n\r'):
        raise ValueError(f"title {title!r}: expected one line without quotes or backslashes")
    with staged_folder(folder) as staging:
        shutil.copytree(TEMPLATES, staging, dirs_exist_ok=True)
        setup = staging / SETUP_FILE
        text = Template(setup.read_text(encoding="utf-8")).substitute(
            title=title, folder=folder.as_posix(), start_date=start.isoformat()
        )
        setup.write_text(text, encoding="utf-8")
    return folder / SETUP_FILE
