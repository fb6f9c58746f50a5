"""`wargame run --map/--plots`: the viewer's own map and charts as files; progress on stderr."""

import io
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from wargame import ConflictModel, progress
from wargame.analysis.batch import progress_display as batch_progress_display
from wargame.cli import main
from wargame.drawing.charts import Chart, ChartLine, campaign_charts, ceasefire_periods
from wargame.drawing.map_figure import MARKERS, draw_theatre
from wargame.drawing.map_state import NEUTRAL
from wargame.drawing.plots import chart_figure
from wargame.scenario import load_theatre

DAYS, SEED = 20, 7
CHARTS = {"places_held", "border_posts_held", "mine_sites_held", "revenue", "soldiers", "civilians"}
SVG = "{http://www.w3.org/2000/svg}"


def the_cli_run() -> ConflictModel:
    """The model `wargame run --days 20 --seed 7` ends with (the same seed gives the same run)."""
    model = ConflictModel(load_theatre("kachin"), rng=SEED)
    model.run(DAYS)
    return model


def run(*options: str) -> int:
    return main(["run", "--days", str(DAYS), "--seed", str(SEED), *options])


def pixels(source) -> np.ndarray:
    return np.asarray(Image.open(source).convert("RGB"))


def test_the_png_map_is_the_viewers_drawing_of_the_last_day(tmp_path, capsys):
    path = tmp_path / "new" / "folder" / "final.png"
    assert run("--map", str(path)) == 0
    assert f"map written to {path}" in capsys.readouterr().err
    with Image.open(path) as image:
        assert image.format == "PNG"
    expected = io.BytesIO()
    draw_theatre(the_cli_run()).savefig(expected, format="png")
    assert np.array_equal(pixels(path), pixels(expected))
    assert [p.name for p in path.parent.iterdir()] == ["final.png"]  # no temporary file left


def test_the_svg_map_fills_each_place_with_the_colour_of_its_holder_at_the_end(tmp_path):
    path = tmp_path / "final.svg"
    assert run("--map", str(path)) == 0
    model = the_cli_run()
    places = model.theatre.map.places.values()
    drawn = {  # each kind's symbols in the order of the map's places (as <use> or <path>)
        group.get("id"): [
            re.search(r"fill: (#\w+)", symbol.get("style")).group(1)
            for symbol in group.iter()
            if symbol.tag in (f"{SVG}use", f"{SVG}path") and symbol.get("style")
        ]
        for group in ET.parse(path).getroot().iter(f"{SVG}g")
        if (group.get("id") or "").startswith("places-")
    }
    expected = {}
    for kind in MARKERS:
        holders = [model.controller.get(p.id) for p in places if p.kind is kind]
        colours = [model.factions[h].colour if h else NEUTRAL for h in holders]
        if colours:
            expected[f"places-{kind.value}"] = [to_hex(c) for c in colours]
    assert drawn == expected
    assert len({c for fills in drawn.values() for c in fills}) >= 3  # every faction holds some


