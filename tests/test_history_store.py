"""The recorded history's store (core/history): migrations, retention, masking, the
recorder's timings and lifecycles, and what a kill -9 loses."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from akool_tui.api.models import Session, SessionStatus
from akool_tui.api.secrets import forget_secrets, remember_secret
from akool_tui.core.chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    Conversation,
    Interrupting,
    Outgoing,
    Speaking,
)
from akool_tui.core.history import (
    ConversationHandle,
    Filters,
    HistoryStore,
    Item,
    conversation_items,
    history_path,
    list_conversations,
    open_history,
    render,
    get_conversation,
    session_events,
)
from akool_tui.core.history import schema
from akool_tui.core.history.recorder import ConversationRecorder
from akool_tui.stream.codec import CommandAck
from akool_tui.stream.transport import TransportState

ROOT = Path(__file__).resolve().parents[1]


def db_bytes(path: Path) -> bytes:
    """The database and its WAL as stored on disk."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def record_conversation(store: HistoryStore, session_id: str, texts: list[str], *,
                        started: float | None = None) -> ConversationHandle:
    conv = ConversationHandle(session_id, "avatar-1", "websocket",
                              started if started is not None else time.time())
    for n, text in enumerate(texts):
        store.put(Item(conv, f"out:{n}", conv.started + n, "sent", text))
        store.put(Item(conv, f"in:{n}", conv.started + n + 0.5, "reply", f"answer to {text}"))
    return conv


def test_the_path_is_per_profile_in_the_xdg_data_dir_and_the_demo_has_its_own(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert history_path(env=env) == tmp_path / "akool-tui/history/default.sqlite3"
    assert history_path("staging", env=env).name == "staging.sqlite3"
    assert history_path("../../etc/x", env=env).parent == tmp_path / "akool-tui/history"
    assert history_path("prod", demo=True, env=env).name == "demo.sqlite3"


def test_a_new_database_is_private_wal_and_versioned(tmp_path):
    path = tmp_path / "h" / "default.sqlite3"
    store = HistoryStore(path)
    record_conversation(store, "s1", ["hello"])
    assert store.flush()
    store.close()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


V0 = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL,
    avatar_id TEXT NOT NULL DEFAULT '', stream_type TEXT NOT NULL DEFAULT '',
    started REAL NOT NULL, ended REAL);
