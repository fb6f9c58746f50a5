"""Regenerate the README's picture of the viewer, so it shows the viewer as it is today.

    python docs/screenshot.py                 # writes docs/images/viewer.png
    python docs/screenshot.py --days 90 --place Myitkyina --out /tmp/viewer.png

Starts `wargame serve` on a free port, opens the page in Debian's Chromium
(Playwright, headless), presses "Step one day" until the heading shows day
`--days`, chooses `--place` in the place panel (it is ringed on the map and
described beside it), waits for the map and charts to settle and saves the
whole page - map, place panel and the six charts under them - as a PNG
`--width` pixels wide (`--viewport`: the window's `--width` x `--height` alone).
Needs no internet.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # browser.py
from browser import (
    DRAWN,
    BrowserMissing,
    chromium_path,
    launch_chromium,
    map_updates,
    shown_day,
    viewer_server,
)

LOAD_TIMEOUT_MS = 90_000
DAY_TIMEOUT_MS = 30_000
SETTLE_MS = 1_500  # the charts animate for about a second after their data change
CHARTS = 6
README_PICTURE = Path(__file__).parent / "images" / "viewer.png"
KACHIN_PLACE = "Bhamo"  # MOC-21 HQ, the junta's river port: a full table of units

SCROLLED = """() => Math.max(0, ...Array.from(document.querySelectorAll("*"), (e) =>
    ["auto", "scroll"].includes(getComputedStyle(e).overflowY)
        && e.clientHeight >= window.innerHeight - 1 ? e.scrollHeight - e.clientHeight : 0))"""
"""How far the page's scrolling box runs past the window: Solara scrolls a box as tall
as the window inside the page, so Playwright's `full_page` shows the window alone."""


def step_to(page: Page, day: int) -> None:
    """Step a day at a time: the page steps only once the previous day is drawn."""
    button = page.get_by_role("button", name="Step one day")
    while (today := shown_day(page)) < day:
        old = map_updates(page)
        button.click()
        page.wait_for_function(DRAWN, arg=[today + 1, old], polling="raf", timeout=DAY_TIMEOUT_MS)


def choose_place(page: Page, name: str) -> None:
    old = map_updates(page)
    page.locator("button", has_text=re.compile("^Place$")).click()  # the panel, not the list
    page.locator("[aria-haspopup=listbox]", has=page.get_by_text("Place", exact=True)).click()
    try:
        page.get_by_role("option", name=name, exact=True).click(timeout=5_000)
    except PlaywrightTimeout:
        raise RuntimeError(f"the place panel lists no place called {name!r}") from None
    page.get_by_role("listbox").wait_for(state="hidden")
    page.wait_for_function(DRAWN, arg=[shown_day(page), old], polling="raf", timeout=DAY_TIMEOUT_MS)


def unfold(page: Page) -> None:
    """Make the window as tall as the page, so the picture shows the charts under the map."""
    for _ in range(3):  # a taller window may lay the page out taller still
        hidden = page.evaluate(SCROLLED)
        if hidden <= 1:
            return
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": size["height"] + hidden})


def shoot(args: argparse.Namespace) -> bytes:
    """The page's PNG at day `args.days`."""
    with (
        viewer_server(command=("serve", "--scenario", args.scenario)) as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url)
            page.locator(".wargame-chart canvas").nth(CHARTS - 1).wait_for(timeout=LOAD_TIMEOUT_MS)
            step_to(page, args.days)
            if args.place:
                choose_place(page, args.place)
            if shown_day(page) != args.days:
                raise RuntimeError(f"the page shows day {shown_day(page)}, not {args.days}")
            page.mouse.move(0, 0)  # no hover highlight or tooltip in the picture
            if not args.viewport:
                unfold(page)
            page.wait_for_timeout(SETTLE_MS)
            return page.screenshot()
        finally:
            browser.close()


def save_png(png: bytes, out: Path) -> None:
    """Write `png` to `out` atomically, re-encoded as a palette image to keep the file small."""
    picture = Image.open(io.BytesIO(png)).convert("RGB").quantize(256, dither=Image.Dither.NONE)
    out.parent.mkdir(parents=True, exist_ok=True)
    # beside `out`, so os.replace is a rename on one file system; "x": never someone else's file
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    file = open(temporary, "xb")  # noqa: SIM115 - closed below, before the rename
    try:
        with file:
            picture.save(file, format="PNG", optimize=True)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=README_PICTURE, help="the PNG to write (docs/images/viewer.png)"
    )
    parser.add_argument("--scenario", default="kachin", help="a shipped theatre or a folder")
    parser.add_argument("--days", type=int, default=60, help="the day pictured (60)")
    parser.add_argument(
        "--place",
        help=f"the place chosen in the place panel ({KACHIN_PLACE} in kachin, else none)",
    )
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels (1280)")
    parser.add_argument(
        "--height", type=int, default=800, help="window height the page is laid out in (800)"
    )
    parser.add_argument(
        "--viewport",
        action="store_true",
        help="picture the window alone (--width x --height); by default the whole page, "
        "--width wide and at least --height tall",
    )
    args = parser.parse_args(argv)
    if args.place is None:
        args.place = KACHIN_PLACE if args.scenario == "kachin" else ""
    try:
        chromium_path()  # checked before the server starts, so a missing one fails at once
        png = shoot(args)
    except (BrowserMissing, RuntimeError) as error:  # not a bug here: say what, not where
        print(f"screenshot: {error}", file=sys.stderr)
        return 1
    save_png(png, args.out)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
