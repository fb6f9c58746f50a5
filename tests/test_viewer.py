"""The viewer's page, rendered by Solara without a browser: it draws, steps, inspects, resets."""

import json
import os
import subprocess
import sys
import tempfile
from functools import partial

import ipyvuetify as v
import pandas as pd
import pytest
from fresh_python import fresh_python
from theatres import passive_model
from viewer_page import (
    charts,
    choose,
    choose_place,
    click,
    expected_map,
    map_day,
    open_folder,
    page_text,
    rc_button,
    render_page,
    set_seed,
    show_panel,
    shown_day,
    sliders,
    wait_until,
)

from wargame import ConflictModel
from wargame.analysis.fork import Change, replay
from wargame.apps.viewer import SCENARIO_ENV, THEATRES_ENV
from wargame.apps.viewer.chart_widget import option_json
from wargame.apps.viewer.event_log import filter_events
from wargame.apps.viewer.inspector import place_report, report_html
from wargame.apps.viewer.levers import levers
from wargame.apps.viewer.map_view import MapWidget
from wargame.drawing.charts import ceasefire_periods, chart_options
from wargame.engine.events import EventKind
from wargame.scenario.parameters import SET_AT_START


@pytest.fixture(autouse=True)
def theatres_in_the_temporary_folder(monkeypatch):
    """Pages may open the test theatres, which are all in the temporary folder."""
    monkeypatch.setenv(THEATRES_ENV, tempfile.gettempdir())


def test_the_page_steps_a_day_and_resets():
    rc = render_page()
    assert shown_day(rc) == 0
    click(rc, "Step one day")
    click(rc, "Step one day")
    assert shown_day(rc) == 2
    click(rc, "Reset")
    assert shown_day(rc) == 0


def test_two_pages_have_their_own_models():
    first, second = render_page(), render_page()
    click(first, "Step one day")
    assert shown_day(first) == 1
    assert shown_day(second) == 0


def test_the_page_shows_the_map_of_its_own_run():
    rc = render_page()
    assert map_day(rc) == expected_map(days=0)
    click(rc, "Step one day")
    click(rc, "Step one day")
    assert map_day(rc) == expected_map(days=2)


def test_the_inspector_shows_the_chosen_place():
    rc = render_page()
    choose_place(rc, "Kanpaiti")
    text = page_text(rc)
    assert "<h3>Kanpaiti" in text
    assert "held by <b>Tatmadaw" in text
    assert "Kanpaiti battalion 1" in text
    choose_place(rc, "Laiza")
    text = page_text(rc)
    assert "<h3>Laiza" in text and "held by <b>Kachin Independence Army" in text
    assert "Kanpaiti battalion" not in text


def test_a_place_clicked_on_the_map_is_the_chosen_place_and_is_ringed():
    rc = render_page()
    (drawn,) = rc.find(MapWidget).widgets
    drawn.selected = "laiza"  # what a click on Laiza's symbol sends
    assert "<h3>Laiza" in page_text(rc)
    assert rc.find(v.Select, label="Place").widget.v_model == "Laiza"
    (ring,) = [s for s in map_day(rc)["series"] if s["id"] == "selected"]
    assert ring["data"][0]["name"] == "Laiza"
    choose_place(rc, "Kanpaiti")  # chosen elsewhere: the map rings it, ready for the next click
    assert drawn.selected == "kanpaiti"
    (ring,) = [s for s in map_day(rc)["series"] if s["id"] == "selected"]
    assert ring["data"][0]["name"] == "Kanpaiti"
    drawn.selected = "../../etc/passwd"  # a page may send any id: it chooses nothing
    assert "<h3>" not in page_text(rc) and drawn.selected == ""


def test_the_charts_grow_a_point_a_day():
    rc = render_page()
    assert {len(s["data"]) for c in charts(rc) for s in c["series"]} == {1}
    for _ in range(3):
        click(rc, "Step one day")
    lengths = {len(s["data"]) for c in charts(rc) for s in c["series"]}
    assert lengths == {4}
    assert len(charts(rc)) == 6


def test_the_story_panel_filters_by_faction_and_kind():
    rc = render_page()
    for _ in range(25):
        click(rc, "Step one day")
    show_panel(rc, "Story")
    every = page_text(rc).count("<li>Day ")
    assert every > 0
    choose(rc, "Kind", "ceasefire")
    ceasefires = page_text(rc).count("<li>Day ")
    assert ceasefires < every
    choose(rc, "Kind", "all")
    choose(rc, "Faction", "NDA-K")
    assert page_text(rc).count("<li>Day ") < every


