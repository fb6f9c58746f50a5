"""Many users at once: viewer sessions stepping side by side, and classroom rooms full of players.

    python benchmarks/load.py                       # 30 viewer sessions, 3 rooms x 10 players
    python benchmarks/load.py --sessions 4 --rooms 1 --players 4 --json out.json

Everything runs on this machine against loopback (`wargame serve` and
`wargame classroom` on localhost, the system Chromium through Playwright),
and everything is bounded: a fixed number of pages, each doing a fixed
amount, with a deadline.

Viewer: `--sessions` pages, each in its own browser context (its own user),
open the default theatre, `--wave` at a time (a class arriving); with all of
them open, page i steps 1 + i mod 5 days, every page stepping concurrently.
Each page must end on its own day (sessions are isolated), with no page
error and no console error.

Classroom: `--rooms` rooms, each with an umpire and `--players` - 1 players:
two teams join (KIA and Tatmadaw) and the rest open a team's page as
teammates, `--wave` at a time. With every room full, the rooms play at once:
room r plays r + 1 turns (both teams send orders each turn), so every page of
room r must show day 7 (r + 1), whatever the other rooms did.

The server's resident memory is sampled every half second: at start, its
peak with every page open, just after the browser closes, and once the
server has freed every session the closed pages left ("freed"). A closed
tab's session outlives it by Solara's kernel cull timeout (`wargame serve`:
5 minutes, for a dropped network to come back); `--cull` shortens it for the
measurement. Exits 1 when a check fails, or when the sessions are not freed
within `--cull` and a grace, so a test can run it small.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from playwright.async_api import Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # browser.py
from browser import CHROMIUM_ARGS, chromium_path, serving

LOAD_MS = 300_000
TURN_DAYS = 7
HUMANS = ("kia", "tatmadaw")
CULL_GRACE = 60.0  # seconds past the cull timeout for Solara to find and close the sessions
SETTLE = 10.0  # seconds for the collection and the trim that follow the last close (1 s, 5 s)


@dataclass
class Figures:
    pages: int = 0
    seconds: float = 0.0
    opened_seconds: float = 0.0
    server_start_mib: float = 0.0
    server_peak_mib: float = 0.0
    server_after_mib: float = 0.0
    server_freed_mib: float = 0.0
    freed_seconds: float = 0.0
    step_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        record = asdict(self)
        record["seconds"] = round(self.seconds, 1)
        record["opened_seconds"] = round(self.opened_seconds, 1)
        record["freed_seconds"] = round(self.freed_seconds, 1)
        steps = record.pop("step_ms")
        if steps:
            record["step_ms_median"] = round(statistics.median(steps))
            record["step_ms_p90"] = round(
                statistics.quantiles(steps, n=10)[-1] if len(steps) > 1 else steps[0]
            )
        record["per_page_mib"] = round(
            (self.server_peak_mib - self.server_start_mib) / max(self.pages, 1), 1
        )
        return record


class MemoryWatch:
    """The server's resident memory, sampled in the background."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.now()
        self._task: asyncio.Task | None = None

    def now(self) -> float:
        return self.process.memory_info().rss / 2**20

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.now())
            await asyncio.sleep(0.5)

    def __enter__(self) -> MemoryWatch:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *exc: object) -> None:
        self._task.cancel()


def watch_errors(page: Page, errors: list[str], name: str) -> None:
    page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"{name}: console: {message.text}") if message.type == "error" else None
        ),
    )


async def shown_day(page: Page) -> int:
    return int(re.search(r"Day (\d+)", await page.locator("h2").first.inner_text()).group(1))


async def wait_day(page: Page, day: int) -> None:
    heading = page.locator("h2", has_text=re.compile(rf"Day {day}\b"))
    await heading.first.wait_for(timeout=LOAD_MS)


# --- the viewer ------------------------------------------------------------------------------


async def open_session(browser, url: str, index: int, figures: Figures) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    watch_errors(page, figures.errors, f"session {index}")
    await page.goto(url, timeout=LOAD_MS)
    await page.get_by_role("button", name="Step one day").wait_for(timeout=LOAD_MS)
    return page