CREATE TABLE items (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL,
    key TEXT, ts REAL NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX items_key ON items(conversation_id, key);
INSERT INTO conversations VALUES (1, 'old-session', 'av', 'websocket', 1700000000, 1700000060);
INSERT INTO items (conversation_id, key, ts, kind, text)
    VALUES (1, 'out:a', 1700000001, 'sent', 'an old question about zebras');
INSERT INTO items (conversation_id, key, ts, kind, text)
    VALUES (1, 'in:b', 1700000002, 'reply', 'an old answer');
"""


def test_a_version_0_database_is_migrated_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V0)
    conn.close()
    store = HistoryStore(path, max_days=None, max_bytes=None)
    conv = record_conversation(store, "new-session", ["a new line"])
    store.put(Item(conv, "in:x", time.time(), "reply", "cut", interrupted=True,
                   first_part_ms=12.5, fin_ms=80.0))
    assert store.flush() and store.error is None
    store.close()
    conn = open_history(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    old = conversation_items(conn, 1)
    assert [i.text for i in old] == ["an old question about zebras", "an old answer"]
    assert not old[0].interrupted and old[0].first_part_ms is None
    # the text index covers the migrated rows too
    assert [c.session_id for c in list_conversations(conn, Filters(text="zebras"))] == \
        ["old-session"]
    (cut,) = [i for i in conversation_items(conn, 2) if i.key == "in:x"]
    assert cut.interrupted and cut.first_part_ms == 12.5 and cut.fin_ms == 80.0


def test_a_database_from_a_newer_version_is_left_alone_and_said(tmp_path):
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    store = HistoryStore(path)
    store.put(Item(ConversationHandle("s"), None, time.time(), "note", "x"))
    assert not store.flush(timeout=2) or store.error
    store.close()
    assert "schema version 99" in (store.error or "")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_retention_by_age_forgets_old_conversations_and_session_events(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path, max_days=None, max_bytes=None)
    now = time.time()
    record_conversation(store, "ancient", ["from last year"], started=now - 400 * 86400)
    record_conversation(store, "recent", ["from yesterday"], started=now - 86400)
    store.sessions_seen([Session("ancient", SessionStatus.PROCESSING)], now - 400 * 86400)
    store.sessions_seen([Session("recent", SessionStatus.PROCESSING)], now - 86400)
    assert store.flush()
    store.close()
    store = HistoryStore(path, max_days=30, max_bytes=None)
    assert store.flush()
    store.close()
    assert store.forgotten == 1
    conn = open_history(path)
    assert [c.session_id for c in list_conversations(conn)] == ["recent"]
    assert session_events(conn, "ancient") == []
    assert session_events(conn, "recent")[0][1:] == ("seen", "live")


def test_retention_by_size_keeps_the_newest_and_gives_the_space_back(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path, max_days=None, max_bytes=None)
    start = time.time() - 3600
    for n in range(60):
        record_conversation(store, f"s{n:02}", [f"line {k} " + "x" * 400 for k in range(40)],
                            started=start + n)
    assert store.flush()
    store.close()
    before = path.stat().st_size
    assert before > 2 * 1024 * 1024
    store = HistoryStore(path, max_days=None, max_bytes=1024 * 1024)
    assert store.flush()
    store.close()
    assert path.stat().st_size <= 1024 * 1024 < before
    conn = open_history(path)
    kept = [c.session_id for c in list_conversations(conn, Filters(limit=1000))]
    assert kept and kept[0] == "s59" and "s00" not in kept  # the oldest went first
    assert kept == [f"s{n:02}" for n in range(59, 59 - len(kept), -1)]


def test_no_secret_reaches_the_database_file(tmp_path):
    path = tmp_path / "h.sqlite3"
    api_key = "ak-PLANTED-0123456789abcdef"
    token = "lk-token-PLANTED-9876543210"
    remember_secret(token)
    try:
        store = HistoryStore(path, secrets=lambda: [api_key])
        conv = ConversationHandle("s1", "av", "livekit")
        store.put(Item(conv, "out:1", time.time(), "sent", f"my key is {api_key}"))
        store.put(Item(conv, "in:1", time.time(), "reply", f"your token {token}"))
        store.put(Item(conv, None, time.time(), "state", "connecting",
                       detail="wss://h/x?access_token=PLANTEDSHAPE123456&room=1"))
        store.put(Item(conv, None, time.time(), "note", "Authorization: Bearer PLANTEDBEARER99"))
        assert store.flush()
        store.close()
    finally:
        forget_secrets()
    data = db_bytes(path)
    assert b"0123456789abcdef" not in data and b"PLANTED-9876543210" not in data
    assert b"PLANTEDSHAPE123456" not in data and b"PLANTEDBEARER99" not in data
    assert "my key is".encode() in data  # the rest of the text is kept


def test_hostile_text_is_stored_as_data(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    hostile = "\x1b]0;pwned\x07\x1b[2J\u202eevil [b]x[/b]"
    conv = ConversationHandle("s[/x]\x1b[31m", "av\x07")
    store.put(Item(conv, "in:1", time.time(), "reply", hostile))
    assert store.flush()
    store.close()
    conn = open_history(path)
    (item,) = conversation_items(conn, 1)
    assert item.text == hostile  # exactly as received: the display makes it safe
    assert list_conversations(conn)[0].session_id == "s[/x]\x1b[31m"


def session(sid: str, status: SessionStatus, *, created: datetime | None = None,
            duration: int = 600) -> Session:
    return Session(sid, status, "websocket", "av1", duration, created)


def test_session_lifecycle_first_seen_live_closed_expired_and_closed_by_this_app(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    t0 = time.time()
    old = datetime.fromtimestamp(t0 - 700, UTC)  # a 600 s session: its time ran out
    store.sessions_seen([session("a", SessionStatus.QUEUEING), session("b",
                         SessionStatus.PROCESSING, created=old),
                         session("c", SessionStatus.PROCESSING),
                         session("done", SessionStatus.COMPLETED)], t0)
    store.sessions_seen([session("a", SessionStatus.PROCESSING)], t0 + 5)
    store.sessions_seen([session("a", SessionStatus.PROCESSING)], t0 + 6)  # no change
    store.sessions_seen([session("b", SessionStatus.COMPLETED, created=old)], t0 + 10)
    store.closed_by_app(["c"], t0 + 11)
    store.sessions_seen([session("c", SessionStatus.COMPLETED)], t0 + 12)
    assert store.flush()
    store.close()
    conn = open_history(path)
    assert [e for _, e, _ in session_events(conn, "a")] == ["seen", "live"]
    assert [e for _, e, _ in session_events(conn, "b")] == ["seen", "expired"]
    assert [e for _, e, _ in session_events(conn, "c")] == ["seen", "closed by this app"]
    assert session_events(conn, "done") == []  # already ended when first seen: a row only
    rows = dict(conn.execute("SELECT id, end_reason FROM sessions"))
    assert rows == {"a": "", "b": "expired", "c": "closed by this app", "done": ""}
    # a restart knows them: nothing is recorded twice
    store = HistoryStore(path)
    store.sessions_seen([session("a", SessionStatus.PROCESSING)], t0 + 20)
    assert store.flush()
    store.close()
    assert [e for _, e, _ in session_events(open_history(path), "a")] == ["seen", "live"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_recorder_assembles_replies_with_their_timings(tmp_path):
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    clock = Clock()
    conv = Conversation(lambda event: None, clock=clock)  # it times the replies
    conv.session = Session("sess-1", SessionStatus.PROCESSING, "websocket", "av-1")
    ConversationRecorder(store, conv)
    emit = conv._emit  # the conversation's own path: emit, then its observers
    emit(ChannelState(TransportState.CONNECTED))
    emit(Outgoing("m1", "hello", "queued", "waiting"))
    emit(Outgoing("m1", "hello", "sent"))
    clock.now += 0.120
    emit(ChatPart("r1", "bot", "Hi"))
    clock.now += 0.180
    emit(Speaking(True))
    for n in range(50):
        clock.now += 0.01
        emit(ChatPart("r1", "bot", "Hi" + " there" * n))
    emit(ChatPart("r1", "bot", "Hi there, done.", complete=True))
    emit(Speaking(False))
    emit(ChatPart("u1", "user", "spoken words", complete=True))
    emit(Outgoing("m2", "tell me more", "sent"))
    emit(ChatPart("r2", "bot", "Once upon"))
    emit(Interrupting())
    emit(Ack(CommandAck("c1", "interrupt", 1000, "interrupted"), "interrupt"))
    emit(ChatPart("r2", "bot", "Once upon", incomplete=True))
    assert store.flush()
    store.close()
    conn = open_history(path)
    (summary,) = list_conversations(conn)
    assert (summary.session_id, summary.avatar_id, summary.lines, summary.replies) == \
        ("sess-1", "av-1", 2, 2)
    items = conversation_items(conn, summary.id)
    kinds = [i.kind for i in items]
    assert kinds.count("sent") == 2 and kinds.count("reply") == 2
    first, second = [i for i in items if i.kind == "reply"]
    assert first.text == "Hi there, done." and first.status == "" and not first.interrupted
    assert first.first_part_ms == pytest.approx(120, abs=1)
    assert first.audio_ms == pytest.approx(300, abs=1)
    assert first.fin_ms == pytest.approx(800, abs=1)
    assert second.interrupted and second.status == "incomplete" and second.fin_ms is None
    (sent,) = [i for i in items if i.kind == "sent" and i.text == "hello"]
    assert sent.status == ""  # queued, then sent: one row
    assert [i.text for i in items if i.kind == "speech"] == ["spoken words"]
    assert [i.text for i in items if i.kind == "speaking"] == ["audio_start", "audio_end"]
    assert [(i.text, i.status) for i in items if i.kind == "ack"] == [("interrupt", "ok")]
    md = render(get_conversation(conn, summary.id), items, "md")
    assert "\\[interrupted\\]" in md and "1st part 120 ms" in md


KILLED = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from akool_tui.core.history import ConversationHandle, HistoryStore, Item
    store = HistoryStore(Path(sys.argv[1]))
    conv = ConversationHandle("killed-session", "av")
    n = 0
    text = ""
    while True:  # a line sent and a reply streaming 200 parts a second, until killed
        n += 1
        text += f" w{n}"
        if n % 100 == 1:
            store.put(Item(conv, f"out:{n}", time.time(), "sent", f"line {n}"))
        store.put(Item(conv, "in:reply", time.time(), "reply", text, "streaming"))
        print(n, time.time(), flush=True)
        time.sleep(0.005)
""")


