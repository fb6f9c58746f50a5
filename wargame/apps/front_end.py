"""The pages' front end served read-only from the package (`wargame/_assets/cdn`).

Solara's asset proxy is a cache it may write: asked for a folder, it deletes the folder
(an old cache layout) and fetches it again. Pointed at the package, any page could
delete the front end every other page needs, and each file it lacks held a server thread
for 7 s of retries. Here a path is a file under the folder or a 404 at once.
"""

from __future__ import annotations

import os
from pathlib import Path


def front_end_file(folder: str | os.PathLike, path: str) -> Path:
    """The file `path` names under `folder`; FileNotFoundError for anything else (a folder,
    a missing file, a path that climbs out)."""
    base = Path(folder).resolve()
    parts = path.replace("\\", "/").split("/")
    wanted = (base / path / "__main.js") if len(parts) == 1 else base / path  # Solara's layout
    found = wanted.resolve()
    if not found.is_relative_to(base) or not found.is_file():
        raise FileNotFoundError(path)
    return found


def serve_front_end_read_only() -> None:
    """Make the Solara server's asset route read files only, never write or delete."""
    from solara.server import starlette

    starlette.get_path = front_end_file
