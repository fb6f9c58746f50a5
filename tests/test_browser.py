"""The viewer in a real browser: Debian's Chromium through Playwright, with no internet.

One server for the module (`wargame serve`, as a user starts it); a fresh page
per test. Each test leaves a screenshot in test-artifacts/browser/.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from browser import viewer_server

from wargame.apps.viewer import THEATRES_ENV

pytestmark = pytest.mark.browser
PLACE_POINT = """(place) => {
    const element = document.querySelector(".wargame-map");
    const chart = element.wargameMap;
    element.scrollIntoView({ block: "start" });  // a button under the map may have scrolled it
    for (const series of chart.getOption().series)
        for (const item of series.data || [])
            if (item && item.place === place) {
                const [x, y] = chart.convertToPixel({ geoIndex: 0 }, item.value);
                const box = element.getBoundingClientRect();
                return [box.left + x, box.top + y];
            }
    return null;
}"""
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts" / "browser"
LOAD_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def server_url():
    # pages may open the test theatres, all in the temporary folder
    with viewer_server({THEATRES_ENV: tempfile.gettempdir()}) as url:
        yield url


class Viewer:
    """One browser tab on the viewer, with every console error and failed request noted."""

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        page.goto(url)
        self.step_button.wait_for(timeout=LOAD_TIMEOUT_MS)
        self.wait_for_day(0)

    @property
    def step_button(self):
        return self.page.get_by_role("button", name="Step one day")

    def day(self) -> int:
        return int(re.search(r"Day (\d+)", self.page.locator("h2").first.inner_text()).group(1))

    def wait_for_day(self, day: int, timeout_ms: int = 30_000) -> None:
        self.page.locator("h2", has_text=re.compile(rf"Day {day}\b")).wait_for(timeout=timeout_ms)

    def wait_for_day_at_least(self, day: int, timeout_ms: int = 30_000) -> None:
        self.page.wait_for_function(
            "(day) => { const m = /Day (\\d+)/.exec(document.querySelector('h2')?.innerText);"
            " return m && Number(m[1]) >= day; }",
            arg=day,
            timeout=timeout_ms,
        )

    def step(self) -> None:
        before = self.day()
        self.step_button.click()
        self.wait_for_day(before + 1)

    def panel(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def map_label(self, name: str):
        """A place's name on the map, as the SVG text a reader finds."""
        return self.page.locator(".wargame-map svg text").filter(has_text=re.compile(f"^{name}$"))

    def place_point(self, place: str) -> tuple[float, float]:
        """Where the map draws `place` (its id) in the window, as ECharts says."""
        return tuple(self.page.evaluate(PLACE_POINT, place))

    def shown_labels(self) -> set[str]:
        return set(self.page.locator(".wargame-map svg text").all_text_contents())

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png")


