"""A viewer server and the system's Chromium, for the browser tests and the viewer benchmark.

Playwright cannot download its own browsers on our machines, so it drives
Debian's `chromium` (or the one `WARGAME_CHROMIUM` names).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_ENV = "WARGAME_CHROMIUM"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking"]


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    path = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")
    if not path:
        raise BrowserMissing(
            "no Chromium found: install Debian's package (apt-get install chromium) "
            f"or set {CHROMIUM_ENV} to a Chromium executable"
        )
    if not os.access(path, os.X_OK):  # a mistyped WARGAME_CHROMIUM: say so before launching
        raise BrowserMissing(f"{path} is not a Chromium executable ({CHROMIUM_ENV})")
    return path


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


# The viewer's page, as the benchmark and the screenshot script wait on it: the heading
# shows `day` and the map has drawn new data since it had drawn `old` updates.
DRAWN = """([day, old]) => {
    const heading = document.querySelector("h2");
    const map = document.querySelector(".wargame-map");
    return heading && map && Number(map.dataset.updates || 0) > old
        && new RegExp(`Day ${day}\\\\b`).test(heading.innerText);
}"""


def shown_day(page: Page) -> int:
    """The day the viewer's heading shows."""
    return int(re.search(r"Day (\d+)", page.locator("h2").first.inner_text()).group(1))


def map_updates(page: Page) -> int:
    """How many times the viewer's map has drawn new data (its `data-updates`)."""
    return int(page.locator(".wargame-map").first.get_attribute("data-updates") or 0)


# How long a server may take to start and to answer its first page. Generous: the tests check
# what the pages show, not how fast (benchmarks/ does); on a CI machine shared with
# a batch's workers and other Chromiums (load 13 on 2 cores) two classroom servers gave no
# page within 90 s of being started, when each try waited 2 s for an answer.
START_SECONDS = 240.0
ANSWER_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def viewer_server(
    extra_env: dict[str, str] | None = None,
    timeout: float = START_SECONDS,
    command: tuple[str, ...] = ("serve",),
) -> Iterator[str]:
    """`wargame serve` (or another `command`) on a free port; yields its URL, then stops it."""
    with serving(extra_env, timeout, command) as (url, _):
        yield url


@contextlib.contextmanager
def serving(
    extra_env: dict[str, str] | None = None,
    timeout: float = START_SECONDS,
    command: tuple[str, ...] = ("serve",),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """As `viewer_server`, yielding the server process too (its memory, say)."""
    port = free_port()
    command = [sys.executable, "-m", "wargame.cli", *command, "--port", str(port)]
    url = f"http://localhost:{port}/"
    # the log goes to a file: a pipe nobody reads would fill and stall the server
    with tempfile.TemporaryFile() as log:
        # faulthandler: a server that never answers is made to write where it is stuck
        env = {**os.environ, "PYTHONFAULTHANDLER": "1", **(extra_env or {})}
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(url, server, log, timeout)
            yield url, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_for(url: str, server: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=ANSWER_SECONDS):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                if server.poll() is None:  # its threads' stacks go to the log, then it ends
                    server.send_signal(signal.SIGABRT)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        server.wait(timeout=10)
                log.seek(0)
                error = log.read().decode(errors="replace").split("\nExtension modules:")[0]
                stuck = error.find("Fatal Python error")  # the innermost frames first
                error = error[-2000:] if stuck < 0 else error[stuck : stuck + 6000]
                raise RuntimeError(f"the viewer server did not start at {url}:\n{error}") from None
            time.sleep(0.3)
