"""The chat screen against the real simulator over loopback (Pilot, no mocks)."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Select

from akool_tui.core.chat.conversation import Inbox
from akool_tui.demo import demo_config
from akool_tui.simulator.llm_endpoint import answer_to
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.stream.transport import TransportState
from akool_tui.tui.app import AkoolApp
from tui_helpers import wait_for
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.widgets.transcript import Transcript, wrap_spans

SIZE = (120, 34)
CREATE = "/api/open/v4/liveAvatar/session/create"




def create_session(sim, mode_type: int = 2) -> str:
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
        "stream_type": "websocket", "mode_type": mode_type}).json()
    assert answer["code"] == 1000, answer
    return answer["data"]["_id"]


def make_app(sim) -> AkoolApp:
    return AkoolApp(demo_config(sim), demo=True, watch_tty=False)


async def open_chat(pilot: Pilot, session_id: str | None = None) -> ChatScreen:
    """Switch to the chat screen (with ``session_id`` requested) and wait until connected."""
    app = pilot.app
    app.ctx.chat_session_id = session_id
    await app.switch_mode("chat")
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    if session_id:
        await wait_for(pilot, lambda: screen.conversation.connected, "connected")
    return screen


async def say(pilot: Pilot, text: str) -> None:
    await pilot.press(*(c if c != " " else "space" for c in text), "enter")


def texts(screen: ChatScreen, role: str) -> list[str]:
    return [e.text for e in screen.transcript.entries if e.role == role]


async def test_round_trip_streams_the_reply_with_speaking_indicator_and_metrics(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=120.0)
    app = make_app(sim)
    speaking_seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        await pilot.press("ctrl+n")  # create a websocket session from the chat screen
        await wait_for(pilot, lambda: screen.conversation.connected, "connected")
        assert app.ctx.chat_session_id in sim.state.sessions
        await say(pilot, "hello avatar")
        bot = lambda: [e for e in screen.transcript.entries if e.role == "bot"]
        await wait_for(pilot, lambda: bot() and bot()[0].status == "streaming", "streaming")
        partial = bot()[0].text
        speaking_seen.append(str(screen.query_one("#chat-speaking").render()))
        await wait_for(pilot, lambda: bot()[0].status == "" and not screen._speaking,
                       "reply complete and quiet")
        speaking_seen.append(str(screen.query_one("#chat-speaking").render()))
        full = bot()[0].text
        assert full.startswith(partial) and len(full) > len(partial)
        assert "You said: \u201chello avatar\u201d" in full
        assert texts(screen, "user") == ["hello avatar"]
        assert speaking_seen == ["◉ speaking", "○ quiet"]
        status = str(screen.status.render())
        assert "● connected" in status and f"{len(full)} ch" in status and "1st part" in status
        await pilot.press("up")  # the input remembers what was sent
        assert screen.chat_input.value == "hello avatar"


async def test_interrupt_is_acked_and_stops_the_reply(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=25.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        await say(pilot, "tell me a long story")
        await wait_for(pilot, lambda: screen._speaking, "speaking")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "interrupt: interrupted" in texts(screen, "ok"), "ack")
        await wait_for(pilot, lambda: not screen._speaking, "quiet")
        (reply,) = [e for e in screen.transcript.entries if e.role == "bot"]
        await wait_for(pilot, lambda: reply.status == "", "reply closed")
        assert len(reply.text) < 100  # cut short, not the whole answer


async def test_set_params_acks_ok_and_failed_with_the_servers_message(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        ack = await screen.conversation.set_params(lang="fr", mode=1)
        assert ack.ok
        await wait_for(pilot, lambda: any(t.startswith(
            "set-params language fr, mode 1 (retelling): applied (avatar: updated lang=fr, mode=1")
            for t in texts(screen, "ok")), "ok line")
        assert screen.conversation.mode == 1
        ack = await screen.conversation.set_params(vid="no-such-voice")
        assert ack.code == 1003
        await wait_for(pilot, lambda: any(
            "set-params voice no-such-voice failed (1003): unknown voice id 'no-such-voice'" in t
            for t in texts(screen, "error")), "failed line")


async def test_text_typed_while_reconnecting_is_queued_then_sent(simulator_factory, monkeypatch):
    # a slow, seeded backoff leaves a 3-6 s window to send while reconnecting (1.5-3 s
    # was too short on a machine at load 15-20: the line went out already connected)
    monkeypatch.setattr(ChatScreen, "TRANSPORT_OPTIONS",
                        {"backoff_base": 6.0, "rng": random.Random(5)})
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        live_avatars(sim.state, sid)[0].request_disconnect()
        await wait_for(pilot, lambda: screen.conversation.state is TransportState.RECONNECTING,
                       "reconnecting")
        screen.chat_input.value = "are you still there"
        await pilot.press("enter")
        line = lambda: next(e for e in screen.transcript.entries if e.role == "user")
        await wait_for(pilot, lambda: any(e.role == "user" for e in screen.transcript.entries),
                       "user line")
        assert line().status == "queued" and "queued" in line().note
        assert "queued" in str(screen.status.render())
        await wait_for(pilot, lambda: screen.conversation.connected, "reconnected")
        await wait_for(pilot, lambda: line().status == "", "line sent")
        await wait_for(pilot, lambda: any("are you still there" in t
                                          for t in texts(screen, "bot")), "answer")
        system = texts(screen, "system")
        assert any(t.startswith("Reconnecting: connection lost (1012") for t in system)
        assert "Connected (reconnected)." in texts(screen, "ok")


async def test_line_typed_without_a_session_waits_and_is_sent_once_one_is_picked(
        simulator_factory):
    """Against a service (not the demo: nothing is joined or created by itself) a line
    typed before any session is connected waits, says so, and is sent once the user
    picks a session (it used to fail with "not connected")."""
    import dataclasses

    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    sid = create_session(sim)
    config = dataclasses.replace(demo_config(sim), path=None)
    app = AkoolApp(config, demo=False, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        await say(pilot, "anybody home")
        await wait_for(pilot, lambda: any("your line is sent once the session is connected"
                                          in t for t in texts(screen, "system")), "said so")
        assert not any(e.status == "failed" for e in screen.transcript.entries)
        await wait_for(pilot, lambda: screen.query_one("#chat-session")._options[1:], "options")
        screen.query_one("#chat-session").value = sid  # pick the session
        await wait_for(pilot, lambda: screen.conversation.connected, "connected")
        await wait_for(pilot, lambda: any("anybody home" in t for t in texts(screen, "bot")),
                       "answer")


async def test_picking_another_session_leaves_the_first_channel(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    first, second = create_session(sim), create_session(sim)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, first)
        assert len(live_avatars(sim.state, first)) == 1
        await wait_for(pilot, lambda: second in screen._sessions, "session list")
        screen.query_one("#chat-session").value = second
        await wait_for(pilot, lambda: screen.conversation.connected
                       and screen.conversation.session.id == second, "second connected")
        await wait_for(pilot, lambda: not live_avatars(sim.state, first), "first channel closed")
        assert len(live_avatars(sim.state, second)) == 1
        await wait_for(pilot, lambda: "● connected" in str(screen.status.render()), "status")
        await say(pilot, "second hello")
        await wait_for(pilot, lambda: any("second hello" in t for t in texts(screen, "bot")),
                       "answer from the second session")


async def test_export_writes_markdown_and_jsonl_without_credentials(
        simulator_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(tmp_path / "exports"))
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        screen = await open_chat(pilot, sid)
        await say(pilot, "export this please")
        await wait_for(pilot, lambda: any(e.role == "bot" and e.status == ""
                                          for e in screen.transcript.entries), "reply")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(t.startswith("Transcript saved to")
                                          for t in texts(screen, "ok")), "saved")
    files = sorted((tmp_path / "exports").iterdir())
    assert [p.suffix for p in files] == [".jsonl", ".md"]
    text_jsonl, text_md = (p.read_text(encoding="utf-8") for p in files)
    records = [json.loads(line) for line in text_jsonl.splitlines()]
    roles = [r["role"] for r in records]
    assert "user" in roles and "bot" in roles
    bot = next(r for r in records if r["role"] == "bot")
    user = next(r for r in records if r["role"] == "user")
    assert user["text"] == "export this please" and user["mid"]
    assert bot["text"] in text_md and "**user**" in text_md and f"session: {sid}" in text_md
    token = sim.state.sessions[sid].ws_token
    assert token and token not in text_md and token not in text_jsonl
    assert sim.cfg.api_key not in {r["text"] for r in records}


async def test_an_export_spanning_two_sessions_names_both(
        simulator_factory, tmp_path, monkeypatch):
    """The export used to be named and headed after the last session only, though the
    transcript held the first session's lines too (tester pass 3, C4)."""
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(tmp_path / "exports"))
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    first, second = create_session(sim), create_session(sim)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, first)
        await wait_for(pilot, lambda: second in screen._sessions, "session list")
        screen.query_one("#chat-session").value = second
        await wait_for(pilot, lambda: screen.conversation.connected
                       and screen.conversation.session.id == second, "second connected")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(t.startswith("Transcript saved to")
                                          for t in texts(screen, "ok")), "saved")
    md = next((tmp_path / "exports").glob("*.md"))
    assert md.name.startswith(f"akool-chat-{second}-and-1-more-")
    text = md.read_text(encoding="utf-8")
    assert f"- session: {second}" in text and f"- earlier sessions: {first}" in text


