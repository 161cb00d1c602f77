"""A hostile AKool server for the trust tests: every endpoint, poisoned or broken.

A small Starlette app on 127.0.0.1 that answers every path of the Live Avatar open API
(spec section 2) the way an attacker or a broken proxy might:

- ``poison``: every string value the client might show (ids, names, voices, languages,
  error ``msg``, URLs, credentials' extra fields, bot text on the stream channel) carries
  terminal control sequences, C1 controls, bidi overrides, zero-width characters and Rich
  markup. Ids are poisoned too, and every id is accepted back (close, detail...), so flows
  that act on a record go through with the poisoned id.
- ``body``: the shape of every answer (or only those whose path contains ``only``):
  ``"ok"`` well-formed envelopes; ``"error"`` code ``error_code`` with a poisoned msg;
  ``"nested"`` JSON nested ``depth`` deep; ``"slow"`` a valid body dripped one byte every
  ``drip`` seconds; ``"gzip_bomb"`` a small gzip body inflating to ``bomb_size`` bytes;
  ``"not_json"``; ``"huge_count"`` a list page claiming ``count`` 10**9 with size 1;
  ``"repeat_page"`` every page the same items with a huge count;
  ``"bad_dates"`` create times of year 1 and 9999 and beyond;
  ``"dup_voice"`` the same voice id in both voice lists;
  ``"huge_strings"`` names of ``huge`` characters;
  ``"endless_pages"`` list pages that never end nor repeat (one new item each, count 10**9);
  ``"gzip_bomb2"`` the bomb gzipped twice (``content-encoding: gzip, gzip``);
  ``"bad_token"`` getToken hands out :data:`BAD_TOKEN` (not a valid header value).
- ``stream_type``: ``"agora"`` (default) or ``"websocket"``: sessions whose credentials
  point at this server's stream channel (the chat connects and gets poisoned bot text).

Change the behaviour while it runs: ``server.hostile.body = "nested"``.
Use :func:`run_hostile` (a context manager) or the ``hostile`` fixture in conftest.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from akool_tui.simulator.server import bind

#: what the first finding in the trust issue used: clipboard write (OSC 52), window
#: title (OSC 0), clear screen (CSI 2J) -- plus a C1 CSI, bidi overrides/isolates,
#: zero-width characters, a BEL, a NUL, DEL and Rich markup that crashes when parsed
POISON = (
    "x\x1b]52;c;cHduZWQ=\x07\x1b]0;TITLE\x07\x1b[2J"
    "\x9b31m\u202eevil\u202c\u2066iso\u2069\u200b\u200d\ufeff\x00\x7f\x08"
    "[/x][bold red]se01[/x]"
)
#: characters that must never reach the terminal from outside text
FORBIDDEN = frozenset(
    ["\x1b", "\x07", "\x00", "\x7f", "\x08"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
       "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
)
SECRET_TOKEN = "hostile-bearer-token-SECRET-0123456789abcdef"
#: a token that cannot go into a header: non-ASCII, then a header injection
BAD_TOKEN = SECRET_TOKEN + "\u00e9\r\nX-Injected: 1"


def poisoned(text: str, poison: str) -> str:
    return f"{text}{poison}" if poison else text


@dataclass
class Hostile:
    """The server's behaviour; change any field while it runs."""

    poison: str = POISON
    body: str = "ok"
    only: str = ""  # apply ``body`` only to paths containing this (others answer "ok")
    error_code: int = 1008
    depth: int = 200_000
    drip: float = 2.0
    bomb_size: int = 2 * 1024**3
    huge: int = 1_000_000
    stream_type: str = "agora"
    ws_base: str = ""  # ws://127.0.0.1:<port>, set by HostileServer
    requests: list[str] = field(default_factory=list)  # paths asked, in order

    def mode_for(self, path: str) -> str:
        if self.only and self.only not in path:
            return "ok"
        return self.body


# -- poisoned records ------------------------------------------------------------------


def _p(h: Hostile, text: str) -> str:
    return poisoned(text, h.poison)


def _name(h: Hostile, text: str) -> str:
    if h.body == "huge_strings":
        return text + "N" * h.huge + h.poison
    return _p(h, text)


def _create_ms(h: Hostile, i: int) -> Any:
    if h.body == "bad_dates":
        return [-62135596800000, 253402300799999, 10**20, -(10**20), "soon", 1e308][i % 6]
    return int(time.time() * 1000) - 60_000 * (i + 1)