@pytest.fixture
def viewer(browser, server_url, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    opened = []

    def open_page() -> Viewer:
        opened.append(Viewer(context.new_page(), server_url))
        return opened[-1]

    yield open_page
    for number, tab in enumerate(opened):
        tab.shot(f"{request.node.name}-{number}")
    context.close()


def test_the_page_loads_with_its_map_and_charts_and_no_console_error(viewer):
    tab = viewer()
    tab.page.locator(".wargame-chart canvas").nth(5).wait_for(timeout=LOAD_TIMEOUT_MS)
    tab.page.wait_for_timeout(1000)
    assert tab.errors == []


def test_place_names_are_text_and_a_hover_tells_the_places_story(viewer):
    tab = viewer()
    tab.map_label("Myitkyina").wait_for(timeout=LOAD_TIMEOUT_MS)  # text, not pixels
    assert tab.page.get_by_text("Myitkyina", exact=True).count() >= 1  # as find-in-page sees it
    tab.page.mouse.move(*tab.place_point("putao"))
    summary = tab.page.get_by_text(re.compile(r"town, held by Tatmadaw"))
    summary.wait_for()
    assert "Putao" in summary.inner_text() and "15,000 people" in summary.inner_text()
    tab.shot("hover")
    assert tab.errors == []


def test_a_click_on_a_place_chooses_it_and_the_inspector_follows(viewer):
    tab = viewer()
    tab.map_label("Putao").wait_for(timeout=LOAD_TIMEOUT_MS)
    tab.page.mouse.click(*tab.place_point("putao"))
    tab.page.locator("h3", has_text="Putao").wait_for()
    assert "held by Tatmadaw" in tab.page.locator("h3 + p").first.inner_text()
    tab.page.mouse.click(*tab.place_point("hpakant"))
    tab.page.locator("h3", has_text="Hpakant").wait_for()
    assert tab.errors == []


def test_zoom_shows_more_names_and_the_view_stays_when_the_day_changes(viewer):
    tab = viewer()
    tab.map_label("Myitkyina").wait_for(timeout=LOAD_TIMEOUT_MS)
    tab.page.wait_for_timeout(500)

    def spread() -> float:
        (x0, y0), (x1, y1) = tab.place_point("myitkyina"), tab.place_point("bhamo")
        return ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5

    whole, names = spread(), tab.shown_labels()
    tab.page.mouse.move(*tab.place_point("myitkyina"))
    for _ in range(8):
        tab.page.mouse.wheel(0, -300)
        tab.page.wait_for_timeout(150)
    tab.page.wait_for_timeout(500)
    zoomed = spread()
    assert zoomed > 1.5 * whole, "the wheel zooms in"
    assert tab.shown_labels() - names  # names hidden by their neighbours appear
    tab.step()
    tab.page.wait_for_timeout(300)
    assert spread() == pytest.approx(zoomed, rel=0.01)  # the new day kept the user's view
    tab.page.get_by_role("button", name="Whole theatre").click()
    tab.page.wait_for_timeout(300)
    assert spread() == pytest.approx(whole, rel=0.01)
    tab.page.mouse.click(*tab.place_point("putao"))
    tab.page.get_by_role("button", name="Zoom to the chosen place").click()
    tab.page.wait_for_timeout(300)
    assert spread() > 2 * whole
    tab.shot("zoomed")
    assert tab.errors == []


def test_stepping_advances_the_day_and_adds_events(viewer):
    tab = viewer()
    tab.panel("Story")
    assert tab.page.locator("ul.wargame-story li").first.inner_text() == "Nothing yet."
    for _ in range(4):
        tab.step()
    assert tab.day() == 4
    story = tab.page.locator("ul.wargame-story li")
    assert story.count() > 0
    assert all(text.startswith("Day ") for text in story.all_inner_texts())
    assert tab.errors == []


def test_a_slider_and_reset_change_the_models_parameter(viewer):
    tab = viewer()
    tab.panel("Levers")
    label = tab.page.get_by_text(re.compile(r"China's pressure .*: running 0\.5$"))
    label.wait_for()
    thumb = tab.page.locator(
        "xpath=(//div[contains(@class, 'wargame-lever')])[1]/following::*[@role='slider'][1]"
    )
    thumb.focus()
    thumb.press("ArrowRight")
    thumb.press("ArrowRight")
    tab.page.get_by_text(re.compile(r"running 0\.5, 0\.6 after reset")).wait_for()
    tab.page.get_by_text(re.compile(r"Price of rare-earth oxide .*: running 33600$")).wait_for()
    tab.step()
    tab.page.get_by_role("button", name="Reset").click()
    tab.wait_for_day(0)
    tab.page.get_by_text(re.compile(r"China's pressure .*: running 0\.6$")).wait_for()
    assert tab.errors == []


def test_two_pages_run_their_own_models(viewer):
    first, second = viewer(), viewer()
    first.step()
    first.step()
    second.page.reload()
    second.step_button.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert first.day() == 2
    assert second.day() == 0


def test_play_runs_days_and_pause_stops_them(viewer):
    tab = viewer()
    tab.page.get_by_role("button", name="Play").click()
    tab.wait_for_day_at_least(3)
    tab.page.get_by_role("button", name="Pause").click()
    tab.page.get_by_role("button", name="Play").wait_for()
    stopped = tab.day()
    tab.page.wait_for_timeout(2000)
    assert tab.day() <= stopped + 1  # at most the day that was being drawn
    assert tab.errors == []


def test_a_bad_theatre_folder_shows_a_readable_error(viewer, theatre_dir):
    folder = theatre_dir()
    (folder / "setup.toml").write_text("[scenario\n", encoding="utf-8")
    tab = viewer()
    field = tab.page.get_by_label("Or open your own theatre folder")
    field.fill(str(folder))
    field.press("Enter")
    alert = tab.page.get_by_text("This run cannot start")
    alert.wait_for()
    text = alert.inner_text()
    assert "setup.toml" in text and "not valid TOML" in text
    assert "Traceback" not in tab.page.inner_text("body")


def test_the_series_downloads_as_csv(viewer, tmp_path):
    tab = viewer()
    for _ in range(3):
        tab.step()
    tab.panel("Download")
    with tab.page.expect_download() as download:
        tab.page.get_by_text("Daily series (CSV)").click()
    path = tmp_path / "series.csv"
    download.value.save_as(path)
    frame = pd.read_csv(path)
    assert list(frame["day"]) == [0, 1, 2, 3]
    assert "kia_places_held" in frame.columns


def test_looking_back_and_forking_plays_the_changed_run_and_keeps_the_original(viewer):
    tab = viewer()
    for _ in range(6):
        tab.step()
    thumb = tab.page.locator(
        "xpath=//*[contains(text(), 'Look back to day')]/following::*[@role='slider'][1]"
    )
    thumb.focus()
    for _ in range(3):  # from -1 (today) to day 2
        thumb.press("ArrowRight")
    tab.wait_for_day(2)
    tab.page.get_by_text("What if, from day 2").wait_for()
    what_if = tab.page.locator(".wargame-what-if")
    what_if.locator("[aria-haspopup=listbox]", has=tab.page.get_by_text("Parameter")).click()
    tab.page.get_by_role("option", name="prices.rare_earth", exact=True).click()
    tab.page.get_by_role("listbox").wait_for(state="hidden")
    tab.page.get_by_text("Price of rare-earth oxide: running 33600;").wait_for()
    value = tab.page.get_by_label("New value")
    value.fill("99")
    value.press("Tab")
    tab.page.get_by_role("button", name="Fork from day 2").click()
    tab.page.get_by_text("What if: prices.rare_earth = 99 from day 2").wait_for()
    tab.shot("fork-made")
    assert tab.day() == 2
    tab.step()
    assert tab.day() == 3
    tab.page.get_by_role("button", name="Back to the original run").click()
    tab.wait_for_day(6)
    # the banner goes with the fork (the page may redraw it a moment after the day shows)
    tab.page.get_by_text("What if: prices.rare_earth").wait_for(state="detached")
    assert tab.errors == []


# Each chart's legend and plot as ECharts laid them out: [x, y, width, height] in pixels.
CHART_BOXES = """async () => {
  const cdn = (window.solara && window.solara.cdn) || "_solara/cdn";
  const echarts = await new Promise((done) =>
    window.requirejs([`${cdn}/echarts@5.4.0/dist/echarts.min.js`], done));
  return Array.from(document.querySelectorAll(".wargame-chart"), (div) => {
    const chart = echarts.getInstanceByDom(div);
    const legend = chart.getViewOfComponentModel(chart.getModel().getComponent("legend")).group;
    const box = legend.getBoundingRect().clone();
    box.applyTransform(legend.getComputedTransform());
    const grid = chart.getModel().getComponent("grid").coordinateSystem.getRect();
    return {legend: [box.x, box.y, box.width, box.height],
            grid: [grid.x, grid.y, grid.width, grid.height]};
  });
}"""


def test_the_tab_names_the_theatre_and_no_banner_covers_the_page(viewer):
    tab = viewer()
    assert tab.page.title().startswith("Kachin State, 2024")
    assert tab.page.get_by_text("This website runs on").count() == 0


def test_at_a_laptops_size_every_legend_sits_above_its_plot(viewer):
    tab = viewer()
    for _ in range(3):
        tab.step()
    tab.page.locator(".wargame-chart canvas").nth(5).wait_for(timeout=LOAD_TIMEOUT_MS)
    boxes = tab.page.evaluate(CHART_BOXES)
    assert len(boxes) == 6
    for box in boxes:
        _, legend_top, _, legend_height = box["legend"]
        assert legend_height > 0 and legend_top + legend_height <= box["grid"][1], box


def test_on_a_phone_the_columns_stack_and_nothing_is_cut_off(browser, server_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = Viewer(context.new_page(), server_url)
        page = tab.page
        page.locator(".wargame-chart canvas").nth(5).wait_for(timeout=LOAD_TIMEOUT_MS)
        width = page.evaluate("() => window.innerWidth")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        page.locator(".wargame-map svg text").first.wait_for(timeout=LOAD_TIMEOUT_MS)
        the_map = page.locator(".wargame-map").first.bounding_box()
        assert the_map["x"] >= 0 and the_map["x"] + the_map["width"] <= width
        assert the_map["width"] >= 0.8 * width  # readable, not a 40% column
        tabs = ("Place", "Story", "Levers", "Download", "Whole theatre", "Zoom to the chosen place")
        for name in tabs:
            button = page.locator("button", has_text=re.compile(f"^{name}$")).bounding_box()
            assert button["x"] >= 0 and button["x"] + button["width"] <= width, name
        panel = page.locator("button", has_text=re.compile("^Place$")).bounding_box()
        assert panel["y"] >= the_map["y"] + the_map["height"]  # stacked under the map
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "phone.png")
        assert tab.errors == []
    finally:
        context.close()


def test_the_run_so_far_downloads_as_a_time_lapse_gif(viewer, tmp_path):
    from PIL import Image

    from wargame.drawing.timelapse import DEFAULT_EVERY, frame_days

    tab = viewer()
    for _ in range(5):
        tab.step()
    tab.panel("Download")
    with tab.page.expect_download(timeout=120_000) as download:
        tab.page.get_by_text("Time-lapse of the run so far (GIF)").click()
    assert download.value.suggested_filename == "kachin-seed7-timelapse.gif"
    path = tmp_path / "timelapse.gif"
    download.value.save_as(path)
    assert Image.open(path).n_frames == len(frame_days(5, DEFAULT_EVERY))
    assert not tab.errors
