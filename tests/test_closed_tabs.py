"""A tab that goes away: its play stops at once, and its session is freed after a while.

A tab can vanish without saying goodbye (a crash, a laptop lid, a lost
network): Playwright's `page.close()` closes it without the unload beacon, so
the server sees only the connection drop. Solara keeps the session for a
reconnect; what the page was doing must not go on for nobody meanwhile.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable

import psutil
import pytest
from browser import serving
from test_browser import LOAD_TIMEOUT_MS, Viewer

from wargame.apps.classroom.game import GameSetup
from wargame.apps.classroom.rooms import Classroom

pytestmark = pytest.mark.browser
IDLE_CPU_PERCENT = 10.0  # the server at rest uses ~0-1% of a core; playing flat out, 50-80%


def sessions(url: str) -> int:
    """Solara's count of the server's sessions (kernels)."""
    with urllib.request.urlopen(url + "resourcez", timeout=10) as response:
        return json.load(response)["kernels"]["total"]


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_a_closed_tab_stops_playing_at_once_and_its_session_is_freed(browser):
    cull = 20  # seconds; `wargame serve` keeps a session 5 minutes (test_cli)
    with serving({"SOLARA_KERNEL_CULL_TIMEOUT": f"{cull}s"}) as (url, server):
        process = psutil.Process(server.pid)
        tab = Viewer(browser.new_page(viewport={"width": 1280, "height": 800}), url)
        tab.page.get_by_text("2 days a second").click()
        tab.page.get_by_role("option", name="flat out").click()
        tab.page.get_by_role("button", name="Play").click()
        tab.wait_for_day_at_least(3)
        # it plays: the measure can tell (sampled a while: a loaded machine lends it less)
        assert within(10, lambda: process.cpu_percent(1.0) > IDLE_CPU_PERCENT)
        closed = time.monotonic()
        tab.page.close()  # no unload beacon: the server sees the connection drop, no more
        assert within(5, lambda: process.cpu_percent(1.0) < IDLE_CPU_PERCENT), (
            "the server kept working for a closed tab"
        )
        assert process.cpu_percent(3.0) < IDLE_CPU_PERCENT
        assert time.monotonic() - closed < cull  # all this before Solara frees the session
        assert within(cull + 30, lambda: sessions(url) == 0)


def test_a_closed_classroom_page_is_freed(browser, tmp_path):
    """The session goes; that its refresh thread goes with it is test_classroom_refresh's.

    The server's count of threads cannot say so here: its web server starts and
    ends pool threads of its own around a closing page (a CI run saw it no lower
    ten seconds after the session was freed)."""
    db = tmp_path / "classroom.sqlite"
    setup = GameSetup(theatre="kachin", seed=3, humans=["kia", "tatmadaw"], turns=4)
    code, key = Classroom(db).create_room(setup)
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": "5s"}
    with serving(env, command=("classroom", "--db", str(db))) as (url, _):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}?room={code}&key={key}")
        page.get_by_role("button", name="Run the turn now").wait_for(timeout=LOAD_TIMEOUT_MS)
        assert sessions(url) == 1
        page.close()
        assert within(40, lambda: sessions(url) == 0)
