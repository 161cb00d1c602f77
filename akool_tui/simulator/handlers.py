"""The endpoints of AKool's open API, as the simulator answers them.

Each handler returns the ``data`` of a successful answer (or a ready Response)
and raises :class:`SimError` for a business error; ``app.py`` wraps both in
AKool's ``{code, msg, data}`` envelope.
"""

from __future__ import annotations

import hmac
import math
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .params import (
    absent,
    bad,
    choice,
    http_url,
    json_body,
    page_params,
    query_id,
    string,
    whole_number,
)
from .records import STREAM_TYPES, AvatarRecord, SessionRecord, session_to_api
from .state import SimError, SimulatorState

AVATAR_ID_RE = re.compile(r"^[a-zA-Z0-9]+$")
MAX_DURATION = 3600
SPEED_RANGE = (0.8, 1.2)


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _ws_base(request: Request) -> str:
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return f"{scheme}://{request.url.netloc}"


def _sessions(
    request: Request, state: SimulatorState, records: list[SessionRecord], *, detail: bool
) -> list[dict[str, Any]]:
    ctx = state.credentials_context(_ws_base(request))
    now, queue_delay = state.clock.now(), state.cfg.queue_delay
    return [session_to_api(rec, now, queue_delay, ctx, detail=detail) for rec in records]


# -- auth ---------------------------------------------------------------------------


async def get_token(request: Request, state: SimulatorState) -> Response:
    body = await json_body(request)
    client_id = string(body, "clientId", required=True)
    client_secret = string(body, "clientSecret", required=True)
    cfg = state.cfg
    known = same_secret(client_id, cfg.client_id) and same_secret(client_secret, cfg.client_secret)
    if not known:
        raise SimError(1101, "invalid clientId or clientSecret")
    # the token sits at the top level of this answer, not in data
    return JSONResponse({"code": 1000, "msg": "OK", "token": state.issue_token()})


# -- avatars ------------------------------------------------------------------------


def _avatar_data(state: SimulatorState, rec: AvatarRecord) -> dict[str, Any]:
    return rec.to_api(state.clock.now(), state.cfg.avatar_steps, state.uid)


async def upload_avatar(request: Request, state: SimulatorState) -> dict[str, Any]:
    body = await json_body(request)
    url = http_url(body, "url", required=True)
    avatar_id = string(body, "avatar_id", required=True)
    if not AVATAR_ID_RE.fullmatch(avatar_id):
        raise bad("avatar_id may only contain letters and digits (^[a-zA-Z0-9]+$)")
    if absent(body.get("type")):
        raise bad("type is required and must be 2 (streaming avatar)")
    choice(body["type"], "type", (2,), text=True)
    if not absent(body.get("url_from")):
        choice(body["url_from"], "url_from", (1, 2), text=True)
    name = string(body, "name")
    rec = state.upload_avatar(avatar_id, url, name.strip() if name else None)
    return _avatar_data(state, rec)


async def avatar_upload_status(request: Request, state: SimulatorState) -> dict[str, Any]:
    oid = query_id(request, "id")
    rec = state.avatars_by_oid.get(oid)
    if rec is None:
        raise SimError(1008, f"avatar record {oid!r} not found")
    return _avatar_data(state, rec)


async def avatar_detail(request: Request, state: SimulatorState) -> dict[str, Any]:
    avatar_id = query_id(request, "avatar_id")
    rec = state.avatars.get(avatar_id)
    if rec is None:
        raise SimError(1008, f"avatar {avatar_id!r} not found")
    return _avatar_data(state, rec)


async def avatar_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    page, size = page_params(request, 100)
    count, records = state.avatar_page(page, size)
    return {"count": count, "result": [_avatar_data(state, rec) for rec in records]}


# -- voices and languages -------------------------------------------------------------


_FLAGS = {"1": True, "true": True, "0": False, "false": False}


async def voice_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    q = request.query_params
    page, size = page_params(request, 10)
    voices = state.voices
    if not absent(q.get("type")):
        vtype = choice(q["type"], "type", (1, 2), text=True)
        voices = [v for v in voices if v["type"] == vtype]
    if not absent(q.get("support_stream")):
        flag = _FLAGS.get(q["support_stream"].strip().lower())
        if flag is None:
            raise bad("support_stream must be 1 or 0")
        voices = [v for v in voices if v["support_stream"] is flag]
    name = q.get("name", "").strip().lower()
    if name:
        voices = [v for v in voices if name in v["name"].lower()]
    start = (page - 1) * size
    return {"result": voices[start:start + size], "count": len(voices), "page": page,
            "size": size}


