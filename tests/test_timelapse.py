"""The time-lapse (`wargame run --animate`, the viewer's download): its frames say the date,
name the places taken and draw the front; the files decode with the frames expected, and a
bad name or a failure leaves nothing behind."""

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from fresh_python import fresh_python
from PIL import Image

from wargame.analysis.fork import replayed
from wargame.cli import build_parser, main
from wargame.drawing import timelapse
from wargame.drawing.labels import short_name
from wargame.drawing.timelapse import (
    CAPTURE_COLOUR,
    CAPTURE_RING_PX,
    CAPTURE_RING_WIDTH_PX,
    DEFAULT_EVERY,
    DEFAULT_FPS,
    FOOTER_PX,
    UNCHANGED,
    FrameDrawer,
    GifWriter,
    frame_days,
    front_roads,
    timelapse_gif,
)
from wargame.engine.events import EventKind
from wargame.engine.model import build_model

WARGAME = str(Path(sys.executable).parent / "wargame")
SEED = 7


def kachin():
    return build_model("kachin", {}, SEED)


def first_capture(model) -> tuple[int, str]:
    """The first day a place changes hands in `model`'s run, and that place."""
    while True:
        model.step()
        captures = [e for e in model.events.since(model.day) if e.kind is EventKind.CAPTURE]
        if captures:
            return model.day, captures[0].place


def gif_frames(path_or_image) -> list[np.ndarray]:
    image = path_or_image if isinstance(path_or_image, Image.Image) else Image.open(path_or_image)
    frames = []
    for number in range(image.n_frames):
        image.seek(number)
        frames.append(np.asarray(image.convert("RGB")))
    return frames


@pytest.mark.parametrize(
    ("last_day", "every", "days"),
    [(12, 3, [0, 3, 6, 9, 12]), (10, 3, [0, 3, 6, 9, 10]), (0, 2, [0]), (4, 1, [0, 1, 2, 3, 4])],
)
def test_frames_are_day_0_every_nth_day_and_the_last(last_day, every, days):
    assert frame_days(last_day, every) == days


def test_the_capture_day_frame_rings_and_names_the_place_and_the_day_before_does_not():
    day, place_id = first_capture(kachin())
    drawer, frames = None, {}
    for model in replayed(kachin, day):
        drawer = drawer or FrameDrawer(model)
        frames[model.day] = drawer.draw(model)
    name = short_name(model.theatre.map.places[place_id])
    taken, before = frames[day], frames[day - 1]
    assert place_id in taken.captured and place_id not in before.captured
    assert name in taken.captions[1:-1]  # written at the place on the map
    assert f"On day {day}, changed hands:" in taken.captions[-1] and name in taken.captions[-1]
    assert str(model.date.year) in taken.captions[0] and f"day {day}" in taken.captions[0]
    assert before.captions[-1] == f"On day {day - 1}: no place changed hands."
    # the ring is drawn in its colour on the capture day's picture, and not the day before
    place = model.theatre.map.places[place_id]
    ((x, y),) = drawer.map.ax.transData.transform([(place.lon, place.lat)])
    ring = (
        round(x + CAPTURE_RING_PX - CAPTURE_RING_WIDTH_PX / 2),
        round(taken.image.height - FOOTER_PX - y),
    )
    assert taken.image.size == before.image.size
    assert _near(taken.image.getpixel(ring), CAPTURE_COLOUR)
    assert not _near(before.image.getpixel(ring), CAPTURE_COLOUR)


def _near(pixel, colour, tolerance=40) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour, strict=False)) < tolerance


def test_a_frame_of_several_days_names_every_capture_since_the_frame_before():
    day, place_id = first_capture(kachin())
    drawer = None
    for model in replayed(kachin, day + 1):
        if model.day in (0, day + 1):  # one frame on day 0, the next a day after the capture
            drawer = drawer or FrameDrawer(model)
            frame = drawer.draw(model)
    assert place_id in frame.captured
    assert any(line.startswith(f"Days 1-{day + 1}, changed hands:") for line in frame.captions)


def test_the_front_is_the_roads_between_places_held_by_enemies():
    model = kachin()
    model.run(20)
    front = set(front_roads(model))
    assert front  # the offensive has a front from its first day
    holders = model.controller
    for road in model.theatre.map.roads:
        ends = holders.get(road.a), holders.get(road.b)
        assert ((road.a, road.b) in front) == (ends in model.at_war()), road


