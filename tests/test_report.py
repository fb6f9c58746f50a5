"""The batch report: Wilson intervals by the closed form, figures and tables that say their n."""

import math
import re

import pandas as pd
import pytest
from test_batch import OUTCOMES, UNITS
from test_experiments import write_experiment

from wargame.analysis import report as report_module
from wargame.analysis.batch import run_batch
from wargame.analysis.experiments import load_experiment
from wargame.analysis.report import build_report, final_control, number_text, wilson_interval
from wargame.analysis.results import read_runs
from wargame.cli import main


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (17, 40), (1, 1)])
def test_the_wilson_interval_is_the_closed_form(k, n):
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(max(0.0, centre - half), abs=1e-9)
    assert high == pytest.approx(min(1.0, centre + half), abs=1e-9)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from theatres import write_theatre

    root = tmp_path_factory.mktemp("report")
    write_theatre(root / "theatre", units=UNITS)
    path = write_experiment(root, OUTCOMES, seeds="6\nkeep_series = true")
    out = root / "results"
    run_batch(load_experiment(path), out, jobs=1)
    return out


def test_the_report_page_shows_every_figure_and_the_odds_of_the_runs(results, tmp_path):
    out = build_report(results, tmp_path / "report")
    page = (out / "index.html").read_text()
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures and re.findall(r"src='(figure-\d+\.png)'", page) == figures
    runs = read_runs(results)
    odds = pd.read_csv(out / "tables" / "odds-red_took_bravo-capture_days.csv")
    for row in odds.itertuples():
        chosen = runs[runs["capture_days"] == row.capture_days]
        assert row.runs == len(chosen) == 6
        assert row.true == chosen["outcome.red_took_bravo"].sum()
        assert (row.wilson_low, row.wilson_high) == pytest.approx(wilson_interval(row.true, 6))
    assert "12 runs: 12 ok, 0 failed" in page
    assert page.count("n = ") >= 2 and "runs per row" in page


def test_the_report_pairs_each_grid_value_with_the_baseline_seed_by_seed(results, tmp_path):
    """capture_days = [1, 3] over 6 seeds; the theatre's own value, 3, is the baseline."""
    out = build_report(results, tmp_path / "report")
    table = pd.read_csv(out / "tables" / "paired-differences.csv")
    runs = read_runs(results).set_index(["capture_days", "seed"])
    numbers = ["red_took_bravo", "red_took_bravo.day", "most_displaced", "captures"]
    numbers.append("first_red_capture")
    assert sorted(table["outcome"]) == sorted(["red_holds_bravo_day_6", *numbers])
    assert set(table["parameter"]) == {"capture_days"}
    assert (table["value"] == 1).all() and (table["baseline"] == 3).all()
    assert (table["pairs"] == 6).all() and (table["dropped"] == 0).all()
    for row in table.itertuples():
        column = f"outcome.{row.outcome}"
        days = row.outcome.endswith(".day") or row.outcome == "first_red_capture"
        fill = 12 + 1 if days else None  # never taken (no capture): the day after the run
        arm, base = (runs.loc[value][column].astype(float) for value in (1, 3))
        if fill is not None:
            arm, base = arm.fillna(fill), base.fillna(fill)
        assert row.mean_difference == pytest.approx((arm - base).mean())
        assert row.paired_low <= row.mean_difference <= row.paired_high or math.isnan(
            row.paired_low
        )
    page = (out / "index.html").read_text()
    assert "Paired differences against the baseline" in page
    assert "capture_days = 3 (its unswept value)" in page
    assert "n = pairs per row" in page


def test_wargame_report_prints_the_paired_differences(results, tmp_path, capsys):
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert "Paired differences against the baseline" in out
    assert "Baselines: capture_days = 3 (its unswept value)." in out
    table = pd.read_csv(tmp_path / "report" / "tables" / "paired-differences.csv")
    captures = table.set_index("outcome").loc["captures"]
    low, high = (number_text(v) for v in (captures.paired_low, captures.paired_high))
    assert f"{low} to {high}" in out


