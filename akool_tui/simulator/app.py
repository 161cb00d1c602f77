"""The simulator's Starlette application: routes, envelope, auth, faults, churn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from . import handlers, llm_endpoint
from .config import SimulatorConfig
from .faults import FaultInjector
from .media_channel import media_endpoint
from .state import SimError, SimulatorState
from .stream_channel import (
    STREAM_SETTINGS,
    set_stream_faults,
    stream_fault_settings,
    websocket_endpoint,
)

log = logging.getLogger(__name__)

Handler = Callable[[Request, SimulatorState], Awaitable[Any]]

V3 = "/api/open/v3"
V4 = "/api/open/v4"
#: (method, path, handler, needs auth)
ENDPOINTS: tuple[tuple[str, str, Handler, bool], ...] = (
    ("POST", f"{V3}/getToken", handlers.get_token, False),
    ("POST", f"{V3}/avatar/create", handlers.upload_avatar, True),
    ("GET", f"{V3}/avatar/detail", handlers.avatar_upload_status, True),
    ("GET", f"{V4}/liveAvatar/avatar/detail", handlers.avatar_detail, True),
    ("GET", f"{V4}/liveAvatar/avatar/list", handlers.avatar_list, True),
    ("GET", f"{V4}/voice/list", handlers.voice_list, True),
    ("GET", f"{V3}/language/list", handlers.language_list, True),
    ("POST", f"{V4}/liveAvatar/session/create", handlers.create_session, True),
    ("GET", f"{V4}/liveAvatar/session/detail", handlers.session_detail, True),
    ("POST", f"{V4}/liveAvatar/session/close", handlers.close_session, True),
    ("GET", f"{V4}/liveAvatar/session/list", handlers.session_list, True),
    ("GET", f"{V4}/knowledge/list", handlers.knowledge_list, True),
    ("POST", f"{V4}/knowledge/create", handlers.knowledge_create, True),
    ("GET", f"{V4}/knowledge/detail", handlers.knowledge_detail, True),
    ("POST", f"{V4}/knowledge/update", handlers.knowledge_update, True),
    ("DELETE", f"{V4}/knowledge/delete", handlers.knowledge_delete, True),
    ("GET", f"{V3}/faceswap/quota/info", handlers.credit_info, True),
)
STREAM_PATH = "/sim/stream/{session_id}"
#: the avatar's video and audio level of a websocket session (docs/media-format.md)
MEDIA_PATH = "/sim/media/{session_id}"
FAULTS_PATH = "/sim/faults"


def envelope(code: int, msg: str, data: Any = None) -> JSONResponse:
    """AKool's answer: always HTTP 200, always ``code``, ``msg`` and ``data``."""
    return JSONResponse({"code": code, "msg": msg, "data": data})


def authenticate(request: Request, state: SimulatorState) -> None:
    """``Authorization: Bearer <token>`` wins over ``x-api-key`` when both are sent."""
    authorization = request.headers.get("authorization", "").strip()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not state.use_token(token.strip()):
            raise SimError(1101, "invalid or expired token")
        return
    api_key = request.headers.get("x-api-key", "").strip()
    if api_key:
        if not handlers.same_secret(api_key, state.cfg.api_key):
            raise SimError(1101, "invalid api key")
        return
    raise SimError(1102, "authorization is empty: send Authorization: Bearer <token> or x-api-key")


class Api:
    """Wraps every handler in latency, faults, auth and the envelope."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.faults = FaultInjector(state.cfg)

    def route(self, method: str, path: str, handler: Handler, needs_auth: bool) -> Route:
        async def endpoint(request: Request) -> Response:
            if self.faults.latency:
                await asyncio.sleep(self.faults.latency)
            fault = self.faults.draw()
            if fault is not None:
                return fault
            try:
                if needs_auth:
                    authenticate(request, self.state)
                data = await handler(request, self.state)
            except SimError as err:
                return envelope(err.code, err.msg)
            if isinstance(data, Response):
                return data
            return envelope(1000, "OK", data)

        return Route(path, endpoint, methods=[method], name=handler.__name__)

    def faults_route(self) -> Route:
        """``GET``/``POST /sim/faults``: the live fault settings, read or changed with a
        JSON object such as ``{"error_rate": 0.3}``. Authenticated like the API, and
        never delayed or failed itself (faults can always be switched off)."""

        async def endpoint(request: Request) -> Response:
            try:
                authenticate(request, self.state)
                if request.method == "POST":
                    try:
                        changes = await request.json()
                    except ValueError:
                        raise SimError(1003, "the body must be a JSON object") from None
                    if not isinstance(changes, dict):
                        raise SimError(1003, "the body must be a JSON object")
                    stream = {k: changes.pop(k) for k in list(changes) if k in STREAM_SETTINGS}
                    try:
                        self.faults.check(changes)
                        if stream:  # the stream channel's own (checked as they are set)
                            set_stream_faults(self.state, stream)
                        self.faults.update(changes)
                    except (TypeError, ValueError) as err:
                        raise SimError(1003, str(err)) from None
            except SimError as err:
                return envelope(err.code, err.msg)
            return envelope(1000, "OK", {**self.faults.settings(),
                                         **stream_fault_settings(self.state)})

        return Route(FAULTS_PATH, endpoint, methods=["GET", "POST"], name="sim_faults")


async def churn_loop(state: SimulatorState) -> None:
    """One churn step per ``churn_interval``; sleeps in between (no busy loop)."""
    while True:
        await asyncio.sleep(state.cfg.churn_interval)
        try:
            state.churn_step()
        except Exception:  # a bad step must not stop the server
            log.exception("simulator churn step failed")


def create_app(cfg: SimulatorConfig, state: SimulatorState | None = None) -> Starlette:
    """The simulator as an ASGI app; ``app.state.simulator`` is its :class:`SimulatorState`.

    A ``state`` passed in must have been built from ``cfg``.
    """
    state = state or SimulatorState(cfg)
    api = Api(state)
    routes: list[BaseRoute] = [api.route(*spec) for spec in ENDPOINTS]
    routes.append(api.faults_route())
    routes.append(WebSocketRoute(STREAM_PATH, websocket_endpoint, name="sim_stream"))
    routes.append(WebSocketRoute(MEDIA_PATH, media_endpoint, name="sim_media"))
    routes.extend(llm_endpoint.routes())  # bring-your-own-LLM stand-in: /v1/chat/completions

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(churn_loop(state)) if state.cfg.churn else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.simulator = state
    app.state.llm_chunk_delay = llm_endpoint.CHUNK_DELAY
    return app
