"""A class in Chromium: an umpire and two teams on one classroom server, then a restart."""

from __future__ import annotations

import re

import pytest
from test_browser import ARTIFACTS, LOAD_TIMEOUT_MS

from wargame.classroom.fog import side_map, side_view
from wargame.classroom.game import replay_to_day
from wargame.classroom.rooms import Classroom
from wargame.viewer.browser import BrowserMissing, launch_chromium, viewer_server
from wargame.viewer.map_figure import MapState, TheatreMap, whole_map

pytestmark = pytest.mark.browser


def png_of(page) -> bytes:
    image = page.locator("img[src^='blob:']").first
    return bytes(
        page.evaluate(
            "async (img) => Array.from(new Uint8Array(await (await fetch(img.src)).arrayBuffer()))",
            image.element_handle(),
        )
    )


def drawn(model, state: MapState | None = None) -> bytes:
    drawing = TheatreMap(model)
    drawing.draw(state or whole_map(model))
    return drawing.png()


def team_map(game, faction: str) -> MapState:
    """The map a team's page is given: its side's view of the game, nothing more."""
    model = game.model
    names = {f: x.short_name for f, x in model.factions.items()}
    return side_map(side_view(model, game.knowledge[faction]), model.theatre.map.places, names)


def day_of(page) -> int:
    return int(re.search(r"Day (\d+)", page.locator("h2").first.inner_text()).group(1))


def join(browser, url: str, code: str, team: str, faction: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.get_by_role("button", name="Join").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.get_by_label("Join code").fill(code)
    page.get_by_label("Team name").fill(team)
    page.wait_for_timeout(800)  # the faction list follows the code
    page.locator(".v-select").last.click()
    page.get_by_role("option", name=faction).click()
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name="Send orders").wait_for(timeout=30_000)
    return page


def test_a_class_plays_a_turn_under_fog_and_survives_a_server_restart(tmp_path):
    from playwright.sync_api import sync_playwright

    db = tmp_path / "classroom.sqlite"
    command = ("classroom", "--db", str(db))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except BrowserMissing as error:
            pytest.fail(str(error))
        with viewer_server(command=command) as url:
            umpire = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            umpire.on("pageerror", lambda e: errors.append(str(e)))
            umpire.goto(url)
            umpire.get_by_role("button", name="Create room").click(timeout=LOAD_TIMEOUT_MS)
            umpire.get_by_role("button", name="Run the turn now").wait_for(timeout=30_000)
            code = umpire.locator("b").first.inner_text()
            umpire_url = umpire.url
            kia = join(browser, url, code, "Team A", "kia")
            tatmadaw = join(browser, url, code, "Team B", "tatmadaw")
            for page in (kia, tatmadaw, umpire):
                page.on("pageerror", lambda e: errors.append(str(e)))

            # both teams send orders: the turn runs (7 days) and every page shows it
            kia.get_by_role("button", name="Send orders").click()
            kia.get_by_text("Your orders are in").wait_for()
            tatmadaw.get_by_role("button", name="Send orders").click()
            for page in (kia, tatmadaw, umpire):
                page.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=30_000)

            # each team's map is its own side's view; the umpire's shows everything
            game = Classroom(db).game(code)  # the same game, rebuilt from the file
            assert game.model.day == 7
            kia.wait_for_timeout(2500)  # a refresh after the turn
            assert png_of(kia) == drawn(game.model, team_map(game, "kia"))
            assert png_of(tatmadaw) == drawn(game.model, team_map(game, "tatmadaw"))
            assert png_of(kia) != drawn(game.model)
            seen = {u.id for u in side_view(game.model, game.knowledge["kia"]).units}
            hidden = [u for u in game.model.units if u.faction != "kia" and u.unique_id not in seen]
            assert hidden  # there is something for the fog to hide
            # a team's page offers orders for its own units only
            kia_units = sum(1 for u in game.model.units if u.faction == "kia")
            kia.get_by_role("button", name="Send orders").wait_for()
            assert kia.get_by_text("Go to").count() == kia_units
            kia.screenshot(path=ARTIFACTS / "classroom-kia.png")
            umpire.screenshot(path=ARTIFACTS / "classroom-umpire.png")

            # the KIA sends its next orders, then the server goes down
            kia.get_by_role("button", name="Send orders").click()
            kia.get_by_text("Your orders are in").wait_for()
            before = drawn(Classroom(db).game(code).model)

        with viewer_server(command=command) as url:  # a new server on the same file
            kia.goto(kia.url.replace(kia.url.split("/?")[0], url.rstrip("/")))
            kia.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=LOAD_TIMEOUT_MS)
            kia.get_by_text("Your orders are in").wait_for()  # the half-done turn came back
            assert "waiting for: tatmadaw" in kia.locator("h2").first.inner_text()
            umpire.goto(umpire_url.replace(umpire_url.split("/?")[0], url.rstrip("/")))
            umpire.get_by_role("button", name="Run the turn now").wait_for(timeout=LOAD_TIMEOUT_MS)
            umpire.wait_for_timeout(1500)
            assert png_of(umpire) == before

            # the umpire runs the turn, then replays day 3
            umpire.get_by_role("button", name="Run the turn now").click()
            umpire.locator("h2", has_text=re.compile(r"Day 14\b")).wait_for(timeout=30_000)
            slider = umpire.get_by_role("slider")
            slider.focus()
            for _ in range(4):  # from -1 (now) to day 3
                slider.press("ArrowRight")
            umpire.get_by_text("Replaying day 3").wait_for(timeout=30_000)
            umpire.wait_for_timeout(500)
            umpire.screenshot(path=ARTIFACTS / "classroom-replay.png")
            game = Classroom(db).game(code)
            assert png_of(umpire) == drawn(replay_to_day(game.setup, game.record, 3))

            # the record, downloaded and dropped into a fresh lobby, replays the game
            with umpire.expect_download() as download:
                umpire.get_by_text("Game record (JSON)").click()
            record = tmp_path / "record.json"
            download.value.save_as(record)
            lobby = browser.new_page(viewport={"width": 1280, "height": 900})
            lobby.on("pageerror", lambda e: errors.append(str(e)))
            lobby.goto(url)
            lobby.get_by_role("button", name="Create room").wait_for(timeout=LOAD_TIMEOUT_MS)
            with lobby.expect_file_chooser() as chooser:
                lobby.get_by_role("button", name=re.compile("Upload")).click()
            chooser.value.set_files(record)
            lobby.get_by_text("Replaying day 14").wait_for(timeout=30_000)
            lobby.wait_for_timeout(500)
            assert png_of(lobby) == drawn(replay_to_day(game.setup, game.record, 14))
            lobby.screenshot(path=ARTIFACTS / "classroom-record-replay.png", full_page=True)
        browser.close()
    assert errors == []
