"""The fault matrix over real loopback: what the CLI, the client, the TUI and the chat
model show and keep when the service and the network misbehave.

Not repeated here (see those files): client retries on 5xx and their count, no retry
of creates, malformed bodies and wrong data shapes as ProtocolError, connection
refused (tests/test_api_client.py); CLI connection refused and 1101 (tests/test_cli.py);
the sessions screen when the service goes away and comes back
(tests/test_tui_sessions.py); transport-level reconnect with queued payloads, refusals,
oversize parts, duplicate/reorder reassembly (tests/test_stream_websocket.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from tui_helpers import make_app, running, wait_for, wait_message

from akool_tui.api import errors
from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import CODE_MESSAGES
from akool_tui.api.models import Credentials, Session
from akool_tui.cli import main
from akool_tui.core.chat.conversation import ChannelState, ChatPart, Conversation, Outgoing
from akool_tui.simulator import RunningSimulator, SimulatorConfig, run_background
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.stream.reassembler import GAP_MARKER
from akool_tui.stream.transport import TransportState
from akool_tui.tui.screens.base import RefreshFailed

CREDS = {"client_id": "demo", "client_secret": "demo"}


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(*argv) -> (exit code, stdout, stderr)`` with the demo API key."""

    def run(*argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("AKOOL_API_KEY", "demo")
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def one_clear_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("akool-tui: "), err
    assert "Traceback" not in err
    return lines[0]


def restart(sim: RunningSimulator, **changes) -> RunningSimulator:
    """Stop ``sim`` and serve a fresh one (same seed, same data) on the same port."""
    sim.stop()
    return run_background(dataclasses.replace(sim.cfg, **changes), port=sim.port)


# -- headless CLI ---------------------------------------------------------------------------


def test_cli_5xx_burst_on_reads_is_retried_then_succeeds(simulator_factory, cli):
    sim = simulator_factory(error_rate=0.3, seed=4)
    code, out, err = cli("--base-url", sim.base_url, "--json", "sessions", "list")
    assert code == 0, err
    assert len(json.loads(out)) == 40


def test_cli_5xx_that_does_not_stop_is_one_clear_line(simulator_factory, cli):
    sim = simulator_factory(error_rate=1.0)
    code, out, err = cli("--base-url", sim.base_url, "sessions", "list")
    assert code != 0 and out == ""
    line = one_clear_line(err)
    assert re.search(r"HTTP 50[023]", line) and "/session/list" in line


@pytest.mark.parametrize("argv", [("sessions", "list"), ("sessions", "create", "--duration", "60"),
                                  ("avatars", "list"), ("voices", "list")])
def test_cli_malformed_bodies_are_one_clear_protocol_line(simulator_factory, cli, argv):
    sim = simulator_factory(malformed_rate=1.0)
    code, out, err = cli("--base-url", sim.base_url, *argv)
    assert code != 0 and out == ""
    line = one_clear_line(err)
    assert "not JSON" in line or "without an integer 'code'" in line


def test_cli_token_expiry_in_the_middle_of_a_paged_list(simulator_factory, cli, monkeypatch):
    sim = simulator_factory(sessions=250, token_expiry_calls=2, max_concurrent=400)
    monkeypatch.setenv("AKOOL_CLIENT_ID", "demo")
    monkeypatch.setenv("AKOOL_CLIENT_SECRET", "demo")
    code, out, err = cli("--base-url", sim.base_url, "--json", "sessions", "list")
    assert code == 0, err
    assert len({s["id"] for s in json.loads(out)}) == 250
    assert len(sim.state.tokens) == 2  # the first token and exactly one renewal


# -- every error code of spec section 5, from every endpoint the UI calls ----------------------


class CodeServer(ThreadingHTTPServer):
    """A loopback server answering every request with one business code (HTTP 200)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CodeHandler)
        self.code = 1000
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CodeHandler(BaseHTTPRequestHandler):
    server: CodeServer

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"code": self.server.code, "msg": "note from the server",
                           "data": {}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def code_server():
    server = CodeServer()
    yield server
    server.shutdown()
    server.server_close()


ERROR_CODES = sorted(set(CODE_MESSAGES) - {1000})
UI_CALLS = {
    "sessions list": lambda c: c.list_sessions(),
    "session detail": lambda c: c.session_detail("abc"),
    "session create": lambda c: c.create_session(duration=60),
    "session close": lambda c: c.close_session("abc"),
    "avatars list": lambda c: c.list_avatars(),
    "avatar detail": lambda c: c.avatar_detail("abc"),
    "avatar upload": lambda c: c.create_avatar("https://example.com/a.mp4", "abc123", name="Any"),
    "upload status": lambda c: c.avatar_upload_status("abc"),
    "voices list": lambda c: c.list_voices(),
    "languages list": lambda c: c.list_languages(),
}


@pytest.mark.parametrize("code", ERROR_CODES)
async def test_every_error_code_from_every_endpoint_is_a_clear_typed_error(code_server, code):
    code_server.code = code
    async with AkoolClient(code_server.base_url, api_key="demo", max_retries=0) as client:
        for name, call in UI_CALLS.items():
            with pytest.raises(errors.ApiError) as info:
                await call(client)
            text = str(info.value)
            assert info.value.code == code, name
            assert CODE_MESSAGES[code] in text and str(code) in text, (name, text)
            assert "\n" not in text


@pytest.mark.parametrize("code", [1003, 1005, 1101, 1102, 1104, 1215, 1216, 1219, 1223, 1299])
def test_cli_shows_an_error_code_as_one_clear_line(code_server, cli, code):
    code_server.code = code
    for argv in (("sessions", "list"), ("sessions", "create", "--duration", "60"),
                 ("sessions", "show", "abc")):
        status, out, err = cli("--base-url", code_server.base_url, *argv)
        line = one_clear_line(err)
        assert status != 0 and out == ""
        assert str(code) in line
        assert CODE_MESSAGES.get(code, "AKool error") in line


# -- the client -------------------------------------------------------------------------------


def _client(sim, events: list | None = None, **kw) -> AkoolClient:
    return AkoolClient(sim.base_url, backoff_base=0.01,
                       on_event=events.append if events is not None else None, **kw)


async def test_token_expiry_during_list_all_sessions_reauths_once(simulator_factory):
    sim = simulator_factory(sessions=450, token_expiry_calls=3, max_concurrent=600)
    events: list = []
    async with _client(sim, events, **CREDS) as client:
        sessions = await client.list_all_sessions()  # 5 pages: page 1, then 4 at once
    assert len({s.id for s in sessions}) == 450
    assert [e.kind for e in events].count("token") == 2
    assert len(sim.state.tokens) == 2


async def test_token_expiry_at_create_reauths_once_and_creates_one_session(simulator_factory):
    sim = simulator_factory(token_expiry_calls=1)
    events: list = []
    async with _client(sim, events, **CREDS) as client:
        await client.list_languages()  # uses the token up
        before = len(sim.state.sessions)
        session = await client.create_session(duration=60)
    assert session.id in sim.state.sessions
    assert len(sim.state.sessions) == before + 1  # the refused create was not executed twice
    kinds = [e.kind for e in events]
    assert kinds.count("reauth") == 1 and kinds.count("token") == 2


async def test_a_slow_service_is_a_clear_timeout_then_reads_work_again(simulator_factory):
    sim = simulator_factory(latency=0.5)
    async with _client(sim, api_key="demo", timeout=0.1, max_retries=1) as client:
        with pytest.raises(errors.TimeoutError_) as info:
            await client.list_sessions()
        assert "No answer" in str(info.value) and "/session/list" in str(info.value)
    async with _client(sim, api_key="demo", timeout=2.0) as client:
        assert len((await client.list_sessions(size=5)).result) == 5


async def test_server_restarted_between_calls_next_call_works(simulator_factory):
    sim = simulator_factory()
    async with _client(sim, max_retries=0, api_key="demo") as client:
        first = await client.list_all_sessions()  # leaves a keep-alive connection open
        sim.stop()
        with pytest.raises(errors.NetworkError) as info:
            await client.list_sessions()
        assert "Cannot connect" in str(info.value) or "failed during" in str(info.value)
        sim = restart(sim)
        try:
            again = await client.list_all_sessions()
        finally:
            sim.stop()
    assert {s.id for s in again} == {s.id for s in first}


async def test_server_restarted_mid_refresh_then_the_next_call_works(simulator_factory):
    sim = simulator_factory(sessions=2000, latency=0.05, max_concurrent=3000)
    port = sim.port
    holder = {"sim": sim}

    def bounce() -> None:
        time.sleep(0.15)  # page 1 is in, the other pages are in flight
        holder["sim"] = restart(holder["sim"], latency=0.0)

    async with _client(sim, api_key="demo", max_retries=4) as client:
        thread = threading.Thread(target=bounce)
        thread.start()
        try:
            result = await client.list_all_sessions()
        except errors.NetworkError as exc:  # allowed: one clear error, not a hang or a crash
            assert str(exc).strip()
            result = None
        thread.join()
        try:
            assert holder["sim"].port == port
            after = await client.list_all_sessions()
        finally:
            holder["sim"].stop()
    assert len({s.id for s in after}) == 2000
    if result is not None:
        assert len({s.id for s in result}) == 2000


# -- the TUI ------------------------------------------------------------------------------------


async def test_tui_under_5xx_shows_errors_then_recovers_when_the_faults_stop(tmp_path):
    sim = run_background(SimulatorConfig(seed=3, sessions=30, churn=False, error_rate=1.0))
    app = make_app(sim, tmp_path, interval=1.0)
    try:
        async with running(app) as (pilot, messages):
            failed = await wait_message(pilot, messages, RefreshFailed, after=0, timeout=20)
            screen = app.screen
            assert isinstance(failed.error, errors.HTTPStatusError)
            status = screen.status.build().plain
            assert re.search(r"errors \d+", status), status
            notes = messages.notes("error")
            assert len(notes) == 1 and "HTTP 50" in notes[0]
            assert "Traceback" not in notes[0]

            sim = restart(sim, error_rate=0.0)  # the faults stop
            state = screen.loop.state
            await wait_for(pilot, lambda: state.consecutive_errors == 0
                           and screen.table.row_count == 30, timeout=30, what="recovery")
            assert app.is_running and state.errors >= 1
            await wait_for(pilot, lambda: "errors" not in screen.status.build().plain,
                           timeout=5, what="the error count cleared on recovery")
            # the failure's text stays reachable: `e` lists the run's events with times
            await pilot.press("e")
            from akool_tui.tui.screens.events import EventsScreen

            await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen), what="events")
            logged = "\n".join(str(line.text) for line in app.screen.query_one("#events-log").lines)
            assert "Refresh failed" in logged and "HTTP 50" in logged
            assert "refresh recovered after" in logged
            await pilot.press("escape")
    finally:
        sim.stop()


async def test_tui_under_malformed_bodies_shows_a_protocol_error_and_keeps_running(tmp_path):
    sim = run_background(SimulatorConfig(seed=3, sessions=30, churn=False, malformed_rate=1.0))
    app = make_app(sim, tmp_path, interval=1.0)
    try:
        async with running(app) as (pilot, messages):
            failed = await wait_message(pilot, messages, RefreshFailed, after=0, timeout=20)
            assert isinstance(failed.error, errors.ProtocolError)
            notes = messages.notes("error")
            assert notes and ("not JSON" in notes[0] or "integer 'code'" in notes[0])
            await pilot.press("2")  # other screens still work
            await pilot.press("1")
            assert app.is_running
    finally:
        sim.stop()


# -- the stream channel, through the chat model the chat screen uses -----------------------------


def _stream_sim(simulator_factory, **kw) -> RunningSimulator:
    return simulator_factory(sessions=0, queue_delay=0.0, **kw)


def _ws_session(sim: RunningSimulator, mode_type: int = 1) -> Session:
    import httpx

    body = httpx.post(sim.base_url + "/api/open/v4/liveAvatar/session/create",
                      json={"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
                            "stream_type": "websocket", "mode_type": mode_type},
                      headers={"x-api-key": "demo"}).json()
    assert body["code"] == 1000, body
    return Session.from_api(body["data"])


def _with_faults(session: Session, query: str) -> Session:
    creds = dict(session.credentials.values)
    creds["ws_url"] += "?" + query
    return dataclasses.replace(
        session, credentials=Credentials(session.credentials.stream_type, creds))


class Chat:
    """A Conversation running against a session, with everything it emitted."""

    def __init__(self, **kw) -> None:
        self.events: list = []
        self.conv = Conversation(self.events.append, mode=1,
                                 transport_options={"backoff_base": 0.05}, **kw)
        self.task: asyncio.Task | None = None

    async def start(self, session: Session) -> Chat:
        self.task = asyncio.create_task(self.conv.run(session))
        await self.until(lambda: self.conv.connected, "connected")
        return self

    async def stop(self) -> None:
        await self.conv.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)

    async def until(self, condition, what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await asyncio.sleep(0.01)

    def bot(self) -> dict[str, list[ChatPart]]:
        out: dict[str, list[ChatPart]] = {}
        for e in self.events:
            if isinstance(e, ChatPart) and e.sender == "bot":
                out.setdefault(e.mid, []).append(e)
        return out

    def finished(self) -> list[ChatPart]:
        return [parts[-1] for parts in self.bot().values() if parts[-1].finished]


def assert_grows_without_repeats(parts: list[ChatPart], intended: str) -> None:
    """Shown text only grows, and every piece it shows is the intended text, in order."""
    for a, b in itertools.pairwise(parts):
        assert b.text.startswith(a.text), (a.text, b.text)
    final = parts[-1].text
    pos = 0
    for piece in final.split(GAP_MARKER.strip()):
        piece = piece.strip()
        if piece:
            found = intended.find(piece, pos)
            assert found >= 0, f"{piece!r} is not the next part of the intended reply"
            pos = found + len(piece)


@pytest.mark.parametrize("query", ["drop=0.3&seed=2", "drop=0.2&duplicate=0.3&reorder=0.3&seed=9"])
async def test_dropped_duplicated_reordered_parts_never_scramble_the_reply(simulator_factory,
                                                                           query):
    sim = _stream_sim(simulator_factory, reply_chars_per_s=4000.0)
    intended = " ".join(f"Sentence number {i} of the reply." for i in range(40))
    chat = await Chat(reassembly_timeout=0.4).start(_with_faults(_ws_session(sim), query))
    try:
        await chat.conv.say(intended)
        await chat.until(lambda: chat.finished(), "the reply to finish (or time out)")
    finally:
        await chat.stop()
    (parts,) = chat.bot().values()
    last = parts[-1]
    assert last.incomplete, "parts were dropped: the reply must say it is incomplete"
    assert GAP_MARKER.strip() in last.text
    assert_grows_without_repeats(parts, intended)


async def test_disconnect_mid_reply_reconnects_and_loses_no_typed_text(simulator_factory):
    sim = _stream_sim(simulator_factory, reply_chars_per_s=300.0)
    session = _ws_session(sim)
    chat = await Chat(reassembly_timeout=0.5).start(session)
    first = "The first reply is long enough to be cut off in the middle. " * 6
    try:
        await chat.conv.say(first)
        await chat.until(lambda: chat.bot(), "the reply to start")
        (avatar,) = live_avatars(sim.state, session.id)
        avatar.request_disconnect()  # the channel drops mid-reply
        await chat.until(lambda: not chat.conv.connected, "the drop")
        typed = "typed while the channel was down"
        await chat.conv.say(typed)  # queued, not lost
        outgoing = [e for e in chat.events if isinstance(e, Outgoing) and e.text == typed]
        assert outgoing and outgoing[-1].status == "queued"
        await chat.until(lambda: any(p.complete and p.text == typed for p in chat.finished()),
                         "the queued line delivered after reconnect")
        await chat.until(lambda: any(p.incomplete for p in chat.finished()),
                         "the cut reply marked incomplete")
    finally:
        await chat.stop()
    states = [e.state for e in chat.events if isinstance(e, ChannelState)]
    assert TransportState.RECONNECTING in states
    assert states.index(TransportState.RECONNECTING) < len(states) - 1
    statuses = [e.status for e in chat.events if isinstance(e, Outgoing) and e.text == typed]
    assert statuses[-1] == "sent" and "failed" not in statuses
    cut = next(p for p in chat.finished() if p.incomplete)
    assert_grows_without_repeats(chat.bot()[cut.mid], first)


async def test_a_drop_mid_reply_ends_speaking_so_the_next_reply_shows_it_again(simulator_factory):
    """No audio_end comes for a reply cut by a drop: the avatar is not speaking then,
    and the next reply's audio_start says it speaks again (the chat showed "quiet"
    while it spoke, and esc no longer interrupted)."""
    from akool_tui.core.chat.events import Speaking

    sim = _stream_sim(simulator_factory, reply_chars_per_s=300.0)
    session = _ws_session(sim)
    chat = await Chat(reassembly_timeout=0.5).start(session)
    try:
        await chat.conv.say("The first reply is long enough to be cut off in the middle. " * 6)
        await chat.until(lambda: chat.conv.speaking and chat.bot(), "the reply to start")
        (avatar,) = live_avatars(sim.state, session.id)
        avatar.request_disconnect()
        await chat.until(lambda: not chat.conv.connected, "the drop")
        assert not chat.conv.speaking
        assert [e.on for e in chat.events if isinstance(e, Speaking)] == [True, False]
        await chat.until(lambda: chat.conv.connected, "reconnected")
        await chat.conv.say("and now a second line")
        await chat.until(lambda: chat.conv.speaking, "speaking again")
        assert [e.on for e in chat.events if isinstance(e, Speaking)][-1] is True
    finally:
        await chat.stop()


def test_a_reply_after_a_drop_is_timed_from_its_own_line_not_a_lost_one() -> None:
    """A line sent just before the channel dropped is never answered: the next reply's
    first part is timed from the line it answers (it read "1st part 15.1 s" for a part
    that came in 20 ms, and every later reply inherited the lost line's age)."""
    from akool_tui.core.chat.events import ChatPart, Outgoing
    from akool_tui.core.chat.replies import Replies

    replies = Replies()
    replies.observe(Outgoing("m1", "lost to the drop", "sent"), "s1", 0.0, 0.0)
    replies.observe(ChannelState(TransportState.RECONNECTING, "connection lost"), "s1", 1.0, 1.0)
    replies.observe(ChannelState(TransportState.CONNECTED, "reconnected"), "s1", 2.0, 2.0)
    replies.observe(Outgoing("m2", "after the drop", "sent"), "s1", 15.0, 15.0)
    (stats,) = replies.observe(ChatPart("b2", "bot", "Hello"), "s1", 15.02, 15.02)
    assert stats.first and stats.timing.first_ms == 20.0
    replies.observe(Outgoing("m3", "and the next", "sent"), "s1", 20.0, 20.0)
    (stats,) = replies.observe(ChatPart("b3", "bot", "Hi"), "s1", 20.5, 20.5)
    assert stats.timing.first_ms == 500.0


async def test_tui_with_refused_credentials_says_so_in_the_table_and_stops_retrying(tmp_path):
    """A wrong API key: the table says the credentials were refused (it read "Loading
    sessions…" for ever), the status line says the refreshes stopped, no retry is sent
    until ctrl+r, and with the key mended ctrl+r loads the sessions."""
    from akool_tui.config import Config
    from akool_tui.tui.app import AkoolApp
    from tui_helpers import screen_text

    sim = run_background(SimulatorConfig(seed=3, sessions=30, churn=False))
    cfg = Config(base_url=sim.base_url, api_key="wrongWRONGkey5555", refresh_interval=1.0,
                 path=tmp_path / "config.toml")
    app = AkoolApp(cfg, watch_tty=False)
    try:
        async with running(app) as (pilot, messages):
            failed = await wait_message(pilot, messages, RefreshFailed, after=0, timeout=20)
            assert isinstance(failed.error, errors.AuthError)
            await wait_for(pilot, lambda: "Credentials refused (code 1101)" in screen_text(app),
                           what="the refusal in the table")
            text = screen_text(app)
            assert "stopped: fix the credentials, then ctrl+r" in text
            assert "Loading sessions" not in text and "wrongWRONGkey5555" not in text
            state = app.screen.loop.state
            assert state.halted and state.next_at is None
            # backoff would have retried within 2 s (interval 1 s, one error): none is sent
            await pilot.pause(2.5)
            assert messages.count(RefreshFailed) == 1
            await pilot.press("ctrl+r")  # tries again at once (still refused)
            await wait_for(pilot, lambda: messages.count(RefreshFailed) == 2, what="ctrl+r")
            app.config.api_key = sim.cfg.api_key  # mended (as a profile switch does)
            app.reset_client()
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: app.screen.table.row_count == 30, timeout=10,
                           what="sessions loaded")
            assert not state.halted and "stopped" not in screen_text(app)
    finally:
        sim.stop()
