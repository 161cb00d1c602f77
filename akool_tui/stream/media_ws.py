"""A :class:`~.media.MediaSource` over the demo simulator's media websocket.

The simulator serves a websocket session's video and audio level next to its stream
channel (``.../sim/stream/<id>`` -> ``.../sim/media/<id>``, same bearer token), in the
format of docs/media-format.md (:mod:`.media_codec`). AKool's own websocket sessions
have no such channel: :func:`media_url_for` says None for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..api.secrets import mask, mask_text
from .media import AudioLevel, VideoFrame
from .media_codec import LEVEL, MediaFormatError, decode
from .transport import TransportError, open_websocket

log = logging.getLogger(__name__)

#: the largest message read: a raw 1920x1080 frame and its header, with room to spare
MAX_MESSAGE = 1920 * 1080 * 3 + 1024


def media_url_for(ws_url: str | None) -> str | None:
    """The media channel beside a simulator stream channel URL, or None (no such channel)."""
    if not ws_url:
        return None
    try:
        parts = urlsplit(ws_url)
    except ValueError:
        return None
    head, sep, tail = parts.path.rpartition("/sim/stream/")
    if not sep or not tail or "/" in tail:
        return None
    return urlunsplit(parts._replace(path=f"{head}/sim/media/{tail}"))


class WebSocketMediaSource:
    """Frames and audio levels from one media websocket; connects on first iteration.

    ``frames()`` ends when the server closes the channel; a refused or failed connection
    raises :class:`TransportError` with the reason (never the token). A message that
    breaks the format is skipped and counted in ``bad_messages``. ``clock`` stamps what
    arrives (``time.monotonic``). ``query``: the simulator's options (``fps=25&freeze=3``).
    """

    def __init__(self, url: str, token: str, *, query: str = "", open_timeout: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not url:
            raise TransportError("the media URL is missing")
        self.url = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
        self._token = token
        self.open_timeout = open_timeout
        self._clock = clock
        self._ws: Any = None
        self._closed = False
        self.bad_messages = 0
        self.last_error: str | None = None
        self.close_code: int | None = None

    def __repr__(self) -> str:
        return f"WebSocketMediaSource(url={self.url!r}, token={mask(self._token)!r})"

    async def _open(self) -> Any:
        from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

        try:
            return await open_websocket(self.url, self._token, open_timeout=self.open_timeout,
                                        max_size=MAX_MESSAGE)
        except InvalidStatus as exc:
            raise TransportError(self._scrub(
                f"media channel refused: HTTP {exc.response.status_code}"
                f" {_body_msg(exc.response.body)}".rstrip())) from None
        except InvalidURI:
            raise TransportError(f"invalid media URL {self.url!r}") from None
        except (OSError, TimeoutError, InvalidHandshake, asyncio.TimeoutError) as exc:
            raise TransportError(self._scrub(
                f"cannot open the media channel at {self.url}: {exc or type(exc).__name__}"
            )) from None

    def _scrub(self, text: str) -> str:
        return mask_text(text, [self._token] if self._token else [])

    async def frames(self) -> AsyncIterator[VideoFrame | AudioLevel]:
        from websockets.exceptions import ConnectionClosed

        if self._closed:
            return
        ws = self._ws = await self._open()
        if self._closed:  # closed while connecting
            await ws.close()
            return
        try:
            async for message in ws:
                if isinstance(message, str):
                    continue
                try:
                    item = decode(message)
                except MediaFormatError as exc:
                    self.bad_messages += 1
                    self.last_error = str(exc)
                    log.debug("media message skipped: %s", exc)
                    continue
                now = self._clock()
                if item.kind == LEVEL:
                    yield AudioLevel(item.level, now)
                else:
                    yield VideoFrame(item.width, item.height, item.rgb, now)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = ws.close_code
            with contextlib.suppress(Exception):
                await ws.close()

    async def aclose(self) -> None:
        """Close the channel (idempotent); a running ``frames()`` ends."""
        self._closed = True
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()


def _body_msg(body: bytes | None) -> str:
    from ..api.safejson import loads

    try:
        data = loads(body or b"")
    except Exception:
        return ""
    msg = data.get("msg") if isinstance(data, dict) else None
    return f"({msg})" if isinstance(msg, str) else ""


def media_source_for(session: Any, **kwargs: Any) -> WebSocketMediaSource | None:
    """The demo media source of a websocket ``session`` (an api Session), or None."""
    creds = getattr(session, "credentials", None)
    if creds is None or getattr(session, "stream_type", "") != "websocket":
        return None
    url = media_url_for(creds.get("ws_url"))
    token = creds.get("ws_token")
    if not url or not token:
        return None
    return WebSocketMediaSource(url, str(token), **kwargs)
