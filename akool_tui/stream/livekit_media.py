"""The avatar's video and voice in a LiveKit session, as a :class:`~.media.MediaSource`.

Uses the SDK's media pipeline (``livekit.rtc``, imported lazily like
:mod:`.livekit_transport`): each video track is read with ``rtc.VideoStream`` and its
frames converted with ``VideoFrame.convert(rtc.VideoBufferType.RGB24)``; each audio
track is read with ``rtc.AudioStream`` (48 kHz mono) and its level is the RMS of the
samples (numpy) over :data:`LEVEL_WINDOW` seconds.

:meth:`LiveKitMediaSource.add_track` is the one way a track gets in: the room's
``track_subscribed`` handler calls it for the avatar participant's tracks, and the tests
call it with local tracks (``rtc.VideoSource`` -> ``LocalVideoTrack``), which the SDK
streams without a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from .livekit_transport import load_rtc
from .media import AudioLevel, VideoFrame

log = logging.getLogger(__name__)

#: one audio level per this many seconds of audio (the SDK's frames are 10 ms)
LEVEL_WINDOW = 0.05
AUDIO_RATE = 48_000
#: items waiting for the reader; past this the oldest video frame is dropped
QUEUE_LIMIT = 16
_END = object()


def rms_level(samples: Any) -> float:
    """0..1: the RMS of int16 PCM samples (a numpy array or bytes) over full scale."""
    import numpy as np

    pcm = np.frombuffer(samples, np.int16) if not isinstance(samples, np.ndarray) else samples
    if pcm.size == 0:
        return 0.0
    x = pcm.astype(np.float32) / 32768.0
    return min(1.0, float(np.sqrt(np.mean(x * x))))


def rgb24(frame: Any, rtc: Any) -> tuple[int, int, bytes]:
    """An SDK video frame as (width, height, row-major RGB24 bytes)."""
    if frame.type != rtc.VideoBufferType.RGB24:
        frame = frame.convert(rtc.VideoBufferType.RGB24)
    width, height = frame.width, frame.height
    data = bytes(frame.data)
    row = width * 3
    if len(data) != row * height and height and len(data) % height == 0:  # padded rows
        stride = len(data) // height
        data = b"".join(data[y * stride:y * stride + row] for y in range(height))
    return width, height, data


class LiveKitMediaSource:
    """Video frames and audio levels of the avatar's tracks in a LiveKit ``room``.

    ``room``: a connected ``rtc.Room`` (None: tracks are only added by hand).
    ``identity``: the avatar participant (the session's ``livekit_server_identity``);
    None takes every remote participant's tracks. ``max_fps``: frames closer together
    than this are dropped before conversion (None: all). ``clock`` stamps the items.
    """

    def __init__(self, room: Any = None, *, identity: str | None = None,
                 max_fps: float | None = None, clock: Callable[[], float] = time.monotonic,
                 rtc: Any = None) -> None:
        self._rtc = rtc or load_rtc()
        self._room = room
        self.identity = identity or None
        self._min_gap = 1.0 / max_fps if max_fps else 0.0
        self._clock = clock
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._streams: list[Any] = []
        self._closed = False
        self.dropped = 0  # video frames dropped because the reader was behind
        if room is not None:
            room.on("track_subscribed", self._on_track_subscribed)
            for participant in getattr(room, "remote_participants", {}).values():
                if self._wanted(participant):
                    for publication in participant.track_publications.values():
                        if getattr(publication, "track", None) is not None:
                            self.add_track(publication.track)

    def _wanted(self, participant: Any) -> bool:
        return self.identity is None or getattr(participant, "identity", None) == self.identity

    def _on_track_subscribed(self, track: Any, publication: Any, participant: Any) -> None:
        if self._wanted(participant):
            self.add_track(track)

    def add_track(self, track: Any) -> None:
        """Read ``track`` (video or audio) into this source; a track added twice is read once."""
        if self._closed:
            return
        key = str(id(track))  # local tracks all have the sid "TR_unknown"
        if key in self._readers:
            return
        rtc = self._rtc
        if track.kind == rtc.TrackKind.KIND_VIDEO:
            stream = rtc.VideoStream(track, capacity=2)
            reader = self._read_video(stream)
        elif track.kind == rtc.TrackKind.KIND_AUDIO:
            stream = rtc.AudioStream(track, sample_rate=AUDIO_RATE, num_channels=1)
            reader = self._read_audio(stream)
        else:
            return
        self._streams.append(stream)
        task = asyncio.get_running_loop().create_task(reader)
        self._readers[key] = task
        task.add_done_callback(lambda _t, key=key: self._readers.pop(key, None))

    def _put(self, item: Any) -> None:
        if self._queue.qsize() >= QUEUE_LIMIT and isinstance(item, VideoFrame):
            # behind: drop the oldest video frame waiting (levels are tiny, kept)
            kept = [i for i in _drain(self._queue)]
            for i, old in enumerate(kept):
                if isinstance(old, VideoFrame):
                    del kept[i]
                    self.dropped += 1
                    break
            for old in kept:
                self._queue.put_nowait(old)
        self._queue.put_nowait(item)

    async def _read_video(self, stream: Any) -> None:
        rtc, last = self._rtc, float("-inf")
        async for event in stream:
            now = self._clock()
            if self._min_gap and now - last < self._min_gap:
                continue
            last = now
            try:
                width, height, data = rgb24(event.frame, rtc)
            except Exception as exc:  # a frame the SDK cannot convert: skip it
                log.debug("video frame skipped: %s", exc)
                continue
            self._put(VideoFrame(width, height, data, now))

    async def _read_audio(self, stream: Any) -> None:
        import numpy as np

        window = int(AUDIO_RATE * LEVEL_WINDOW)
        pending: list[Any] = []
        count = 0
        async for event in stream:
            frame = event.frame
            pcm = np.frombuffer(frame.data, np.int16)
            if frame.num_channels > 1:
                pcm = pcm[::frame.num_channels]
            if frame.sample_rate != AUDIO_RATE:  # the SDK resamples; be safe if it did not
                window = int(frame.sample_rate * LEVEL_WINDOW)
            pending.append(pcm)
            count += pcm.size
            if count >= window:
                self._put(AudioLevel(rms_level(np.concatenate(pending)), self._clock()))
                pending, count = [], 0

    async def frames(self) -> AsyncIterator[VideoFrame | AudioLevel]:
        """What the tracks deliver, in arrival order, until :meth:`aclose`."""
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item

    async def aclose(self) -> None:
        """Stop reading every track and close the SDK streams (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._room is not None:
            with contextlib.suppress(Exception):
                self._room.off("track_subscribed", self._on_track_subscribed)
        tasks = list(self._readers.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for stream in self._streams:
            with contextlib.suppress(Exception):
                await stream.aclose()
        self._streams.clear()
        self._queue.put_nowait(_END)


def _drain(queue: asyncio.Queue[Any]) -> list[Any]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def livekit_media_for(transport: Any, **kwargs: Any) -> LiveKitMediaSource | None:
    """The media of a connected :class:`~.livekit_transport.LiveKitTransport`'s room, keeping
    the avatar's tracks (its ``server_identity``); None before it has joined."""
    room = getattr(transport, "_room", None)
    if room is None:
        return None
    return LiveKitMediaSource(room, identity=getattr(transport, "server_identity", None),
                              **kwargs)
