"""The async AKool REST client: every endpoint of the Live Avatar open API.

One :class:`httpx.AsyncClient` per :class:`AkoolClient`, an explicit timeout,
authentication as an :class:`httpx.Auth` flow (see :mod:`.auth`), typed errors
(see :mod:`.errors`), retries with exponential backoff and full jitter for reads
only, and concurrent pagination bounded by ``concurrency``.

Limits against a broken or hostile server: every call ends within ``deadline``
seconds (all of it: token fetch, replay, retries, a body dripped byte by byte), an
answer may decode to at most ``max_body`` bytes (gzip bombs), JSON nests at most
64 levels, and a listing stops at an empty page, a page of items already seen, or
:data:`MAX_PAGES` pages.

    async with AkoolClient(api_key="...") as client:
        sessions = await client.list_all_sessions(status=SessionStatus.PROCESSING)
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from .auth import TOKEN_PATH, ApiKeyAuth, TokenAuth, token_from_body
from .envelope import DEFAULT_MAX_BODY, parse_envelope, read_body
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
from .hidden import Hidden
from .models import DEFAULT_AVATAR_ID, Avatar, Language, Page, Session, SessionStatus, Voice

__all__ = ["AkoolClient", "ClientEvent", "DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_MAX_BODY",
           "MAX_PAGES", "MAX_PAGE_SIZE", "check_base_url"]

DEFAULT_BASE_URL = "https://openapi.akool.com"
MAX_PAGE_SIZE = 100
MAX_BACKOFF = 10.0  # seconds, cap of one retry delay
#: seconds one call may take in all (token fetch, replay and retries included)
DEFAULT_DEADLINE = 30.0
#: most pages one listing fetches (200 000 items at 100 a page); a server whose
#: pages neither end nor repeat past this gets a ProtocolError, not a billion requests
MAX_PAGES = 2_000

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


def _clean_secret(value: Hidden | None, name: str) -> Hidden | None:
    """The secret without surrounding blanks (None when empty); ConfigError when it
    cannot go into a header. The value stays in its holder: a traceback of this
    frame shows it masked."""
    if value is None:
        return None
    if not isinstance(value.reveal(), str):
        raise ConfigError(f"The {name} must be text")
    value = value.stripped()
    if value is None:
        return None
    problem = value.problem(name)
    if problem is not None:
        raise ConfigError(problem)
    return value


def _positive(value: Any, message: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or value != value or value == float("inf"):
        raise ConfigError(message)
    return float(value)


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

    ``timeout`` bounds each network step (connect, one read); ``deadline`` bounds a
    whole call, whatever the server does (:class:`~.errors.TimeoutError_`).
    ``max_body`` caps the decoded size of one answer in bytes
    (:class:`~.errors.ProtocolError` past it).
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
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY,
        transport: httpx.AsyncBaseTransport | None = None,
        on_event: EventHandler | None = None,
    ) -> None:
        # first of all: the secrets into holders (a traceback of this frame shows them masked)
        api_key, client_id, client_secret = Hidden.of(api_key), Hidden.of(client_id), Hidden.of(client_secret)
        self._base_url = check_base_url(base_url)
        self._timeout = _positive(timeout, "The timeout must be a positive number of seconds")
        self._deadline = _positive(deadline, "The deadline must be a positive number of seconds")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 1024:
            raise ConfigError("max_body must be a whole number of bytes, at least 1024")
        self._max_body = max_body
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigError("max_retries must be a whole number >= 0")
        if isinstance(backoff_base, bool) or not isinstance(backoff_base, (int, float)) or backoff_base < 0:
            raise ConfigError("backoff_base must be a number of seconds >= 0")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigError("concurrency must be a whole number >= 1")
        self._max_retries = max_retries
        self._backoff_base = float(backoff_base)
        self._concurrency = concurrency
        self._on_event = on_event
        api_key = _clean_secret(api_key, "API key")
        client_id = _clean_secret(client_id, "client ID")
        client_secret = _clean_secret(client_secret, "client secret")

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

        self._auth: ApiKeyAuth | TokenAuth | None = None
        self._missing = "No credentials: set an API key, or a client ID and client secret"
        if client_id and client_secret:
            self._auth = TokenAuth(client_id, client_secret, self._http.build_request, on_event,
                                   max_body=max_body)
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

    @property
    def deadline(self) -> float:
        return self._deadline

    @property
    def max_body(self) -> int:
        return self._max_body

    def __repr__(self) -> str:
        # getattr: also shown for a client whose __init__ failed (a traceback's locals)
        return (f"AkoolClient(base_url={getattr(self, '_base_url', None)!r}, "
                f"auth={getattr(self, '_auth', None)!r})")

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
        # errors are raised after the except blocks: no __context__ keeps httpx's frames
        # (whose locals hold the request's bytes, headers included) alive
        problem: AkoolError | None = None
        try:
            response = await self._http.send(request, auth=auth, stream=True)
            try:
                await read_body(response, self._max_body, path)  # no-op if the auth flow read it
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            problem = TimeoutError_(
                f"No answer from {self._origin} within {self._timeout:g} s ({method} {path})",
                endpoint=path,
            )
        except httpx.ConnectError:
            problem = NetworkError(f"Cannot connect to {self._origin} ({method} {path})", endpoint=path)
        except httpx.TransportError as exc:
            problem = NetworkError(
                f"Connection to {self._origin} failed during {method} {path} ({type(exc).__name__})",
                endpoint=path,
            )
        except httpx.HTTPError as exc:
            problem = ProtocolError(
                f"Could not read the answer of {method} {path} ({type(exc).__name__})", endpoint=path
            )
        if problem is not None:
            raise problem from None
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
        """Send, decode, map errors; retry reads (GET) on retryable errors only; all of it
        within the deadline."""
        auth = None
        if authenticated:
            if self._auth is None:
                raise MissingCredentialsError(f"{self._missing} (needed for {path})", code=1102, endpoint=path)
            auth = self._auth
        try:
            async with asyncio.timeout(self._deadline) as scope:
                return await self._attempts(method, path, params, body, auth)
        except TimeoutError:
            if not scope.expired():
                raise
        raise TimeoutError_(  # outside the except block: no context
            f"No complete answer from {self._origin} within the {self._deadline:g} s deadline "
            f"({method} {path})",
            endpoint=path,
        ) from None

    async def _attempts(
        self, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None,
        auth: httpx.Auth | None,
    ) -> dict[str, Any]:
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

        ``count`` is a claim, not a promise: the listing ends at the first page that
        comes back empty or holds only items already seen (a server repeating one
        page), and a listing that goes on past :data:`MAX_PAGES` pages raises
        :class:`ProtocolError` rather than send a billion requests. Keeps server
        order; drops duplicates that shift between pages while the data changes.
        """
        first = await fetch(1, MAX_PAGE_SIZE)
        size = first.size
        pages: dict[int, list[T]] = {1: first.result}
        seen = {k for k in map(key, first.result) if k}
        claimed = first.pages if first.result else 1
        stop = min(claimed, MAX_PAGES)
        next_page = 2
        ended = False  # an empty or repeated page was seen

        def ends_listing(items: list[T]) -> bool:
            if not items:
                return True
            keys = [key(item) for item in items]
            repeated = all(keys) and seen.issuperset(keys)
            seen.update(k for k in keys if k)
            return repeated

        async def worker() -> None:
            nonlocal next_page, stop, ended
            while next_page <= stop:
                number = next_page
                next_page += 1
                page = await fetch(number, size)
                pages[number] = page.result
                if ends_listing(page.result):
                    ended = True
                    stop = min(stop, number)

        workers = min(self._concurrency, max(0, stop - 1))
        if workers:
            try:
                async with asyncio.TaskGroup() as group:
                    for _ in range(workers):
                        group.create_task(worker())
            except BaseExceptionGroup as failed:
                raise failed.exceptions[0] from None
        if claimed > MAX_PAGES and not ended:
            claim = f"{first.count:,}" if first.count < 10**15 else "over 10^15"
            raise ProtocolError(
                f"The list did not end after {MAX_PAGES:,} pages of {size:,} items (the server "
                f"claims {claim}); stopped there rather than trust it: the list is incomplete",
            )
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
        self._auth.accept(token_from_body(body))
        return self._auth.token.reveal()

    # -- avatars --------------------------------------------------------------------

    async def create_avatar(
        self, url: str, avatar_id: str, *, name: str, url_from: int = 1
    ) -> Avatar:
        """Upload a streaming avatar (``type`` 2) from a video/image URL; ``name`` is
        required (the API answers 1003 without one)."""
        body = _compact(
            {
                "url": _require_text(url, "avatar URL"),
                "avatar_id": _require_text(avatar_id, "avatar ID"),
                "name": _require_text(name, "avatar name"),
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

    async def iter_pages(
        self, status: int | SessionStatus | None = None
    ) -> AsyncIterator[list[Session]]:
        """The sessions of :meth:`list_all_sessions` a page at a time, in the server's
        order, without holding the whole listing: page 1, then at most ``concurrency``
        pages in flight, each yielded as soon as the pages before it were. The same
        ends as :meth:`_collect` (an empty page, a page of sessions already seen,
        :data:`MAX_PAGES`); a session seen on an earlier page is left out. Only the ids
        are kept (about 80 B a session)."""
        first = await self.list_sessions(1, MAX_PAGE_SIZE, status)
        size, seen = first.size, set()
        claimed = first.pages if first.result else 1
        stop, ended = min(claimed, MAX_PAGES), not first.result
        ahead: dict[int, asyncio.Task[Page[Session]]] = {}
        page, number = first, 1
        try:
            while True:
                keys = [s.id for s in page.result]
                if number > 1 and (not keys or all(keys) and seen.issuperset(keys)):
                    ended = True
                    break
                fresh = [s for s in page.result if not s.id or s.id not in seen]
                seen.update(keys)
                if fresh:
                    yield fresh
                number += 1
                if number > stop:
                    break
                while len(ahead) < self._concurrency and number + len(ahead) <= stop:
                    n = number + len(ahead)
                    ahead[n] = asyncio.ensure_future(self.list_sessions(n, size, status))
                page = await ahead.pop(number)
        finally:
            for task in ahead.values():
                task.cancel()
            await asyncio.gather(*ahead.values(), return_exceptions=True)
        if claimed > MAX_PAGES and not ended:
            raise ProtocolError(
                f"The list did not end after {MAX_PAGES:,} pages of {size:,} items; stopped "
                "there rather than trust it: the list is incomplete")
