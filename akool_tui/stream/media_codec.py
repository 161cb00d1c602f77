"""The demo media channel's binary format (docs/media-format.md), both directions.

One WebSocket binary message = one media message: a 22-byte header then its payload.

    offset size  field
    0      4     magic b"AKMF"
    4      1     version (1)
    5      1     kind: 1 raw RGB24 video, 2 zlib RGB24 video, 3 audio level
    6      2     width  (big-endian; 0 for audio)
    8      2     height (big-endian; 0 for audio)
    10     8     timestamp: float64 seconds since the stream started (sender's clock)
    18     4     payload length in bytes (big-endian)
    22     ...   payload: width*height*3 RGB bytes (kind 1), zlib of them (kind 2),
                 a big-endian uint16 level 0..65535 (kind 3)

Decoding trusts nothing: the size is capped (:data:`MAX_SIDE`), the payload length must
match, a compressed frame is inflated no further than the size it claims (no bomb).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MAGIC = b"AKMF"
VERSION = 1
RAW, ZLIB, LEVEL = 1, 2, 3
HEADER = struct.Struct(">4sBBHHdI")
#: the widest or tallest frame accepted (a bigger claim is refused before any work)
MAX_SIDE = 4096


class MediaFormatError(ValueError):
    """A media message that does not follow the format: refused with the reason."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """One decoded message: a frame (``rgb`` set) or an audio level (``level`` set)."""

    kind: int
    ts: float
    width: int = 0
    height: int = 0
    rgb: bytes = b""
    level: float = 0.0


def encode_frame(width: int, height: int, rgb: bytes, ts: float, *, compress: bool = True,
                 level: int = 1) -> bytes:
    """A video message for ``width*height*3`` bytes of row-major RGB24."""
    _check_size(width, height)
    if len(rgb) != width * height * 3:
        raise MediaFormatError(f"a {width}x{height} frame needs {width * height * 3} bytes, "
                               f"got {len(rgb)}")
    payload = zlib.compress(rgb, level) if compress else bytes(rgb)
    return HEADER.pack(MAGIC, VERSION, ZLIB if compress else RAW, width, height, ts,
                       len(payload)) + payload


def encode_level(level: float, ts: float) -> bytes:
    """An audio-level message; ``level`` (0..1, RMS of the last chunk) is clamped."""
    value = round(min(1.0, max(0.0, level if level == level else 0.0)) * 65535)
    return HEADER.pack(MAGIC, VERSION, LEVEL, 0, 0, ts, 2) + value.to_bytes(2, "big")


def decode(message: bytes) -> Decoded:
    """The message's content, or :class:`MediaFormatError` saying what is wrong."""
    if len(message) < HEADER.size:
        raise MediaFormatError(f"a media message has at least {HEADER.size} bytes, "
                               f"got {len(message)}")
    magic, version, kind, width, height, ts, length = HEADER.unpack_from(message)
    if magic != MAGIC:
        raise MediaFormatError("not a media message (bad magic)")
    if version != VERSION:
        raise MediaFormatError(f"media format version {version} is not supported (only {VERSION})")
    if length != len(message) - HEADER.size:
        raise MediaFormatError(f"payload length {length} does not match the "
                               f"{len(message) - HEADER.size} bytes that follow")
    if ts != ts or ts in (float("inf"), float("-inf")):
        raise MediaFormatError("the timestamp is not a finite number")
    payload = memoryview(message)[HEADER.size:]
    if kind == LEVEL:
        if length != 2:
            raise MediaFormatError(f"an audio level has 2 bytes, got {length}")
        return Decoded(LEVEL, ts, level=int.from_bytes(payload, "big") / 65535)
    if kind not in (RAW, ZLIB):
        raise MediaFormatError(f"unknown media kind {kind}")
    _check_size(width, height)
    size = width * height * 3
    if kind == RAW:
        if length != size:
            raise MediaFormatError(f"a raw {width}x{height} frame has {size} bytes, got {length}")
        return Decoded(RAW, ts, width, height, bytes(payload))
    inflater = zlib.decompressobj()
    try:
        rgb = inflater.decompress(payload, size)
        if len(rgb) == size and not inflater.eof:  # only the stream's end may be left
            extra = inflater.decompress(inflater.unconsumed_tail, 1)
            if extra:
                raise MediaFormatError(f"a compressed {width}x{height} frame inflates past "
                                       f"{size} bytes")
    except zlib.error as exc:
        raise MediaFormatError(f"a compressed frame does not inflate: {exc}") from None
    if len(rgb) != size or not inflater.eof:
        raise MediaFormatError(f"a compressed {width}x{height} frame inflates to "
                               f"{len(rgb)} bytes, not {size}")
    return Decoded(ZLIB, ts, width, height, rgb)


def _check_size(width: int, height: int) -> None:
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise MediaFormatError(f"frame size {width}x{height} is outside 1..{MAX_SIDE}")