def test_run_animate_writes_a_gif_of_the_days_asked_that_changes_where_places_fall(tmp_path):
    day, _ = first_capture(kachin())
    path = tmp_path / "campaign.gif"
    days = str(day + 2)
    assert main(["run", "--seed", str(SEED), "--days", days, "--animate", str(path),
                 "--animate-every", "1", "--fps", "5"]) == 0  # fmt: skip
    image = Image.open(path)
    assert image.n_frames == day + 3  # day 0 to day + 2
    assert image.info["duration"] == 200 and image.info["loop"] == 0
    frames = gif_frames(image)
    assert not np.array_equal(frames[day], frames[day - 1])
    assert {frame.shape for frame in frames} == {frames[0].shape}
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it


def test_run_animate_writes_an_mp4_with_a_frame_every_nth_day(tmp_path):
    path = tmp_path / "campaign.mp4"
    assert main(["run", "--days", "9", "--animate", str(path), "--animate-every", "2"]) == 0
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 6  # days 0, 2, 4, 6, 8 and 9
    assert seconds == pytest.approx(6 / DEFAULT_FPS, abs=0.2)
    reader = imageio_ffmpeg.read_frames(str(path))
    width, height = next(reader)["size"]
    assert width % 2 == 0 and height % 2 == 0
    reader.close()