async def step_session(page: Page, index: int, figures: Figures) -> None:
    button = page.get_by_role("button", name="Step one day")
    steps = 1 + index % 5
    for day in range(1, steps + 1):
        started = time.perf_counter()
        await button.click(timeout=LOAD_MS)
        await wait_day(page, day)
        figures.step_ms.append((time.perf_counter() - started) * 1000)
    await page.wait_for_timeout(1000)  # others are still stepping: nothing may reach this page
    if (day := await shown_day(page)) != steps:
        figures.errors.append(f"session {index}: shows day {day}, stepped {steps} days")


async def checked(figures: Figures, name: str, work) -> object:
    """Run one page's part; a timeout or a crash is an error of the load test, not its end."""
    try:
        return await work
    except Exception as error:  # the first line, and what Playwright was waiting for
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        waiting = next((line for line in lines if line.startswith("- waiting for")), "")
        figures.errors.append(f"{name}: {type(error).__name__}: {lines[0]} {waiting}")
        return None


def sessions_open(url: str) -> int:
    """The server's sessions (Solara's kernels), closed pages' included until they are culled."""
    with urllib.request.urlopen(url + "resourcez", timeout=30) as response:
        return json.load(response)["kernels"]["total"]


async def freed(url: str, watch: MemoryWatch, figures: Figures, cull: float) -> None:
    """Wait for the server to free the closed pages' sessions; its memory then."""
    closed = time.perf_counter()
    while (left := await asyncio.to_thread(sessions_open, url)) > 0:
        if time.perf_counter() - closed > cull + CULL_GRACE:
            figures.errors.append(f"{left} sessions still open {cull + CULL_GRACE:.0f} s after")
            break
        await asyncio.sleep(1)
    figures.freed_seconds = time.perf_counter() - closed
    await asyncio.sleep(SETTLE)
    figures.server_freed_mib = watch.now()


@contextlib.asynccontextmanager
async def measured(
    playwright, figures: Figures, cull: float, command: tuple[str, ...] = ("serve",)
):
    """A server and a browser; the server's memory and the time taken go into `figures`."""
    env = {"SOLARA_KERNEL_CULL_TIMEOUT": f"{cull:g}s"}
    with serving(env, timeout=300.0, command=command) as (url, server):
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        watch = MemoryWatch(server.pid)
        figures.server_start_mib = watch.now()
        started = time.perf_counter()
        with watch:
            yield browser, url, started
        figures.seconds = time.perf_counter() - started
        figures.server_peak_mib = watch.peak
        await browser.close()
        await asyncio.sleep(2)
        figures.server_after_mib = watch.now()
        await freed(url, watch, figures, cull)


async def load_viewer(playwright, sessions: int, wave: int, cull: float) -> Figures:
    figures = Figures(pages=sessions)
    async with measured(playwright, figures, cull) as (browser, url, started):
        pages: list[Page | None] = []
        for first in range(0, sessions, wave):  # users arrive a few at a time
            pages += await asyncio.gather(
                *(
                    checked(figures, f"session {i}", open_session(browser, url, i, figures))
                    for i in range(first, min(first + wave, sessions))
                )
            )
        figures.opened_seconds = time.perf_counter() - started
        await asyncio.gather(  # then every session steps at once
            *(
                checked(figures, f"session {i}", step_session(page, i, figures))
                for i, page in enumerate(pages)
                if page is not None
            )
        )
    return figures


# --- the classroom ---------------------------------------------------------------------------


async def open_room(browser, url: str, room: int, figures: Figures) -> tuple[Page, str]:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    watch_errors(page, figures.errors, f"room {room} umpire")
    await page.goto(url, timeout=LOAD_MS)
    await page.get_by_role("button", name="Create room").click(timeout=LOAD_MS)
    await page.get_by_role("button", name="Run the turn now").wait_for(timeout=LOAD_MS)
    return page, await page.locator("b").first.inner_text()


async def join_team(browser, url: str, code: str, room: int, faction: str, figures: Figures):
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    watch_errors(page, figures.errors, f"room {room} {faction}")
    await page.goto(url, timeout=LOAD_MS)
    await page.get_by_role("button", name="Join").wait_for(timeout=LOAD_MS)
    await page.get_by_label("Join code").fill(code)
    await page.get_by_label("Team name").fill(f"Team {faction}")
    await page.wait_for_timeout(800)  # the faction list follows the code
    await page.locator(".v-select").last.click()
    await page.get_by_role("option", name=faction).click()
    await page.get_by_role("button", name="Join").click()
    await page.get_by_role("button", name="Send orders").wait_for(timeout=LOAD_MS)
    return page


