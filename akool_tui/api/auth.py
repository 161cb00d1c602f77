"""Authentication flows for AKool's open API, as :class:`httpx.Auth` subclasses.

- :class:`ApiKeyAuth` sends ``x-api-key``.
- :class:`TokenAuth` trades clientId + clientSecret for a bearer token
  (``POST /api/open/v3/getToken``, token at the top level of the answer), lazily on
  the first request, once even under concurrency, and keeps it in memory only.
  When an answer carries code 1101 (invalid or expired token) it fetches a new token
  once -- one fetch shared by every request that saw the same stale token -- and
  replays the request. If the replay fails again the caller gets the 1101 error.

Neither class lets a secret into its ``repr``, nor into a local a traceback could
show: the key, the client secret and the token live in :class:`~.hidden.Hidden`
holders (compared by identity), the getToken body in an :class:`~.hidden.Opaque`
dict, and the raw text only goes straight into a header.

Both read every answer through :func:`~.envelope.read_body`, so the size cap holds
inside the flow too (httpx would otherwise read the whole answer before replaying).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from .envelope import DEFAULT_MAX_BODY, is_token_expired, parse_envelope, read_body
from .errors import ProtocolError
from .events import ClientEvent, EventHandler, emit
from .hidden import Hidden, Opaque
from .secrets import remember_secret

TOKEN_PATH = "/api/open/v3/getToken"

#: builds a request on the client (base URL, headers, timeout): method, path, json body
RequestBuilder = Callable[..., httpx.Request]


def token_from_body(body: dict[str, Any]) -> Hidden:
    """The bearer token of a successful getToken answer (at the top level), held in a
    :class:`Hidden` at once: no frame ever holds it as plain text."""
    token = Hidden(body.get("token")).stripped()
    if token is None:
        raise ProtocolError(f"{TOKEN_PATH} answered without a token", endpoint=TOKEN_PATH)
    problem = token.problem("token")
    if problem is not None:  # would break the header (and show up in httpx's error)
        raise ProtocolError(f"{TOKEN_PATH} answered with a bad token: {problem.lower()}",
                            endpoint=TOKEN_PATH)
    return token


class ApiKeyAuth(httpx.Auth):
    """``x-api-key: <key>`` on every request."""

    mode = "api key"

    def __init__(self, api_key: str | Hidden) -> None:
        self._api_key = Hidden.of(api_key)
        remember_secret(self._api_key.reveal())  # masked wherever it shows up in text

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["x-api-key"] = self._api_key.reveal()
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyAuth(api_key={self._api_key!r})"


class TokenAuth(httpx.Auth):
    """clientId + clientSecret -> cached bearer token, renewed once on code 1101."""

    mode = "client credentials"

    def __init__(
        self,
        client_id: str | Hidden,
        client_secret: str | Hidden,
        build_request: RequestBuilder,
        on_event: EventHandler | None = None,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self._client_id = Hidden.of(client_id)
        self._client_secret = Hidden.of(client_secret)
        remember_secret(self._client_secret.reveal())  # masked wherever it shows up in text
        self._build_request = build_request
        self._on_event = on_event
        self._max_body = max_body
        #: the current token; replaced (never mutated) by each fetch, so a flow can
        #: tell "renewed meanwhile" by identity without holding the text
        self._token: Hidden | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0  # tokens obtained so far (for the UI and tests)

    # -- the token ---------------------------------------------------------

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def token(self) -> Hidden | None:
        return self._token

    def token_body(self) -> dict[str, str]:
        """The getToken body (an :class:`Opaque` dict: its repr shows no value)."""
        return Opaque(clientId=self._client_id.reveal(), clientSecret=self._client_secret.reveal())

    def token_request(self) -> httpx.Request:
        """The getToken request (sent without auth)."""
        return self._build_request("POST", TOKEN_PATH, json=self.token_body())

    def accept(self, token: Hidden) -> None:
        """Cache a token obtained from getToken."""
        self._token = Hidden.of(token)
        remember_secret(self._token.reveal())  # masked wherever it shows up in text
        self.fetches += 1
        emit(self._on_event, ClientEvent("token", endpoint=TOKEN_PATH, attempt=self.fetches))

    async def _read_token(self, response: httpx.Response) -> None:
        await read_body(response, self._max_body, TOKEN_PATH)
        self.accept(token_from_body(parse_envelope(response, TOKEN_PATH)))

    # -- the flow ----------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._token is None:
            async with self._lock:
                if self._token is None:
                    await self._read_token((yield self.token_request()))
        used = self._token  # the holder, never the text: compared by identity below
        request.headers["Authorization"] = used.bearer()
        response = yield request
        await read_body(response, self._max_body, request.url.path)
        if not is_token_expired(response):
            return
        emit(
            self._on_event,
            ClientEvent("reauth", endpoint=request.url.path, error_message="token invalid or expired"),
        )
        async with self._lock:
            if self._token is used:  # nobody renewed it meanwhile
                await self._read_token((yield self.token_request()))
        request.headers["Authorization"] = self._token.bearer()
        response = yield request
        await read_body(response, self._max_body, request.url.path)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise NotImplementedError("TokenAuth works with httpx.AsyncClient only")

    def __repr__(self) -> str:
        return (
            f"TokenAuth(client_id={self._client_id!r}, "
            f"client_secret={self._client_secret!r}, token={self._token!r})"
        )
