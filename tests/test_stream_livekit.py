"""LiveKitTransport at the SDK boundary.

The fake room below mirrors ``livekit.rtc`` (python-sdks, livekit-rtc): ``Room(loop=None)``,
``await room.connect(url, token, options=RoomOptions())``, ``await room.disconnect()``,
``room.on(event, callback=None)`` that refuses coroutine callbacks and passes only as
many positional arguments as the callback takes, the ``data_received`` event with a
``DataPacket(data, kind, participant, topic)``, and
``await local_participant.publish_data(payload, *, reliable=True,
destination_identities=[], topic="")``. Behind it sits the real SimulatedAvatar.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from akool_tui.api.models import Session
from akool_tui.simulator.avatar import SimulatedAvatar
from akool_tui.stream import channel
from akool_tui.stream.codec import ChatMessage, Event
from akool_tui.stream.livekit_transport import LiveKitTransport
from akool_tui.stream.reassembler import Reassembler
from akool_tui.stream.transport import TransportError, TransportState, transport_for
from stream_helpers import until

RELIABLE = 1  # livekit.rtc DataPacketKind.KIND_RELIABLE
SERVER = "akool-avatar"
TOKEN = "lk-token-abcdefghijklmnop"


class ConnectError(Exception):
    """Mirrors livekit.rtc.ConnectError (has ``.message``)."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass
class RemoteParticipant:
    identity: str


@dataclass
class DataPacket:
    data: bytes
    kind: int
    participant: RemoteParticipant | None = None
    topic: str | None = None


class EventEmitter:
    def __init__(self) -> None:
        self._events: dict[str, dict[Callable, None]] = {}

    def on(self, event: str, callback: Callable | None = None) -> Callable:
        if callback is None:
            def decorator(cb: Callable) -> Callable:
                self.on(event, cb)
                return cb
            return decorator
        if inspect.iscoroutinefunction(callback):
            raise ValueError("Cannot register an async callback with `.on()`.")
        self._events.setdefault(event, {})[callback] = None
        return callback

    def emit(self, event: str, *args: Any) -> None:
        for callback in list(self._events.get(event, {})):
            params = inspect.signature(callback).parameters.values()
            if any(p.kind == p.VAR_POSITIONAL for p in params):
                callback(*args)
            else:
                n = len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
                callback(*args[:n])


class LocalParticipant:
    def __init__(self, room: FakeRoom) -> None:
        self.identity = "operator"
        self._room = room
        self.published: list[tuple[bytes, bool, str]] = []

    async def publish_data(
        self,
        payload: bytes | str,
        *,
        reliable: bool = True,
        destination_identities: list[str] = [],  # noqa: B006 - the SDK's own signature
        topic: str = "",
    ) -> None:
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        if not self._room.connected:
            raise RuntimeError("publish_data on a disconnected room")
        self.published.append((payload, reliable, topic))
        await self._room.server_receive(payload)


class FakeRoom(EventEmitter):
    """One room; ``server`` (a SimulatedAvatar) answers what the client publishes."""

    instances: list[FakeRoom] = []

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__()
        self._loop = loop or asyncio.get_event_loop()
        self.connected = False
        self.connect_error: str | None = None
        self.joined: tuple[str, str] | None = None
        self.server: SimulatedAvatar | None = None
        self._local_participant = LocalParticipant(self)
        FakeRoom.instances.append(self)

    @property
    def local_participant(self) -> LocalParticipant:
        return self._local_participant

    def isconnected(self) -> bool:
        return self.connected

    async def connect(self, url: str, token: str, options: Any = None) -> None:
        if self.connect_error:
            raise ConnectError(self.connect_error)
        self.joined = (url, token)
        self.connected = True
        self.server = SimulatedAvatar(self._from_server, chars_per_s=5000.0)

    async def disconnect(self) -> None:
        self.connected = False

    async def _from_server(self, payload: bytes, identity: str = SERVER) -> None:
        self.emit("data_received", DataPacket(payload, RELIABLE, RemoteParticipant(identity), ""))

    async def server_receive(self, payload: bytes) -> None:
        assert self.server is not None
        await self.server.handle(payload)


@pytest.fixture(autouse=True)
def _fresh_rooms():
    FakeRoom.instances.clear()


def make(**kw) -> LiveKitTransport:
    return LiveKitTransport("wss://lk.example", TOKEN, server_identity=SERVER,
                            room_factory=FakeRoom, **kw)


async def collect(transport: LiveKitTransport, into: list) -> None:
    async for item in channel.messages(transport):
        into.append(item)


