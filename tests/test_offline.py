"""The servers on a machine with no network but loopback: they start at once and call nobody.

`wargame serve` and `wargame classroom` run as a user starts them, with
tests/offline/sitecustomize.py making every address but loopback unreachable
(a name lookup hangs, then fails) and logging each attempt to reach one. The
page's front end comes from the package: every file the page names is served.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import free_port

from wargame._assets.fetch import named_by
from wargame.cli import FRONT_END

OFFLINE = Path(__file__).parent / "offline"
HANG = 60.0  # seconds a name lookup waits for an answer that never comes
START_SECONDS = 45.0  # loaded 2-core machines start Solara in ~4-12 s


@pytest.fixture
def offline_env(tmp_path):
    log = tmp_path / "network.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(OFFLINE), os.environ.get("PYTHONPATH")])),
        "WARGAME_NETWORK_LOG": str(log),
        "WARGAME_NETWORK_HANG": str(HANG),
    }
    for name in (
        "SOLARA_ASSETS_CDN",
        "SOLARA_ASSETS_PROXY_CACHE_DIR",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE",
    ):
        env.pop(name, None)  # the servers' own choices, not a developer's
    return env, log


def answer(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def front_end(url: str) -> dict[str, int]:
    """Each front-end file the page names (and its stylesheets load), with the server's answer."""
    cdn = f"{url}_solara/cdn/"
    wanted = set(re.findall(r'/_solara/cdn/([^"?]+)', read(url)))
    answers: dict[str, int] = {}
    while wanted:
        path = wanted.pop()
        answers[path] = answer(cdn + path)
        if path.endswith(".css") and answers[path] == 200:
            wanted |= named_by(path, read(cdn + path)) - answers.keys()
    return answers


@contextmanager
def running(args: list[str], env: dict[str, str], output: Path) -> Iterator[str]:
    """A server started as a user starts it; yields its address once it answers."""
    port = free_port()
    started = time.monotonic()
    with output.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "wargame.cli", *args, "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://localhost:{port}/"
            while time.monotonic() - started < START_SECONDS:
                try:
                    assert answer(url) == 200
                    break
                except OSError:
                    assert server.poll() is None, output.read_text()
                    time.sleep(0.2)
            else:
                pytest.fail(f"no answer in {START_SECONDS} s:\n{output.read_text()}")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.mark.parametrize(
    "command", [["serve"], ["classroom", "--db", "{tmp}/classroom.sqlite"]], ids=lambda c: c[0]
)
def test_a_server_starts_at_once_offline_and_reaches_for_nothing_outside(
    tmp_path, offline_env, command
):
    env, log = offline_env
    args = [arg.format(tmp=tmp_path) for arg in command]
    output = tmp_path / "output.txt"
    with running(args, env, output) as url:
        files = front_end(url)
        assert any(path.endswith(".woff2") for path in files)  # the stylesheets were read
        assert {path: code for path, code in files.items() if code != 200} == {}
        # an asset the package does not ship: the server must not fetch it from the CDN
        assert answer(f"{url}_solara/cdn/left-pad@1.3.0/index.js") == 404
    assert not log.exists(), f"reached for the network:\n{log.read_text()}"
    assert "New version" not in output.read_text()


def test_no_request_deletes_or_stalls_on_the_front_end(tmp_path, offline_env):
    """Solara's proxy deletes a folder it is asked for and retries a missing file for 7 s;
    the package's front end is served read-only (a copy here, should that ever regress)."""
    env, _ = offline_env
    copy = tmp_path / "cdn"
    shutil.copytree(FRONT_END, copy)
    before = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    env = {**env, "SOLARA_ASSETS_PROXY_CACHE_DIR": str(copy)}
    with running(["serve"], env, tmp_path / "output.txt") as url:
        bundle = next(p.name for p in copy.glob("@widgetti/*"))
        asked = time.monotonic()
        for path in (f"@widgetti/{bundle}", f"@widgetti/{bundle}/dist", "left-pad@1.3.0/x.js"):
            assert answer(f"{url}_solara/cdn/{path}") == 404
        assert time.monotonic() - asked < 5  # no retries of a fetch that cannot succeed
        assert answer(f"{url}_solara/cdn/../../pyproject.toml") == 404
        assert {code for code in front_end(url).values()} == {200}
    assert sorted(p.relative_to(copy) for p in copy.rglob("*")) == before
