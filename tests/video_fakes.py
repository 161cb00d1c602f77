"""A synthetic avatar for the video tests and bench: a face drawn with numpy whose mouth
opens and closes, as a :class:`~akool_tui.stream.media.MediaSource`.

Only the mouth changes between frames (the rest of the picture is byte-identical), as
with a talking avatar: what the diff-only repaint is measured on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import numpy as np

from akool_tui.stream.media import AudioLevel, VideoFrame

SKIN = (224, 172, 140)
BACKGROUND = (40, 70, 110)


def face(width: int = 320, height: int = 240, mouth: float = 0.0) -> np.ndarray:
    """A face: head, eyes and a mouth open by ``mouth`` (0..1), H x W x 3 uint8."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:] = BACKGROUND
    yy, xx = np.mgrid[0:height, 0:width]
    cx, cy = width / 2, height / 2
    head = ((xx - cx) / (width * 0.28)) ** 2 + ((yy - cy) / (height * 0.42)) ** 2 <= 1
    img[head] = SKIN
    for ex in (cx - width * 0.1, cx + width * 0.1):
        eye = ((xx - ex) / (width * 0.035)) ** 2 + ((yy - cy + height * 0.1) / (height * 0.04)) ** 2 <= 1
        img[eye] = (30, 30, 40)
    open_h = height * (0.01 + 0.07 * mouth)
    lips = ((xx - cx) / (width * 0.09)) ** 2 + ((yy - cy - height * 0.2) / open_h) ** 2 <= 1
    img[lips] = (120, 20, 30)
    return img


def frame(pixels: np.ndarray, ts: float | None = None) -> VideoFrame:
    h, w = pixels.shape[:2]
    return VideoFrame(w, h, pixels.tobytes(), time.monotonic() if ts is None else ts)


def talking(width: int, height: int, count: int = 8) -> list[VideoFrame]:
    """``count`` frames of one mouth cycle (closed -> open -> closed)."""
    shares = [abs(np.sin(np.pi * i / count)) for i in range(count)]
    return [frame(face(width, height, s), 0.0) for s in shares]


class FaceSource:
    """A MediaSource: the talking face at ``fps`` (frames re-stamped when sent) and an
    audio level per frame; ``limit`` frames, then it ends (None: never)."""

    def __init__(self, width: int = 320, height: int = 240, fps: float = 25.0,
                 limit: int | None = None) -> None:
        self.cycle = talking(width, height)
        self.fps = fps
        self.limit = limit
        self.sent = 0
        self.closed = False
        self.started = asyncio.Event()

    async def frames(self) -> AsyncIterator[VideoFrame | AudioLevel]:
        self.started.set()
        while self.limit is None or self.sent < self.limit:
            f = self.cycle[self.sent % len(self.cycle)]
            now = time.monotonic()
            yield VideoFrame(f.width, f.height, f.rgb, now)
            yield AudioLevel(0.3 * (self.sent % len(self.cycle)) / len(self.cycle), now)
            self.sent += 1
            await asyncio.sleep(1 / self.fps)

    async def aclose(self) -> None:
        self.closed = True