async def teammate(browser, team_url: str, room: int, index: int, figures: Figures) -> Page:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    watch_errors(page, figures.errors, f"room {room} player {index}")
    await page.goto(team_url, timeout=LOAD_MS)
    await page.get_by_role("button", name="Send orders").wait_for(timeout=LOAD_MS)
    return page


async def fill_room(browser, url: str, room: int, players: int, wave: int, figures: Figures):
    """The umpire's page, the two teams' and their teammates': the room's pages, teams second."""
    umpire, code = await open_room(browser, url, room, figures)
    teams = [await join_team(browser, url, code, room, f, figures) for f in HUMANS]
    mates: list[Page] = []
    count = players - 1 - len(teams)
    for first in range(0, count, wave):
        mates += await asyncio.gather(
            *(
                teammate(browser, teams[i % len(teams)].url, room, i, figures)
                for i in range(first, min(first + wave, count))
            )
        )
    return [umpire, *teams, *mates]


async def play_room(room: int, pages: list[Page], figures: Figures) -> None:
    """Room r plays r + 1 turns; then every page of it shows that day, and only that."""
    teams = pages[1 : 1 + len(HUMANS)]
    for turn in range(1, room + 2):
        started = time.perf_counter()
        for team in teams:
            await team.get_by_role("button", name="Send orders").click(timeout=LOAD_MS)
        await asyncio.gather(*(wait_day(page, TURN_DAYS * turn) for page in pages))
        figures.step_ms.append((time.perf_counter() - started) * 1000)
        await asyncio.gather(
            *(t.get_by_role("button", name="Send orders").wait_for(timeout=LOAD_MS) for t in teams)
        )
    await pages[0].wait_for_timeout(1500)  # other rooms play on: nothing may reach this room
    for index, page in enumerate(pages):
        if (day := await shown_day(page)) != TURN_DAYS * (room + 1):
            figures.errors.append(f"room {room} page {index}: day {day}")


async def load_classroom(playwright, rooms: int, players: int, wave: int, cull: float) -> Figures:
    figures = Figures(pages=rooms * players)
    with tempfile.TemporaryDirectory() as folder:
        command = ("classroom", "--db", str(Path(folder) / "classroom.sqlite"))
        async with measured(playwright, figures, cull, command) as (browser, url, started):
            rooms_pages = []
            for r in range(rooms):  # rooms fill one after another, players in waves
                work = fill_room(browser, url, r, players, wave, figures)
                rooms_pages.append(await checked(figures, f"room {r}", work))
            figures.opened_seconds = time.perf_counter() - started
            await asyncio.gather(  # then every room plays at once
                *(
                    checked(figures, f"room {r}", play_room(r, pages, figures))
                    for r, pages in enumerate(rooms_pages)
                    if pages
                )
            )
    return figures


async def main_async(args: argparse.Namespace) -> dict[str, dict]:
    async with async_playwright() as playwright:
        results = {}
        if args.sessions:
            figures = await load_viewer(playwright, args.sessions, args.wave, args.cull)
            results["viewer"] = figures.summary()
        if args.rooms:
            figures = await load_classroom(
                playwright, args.rooms, args.players, args.wave, args.cull
            )
            results["classroom"] = figures.summary()
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30, help="viewer sessions (30)")
    parser.add_argument("--wave", type=int, default=5, help="sessions opening at once (5)")
    parser.add_argument("--rooms", type=int, default=3, help="classroom rooms (3)")
    parser.add_argument("--players", type=int, default=10, help="pages per room, umpire too (10)")
    parser.add_argument(
        "--cull",
        type=float,
        default=30.0,
        help="seconds the server keeps a closed page's session (30; wargame serve: 300)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.rooms and args.players < 1 + len(HUMANS):
        parser.error(f"--players: at least {1 + len(HUMANS)} (the umpire and a page per team)")
    results = asyncio.run(main_async(args))
    failed = False
    for name, figures in results.items():
        errors = figures.pop("errors")
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        for error in errors[:20]:
            print(f"  FAIL {error}")
        print(f"{'FAIL' if errors else 'PASS'}  {name}: {len(errors)} errors")
        failed |= bool(errors)
        figures["errors"] = errors
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
