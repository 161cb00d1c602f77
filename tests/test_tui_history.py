"""The history in the console: a chat recorded as it happens, found and read again after
a restart (Pilot against the real simulator over loopback)."""

from __future__ import annotations

import json
import time

from textual.widgets import DataTable, Input

from akool_tui.core.history import ConversationHandle, HistoryStore, Item, history_path
from akool_tui.core.ids import short_id
from akool_tui.tui.screens.history import HistoryScreen
from akool_tui.tui.screens.history_view import ConversationScreen
from akool_tui.tui.widgets.transcript import Transcript
from test_tui_chat import SIZE, create_session, make_app, open_chat, say
from tui_helpers import screen_text, wait_for


def rows(screen: HistoryScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def search(pilot, screen: HistoryScreen, text: str) -> None:
    before = screen._query
    await pilot.press("slash")
    field = screen.query_one("#history-search", Input)
    field.value = text
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen._query == text and not [
        w for w in pilot.app.workers if w.group == "history-list" and w.is_running],
        f"search {text!r} (after {before!r})")
    await pilot.pause()


async def test_a_chat_is_recorded_and_read_back_after_a_restart(simulator_factory, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(tmp_path / "exports"))
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        sid = create_session(sim)
        chat = await open_chat(pilot, sid)
        await say(pilot, "remember the purple elephant")
        await wait_for(pilot, lambda: any(e.role == "bot" and e.status == ""
                                          for e in chat.transcript.entries), "reply")
    token = sim.state.sessions[sid].ws_token

    app = make_app(sim)  # a new run of the console: the history outlived the first
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        screen = pilot.app.screen
        assert isinstance(screen, HistoryScreen)
        await wait_for(pilot, lambda: rows(screen), "the conversation listed")
        (row,) = rows(screen)
        assert row[1] == short_id(sid) and row[2] == "dvp_Tristan_cloth2_1080P"
        assert row[3:5] == ["1", "1"]  # one line, one reply
        await search(pilot, screen, "zebra")
        assert rows(screen) == [] and "0 conversations matching 'zebra'" in screen_text(app)
        await search(pilot, screen, f"elephant session:{short_id(sid)}")
        assert len(rows(screen)) == 1
        screen.query_one(DataTable).focus()
        await pilot.press("enter")
        view = pilot.app.screen
        assert isinstance(view, ConversationScreen)
        transcript = view.query_one(Transcript)
        await wait_for(pilot, lambda: any(e.role == "bot" for e in transcript.entries),
                       "the transcript read")
        user = [e for e in transcript.entries if e.role == "user"]
        bot = [e for e in transcript.entries if e.role == "bot"]
        assert [e.text for e in user] == ["remember the purple elephant"]
        assert "You said: \u201cremember the purple elephant\u201d" in bot[0].text
        assert "1st part" in bot[0].note and "fin" in bot[0].note
        assert sid in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (tmp_path / "exports").exists()
                       and len(list((tmp_path / "exports").iterdir())) == 2, "exported")
        await pilot.press("escape")
        assert pilot.app.screen is screen
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, HistoryScreen)
    jsonl = next((tmp_path / "exports").glob("*.jsonl")).read_text()
    records = [json.loads(line) for line in jsonl.splitlines()]
    assert any(r["role"] == "bot" and r["first_part_ms"] is not None for r in records)
    path = history_path(demo=True)
    data = path.read_bytes() + (path.with_name(path.name + "-wal").read_bytes()
                                if path.with_name(path.name + "-wal").exists() else b"")
    assert token.encode() not in data and sim.cfg.api_key.encode() not in data


async def test_hostile_text_in_the_history_is_shown_sanitised(simulator_factory):
    hostile = "\x1b]0;pwned\x07\x1b[2Jred [b]bold[/b] \u202eevil"
    store = HistoryStore(history_path(demo=True))
    conv = ConversationHandle("se01[/x]\x1b[31m", "av[b]\x07", "websocket", time.time())
    store.put(Item(conv, "in:1", time.time(), "reply", hostile))
    store.closed_by_app([conv.session_id], time.time() + 1)
    assert store.flush()
    store.close()
    sim = simulator_factory(sessions=0)
    app = make_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        screen = pilot.app.screen
        await wait_for(pilot, lambda: rows(screen), "listed")
        shown = screen_text(app)
        assert "\x1b" not in shown and "\x07" not in shown and "av[b]" in shown
        await pilot.press("enter")
        view = pilot.app.screen
        transcript = view.query_one(Transcript)
        await wait_for(pilot, lambda: transcript.entries, "read")
        await pilot.pause()
        shown = screen_text(app)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "red [b]bold[/b]" in shown and "se01[/x]" in shown
        assert "session closed by this app" in shown  # the session's lifecycle, in order


async def test_an_interrupted_reply_is_recorded_as_interrupted(simulator_factory):
    from akool_tui.core.history import conversation_items, list_conversations, open_history

    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=25.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        chat = await open_chat(pilot, create_session(sim))
        await say(pilot, "tell me a long story")
        await wait_for(pilot, lambda: chat._speaking, "speaking")
        await pilot.press("escape")
        await wait_for(pilot, lambda: any(e.role == "bot" and e.status != "streaming"
                                          for e in chat.transcript.entries), "reply closed")
        assert app.ctx.history.flush()
        conn = open_history(history_path(demo=True))
        (summary,) = list_conversations(conn)
        items = conversation_items(conn, summary.id)
    (reply,) = [i for i in items if i.kind == "reply"]
    assert reply.interrupted and reply.first_part_ms is not None
    assert [(i.text, i.status) for i in items if i.kind == "ack"] == [("interrupt", "ok")]
    assert "interrupt" in [i.kind for i in items]


