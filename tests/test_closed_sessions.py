"""A class leaving: the sessions' freed memory is handed back to the system once, after them."""

from __future__ import annotations

import threading
import time

from wargame.apps import closed_sessions


def test_closes_in_a_burst_share_one_trim_after_the_last(monkeypatch):
    trims = []
    monkeypatch.setattr(closed_sessions, "_trim", trims.append)
    monkeypatch.setattr(closed_sessions, "TRIM_DELAY", 0.3)
    for _ in range(5):
        closed_sessions.trim_soon()
        time.sleep(0.05)
    assert trims == []  # the burst is still going on
    time.sleep(0.6)
    assert trims == [0]  # malloc_trim(0): every arena, keep no padding


def test_the_trim_waits_in_no_session_and_does_not_keep_the_server_up(monkeypatch):
    monkeypatch.setattr(closed_sessions, "_trim", lambda pad: 0)
    monkeypatch.setattr(closed_sessions, "TRIM_DELAY", 0.2)
    closed_sessions.trim_soon()
    (timer,) = [t for t in threading.enumerate() if t is closed_sessions._pending]
    assert timer.daemon and timer.current_context is None
    timer.join(1)


def test_without_malloc_trim_nothing_waits(monkeypatch):
    monkeypatch.setattr(closed_sessions, "_trim", None)
    monkeypatch.setattr(closed_sessions, "_pending", None)
    closed_sessions.trim_soon()
    assert closed_sessions._pending is None


def test_this_machines_c_library_has_malloc_trim():
    # Linux with glibc, as the classroom servers run; elsewhere the trim is skipped
    import platform

    if platform.libc_ver()[0] == "glibc":
        assert closed_sessions._trim is not None