def session(h: Hostile, i: int = 0, *, sid: str | None = None, status: int = 2) -> dict[str, Any]:
    record = {
        "_id": sid or _p(h, f"se{i:02d}"),
        "uid": _p(h, "uid"),
        "type": 2,
        "status": status,
        "stream_type": "agora",
        "avatar_id": _p(h, "dvp_Tristan_cloth2_1080P"),
        "duration": 600,
        "create_time": _create_ms(h, i),
        "credentials": {
            "agora_uid": 7,
            "agora_app_id": _p(h, "appid"),
            "agora_channel": _p(h, "channel"),
            "agora_token": SECRET_TOKEN,
            "note": _p(h, "an extra field"),
            # the token again in other spellings and places masking must find
            "livekitToken": SECRET_TOKEN,
            "iceServers": [{"urls": "turn:turn.example.invalid", "username": "operator",
                            "credential": SECRET_TOKEN}],
            "server_url": f"wss://rtc.example.invalid/rtc?access_token={SECRET_TOKEN}&r=1",
            "echo": f"issued token {SECRET_TOKEN} for this session",
        },
        "extra_field": _p(h, "extra"),
    }
    if h.stream_type == "websocket":
        record["stream_type"] = "websocket"
        record["credentials"] = {"ws_url": f"{h.ws_base}/sim/stream/s{i}",
                                 "ws_token": SECRET_TOKEN, "note": _p(h, "an extra field")}
    return record


def avatar(h: Hostile, i: int = 0, *, status: int | None = None) -> dict[str, Any]:
    record = {
        "_id": _p(h, f"av{i:02d}"),
        "uid": _p(h, "uid"),
        "type": 2,
        "from": 3 if status is not None else 2,
        "avatar_id": _p(h, f"avatar{i}"),
        "voice_id": _p(h, "voice"),
        "name": _name(h, f"Avatar {i}"),
        "url": _p(h, "https://example.invalid/a.mp4"),
        "thumbnailUrl": _p(h, "https://example.invalid/a.png"),
        "gender": _p(h, "female"),
        "available": True,
        "create_time": _create_ms(h, i),
    }
    if status is not None:
        record["status"] = status
    return record


def voice(h: Hostile, i: int, kind: int) -> dict[str, Any]:
    vid = "dup-voice" if h.body == "dup_voice" else f"v{kind}-{i}"
    return {
        "voice_id": _p(h, vid),
        "name": _name(h, f"Voice {i}"),
        "gender": _p(h, "male"),
        "language": _p(h, "English"),
        "locale": _p(h, "en-US"),
        "preview": _p(h, "https://example.invalid/v.mp3"),
        "support_stream": True,
        "type": kind,
    }


def language(h: Hostile, i: int) -> dict[str, Any]:
    return {"lang_code": _p(h, f"l{i}"), "lang_name": _name(h, f"Language {i}"),
            "url": _p(h, "https://example.invalid/flag.png")}


def page(h: Hostile, items: list[dict[str, Any]], request: Request) -> dict[str, Any]:
    number = int(request.query_params.get("page", "1") or 1)
    size = int(request.query_params.get("size", "100") or 100)
    mode = h.mode_for(request.url.path)
    if mode == "huge_count":
        # size 1, count 10**9: a client trusting count would ask a billion pages
        chunk = items[number - 1:number] if number <= len(items) else []
        return {"count": 10**9, "page": number, "size": 1, "result": chunk}
    if mode == "repeat_page":
        return {"count": 10**9, "page": number, "size": len(items), "result": items}
    if mode == "endless_pages":
        fresh = {**items[0], "_id": f"endless-{number}", "voice_id": f"endless-{number}"}
        return {"count": 10**9, "page": number, "size": 1, "result": [fresh]}
    start = (number - 1) * size
    return {"count": len(items), "page": number, "size": size, "result": items[start:start + size]}


# -- bodies ---------------------------------------------------------------------------


def _envelope(h: Hostile, data: Any, **top: Any) -> dict[str, Any]:
    return {"code": 1000, "msg": _p(h, "OK"), "data": data, **top}


async def _drip(body: bytes, interval: float):
    for i in range(len(body)):
        yield body[i:i + 1]
        await asyncio.sleep(interval)


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(size: int) -> bytes:
    """A gzip body inflating to ``size`` bytes of JSON-ish text (cached per size)."""
    if size not in _BOMBS:
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
            z.write(b'{"code":1000,"msg":"')
            block = b"0" * (1 << 20)
            left = size
            while left > 0:
                z.write(block[:min(left, len(block))])
                left -= len(block)
            z.write(b'","data":{}}')
        _BOMBS[size] = out.getvalue()
    return _BOMBS[size]


def respond(h: Hostile, request: Request, data: Any, **top: Any) -> Response:
    path = request.url.path
    h.requests.append(path)
    mode = h.mode_for(path)
    if mode == "error":
        return JSONResponse({"code": h.error_code, "msg": _p(h, "refused"), "data": None})
    if mode == "nested":
        body = b'{"code":1000,"msg":"ok","data":' + b"[" * h.depth + b"]" * h.depth + b"}"
        return Response(body, media_type="application/json")
    if mode == "not_json":
        return Response(_p(h, "<html>gateway</html>").encode(), media_type="text/html")
    if mode == "gzip_bomb":
        return Response(gzip_bomb(h.bomb_size), media_type="application/json",
                        headers={"content-encoding": "gzip"})
    if mode == "gzip_bomb2":
        return Response(gzip.compress(gzip_bomb(h.bomb_size), 9), media_type="application/json",
                        headers={"content-encoding": "gzip, gzip"})
    body = json.dumps(_envelope(h, data, **top)).encode()
    if mode == "slow":
        return StreamingResponse(_drip(body, h.drip), media_type="application/json")
    return Response(body, media_type="application/json")