async def test_retelling_with_own_llm_speaks_the_llms_answer_sentence_by_sentence(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=2000.0)
    app = make_app(sim)  # demo: the simulator's /v1 endpoint is the LLM
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim, mode_type=1))
        assert screen.conversation.llm_active
        await say(pilot, "what about volcanoes")
        expected = answer_to("what about volcanoes")
        await wait_for(pilot, lambda: " ".join(t for e in screen.transcript.entries
                                                if e.role == "bot" and e.status == ""
                                                for t in [e.text]) == expected,
                       "the LLM's answer spoken")
        assert len(texts(screen, "bot")) == 4  # one avatar message per sentence
        (user,) = [e for e in screen.transcript.entries if e.role == "user"]
        assert user.note == "asking akool-sim-llm"
        assert not texts(screen, "llm")  # sentences sent fine are not listed twice
        # each sentence's reply is timed from when that sentence went out
        last = len(texts(screen, "bot")[-1])
        await wait_for(pilot, lambda: re.search(rf"1st part \d+(\.\d)? m?s, {last} ch",
                                                str(screen.status.render())), "metrics")


@pytest.mark.parametrize("size", [(80, 24)])
async def test_chat_screen_fits_a_small_terminal(simulator_factory, size):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=size) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        await pilot.pause(0.1)
        assert screen.transcript.size.height >= 10
        assert screen.chat_input.region.bottom <= size[1] - 2
        assert all(len(line) <= size[0] for line in screen.transcript.lines_text())


