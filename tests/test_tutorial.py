"""The theatre-building tutorial, run step by step as a reader would, on a fresh folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.doc_sessions import run_guide
from wargame.scenario import load_theatre, paths

DOCS = Path(__file__).resolve().parent.parent / "docs"
TUTORIAL = DOCS / "tutorial.md"
SHIPPED = "tamsen_island"


@pytest.mark.slow
@pytest.mark.browser  # it starts the viewer server the tutorial opens
def test_the_tutorial_runs_as_written_and_builds_the_shipped_theatre(tmp_path: Path) -> None:
    shutil.copytree(DOCS / "tutorial", tmp_path, dirs_exist_ok=True)  # the QGIS layers
    assert run_guide(TUTORIAL, tmp_path) >= 20
    built = tmp_path / "tamsen"
    shipped = paths.maps_dir() / SHIPPED
    files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
    for name in files:
        assert (built / name).read_bytes() == (shipped / name).read_bytes(), name
    assert (tmp_path / "tamsen.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.suffix for p in (tmp_path / "tamsen_charts").iterdir()) == [".png"] * len(
        list((tmp_path / "tamsen_charts").iterdir())
    )


def test_the_qgis_layers_make_the_same_network_as_the_spreadsheets(tmp_path: Path) -> None:
    """The tutorial's two routes to a map agree: same places, same roads, same border."""
    from wargame.scenario import load_map
    from wargame.scenario.importer import import_map

    import_map(sorted((DOCS / "tutorial" / "qgis").glob("*.geojson")), tmp_path / "qgis.geojson")
    drawn = load_map(tmp_path / "qgis.geojson")
    shipped = load_theatre(SHIPPED).map
    assert drawn.places == shipped.places
    assert {frozenset((r.a, r.b)): r.kind for r in drawn.roads} == {
        frozenset((r.a, r.b)): r.kind for r in shipped.roads
    }
    assert drawn.border == shipped.border
