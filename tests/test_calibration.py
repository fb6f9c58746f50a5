"""The default theatre, over many seeds, tells the seed story most often: its patterns hold.

The patterns and their thresholds are the theatre's own data (`[[patterns]]` in
maps/kachin/history.toml), not a list kept here; the runs are those of
experiments/historical.toml, run by the batch (200 campaigns on all cores, shared by
the slow tests). One test per pattern. Slow; CI runs it.
"""

import pytest

from wargame.analysis.history import read_history
from wargame.analysis.patterns import judge
from wargame.analysis.report import results_patterns
from wargame.scenario import load_theatre

pytestmark = pytest.mark.slow
PATTERNS = read_history(load_theatre("kachin")).patterns


def test_every_calibration_run_ends_ok(kachin_runs):
    assert len(kachin_runs) == 200
    assert (kachin_runs["status"] == "ok").all(), kachin_runs["error"].dropna().iloc[0]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda pattern: pattern.id)
def test_the_theatre_keeps_its_pattern(pattern, kachin_runs):
    verdict = judge(pattern, kachin_runs[kachin_runs["status"] == "ok"])
    assert verdict.holds, (
        f"{pattern.id} ({pattern.note}): required {verdict.required()}, "
        f"measured {verdict.measured()} over {verdict.runs} runs"
    )


def test_the_report_of_the_calibration_judges_the_same_runs_alike(kachin_results, kachin_runs):
    history, judged = results_patterns(kachin_results)
    assert history.patterns == PATTERNS
    (point,) = judged
    ok = kachin_runs[kachin_runs["status"] == "ok"]
    assert [v.value for v in point.verdicts] == [judge(p, ok).value for p in PATTERNS]
