"""The chat screen's video panel: the avatar's picture, its figures, the audio meter.

Frames arrive as fast as the source sends them (:meth:`VideoPanel.feed` only keeps the
newest); a timer paints the newest one at most ``fps`` times a second, so a 30 fps
source costs the terminal what the setting allows. The line under the picture shows the
resolution, the frames received and painted per second, and warnings (frozen, black,
silent: from the media health reader, :attr:`VideoPanel.warnings_from`).

The picture is :class:`~.video_cells.VideoCells` (half blocks, truecolor or 256 colours)
or, where the terminal shows real pixels, :mod:`.video_pixels` (Kitty graphics / Sixel).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from ...core.text import LINE, safe
from .video_cells import VideoCells

if TYPE_CHECKING:
    from textual.widget import Widget

    from ...core.video_cells import Palette
    from ...stream.media import VideoFrame

#: the figures are measured over this many seconds
WINDOW_S = 2.0
METER_WIDTH = 8
METER_STEPS = " ▏▎▍▌▋▊▉█"
METER_DB = 48.0


def rate(times: deque[float], now: float) -> float:
    """Events per second in the last :data:`WINDOW_S` seconds (``times`` is pruned)."""
    while times and times[0] < now - WINDOW_S:
        times.popleft()
    return len(times) / WINDOW_S


class VideoPanel(Vertical):
    """The picture and a line of figures under it; :meth:`feed` takes frames."""

    DEFAULT_CSS = """
    VideoPanel { height: 1fr; }
    VideoPanel > #video-info { height: 1; color: $foreground-muted; }
    """

    def __init__(self, *, fps: int = 10, mode: str = "truecolor", id: str | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 fallback: Palette = "truecolor") -> None:
        super().__init__(id=id)
        self.fps = max(1, min(30, fps))
        self.mode = mode  # "pixels" | "truecolor" | "256"
        self.fallback: Palette = fallback  # the cells' colours when pixels cannot be drawn
        self._clock = clock
        self._latest: VideoFrame | None = None
        self._painted: VideoFrame | None = None
        self._received: deque[float] = deque()
        self._paints: deque[float] = deque()
        self._timer: Timer | None = None
        self._ticking = False
        self._note = "No video yet"
        self._info = ""
        #: the health reader's warnings ("video frozen for 4 s", "black video", ...)
        self.warnings_from: Callable[[], Iterable[str]] | None = None
        #: called after each painted frame (the health reader counts them)
        self.on_paint: Callable[[], object] | None = None
        #: frames painted since mounted (tests and the bench read it)
        self.painted_count = 0

    def compose(self) -> ComposeResult:
        yield self._make_picture()
        yield Static("", id="video-info", markup=False)

    def _make_picture(self) -> Widget:
        if self.mode == "pixels":
            from .video_pixels import pixel_picture  # noqa: PLC0415 - only with pixels

            picture = pixel_picture(id="video-picture")
            if picture is not None:
                return picture
            self.mode = self.fallback
        return VideoCells("256" if self.mode == "256" else "truecolor", id="video-picture")

    @property
    def picture(self) -> Widget:
        return self.query_one("#video-picture")

    def on_mount(self) -> None:
        # runs while frames come (feed starts it, set_running(False) stops it): an idle
        # console has no 10 Hz timer
        self._timer = self.set_interval(1 / self.fps, self._tick, pause=True)
        self.set_note(self._note)

    def set_running(self, on: bool) -> None:
        """Tick (paint, update the figures) or not: the session's media came or went."""
        self._ticking = on
        if self._timer is not None:
            (self._timer.resume if on else self._timer.pause)()

    # -- frames in ----------------------------------------------------------------------

    def feed(self, frame: VideoFrame) -> None:
        """A frame arrived: keep it (the next tick paints the newest)."""
        self._latest = frame
        self._received.append(frame.ts)
        self._note = ""
        if not self._ticking:
            self.set_running(True)

    def set_note(self, text: str) -> None:
        """A line shown instead of the figures while there is no video ("No video for
        this session", an error): outside text, made safe."""
        self._note = safe(text, limit=LINE)
        picture = self.picture if self.is_mounted else None
        if isinstance(picture, VideoCells) and picture.placeholder != self._note:
            picture.placeholder = self._note
            picture.refresh()
        self._show_info()

    def reset(self, note: str = "No video yet") -> None:
        """Another session: no picture, no figures."""
        self._latest = self._painted = None
        self._received.clear()
        self._paints.clear()
        picture = self.picture
        if isinstance(picture, VideoCells):
            picture.clear()
        self.set_note(note)

    def set_fps(self, fps: int) -> None:
        self.fps = max(1, min(30, fps))
        if self._timer is not None:
            self._timer.stop()
            self._timer = self.set_interval(1 / self.fps, self._tick, pause=not self._ticking)

    # -- painting ---------------------------------------------------------------------

    def _tick(self) -> None:
        frame = self._latest
        if frame is not None and frame is not self._painted and self.display \
                and self.screen.is_current:
            self.paint_now()
        self._show_info()

    def paint_now(self) -> None:
        """Paint the newest frame (the tick does; tests call it to skip the wait)."""
        frame = self._latest
        if frame is None:
            return
        self._painted = frame
        try:
            self.picture.paint(frame)  # type: ignore[attr-defined]
        except ValueError as exc:  # a frame whose size lies: said, never a crash
            self._latest = None
            self.set_note(f"Bad video frame: {exc}")
            return
        self._paints.append(self._clock())
        self.painted_count += 1
        if self.on_paint is not None:
            self.on_paint()

    def figures(self) -> tuple[float, float]:
        """Frames received and painted per second."""
        now = self._clock()
        return rate(self._received, now), rate(self._paints, now)

    def _show_info(self) -> None:
        text = self._info_text()
        if text.plain != self._info:
            self._info = text.plain
            self.query_one("#video-info", Static).update(text, layout=False)  # 1 line

    def _info_text(self) -> Text:
        warnings = [safe(w, limit=LINE) for w in (self.warnings_from() if self.warnings_from
                                                  else ())]
        text = Text(no_wrap=True, overflow="ellipsis")
        frame = self._latest
        if frame is None or self._note:
            text.append(self._note or "No video yet")
        else:
            received, painted = self.figures()
            text.append(f"{frame.width}x{frame.height} · {received:.0f} fps in · "
                        f"{painted:.0f} painted")
        for warning in warnings:
            text.append(" · ")
            text.append(f"⚠ {warning}", style="bold")
        return text


class LevelMeter(Static):
    """The avatar's audio level as a bar (next to the speaking indicator); repainted only
    when the bar's look changes."""

    DEFAULT_CSS = """
    LevelMeter { width: 10; height: 1; color: $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._shown = ""

    def show_level(self, level: float | None) -> None:
        """``level`` 0..1 (None: no audio track)."""
        bar = "" if level is None else self.bar(level)
        if bar != self._shown:
            self._shown = bar
            self.update(f"♪{bar}" if bar else "", layout=False)  # fixed width and height

    @staticmethod
    def bar(level: float) -> str:
        steps = len(METER_STEPS) - 1
        level = 0.0 if level != level else min(1.0, max(0.0, level))  # NaN -> 0
        # decibels, as meters show sound: -48 dB (and silence) empty, 0 dB full
        share = max(0.0, 1 + 20 * math.log10(level) / METER_DB) if level > 0 else 0.0
        eighths = round(share * METER_WIDTH * steps)
        full, part = divmod(eighths, steps)
        return ("█" * full + (METER_STEPS[part] if part else "")).ljust(METER_WIDTH)
