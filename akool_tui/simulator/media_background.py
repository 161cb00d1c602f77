"""The background behind the simulated face: what the session's ``bgurl`` asks for.

- An http(s) URL on this machine (127.0.0.1, ::1, localhost) that answers a binary PPM
  image (``P6``, 8 bits) within :data:`FETCH_TIMEOUT` and :data:`MAX_IMAGE_BYTES`: that
  image, scaled to the frame (nearest neighbour). The simulator fetches nothing else
  from the network.
- Anything else: a solid colour. A URL whose file name or fragment is six hex digits
  (``http://x/bg/1e90ff.png``, ``...#1e90ff``) gets that colour, other URLs a muted
  colour of their own (from a hash of the URL), no URL at all :data:`DEFAULT_COLOUR`.

Until a local image has arrived (or if it fails) the frame shows the solid colour.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from urllib.parse import urlsplit

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_COLOUR = (28, 38, 58)
FETCH_TIMEOUT = 2.0
MAX_IMAGE_BYTES = 16 * 1024 * 1024
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_HEX = re.compile(r"(?:^|[/#])([0-9a-fA-F]{6})(?:\.[A-Za-z0-9]+)?$")


def colour_for(url: str | None) -> tuple[int, int, int]:
    """The solid colour standing for ``url``."""
    if not url:
        return DEFAULT_COLOUR
    parts = urlsplit(url)
    for text in (parts.fragment, parts.path):
        m = _HEX.search(text)
        if m:
            v = int(m.group(1), 16)
            return (v >> 16, (v >> 8) & 255, v & 255)
    digest = hashlib.sha256(url.encode("utf-8", "replace")).digest()
    return tuple(40 + b % 100 for b in digest[:3])  # type: ignore[return-value]


def is_local(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.hostname in LOCAL_HOSTS
    except ValueError:
        return False


def parse_ppm(data: bytes) -> np.ndarray:
    """A binary PPM (P6, maxval 255) as an (h, w, 3) uint8 array; ValueError otherwise."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":  # a comment runs to the end of the line
            end = data.find(b"\n", pos)
            pos = len(data) if end < 0 else end + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ValueError("not a PPM image: the header is cut short")
        fields.append(data[start:pos])
    if fields[0] != b"P6":
        raise ValueError("only binary PPM (P6) images are read")
    try:
        width, height, maxval = (int(f) for f in fields[1:])
    except ValueError:
        raise ValueError("not a PPM image: its size is not numbers") from None
    if maxval != 255 or not (0 < width <= 8192 and 0 < height <= 8192):
        raise ValueError(f"PPM {width}x{height} maxval {maxval} is not supported")
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError("not a PPM image: its pixels are cut short")
    return np.frombuffer(pixels, np.uint8).reshape(height, width, 3)


def fit(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` scaled to ``width x height`` (nearest neighbour, one fancy index)."""
    rows = (np.arange(height) * image.shape[0] // height).astype(np.intp)
    cols = (np.arange(width) * image.shape[1] // width).astype(np.intp)
    return np.ascontiguousarray(image[rows[:, None], cols[None, :]])


class Backgrounds:
    """The background array for the current URL; local images load in the background."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._url: str | None = None
        self._current = self._solid(None)
        self._task: asyncio.Task[None] | None = None
        self.loaded: str | None = None  # the URL whose image is shown (for tests)

    def _solid(self, url: str | None) -> np.ndarray:
        img = np.empty((self.height, self.width, 3), np.uint8)
        img[:] = colour_for(url)
        return img

    def get(self, url: str | None) -> np.ndarray:
        """The background for ``url`` now (the same array until something changes)."""
        if url != self._url:
            self._url = url
            self.loaded = None
            self._current = self._solid(url)
            if self._task is not None:
                self._task.cancel()
                self._task = None
            if is_local(url):
                self._task = asyncio.get_running_loop().create_task(self._load(url))
        return self._current

    async def _load(self, url: str) -> None:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT, trust_env=False) as client:
                async with client.stream("GET", url) as response:
                    response.raise_for_status()
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_IMAGE_BYTES:
                            raise ValueError(f"larger than {MAX_IMAGE_BYTES} bytes")
            image = fit(parse_ppm(bytes(body)), self.width, self.height)
        except (httpx.HTTPError, ValueError, OSError) as exc:
            log.info("background %s not used (a solid colour instead): %s", url, exc)
            return
        if url == self._url:
            self._current, self.loaded = image, url

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