def test_moving_a_lever_and_resetting_changes_the_models_parameter():
    rc = render_page()
    show_panel(rc, "Levers")
    (label,) = [name for name in sliders(rc) if name.startswith("China's pressure")]
    assert label.endswith("running 0.5")
    sliders(rc)[label].v_model = 0.9
    assert any(name.endswith("running 0.5, <b>0.9 after reset</b>") for name in sliders(rc))
    click(rc, "Step one day")
    click(rc, "Reset")
    assert shown_day(rc) == 0
    assert any(
        name.startswith("China's pressure") and name.endswith("running 0.9") for name in sliders(rc)
    )


def test_play_steps_on_its_own_and_pause_stops_it_without_a_queue():
    rc = render_page()
    choose(rc, "Speed", "flat out")
    click(rc, "Play")
    assert wait_until(lambda: shown_day(rc) >= 3)
    click(rc, "Pause")
    stopped = shown_day(rc)
    assert wait_until(lambda: shown_day(rc) > stopped + 1, timeout=1.0) is False
    click(rc, "Step one day")
    assert shown_day(rc) in (stopped + 1, stopped + 2)  # at most the day being drawn


def test_play_pauses_when_no_browser_is_left_on_the_page(monkeypatch):
    import threading

    import wargame.apps.viewer.app

    browser_there = threading.Event()
    browser_there.set()
    monkeypatch.setattr(wargame.apps.viewer.app, "page_presence", lambda: browser_there.is_set)
    rc = render_page()
    choose(rc, "Speed", "flat out")
    click(rc, "Play")
    assert wait_until(lambda: shown_day(rc) >= 2)
    browser_there.clear()  # the tab closed, or its connection dropped
    assert wait_until(lambda: bool(rc.find(v.Btn, children=["Play"]).widgets), timeout=5.0)
    stopped = shown_day(rc)
    assert wait_until(lambda: shown_day(rc) > stopped, timeout=1.0) is False


def test_a_bad_theatre_folder_shows_a_readable_error(theatre_dir):
    folder = theatre_dir()
    (folder / "map.geojson").write_text("{not json", encoding="utf-8")
    rc = render_page()
    open_folder(rc, folder)
    text = page_text(rc)
    assert "cannot start" in text and "map.geojson" in text and "not valid JSON" in text
    assert "Traceback" not in text


def test_a_users_theatre_folder_opens(theatre_dir):
    folder = theatre_dir()
    rc = render_page()
    open_folder(rc, folder)
    assert "Test theatre" in page_text(rc)
    assert map_day(rc) == expected_map(folder)


def test_the_page_opens_on_the_theatre_wargame_serve_was_given(theatre_dir, monkeypatch):
    folder = theatre_dir()
    monkeypatch.setenv(SCENARIO_ENV, str(folder))
    rc = render_page()
    assert "Test theatre" in page_text(rc)
    assert rc.find(v.Select, label="Theatre").widget.v_model == str(folder)


def test_a_place_report_lists_units_money_and_people(theatre_dir):
    model = passive_model(
        theatre_dir(units=[{"faction": "red", "place": "charlie", "strength": 300}]),
        {"travel_friction": 0.0, "recruits_per_base_per_day": 0},
    )
    report = place_report(model, "charlie")
    assert [(u.faction, u.strength) for u in report.units] == [("Red", 300)]
    assert report.mine_sites == 50 and report.population == 300
    assert report.mine_revenue_per_day == pytest.approx(
        50
        * model.parameters.mine_output_per_site
        * model.parameters.prices["rare_earth"]
        * model.parameters.mine_tax_share
    )
    assert place_report(model, "delta").trade_per_day == pytest.approx(
        1000.0 * model.parameters.trade_share
    )
    assert place_report(model, "sanctum").controller.startswith("foreign ground")


def test_a_place_report_says_when_a_mines_ore_reached_no_buyer(theatre_dir):
    """China buys the ore; Red's only road to it runs through Blue's delta."""
    model = passive_model(
        theatre_dir(
            control={"alpha": "red", "charlie": "red", "delta": "blue"}, buys=["rare_earth"]
        )
    )
    assert "reached no buyer" not in report_html(place_report(model, "charlie"))
    model.step()
    assert model.ore_unsold == {"charlie"}
    assert "today its ore reached no buyer" in report_html(place_report(model, "charlie"))


