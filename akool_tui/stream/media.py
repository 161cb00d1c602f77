"""The avatar's media as the console sees it: decoded video frames and audio levels.

Every source (the demo simulator's media websocket, a LiveKit session's tracks) yields
these two values; the renderer and the health detector (core.media_health) read only them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class VideoFrame:
    width: int
    height: int
    rgb: bytes  # width*height*3 bytes, row-major RGB24
    ts: float  # time.monotonic() when received


@dataclass(frozen=True, slots=True)
class AudioLevel:
    level: float  # 0..1 RMS of the last chunk (0 = silence)
    ts: float


class MediaSource(Protocol):
    def frames(self) -> AsyncIterator[VideoFrame | AudioLevel]: ...

    async def aclose(self) -> None: ...
