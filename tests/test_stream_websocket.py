"""WebSocketTransport end to end against the real simulator over loopback."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from akool_tui.api.models import Session
from akool_tui.simulator import SimulatorConfig, run_background
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.stream import channel
from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import ChatMessage, CommandAck, Event, encode
from akool_tui.stream.reassembler import Reassembler
from akool_tui.stream.transport import (
    TransportClosed,
    TransportError,
    TransportState,
    WebSocketTransport,
    transport_for,
)
from stream_helpers import CLOSE, create_session, until


@pytest.fixture(scope="module")
def sim():
    cfg = SimulatorConfig(sessions=0, churn=False, reply_chars_per_s=3000.0, queue_delay=0.0)
    with run_background(cfg) as running:
        yield running


def close_session(sim, session: Session) -> None:
    answer = httpx.post(sim.base_url + CLOSE, json={"id": session.id},
                        headers={"x-api-key": "demo"}).json()
    assert answer["code"] == 1000, answer


class Client:
    """A transport plus everything it received, decoded, and its state history."""

    def __init__(self, transport: WebSocketTransport) -> None:
        self.t = transport
        self.items: list = []
        self.states: list[tuple[TransportState, str]] = []
        self.failed: list[tuple[list[bytes], str]] = []
        transport.on_state(lambda s, d: self.states.append((s, d)))
        transport.on_send_failed(lambda p, r: self.failed.append((p, r)))
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> Client:
        await self.t.connect()
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.t.close()
        if self._reader:
            await asyncio.wait_for(self._reader, 5)

    async def _read(self) -> None:
        async for item in channel.messages(self.t):
            self.items.append(item)

    def events(self) -> list[str]:
        return [m.event for m in self.items if isinstance(m, Event)]

    def acks(self) -> list[CommandAck]:
        return [m for m in self.items if isinstance(m, CommandAck)]

    def chat(self, sender: str) -> list[ChatMessage]:
        return [m for m in self.items if isinstance(m, ChatMessage) and m.from_ == sender]

    def replies(self, sender: str = "bot") -> list[str]:
        r = Reassembler(clock=lambda: 0.0)
        return [u.text_so_far for u in (r.feed(p) for p in self.chat(sender))
                if u.complete and u.changed]

    async def ack_for(self, mid: str) -> CommandAck:
        await until(lambda: any(a.mid == mid for a in self.acks()), what=f"ack {mid}")
        return next(a for a in self.acks() if a.mid == mid)


def client_for(session: Session, **kw) -> Client:
    return Client(transport_for(session, **kw))


async def test_chat_round_trip_with_audio_events_and_parts(sim):
    async with client_for(create_session(sim)) as c:
        await channel.send_chat(c.t, "Tell me about rivers and mountains")
        await until(lambda: c.events() == ["audio_start", "audio_end"], what="audio_end")
        assert isinstance(c.items[0], Event) and c.items[0].event == "audio_start"
        assert len(c.chat("bot")) > 2
        [reply] = c.replies()
        assert "mountains" in reply


async def test_retelling_mode_and_interrupt_ack(sim):
    async with client_for(create_session(sim, mode_type=1)) as c:
        long_text = "A long sentence to read out loud. " * 400  # ~4.5 s at 3000 chars/s
        await channel.send_chat(c.t, long_text)
        await until(lambda: len(c.chat("bot")) >= 3, what="reply parts")
        mid = await channel.send_interrupt(c.t)
        ack = await c.ack_for(mid)
        assert (ack.cmd, ack.code, ack.msg) == ("interrupt", 1000, "interrupted")
        assert c.events() == ["audio_start", "audio_end"]
        n = len(c.items)
        await asyncio.sleep(0.2)
        assert len(c.items) == n, "the avatar kept talking after the interrupt"
        [cut] = c.replies()
        assert long_text.startswith(cut) and len(cut) < len(long_text)


async def test_set_params_ok_and_1003(sim):
    async with client_for(create_session(sim)) as c:
        ok = await c.ack_for(await channel.send_set_params(
            c.t, vid="fr-FR-DeniseNeural", lang="fr", mode=1, bgurl="https://example.com/b.jpg"))
        assert ok.ok and ok.cmd == "set-params"
        bad = await c.ack_for(await channel.send_set_params(c.t, mode=5, lang="klingon"))
        assert bad.code == 1003 and "mode" in bad.msg and "klingon" in bad.msg
        # mode 1 took effect: the avatar now reads back exactly
        await channel.send_chat(c.t, "Say exactly this.")
        await until(lambda: "audio_end" in c.events(), what="reply")
        assert c.replies() == ["Say exactly this."]


async def test_reconnect_delivers_the_payload_queued_while_disconnected(sim):
    session = create_session(sim)
    async with client_for(session, backoff_base=0.3) as c:
        await until(lambda: live_avatars(sim.state, session.id), what="avatar")
        live_avatars(sim.state, session.id)[0].request_disconnect()
        await until(lambda: c.t.state is TransportState.RECONNECTING, what="reconnecting")
        mid = await channel.send_chat(c.t, "Did my queued question about glaciers arrive?")
        assert c.t.queued >= 1
        await until(lambda: "audio_end" in c.events(), what="reply after reconnect")
        states = [s for s, _ in c.states]
        assert states[-2:] == [TransportState.RECONNECTING, TransportState.CONNECTED]
        assert "glaciers" in c.replies()[0]
        assert c.failed == [] and mid


async def test_reconnect_refused_reports_queued_payloads_failed(sim):
    session = create_session(sim)
    async with client_for(session, backoff_base=2.0) as c:
        await until(lambda: live_avatars(sim.state, session.id), what="avatar")
        live_avatars(sim.state, session.id)[0].request_disconnect()
        await until(lambda: c.t.state is TransportState.RECONNECTING, what="reconnecting")
        mid = await channel.send_chat(c.t, "this cannot be delivered")
        close_session(sim, session)
        await until(lambda: c.t.state is TransportState.FAILED, timeout=8, what="failed")
        [(payloads, reason)] = c.failed
        assert b"this cannot be delivered" in payloads[0]
        assert channel.failed_mids(payloads) == [mid]
        assert "session closed" in reason
        with pytest.raises(TransportClosed):
            await c.t.send(b"{}")


async def test_session_closed_while_connected_ends_the_channel(sim):
    session = create_session(sim)
    async with client_for(session) as c:
        close_session(sim, session)
        await until(lambda: c.t.state is TransportState.FAILED, what="failed")
        assert "session closed" in c.states[-1][1] and "4410" in c.states[-1][1]
        await until(lambda: c._reader.done(), what="receive to end")


async def test_refusals_are_clear_errors(sim):
    session = create_session(sim)
    url = session.credentials.get("ws_url")
    with pytest.raises(TransportError, match="invalid stream token"):
        await WebSocketTransport(url, "wrong-token-0000").connect()
    with pytest.raises(TransportError, match="does not exist"):
        await WebSocketTransport(url.rsplit("/", 1)[0] + "/nope", "x" * 12).connect()
    close_session(sim, session)
    with pytest.raises(TransportError, match="session closed"):
        await transport_for(session).connect()


async def test_oversize_message_is_rejected_by_the_avatar(sim):
    async with client_for(create_session(sim), max_message_bytes=8192) as c:
        await c.t.send(encode(ChatMessage("huge", 0, True, "z" * 3000)))
        ack = await c.ack_for("huge")
        assert ack.code == 1003 and "message too large" in ack.msg
        assert c.events() == []


async def test_stream_faults_from_the_url_still_reassemble_exactly(sim):
    session = create_session(sim, mode_type=1)
    url = session.credentials.get("ws_url") + "?duplicate=0.4&reorder=0.4&seed=5"
    text = "Faults must not scramble this sentence. " * 10
    async with Client(WebSocketTransport(url, session.credentials.get("ws_token"))) as c:
        await channel.send_chat(c.t, text)
        await until(lambda: "audio_end" in c.events(), what="reply")
        idxs = [p.idx for p in c.chat("bot")]
        assert len(idxs) > len(set(idxs)) and idxs != sorted(idxs)
        assert c.replies() == [text]


async def test_injected_user_speech_arrives_as_user_transcript(sim):
    session = create_session(sim)
    async with client_for(session) as c:
        await until(lambda: live_avatars(sim.state, session.id), what="avatar")
        live_avatars(sim.state, session.id)[0].inject_user_speech("hello from the microphone")
        await until(lambda: "audio_end" in c.events(), what="answer")
        assert c.replies("user") == ["hello from the microphone"]
        assert "microphone" in c.replies("bot")[0]


async def test_long_text_is_chunked_under_the_limit_and_read_back(sim):
    async with client_for(create_session(sim, mode_type=1)) as c:
        text = "日本語のテキスト、そして emoji 👩‍👩‍👧。" * 60
        assert len(chunk_text(text, mid="x")) > 2
        await channel.send_chat(c.t, text)
        await c.t.drain()
        await until(lambda: "audio_end" in c.events(), timeout=8, what="reply")
        assert c.replies() == [text]


async def test_token_never_reaches_logs_or_repr(sim, caplog):
    session = create_session(sim)
    token = session.credentials.get("ws_token")
    transport = transport_for(session)
    with caplog.at_level(logging.DEBUG):
        async with Client(transport) as c:
            await channel.send_chat(c.t, "hi")
            await until(lambda: "audio_end" in c.events(), what="reply")
    assert token not in caplog.text
    assert token not in repr(transport) and token[-4:] in repr(transport)


async def test_send_validation_and_queue_overflow_while_disconnected(sim):
    session = create_session(sim)
    transport = transport_for(session, queue_limit=1, backoff_base=2.0)
    with pytest.raises(TransportClosed):
        await transport.send(b"{}")  # not connected yet
    async with Client(transport) as c:
        with pytest.raises(ValueError, match="exceeds the 960-byte limit"):
            await c.t.send(b"x" * 961)
        await until(lambda: live_avatars(sim.state, session.id), what="avatar")
        live_avatars(sim.state, session.id)[0].request_disconnect()
        await until(lambda: c.t.state is TransportState.RECONNECTING, what="reconnecting")
        await c.t.send(b'{"v":2}')
        await c.t.send(b'{"v":2,"n":2}')  # the queue holds one: reported, not dropped
        assert c.failed == [([b'{"v":2,"n":2}'], "send queue full (1 messages waiting for the channel)")]
    # closing with a payload still queued reports it too
    assert c.failed[-1][0] == [b'{"v":2}'] and "closed before" in c.failed[-1][1]


def test_agora_and_trtc_sessions_get_the_livekit_advice():
    for stream_type in ("agora", "trtc"):
        session = Session.from_api({"_id": "s", "stream_type": stream_type, "credentials": {}})
        with pytest.raises(TransportError, match="create the session with stream_type livekit"):
            transport_for(session)
    with pytest.raises(TransportError, match="ws_url"):
        transport_for(Session.from_api({"_id": "s", "stream_type": "websocket"}))


async def test_a_refusal_after_accept_4401_fails_without_reconnecting():
    """Servers without handshake denials accept, then close with 4401: final, no retry."""
    from websockets.asyncio.server import serve

    connections = []

    async def handler(ws) -> None:
        connections.append(ws.request.headers.get("authorization"))
        await ws.close(4401, "invalid stream token")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        c = Client(WebSocketTransport(f"ws://127.0.0.1:{port}/s", "bad-token-123", backoff_base=0.01))
        async with c:
            await until(lambda: c.t.state is TransportState.FAILED, what="failed")
            await asyncio.sleep(0.1)
        assert connections == ["Bearer bad-token-123"]  # no reconnect attempt
        assert "invalid stream token (4401)" in c.states[-1][1]