def test_event_filters_keep_newest_first_and_only_what_was_asked():
    model = ConflictModel("kachin", rng=3)
    model.run(60)
    kia = filter_events(model.events, faction="kia", limit=1000)
    assert kia and all("kia" in e.factions for e in kia)
    assert [e.day for e in kia] == sorted((e.day for e in kia), reverse=True)
    flights = filter_events(model.events, kind="flight", limit=1000)
    assert flights == list(reversed(model.events.of_kind(EventKind.FLIGHT)))
    assert len(filter_events(model.events, limit=5)) == 5


@pytest.mark.parametrize("scenario", ["kachin", "tamsen_island"])
def test_every_lever_is_a_parameter_and_its_slider_stays_inside_the_bounds(scenario):
    model = ConflictModel(scenario, rng=1)
    offered = levers(model.theatre)
    for lever in offered:
        shipped = lever.value(model)
        assert lever.low <= shipped <= lever.high
        steps = (shipped - lever.low) / lever.step
        assert steps == pytest.approx(round(steps)), "the slider would move the shipped value"
        for end in (lever.low, lever.high):  # accepted at both ends, by the theatre's model
            moved = ConflictModel(model.theatre, {lever.parameter: end}, rng=1)
            assert lever.value(moved) == end
    assert [lever.label for lever in offered[:2]] == (
        ["China's pressure for calm", "Price of rare-earth oxide"]
        if scenario == "kachin"
        else ["Vardia's pressure for calm", "Price of rare earth"]
    )


def test_a_theatre_without_a_broker_has_no_pressure_lever_and_a_price_lever_per_commodity(
    theatre_dir,
):
    from theatres import line_map

    features = line_map()
    features[2]["properties"]["mineral"] = "gas"
    theatre = ConflictModel(
        theatre_dir(features=features, broker=None, commodities={"gas": 5.2, "rubies": 2e6}), rng=1
    ).theatre
    offered = {lever.parameter: lever for lever in levers(theatre)}
    assert "broker_pressure" not in offered
    gas, rubies = offered["prices.gas"], offered["prices.rubies"]
    assert (gas.label, gas.step, gas.high) == ("Price of gas", 0.01, pytest.approx(15.6))
    assert (rubies.step, rubies.high) == (10_000.0, 6e6)


def test_ceasefire_bands_cover_exactly_the_days_with_a_truce_in_force():
    frame = pd.DataFrame({"day": range(8), "ceasefires_active": [0, 1, 1, 0, 0, 2, 1, 1]})
    assert ceasefire_periods(frame) == [(1, 2), (5, 7)]


def test_revenue_chart_is_the_daily_difference_of_the_cumulative_income():
    model = ConflictModel("kachin", rng=2)
    model.run(10)
    revenue = chart_options(model)["revenue"]
    (tatmadaw_external,) = [s for s in revenue["series"] if s["name"] == "Tatmadaw external"]
    spec = model.factions["tatmadaw"].spec.economy.external_income_per_day
    assert tatmadaw_external["data"][-1][1] == pytest.approx(spec / 1e6, rel=1e-3)


def test_looking_back_shows_the_run_as_it_was_that_day_and_today_stays():
    rc = render_page()
    for _ in range(5):
        click(rc, "Step one day")
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Look back")]
    slider.v_model = 2
    assert shown_day(rc) == 2 and "today is day 5" in page_text(rc)
    assert map_day(rc) == expected_map(days=2)
    assert all(len(s["data"]) == 3 for c in charts(rc) for s in c["series"])
    slider.v_model = -1
    assert shown_day(rc) == 5 and map_day(rc) == expected_map(days=5)


def fork_at(rc, day: int, name: str, value: str) -> None:
    """Look back to `day` and fork there with `name` set to `value`, as a user does."""
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Look back")]
    slider.v_model = day
    choose(rc, "Parameter", name)
    rc.find(v.TextField, label="New value").widget.v_model = value
    click(rc, f"Fork from day {day}")


def charts_of(model) -> list[dict]:
    return [json.loads(option_json(option)) for option in chart_options(model).values()]


