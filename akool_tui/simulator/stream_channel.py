"""The simulator's stream channel: ``/sim/stream/{session_id}`` (WebSocket).

Stands in for the real-time data channel of a ``stream_type: "websocket"`` session:
one binary frame = one data-channel payload, answered by a :class:`SimulatedAvatar`
configured from the session (mode_type, voice_id, language).

Refusals happen in the handshake (HTTP 401 bad token, 404 unknown session, 410
closed session, 400 bad fault parameters, each with an AKool-style JSON body) when
the server supports denial responses, else by closing with 4401 / 4404 / 4410 /
1008. A session that closes or runs out while connected is closed with 4410.

Simulator-only query parameters inject faults on the avatar's reply parts:
``?drop=0.1&duplicate=0.1&reorder=0.2&disconnect=0.05&seed=7``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import logging
from typing import Any
from weakref import WeakKeyDictionary

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from .avatar import SimulatedAvatar, StreamFaults
from .catalog import OPENAI_VOICES
from .records import CLOSED, FAILED
from .state import SimulatorState

log = logging.getLogger(__name__)

#: how often a connected channel checks that its session is still open (real seconds)
STATUS_POLL = 0.25
#: close code for a dropped connection (a fault): "service restart", so clients retry
DROP_CODE = 1012

_LIVE: WeakKeyDictionary[SimulatorState, dict[str, list[SimulatedAvatar]]] = WeakKeyDictionary()


#: the stream faults of connections that asked for none (``POST /sim/faults``'s
#: ``stream_*`` settings, switched from the demo's palette)
_DEFAULT_FAULTS: WeakKeyDictionary[SimulatorState, StreamFaults] = WeakKeyDictionary()
#: the ``/sim/faults`` names of the stream faults (``stream_`` + a StreamFaults field)
STREAM_SETTINGS = ("stream_drop", "stream_disconnect", "stream_latency")


def stream_fault_settings(state: SimulatorState) -> dict[str, float]:
    faults = _DEFAULT_FAULTS.get(state) or StreamFaults()
    return {name: getattr(faults, name.removeprefix("stream_")) for name in STREAM_SETTINGS}


def set_stream_faults(state: SimulatorState, changes: dict[str, float]) -> None:
    """Change the default stream faults (ValueError, nothing changed, when a value is
    out of range); the avatars connected with the defaults take them at once."""
    old = _DEFAULT_FAULTS.get(state) or StreamFaults()
    new = dataclasses.replace(old, **{k.removeprefix("stream_"): v for k, v in changes.items()})
    _DEFAULT_FAULTS[state] = new
    for avatars in _LIVE.get(state, {}).values():
        for avatar in avatars:
            if avatar.faults == old:
                avatar.faults = new


def live_avatars(state: SimulatorState, session_id: str) -> list[SimulatedAvatar]:
    """The avatars currently connected for ``session_id`` (for tests and demos).

    Their ``inject_user_speech`` and ``request_disconnect`` are thread-safe.
    """
    return list(_LIVE.get(state, {}).get(session_id, ()))


def _bearer(websocket: WebSocket) -> str:
    scheme, _, token = websocket.headers.get("authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _refuse(websocket: WebSocket, status: int, close_code: int, code: int, msg: str) -> None:
    log.info("stream channel refused: %s", msg)
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        body = {"code": code, "msg": msg, "data": None}
        await websocket.send_denial_response(JSONResponse(body, status_code=status))
    else:
        await websocket.accept()
        await websocket.close(code=close_code, reason=msg)


async def admitted(websocket: WebSocket) -> tuple[SimulatorState, str, Any] | None:
    """(state, session id, record) of a websocket session this token may join, or None
    after refusing it as AKool would (404 unknown, 401 bad token, 410 closed): the
    stream channel and the media channel admit the same way."""
    state: SimulatorState = websocket.app.state.simulator
    session_id = websocket.path_params.get("session_id", "")
    rec = state.sessions.get(session_id)
    if rec is None or rec.stream_type != "websocket":
        await _refuse(websocket, 404, 4404, 1216, "session does not exist or has no websocket stream")
        return None
    token = _bearer(websocket)
    if not token or not hmac.compare_digest(token.encode(), (rec.ws_token or "").encode()):
        await _refuse(websocket, 401, 4401, 1101, "invalid stream token")
        return None
    if state.session_status(session_id) in (CLOSED, FAILED):
        await _refuse(websocket, 410, 4410, 1219, "session closed")
        return None
    return state, session_id, rec


async def websocket_endpoint(websocket: WebSocket) -> None:
    if (admission := await admitted(websocket)) is None:
        return
    state, session_id, rec = admission
    try:
        faults = StreamFaults.from_mapping(websocket.query_params)
        if faults == StreamFaults():  # none asked for: the defaults (the demo's palette)
            faults = _DEFAULT_FAULTS.get(state) or faults
    except ValueError as exc:
        await _refuse(websocket, 400, 1008, 1003, str(exc))
        return
    await websocket.accept()
    await _serve(websocket, state, session_id, faults)


async def _serve(websocket: WebSocket, state: SimulatorState, session_id: str,
                 faults: StreamFaults) -> None:
    rec = state.sessions[session_id]
    closing: list[tuple[int, str]] = []

    async def close(code: int, reason: str) -> None:
        if not closing:
            closing.append((code, reason))
            with contextlib.suppress(Exception):
                await websocket.close(code=code, reason=reason)

    async def send(payload: bytes) -> None:
        if not closing and websocket.application_state == WebSocketState.CONNECTED:
            await websocket.send_bytes(payload)

    if rec.scene_mode == "fast_dialogue":  # the OpenAI preset voices, not the voice list
        voices = list(OPENAI_VOICES)
        voice = (rec.voice_params or {}).get("voice_id")
    else:
        voices = [v["voice_id"] for v in state.voices if v.get("support_stream")]
        voice = rec.voice_id
    avatar = SimulatedAvatar(
        send, mode=rec.mode_type, voice=voice, lang=rec.language or "en",
        voices=voices, languages=state.language_codes,
        chars_per_s=state.cfg.reply_chars_per_s, faults=faults,
        disconnect=lambda: close(DROP_CODE, "connection dropped (simulated fault)"),
    )
    registry = _LIVE.setdefault(state, {}).setdefault(session_id, [])
    registry.append(avatar)
    watcher = asyncio.get_running_loop().create_task(_watch(state, session_id, close))
    try:
        while not closing:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if data is None:
                data = (message.get("text") or "").encode("utf-8", "replace")
            await avatar.handle(data)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the peer went away mid-receive
    finally:
        watcher.cancel()
        await avatar.close()
        registry.remove(avatar)


async def _watch(state: SimulatorState, session_id: str, close) -> None:
    """Close the channel with 4410 once the session is closed or its time is up."""
    while True:
        await asyncio.sleep(STATUS_POLL)
        if state.session_status(session_id) in (CLOSED, FAILED):
            await close(4410, "session closed")
            return
