"""Writing result files whole or not at all.

Why: a run, an import or a picture interrupted half-way must never leave a
half-written file that looks finished. Each file is written under a hidden
temporary name beside its final place and renamed into it (atomic on one file
system). The temporary file is opened by name, not with `mkstemp`, whose 0600
mode would leave the result readable by its maker alone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

StrPath = str | os.PathLike[str]
"""A path as a caller may give it, as text or as a `Path`: a public function takes either and
makes it a `Path` on entry."""


@contextlib.contextmanager
def written_whole(path: StrPath) -> Iterator[Path]:
    """A temporary path to write to; it becomes `path` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def unwritable(path: StrPath, folder: bool = False) -> str:
    """Why `path` cannot be written as a file (or, with `folder`, a folder of files); "" if it can.

    Asked before a long run, so that a folder given for a file or a read-only place
    fails at once instead of after the run. It tries what `written_whole` will do:
    make a file in the nearest folder that exists (an unnamed one, gone when closed).
    """
    path = Path(path)
    if path.is_dir() and not folder:
        return "is a folder; expected a file name"
    if path.exists() and not path.is_dir() and folder:
        return "is a file; expected a folder"
    place = path if folder else path.parent
    while not place.exists():  # the folders that writing it would make
        place = place.parent
    if not place.is_dir():
        return f"{place} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=place):
            pass
    except OSError as error:
        return f"cannot write in {place}: {error.strerror or error}"
    return ""