def test_a_map_that_is_not_png_or_svg_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    def no_run(model):
        raise AssertionError("the run started")

    monkeypatch.setattr(ConflictModel, "step", no_run)
    assert run("--map", str(tmp_path / "final.jpg")) == 1
    assert capsys.readouterr().err == (
        f"error: --map {tmp_path / 'final.jpg'}: expected a file ending in .png or .svg\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_plots_writes_each_chart_as_a_png_into_a_new_folder(tmp_path, capsys):
    folder = tmp_path / "charts" / "run-7"
    assert run("--plots", str(folder)) == 0
    assert str(folder) in capsys.readouterr().err
    assert {p.name for p in folder.iterdir()} == {f"{name}.png" for name in CHARTS}
    for path in folder.iterdir():
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (800, 450)
            image.verify()


def test_plots_of_a_run_of_no_days_are_written_too(tmp_path):
    assert main(["run", "--days", "0", "--seed", "1", "--plots", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.png"))) == len(CHARTS)


def test_the_charts_lines_end_at_the_summarys_numbers(capsys):
    assert run("--json") == 0
    summary = json.loads(capsys.readouterr().out)
    model = the_cli_run()
    charts = campaign_charts(model)
    assert set(charts) == CHARTS
    for faction_id, measures in summary["factions"].items():
        short = model.factions[faction_id].short_name
        (held,) = [line for line in charts["places_held"].lines if line.faction == faction_id]
        assert held.values[-1] == measures["places_held"]
        (in_play,) = [x for x in charts["soldiers"].lines if x.label == f"{short} in play"]
        assert in_play.values[-1] == measures["strength"]
    (displaced,) = [x for x in charts["civilians"].lines if x.label == "displaced"]
    assert displaced.values[-1] == summary["civilians"]["displaced"]
    assert all(len(line.values) == DAYS + 1 for c in charts.values() for line in c.lines)


def test_the_browser_and_the_png_draw_the_same_chart_content():
    from wargame.drawing.charts import chart_options

    model = the_cli_run()
    options = chart_options(model)
    for key, chart in campaign_charts(model).items():
        series = options[key]["series"]
        assert [s["name"] for s in series] == [line.label for line in chart.lines]
        drawn = chart_figure(chart).axes[0].get_lines()
        assert [d.get_label() for d in drawn] == [line.label for line in chart.lines]
        for line, echarts, matplotlib_line in zip(chart.lines, series, drawn, strict=True):
            assert [v for _, v in echarts["data"]] == list(line.values)
            assert list(matplotlib_line.get_ydata()) == list(line.values)
            assert echarts["color"] == line.colour
            assert to_hex(matplotlib_line.get_color()) == to_hex(line.colour)


def test_a_chart_figure_draws_styles_and_ceasefire_bands_as_the_viewer_does():
    days = np.arange(8.0)
    chart = Chart(
        "Test",
        days,
        [
            ChartLine("a", days, "#009E73", "solid"),
            ChartLine("b", days, "#D55E00", "dashed"),
            ChartLine("c", days, "#0072B2", "dotted"),
        ],
        ceasefire_periods_of([0, 1, 1, 0, 0, 2, 1, 1]),
    )
    ax = chart_figure(chart).axes[0]
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--", ":"]
    assert all(line.get_drawstyle() == "steps-post" for line in ax.get_lines())
    bands = [p.get_x() for p in ax.patches], [p.get_x() + p.get_width() for p in ax.patches]
    assert bands == ([0.5, 4.5], [2.5, 7.5])
    legend = ax.figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b", "c", "ceasefire"]


def ceasefire_periods_of(active: list[int]) -> list[tuple[int, int]]:
    import pandas as pd

    return ceasefire_periods(pd.DataFrame({"day": range(len(active)), "ceasefires_active": active}))


# --- progress ---------------------------------------------------------------------------


def test_a_long_run_off_a_terminal_prints_plain_progress_lines_to_stderr_only(capsys, monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0.0)  # every day counts as long
    assert run("--json") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["days"] == DAYS
    lines = captured.err.splitlines()
    assert len(lines) == DAYS
    assert all(re.fullmatch(rf"kachin, seed 7: \d+/{DAYS} days, ETA \d+m\d\ds", x) for x in lines)
    assert lines[-1].startswith(f"kachin, seed 7: {DAYS}/{DAYS} days")


def test_a_short_run_prints_no_progress(capsys):
    assert run("--json") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    json.loads(captured.out)


class Clock:
    """Stands in for the `time` module in `wargame.progress`: the test says what time it is."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def test_plain_progress_waits_for_the_interval_and_then_closes_with_the_last_step(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(progress, "time", clock)
    stream = io.StringIO()
    with progress.show_progress("job", "steps", stream) as update:
        for now, done, note in [(3.0, 1, ""), (11.0, 2, "half"), (12.0, 3, ""), (15.0, 4, "")]:
            clock.now = now
            update(done, 4, note)  # 3 s and 12 s: too soon; 15 s: the last, as one was printed
    assert stream.getvalue().splitlines() == [
        "job: 2/4 steps, half, ETA 0m11s",
        "job: 4/4 steps, ETA 0m00s",
    ]


def test_a_quick_command_prints_not_even_its_last_step(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(progress, "time", clock)
    stream = io.StringIO()
    with progress.show_progress("job", "steps", stream) as update:
        clock.now = 9.0
        update(4, 4)
    assert stream.getvalue() == ""


def test_a_batch_still_gets_its_first_line_at_once():
    from wargame.analysis.batch import Progress as Tally

    stream = io.StringIO()
    with batch_progress_display("exp", stream) as on_progress:
        on_progress(Tally(total=10, done=1, failed=0))
    assert stream.getvalue().startswith("exp: 1/10 runs, 0 failed, ETA ")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_run_draws_a_bar_that_it_clears():
    stream = Terminal()
    with progress.show_progress("kachin, seed 7", "days", stream) as update:
        update(5, 10)
    shown = stream.getvalue()
    assert "5/10" in shown and "days" in shown
    assert "\x1b[2K" in shown  # the bar's line erased, so the summary after it reads cleanly


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_a_map_and_charts_go_with_json_output_which_stays_json(tmp_path, capsys, suffix):
    assert run("--json", "--map", str(tmp_path / f"m{suffix}"), "--plots", str(tmp_path)) == 0
    assert json.loads(capsys.readouterr().out)["seed"] == SEED
