"""A classroom page's refresh thread: it shows what other teams did, and ends with its session.

A browser test (test_closed_tabs) sees a closed page's session freed; how many
threads the server runs says little there, since its web server keeps pools of
worker threads that come and go. Here the page runs in a session of its own,
so the thread is the page's and no other.
"""

from __future__ import annotations

import threading
import time

import pytest
import solara
from solara.server import kernel_context
from viewer_page import wait_until

from wargame.apps.classroom import app
from wargame.apps.classroom.game import GameSetup
from wargame.apps.classroom.rooms import Classroom
from wargame.apps.classroom.team import TurnOrders

pytestmark = pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
SETUP = GameSetup(theatre="kachin", seed=3, humans=["kia", "tatmadaw"], turns=4)


@pytest.fixture
def room(tmp_path, monkeypatch) -> tuple[Classroom, str]:
    rooms = Classroom(tmp_path / "classroom.sqlite")
    code, _ = rooms.create_room(SETUP)
    monkeypatch.setattr(app, "_classroom", rooms)
    monkeypatch.setattr(app, "REFRESH_SECONDS", 0.05)
    return rooms, code


def open_page(
    code: str,
) -> tuple[kernel_context.VirtualKernelContext, list[int], list[threading.Thread]]:
    """A session showing a page that counts its refreshes, as the server would hold it, and
    the threads the page started (here, with no web server, the page's and no other)."""
    ticks: list[int] = []
    before = set(threading.enumerate())

    @solara.component
    def Page():
        ticks.append(app.use_refresh(lambda: code))
        return solara.Text("room")

    session = kernel_context.create_dummy_context()
    with session:
        _, session.app_object = solara.render(Page(), handle_error=False)
    return session, ticks, [t for t in threading.enumerate() if t not in before]


def test_a_page_refreshes_when_another_team_sends_its_orders(room):
    rooms, code = room
    session, ticks, threads = open_page(code)
    try:
        assert len(threads) == 1
        time.sleep(0.3)  # several polls with nothing new: no refresh
        assert ticks[-1] == 0
        seat = rooms.join(code, "north", "kia")
        rooms.submit(seat.token, TurnOrders())
        assert wait_until(lambda: ticks[-1] == 1)
    finally:
        session.close()


def test_a_freed_pages_refresh_thread_ends_at_once(room):
    _, code = room
    session, _, threads = open_page(code)
    [thread] = threads  # the page's refresh
    session.close()  # what Solara does when the cull timeout frees a closed tab's session
    thread.join(timeout=2)
    assert not thread.is_alive()
