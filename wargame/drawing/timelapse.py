"""A campaign's time-lapse: the map day by day with the date, the captures and the front,
as a GIF or an MP4 to take away for a slide or a lesson.

Each frame is the static map `run --map` draws (`TheatreMap`, so whatever that map
learns to draw, the frames show; the viewer's interactive map is `map_option`'s), with
three things drawn over it in Pillow: the roads of the front (both ends held by sides
at war), a ring and the name at each place that changed hands since the last frame,
and a band above and below with the date and the captures in words. The frames go to
the writer one at a time as they are drawn, so a 270-day campaign takes no more memory
than one day: the GIF is written frame by frame with Pillow's GIF encoder on one
palette (each frame only the rectangle that changed, see-through where nothing did),
the MP4 piped to the ffmpeg that `imageio-ffmpeg` brings with it.
"""

from __future__ import annotations

import io
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from matplotlib.font_manager import FontProperties, findfont
from PIL import GifImagePlugin, Image, ImageDraw, ImageFont

from wargame.drawing.labels import claim, short_name
from wargame.drawing.map_figure import TheatreMap
from wargame.engine.events import EventKind
from wargame.files import StrPath, written_whole

if TYPE_CHECKING:
    from wargame.engine.model import ConflictModel

SUFFIXES = (".gif", ".mp4")
DEFAULT_EVERY = 2  # days a frame: a 270-day campaign in 136 frames, 17 s at the default rate
DEFAULT_FPS = 8.0
FPS_RANGE = (0.1, 50.0)
"""Frames per second a time-lapse may play at: 10 s a frame at the slowest (a GIF cannot
store a frame much over 655 s), and browsers play GIF frames faster than 50 a second at 10."""
HEADER_PX = 60
FOOTER_PX = 52
MARGIN_PX = 12
FRONT_COLOUR = (214, 39, 40, 150)  # see-through, so the road's own line shows under it
FRONT_WIDTH_PX = 6
CAPTURE_COLOUR = (255, 170, 0)
CAPTURE_RING_PX = 15
CAPTURE_RING_WIDTH_PX = 4
INK = (20, 20, 20)
PAPER = (255, 255, 255)
FOOTER_LINES = 2
UNCHANGED = 255  # the GIF palette's index left free to mean "as in the frame before"
MP4_QUALITY = 7  # imageio-ffmpeg's 0-10: crisp lines and text, under 1 MB for 270 days


@dataclass(frozen=True)
class Frame:
    """One day of the time-lapse: its picture and what was written and marked on it."""

    day: int
    image: Image.Image
    captions: tuple[str, ...]
    """Every text drawn, top to bottom: the date line, the names at the map, the captures' lines."""
    captured: tuple[str, ...]
    """The places that changed hands since the last frame, in the order they last fell."""
    front: tuple[tuple[str, str], ...]
    """The roads of the front, by the places they join."""