def test_a_fork_from_a_past_day_plays_the_changed_run_and_keeps_the_original():
    rc = render_page()
    for _ in range(6):
        click(rc, "Step one day")
    fork_at(rc, 2, "prices.rare_earth", "0")
    assert shown_day(rc) == 2
    assert "What if: prices.rare_earth = 0 from day 2" in page_text(rc)
    assert "kept at day 6" in page_text(rc)
    for _ in range(3):
        click(rc, "Step one day")
    change = Change(2, {"prices.rare_earth": "0"})
    forked = replay(partial(ConflictModel, "kachin", rng=7), 5, [change])
    original = replay(partial(ConflictModel, "kachin", rng=7), 5)
    assert shown_day(rc) == 5 and charts(rc) == charts_of(forked) != charts_of(original)
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Look back")]
    slider.v_model = 4  # looking back inside the fork replays the change too
    assert charts(rc) == charts_of(replay(partial(ConflictModel, "kachin", rng=7), 4, [change]))
    slider.v_model = -1
    click(rc, "Back to the original run")
    assert shown_day(rc) == 6 and "What if:" not in page_text(rc)
    assert map_day(rc) == expected_map(days=6)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("broker_pressure", "7", "broker_pressure: expected a number from 0 to 1, got '7'"),
        ("broker_pressure", "", "broker_pressure: expected a number from 0 to 1"),
        ("combat_mode", "fierce", "combat_mode: expected one of 'stochastic', 'deterministic'"),
        ("civilian_group_size", "100", "'civilian_group_size' is not a parameter a run can"),
        ("../../etc/passwd", "1", "is not a parameter a run can change"),
    ],
)
def test_a_fork_the_page_sends_is_checked_on_the_server(name, value, words):
    rc = render_page()
    for _ in range(3):
        click(rc, "Step one day")
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Look back")]
    slider.v_model = 1
    # what a page could send whatever the drop-down offers: set on the widget itself
    rc.find(v.Select, label="Parameter").widget.v_model = name
    rc.find(v.TextField, label="New value").widget.v_model = value
    click(rc, "Fork from day 1")
    assert words in page_text(rc)
    assert shown_day(rc) == 1 and "What if:" not in page_text(rc)  # still looking back
    slider.v_model = -1
    assert shown_day(rc) == 3


@pytest.mark.parametrize(("day", "value"), [(3, "1"), (-1, "1"), (1, "1" * 41)])
def test_a_fork_on_a_day_not_played_or_with_an_endless_value_is_refused(day, value):
    from wargame.apps.viewer.what_if import ForkRefused, checked_change

    model = ConflictModel("kachin", rng=7)
    with pytest.raises(ForkRefused):
        checked_change(model, 3, day, "broker_pressure", value)
    assert checked_change(model, 3, 2, "broker_pressure", "1") == Change(
        2, {"broker_pressure": "1"}
    )


def test_a_fork_offers_only_what_a_run_can_change_on_its_way():
    rc = render_page()
    click(rc, "Step one day")
    (slider,) = [w for w in rc.find(v.Slider).widgets if w.label.startswith("Look back")]
    slider.v_model = 0
    offered = rc.find(v.Select, label="Parameter").widget.items
    assert offered[:2] == ["broker_pressure", "prices.rare_earth"]  # the theatre's levers first
    assert "capture_days" in offered and "speed_track_km_per_day" in offered
    assert not set(SET_AT_START) & set(offered)


def test_a_folder_outside_the_theatre_roots_or_an_unknown_exercise_is_refused(
    theatre_dir, monkeypatch
):
    folder = theatre_dir()
    monkeypatch.setenv(THEATRES_ENV, str(folder.parent / "elsewhere"))
    rc = render_page()
    for outside in (folder, "/etc", f"{folder}/../../..", "exercise:/etc/passwd"):
        open_folder(rc, outside)
        text = page_text(rc)
        assert "cannot start" in text, outside
        assert "opens theatre folders inside" in text or "No shipped exercise" in text
    monkeypatch.setenv(THEATRES_ENV, str(folder.parent))
    rc = render_page()
    open_folder(rc, folder)
    assert "Test theatre" in page_text(rc)


def test_a_day_that_raises_is_shown_to_its_page_and_the_other_page_goes_on(monkeypatch):
    step = ConflictModel.step

    def breaks_on_day_two(model):
        if model.seed == 7 and model.day == 1:
            raise RuntimeError("a bug on day two")
        step(model)

    monkeypatch.setattr(ConflictModel, "step", breaks_on_day_two)
    broken, other = render_page(), render_page()
    set_seed(other, 8)
    click(broken, "Step one day")
    click(broken, "Step one day")
    text = page_text(broken)
    assert "Day 2 could not be played: RuntimeError: a bug on day two" in text
    assert shown_day(broken) == 1
    assert rc_button(broken, "Step one day").disabled
    for _ in range(3):
        click(other, "Step one day")
    assert shown_day(other) == 3 and "could not be played" not in page_text(other)
    click(broken, "Reset")
    assert shown_day(broken) == 0


