"""``akool-tui serve``: textual-serve's web server behind a gate.

Every WebSocket to ``/ws`` starts a console that holds the account's credentials, so
two checks run before textual-serve sees a request (an aiohttp middleware added to
textual-serve's own app; textual-serve itself is not changed):

- **Origin.** A WebSocket whose ``Origin`` header is not the served origin
  (``http://HOST:PORT`` as printed; for a wildcard bind such as ``0.0.0.0``, the origin
  of the ``Host`` the request was sent to) is refused with 403, token or not: a web page
  on another site cannot drive the console. Browsers always send ``Origin`` on a
  WebSocket handshake; a handshake without one comes from a non-browser client (curl,
  websocat, a script), which could send any ``Origin`` it likes anyway, so it is allowed
  -- it still needs the token.
- **Token.** Unless ``--no-token``, a per-run secret (``secrets.token_urlsafe(32)``) is
  required, like Jupyter's: ``serve`` prints ``http://HOST:PORT/?token=...``. The page
  loaded with the right token sets a cookie (``HttpOnly``, ``SameSite=Strict``, named
  after the port); the page's own WebSocket, the Start/Restart buttons and downloads
  then pass with that cookie. Non-browser clients may send ``?token=`` on ``/ws``
  instead. Tokens are compared with :func:`hmac.compare_digest`. Anything else gets 403.
  Only textual-serve's packaged static files (``/static/``: JS, CSS, fonts) are served
  without the token.

The token is also remembered as a secret (:func:`akool_tui.api.secrets.remember_secret`),
so the access log and any traceback show it masked; log lines are escaped so a request
cannot write control sequences to the operator's terminal.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from textual_serve.server import Server

from .api.secrets import MaskingFilter, remember_secret

log = logging.getLogger("akool_tui.serve")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: seconds the consoles get to quit when the server stops
SHUTDOWN_WAIT = 5.0
#: binds that listen on every address: the origin is then whatever host the client used
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})

REFUSED_TOKEN = (
    "akool-tui serve: this address needs the token that `akool-tui serve` printed when it "
    "started: open the full URL it printed (…/?token=…).\n"
)
REFUSED_ORIGIN = "akool-tui serve: WebSocket refused: it comes from another site (Origin).\n"


def new_token() -> str:
    """A fresh per-run secret for the URL."""
    return secrets.token_urlsafe(32)


def netloc(host: str, port: int) -> str:
    """``host:port``, IPv6 addresses in brackets."""
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of a URL, lower case, default ports made explicit."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{netloc(parts.hostname.lower(), port)}"


def same_token(supplied: str | None, token: str) -> bool:
    """Constant-time comparison; ``None`` or non-ASCII never matches."""
    if not supplied:
        return False
    try:
        return hmac.compare_digest(supplied.encode("ascii"), token.encode("ascii"))
    except UnicodeEncodeError:
        return False


def _printable(text: str) -> str:
    """``text`` with every non-printable character escaped (request data in log lines)."""
    return "".join(c if c.isprintable() or c == "\n" else ascii(c)[1:-1] for c in text)


class _BadRequest(logging.Filter):
    """A request aiohttp could not parse (control characters in a header...) is one
    line in the log, not a traceback: it is a client's garbage, not our bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args = "refused a malformed request: %s", (error.message,)
            record.exc_info = record.exc_text = None
        return True


class _Escape(logging.Filter):
    """Escapes what a client sent (paths, headers) in log lines; runs after
    :class:`MaskingFilter`, which turns a traceback into ``exc_text``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = _printable(message)
        if safe != message:
            record.msg, record.args = safe, None
        if record.exc_text:
            record.exc_text = _printable(record.exc_text)
        return True


class GatedServer(Server):
    """textual-serve's :class:`~textual_serve.server.Server` with the Origin and token gate.

    ``token=None`` serves without a token (``--no-token``); the Origin check stays.
    """

    def __init__(self, command: str, *, host: str = "127.0.0.1", port: int = 8000,
                 title: str | None = None, token: str | None = None) -> None:
        super().__init__(command, host=host, port=port, title=title,
                         public_url=f"http://{netloc(host, port)}")
        self.token = token
        self.cookie_name = f"akool_tui_token_{port}"
        self._consoles: set[asyncio.Task[Any]] = set()
        if token:
            remember_secret(token)

    def __repr__(self) -> str:  # never the token (tracebacks show locals)
        return f"GatedServer(url={self.public_url!r}, token={'set' if self.token else None})"

    @property
    def url(self) -> str:
        """The address to open: with the token when there is one."""
        return f"{self.public_url}/?token={self.token}" if self.token else f"{self.public_url}/"

    # -- the gate ------------------------------------------------------------------------

    def origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser (see the module docstring); the token still counts
        got = origin_of(origin)
        if got is None:
            return False  # "null", file://, garbage
        if got == origin_of(self.public_url):
            return True
        if self.host.strip() in WILDCARD_HOSTS:
            return got == origin_of(f"{request.scheme}://{request.host}")
        return False

    def token_source(self, request: web.Request) -> str | None:
        """``"query"`` or ``"cookie"`` when the request carries the right token, else None."""
        if self.token is None:
            return "none needed"
        if same_token(request.query.get("token"), self.token):
            return "query"
        if same_token(request.cookies.get(self.cookie_name), self.token):
            return "cookie"
        return None

    @web.middleware
    async def gate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        websocket = request.headers.get("Upgrade", "").lower() == "websocket"
        if request.path.startswith("/static/") and not websocket:
            return await handler(request)  # textual-serve's own JS, CSS and fonts
        if websocket and not self.origin_allowed(request):
            log.warning("refused a WebSocket from Origin %s", ascii(request.headers["Origin"]))
            return web.Response(status=403, text=REFUSED_ORIGIN)
        source = self.token_source(request)
        if source is None:
            log.warning("refused %s %s: no valid token", request.method,
                        ascii(request.path))
            return web.Response(status=403, text=REFUSED_TOKEN)
        response = await handler(request)
        if not response.prepared:  # a WebSocket or a download has sent its headers
            response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
            response.headers["Cache-Control"] = "no-store"
            if source == "query" and self.token:
                response.set_cookie(self.cookie_name, self.token, path="/", httponly=True,
                                    samesite="Strict",
                                    secure=self.public_url.startswith("https:"))
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.gate)
        return app

    # -- shutdown --------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, tracked so that shutdown can end its console."""
        task = asyncio.current_task()
        if task is not None:
            self._consoles.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            if task is not None:
                self._consoles.discard(task)

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C with a browser tab open: end each console (textual-serve's handler then
        asks its process to quit and waits for it) before the event loop closes, instead
        of leaving live processes to a closed loop (a traceback on the terminal)."""
        consoles = [task for task in self._consoles if not task.done()]
        for task in consoles:
            task.cancel()
        if consoles:
            await asyncio.wait(consoles, timeout=SHUTDOWN_WAIT)
        await super().on_shutdown(app)

    # -- what the operator sees -------------------------------------------------------------

    def initialize_logging(self) -> None:
        """textual-serve's logging, with secrets masked and request data escaped."""
        super().initialize_logging()
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                for step in (_BadRequest(), MaskingFilter(), _Escape()):
                    handler.addFilter(step)

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"akool-tui serve: open {self.url}", markup=False, highlight=False,
                           soft_wrap=True)
        self.console.print("Press Ctrl+C to quit", markup=False, highlight=False)
        self.console.file.flush()