def test_kill_9_mid_conversation_loses_at_most_the_last_second(tmp_path):
    path = tmp_path / "h.sqlite3"
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    put: dict[int, float] = {}
    try:
        started = None
        for line in child.stdout:
            n, at = line.split()
            put[int(n)] = float(at)
            started = started or float(at)
            if float(at) - started > 2.5:
                break
        killed_at = time.time()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(5)
    conn = open_history(path)
    (reply,) = [i for i in conversation_items(conn, 1) if i.kind == "reply"]
    kept = int(reply.text.rsplit(" w", 1)[1])
    lost_s = killed_at - put[kept]
    print(f"kill -9: the reply lost its last {lost_s:.3f} s")
    assert lost_s <= 1.0, f"the reply lost its last {lost_s:.2f} s"
    sent = {int(i.text.split()[1]) for i in conversation_items(conn, 1) if i.kind == "sent"}
    assert {n for n, at in put.items() if n % 100 == 1 and at < killed_at - 1.0} <= sent


def test_search_without_fts_falls_back_to_like_and_the_search_line_parses(tmp_path):
    from akool_tui.core.history.query import parse_search

    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    record_conversation(store, "s-percent", ["100% sure_thing"])
    record_conversation(store, "s-other", ["nothing here"], started=time.time() - 10 * 86400)
    assert store.flush()
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)
    for name in ("items_fts_ai", "items_fts_ad", "items_fts_au"):  # as a build without FTS5
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE items_fts")
    conn.close()
    conn = open_history(path)
    assert not schema.has_fts(conn)
    found = lambda f: [c.session_id for c in list_conversations(conn, f)]  # noqa: E731
    assert found(Filters(text="100%")) == ["s-percent"]
    assert found(Filters(text="0% sure_")) == ["s-percent"]  # % and _ are literal
    assert found(Filters(text="_x")) == []
    f = parse_search("sure session:s-per avatar:avatar since:3d")
    assert (f.text, f.session, f.avatar) == ("sure", "s-per", "avatar")
    assert found(f) == ["s-percent"]
    assert found(parse_search("until:" + (datetime.now(UTC) - timedelta(days=5))
                              .date().isoformat())) == ["s-other"]
    with pytest.raises(ValueError, match="invalid date"):
        parse_search("since:someday")
