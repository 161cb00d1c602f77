"""Is the avatar rendering, frozen, black or silent? Figures from the media it sends.

:class:`MediaHealthMonitor` is fed what a :class:`~akool_tui.stream.media.MediaSource`
yields (:meth:`~MediaHealthMonitor.feed`), the stream channel's ``audio_start`` /
``audio_end`` (:meth:`~MediaHealthMonitor.speaking`), whether the session is live
(:meth:`~MediaHealthMonitor.live`) and, from the console, each frame it paints
(:meth:`~MediaHealthMonitor.painted`). :meth:`~MediaHealthMonitor.snapshot` gives the
figures and the warnings an operator reads:

- ``video frozen for N s``: frames came but the picture has not changed for
  ``frozen_after`` seconds or more (identical frames, or no frame at all any more);
  ``no video for N s``: not one frame since the session went live that long ago;
- ``black video``: every frame for ``black_after`` seconds was black;
- ``no audio while speaking (N s)``: ``audio_start`` came and the voice level stayed at
  silence for ``silent_after`` seconds (or went silent that long before ``audio_end``).

Times come from the injected ``clock`` when an item is fed (not from the item), so tests
drive it with a fake clock. No Textual, no numpy: the checks are byte comparisons.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..stream.media import AudioLevel, VideoFrame

#: a pixel channel at or under this counts as black
BLACK_LEVEL = 16
#: how many bytes of a frame the black check reads (spread over the whole frame)
BLACK_SAMPLES = 4096


@dataclass(frozen=True, slots=True)
class MediaHealth:
    """One look at the media: figures, then warnings (empty when all is well)."""

    received_fps: float
    painted_fps: float
    width: int | None
    height: int | None
    level: float | None  # the last audio level, None before any
    frames: int  # frames received in all
    unchanged_for: float  # seconds since the picture last changed (or the session went live)
    black: bool
    speaking: bool
    warnings: tuple[str, ...]

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}" if self.width else "—"


def is_black(rgb: bytes, level: int = BLACK_LEVEL) -> bool:
    """True when every sampled channel of the frame is at or under ``level``."""
    if not rgb:
        return True
    step = max(1, len(rgb) // BLACK_SAMPLES)
    if step % 3 == 0:  # a multiple of 3 would read one colour channel only
        step += 1
    return max(rgb[::step]) <= level


class MediaHealthMonitor:
    """Rolling media figures; see the module's doc for what each warning means."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, window: float = 3.0,
                 frozen_after: float = 2.0, black_after: float = 1.0,
                 silent_after: float = 1.5, silence: float = 0.01) -> None:
        self._clock = clock
        self.window = window
        self.frozen_after = frozen_after
        self.black_after = black_after
        self.silent_after = silent_after
        self.silence = silence
        self._arrivals: deque[float] = deque()
        self._paints: deque[float] = deque()
        self._frames = 0
        self._size: tuple[int, int] | None = None
        self._last_rgb: bytes | None = None
        self._live = True
        self._live_since = clock()
        self._changed_at = self._live_since
        self._black_since: float | None = None
        self._level: float | None = None
        self._speaking_since: float | None = None
        self._sound_at: float | None = None

    # -- what happens ----------------------------------------------------------------
    def feed(self, item: VideoFrame | AudioLevel) -> None:
        now = self._clock()
        if isinstance(item, AudioLevel):
            self._level = item.level
            if item.level > self.silence:
                self._sound_at = now
            return
        self._frames += 1
        self._arrivals.append(now)
        self._trim(self._arrivals, now)
        self._size = (item.width, item.height)
        if item.rgb != self._last_rgb:
            self._changed_at = now
            self._last_rgb = item.rgb
        if is_black(item.rgb):
            if self._black_since is None:
                self._black_since = now
        else:
            self._black_since = None

    def painted(self) -> None:
        """The console painted a frame now (for the painted frame rate)."""
        now = self._clock()
        self._paints.append(now)
        self._trim(self._paints, now)

    def speaking(self, on: bool) -> None:
        """``audio_start`` (True) or ``audio_end`` (False) from the stream channel."""
        if on and self._speaking_since is None:
            self._speaking_since = self._clock()
        elif not on:
            self._speaking_since = None

    def live(self, on: bool) -> None:
        """Whether the session is live: the frozen and silent checks only run while it is."""
        if on and not self._live:
            self._live_since = self._changed_at = self._clock()
            self._black_since = None
        if not on:
            self._speaking_since = None
        self._live = on

    # -- what it looks like ------------------------------------------------------------
    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def _rate(self, times: deque[float], now: float) -> float:
        self._trim(times, now)
        if not times:
            return 0.0
        span = min(self.window, now - self._live_since)
        return len(times) / span if span > 0 else 0.0

    def snapshot(self) -> MediaHealth:
        now = self._clock()
        unchanged = max(0.0, now - self._changed_at)
        black = self._black_since is not None and now - self._black_since >= self.black_after
        warnings: list[str] = []
        if self._live and unchanged >= self.frozen_after:
            if self._frames:
                warnings.append(f"video frozen for {unchanged:.0f} s")
            else:
                warnings.append(f"no video for {unchanged:.0f} s")
        if black:
            warnings.append("black video")
        if self._live and self._speaking_since is not None:
            quiet_since = max(self._speaking_since, self._sound_at or self._speaking_since)
            quiet = now - quiet_since
            if quiet >= self.silent_after:
                warnings.append(f"no audio while speaking ({quiet:.0f} s)")
        width, height = self._size or (None, None)
        return MediaHealth(
            received_fps=self._rate(self._arrivals, now),
            painted_fps=self._rate(self._paints, now),
            width=width, height=height, level=self._level, frames=self._frames,
            unchanged_for=unchanged, black=black,
            speaking=self._speaking_since is not None, warnings=tuple(warnings),
        )
