"""The history's record of session statuses costs the sessions observed, not the
table: the ids are the sessions' own strings and the labels are shared, and a restart
still knows what was recorded (nothing recorded twice)."""

from __future__ import annotations

import time

from akool_tui.api.models import Session, SessionStatus
from akool_tui.core.history import HistoryStore, open_history, session_events


def sessions(n: int, status: SessionStatus, start: int = 0) -> list[Session]:
    return [Session(f"{k:024x}", status, "agora", "av1", 600) for k in range(start, start + n)]


def test_a_restart_looks_up_only_the_sessions_it_sees_and_shares_their_strings(tmp_path):
    path = tmp_path / "h.sqlite3"
    t0 = time.time()
    store = HistoryStore(path)
    store.sessions_seen(sessions(1200, SessionStatus.PROCESSING), t0)  # recorded: seen live
    assert store.flush()
    store.close()
    store = HistoryStore(path)
    seen = sessions(1000, SessionStatus.PROCESSING) + sessions(3, SessionStatus.QUEUEING, 5000)
    store.sessions_seen(seen, t0 + 1)
    assert store.flush()
    known = store._lifecycle._known
    # the 1 003 sessions seen since the restart, not the 1 200 of the table
    assert len(known) == 1003
    own = {id(s.id) for s in seen}
    assert all(id(key) in own for key in known)  # no second copy of an id
    assert len({id(label) for label in known.values()}) == 2  # "live", "queueing"
    store.sessions_seen(sessions(1, SessionStatus.COMPLETED, 7), t0 + 2)
    assert store.flush()
    store.close()
    conn = open_history(path)
    # recorded once before the restart, not again after it; the end is recorded
    assert [e for _, e, _ in session_events(conn, f"{1:024x}")] == ["seen"]
    assert [e for _, e, _ in session_events(conn, f"{7:024x}")] == ["seen", "closed"]
    assert [e for _, e, _ in session_events(conn, f"{5000:024x}")] == ["seen"]


def test_ended_sessions_are_let_go_once_recorded_and_never_recorded_twice(tmp_path):
    path = tmp_path / "h.sqlite3"
    t0 = time.time()
    store = HistoryStore(path)
    store.sessions_seen(sessions(500, SessionStatus.PROCESSING), t0)
    store.sessions_seen(sessions(500, SessionStatus.COMPLETED), t0 + 1)  # churn ends them
    store.sessions_seen(sessions(300, SessionStatus.FAILED, 1000), t0 + 2)  # seen ended
    store.closed_by_app([f"{2000:024x}"], t0 + 3)
    assert store.flush()
    # a console under churn for days: what it keeps is the open sessions, not every one
    assert len(store._lifecycle._known) == 0
    store.sessions_seen(sessions(500, SessionStatus.COMPLETED), t0 + 4)  # seen again
    store.sessions_seen(sessions(1, SessionStatus.COMPLETED, 2000), t0 + 5)
    assert store.flush()
    assert len(store._lifecycle._known) == 0
    store.close()
    conn = open_history(path)
    assert [e for _, e, _ in session_events(conn, f"{3:024x}")] == ["seen", "closed"]
    assert [e for _, e, _ in session_events(conn, f"{1003:024x}")] == []  # row only
    assert [e for _, e, _ in session_events(conn, f"{2000:024x}")] == ["closed by this app"]