async def test_chat_round_trip_through_the_sdk_boundary():
    t = make()
    await t.connect()
    room = FakeRoom.instances[0]
    assert room.joined == ("wss://lk.example", TOKEN)
    items: list = []
    reader = asyncio.create_task(collect(t, items))
    await channel.send_chat(t, "What about lighthouses?")
    await until(lambda: Event("audio_end") in items)
    payload, reliable, _ = room.local_participant.published[0]
    assert reliable is True and b"lighthouses" in payload
    r = Reassembler(clock=lambda: 0.0)
    done = [u for u in (r.feed(m) for m in items if isinstance(m, ChatMessage)) if u.complete]
    assert "lighthouses" in done[0].text_so_far
    await t.close()
    await asyncio.wait_for(reader, 2)
    assert t.state is TransportState.CLOSED and not room.connected


async def test_data_from_other_participants_is_ignored():
    t = make()
    await t.connect()
    room = FakeRoom.instances[0]
    room.emit("data_received", DataPacket(b"from a stranger", RELIABLE, RemoteParticipant("bob")))
    room.emit("data_received", DataPacket(b"from the avatar", RELIABLE, RemoteParticipant(SERVER)))
    got = []
    async for payload in t.receive():
        got.append(payload)
        break
    assert got == [b"from the avatar"]
    await t.close()


async def test_sends_during_sdk_reconnect_are_queued_then_flushed_in_order():
    t = make()
    await t.connect()
    room = FakeRoom.instances[0]
    room.emit("reconnecting")
    assert t.state is TransportState.RECONNECTING
    for n in range(3):
        await t.send(b'{"v":2,"type":"x","n":%d}' % n)
    await asyncio.sleep(0.05)
    assert room.local_participant.published == [] and t.queued == 3
    room.emit("reconnected")
    await t.drain()
    assert [p for p, _, _ in room.local_participant.published] == [
        b'{"v":2,"type":"x","n":%d}' % n for n in range(3)]
    assert t.state is TransportState.CONNECTED
    await t.close()


async def test_room_disconnect_fails_and_reports_queued_payloads():
    t = make()
    failed: list = []
    t.on_send_failed(lambda payloads, reason: failed.append((payloads, reason)))
    await t.connect()
    room = FakeRoom.instances[0]
    room.emit("reconnecting")
    await t.send(b"queued")
    room.emit("disconnected", "SIGNAL_CLOSE")
    assert t.state is TransportState.FAILED
    assert failed == [([b"queued"], "the stream channel failed: the LiveKit room disconnected (SIGNAL_CLOSE)")]
    assert [p async for p in t.receive()] == []


async def test_connect_error_is_clear_and_never_shows_the_token():
    class Refusing(FakeRoom):
        def __init__(self, loop=None) -> None:
            super().__init__(loop)
            self.connect_error = f"401 unauthorized for wss://lk.example?access_token={TOKEN}"

    t = LiveKitTransport("wss://lk.example", TOKEN, room_factory=Refusing)
    with pytest.raises(TransportError) as info:
        await t.connect()
    assert "cannot join the LiveKit room" in str(info.value) and TOKEN not in str(info.value)
    assert t.state is TransportState.FAILED
    assert TOKEN not in repr(t)


async def test_missing_sdk_says_how_to_install_it(monkeypatch):
    # the SDK made unimportable (CI installs it): ``from livekit import rtc`` fails
    monkeypatch.setitem(sys.modules, "livekit", None)
    monkeypatch.setitem(sys.modules, "livekit.rtc", None)
    t = LiveKitTransport("wss://lk.example", TOKEN)
    with pytest.raises(TransportError, match=r"pip install 'akool-tui\[livekit\]'"):
        await t.connect()
    assert t.state is TransportState.FAILED


def test_fake_mirrors_the_installed_sdk_signatures():
    from livekit import rtc

    def shape(fn):
        return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]

    assert shape(rtc.LocalParticipant.publish_data) == shape(LocalParticipant.publish_data)
    assert shape(rtc.Room.connect)[:3] == shape(FakeRoom.connect)[:3]
    assert {"data_received", "reconnecting", "reconnected", "disconnected"} <= set(
        rtc.room.EventTypes.__args__)


def test_transport_for_a_livekit_session():
    session = Session.from_api({
        "_id": "s1", "stream_type": "livekit",
        "credentials": {"livekit_url": "wss://lk.example", "livekit_token": TOKEN,
                        "livekit_room_name": "r", "livekit_server_identity": SERVER},
    })
    t = transport_for(session)
    assert isinstance(t, LiveKitTransport) and t.server_identity == SERVER
    assert t.max_message_bytes == 960 and t.pacer.bytes_per_s
    with pytest.raises(TransportError, match="livekit_url"):
        transport_for(Session.from_api({"_id": "s", "stream_type": "livekit"}))