# -- the transcript widget -------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from(list("ab cd\n\u4f60\u597d \u0301x")), max_size=300),
       st.integers(min_value=1, max_value=30))
def test_wrap_spans_cover_the_text_in_order_within_the_width(text, width):
    spans = wrap_spans(text, width)
    rebuilt, pos = [], 0
    for a, b in spans:
        assert a >= pos
        rebuilt.append(text[pos:a])  # only newlines sit between spans
        rebuilt.append(text[a:b])
        pos = b
        line = text[a:b].rstrip()
        assert cell_len(line) <= width or len(split_graphemes(line)[0]) == 1  # one cluster
    assert "".join(rebuilt) + text[pos:] == text
    assert all(c == "\n" for piece in rebuilt[::2] for c in piece)


class TranscriptApp(App):
    def compose(self) -> ComposeResult:
        yield Transcript()


async def test_incremental_wrapping_matches_a_full_wrap_and_scroll_sticks_only_at_the_end():
    rng = random.Random(7)
    words = ["alpha", "be", "gamma-delta-epsilon", "\u4f60\u597d\u4e16\u754c", "x" * 70, "\n"]
    app = TranscriptApp()
    async with app.run_test(size=(60, 12)) as pilot:
        tr = app.query_one(Transcript)
        for i in range(40):
            tr.add("system", f"earlier line {i}")
        tr.add("bot", "", key="b", status="streaming")
        text = ""
        for _ in range(300):
            text += rng.choice(words) + rng.choice(["", " ", "  ", ". "])
            tr.update("b", text)
            if rng.random() < 0.3:
                tr.flush()
        tr.update("b", text, status="")
        tr.flush()
        entry = tr.get("b")
        assert entry.spans == wrap_spans(entry.display(), entry.width)
        assert tr.line_count == 40 + len(entry.spans)
        assert tr.scroll_offset.y == tr.max_scroll_y  # followed the stream
        tr.scroll_to(y=0, animate=False)
        await pilot.pause()
        tr.add("user", "new line while scrolled up")
        tr.flush()
        assert tr.scroll_offset.y == 0  # the user's position is kept
        tr.add("system", "\x1b[31mred\x07")
        tr.flush()
        assert tr.lines_text()[-1] == "·    \ufffd[31mred\ufffd"


async def test_inbox_wakes_once_per_batch_and_at_most_max_hz():
    wakes: list[float] = []
    inbox = Inbox(lambda: wakes.append(time.monotonic()), max_hz=20)
    inbox("a")
    inbox("b")
    assert len(wakes) == 1  # one wake for the batch
    assert inbox.take() == ["a", "b"]
    inbox("c")
    assert len(wakes) == 1  # too soon: the wake is scheduled, not lost
    deadline = time.monotonic() + 2
    while len(wakes) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    assert len(wakes) == 2 and wakes[1] - wakes[0] >= 0.045
    assert inbox.take() == ["c"]


