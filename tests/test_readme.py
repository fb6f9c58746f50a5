"""The README's tour, run as a newcomer would type it, in a fresh folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doc_sessions import blocks, commands, run_guide

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.slow
@pytest.mark.browser  # it starts the viewer and classroom servers the tour opens
def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    assert run_guide(README, tmp_path) >= 7
    assert (tmp_path / "kachin.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list((tmp_path / "charts").glob("*.png"))) == 6
    assert (tmp_path / "results" / "first_look" / "report" / "index.html").is_file()
    assert (tmp_path / "my_island_series.csv").is_file()


def test_the_tour_runs_every_part_it_names() -> None:
    """The viewer, a run, a batch and its report, the classroom and a new theatre each
    appear as a command the tour test runs, not only as text."""
    ran = [command for block in blocks(README.read_text()) for command, _ in commands(block)]
    for needed in ("wargame serve", "wargame run", "wargame batch", "wargame report",
                   "wargame classroom", "wargame new-theatre"):  # fmt: skip
        assert any(command.startswith(needed) for command in ran), needed


def test_the_readme_shows_the_viewer_picture_and_how_to_remake_it() -> None:
    picture = README.parent / "docs" / "images" / "viewer.png"
    assert "](docs/images/viewer.png)" in README.read_text()
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "python docs/screenshot.py" in README.read_text()
