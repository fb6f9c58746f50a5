"""The asset route's file lookup: files under the front-end folder, nothing else."""

import pytest

from wargame.apps.front_end import front_end_file


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "pkg@1.0.0" / "dist").mkdir(parents=True)
    (tmp_path / "pkg@1.0.0" / "dist" / "app.js").write_text("x")
    (tmp_path / "single").mkdir()
    (tmp_path / "single" / "__main.js").write_text("y")
    (tmp_path.parent / "secret.txt").write_text("z")
    return tmp_path


def test_a_file_under_the_folder_is_served(folder):
    assert front_end_file(folder, "pkg@1.0.0/dist/app.js") == folder / "pkg@1.0.0/dist/app.js"
    assert front_end_file(str(folder), "single") == folder / "single" / "__main.js"


@pytest.mark.parametrize(
    "path", ["pkg@1.0.0", "pkg@1.0.0/dist", "pkg@1.0.0/none.js", "../secret.txt"]
)
def test_a_folder_a_missing_file_or_a_way_out_is_not_found(folder, path):
    with pytest.raises(FileNotFoundError):
        front_end_file(folder, path)
    assert (folder / "pkg@1.0.0" / "dist" / "app.js").exists()
