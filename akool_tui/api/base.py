"""The transport under :class:`~akool_tui.api.client.AkoolClient`: one call, its limits.

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
import functools
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Self, TypeVar

import httpx

from .args import check_base_url, clean_secret, compact, count_of, dedupe, positive, require_int
from .auth import TOKEN_PATH, ApiKeyAuth, TokenAuth, token_from_body
from .cookies import NoCookies
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
from .models import Page


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS verification (its CA bundle, SSL_CERT_FILE / SSL_CERT_DIR
    honoured), made once per process and shared by every client: making one takes
    20-45 ms of CPU with the interpreter held, and a client is made for each full
    refetch of the sessions (in a thread, so the console's keys waited for it)."""
    return httpx.create_ssl_context()

__all__ = ["ClientBase", "ClientEvent", "DEFAULT_BASE_URL", "DEFAULT_DEADLINE", "DEFAULT_MAX_BODY",
           "MAX_PAGES", "MAX_PAGE_SIZE", "check_base_url"]

DEFAULT_BASE_URL = "https://openapi.akool.com"
MAX_PAGE_SIZE = 100
MAX_BACKOFF = 10.0  # seconds, cap of one retry delay
#: seconds one call may take in all (token fetch, replay and retries included)
DEFAULT_DEADLINE = 30.0
#: most pages one listing fetches (200 000 items at 100 a page); a server whose
#: pages neither end nor repeat past this gets a ProtocolError, not a billion requests
MAX_PAGES = 2_000

T = TypeVar("T")


# -- the client -------------------------------------------------------------------


class ClientBase:
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
        self._timeout = positive(timeout, "The timeout must be a positive number of seconds")
        self._deadline = positive(deadline, "The deadline must be a positive number of seconds")
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
        api_key = clean_secret(api_key, "API key")
        client_id = clean_secret(client_id, "client ID")
        client_secret = clean_secret(client_secret, "client secret")

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
            verify=tls_context(),
            cookies=NoCookies(),
        )

        self._paths: dict[str, str] = {}  # each API path joined to the base URL
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

    async def __aenter__(self) -> Self:
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

    def _url(self, path: str, params: dict[str, Any] | None) -> httpx.URL | str:
        """The URL ``build_request(method, path, params=params)`` makes, parsed once:
        given a path and params, httpx parses a URL three times (the path, the base
        joined with it, the query added): 290 us of each request, against 90 us. The
        base joined with each path is worked out once, by httpx."""
        if "?" in path or "#" in path:  # a query or fragment to merge: httpx's own way
            return self._http.build_request("GET", path, params=params).url
        base = self._paths.get(path)
        if base is None:
            base = str(self._http.build_request("GET", path).url)
            if len(self._paths) < 256:
                self._paths[path] = base
        query = str(httpx.QueryParams(params)) if params else ""
        return httpx.URL(f"{base}?{query}" if query else base)

    async def _send_once(
        self, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None,
        auth: httpx.Auth | None,
    ) -> dict[str, Any]:
        try:
            request = self._http.build_request(method, self._url(path, params), json=body)
        except (TypeError, ValueError, httpx.InvalidURL) as exc:  # InvalidURL: a 100 kB query
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
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._deadline) as scope:
                answer = await self._attempts(method, path, params, body, auth)
        except TimeoutError:
            if not scope.expired():
                raise
        except AkoolError as err:
            self._finished(path, started, err.message)
            raise
        else:
            self._finished(path, started)
            return answer
        err = TimeoutError_(
            f"No complete answer from {self._origin} within the {self._deadline:g} s deadline "
            f"({method} {path})",
            endpoint=path,
        )
        self._finished(path, started, err.message)
        raise err from None  # outside the except block: no context

    def _finished(self, path: str, started: float, error: str | None = None) -> None:
        """A ``request`` event: how long the request took, and how it ended."""
        emit(self._on_event, ClientEvent("request", endpoint=path, ok=error is None,
                                         duration=time.monotonic() - started,
                                         error_message=error or ""))

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

    async def _page(self, path: str, params: dict[str, Any], factory: Callable[[Any], T],
                    batch: Callable[[list[Any]], list[T]] | None = None) -> Page[T]:
        """One page: ``factory`` of each record (a mapping), or ``batch`` of them all."""
        page = require_int(params["page"], "page number", 1)
        size = require_int(params["size"], "page size", 1)
        data = await self._data("GET", path, params=compact(params))
        raw = data.get("result")
        # a list of dicts as it is (one C pass), not an isinstance(x, Mapping) ABC check each
        raw = ((raw if set(map(type, raw)) == {dict} else [x for x in raw if isinstance(x, Mapping)])
               if isinstance(raw, list) else [])
        items = batch(raw) if batch is not None else [factory(x) for x in raw]
        count = count_of(data.get("count"))
        if count is None:
            count = (page - 1) * size + len(items)
        return Page(
            result=items,
            count=count,
            page=count_of(data.get("page")) or page,
            size=count_of(data.get("size")) or size,
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
        return dedupe([item for n in sorted(pages) for item in pages[n]], key)

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

