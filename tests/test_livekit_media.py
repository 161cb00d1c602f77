"""LiveKitMediaSource with REAL SDK frames: local tracks stream through the SDK offline.

``rtc.VideoSource`` -> ``rtc.LocalVideoTrack.create_video_track`` (and the audio
equivalents) feed ``add_track``, the same method the room's ``track_subscribed`` handler
calls for the avatar's remote tracks.
"""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

rtc = pytest.importorskip("livekit.rtc")

from akool_tui.stream.livekit_media import (  # noqa: E402
    LiveKitMediaSource,
    livekit_media_for,
    rms_level,
)
from akool_tui.stream.media import AudioLevel, VideoFrame  # noqa: E402
from stream_helpers import until


class Collect:
    def __init__(self, source: LiveKitMediaSource) -> None:
        self.source = source
        self.items: list = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for item in self.source.frames():
            self.items.append(item)

    def of(self, kind: type) -> list:
        return [i for i in self.items if isinstance(i, kind)]


def rgba(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    img = np.empty((height, width, 4), np.uint8)
    img[..., :3] = colour
    img[..., 3] = 255
    img[:height // 2, :width // 2, :3] = 255  # a white top-left quarter: rows, order checked
    return img.tobytes()


def colour_at(frame: VideoFrame, y: int, x: int) -> tuple[int, int, int]:
    """The pixel, rounded to the colour it was sent as (the SDK goes through I420)."""
    px = np.frombuffer(frame.rgb, np.uint8).reshape(frame.height, frame.width, 3)[y, x]
    return tuple(int(round(int(v) / 50) * 50) for v in px)


async def test_video_frames_from_a_real_sdk_track_become_rgb24_frames():
    src = rtc.VideoSource(64, 36)
    track = rtc.LocalVideoTrack.create_video_track("avatar-video", src)
    source = LiveKitMediaSource()
    source.add_track(track)
    source.add_track(track)  # once only
    c = Collect(source)
    colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]
    for colour in colours * 3:
        src.capture_frame(rtc.VideoFrame(64, 36, rtc.VideoBufferType.RGBA, rgba(64, 36, colour)))
        await asyncio.sleep(0.03)
    await until(lambda: len(c.of(VideoFrame)) >= 3, what="3 frames")
    frame = c.of(VideoFrame)[-1]
    assert (frame.width, frame.height, len(frame.rgb)) == (64, 36, 64 * 36 * 3)
    assert colour_at(frame, 0, 0) == colour_at(frame, 17, 31) == (250, 250, 250)
    seen = {colour_at(f, 35, 63) for f in c.of(VideoFrame)}
    assert len(seen) >= 2 and seen <= {(200, 50, 50), (50, 200, 50), (50, 50, 200)}
    await source.aclose()
    await asyncio.wait_for(c.task, 5)


async def test_audio_levels_from_a_real_sdk_track_follow_the_voice():
    asrc = rtc.AudioSource(48000, 1)
    track = rtc.LocalAudioTrack.create_audio_track("avatar-audio", asrc)
    source = LiveKitMediaSource()
    source.add_track(track)
    c = Collect(source)
    loud = (np.sin(np.arange(480) * 2 * math.pi / 48) * 16384).astype(np.int16)  # RMS ~0.354
    quiet = np.zeros(480, np.int16)
    for _ in range(30):
        await asrc.capture_frame(rtc.AudioFrame(loud.tobytes(), 48000, 1, 480))
    for _ in range(30):
        await asrc.capture_frame(rtc.AudioFrame(quiet.tobytes(), 48000, 1, 480))
    await until(lambda: len(c.of(AudioLevel)) >= 10, what="10 levels")
    levels = [lv.level for lv in c.of(AudioLevel)]
    assert max(levels) == pytest.approx(0.354, abs=0.03)
    await until(lambda: c.of(AudioLevel)[-1].level < 0.01, what="silence")
    await source.aclose()
    await asyncio.wait_for(c.task, 5)


def test_rms_level():
    assert rms_level(np.zeros(100, np.int16)) == 0.0
    assert rms_level(np.full(100, -32768, np.int16)) == 1.0
    assert rms_level(b"") == 0.0
    assert rms_level(np.full(10, 16384, np.int16).tobytes()) == pytest.approx(0.5)


class FakeParticipant:
    def __init__(self, identity: str, tracks=()) -> None:
        self.identity = identity
        self.track_publications = {str(i): type("Pub", (), {"track": t})()
                                   for i, t in enumerate(tracks)}


class Room(rtc.EventEmitter):
    """Just the room's events and participants: tracks are real SDK tracks."""

    def __init__(self, participants=()) -> None:
        super().__init__()
        self.remote_participants = {p.identity: p for p in participants}


async def test_the_room_path_keeps_only_the_avatars_tracks():
    avatar_src, other_src, late_src = (rtc.VideoSource(16, 16) for _ in range(3))
    avatar_track = rtc.LocalVideoTrack.create_video_track("a", avatar_src)
    other_track = rtc.LocalVideoTrack.create_video_track("o", other_src)
    late_track = rtc.LocalVideoTrack.create_video_track("l", late_src)
    room = Room([FakeParticipant("avatar", [avatar_track]), FakeParticipant("user", [other_track])])
    transport = type("T", (), {"_room": room, "server_identity": "avatar"})()
    source = livekit_media_for(transport)
    assert livekit_media_for(type("T", (), {"_room": None})()) is None
    room.emit("track_subscribed", late_track, None, FakeParticipant("avatar"))
    room.emit("track_subscribed", other_track, None, FakeParticipant("user"))
    c = Collect(source)
    for src, colour in ((avatar_src, (250, 0, 0)), (other_src, (0, 250, 0)),
                        (late_src, (0, 0, 250))):
        for _ in range(3):
            src.capture_frame(rtc.VideoFrame(16, 16, rtc.VideoBufferType.RGBA,
                                             rgba(16, 16, colour)))
            await asyncio.sleep(0.02)
    await until(lambda: {colour_at(f, 15, 15) for f in c.of(VideoFrame)}
                >= {(250, 0, 0), (0, 0, 250)}, what="the avatar's two tracks")
    await asyncio.sleep(0.1)
    assert (0, 250, 0) not in {colour_at(f, 15, 15) for f in c.of(VideoFrame)}  # the user's
    await source.aclose()
    await asyncio.wait_for(c.task, 5)
    room.emit("track_subscribed", rtc.LocalVideoTrack.create_video_track("x", late_src), None,
              FakeParticipant("avatar"))  # after close: the handler is gone
    assert not source._readers


async def test_aclose_stops_every_reader_and_stream():
    before = set(asyncio.all_tasks())
    src = rtc.VideoSource(16, 16)
    asrc = rtc.AudioSource(48000, 1)
    source = LiveKitMediaSource()
    source.add_track(rtc.LocalVideoTrack.create_video_track("v", src))
    source.add_track(rtc.LocalAudioTrack.create_audio_track("a", asrc))
    c = Collect(source)
    src.capture_frame(rtc.VideoFrame(16, 16, rtc.VideoBufferType.RGBA, rgba(16, 16, (9, 9, 9))))
    await until(lambda: c.of(VideoFrame), what="a frame")
    await source.aclose()
    await asyncio.wait_for(c.task, 5)
    assert not source._readers and not source._streams
    left = {t for t in set(asyncio.all_tasks()) - before if not t.done()}
    ours = {t for t in left if "_read_" in repr(t.get_coro())}
    assert ours == set()
    source.add_track(rtc.LocalVideoTrack.create_video_track("v2", src))  # after close: ignored
    assert not source._readers
    await source.aclose()


async def test_a_reader_behind_loses_the_oldest_frames_never_the_levels():
    from akool_tui.stream import livekit_media

    source = LiveKitMediaSource()
    for i in range(40):
        source._put(VideoFrame(1, 1, bytes([i, 0, 0]), float(i)))
        source._put(AudioLevel(i / 100, float(i)))
    await source.aclose()
    items = [item async for item in source.frames()]
    frames = [i for i in items if isinstance(i, VideoFrame)]
    assert len([i for i in items if isinstance(i, AudioLevel)]) == 40
    assert frames[-1].rgb[0] == 39 and len(frames) < livekit_media.QUEUE_LIMIT
    assert source.dropped == 40 - len(frames)


def test_rgb24_drops_row_padding():
    from akool_tui.stream.livekit_media import rgb24

    class Frame:  # an RGB24 frame whose rows are padded to 8 bytes
        type = rtc.VideoBufferType.RGB24
        width, height = 2, 2
        data = bytes([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0])

    assert rgb24(Frame(), rtc) == (2, 2, bytes(range(1, 13)))