# -- the app --------------------------------------------------------------------------


def create_app(h: Hostile) -> Starlette:
    async def get_token(request: Request) -> Response:
        token = BAD_TOKEN if h.mode_for(request.url.path) == "bad_token" else SECRET_TOKEN
        return respond(h, request, None, token=token)

    async def avatar_create(request: Request) -> Response:
        return respond(h, request, avatar(h, 90, status=1))

    async def avatar_status(request: Request) -> Response:
        return respond(h, request, avatar(h, 90, status=3))

    async def avatar_detail(request: Request) -> Response:
        return respond(h, request, avatar(h, 0))

    async def avatar_list(request: Request) -> Response:
        return respond(h, request, page(h, [avatar(h, i) for i in range(6)], request))

    async def voice_list(request: Request) -> Response:
        kind = int(request.query_params.get("type", "2") or 2)
        return respond(h, request, page(h, [voice(h, i, kind) for i in range(4)], request))

    async def language_list(request: Request) -> Response:
        return respond(h, request, {"lang_list": [language(h, i) for i in range(4)]})

    async def session_create(request: Request) -> Response:
        return respond(h, request, session(h, 99, status=1))

    async def session_detail(request: Request) -> Response:
        sid = request.query_params.get("id") or None
        return respond(h, request, session(h, 0, sid=sid, status=3))

    async def session_close(request: Request) -> Response:
        return respond(h, request, None)

    async def session_list(request: Request) -> Response:
        items = [session(h, i, status=(2 if i % 3 else 3)) for i in range(12)]
        return respond(h, request, page(h, items, request))

    async def quota(request: Request) -> Response:
        return respond(h, request, {"credit": 1234.5})

    async def stream(websocket: WebSocket) -> None:
        """A stream channel whose avatar answers every message with poisoned text."""
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                mid = f"m{time.monotonic_ns()}"
                for idx, text in enumerate([_p(h, "Hello "), _p(h, "operator")]):
                    part = {"v": 2, "type": "chat", "mid": mid, "idx": idx, "fin": idx == 1,
                            "pld": {"from": "bot", "text": text}}
                    await websocket.send_bytes(json.dumps(part).encode())
        except (WebSocketDisconnect, RuntimeError):
            return

    v3, v4 = "/api/open/v3", "/api/open/v4"
    routes = [
        Route(f"{v3}/getToken", get_token, methods=["POST"]),
        Route(f"{v3}/avatar/create", avatar_create, methods=["POST"]),
        Route(f"{v3}/avatar/detail", avatar_status, methods=["GET"]),
        Route(f"{v4}/liveAvatar/avatar/detail", avatar_detail, methods=["GET"]),
        Route(f"{v4}/liveAvatar/avatar/list", avatar_list, methods=["GET"]),
        Route(f"{v4}/voice/list", voice_list, methods=["GET"]),
        Route(f"{v3}/language/list", language_list, methods=["GET"]),
        Route(f"{v4}/liveAvatar/session/create", session_create, methods=["POST"]),
        Route(f"{v4}/liveAvatar/session/detail", session_detail, methods=["GET"]),
        Route(f"{v4}/liveAvatar/session/close", session_close, methods=["POST"]),
        Route(f"{v4}/liveAvatar/session/list", session_list, methods=["GET"]),
        Route(f"{v3}/faceswap/quota/info", quota, methods=["GET"]),
        WebSocketRoute("/sim/stream/{session_id}", stream),
    ]
    return Starlette(routes=routes)


class HostileServer:
    """The hostile app served by uvicorn in a daemon thread on 127.0.0.1."""

    def __init__(self, hostile: Hostile | None = None, *, app: Any = None) -> None:
        """``app``: serve that ASGI app instead (another test's scripted server)."""
        self.hostile = hostile or Hostile()
        self._sock = bind("127.0.0.1", 0)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.hostile.ws_base = f"ws://127.0.0.1:{self.port}"
        app = create_app(self.hostile) if app is None else app
        config = uvicorn.Config(app, log_level="critical", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"hostile:{self.port}", daemon=True)

    def start(self) -> HostileServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hostile server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(5)
        with contextlib.suppress(OSError):
            self._sock.close()


@contextlib.contextmanager
def run_hostile(**fields: Any) -> Iterator[HostileServer]:
    server = HostileServer(Hostile(**fields)).start()
    try:
        yield server
    finally:
        server.stop()


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters found in ``text`` (as escapes), for assertion messages."""
    return sorted({repr(c) for c in text if c in FORBIDDEN})
