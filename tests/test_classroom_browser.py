"""A class in Chromium: an umpire and two teams on one classroom server, then a restart."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3

import pytest
from browser import viewer_server
from test_browser import ARTIFACTS, LOAD_TIMEOUT_MS, PLACE_POINT

from wargame.apps.classroom.fog import side_map, side_view
from wargame.apps.classroom.game import GameSetup, replay_to_day
from wargame.apps.classroom.rooms import Classroom
from wargame.apps.viewer import THEATRES_ENV
from wargame.apps.viewer.chart_widget import option_json
from wargame.drawing.map_option import day_option
from wargame.drawing.map_state import MapState, whole_map

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


def class_of_two(browser, url: str, errors: list[str]):
    """The umpire creates the lobby's default room and two teams join it, as the KIA and the
    Tatmadaw; returns the umpire's page, the join code and the teams' pages. Every page's
    script errors go to `errors`."""
    umpire = browser.new_page(viewport={"width": 1280, "height": 900})
    umpire.on("pageerror", lambda e: errors.append(str(e)))
    umpire.goto(url)
    umpire.get_by_role("button", name="Create room").click(timeout=LOAD_TIMEOUT_MS)
    umpire.get_by_role("button", name="Run the turn now").wait_for(timeout=30_000)
    code = umpire.locator("b").first.inner_text()
    kia = join(browser, url, code, "Team A", "kia")
    tatmadaw = join(browser, url, code, "Team B", "tatmadaw")
    for page in (kia, tatmadaw):
        page.on("pageerror", lambda e: errors.append(str(e)))
    return umpire, code, kia, tatmadaw


def top_shot(page, name: str) -> None:
    """A tall screenshot of the page from its top (the page scrolls inside Solara's layout)."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 1600})
    page.locator("h2").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=ARTIFACTS / name)
    page.set_viewport_size(size)


def choose(page, select, option: str) -> None:
    """Pick `option` in a drop-down; a click while the page redraws may not open it, and a long
    list shows its later options only once scrolled to."""
    from playwright.sync_api import TimeoutError as Timeout

    menu = page.locator(".menuable__content__active")
    for _ in range(3):
        select.click()
        try:
            for _ in range(5):  # Vuetify adds a long list's options as it is scrolled down
                if page.get_by_role("option", name=option).count():
                    break
                menu.evaluate("menu => { menu.scrollTop = menu.scrollHeight; }", timeout=5_000)
                page.wait_for_timeout(300)
            page.get_by_role("option", name=option).click(timeout=5_000)
            return
        except Timeout:
            page.keyboard.press("Escape")
    pytest.fail(f"the drop-down never offered {option}")


def test_a_class_plays_a_turn_under_fog_and_survives_a_server_restart(tmp_path, browser):
    db = tmp_path / "classroom.sqlite"
    command = ("classroom", "--db", str(db))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with viewer_server(command=command) as url:
        errors: list[str] = []
        umpire, code, kia, tatmadaw = class_of_two(browser, url, errors)
        umpire_url = umpire.url

        # both teams send orders: the turn runs (7 days) and every page shows it
        kia.get_by_role("button", name="Send orders").click()
        kia.get_by_text("Orders sent for turn").wait_for()
        tatmadaw.get_by_role("button", name="Send orders").click()
        for page in (kia, tatmadaw, umpire):
            page.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=30_000)
        # each tab names its seat and theatre; no banner sits over the pages
        assert umpire.title().startswith("Umpire: Kachin State")
        assert kia.title().startswith("Team A: Kachin State")
        assert umpire.get_by_text("This website runs on").count() == 0

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
        # a team's page lists its own units only, to give orders by group
        kia_units = sum(1 for u in game.model.units if u.faction == "kia")
        kia.get_by_role("button", name="Send orders").wait_for()
        assert kia.locator(".wargame-unit").count() == kia_units
        assert kia.get_by_text("Go to").count() == 1
        kia.screenshot(path=ARTIFACTS / "classroom-kia.png")
        umpire.screenshot(path=ARTIFACTS / "classroom-umpire.png")

        # the KIA sends its next orders, then the server goes down
        kia.get_by_role("button", name="Send orders").click()
        kia.get_by_text("Orders sent for turn").wait_for()
        before = drawn(Classroom(db, read_only=True).game(code).model)

    with viewer_server(command=command) as url:  # a new server on the same file
        kia.goto(kia.url.replace(kia.url.split("/?")[0], url.rstrip("/")))
        kia.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=LOAD_TIMEOUT_MS)
        kia.get_by_text("Orders sent for turn").wait_for()  # the half-done turn came back
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
    assert errors == []


