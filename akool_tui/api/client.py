"""The async AKool REST client: every endpoint of the Live Avatar open API.

One :class:`httpx.AsyncClient` per :class:`AkoolClient`, an explicit timeout,
authentication as an :class:`httpx.Auth` flow (see :mod:`.auth`), typed errors
(see :mod:`.errors`), retries with exponential backoff and full jitter for reads
only, and concurrent pagination bounded by ``concurrency``.

    async with AkoolClient(api_key="...") as client:
        sessions = await client.list_all_sessions(status=SessionStatus.PROCESSING)
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from .auth import TOKEN_PATH, ApiKeyAuth, TokenAuth, token_from_body
from .envelope import parse_envelope
from .errors import (
    AkoolError,
    ConfigError,
    MissingCredentialsError,
    NetworkError,
    ParamError,
    ProtocolError,
    TimeoutError_,
)
from .events import ClientEvent, EventHandler, emit
from .models import DEFAULT_AVATAR_ID, Avatar, Language, Page, Session, SessionStatus, Voice

__all__ = ["AkoolClient", "ClientEvent", "DEFAULT_BASE_URL", "MAX_PAGE_SIZE", "check_base_url"]

DEFAULT_BASE_URL = "https://openapi.akool.com"
MAX_PAGE_SIZE = 100
MAX_BACKOFF = 10.0  # seconds, cap of one retry delay

AVATAR_CREATE = "/api/open/v3/avatar/create"
AVATAR_STATUS = "/api/open/v3/avatar/detail"
AVATAR_DETAIL = "/api/open/v4/liveAvatar/avatar/detail"
AVATAR_LIST = "/api/open/v4/liveAvatar/avatar/list"
VOICE_LIST = "/api/open/v4/voice/list"
LANGUAGE_LIST = "/api/open/v3/language/list"
SESSION_CREATE = "/api/open/v4/liveAvatar/session/create"
SESSION_DETAIL = "/api/open/v4/liveAvatar/session/detail"
SESSION_CLOSE = "/api/open/v4/liveAvatar/session/close"
SESSION_LIST = "/api/open/v4/liveAvatar/session/list"

T = TypeVar("T")


# -- argument helpers -----------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Validate a base URL; return it without a trailing slash.

    http is accepted for loopback hosts only (the simulator); anything else must be
    https. Credentials in the URL are refused (they would leak into logs).
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("The base URL is empty")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigError("The base URL is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError("The base URL must look like https://host[:port]")
    if parsed.userinfo:
        raise ConfigError("The base URL must not contain a user name or password")
    if parsed.query or parsed.fragment:
        raise ConfigError("The base URL must not have a query or fragment")
    if parsed.scheme == "http" and not _is_loopback(parsed.host):
        raise ConfigError(f"The base URL for {parsed.host} must use https (http is for loopback only)")
    return str(parsed).rstrip("/")


def _clean_secret(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"The {name} must be text")
    return value.strip() or None


def _compact(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out optional fields that are None, "" or {} (one level deep for dicts)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):
            value = _compact(value)
        if value is None or value == "" or value == {}:
            continue
        out[key] = value
    return out


def _require_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"The {name} is empty")
    return value.strip()


def _require_int(value: Any, name: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"The {name} must be a whole number, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ParamError(f"The {name} must be at least {minimum}")
    return value


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _dedupe(items: list[T], key: Callable[[T], str]) -> list[T]:
    """Keep the first of items sharing a non-empty key, in order."""
    seen: set[str] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k:
            if k in seen:
                continue
            seen.add(k)
        out.append(item)
    return out


# -- the client -------------------------------------------------------------------


class AkoolClient:
    """Async client for AKool's Live Avatar open API (or the bundled simulator).

    Credentials: ``client_id`` + ``client_secret`` (bearer token; preferred when both
    kinds are given, as the service itself lets ``Authorization`` win) or ``api_key``
    (``x-api-key``). Without either, every call raises
    :class:`~.errors.MissingCredentialsError` before anything is sent.

    ``on_event`` observes retries and token renewals (:class:`ClientEvent`).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: float = 15.0,
        max_retries: int = 3,
        backoff_base: float = 0.3,
        concurrency: int = 8,
        transport: httpx.AsyncBaseTransport | None = None,
        on_event: EventHandler | None = None,
    ) -> None:
        self._base_url = check_base_url(base_url)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ConfigError("The timeout must be a positive number of seconds")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError("max_retries must be a whole number >= 0")
        if isinstance(backoff_base, bool) or not isinstance(backoff_base, (int, float)) or backoff_base < 0:
            raise ConfigError("backoff_base must be a number of seconds >= 0")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigError("concurrency must be a whole number >= 1")
        self._timeout = float(timeout)
        self._max_retries = max_retries
        self._backoff_base = float(backoff_base)
        self._concurrency = concurrency
        self._on_event = on_event

        parsed = httpx.URL(self._base_url)
        self._origin = f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            timeout=httpx.Timeout(self._timeout),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max(16, 2 * concurrency),
                max_keepalive_connections=max(8, concurrency),
            ),
            transport=transport,
            follow_redirects=False,
        )

        api_key = _clean_secret(api_key, "API key")
        client_id = _clean_secret(client_id, "client ID")
        client_secret = _clean_secret(client_secret, "client secret")
        self._auth: ApiKeyAuth | TokenAuth | None = None
        self._missing = "No credentials: set an API key, or a client ID and client secret"
        if client_id and client_secret:
            self._auth = TokenAuth(client_id, client_secret, self._http.build_request, on_event)
        elif api_key:
            self._auth = ApiKeyAuth(api_key)
        elif client_id or client_secret:
            which = "client secret" if client_id else "client ID"
            self._missing = f"Incomplete credentials: the {which} is missing"

    # -- lifecycle and identity ------------------------------------------------

    async def __aenter__(self) -> AkoolClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def auth_mode(self) -> str:
        """``"api key"``, ``"client credentials"`` or ``"none"``."""
        return self._auth.mode if self._auth else "none"

    @property
    def base_url(self) -> str:
        return self._base_url

    def __repr__(self) -> str:
        return f"AkoolClient(base_url={self._base_url!r}, auth={self._auth!r})"

    __str__ = __repr__

    # -- transport ----------------------------------------------------------------

    async def _send_once(
        self, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None,
        auth: httpx.Auth | None,
    ) -> dict[str, Any]:
        try:
            request = self._http.build_request(method, path, params=params, json=body)
        except (TypeError, ValueError) as exc:
            raise ParamError(f"Cannot encode the request to {path}: {exc}", endpoint=path) from None
        try:
            response = await self._http.send(request, auth=auth)
        except httpx.TimeoutException:
            raise TimeoutError_(
                f"No answer from {self._origin} within {self._timeout:g} s ({method} {path})",
                endpoint=path,
            ) from None
        except httpx.ConnectError:
            raise NetworkError(
                f"Cannot connect to {self._origin} ({method} {path})", endpoint=path
            ) from None
        except httpx.TransportError as exc:
            raise NetworkError(
                f"Connection to {self._origin} failed during {method} {path} ({type(exc).__name__})",
                endpoint=path,
            ) from None
        except httpx.HTTPError as exc:
            raise ProtocolError(
                f"Could not read the answer of {method} {path} ({type(exc).__name__})", endpoint=path
            ) from None
        return parse_envelope(response, path)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        authenticated: bool = True,
    ) -> dict[str, Any]:
        """Send, decode, map errors; retry reads (GET) on retryable errors only."""
        auth = None
        if authenticated:
            if self._auth is None:
                raise MissingCredentialsError(f"{self._missing} (needed for {path})", code=1102, endpoint=path)
            auth = self._auth
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_once(method, path, params, body, auth)
            except AkoolError as err:
                if method != "GET" or not err.retryable or attempt > self._max_retries:
                    raise
                delay = random.uniform(0, min(MAX_BACKOFF, self._backoff_base * 2 ** (attempt - 1)))
                emit(
                    self._on_event,
                    ClientEvent("retry", endpoint=path, attempt=attempt, delay=delay, error_message=err.message),
                )
            await asyncio.sleep(delay)

    async def _data(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        """The ``data`` object of a successful answer; anything else is a ProtocolError."""
        data = (await self._request(method, path, **kw)).get("data")
        if not isinstance(data, dict):
            raise ProtocolError(f"{path} answered without a 'data' object", endpoint=path)
        return data

    async def _page(
        self, path: str, params: dict[str, Any], factory: Callable[[Any], T]
    ) -> Page[T]:
        page = _require_int(params["page"], "page number", 1)
        size = _require_int(params["size"], "page size", 1)
        data = await self._data("GET", path, params=_compact(params))
        raw = data.get("result")
        items = [factory(x) for x in raw if isinstance(x, Mapping)] if isinstance(raw, list) else []
        count = _count(data.get("count"))
        if count is None:
            count = (page - 1) * size + len(items)
        return Page(
            result=items,
            count=count,
            page=_count(data.get("page")) or page,
            size=_count(data.get("size")) or size,
        )

    async def _collect(
        self, fetch: Callable[[int, int], Awaitable[Page[T]]], key: Callable[[T], str]
    ) -> list[T]:
        """Page 1, then the other pages concurrently (at most ``concurrency`` in flight).

        Stops early when a page comes back empty; keeps server order; drops
        duplicates that shift between pages while the data changes.
        """
        first = await fetch(1, MAX_PAGE_SIZE)
        size = first.size
        pages: dict[int, list[T]] = {1: first.result}
        stop = first.pages if first.result else 1
        next_page = 2

        async def worker() -> None:
            nonlocal next_page, stop
            while next_page <= stop:
                number = next_page
                next_page += 1
                page = await fetch(number, size)
                pages[number] = page.result
                if not page.result:
                    stop = min(stop, number)

        workers = min(self._concurrency, max(0, stop - 1))
        if workers:
            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(workers):
                        group.create_task(worker())
            except BaseExceptionGroup as failed:
                raise failed.exceptions[0] from None
        return _dedupe([item for n in sorted(pages) for item in pages[n]], key)

    # -- token ------------------------------------------------------------------------

    async def get_token(self) -> str:
        """``POST /api/open/v3/getToken``: a new bearer token (also cached for later calls)."""
        if not isinstance(self._auth, TokenAuth):
            raise MissingCredentialsError(
                f"A token needs a client ID and client secret (needed for {TOKEN_PATH})",
                code=1102,
                endpoint=TOKEN_PATH,
            )
        body = await self._request("POST", TOKEN_PATH, body=self._auth.token_body(), authenticated=False)
        token = token_from_body(body)
        self._auth.accept(token)
        return token

    # -- avatars --------------------------------------------------------------------

    async def create_avatar(
        self, url: str, avatar_id: str, *, name: str | None = None, url_from: int = 1
    ) -> Avatar:
        """Upload a streaming avatar (``type`` 2) from a video/image URL."""
        body = _compact(
            {
                "url": _require_text(url, "avatar URL"),
                "avatar_id": _require_text(avatar_id, "avatar ID"),
                "name": name,
                "type": 2,
                "url_from": url_from,
            }
        )
        return Avatar.from_api(await self._data("POST", AVATAR_CREATE, body=body))

    async def avatar_upload_status(self, record_id: str) -> Avatar:
        """The upload record (``status`` 1 queueing .. 4 failed) by its ``_id``."""
        params = {"id": _require_text(record_id, "avatar record ID")}
        return Avatar.from_api(await self._data("GET", AVATAR_STATUS, params=params))

    async def avatar_detail(self, avatar_id: str) -> Avatar:
        params = {"avatar_id": _require_text(avatar_id, "avatar ID")}
        return Avatar.from_api(await self._data("GET", AVATAR_DETAIL, params=params))

    async def list_avatars(self, page: int = 1, size: int = MAX_PAGE_SIZE) -> Page[Avatar]:
        return await self._page(AVATAR_LIST, {"page": page, "size": size}, Avatar.from_api)

    async def list_all_avatars(self) -> list[Avatar]:
        return await self._collect(self.list_avatars, lambda a: a.id or a.avatar_id)

    # -- voices and languages ----------------------------------------------------------

    async def list_voices(
        self,
        type: int = 2,
        *,
        support_stream: bool = True,
        page: int = 1,
        size: int = 10,
        name: str | None = None,
    ) -> Page[Voice]:
        """Voices: ``type`` 1 cloned, 2 AKool's; ``support_stream`` keeps streamable ones."""
        params = {
            "type": _require_int(type, "voice type"),
            "support_stream": 1 if support_stream else None,
            "page": page,
            "size": size,
            "name": name,
        }
        return await self._page(VOICE_LIST, params, Voice.from_api)

    async def list_all_voices(self, type: int = 2, *, support_stream: bool = True) -> list[Voice]:
        async def fetch(page: int, size: int) -> Page[Voice]:
            return await self.list_voices(type, support_stream=support_stream, page=page, size=size)

        return await self._collect(fetch, lambda v: v.voice_id)

    async def list_languages(self) -> list[Language]:
        raw = (await self._data("GET", LANGUAGE_LIST)).get("lang_list")
        if not isinstance(raw, list):
            return []
        return [Language.from_api(x) for x in raw if isinstance(x, Mapping)]

    # -- sessions ---------------------------------------------------------------------

    async def create_session(
        self,
        avatar_id: str = DEFAULT_AVATAR_ID,
        duration: int = 600,
        *,
        voice_id: str | None = None,
        voice_url: str | None = None,
        language: str | None = None,
        mode_type: int | None = None,
        background_url: str | None = None,
        knowledge_id: str | None = None,
        voice_params: dict[str, Any] | None = None,
        stream_type: str = "agora",
    ) -> Session:
        """Start a live avatar session; credits are held for ``duration`` seconds."""
        if voice_params is not None and not isinstance(voice_params, Mapping):
            raise ParamError("voice_params must be a mapping", endpoint=SESSION_CREATE)
        body = _compact(
            {
                "avatar_id": _require_text(avatar_id, "avatar ID"),
                "duration": _require_int(duration, "duration"),
                "voice_id": voice_id,
                "voice_url": voice_url,
                "language": language,
                "mode_type": mode_type,
                "background_url": background_url,
                "knowledge_id": knowledge_id,
                "voice_params": voice_params,
                "stream_type": stream_type,
            }
        )
        return Session.from_api(await self._data("POST", SESSION_CREATE, body=body))

    async def session_detail(self, session_id: str) -> Session:
        params = {"id": _require_text(session_id, "session ID")}
        return Session.from_api(await self._data("GET", SESSION_DETAIL, params=params))

    async def close_session(self, session_id: str) -> None:
        """Close a session (leave its real-time room first). ``data`` may be null or {}."""
        await self._request("POST", SESSION_CLOSE, body={"id": _require_text(session_id, "session ID")})

    async def list_sessions(
        self, page: int = 1, size: int = MAX_PAGE_SIZE, status: int | SessionStatus | None = None
    ) -> Page[Session]:
        params: dict[str, Any] = {"page": page, "size": size}
        if status is not None:
            params["status"] = int(_require_int(status, "session status"))
        return await self._page(SESSION_LIST, params, Session.from_api)

    async def list_all_sessions(self, status: int | SessionStatus | None = None) -> list[Session]:
        async def fetch(page: int, size: int) -> Page[Session]:
            return await self.list_sessions(page, size, status)

        return await self._collect(fetch, lambda s: s.id)
