"""The endpoints of AKool's open API, as the simulator answers them.

Each handler returns the ``data`` of a successful answer (or a ready Response)
and raises :class:`SimError` for a business error; ``app.py`` wraps both in
AKool's ``{code, msg, data}`` envelope.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import knowledge, session_options
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
from .records import KB_USER, STREAM_TYPES, AvatarRecord, SessionRecord, session_to_api
from .state import SimError, SimulatorState

AVATAR_ID_RE = re.compile(r"^[a-zA-Z0-9]+$")
MAX_DURATION = 3600
AVATAR_PLATFORMS = ("open", "aigc")


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
    name = string(body, "name", required=True)
    rec = state.upload_avatar(avatar_id, url, name.strip())
    data = _avatar_data(state, rec)
    # one docs page shows the record in a one-element array
    return [data] if state.cfg.avatar_create_shape == "array" else data


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
    platform = request.query_params.get("platform", "").strip() or "open"
    if platform not in AVATAR_PLATFORMS:
        raise bad(f"platform must be open or aigc (got {platform!r})")
    count, records = state.avatar_page(page, size, platform)
    return {"count": count, "result": [_avatar_data(state, rec) for rec in records]}


# -- voices and languages -------------------------------------------------------------


#: voice list filters: query name -> the voice's field (a string or a list of strings)
VOICE_FILTERS = ("gender", "age", "style", "scenario")


def _wanted(raw: str) -> set[str]:
    return {part.strip().casefold() for part in raw.split(",") if part.strip()}


def _matches(value: Any, wanted: set[str]) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.casefold() in wanted for v in values)


async def voice_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    """``type`` is required (1 cloned, 2 AKool's); ``support_stream`` 1 streams, 2 does
    not; ``gender``, ``age``, ``style``, ``scenario`` are comma-separated (a voice
    matches one of the values of each filter sent); ``name`` matches any part."""
    q = request.query_params
    page, size = page_params(request, 10)
    if absent(q.get("type")):
        raise bad("type is required: 1 (your cloned voices) or 2 (AKool's voices)")
    vtype = choice(q["type"], "type", (1, 2), text=True)
    voices = [v for v in state.voices if v["type"] == vtype]
    if not absent(q.get("support_stream")):
        stream = choice(q["support_stream"], "support_stream", (1, 2), text=True) == 1
        voices = [v for v in voices if v["support_stream"] is stream]
    for key in VOICE_FILTERS:
        wanted = _wanted(q.get(key, ""))
        if wanted:
            voices = [v for v in voices if _matches(v.get(key), wanted)]
    name = q.get("name", "").strip().casefold()
    if name:
        voices = [v for v in voices if name in v["name"].casefold()]
    start = (page - 1) * size
    return {"result": voices[start:start + size], "count": len(voices), "page": page,
            "size": size}


async def language_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    return {"lang_list": state.languages}


# -- sessions -----------------------------------------------------------------------


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
    options = session_options.parse(body, state, stream_type)
    rec = state.create_session(avatar_id, duration, stream_type, **options)
    return _sessions(request, state, [rec], detail=True)[0]


async def session_detail(request: Request, state: SimulatorState) -> dict[str, Any]:
    session_id = query_id(request, "id")
    rec = state.sessions.get(session_id)
    if rec is None:
        raise SimError(1216, f"session {session_id!r} does not exist")
    return _sessions(request, state, [rec], detail=True)[0]


async def close_session(request: Request, state: SimulatorState) -> dict[str, Any] | None:
    """``{id}`` (the OpenAPI file) or ``{session_id}`` (a docs page); the answer's data
    is null (the default), {} or ``{session_id, status: "closed", closed_at}``, as
    ``close_answer`` says."""
    body = await json_body(request)
    session_id = string(body, "id") or string(body, "session_id")
    if session_id is None or not session_id.strip():
        raise bad("id is required")
    rec = state.close_session(session_id.strip())
    shape = state.cfg.close_answer
    if shape == "empty":
        return {}
    if shape == "detail":
        return {"session_id": rec.id, "status": "closed",
                "closed_at": int((rec.closed_at or state.clock.now()) * 1000)}
    return None


async def session_list(request: Request, state: SimulatorState) -> dict[str, Any]:
    page, size = page_params(request, 100)
    raw = request.query_params.get("status")
    status = None if absent(raw) else choice(raw, "status", (1, 2, 3, 4), text=True)
    count, records = state.list_sessions(page, size, status)
    return {"count": count, "result": _sessions(request, state, records, detail=False)}


# -- knowledge bases --------------------------------------------------------------------


async def knowledge_list(request: Request, state: SimulatorState) -> Any:
    """``page`` (>= 1), ``size`` (1..100, default 10), ``name`` (any part, any case),
    ``from`` (1 AKool's, 2 yours: the default). ``data`` is the array itself, or
    ``{knowledge_list: [...]}`` when ``knowledge_list_shape`` is "object"."""
    q = request.query_params
    page = 1 if absent(q.get("page")) else whole_number(q["page"], "page", text=True)
    size = 10 if absent(q.get("size")) else whole_number(q["size"], "size", text=True)
    if page < 1:
        raise bad("page must be 1 or more")
    if not 1 <= size <= 100:
        raise bad(f"size must be from 1 to 100 (got {size})")
    source = KB_USER if absent(q.get("from")) else choice(q["from"], "from", (1, 2), text=True)
    found = [kb.to_api() for kb in state.knowledge_page(page, size, source, q.get("name", ""))]
    if state.cfg.knowledge_list_shape == "object":
        return {"knowledge_list": found}
    return found


async def knowledge_create(request: Request, state: SimulatorState) -> dict[str, Any]:
    body = await json_body(request)
    return state.create_knowledge(knowledge.fields(body)).to_api()


async def knowledge_detail(request: Request, state: SimulatorState) -> dict[str, Any]:
    kb_id = query_id(request, "id")
    return state.knowledge_base(kb_id, malformed=1236).to_api()


async def knowledge_update(request: Request, state: SimulatorState) -> dict[str, Any]:
    """Changes the fields sent; ``prologue: ""`` clears the prologue, other empty
    fields change nothing."""
    body = await json_body(request)
    kb_id = string(body, "id", required=True).strip()
    values = knowledge.fields(body)
    return state.update_knowledge(kb_id, values).to_api()


async def knowledge_delete(request: Request, state: SimulatorState) -> None:
    """A DELETE whose JSON body is ``{id}``."""
    body = await json_body(request)
    kb_id = string(body, "id", required=True).strip()
    state.delete_knowledge(kb_id)
    return None


# -- credits ------------------------------------------------------------------------------


async def credit_info(request: Request, state: SimulatorState) -> dict[str, Any]:
    """The whole account's balance: credits held by open sessions are already taken."""
    return {"credit": state.credit_balance()}
