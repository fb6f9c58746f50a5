"""The memory a closed page's session freed goes back to the system, not only to malloc.

Solara frees a closed page's session (its model, map, charts and widgets: none
is left once the cull timeout has run) and, since 1.59, collects their cycles a
second later; but glibc's malloc keeps the freed pages in the process for reuse:
after 30 viewer sessions were opened and freed, the server still held all it had
grown by (264 MiB at start, 658 at the peak and 658 after; benchmarks/load.py).
`malloc_trim` hands the free pages back (with 2 arenas, `wargame.cli`: 404 MiB
after). Each closing session asks for one trim `TRIM_DELAY` later, after
Solara's collection; closes in a burst (a class leaving) share a single trim,
`TRIM_DELAY` after the last. (Solara 1.58 left the cycles to Python's rare full
collection, and the same trim gave back 27 MiB instead of 190.) Where the C
library has no `malloc_trim` (macOS, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable

import solara

TRIM_DELAY = 5.0
"""Seconds from a session's close to the trim: Solara collects the session's cycles
after 1 s, and a burst of closes should end first."""


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_trim = _malloc_trim()
_lock = threading.Lock()
_pending: threading.Timer | None = None


def trim_soon() -> None:
    """Trim `TRIM_DELAY` from now, instead of at a trim already waiting."""
    global _pending
    if _trim is None:
        return
    with _lock:
        if _pending is not None:
            _pending.cancel()
        _pending = threading.Timer(TRIM_DELAY, _trim, args=(0,))
        _pending.daemon = True
        # Solara ties a thread to the session it was started in, which would keep the
        # closing session alive until the trim; this one belongs to no session
        _pending.current_context = None
        _pending.start()


def give_back_memory_when_sessions_close() -> None:
    """Call at the top of a Solara app's module: every session of the app, once closed,
    has its freed memory handed back to the system."""
    solara.lab.on_kernel_start(lambda: trim_soon)