def test_a_forked_run_animates_the_forked_run(tmp_path):
    path = tmp_path / "fork.gif"
    args = ["run", "--days", "6", "--fork", "2", "--set", "broker_pressure=0.9"]
    assert main([*args, "--animate", str(path), "--animate-every", "2"]) == 0
    assert Image.open(path).n_frames == 4


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--animate", "campaign.avi"], "--animate campaign.avi: expected a file ending in .gif"),
        (["--animate", "a.gif", "--animate-every", "0"], "--animate-every 0: expected"),
        (["--fps", "4"], "--fps 4.0: only with --animate"),
        (["--animate-every", "3"], "--animate-every 3: only with --animate"),
    ],
)
def test_a_bad_time_lapse_option_is_refused_before_the_run(
    tmp_path, monkeypatch, capsys, options, words
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("wargame.cli._built", lambda *a: pytest.fail("the run was started"))
    assert main(["run", "--days", "5", *options]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith(f"error: {words}"), message
    assert len(message.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", ["0", "0.001", "51", "nan", "fast"])
def test_an_fps_a_gif_cannot_play_is_refused_by_the_parser(tmp_path, monkeypatch, capsys, fps):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("wargame.cli._built", lambda *a: pytest.fail("the run was started"))
    with pytest.raises(SystemExit) as exited:
        main(["run", "--days", "5", "--animate", "a.gif", "--fps", fps])
    assert exited.value.code == 2
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message.endswith(f"--fps: expected 0.1 to 50 frames per second, got '{fps}'")
    assert list(tmp_path.iterdir()) == []


def test_the_writers_refuse_an_fps_out_of_range():
    with pytest.raises(ValueError, match=r"0\.1 to 50 frames per second"):
        timelapse_gif([], 0, fps=0.001)


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_a_failure_while_drawing_leaves_no_file(tmp_path, monkeypatch, capsys, suffix):
    drawn = FrameDrawer.draw

    def fails_on_day_3(self, model):
        if model.day == 3:
            raise RuntimeError("the drawing broke")
        return drawn(self, model)

    monkeypatch.setattr(FrameDrawer, "draw", fails_on_day_3)
    path = tmp_path / f"campaign{suffix}"
    assert main(["run", "--days", "6", "--animate", str(path), "--animate-every", "1"]) == 1
    assert "the drawing broke" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_ctrl_c_during_the_run_leaves_no_file(tmp_path, suffix):
    path = tmp_path / f"campaign{suffix}"
    command = [WARGAME, "run", "--days", "270", "--animate", str(path), "--animate-every", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size for p in tmp_path.iterdir()):  # frames are being written
        assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_viewers_gif_is_the_run_so_far_and_survives_days_played_meanwhile():
    from solara.components.file_download import FileDownloadWidget
    from viewer_page import click, render_page, show_panel, wait_until

    rc = render_page()
    for _ in range(3):
        click(rc, "Step one day")
    show_panel(rc, "Download")
    (download,) = [
        w for w in rc.find(FileDownloadWidget).widgets if w.filename.endswith("-timelapse.gif")
    ]
    download.request_download = True  # what the button's click does in a browser
    click(rc, "Step one day")  # the run goes on while the time-lapse is drawn
    assert wait_until(lambda: download.bytes is not None, timeout=60)
    frames = gif_frames(Image.open(io.BytesIO(download.bytes)))
    # drawn to day 3 or 4, as the thread read the run before or after the step
    assert len(frames) in {len(frame_days(3, DEFAULT_EVERY)), len(frame_days(4, DEFAULT_EVERY))}
    assert len(frames) > 1


def test_the_gif_bytes_match_the_days_asked():
    data = timelapse_gif(replayed(kachin, 5), 5, every=2)
    assert Image.open(io.BytesIO(data)).n_frames == 4  # days 0, 2, 4, 5


def test_the_help_gives_the_defaults_the_time_lapse_uses():
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    text = run.format_help()
    assert f"days between frames (default {DEFAULT_EVERY})" in text
    assert f"frames per second (default {DEFAULT_FPS:g})" in text


def test_the_gifs_frames_are_the_frames_drawn_on_one_palette():
    """Each frame is written as the see-through rectangle that changed: decoded, every frame
    is whole again, the picture drawn on the first frame's palette."""
    drawer, images = None, []
    for model in replayed(kachin, 8):
        drawer = drawer or FrameDrawer(model)
        images.append(drawer.draw(model).image)
    images.append(images[-1])  # a day with nothing new still takes its time
    buffer = io.BytesIO()
    writer = GifWriter(buffer, fps=4)
    for image in images:
        writer.add(image)
    writer.close()
    decoded = gif_frames(Image.open(buffer))
    palette = images[0].quantize(colors=UNCHANGED, dither=Image.Dither.NONE)
    assert len(decoded) == len(images)
    assert np.array_equal(decoded[0], np.asarray(palette.convert("RGB")))
    for number, image in enumerate(images[1:], start=1):
        expected = image.quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB")
        assert np.array_equal(decoded[number], np.asarray(expected)), number
    assert buffer.tell() < 200_000  # the later frames are small rectangles, not whole pictures


def test_a_frame_of_many_captures_names_what_fits_and_counts_the_rest():
    drawer = None  # 180 days: more places change hands than two lines can name (17 on seed 7)
    for model in replayed(kachin, 180):
        if model.day in (0, 180):
            drawer = drawer or FrameDrawer(model)
            frame = drawer.draw(model)
    footer = [line for line in frame.captions if "changed hands" in line]
    footer = frame.captions[frame.captions.index(footer[0]) :]
    font = drawer.caption_font
    assert len(footer) == timelapse.FOOTER_LINES
    assert all(
        font.getlength(line) <= frame.image.width - 2 * timelapse.MARGIN_PX for line in footer
    )
    named = sum(line.count(" to ") for line in footer)
    more = int(footer[-1].rsplit(" and ", 1)[1].split()[0])
    assert named + more == len(frame.captured) > named
    names = frame.captions[1 : frame.captions.index(footer[0])]
    assert len(set(names)) == len(names) and set(names) <= {
        short_name(model.theatre.map.places[p]) for p in frame.captured
    }


def test_an_mp4_without_an_ffmpeg_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    def no_ffmpeg():
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_ffmpeg)
    monkeypatch.setattr("wargame.cli._built", lambda *a: pytest.fail("the run was started"))
    path = tmp_path / "campaign.mp4"
    assert main(["run", "--days", "5", "--animate", str(path)]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith(f"error: --animate {path}: no ffmpeg to write an MP4 with")
    assert "or write a .gif" in message and list(tmp_path.iterdir()) == []


def test_a_run_without_animate_does_not_import_the_drawing():
    script = (
        "import contextlib, io, sys\n"
        "from wargame.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['run', '--days', '1', '--json']) == 0\n"
        "heavy = ('matplotlib', 'wargame.drawing.timelapse')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert fresh_python(script).strip().splitlines()[-1] == "[]"


def test_ctrl_c_is_noted_and_acted_on_between_frames_only_in_the_main_thread():
    import threading

    from wargame.drawing.timelapse import interrupts_between_frames

    before = signal.getsignal(signal.SIGINT)
    with interrupts_between_frames() as asked:
        assert not asked()
        signal.raise_signal(signal.SIGINT)  # noted, not raised in the middle of a frame
        assert asked()
    assert signal.getsignal(signal.SIGINT) is before
    seen = []

    def in_a_download_thread() -> None:  # a page's: signals are the main thread's
        with interrupts_between_frames() as asked:
            seen.append((asked(), signal.getsignal(signal.SIGINT)))

    thread = threading.Thread(target=in_a_download_thread)
    thread.start()
    thread.join()
    assert seen == [(False, before)]  # the handler left as it was