async def test_long_transcript_keeps_rendered_lines_bounded_and_repaints_after_eviction():
    from akool_tui.tui.widgets.transcript_paint import MAX_CACHED_ENTRIES

    app = TranscriptApp()
    async with app.run_test(size=(60, 12)) as pilot:
        tr = app.query_one(Transcript)
        total = MAX_CACHED_ENTRIES * 3
        tr.scrollback = total  # every entry held: the rendered lines are what is bounded
        for i in range(total):
            tr.add("bot", f"reply number {i}")
            if i % 8 == 0:  # paint as the chat goes, the way a live chat does
                tr.flush()
                await pilot.pause()
        tr.flush()
        for y in range(0, tr.line_count, 8):  # the operator scrolls back over all of it
            tr.scroll_to(y=y, animate=False)
            await pilot.pause()
        cached = sum(1 for entry in tr.entries if entry.strips)
        assert 0 < cached <= MAX_CACHED_ENTRIES
        # an evicted line paints again, correctly, when it comes back into view
        tr.scroll_to(y=0, animate=False)
        await pilot.pause()
        assert tr.entries[0].strips
        assert "reply number 0" in "".join(seg.text for seg in tr.render_line(0))


async def test_esc_leaves_the_input_when_quiet_so_the_screen_keys_work(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, create_session(sim))
        assert screen.chat_input.has_focus
        await pilot.press("1")  # in the input, a digit is text
        assert screen.chat_input.value == "1" and app.screen is screen
        await pilot.press("escape")
        assert not screen.chat_input.has_focus
        assert screen.chat_input.value == "1"  # nothing typed is lost
        await pilot.press("tab")  # and back to typing
        assert screen.chat_input.has_focus
        await pilot.press("escape")
        await pilot.press("1")
        assert app.current_mode == "sessions"


async def test_a_session_that_cannot_be_opened_is_an_error_line_not_a_crash(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        screen._connect("0123456789abcdefnosuch")  # as a pick of a session gone meanwhile
        await wait_for(pilot, lambda: any(t.startswith("Cannot open session efnosuch: ")  # short id
                                          for t in texts(screen, "error")), "error line")
        assert not screen.conversation.alive and app.is_running


async def test_a_channel_command_that_fails_posts_its_failure():
    from textual.app import App
    from textual.message import Message

    from akool_tui.stream.transport import TransportError
    from akool_tui.tui.screens.chat_channel import call_channel, describe

    class Failed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Host(App):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def on_failed(self, message: Failed) -> None:
            self.seen.append(message.text)

    async def refused() -> None:
        raise TransportError("not connected to a session's stream channel")

    async def silent() -> None:
        raise TimeoutError()

    app = Host()
    async with app.run_test() as pilot:
        call_channel(app, refused, what="interrupt", failed=lambda e: Failed(describe(e)))
        call_channel(app, silent, what="apply", failed=lambda e: Failed(describe(e)))
        await wait_for(pilot, lambda: len(app.seen) == 2, "both failures")
        assert sorted(app.seen) == ["TimeoutError", "not connected to a session's stream channel"]


async def test_demo_chat_works_on_the_first_keystroke(simulator_factory):
    """No session yet, a line typed at once: a session is created for it and the line is
    sent once connected (it used to fail with "not connected")."""
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        await say(pilot, "hi there")
        await wait_for(pilot, lambda: screen.conversation.connected, "a session created")
        await wait_for(pilot, lambda: any(e.role == "bot" for e in screen.transcript.entries),
                       "the avatar's answer", timeout=15)
        mine = [e for e in screen.transcript.entries if e.role in ("you", "user")]
        assert mine and mine[0].text == "hi there" and mine[0].status != "failed"
        assert any("creating one for your line" in t for t in texts(screen, "system"))


async def test_demo_chat_joins_a_joinable_session_on_the_first_visit(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    joinable = create_session(sim)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        await wait_for(pilot, lambda: screen.conversation.connected, "joined at once")
        assert app.ctx.chat_session_id == joinable


async def test_an_agora_session_is_marked_and_never_drops_the_current_chat(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    mine = create_session(sim)
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600, "stream_type": "agora"}).json()
    agora = answer["data"]["_id"]
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot, mine)

        select = screen.query_one(Select)
        await wait_for(pilot, lambda: agora in screen._sessions, "the agora session listed")
        label = screen._label(screen._sessions[agora])
        assert "not joinable" in label and "agora's own SDK" in label
        select.value = agora  # picked in the list
        await wait_for(pilot, lambda: any("cannot be joined here" in t
                                          for t in texts(screen, "error")), "said why")
        assert screen.conversation.connected and app.ctx.chat_session_id == mine
        assert select.value == mine


async def test_t_on_an_agora_session_says_why_it_cannot_be_joined(simulator_factory):
    """The sessions screen's `t` (or ctrl+y) on a session this program cannot join: one
    clear line, no endless "Reconnecting…"."""
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600, "stream_type": "agora"}).json()
    agora = answer["data"]["_id"]
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_chat(pilot)
        screen._connect(agora)  # as `t` on the sessions screen asks
        await wait_for(pilot, lambda: any("cannot be joined here" in t
                                          for t in texts(screen, "error")), "said why")
        assert not screen.conversation.alive
