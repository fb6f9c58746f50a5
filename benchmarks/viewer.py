"""How long the viewer takes to step a day and redraw, measured in Chromium like a user's click.

    python benchmarks/viewer.py               # or: make bench (after the model benchmark)
    python benchmarks/viewer.py --steps 60 --json viewer.json
    python benchmarks/viewer.py --scenario large/ --target-ms 1000  # a generated theatre

Starts `wargame serve` on a free port, opens the default theatre in Debian's
Chromium (Playwright, headless, 1280x800) and waits until the page has drawn
its six charts. Then, `--steps` times: note how many times the map has drawn,
click "Step one day", and stop the clock when the heading shows the next day
and the map has drawn again - the server has stepped the model, built the
map's day layers (`day_option`) and sent them, rebuilt the charts and the
story, and ECharts has drawn the map's SVG in the browser.
The first `--warm-up` steps are not counted. The target is a median under
`--target-ms` (150 ms for the default theatre; 1,000 ms for a 1,000-place one
made by `wargame generate`); the command prints PASS or FAIL and exits 0 either way.
It also times, in this process, building a day's map data alone (the option and
its JSON) over the same number of days: the server's share of a step's map.

Then play mode at full speed for `--play-seconds`: the days a second it
reaches, and how many days it runs on after Pause (0 or 1 means no queue).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from wargame.apps.viewer import SCENARIO_ENV

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # browser.py
from browser import (
    DRAWN,
    launch_chromium,
    map_updates,
    shown_day,
    viewer_server,
)


def step_times(page, steps: int, warm_up: int) -> list[float]:
    times = []
    button = page.get_by_role("button", name="Step one day")
    for number in range(warm_up + steps):
        day, old = shown_day(page), map_updates(page)
        started = time.perf_counter()
        button.click()
        page.wait_for_function(DRAWN, arg=[day + 1, old], polling="raf", timeout=30_000)
        if number >= warm_up:
            times.append((time.perf_counter() - started) * 1000)
    return times


def map_data_times(scenario: str | None, days: int) -> list[float]:
    """ms to build each day's map layers and their JSON, as the page does after a step."""
    from wargame.apps.viewer.chart_widget import option_json
    from wargame.drawing.map_option import day_option
    from wargame.drawing.map_state import whole_map
    from wargame.engine.model import build_model

    model = build_model(str(Path(scenario).resolve()) if scenario else "kachin", {}, 7)
    times = []
    for _ in range(days):
        model.step()
        started = time.perf_counter()
        option_json(day_option(model.theatre, whole_map(model)))
        times.append((time.perf_counter() - started) * 1000)
    return times


def play(page, seconds: float) -> dict[str, float]:
    page.get_by_text("2 days a second").click()
    page.get_by_role("option", name="flat out").click()
    start_day = shown_day(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(seconds * 1000)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    paused_day = shown_day(page)
    page.wait_for_timeout(2000)
    return {
        "days_per_second": (paused_day - start_day) / seconds,
        "days_after_pause": shown_day(page) - paused_day,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=150, help="timed steps (150)")
    parser.add_argument("--warm-up", type=int, default=3, help="untimed first steps (3)")
    parser.add_argument("--play-seconds", type=float, default=10.0, help="play at full speed (10)")
    parser.add_argument("--scenario", help="a theatre folder to open instead of the default")
    parser.add_argument("--target-ms", type=float, default=150.0, help="median target (150)")
    parser.add_argument("--json", help="write the figures to this file too")
    args = parser.parse_args(argv)
    if args.play_seconds <= 0:
        parser.error(f"--play-seconds: expected more than 0, got {args.play_seconds}")

    env = {SCENARIO_ENV: str(Path(args.scenario).resolve())} if args.scenario else None
    with viewer_server(env, timeout=300.0) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.locator(".wargame-chart canvas").nth(5).wait_for(timeout=90_000)
        times = step_times(page, args.steps, args.warm_up)
        playing = play(page, args.play_seconds)
        browser.close()

    ordered = sorted(times)
    building = map_data_times(args.scenario, args.warm_up + args.steps)
    figures = {
        "scenario": args.scenario or "default",
        "target_ms": args.target_ms,
        "steps": len(times),
        "median_ms": statistics.median(times),
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))],
        "max_ms": ordered[-1],
        "map_data_median_ms": statistics.median(building),
        **playing,
    }
    verdict = "PASS" if figures["median_ms"] < args.target_ms else "FAIL"
    print(
        f"viewer on {figures['scenario']}: step + redraw in Chromium, {figures['steps']} steps: "
        f"median {figures['median_ms']:.0f} ms, 90th percentile {figures['p90_ms']:.0f} ms, "
        f"max {figures['max_ms']:.0f} ms (target: median < {args.target_ms:.0f} ms) {verdict}"
    )
    print(
        f"map data (day_option + JSON) built in this process: median "
        f"{figures['map_data_median_ms']:.1f} ms over {len(building)} days"
    )
    print(
        f"play at full speed: {figures['days_per_second']:.1f} days a second; "
        f"{figures['days_after_pause']} days drawn after Pause"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
