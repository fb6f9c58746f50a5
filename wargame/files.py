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
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A temporary path to write to; it becomes `path` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
