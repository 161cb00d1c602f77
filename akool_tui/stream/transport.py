"""Transports of the session's real-time data channel.

A transport carries opaque payloads (one payload = one data-channel message). All of
them share :class:`BaseTransport`'s guarantees:

- ``send`` validates the size, then queues the payload; a writer task paces it
  (:mod:`.pacer`) and sends it once connected. Payloads sent while the channel is
  reconnecting wait in a bounded queue and go out, in order, after reconnecting.
- A payload that cannot be delivered (queue full while disconnected, reconnect given
  up, transport closed first) is reported to the ``on_send_failed`` listeners with a
  reason: never dropped silently.
- State changes (``connecting``, ``connected``, ``reconnecting``, ``closed``,
  ``failed``) go to the ``on_state`` listeners with a human-readable detail.
- ``receive()`` yields incoming payloads until the transport is closed or failed.

Tokens are secrets: they never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Callable
from enum import Enum
from typing import Any, Protocol, runtime_checkable

from .. import __version__
from ..api.safejson import loads as json_loads
from ..api.secrets import mask, mask_text
from .pacer import Pacer, preset_for

log = logging.getLogger(__name__)

#: websockets logs handshake headers (the bearer token) at DEBUG: keep it quieter
_WS_PROTOCOL_LOG = logging.getLogger("akool_tui.stream.ws_protocol")
_WS_PROTOCOL_LOG.setLevel(logging.INFO)


async def open_websocket(url: str, token: str, *, open_timeout: float,
                         max_size: int | None = 2**20) -> Any:
    """The handshake of every channel we open (stream and media): the bearer token, our
    user agent, no proxy from the environment, and websockets' protocol log kept at INFO
    (at DEBUG it logs the handshake headers, the token among them). Raises websockets'
    own errors; each channel words them for its user."""
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(
        url,
        additional_headers={"Authorization": f"Bearer {token}"},
        user_agent_header=f"akool-tui/{__version__}",
        open_timeout=open_timeout,
        max_size=max_size,
        proxy=None,
        logger=_WS_PROTOCOL_LOG,
    )


class TransportState(str, Enum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


StateListener = Callable[[TransportState, str], None]
SendFailedListener = Callable[[list[bytes], str], None]


class TransportError(Exception):
    """The data channel cannot be used; the message says why, without secrets."""


class TransportClosed(TransportError):
    pass


class MessageTooLarge(TransportError, ValueError):
    pass


class _ConnectionLost(Exception):
    """Raised by ``_send_now`` when the channel dropped: keep the payload, retry later."""


@runtime_checkable
class Transport(Protocol):
    stream_type: str
    max_message_bytes: int
    pacer: Pacer

    @property
    def state(self) -> TransportState: ...

    async def connect(self) -> None: ...

    async def send(self, payload: bytes) -> None: ...

    def receive(self) -> AsyncIterator[bytes]: ...

    async def drain(self) -> None: ...

    async def close(self) -> None: ...

    def on_state(self, listener: StateListener) -> Callable[[], None]: ...

    def on_send_failed(self, listener: SendFailedListener) -> Callable[[], None]: ...


class BaseTransport:
    """Queueing, pacing, listeners and the receive stream; subclasses move bytes."""

    stream_type = "websocket"

    def __init__(
        self,
        *,
        max_message_bytes: int | None = None,
        pacer: Pacer | None = None,
        queue_limit: int = 512,
    ) -> None:
        preset = preset_for(self.stream_type)
        if max_message_bytes is None:
            max_message_bytes = preset.max_message_bytes
        if max_message_bytes <= 0:
            raise ValueError(f"max_message_bytes must be > 0, got {max_message_bytes}")
        if queue_limit <= 0:
            raise ValueError(f"queue_limit must be > 0, got {queue_limit}")
        self.max_message_bytes = max_message_bytes
        self.pacer = pacer if pacer is not None else preset.make()
        self.queue_limit = queue_limit
        self._state = TransportState.CLOSED
        self._state_listeners: list[StateListener] = []
        self._failed_listeners: list[SendFailedListener] = []
        self._outgoing: deque[bytes] = deque()
        self._has_outgoing = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._space = asyncio.Event()
        self._space.set()
        self._connected = asyncio.Event()
        self._incoming: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._token = ""
        #: the server ended the channel because the session itself is over (closed or
        #: unknown: 4410 / 4404, HTTP 410 / 404): no reconnect can bring it back
        self.session_gone = False

    def _scrub(self, text: str) -> str:
        """``text`` with the channel's token masked (SDK errors may quote URLs)."""
        return mask_text(text, [self._token] if self._token else [])

    # -- listeners ---------------------------------------------------------------

    @property
    def state(self) -> TransportState:
        return self._state

    @property
    def queued(self) -> int:
        """Payloads waiting to be sent."""
        return len(self._outgoing)

    def on_state(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener(state, detail)`` on every state change; returns an unsubscribe."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    def on_send_failed(self, listener: SendFailedListener) -> Callable[[], None]:
        """Call ``listener(payloads, reason)`` for payloads that could not be sent."""
        self._failed_listeners.append(listener)
        return lambda: self._failed_listeners.remove(listener)

    def _notify(self, listeners: list, *args: Any) -> None:
        for listener in list(listeners):
            try:
                listener(*args)
            except Exception:  # a broken listener must not break the channel
                log.exception("stream transport listener failed")

    def _set_state(self, state: TransportState, detail: str = "") -> None:
        if state is self._state and not detail:
            return
        detail = self._scrub(detail)
        self._state = state
        if state is TransportState.CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()
        log.info("stream channel %s%s", state, f": {detail}" if detail else "")
        self._notify(self._state_listeners, state, detail)

    def _report_failed(self, payloads: list[bytes], reason: str) -> None:
        if payloads:
            reason = self._scrub(reason)
            log.warning("%d stream payload(s) not sent: %s", len(payloads), reason)
            self._notify(self._failed_listeners, payloads, reason)

    # -- sending -------------------------------------------------------------------

    async def send(self, payload: bytes) -> None:
        """Queue ``payload`` for sending (in order, paced).

        Raises :class:`MessageTooLarge` over ``max_message_bytes`` and
        :class:`TransportClosed` once closed or failed. While connected and the queue
        is full, waits for room; while disconnected and full, reports it failed.
        """
        if not isinstance(payload, (bytes, bytearray)):
            raise TypeError(f"payload must be bytes, not {type(payload).__name__}")
        if len(payload) > self.max_message_bytes:
            raise MessageTooLarge(
                f"a message of {len(payload)} bytes exceeds the {self.max_message_bytes}-byte "
                f"limit of the {self.stream_type} channel"
            )
        while len(self._outgoing) >= self.queue_limit:
            self._check_open()
            if self._state is not TransportState.CONNECTED:
                self._report_failed([bytes(payload)], f"send queue full ({self.queue_limit} "
                                                      "messages waiting for the channel)")
                return
            self._space.clear()
            await self._space.wait()
        self._check_open()
        self._outgoing.append(bytes(payload))
        self._idle.clear()
        self._has_outgoing.set()

    def _check_open(self) -> None:
        if self._state in (TransportState.CLOSED, TransportState.FAILED):
            raise TransportClosed(f"the {self.stream_type} stream channel is {self._state}")

    async def drain(self) -> None:
        """Wait until every queued payload was sent (or reported failed)."""
        await self._idle.wait()

    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def _write_loop(self) -> None:
        while True:
            if not self._outgoing:
                self._has_outgoing.clear()
                await self._has_outgoing.wait()
                continue
            await self._connected.wait()
            payload = self._outgoing[0]
            await self.pacer.wait(len(payload))
            if not self._connected.is_set() or not self._outgoing:
                continue
            try:
                await self._send_now(payload)
            except _ConnectionLost:
                self._connected.clear()
                continue
            except Exception as exc:  # the channel refused this payload
                self._pop()
                self._report_failed([payload], f"send failed: {exc}")
                continue
            self._pop()

    def _pop(self) -> None:
        if self._outgoing:
            self._outgoing.popleft()
        self._space.set()
        if not self._outgoing:
            self._idle.set()

    async def _send_now(self, payload: bytes) -> None:
        raise NotImplementedError

    # -- receiving -----------------------------------------------------------------

    def _deliver(self, payload: bytes) -> None:
        self._incoming.put_nowait(payload)

    async def receive(self) -> AsyncIterator[bytes]:
        """Incoming payloads, until the transport is closed or failed."""
        while True:
            item = await self._incoming.get()
            if item is None:
                self._incoming.put_nowait(None)  # later readers end too
                return
            yield item

    # -- ending --------------------------------------------------------------------

    def _end(self, state: TransportState, detail: str, unsent_reason: str) -> None:
        """Stop for good: report unsent payloads, end ``receive``, stop the writer."""
        unsent = list(self._outgoing)
        self._outgoing.clear()
        self._idle.set()
        self._space.set()
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
        self._writer = None
        self._set_state(state, detail)
        self._report_failed(unsent, unsent_reason)
        self._incoming.put_nowait(None)

    def _fail(self, detail: str) -> None:
        if self._state not in (TransportState.CLOSED, TransportState.FAILED):
            self._end(TransportState.FAILED, detail, f"the stream channel failed: {detail}")


# -- WebSocket (the simulator's stream channel) ----------------------------------

#: close codes (and handshake HTTP statuses) after which reconnecting cannot help
FATAL_CLOSE_CODES = {
    4401: "invalid stream token",
    4403: "not allowed",
    4404: "session not found",
    4410: "session closed",
}
FATAL_HTTP_STATUS = {401: 4401, 403: 4403, 404: 4404, 410: 4410}
#: the fatal codes that mean the session is over (not only this channel's credentials)
SESSION_GONE_CODES = frozenset({4404, 4410})


class _Refused(Exception):
    """The server refused the channel for good (bad token, unknown or closed session);
    ``code`` is the close code its HTTP status stands for (0: none)."""

    def __init__(self, text: str, code: int = 0) -> None:
        super().__init__(text)
        self.code = code


def _denial_text(status: int, body: bytes | None) -> str:
    reason = FATAL_CLOSE_CODES.get(FATAL_HTTP_STATUS.get(status, 0), f"HTTP {status}")
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        msg = json_loads(body or b"").get("msg")  # bounded nesting, only ValueError
        if isinstance(msg, str) and msg:
            reason = msg
    return f"stream channel refused: {reason} (HTTP {status})"


class WebSocketTransport(BaseTransport):
    """One binary WebSocket frame = one data-channel payload (the simulator's channel).

    The token goes in an ``Authorization: Bearer`` header. When the channel drops it
    reconnects with exponential backoff and jitter (``reconnect_attempts`` tries);
    refusals (bad token, session gone) end it at once as ``failed``.
    """

    stream_type = "websocket"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        max_message_bytes: int | None = None,
        pacer: Pacer | None = None,
        queue_limit: int = 512,
        reconnect_attempts: int = 6,
        backoff_base: float = 0.25,
        backoff_max: float = 5.0,
        open_timeout: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(max_message_bytes=max_message_bytes, pacer=pacer, queue_limit=queue_limit)
        if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
            raise TransportError(f"the stream URL must start with ws:// or wss://, got {url!r}")
        if not token:
            raise TransportError("the stream token is missing")
        self.url = url
        self._token = token
        self.reconnect_attempts = reconnect_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.open_timeout = open_timeout
        self._rng = rng or random.Random()
        self._ws: Any = None
        self._runner: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return (f"WebSocketTransport(url={self.url!r}, token={mask(self._token)!r}, "
                f"state={self._state.value!r})")

    async def connect(self) -> None:
        """Open the channel; raises :class:`TransportError` with a clear reason."""
        if self._state not in (TransportState.CLOSED,) or self._closing:
            raise TransportError(f"cannot connect: the channel is {self._state}")
        self._set_state(TransportState.CONNECTING, self.url)
        try:
            self._ws = await self._open()
        except (_Refused, TransportError) as exc:
            detail = self._scrub(str(exc))
            self.session_gone = getattr(exc, "code", 0) in SESSION_GONE_CODES
            self._fail(detail)
            raise TransportError(detail) from None
        self._set_state(TransportState.CONNECTED, self.url)
        loop = asyncio.get_running_loop()
        self._runner = loop.create_task(self._run())
        self._start_writer()

    async def _open(self) -> Any:
        from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

        try:
            return await open_websocket(self.url, self._token, open_timeout=self.open_timeout)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in FATAL_HTTP_STATUS:
                raise _Refused(_denial_text(status, exc.response.body),
                               FATAL_HTTP_STATUS[status]) from None
            raise TransportError(f"stream channel handshake failed: HTTP {status}") from None
        except InvalidURI:
            raise _Refused(f"invalid stream URL {self.url!r}") from None
        except (OSError, TimeoutError, InvalidHandshake, asyncio.TimeoutError) as exc:
            raise TransportError(
                f"cannot open the stream channel at {self.url}: {exc or type(exc).__name__}"
            ) from None

    async def _send_now(self, payload: bytes) -> None:
        from websockets.exceptions import ConnectionClosed

        ws = self._ws
        if ws is None:
            raise _ConnectionLost
        try:
            await ws.send(payload)
        except ConnectionClosed:
            raise _ConnectionLost from None

    async def _pump(self, ws: Any) -> tuple[int | None, str]:
        """Deliver frames until the connection ends; returns its close code and reason."""
        from websockets.exceptions import ConnectionClosed

        try:
            async for frame in ws:
                self._deliver(frame.encode("utf-8") if isinstance(frame, str) else bytes(frame))
        except ConnectionClosed:
            pass
        return ws.close_code, ws.close_reason or ""

    async def _run(self) -> None:
        ws = self._ws
        while True:
            code, reason = await self._pump(ws)
            self._ws = None
            if self._closing:
                return
            if code in FATAL_CLOSE_CODES:
                self.session_gone = code in SESSION_GONE_CODES
                self._fail(f"stream channel closed: {reason or FATAL_CLOSE_CODES[code]} ({code})")
                return
            self._set_state(TransportState.RECONNECTING,
                            f"connection lost ({code or 'no close code'}{', ' + reason if reason else ''})")
            ws = await self._reconnect()
            if ws is None:
                return
            self._ws = ws
            self._set_state(TransportState.CONNECTED, "reconnected")

    def backoff_delay(self, attempt: int) -> float:
        """Seconds before reconnect ``attempt`` (0-based): exponential, capped, jittered."""
        ceiling = min(self.backoff_max, self.backoff_base * (2**attempt))
        return ceiling * self._rng.uniform(0.5, 1.0)

    async def _reconnect(self) -> Any:
        last = "no attempt"
        for attempt in range(self.reconnect_attempts):
            await asyncio.sleep(self.backoff_delay(attempt))
            if self._closing:
                return None
            try:
                return await self._open()
            except _Refused as exc:
                self.session_gone = exc.code in SESSION_GONE_CODES
                self._fail(str(exc))
                return None
            except TransportError as exc:
                last = str(exc)
                self._set_state(TransportState.RECONNECTING,
                                f"attempt {attempt + 1}/{self.reconnect_attempts} failed")
        self._fail(f"could not reconnect after {self.reconnect_attempts} attempts: {last}")
        return None

    async def close(self) -> None:
        """Close the channel; payloads still queued are reported failed."""
        if self._closing:
            return
        self._closing = True
        runner, self._runner = self._runner, None
        ws, self._ws = self._ws, None
        if runner is not None:
            runner.cancel()
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if runner is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
        if self._state is not TransportState.FAILED:
            self._end(TransportState.CLOSED, "closed by the client",
                      "the stream channel was closed before they were sent")


# -- factory -----------------------------------------------------------------------

RTC_ONLY_MESSAGE = (
    "akool-tui joins AKool sessions through LiveKit: create the session with "
    "stream_type livekit (or websocket with the demo simulator)"
)


def transport_for(session: Any, **kwargs: Any) -> BaseTransport:
    """The transport for an :class:`akool_tui.api.models.Session`'s stream_type."""
    stream_type = getattr(session, "stream_type", "") or ""
    creds = getattr(session, "credentials", None)
    get = creds.get if creds is not None else (lambda key, default=None: default)
    if stream_type == "websocket":
        url, token = get("ws_url"), get("ws_token")
        if not url or not token:
            raise TransportError("the session's credentials lack ws_url / ws_token")
        return WebSocketTransport(url, token, **kwargs)
    if stream_type == "livekit":
        from .livekit_transport import LiveKitTransport

        url, token = get("livekit_url"), get("livekit_token")
        if not url or not token:
            raise TransportError("the session's credentials lack livekit_url / livekit_token")
        return LiveKitTransport(url, token, server_identity=get("livekit_server_identity"),
                                **kwargs)
    if stream_type in ("agora", "trtc"):
        raise TransportError(f"{stream_type} sessions are not supported: {RTC_ONLY_MESSAGE}")
    raise TransportError(f"unknown stream type {stream_type!r}: {RTC_ONLY_MESSAGE}")