def test_the_console_records_per_profile_and_not_at_all_when_off():
    from akool_tui.config import Config
    from akool_tui.tui.context import AppContext

    ctx = AppContext(Config(api_key="k-0123456789"))
    assert ctx.history.path == history_path("default")
    first = ctx.history
    ctx.use_history_profile("staging")
    assert ctx.history.path == history_path("staging") and ctx.history is not first
    ctx.close_history()
    demo = AppContext(Config(), demo=True)
    assert demo.history.path.name == "demo.sqlite3"
    demo.close_history()
    off = AppContext(Config(history=False))
    assert off.history is None
    off.record_sessions([])  # nothing recorded, nothing raised


async def test_the_history_is_a_mode_of_its_own_left_by_1_to_5_and_esc(simulator_factory):
    """Like the pulse: 1-5 leave the history and it does not come back over that screen;
    esc goes back where `h` was pressed; `h` again shows it with what was recorded since."""
    from akool_tui.tui.screens.chat import ChatScreen
    from akool_tui.tui.screens.sessions import SessionsScreen

    store = HistoryStore(history_path(demo=True))
    conv = ConversationHandle("sess-first", "av-1", "websocket", time.time())
    store.put(Item(conv, "in:1", time.time(), "reply", "hello"))
    assert store.flush()
    store.close()
    sim = simulator_factory(sessions=0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen), "sessions")
        sessions = app.screen
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
        history = app.screen
        await wait_for(pilot, lambda: len(rows(history)) == 1, "listed")
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat")
        await pilot.press("escape", "1")  # (the chat's input has the focus)
        await wait_for(pilot, lambda: app.screen is sessions, "the sessions screen, alone")
        await pilot.pause()
        assert app.screen is sessions and app.current_mode == "sessions"
        store = app.ctx.history
        other = ConversationHandle("sess-second", "av-2", "websocket", time.time())
        store.put(Item(other, "in:1", time.time(), "reply", "again"))
        assert store.flush()
        await pilot.press("h")
        await wait_for(pilot, lambda: app.screen is history, "the same history")
        await wait_for(pilot, lambda: len(rows(history)) == 2, "what was recorded since")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is sessions, "back on sessions")
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat")
        chat = app.screen
        await pilot.press("escape", "h")
        await wait_for(pilot, lambda: app.screen is history, "the history from the chat")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is chat, "esc back to the chat")


async def test_an_interrupted_reply_reads_interrupted_beside_its_timings(simulator_factory):
    """The history view marks a cut-short reply as the CLI's `history show` does, even
    though the reply also carries its timings (the note used to hide the mark)."""
    store = HistoryStore(history_path(demo=True))
    conv = ConversationHandle("se02", "av", "websocket", time.time())
    store.put(Item(conv, "in:1", time.time(), "reply", "the short answer", interrupted=True,
                   first_part_ms=215.0, audio_ms=215.0, fin_ms=7437.0))
    assert store.flush()
    store.close()
    sim = simulator_factory(sessions=0)
    app = make_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        screen = pilot.app.screen
        await wait_for(pilot, lambda: rows(screen), "listed")
        await pilot.press("enter")
        transcript = pilot.app.screen.query_one(Transcript)
        await wait_for(pilot, lambda: transcript.entries, "read")
        await pilot.pause()
        shown = screen_text(app)
        assert "the short answer" in shown
        assert "interrupted" in shown and "1st part 215 ms" in shown


async def test_a_history_that_cannot_be_recorded_is_said_and_kept_in_the_events(
        tmp_path, monkeypatch):
    """A HOME where the history's folder cannot be made (here a file is in its way, as
    a read-only HOME does for an ordinary user): the operator is told once, and `e`
    lists it, rather than "Nothing went wrong so far" while nothing is recorded."""
    from akool_tui.simulator import SimulatorConfig, run_background
    from akool_tui.tui.screens.base import Refreshed
    from akool_tui.tui.screens.events import EventsScreen
    from tui_helpers import make_app as make_console, running

    blocked = tmp_path / "data"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    sim = run_background(SimulatorConfig(seed=3, sessions=5, churn=False))
    app = make_console(sim, tmp_path, interval=0.2)
    try:
        async with running(app) as (pilot, messages):
            await wait_for(pilot, lambda: messages.notes("warning"), timeout=10,
                           what="the history warning")
            (note,) = messages.notes("warning")
            assert note.startswith("history not recorded:") and str(blocked) in note
            seen = messages.count(Refreshed)
            await wait_for(pilot, lambda: messages.count(Refreshed) >= seen + 3, timeout=10,
                           what="three more refreshes")
            assert len(messages.notes("warning")) == 1  # said once, not at each refresh
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen), what="events")
            logged = "\n".join(str(line.text) for line in app.screen.query_one("#events-log").lines)
            assert "history not recorded" in logged and "Nothing went wrong" not in logged
    finally:
        sim.stop()


async def test_keys_typed_right_after_q_open_nothing_as_the_app_ends(tmp_path):
    """`qe` typed fast: the console ends without opening the events list on its way
    out (a screen pushed then was never composed, and its error went to the log)."""
    from akool_tui.simulator import SimulatorConfig, run_background
    from tui_helpers import make_app as make_console, running, wait_loaded

    sim = run_background(SimulatorConfig(seed=3, sessions=5, churn=False))
    app = make_console(sim, tmp_path)
    try:
        async with running(app) as (pilot, _messages):
            await wait_loaded(pilot)
            screens = len(app.screen_stack)
            app.simulate_key("q")
            app.simulate_key("e")
            await pilot.pause()
            assert len(app.screen_stack) <= screens
    finally:
        sim.stop()
    assert app.return_code in (0, None)