class FrameDrawer:
    """Draws a run's frames in order; each names the captures since the frame before it."""

    def __init__(self, model: ConflictModel) -> None:
        self.map = TheatreMap(model)
        self._last_day: int | None = None
        self._big = _font(bold=True, size=22)
        self._bold = _font(bold=True, size=14)
        self.caption_font = _font(bold=False, size=13)

    def draw(self, model: ConflictModel) -> Frame:
        """Today's frame: the map as it stands, the front, and the places taken since the
        previous frame (on the first frame, those taken today)."""
        since = model.day if self._last_day is None else self._last_day + 1
        captures = _captures(model, since)
        front = front_roads(model)
        self.map.update(model)
        base = Image.open(io.BytesIO(self.map.png())).convert("RGBA")
        names = self._mark(base, model, captures, front)
        frame = Image.new("RGB", (base.width, HEADER_PX + base.height + FOOTER_PX), PAPER)
        frame.paste(base.convert("RGB"), (0, HEADER_PX))
        pen = ImageDraw.Draw(frame)
        date_line = f"{model.date.day} {model.date:%B %Y}  ·  day {model.day}"
        pen.text((MARGIN_PX, HEADER_PX // 2), date_line, font=self._big, fill=INK, anchor="lm")
        self._key(pen, frame.width)
        lines = self._captures_lines(model, captures, since, frame.width - 2 * MARGIN_PX)
        y = HEADER_PX + base.height + 6
        for line in lines:
            pen.text((MARGIN_PX, y), line, font=self.caption_font, fill=INK)
            y += 20
        self._last_day = model.day
        return Frame(
            model.day,
            frame,
            (date_line, *names, *lines),
            tuple(captures),
            front,
        )

    def _mark(self, base: Image.Image, model, captures, front) -> list[str]:
        """The front and the captures drawn over the map; returns the names written."""
        to_display = self.map.ax.transData.transform
        figure = self.map.figure.bbox  # display units, which the PNG's pixels may scale
        scale_x, scale_y = base.width / figure.width, base.height / figure.height
        places = model.theatre.map.places

        def pixels(points) -> list[tuple[float, float]]:
            shown = to_display(np.asarray(points, dtype=float))
            return [(x * scale_x, base.height - y * scale_y) for x, y in shown]

        overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(overlay)
        joined = set(front)
        for road in model.theatre.map.roads:
            if (road.a, road.b) in joined:
                pen.line(pixels(road.geometry), fill=FRONT_COLOUR, width=FRONT_WIDTH_PX)
        base.alpha_composite(overlay)
        pen = ImageDraw.Draw(base)
        rings = {place: pixels([(places[place].lon, places[place].lat)])[0] for place in captures}
        r = CAPTURE_RING_PX
        for x, y in rings.values():
            pen.ellipse(
                (x - r, y - r, x + r, y + r), outline=CAPTURE_COLOUR, width=CAPTURE_RING_WIDTH_PX
            )
        names, written = [], []
        for place_id, (x, y) in rings.items():  # names over every ring
            name = short_name(places[place_id])
            spot = self._free_spot(pen, name, x, y, base.size, written)
            if spot is None:  # no room beside the ring: the footer still names it
                continue
            at, anchor = spot
            pen.text(
                at, name, font=self._bold, anchor=anchor, fill=INK, stroke_width=3,
                stroke_fill=PAPER,
            )  # fmt: skip
            names.append(name)
        return names

    def _free_spot(self, pen, name: str, x: float, y: float, size, written) -> tuple | None:
        """Where `name` can be written beside its ring (right, then left, above then below)
        without covering a name written before or leaving the picture (`labels.claim`, which
        adds its box to `written`): (point, anchor); None: nowhere."""
        r = CAPTURE_RING_PX + 2
        spots = (
            ((x + r, y - r - 4), "la"), ((x - r, y - r - 4), "ra"),
            ((x + r, y + 4), "la"), ((x - r, y + 4), "ra"),
        )  # fmt: skip
        boxes = (
            ((at, anchor), pen.textbbox(at, name, font=self._bold, anchor=anchor, stroke_width=3))
            for at, anchor in spots
        )
        return claim(boxes, written, (0, 0, *size))

    def _key(self, pen: ImageDraw.ImageDraw, width: int) -> None:
        """What the two marks over the map mean, at the top right of every frame (which also
        puts their colours into the GIF's palette from the first frame on)."""
        front, captured = "front: roads between enemies", "changed hands"
        x = width - MARGIN_PX - 36 - self.caption_font.getlength(front)
        pen.line((x, 20, x + 28, 20), fill=FRONT_COLOUR[:3], width=FRONT_WIDTH_PX)
        pen.text((x + 36, 20), front, font=self.caption_font, fill=INK, anchor="lm")
        r = 8
        pen.ellipse((x + 6, 42 - r, x + 6 + 2 * r, 42 + r), outline=CAPTURE_COLOUR, width=3)
        pen.text((x + 36, 42), captured, font=self.caption_font, fill=INK, anchor="lm")

    def _captures_lines(self, model, captures, since: int, width: float) -> list[str]:
        """The captures in words, as many as fit on the footer's lines, then how many more."""
        when = f"On day {model.day}" if since >= model.day else f"Days {since}-{model.day}"
        if not captures:
            return [f"{when}: no place changed hands."]
        places, factions = model.theatre.map.places, model.factions
        items = [
            f"{short_name(places[place])} to {factions[captor].short_name}"
            for place, captor in captures.items()
        ]
        lines, line = [], f"{when}, changed hands:"
        for number, item in enumerate(items):
            left = len(items) - number - 1
            text = f"{item}{',' if left else '.'}"
            room = width
            if left and len(lines) == FOOTER_LINES - 1:  # keep room to say how many more
                room -= self.caption_font.getlength(f" and {left} more.")
            if self.caption_font.getlength(f"{line} {text}") <= room:
                line = f"{line} {text}"
            elif len(lines) < FOOTER_LINES - 1:
                lines.append(line)
                line = text
            else:
                line += f" and {left + 1} more."
                break
        return [*lines, line]


def front_roads(model: ConflictModel) -> tuple[tuple[str, str], ...]:
    """The roads whose two ends are held by factions that fight each other today."""
    holders, at_war = model.controller, model.at_war()
    front = []
    for road in model.theatre.map.roads:
        if (holders.get(road.a), holders.get(road.b)) in at_war:
            front.append((road.a, road.b))
    return tuple(front)


def _captures(model: ConflictModel, since: int) -> dict[str, str]:
    """Each place taken from day `since` on, by the side that took it last, in the order of
    their last capture."""
    taken: dict[str, str] = {}
    for event in model.events.since(since):
        if event.kind is EventKind.CAPTURE and event.place is not None:
            taken.pop(event.place, None)
            taken[event.place] = event.factions[0]
    return taken


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The map's own font (matplotlib's DejaVu Sans), so the words over it match its labels."""
    path = findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, size)


# --- writers ----------------------------------------------------------------------------


class GifWriter:
    """An endless-loop GIF written a frame at a time on the first frame's palette. Each later
    frame is only the rectangle that changed, its unchanged pixels see-through (the frame
    before shows), which compresses to little: most frames weigh a few tens of kilobytes."""

    def __init__(self, handle: BinaryIO, fps: float) -> None:
        self._handle = handle
        self._duration_ms = round(1000 / fps)
        self._palette: Image.Image | None = None
        self._previous: np.ndarray | None = None

    def add(self, image: Image.Image) -> None:
        if self._palette is None:
            frame = image.quantize(colors=UNCHANGED, dither=Image.Dither.NONE)
            self._palette = frame
            header, _ = GifImagePlugin.getheader(frame, info={"loop": 0})
            self._handle.writelines(header)
            self._write(frame, (0, 0))
            self._previous = np.asarray(frame)
            return
        frame = image.quantize(palette=self._palette, dither=Image.Dither.NONE)
        indices = np.asarray(frame)
        changed = indices != self._previous
        rows, columns = np.nonzero(changed)
        if len(rows):  # the rectangle that changed
            box = (int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1)
        else:  # the same as before: one see-through pixel, to keep the frame's time
            box = (0, 0, 1, 1)
        patch = frame.crop(box)
        left, top, right, bottom = box
        patch.paste(UNCHANGED, mask=Image.fromarray(~changed[top:bottom, left:right]))
        self._write(patch, (left, top), transparency=UNCHANGED, disposal=1)
        self._previous = indices

    def _write(self, frame: Image.Image, offset: tuple[int, int], **options) -> None:
        data = GifImagePlugin.getdata(frame, offset, duration=self._duration_ms, **options)
        self._handle.writelines(data)

    def close(self) -> None:
        self._handle.write(b";")  # the GIF trailer


class Mp4Writer:
    """H.264 in MP4 (yuv420p, which slides and browsers play), frames piped to ffmpeg."""

    def __init__(self, path: StrPath, fps: float) -> None:
        self._path = Path(path)
        self._fps = fps
        self._pipe = None

    def add(self, image: Image.Image) -> None:
        if self._pipe is None:
            import imageio_ffmpeg

            self._pipe = imageio_ffmpeg.write_frames(
                str(self._path),
                image.size,
                fps=self._fps,
                codec="libx264",
                quality=MP4_QUALITY,
                macro_block_size=2,
                ffmpeg_log_level="error",
                output_params=["-f", "mp4", "-movflags", "+faststart"],
            )
            self._pipe.send(None)
        self._pipe.send(np.ascontiguousarray(image))

    def close(self) -> None:
        if self._pipe is not None:
            self._pipe.close()


def mp4_problem() -> str:
    """Why an MP4 cannot be written here ("" if it can): imageio-ffmpeg's wheel brings an
    ffmpeg for the common platforms; elsewhere it looks for one installed."""
    import imageio_ffmpeg

    try:
        imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return (
            "no ffmpeg to write an MP4 with (imageio-ffmpeg brings none for this platform): "
            "install ffmpeg or set IMAGEIO_FFMPEG_EXE to one, or write a .gif"
        )
    return ""


def _even(image: Image.Image) -> Image.Image:
    """The frame with a white row or column added where its size is odd (H.264 in yuv420p
    needs even sides)."""
    width, height = image.width + image.width % 2, image.height + image.height % 2
    if (width, height) == image.size:
        return image
    even = Image.new("RGB", (width, height), PAPER)
    even.paste(image, (0, 0))
    return even


def frame_days(last_day: int, every: int) -> list[int]:
    """The days drawn: day 0, every `every`th day, and the last day."""
    days = list(range(0, last_day + 1, every))
    if days[-1] != last_day:
        days.append(last_day)
    return days


def record(
    writer: GifWriter | Mp4Writer, days: Iterable[ConflictModel], last_day: int, every: int
) -> int:
    """Draw the frames of `days` (the run after each day, from day 0 to `last_day`) into
    `writer`; returns how many were drawn."""
    drawer = None
    wanted = set(frame_days(last_day, every))
    count = 0
    with interrupts_between_frames() as asked:
        try:
            for model in days:
                if asked():
                    raise KeyboardInterrupt  # here, never inside a frame half written
                if model.day not in wanted:
                    continue
                drawer = drawer or FrameDrawer(model)
                image = drawer.draw(model).image
                writer.add(_even(image) if isinstance(writer, Mp4Writer) else image)
                count += 1
                if model.day == last_day:
                    break
        finally:
            writer.close()
    return count


@contextmanager
def interrupts_between_frames() -> Iterator[Callable[[], bool]]:
    """Ctrl-C noted, and acted on by the frame loop between frames (`record`): an interrupt
    that lands inside an encoder, or a finaliser Python then ignores, would leave a frame
    half written or be lost. Only the main thread handles signals; elsewhere (a page's
    download thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    asked = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: asked.set())
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def write_timelapse(
    path: StrPath,
    days: Iterable[ConflictModel],
    last_day: int,
    every: int = DEFAULT_EVERY,
    fps: float = DEFAULT_FPS,
) -> int:
    """The run's time-lapse as `path` (.gif or .mp4), written whole or not at all; `days`
    yields the run after each day from day 0 on. Returns the frames written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path}: expected a file ending in .gif or .mp4")
    _check(every, fps)
    with written_whole(path) as temporary:
        if suffix == ".mp4":
            return record(Mp4Writer(temporary, fps), days, last_day, every)
        with temporary.open("xb") as handle:
            return record(GifWriter(handle, fps), days, last_day, every)


def timelapse_gif(
    days: Iterable[ConflictModel], last_day: int, every: int = DEFAULT_EVERY,
    fps: float = DEFAULT_FPS,
) -> bytes:  # fmt: skip
    """The run's time-lapse as GIF bytes, for a page to hand to its browser."""
    _check(every, fps)
    buffer = io.BytesIO()
    record(GifWriter(buffer, fps), days, last_day, every)
    return buffer.getvalue()


def _check(every: int, fps: float) -> None:
    if every < 1:
        raise ValueError(f"expected a frame every 1 day or more, not {every}")
    least, most = FPS_RANGE
    if not least <= fps <= most:  # NaN fails too
        raise ValueError(f"expected {least:g} to {most:g} frames per second, not {fps}")
