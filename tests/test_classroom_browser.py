"""A class in Chromium: an umpire and two teams on one classroom server, then a restart."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from browser import BrowserMissing, launch_chromium, viewer_server
from test_browser import ARTIFACTS, LOAD_TIMEOUT_MS

from wargame.apps.classroom.fog import side_map, side_view
from wargame.apps.classroom.game import GameSetup, replay_to_day
from wargame.apps.classroom.rooms import Classroom
from wargame.apps.viewer import THEATRES_ENV
from wargame.apps.viewer.chart_widget import option_json
from wargame.drawing.map_figure import MapState, whole_map
from wargame.drawing.map_option import day_option

pytestmark = pytest.mark.browser


# What a page's map shows, as ECharts holds it: the legend and every units marker
MAP_SHOWN = """() => {
    const option = document.querySelector(".wargame-map").wargameMap.getOption();
    const units = option.series.filter((s) => s.id.startsWith("units-"));
    return {
        legend: option.legend[0].data.map((item) => item.name ?? item),
        units: units.map((s) => [s.id, s.data.map((item) => item.value)]),
    };
}"""


def shown_map(page) -> dict:
    page.locator(".wargame-map svg").first.wait_for()
    return page.evaluate(MAP_SHOWN)


def drawn(model, state: MapState | None = None) -> dict:
    """What the map should show of `state` (the whole of `model` if None)."""
    option = json.loads(option_json(day_option(model.theatre, state or whole_map(model))))
    units = [s for s in option["series"] if s["id"].startswith("units-")]
    return {
        "legend": option["legend"]["data"],
        "units": [[s["id"], [item["value"] for item in s["data"]]] for s in units],
    }


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


def choose(page, select, option: str) -> None:
    """Pick `option` in a drop-down; a click while the page redraws may not open it."""
    from playwright.sync_api import TimeoutError as Timeout

    for _ in range(3):
        select.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            return
        except Timeout:
            page.keyboard.press("Escape")
    pytest.fail(f"the drop-down never offered {option}")


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
            game = Classroom(db, read_only=True).game(code)  # the same game, rebuilt from the file
            assert game.model.day == 7
            kia.wait_for_timeout(2500)  # a refresh after the turn
            assert shown_map(kia) == drawn(game.model, team_map(game, "kia"))
            assert shown_map(tatmadaw) == drawn(game.model, team_map(game, "tatmadaw"))
            assert shown_map(kia) != drawn(game.model)
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
            before = drawn(Classroom(db, read_only=True).game(code).model)

        with viewer_server(command=command) as url:  # a new server on the same file
            kia.goto(kia.url.replace(kia.url.split("/?")[0], url.rstrip("/")))
            kia.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=LOAD_TIMEOUT_MS)
            kia.get_by_text("Your orders are in").wait_for()  # the half-done turn came back
            assert "waiting for: tatmadaw" in kia.locator("h2").first.inner_text()
            umpire.goto(umpire_url.replace(umpire_url.split("/?")[0], url.rstrip("/")))
            umpire.get_by_role("button", name="Run the turn now").wait_for(timeout=LOAD_TIMEOUT_MS)
            umpire.wait_for_timeout(1500)
            assert shown_map(umpire) == before

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
            game = Classroom(db, read_only=True).game(code)
            assert shown_map(umpire) == drawn(replay_to_day(game.setup, game.record, 3))

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
            assert shown_map(lobby) == drawn(replay_to_day(game.setup, game.record, 14))
            lobby.screenshot(path=ARTIFACTS / "classroom-record-replay.png", full_page=True)
        browser.close()
    assert errors == []


def test_pages_open_only_what_the_server_serves_and_never_show_a_traceback(tmp_path, monkeypatch):
    """Paths to /etc, `..` escapes, links out of the theatres folder and absolute paths, named by
    an uploaded record, a rewritten websocket message and rooms an older server stored: each is
    refused in the page without a word of the file. A second server on the games' file exits;
    a failure the page cannot explain shows no traceback."""
    from playwright.sync_api import sync_playwright
    from test_classroom_trust import (
        LEAKS,
        outside_names,
        record,
        store_rooms,
        wargame,
        write_folders,
    )

    root, outside = write_folders(tmp_path)
    monkeypatch.setenv(THEATRES_ENV, str(root))  # this process's look at the file sees the same
    names = outside_names(root, outside)
    db = tmp_path / "classroom.sqlite"
    classroom = Classroom(db)
    ours, key = classroom.create_room(GameSetup(theatre=str(root / "ours"), humans=["red"]))
    classroom.close()
    stored = store_rooms(db, names)
    uploads = []
    for index, name in enumerate([*names, str(root / "ours")]):
        uploads.append(tmp_path / f"record{index}.json")
        uploads[-1].write_bytes(record(name))
    too_long = tmp_path / "forty-turns.json"
    turn = {"orders": {"red": {}}, "injections": []}
    too_long.write_bytes(record("kachin", [{**turn, "turn": n} for n in range(40)]))
    forged = {"theatre": ""}

    def rewrite(socket) -> None:
        """The Theatre drop-down's message, its value replaced on the way to the server."""
        server = socket.connect_to_server()
        socket.on_message(
            lambda message: server.send(
                message.replace(
                    '"v_model":"tamsen_island"', f'"v_model":{json.dumps(forged["theatre"])}'
                )
                if isinstance(message, str)
                else message
            )
        )

    def shown(page) -> str:
        text = page.locator("body").inner_text()
        assert "Traceback" not in text and not any(leak in text for leak in LEAKS), text
        return text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        try:
            browser = launch_chromium(playwright)
        except BrowserMissing as error:
            pytest.fail(str(error))
        command = ("classroom", "--db", str(db), "--theatres", str(root))
        with viewer_server(command=command) as url:
            second = wargame("classroom", "--db", str(db))  # before any page: the lock is held
            assert second.returncode == 1
            assert re.fullmatch(
                r"error: .*in use by another classroom server \(process \d+\).*\n", second.stderr
            )

            errors: list[str] = []
            lobby = browser.new_page(viewport={"width": 1280, "height": 1000})
            lobby.on("pageerror", lambda e: errors.append(str(e)))
            lobby.route_web_socket(re.compile(".*"), rewrite)
            lobby.goto(url)
            lobby.get_by_role("button", name="Create room").wait_for(timeout=LOAD_TIMEOUT_MS)
            for upload, name in zip(uploads, names, strict=False):
                with lobby.expect_file_chooser() as chooser:
                    lobby.get_by_role("button", name=re.compile("Upload")).click()
                chooser.value.set_files(upload)
                alert = lobby.locator(".v-alert", has_text=f"{upload.name}: ")
                alert.wait_for(timeout=30_000)
                assert re.search("theatre folders inside|links outside", alert.inner_text()), name
                shown(lobby)
            lobby.screenshot(path=ARTIFACTS / "classroom-record-refused.png", full_page=True)
            with lobby.expect_file_chooser() as chooser:
                lobby.get_by_role("button", name=re.compile("Upload")).click()
            chooser.value.set_files(too_long)
            lobby.get_by_text("40 turns played; its set-up has 10 turns").wait_for(timeout=30_000)
            with lobby.expect_file_chooser() as chooser:  # the theatres folder's own theatre
                lobby.get_by_role("button", name=re.compile("Upload")).click()
            chooser.value.set_files(uploads[-1])
            lobby.get_by_text("Replaying day 0").wait_for(timeout=30_000)

            card = lobby.locator(".v-card", has_text="Teacher: create a room")
            refused = card.locator(".v-alert", has_text=re.compile("folders inside|links outside"))
            for name in (
                "/etc",
                str(outside / "theirs"),
                f"{root}/../elsewhere/theirs",
                str(root / "link"),
            ):
                forged["theatre"] = name
                for choice in ("kachin", "tamsen_island"):  # the second one's value is rewritten
                    choose(lobby, card.locator(".v-select").nth(1), choice)
                    refused.wait_for(state="visible" if choice != "kachin" else "detached")
                shown(lobby)
                lobby.get_by_role("button", name="Create room").click()
                lobby.wait_for_timeout(1000)
                shown(lobby)
                assert "?room=" not in lobby.url
            assert [room["code"] for room in Classroom(db, read_only=True).rooms()] == [
                ours,
                *stored,
            ]

            for code in stored:  # the umpire's and a team's pages of the stored rooms
                for address in (f"?room={code}&key=key", f"?seat=seat{code}"):
                    lobby.goto(url + address)
                    lobby.get_by_text(f"room {code} cannot be rebuilt").wait_for(
                        timeout=LOAD_TIMEOUT_MS
                    )
                    assert re.search("theatre folders inside|links outside", shown(lobby)), code
            lobby.wait_for_timeout(500)  # the alert fades in
            lobby.screenshot(path=ARTIFACTS / "classroom-stored-room-refused.png", full_page=True)

            # the room on the theatres folder's theatre plays; a turn another writer of the file
            # already stored (two servers did that) fails in the page without a traceback
            umpire = browser.new_page(viewport={"width": 1280, "height": 900})
            umpire.on("pageerror", lambda e: errors.append(str(e)))
            umpire.goto(f"{url}?room={ours}&key={key}")
            umpire.get_by_role("button", name="Run the turn now").wait_for(timeout=LOAD_TIMEOUT_MS)
            with sqlite3.connect(db) as file:
                file.execute("insert into turns values (?, 0, '{}', '2030-01-01')", (ours,))
            umpire.get_by_role("button", name="Run the turn now").click()
            umpire.get_by_text("The server could not do that; its log says why.").wait_for(
                timeout=30_000
            )
            assert "IntegrityError" not in shown(umpire)
            umpire.screenshot(path=ARTIFACTS / "classroom-turn-failed.png")
        browser.close()
    assert errors == []
