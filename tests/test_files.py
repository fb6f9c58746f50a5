"""Result files are written whole or not at all, readable as any file the user makes."""

from __future__ import annotations

import os

import pytest

from wargame.files import written_whole


def test_a_finished_file_replaces_the_old_one_with_the_users_usual_mode(tmp_path):
    target = tmp_path / "out" / "series.csv"
    previous = os.umask(0o022)
    try:
        with written_whole(target) as temporary:
            assert temporary.parent == target.parent and temporary.name.startswith(".")
            temporary.write_text("day\n0\n")
            assert not target.exists()
    finally:
        os.umask(previous)
    assert target.read_text() == "day\n0\n"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["series.csv"]


def test_a_failure_half_way_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "map.geojson"
    target.write_text("the last good map")
    with pytest.raises(RuntimeError), written_whole(target) as temporary:
        temporary.write_text("half a ma")
        raise RuntimeError("interrupted")
    assert target.read_text() == "the last good map"
    assert [p.name for p in tmp_path.iterdir()] == ["map.geojson"]