@pytest.mark.parametrize(
    ("value", "text"), [(72941.4, "72,941"), (-1234.5, "-1,234"), (0.04861, "0.0486"), (93.0, "93")]
)
def test_a_tables_numbers_read_as_numbers(value, text):
    assert number_text(value) == text
    assert number_text(float("nan")) == "-"


def test_final_control_shares_add_up_to_one_per_place(results):
    runs = read_runs(results)
    control = final_control(runs, ["alpha", "bravo", "charlie", "delta"])
    assert control.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert control.loc["bravo"].get("red", 0.0) == pytest.approx(
        (runs["control.bravo"] == "red").mean()
    )


def test_a_failed_report_leaves_the_previous_one_whole(results, tmp_path, monkeypatch):
    out = build_report(results, tmp_path / "report")
    before = (out / "index.html").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "_fan_figure", broken)
    with pytest.raises(RuntimeError):
        build_report(results, tmp_path / "report")
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_report_of_a_folder_that_is_not_results_is_one_line_and_exit_1(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "not a results folder" in error


def test_a_long_report_off_a_terminal_says_each_step_on_stderr(
    results, tmp_path, capsys, monkeypatch
):
    from wargame import progress

    monkeypatch.setattr(progress, "PLAIN_EVERY_SECONDS", 0.0)  # every step counts as long
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    captured = capsys.readouterr()
    assert captured.out.endswith(f"report written to {tmp_path / 'report' / 'index.html'}\n")
    figures = len(list((tmp_path / "report").glob("figure-*.png")))
    steps = [re.match(r"report: (\d+)/(\d+) steps, ([^,]+)", x) for x in captured.err.splitlines()]
    assert [(int(s[1]), int(s[2])) for s in steps] == [
        (n, 1 + figures) for n in range(1, 2 + figures)
    ]
    assert steps[0][3] == "read the results"
    assert steps[-1][3] == f"drew figure {figures} of {figures}"


def test_the_report_charts_control_of_the_towns_the_runs_own_parameters_call_key():
    import pandas as pd

    from wargame.analysis.report import key_places
    from wargame.scenario import load_theatre

    theatre = load_theatre("kachin")
    towns = {p.id: p.population for p in theatre.map.places.values() if p.kind.value == "town"}
    columns = {f"control.{p}": ["x"] for p in theatre.map.places}

    def charted(threshold: int) -> set[str]:
        runs = pd.DataFrame({**columns, "parameters.key_town_population": [threshold]})
        return set(key_places(theatre, runs)) & set(towns)

    assert charted(0) == set(towns)
    assert charted(10**9) == set()
    middle = sorted(towns.values())[len(towns) // 2]
    assert charted(middle) == {t for t, people in towns.items() if people >= middle}


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_report_out_onto_someone_elses_folder_or_file_is_refused_and_left_alone(
    results, tmp_path, capsys, kind
):
    """A report replaces its folder whole: --out naming a folder of other work, or a
    file, is refused before anything is written, and what was there is kept."""
    out = tmp_path / "thesis"
    if kind == "folder":
        out.mkdir()
        (out / "chapter1.txt").write_text("months of work")
        kept = out / "chapter1.txt"
    else:
        out.write_text("months of work")
        kept = out
    assert main(["report", str(results), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: --out ") and str(out) in error
    assert kept.read_text() == "months of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis"]


def test_report_out_replaces_an_earlier_report_but_not_the_folder_it_runs_in(
    results, tmp_path, monkeypatch, capsys
):
    out = build_report(results, tmp_path / "report")
    (out / "index.html").write_text("stale")
    assert main(["report", str(results), "--out", str(out)]) == 0
    assert (out / "index.html").read_text() != "stale"
    monkeypatch.chdir(out)
    assert main(["report", str(results), "--out", "."]) == 1
    assert "holds the current folder" in capsys.readouterr().err
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