def test_a_team_sends_a_stack_hears_the_umpire_and_keeps_a_debrief_after_the_end(tmp_path, browser):
    """A place's whole stack sent on the map to a far place: the page says what went where,
    the next turn shows the units on their way under an open form with no banner left over,
    the umpire's ceasefire reaches both teams, and after the end each keeps a debrief."""
    db = tmp_path / "classroom.sqlite"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with viewer_server(command=("classroom", "--db", str(db))) as url:
        errors: list[str] = []
        umpire, code, kia, tatmadaw = class_of_two(browser, url, errors)
        umpire.get_by_role("button", name="Offer a ceasefire").click()

        # the KIA sends its biggest stack to the farthest place its roads reach
        model = Classroom(db, read_only=True).game(code).model
        kia_units = [u for u in model.units if u.faction == "kia"]
        home = max({u.place for u in kia_units}, key=[u.place for u in kia_units].count)
        stack = [u.unique_id for u in kia_units if u.place == home]
        far = max(model.routes.reachable(home).items(), key=lambda item: item[1])[0]
        goal = model.place_name(far)
        # on the map: a click on its place chooses the stack, a click on the goal sends it there
        kia.locator(".wargame-map svg text").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        kia.mouse.click(*kia.evaluate(PLACE_POINT, home))
        units_at = kia.locator(".v-select", has_text="Units at")
        units_at.get_by_text(f"{model.place_name(home)}: {len(stack)} units").wait_for()
        kia.mouse.click(*kia.evaluate(PLACE_POINT, far))
        kia.locator(".v-select", has_text="Go to").get_by_text(goal, exact=True).wait_for()
        top_shot(kia, "classroom-orders-form.png")
        kia.get_by_role("button", name="Add order").click()
        kia.locator(".wargame-order", has_text=f"go to {goal}, attack").wait_for()
        kia.get_by_role("button", name="Send orders").click()
        banner = kia.locator(".v-alert", has_text="Orders sent for turn 1")
        banner.wait_for(timeout=30_000)
        assert f"go to {goal}, attack" in banner.inner_text()
        top_shot(kia, "classroom-orders-sent.png")
        game = Classroom(db, read_only=True).game(code)
        assert {u for u, o in game.submitted["kia"].units.items() if o.objective == far} == set(
            stack
        )

        # the turn runs: the units are on their way, the form is open, the banner gone
        tatmadaw.get_by_role("button", name="Send orders").click()
        for page in (kia, tatmadaw):
            page.locator("h2", has_text=re.compile(r"Day 7\b")).wait_for(timeout=30_000)
        kia.get_by_text("Orders for turn 2").wait_for(timeout=30_000)
        kia.get_by_text("Orders sent").wait_for(state="detached", timeout=30_000)
        kia.get_by_role("button", name="Send orders").wait_for()
        assert f"heading for {goal}" in kia.locator(".wargame-units").inner_text()
        # the umpire's ceasefire reached both sides, in their list of injects
        for page in (kia, tatmadaw):
            injects = page.locator(".wargame-injects").inner_text()
            assert "the umpire:" in injects and "ceasefire" in injects, injects
        top_shot(kia, "classroom-team.png")

        # the umpire ends the game: each seat keeps a read-only debrief with the replay
        umpire.get_by_role("button", name="End the game").click()
        for page in (kia, tatmadaw):
            page.locator("h2", has_text="Debrief").wait_for(timeout=30_000)
            page.get_by_text("Replaying day 7").wait_for(timeout=30_000)
            assert page.get_by_role("button", name="Send orders").count() == 0
            assert re.match(r"Team [AB] debrief: Kachin State", page.title()), page.title()
            assert "cannot be found" not in page.locator("body").inner_text()
        kia.wait_for_timeout(500)
        top_shot(kia, "classroom-debrief.png")
        kia.reload()  # its address still opens the debrief
        kia.get_by_text("Replaying day 7").wait_for(timeout=LOAD_TIMEOUT_MS)
    assert errors == []


def test_pages_open_only_what_the_server_serves_and_never_show_a_traceback(
    tmp_path, monkeypatch, browser
):
    """Paths to /etc, `..` escapes, links out of the theatres folder and absolute paths, named by
    an uploaded record, a rewritten websocket message and rooms an older server stored: each is
    refused in the page without a word of the file. A second server on the games' file exits;
    a failure the page cannot explain shows no traceback."""
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
    assert errors == []


def test_on_a_phone_the_lobbys_cards_stack_inside_the_screen(tmp_path, browser):
    command = ("classroom", "--db", str(tmp_path / "classroom.sqlite"))
    with viewer_server(command=command) as url:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url)
        page.get_by_role("button", name="Create room").wait_for(timeout=LOAD_TIMEOUT_MS)
        assert page.title() == "wargame classroom"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        cards = [card.bounding_box() for card in page.locator(".v-card").all()]
        assert len(cards) == 3
        for above, below in itertools.pairwise(cards):
            assert below["y"] >= above["y"] + above["height"]  # one under the other
        assert all(card["x"] >= 0 and card["x"] + card["width"] <= 390 for card in cards)
        assert all(card["width"] >= 300 for card in cards)  # not a third of a phone
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "classroom-phone.png")
        page.close()
