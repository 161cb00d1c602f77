"""Authentication flows for AKool's open API, as :class:`httpx.Auth` subclasses.

- :class:`ApiKeyAuth` sends ``x-api-key``.
- :class:`TokenAuth` trades clientId + clientSecret for a bearer token
  (``POST /api/open/v3/getToken``, token at the top level of the answer), lazily on
  the first request, once even under concurrency, and keeps it in memory only.
  When an answer carries code 1101 (invalid or expired token) it fetches a new token
  once -- one fetch shared by every request that saw the same stale token -- and
  replays the request. If the replay fails again the caller gets the 1101 error.

Neither class lets a secret into its ``repr``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from .envelope import is_token_expired, parse_envelope
from .errors import ProtocolError
from .events import ClientEvent, EventHandler, emit
from .secrets import mask, remember_secret

TOKEN_PATH = "/api/open/v3/getToken"

#: builds a request on the client (base URL, headers, timeout): method, path, json body
RequestBuilder = Callable[..., httpx.Request]


def token_from_body(body: dict[str, Any]) -> str:
    """The bearer token of a successful getToken answer (at the top level)."""
    token = body.get("token")
    if not isinstance(token, str) or not token.strip():
        raise ProtocolError(f"{TOKEN_PATH} answered without a token", endpoint=TOKEN_PATH)
    return token.strip()


class ApiKeyAuth(httpx.Auth):
    """``x-api-key: <key>`` on every request."""

    mode = "api key"

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key
        remember_secret(api_key)  # masked wherever it shows up in text

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["x-api-key"] = self._api_key
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyAuth(api_key={mask(self._api_key)!r})"


class TokenAuth(httpx.Auth):
    """clientId + clientSecret -> cached bearer token, renewed once on code 1101."""

    mode = "client credentials"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        build_request: RequestBuilder,
        on_event: EventHandler | None = None,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        remember_secret(client_secret)  # masked wherever it shows up in text
        self._build_request = build_request
        self._on_event = on_event
        self._token: str | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # tokens obtained so far (for the UI and tests)

    # -- the token ---------------------------------------------------------

    @property
    def has_token(self) -> bool:
        return self._token is not None

    def token_body(self) -> dict[str, str]:
        return {"clientId": self._client_id, "clientSecret": self._client_secret}

    def token_request(self) -> httpx.Request:
        """The getToken request (sent without auth)."""
        return self._build_request("POST", TOKEN_PATH, json=self.token_body())

    def accept(self, token: str) -> None:
        """Cache a token obtained from getToken."""
        remember_secret(token)  # masked wherever it shows up in text
        self._token = token
        self.fetches += 1
        emit(self._on_event, ClientEvent("token", endpoint=TOKEN_PATH, attempt=self.fetches))

    async def _read_token(self, response: httpx.Response) -> None:
        await response.aread()
        self.accept(token_from_body(parse_envelope(response, TOKEN_PATH)))

    # -- the flow ----------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    await self._read_token((yield self.token_request()))
        used = self._token
        request.headers["Authorization"] = f"Bearer {used}"
        response = yield request
        await response.aread()
        if not is_token_expired(response):
            return
        emit(
            self._on_event,
            ClientEvent("reauth", endpoint=request.url.path, error_message="token invalid or expired"),
        )
        async with self._lock:
            if self._token == used:  # nobody renewed it meanwhile
                await self._read_token((yield self.token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise NotImplementedError("TokenAuth works with httpx.AsyncClient only")

    def __repr__(self) -> str:
        token = mask(self._token) if self._token else None
        return (
            f"TokenAuth(client_id={mask(self._client_id)!r}, "
            f"client_secret={mask(self._client_secret)!r}, token={token!r})"
        )
