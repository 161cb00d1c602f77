"""stream.media_codec: the demo media channel's binary format (docs/media-format.md)."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.stream import media_codec as mc


@st.composite
def frames(draw):
    width = draw(st.integers(1, 24))
    height = draw(st.integers(1, 16))
    rgb = draw(st.binary(min_size=width * height * 3, max_size=width * height * 3))
    ts = draw(st.floats(0, 1e9, allow_nan=False))
    return width, height, rgb, ts


@settings(max_examples=200, deadline=None)
@given(frames(), st.booleans())
def test_frames_round_trip(frame, compress):
    width, height, rgb, ts = frame
    message = mc.encode_frame(width, height, rgb, ts, compress=compress)
    d = mc.decode(message)
    assert (d.kind, d.width, d.height, d.rgb, d.ts) == (
        mc.ZLIB if compress else mc.RAW, width, height, rgb, ts)
    if not compress:
        assert len(message) == mc.HEADER.size + width * height * 3


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 1e9))
def test_levels_round_trip_to_1_in_65535_and_are_clamped(level, ts):
    d = mc.decode(mc.encode_level(level, ts))
    assert d.kind == mc.LEVEL and d.ts == ts
    expected = 0.0 if level != level else min(1.0, max(0.0, level))
    assert d.level == pytest.approx(expected, abs=1 / 65535)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_are_refused_with_a_reason(data):
    try:
        mc.decode(mc.HEADER.pack(mc.MAGIC, 1, data[0] % 4 if data else 2, 2, 2, 0.0,
                                 len(data)) + data)
        mc.decode(data)
    except mc.MediaFormatError as exc:
        assert str(exc)


def test_the_header_is_22_bytes_big_endian():
    message = mc.encode_frame(2, 1, b"\x01\x02\x03\x04\x05\x06", 1.5, compress=False)
    assert message[:22] == (b"AKMF" + bytes([1, 1]) + (2).to_bytes(2, "big")
                            + (1).to_bytes(2, "big") + struct.pack(">d", 1.5)
                            + (6).to_bytes(4, "big"))
    assert mc.encode_level(1.0, 0.0)[-2:] == b"\xff\xff"


@pytest.mark.parametrize("message, reason", [
    (b"AKMF", "at least 22 bytes"),
    (b"XXXX" + bytes(18), "bad magic"),
    (mc.HEADER.pack(b"AKMF", 2, 1, 1, 1, 0.0, 3) + b"abc", "version 2"),
    (mc.HEADER.pack(b"AKMF", 1, 9, 1, 1, 0.0, 3) + b"abc", "unknown media kind 9"),
    (mc.HEADER.pack(b"AKMF", 1, 1, 1, 1, 0.0, 4) + b"abc", "does not match"),
    (mc.HEADER.pack(b"AKMF", 1, 1, 2, 1, 0.0, 3) + b"abc", "has 6 bytes"),
    (mc.HEADER.pack(b"AKMF", 1, 1, 5000, 1, 0.0, 3) + b"abc", "outside 1..4096"),
    (mc.HEADER.pack(b"AKMF", 1, 1, 0, 1, 0.0, 0), "outside 1..4096"),
    (mc.HEADER.pack(b"AKMF", 1, 1, 1, 1, float("nan"), 3) + b"abc", "finite"),
    (mc.HEADER.pack(b"AKMF", 1, 3, 0, 0, 0.0, 1) + b"a", "2 bytes"),
    (mc.HEADER.pack(b"AKMF", 1, 2, 1, 1, 0.0, 3) + b"abc", "does not inflate"),
])
def test_broken_messages_are_refused_with_the_reason(message, reason):
    with pytest.raises(mc.MediaFormatError, match=reason):
        mc.decode(message)


def test_a_compression_bomb_inflates_no_further_than_the_frame_it_claims():
    bomb = zlib.compress(bytes(64 * 1024 * 1024))  # 64 MiB of zeros in ~64 KiB
    message = mc.HEADER.pack(mc.MAGIC, 1, mc.ZLIB, 4, 4, 0.0, len(bomb)) + bomb
    with pytest.raises(mc.MediaFormatError, match="inflates past 48 bytes"):
        mc.decode(message)
    short = zlib.compress(bytes(10))
    with pytest.raises(mc.MediaFormatError, match="inflates to 10 bytes, not 48"):
        mc.decode(mc.HEADER.pack(mc.MAGIC, 1, mc.ZLIB, 4, 4, 0.0, len(short)) + short)


def test_encode_refuses_a_frame_of_the_wrong_size():
    with pytest.raises(mc.MediaFormatError, match="needs 12 bytes, got 11"):
        mc.encode_frame(2, 2, bytes(11), 0.0)
