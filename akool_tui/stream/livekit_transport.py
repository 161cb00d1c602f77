"""The LiveKit data channel: the real path to AKool (optional extra ``akool-tui[livekit]``).

Uses the ``livekit`` SDK in process (``livekit.rtc``), imported lazily so that the
core never needs it: ``Room.connect(url, token)``,
``room.local_participant.publish_data(payload, reliable=True)`` and the room's
``data_received`` event (a ``DataPacket`` with ``.data`` and ``.participant``).
The SDK reconnects by itself; its ``reconnecting`` / ``reconnected`` /
``disconnected`` events drive this transport's state, and payloads sent meanwhile
wait in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from ..api.secrets import mask
from .pacer import Pacer
from .transport import BaseTransport, TransportError, TransportState, _ConnectionLost

INSTALL_HINT = "LiveKit support is not installed: pip install 'akool-tui[livekit]'"


def load_rtc() -> Any:
    """The ``livekit.rtc`` module, or a :class:`TransportError` saying how to install it."""
    try:
        from livekit import rtc
    except ImportError:
        raise TransportError(INSTALL_HINT) from None
    return rtc


class LiveKitTransport(BaseTransport):
    """Joins the session's LiveKit room with ``livekit_url`` + ``livekit_token``.

    ``server_identity`` (the session's ``livekit_server_identity``), when given,
    keeps only data published by the avatar. ``room_factory`` builds the room
    (default ``livekit.rtc.Room``); tests pass a fake with the SDK's signatures.
    """

    stream_type = "livekit"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        server_identity: str | None = None,
        room_factory: Callable[[], Any] | None = None,
        max_message_bytes: int | None = None,
        pacer: Pacer | None = None,
        queue_limit: int = 512,
    ) -> None:
        super().__init__(max_message_bytes=max_message_bytes, pacer=pacer, queue_limit=queue_limit)
        if not url:
            raise TransportError("the LiveKit URL is missing")
        if not token:
            raise TransportError("the LiveKit token is missing")
        self.url = url
        self._token = token
        self.server_identity = server_identity or None
        self._room_factory = room_factory
        self._room: Any = None

    def __repr__(self) -> str:
        return (f"LiveKitTransport(url={self.url!r}, token={mask(self._token)!r}, "
                f"state={self._state.value!r})")

    async def connect(self) -> None:
        if self._state is not TransportState.CLOSED or self._closing:
            raise TransportError(f"cannot connect: the channel is {self._state}")
        self._set_state(TransportState.CONNECTING, self.url)
        try:
            factory = self._room_factory or load_rtc().Room
        except TransportError as exc:
            self._fail(str(exc))
            raise
        room = factory()
        room.on("data_received", self._on_data)
        room.on("reconnecting", self._on_reconnecting)
        room.on("reconnected", self._on_reconnected)
        room.on("disconnected", self._on_disconnected)
        try:
            await room.connect(self.url, self._token)
        except Exception as exc:
            # the SDK's ConnectError carries the server's reason, never our token
            detail = self._scrub(f"cannot join the LiveKit room at {self.url}: {_reason(exc)}")
            self._fail(detail)
            raise TransportError(detail) from None
        self._room = room
        self._set_state(TransportState.CONNECTED, self.url)
        self._start_writer()

    # SDK callbacks are plain functions (the SDK refuses coroutines in ``on``)
    def _on_data(self, packet: Any) -> None:
        participant = getattr(packet, "participant", None)
        identity = getattr(participant, "identity", None)
        if self.server_identity and identity and identity != self.server_identity:
            return
        self._deliver(bytes(packet.data))

    def _on_reconnecting(self) -> None:
        if not self._closing:
            self._set_state(TransportState.RECONNECTING, "LiveKit is reconnecting")

    def _on_reconnected(self) -> None:
        if not self._closing:
            self._set_state(TransportState.CONNECTED, "reconnected")

    def _on_disconnected(self, reason: Any = None) -> None:
        if not self._closing:
            self.session_gone = _room_deleted(reason)  # AKool deletes it when the session closes
            self._fail(f"the LiveKit room disconnected ({_reason(reason)})")

    async def _send_now(self, payload: bytes) -> None:
        room = self._room
        if room is None or self._state is not TransportState.CONNECTED:
            raise _ConnectionLost
        await room.local_participant.publish_data(payload, reliable=True)

    async def close(self) -> None:
        """Leave the room (spec: leave first, then close the session)."""
        if self._closing:
            return
        self._closing = True
        room, self._room = self._room, None
        if room is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await room.disconnect()
        if self._state is not TransportState.FAILED:
            self._end(TransportState.CLOSED, "left the room",
                      "the stream channel was closed before they were sent")


def _room_deleted(reason: Any) -> bool:
    """The SDK's disconnect reason says the room is gone (ROOM_DELETED)."""
    if reason is None:
        return False
    with contextlib.suppress(Exception):
        return bool(reason == load_rtc().DisconnectReason.ROOM_DELETED)
    return False


def _reason(value: Any) -> str:
    if value is None:
        return "no reason given"
    text = getattr(value, "message", None) or str(value)
    return text or type(value).__name__