def test_the_viewer_server_says_a_strange_theatre_as_the_cli_does(theatre_dir):
    """One `warning:` line on the server's terminal, and the page opens the theatre."""
    folder = theatre_dir(parameters={"speed_track_km_per_day": 50.0})
    page = (
        "from wargame.apps.viewer.page import open_model\n"
        f"model = open_model({str(folder)!r}, 7)\n"
        "print(model if isinstance(model, str) else model.theatre.title)"
    )
    server = subprocess.run(
        [sys.executable, "-c", page],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, THEATRES_ENV: str(folder.parent)},
    )
    assert server.stdout == "Test theatre\n", server.stderr
    assert server.stderr.splitlines() == [
        "warning: parameters: speed_highway_km_per_day 40, speed_road_km_per_day 25, "
        "speed_track_km_per_day 50: expected highway >= road >= track, the road kinds from "
        "fastest down"
    ]


def test_a_place_report_shows_the_trade_of_any_place_that_has_some():
    model = ConflictModel("kachin", rng=1)
    laiza = model.theatre.map.places["laiza"]
    assert laiza.kind.value == "base" and laiza.trade_per_day > 0
    report = place_report(model, "laiza")
    assert model.trade_revenue("laiza") > 0
    assert report.trade_per_day == pytest.approx(model.trade_revenue("laiza"))


def test_a_model_built_in_python_is_shown_and_stepped_by_the_viewer_component():
    """`Viewer(model)`, as a notebook shows it: that model's theatre and day, and Step
    advances that very model; Reset starts the same run afresh and leaves it be."""
    import html

    import solara
    from solara.components.title import TitleWidget

    from wargame import build_model
    from wargame.apps.viewer import Viewer

    model = build_model("rakhine", seed=5)
    model.run(2)
    _, rc = solara.render(Viewer(model), handle_error=False)
    assert shown_day(rc) == 2
    assert html.escape(model.theatre.title) in page_text(rc)
    assert rc.find(TitleWidget).widget.title.startswith(model.theatre.title)  # the browser tab
    click(rc, "Step one day")
    assert model.day == 3 and shown_day(rc) == 3
    assert map_day(rc) == expected_map("rakhine", seed=5, days=3)
    click(rc, "Reset")
    assert shown_day(rc) == 0 and model.day == 3
    click(rc, "Step one day")
    assert map_day(rc) == expected_map("rakhine", seed=5, days=1)  # the same run from day 0


def test_importing_the_viewer_leaves_the_server_settings_to_the_served_page():
    """A notebook imports `Viewer`; the warnings' format, Solara's asset route and the
    session hooks are the served page's business alone."""
    check = (
        "import sys, warnings\n"
        "before = warnings.showwarning\n"
        "from wargame.apps.viewer import Viewer\n"
        "print(warnings.showwarning is before, 'wargame.apps.viewer.page' in sys.modules)"
    )
    assert fresh_python(check, timeout=300).split() == ["True", "False"]


def test_every_chart_shows_something_on_day_0():
    """A line of one day is a dot (a line needs two points); a chart with no line says so."""
    options = chart_options(ConflictModel("kachin", rng=7))
    for key, option in options.items():
        if option["series"]:
            assert all(s["showSymbol"] and len(s["data"]) == 1 for s in option["series"]), key
        else:
            (words,) = option["graphic"]
            assert "Nothing yet on day 0" in words["style"]["text"], key
    assert not options["revenue"]["series"]  # nobody has been paid on day 0


def test_a_charts_legend_is_one_scrolling_row_above_its_plot():
    """Eleven names wrapped into rows ran over the plot in a narrow column: one paging row,
    whose height the grid leaves room for, fits any width."""
    model = ConflictModel("kachin", rng=7)
    model.run(3)
    options = chart_options(model)
    assert len(options["soldiers"]["series"]) >= 9
    for option in options.values():
        legend, grid = option["legend"], option["grid"]
        assert legend["type"] == "scroll"
        assert not option["graphic"] and not option["series"][0]["showSymbol"]
        assert grid["top"] >= legend["top"] + legend["itemHeight"] + 2 * 5 + 8  # ECharts pads 5


def test_the_units_table_has_room_in_its_cells():
    report = report_html(place_report(ConflictModel("kachin", rng=7), "bhamo"))
    table = report[report.index("<table") : report.index("</table>")]
    cells = table.count("<td") + table.count("<th")
    assert cells >= 5 * 2
    assert table.count("padding: 2px 12px") == cells
