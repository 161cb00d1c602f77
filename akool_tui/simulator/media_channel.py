"""The simulator's media channel: ``/sim/media/{session_id}`` (WebSocket, server to client).

Streams what a websocket session's avatar looks and sounds like, in the binary format of
docs/media-format.md (:mod:`akool_tui.stream.media_codec`): one audio-level message then
one video frame per tick. The face (:mod:`.media_face`) blinks every few seconds and its
mouth moves while the session's avatar speaks (between the ``audio_start`` and
``audio_end`` its stream channel sends); the background is the session's
``background_url`` or the last ``bgurl`` set through set-params (:mod:`.media_background`).

It is refused like the stream channel (401 bad token, 404 unknown session or not a
websocket session, 410 closed, 400 bad query) and closed with 4410 when the session ends.

Query parameters (all optional):

- ``width``, ``height``: the frame size (default 320x180, 16..1920 x 16..1080);
- ``fps``: frames per second (default 10, 1..60); ``compress=0``: raw frames (default zlib);
- faults: ``drop=P`` each frame is not sent with chance P (0..1, ``seed=N`` repeats
  them); ``freeze=S`` from S seconds on the same frame is sent again and again (new
  timestamps, identical pixels); ``black=S`` from S seconds on the frames are black;
  ``slow=F`` frames come F times slower than ``fps`` (F >= 1). Audio levels keep coming.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..stream.media_codec import encode_frame, encode_level
from .records import CLOSED, FAILED
from .state import SimulatorState
from .stream_channel import _refuse, admitted, live_avatars

#: numpy draws the face; it comes with the ``video`` extra
NO_NUMPY = "the media channel needs numpy: pip install 'akool-tui[video]'"


@dataclass(frozen=True)
class MediaOptions:
    width: int = 320
    height: int = 180
    fps: float = 10.0
    compress: bool = True
    drop: float = 0.0
    freeze: float | None = None
    black: float | None = None
    slow: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        def check(ok: bool, what: str) -> None:
            if not ok:
                raise ValueError(what)

        check(16 <= self.width <= 1920, f"width must be 16..1920 (got {self.width})")
        check(16 <= self.height <= 1080, f"height must be 16..1080 (got {self.height})")
        check(1 <= self.fps <= 60, f"fps must be 1..60 (got {self.fps})")
        check(0 <= self.drop <= 1, f"fault drop must be a number from 0 to 1 (got {self.drop})")
        check(1 <= self.slow <= 100, f"fault slow must be 1..100 (got {self.slow})")
        for name in ("freeze", "black"):
            value = getattr(self, name)
            check(value is None or value >= 0,
                  f"fault {name} must be a number of seconds >= 0 (got {value})")

    @property
    def interval(self) -> float:
        return self.slow / self.fps

    @classmethod
    def from_mapping(cls, params: Mapping[str, str]) -> MediaOptions:
        """From query parameters; ValueError naming the first bad one."""
        values: dict[str, Any] = {}
        kinds = {"width": int, "height": int, "seed": int, "compress": int}
        for name in ("width", "height", "fps", "compress", "drop", "freeze", "black", "slow",
                     "seed"):
            raw = params.get(name)
            if raw is None or raw == "":
                continue
            try:
                value = kinds.get(name, float)(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number (got {raw!r})") from None
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number (got {raw!r})")
            values[name] = bool(value) if name == "compress" else value
        return cls(**values)


async def media_endpoint(websocket: WebSocket) -> None:
    if (admission := await admitted(websocket)) is None:
        return
    state, session_id, rec = admission
    try:
        options = MediaOptions.from_mapping(websocket.query_params)
    except ValueError as exc:
        await _refuse(websocket, 400, 1008, 1003, str(exc))
        return
    try:
        from .media_background import Backgrounds
    except ImportError:
        await _refuse(websocket, 501, 1011, 1003, NO_NUMPY)
        return
    await websocket.accept()
    gone = asyncio.Event()
    listener = asyncio.get_running_loop().create_task(_until_gone(websocket, gone))
    backgrounds = Backgrounds(options.width, options.height)
    try:
        await _stream(websocket, state, session_id, options, backgrounds, gone)
    finally:
        listener.cancel()
        await backgrounds.aclose()
        with contextlib.suppress(asyncio.CancelledError):
            await listener


async def _until_gone(websocket: WebSocket, gone: asyncio.Event) -> None:
    """Read (and ignore) what the client sends until it disconnects."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        gone.set()


def _background_url(state: SimulatorState, session_id: str) -> str | None:
    for avatar in reversed(live_avatars(state, session_id)):
        if avatar.params.bgurl:
            return avatar.params.bgurl
    rec = state.sessions.get(session_id)
    return rec.background_url if rec is not None else None


async def _stream(websocket: WebSocket, state: SimulatorState, session_id: str,
                  options: MediaOptions, backgrounds: Any, gone: asyncio.Event) -> None:
    from .media_face import Face, mouth_opening, speech_level

    loop = asyncio.get_running_loop()
    face = Face(options.width, options.height)
    rng = random.Random(options.seed)
    black = bytes(options.width * options.height * 3)
    frozen: bytes | None = None
    start = loop.time()
    tick = 0
    while not gone.is_set():
        if state.session_status(session_id) in (CLOSED, FAILED):
            with contextlib.suppress(Exception):
                await websocket.close(code=4410, reason="session closed")
            return
        t = loop.time() - start
        speaking = any(a.speaking for a in live_avatars(state, session_id))
        opening = mouth_opening(t, speaking)
        messages = [encode_level(speech_level(opening), t)]
        if not (options.drop and rng.random() < options.drop):
            if options.black is not None and t >= options.black:
                rgb = black
            elif frozen is not None:
                rgb = frozen
            else:
                bg = backgrounds.get(_background_url(state, session_id))
                rgb = face.draw(bg, t=t, opening=opening).tobytes()
                if options.freeze is not None and t >= options.freeze:
                    frozen = rgb
            messages.append(encode_frame(options.width, options.height, rgb, t,
                                         compress=options.compress))
        try:
            for message in messages:
                if websocket.application_state != WebSocketState.CONNECTED:
                    return
                await websocket.send_bytes(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        tick += 1
        # ticks on a fixed schedule (no drift); a late tick is not made up for
        delay = start + tick * options.interval - loop.time()
        if delay < 0:
            tick = math.ceil((loop.time() - start) / options.interval)
            delay = start + tick * options.interval - loop.time()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(gone.wait(), delay)
