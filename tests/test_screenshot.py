"""docs/screenshot.py, which redraws the README's picture of the viewer, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import CHROMIUM_ENV
from PIL import Image

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "docs" / "screenshot.py"
KIA = (0x00, 0x9E, 0x73)  # the factions' colours in maps/kachin
TATMADAW = (0xD5, 0x5E, 0x00)


def screenshot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def pixels_near(picture: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        count
        for count, pixel in picture.getcolors(picture.width * picture.height)
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
    )


@pytest.mark.browser
def test_the_script_saves_a_picture_of_the_viewer_with_both_sides_on_it(tmp_path):
    out = tmp_path / "images" / "viewer.png"
    done = screenshot("--out", str(out), "--days", "3", "--width", "1280", "--height", "800")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    with Image.open(out) as png:
        picture = png.convert("RGB")
    # the whole page: as wide as the window, taller than it (the charts), but not endless
    assert picture.width == 1280
    assert 800 < picture.height < 2400
    assert len(picture.getcolors(picture.width * picture.height)) > 64
    assert pixels_near(picture, KIA) > 200
    assert pixels_near(picture, TATMADAW) > 200
    assert [p.name for p in out.parent.iterdir()] == ["viewer.png"]  # no temporary file left


def test_a_missing_chromium_is_one_line_and_a_failure(tmp_path):
    out = tmp_path / "viewer.png"
    done = screenshot("--out", str(out), env={CHROMIUM_ENV: str(tmp_path / "no-chromium")})
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Chromium" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