async def language_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    return {"lang_list": state.languages}


# -- sessions -----------------------------------------------------------------------


def _voice_params(value: Any) -> dict[str, Any] | None:
    if absent(value):
        return None
    if not isinstance(value, dict):
        raise bad("voice_params must be an object")
    out = {k: v for k, v in value.items() if not absent(v)}
    if "speed" in out:
        speed = out["speed"]
        lo, hi = SPEED_RANGE
        if (isinstance(speed, bool) or not isinstance(speed, (int, float))
                or not math.isfinite(speed) or not lo <= speed <= hi):
            raise bad(f"voice_params.speed must be a number from {lo} to {hi}")
    if "stt_language" in out and not isinstance(out["stt_language"], str):
        raise bad("voice_params.stt_language must be a string")
    for key in ("pron_map", "turn_detection"):
        if key in out and not isinstance(out[key], dict):
            raise bad(f"voice_params.{key} must be an object")
    return out or None


def _session_options(body: dict[str, Any], state: SimulatorState) -> dict[str, Any]:
    options: dict[str, Any] = {}
    voice_id = string(body, "voice_id")
    if voice_id is not None:
        voice = state.voice_by_id.get(voice_id)
        if voice is None:
            raise SimError(1008, f"voice {voice_id!r} not found; see the voice list")
        if not voice["support_stream"]:
            raise bad(f"voice {voice_id!r} does not support streaming")
        options["voice_id"] = voice_id
    language = string(body, "language")
    if language is not None:
        if language not in state.language_codes:
            raise bad(f"language {language!r} is not supported; see the language list")
        options["language"] = language
    if not absent(body.get("mode_type")):
        options["mode_type"] = choice(body["mode_type"], "mode_type", (1, 2))
    for key in ("voice_url", "background_url"):
        url = http_url(body, key)
        if url is not None:
            options[key] = url
    knowledge_id = string(body, "knowledge_id")
    if knowledge_id is not None:
        options["knowledge_id"] = knowledge_id
    voice_params = _voice_params(body.get("voice_params"))
    if voice_params is not None:
        options["voice_params"] = voice_params
    return options


async def create_session(request: Request, state: SimulatorState) -> dict[str, Any]:
    body = await json_body(request)
    avatar_id = string(body, "avatar_id", required=True).strip()
    if absent(body.get("duration")):
        raise bad(f"duration is required (seconds, 1 to {MAX_DURATION})")
    duration = whole_number(body["duration"], "duration", text=False)
    if not 1 <= duration <= MAX_DURATION:
        raise bad(f"duration must be from 1 to {MAX_DURATION} seconds (got {duration})")
    stream_type = string(body, "stream_type") or "agora"
    if stream_type not in STREAM_TYPES:
        raise bad(f"stream_type must be one of {', '.join(STREAM_TYPES)} (got {stream_type!r})")
    options = _session_options(body, state)
    rec = state.create_session(avatar_id, duration, stream_type, **options)
    return _sessions(request, state, [rec], detail=True)[0]


async def session_detail(request: Request, state: SimulatorState) -> dict[str, Any]:
    session_id = query_id(request, "id")
    rec = state.sessions.get(session_id)
    if rec is None:
        raise SimError(1216, f"session {session_id!r} does not exist")
    return _sessions(request, state, [rec], detail=True)[0]


async def close_session(request: Request, state: SimulatorState) -> None:
    body = await json_body(request)
    session_id = string(body, "id") or string(body, "session_id")
    if session_id is None or not session_id.strip():
        raise bad("id is required")
    state.close_session(session_id.strip())
    return None


async def session_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    page, size = page_params(request, 100)
    raw = request.query_params.get("status")
    status = None if absent(raw) else choice(raw, "status", (1, 2, 3, 4), text=True)
    count, records = state.list_sessions(page, size, status)
    return {"count": count, "result": _sessions(request, state, records, detail=False)}
