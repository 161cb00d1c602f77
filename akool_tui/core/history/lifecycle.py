"""The lifecycle of every session the console observed, from the tracker's refreshes.

:meth:`SessionLifecycle.observe` runs in the history's writer thread with the
sessions a refresh found: it compares their status with what it knew (from memory,
or the database at first) and records the moments that matter, once each:

- ``seen``: first observed (queueing or live; an already-ended one gets its row only);
- ``live``: went live (seen doing so; one first seen live is ``seen`` ``live``);
- ``closed`` / ``failed`` / ``expired``: ended; ``expired`` when its time had run out;
- ``closed by this app``: the console closed it (:meth:`closed_by_app`).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from typing import Any

#: a session whose end came this many seconds before its time ran out still "expired"
EXPIRY_SLACK = 15.0
BY_APP = "closed by this app"
#: the labels of an ended session (it never changes again)
ENDED = frozenset({"closed", "failed"})
#: ids looked up in the database in one query
LOOKUP = 500


def _status(session: Any) -> str:
    status = getattr(session, "status", None)
    return status.label if status is not None else "unknown"


def _expired(session: Any, now: float) -> bool:
    created: datetime | None = getattr(session, "create_time", None)
    duration = getattr(session, "duration", None)
    if created is None or not duration:
        return False
    return created.timestamp() + duration <= now + EXPIRY_SLACK


class SessionLifecycle:
    """What the writer knows of each session's status (``id -> status label``): the
    open sessions observed since the start, each looked up in the database when first
    observed. Not the whole table (every session ever seen), and the keys are the
    sessions' own id strings: at 100 000 sessions the table's copy held 18 MB. An ended
    session never changes again: it is let go once recorded (observed again, one lookup
    says it is recorded), so a console that runs for days under churn does not keep
    every session it ever saw."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def _recall(self, conn: sqlite3.Connection, ids: list[str]) -> None:
        """The recorded status of the ``ids`` not known yet (those recorded)."""
        known = self._known
        new = {sid: sid for sid in ids if sid not in known}
        chunks = list(new)
        for start in range(0, len(chunks), LOOKUP):
            chunk = chunks[start:start + LOOKUP]
            rows = conn.execute("SELECT id, status FROM sessions WHERE id IN "
                                f"({','.join('?' * len(chunk))})", chunk)
            for sid, status in rows:
                known[new.get(sid, sid)] = sys.intern(status) if type(status) is str else status

    def observe(self, conn: sqlite3.Connection, sessions: list[Any], now: float) -> None:
        ids = [str(s.id)[:200] for s in sessions]
        self._recall(conn, ids)
        known = self._known
        for sid, s in zip(ids, sessions):
            status = _status(s)
            before = known.get(sid)
            if before == status:
                continue
            known[sid] = status
            if before is None:
                conn.execute(
                    "INSERT INTO sessions (id, avatar_id, stream_type, status, first_seen, "
                    "last_seen) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    "status = excluded.status, last_seen = excluded.last_seen",
                    (sid, str(s.avatar_id)[:200], str(s.stream_type)[:40], status, now, now))
                if status in ("queueing", "live"):
                    self._event(conn, sid, now, "seen", status)
            else:
                conn.execute("UPDATE sessions SET status = ?, last_seen = ? WHERE id = ?",
                             (status, now, sid))
            if status == "live" and before != "live":
                conn.execute("UPDATE sessions SET live_at = ? WHERE id = ?", (now, sid))
                if before is not None:  # seen going live (a first sight says "seen live")
                    self._event(conn, sid, now, "live")
            elif status in ("closed", "failed") and before in ("queueing", "live"):
                reason = "expired" if status == "closed" and _expired(s, now) else status
                row = conn.execute("SELECT end_reason FROM sessions WHERE id = ?",
                                   (sid,)).fetchone()
                if row and row[0] == BY_APP:
                    continue  # said when the console closed it
                conn.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?",
                             (now, reason, sid))
                self._event(conn, sid, now, reason)
        for sid in ids:
            if known.get(sid) in ENDED:
                del known[sid]

    def closed_by_app(self, conn: sqlite3.Connection, session_ids: list[str],
                      now: float) -> None:
        known = self._known
        for sid in session_ids:
            sid = str(sid)[:200]
            conn.execute(
                "INSERT INTO sessions (id, status, first_seen, last_seen, ended_at, end_reason) "
                "VALUES (?, 'closed', ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "status = 'closed', last_seen = excluded.last_seen, "
                "ended_at = excluded.ended_at, end_reason = excluded.end_reason",
                (sid, now, now, now, BY_APP))
            known.pop(sid, None)  # ended: recorded, never changes again
            self._event(conn, sid, now, BY_APP)

    @staticmethod
    def _event(conn: sqlite3.Connection, sid: str, now: float, event: str,
               detail: str = "") -> None:
        conn.execute("INSERT INTO session_events (session_id, ts, event, detail) "
                     "VALUES (?, ?, ?, ?)", (sid, now, event, detail))
