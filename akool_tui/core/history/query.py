"""Reading the history: conversations newest first, filtered; one conversation's items;
its export as Markdown / JSON Lines (:mod:`akool_tui.core.export`'s formats).

Text search uses the FTS5 index when this SQLite has it (every word must occur,
each as a word prefix), else ``LIKE`` (each word anywhere, case-insensitive for ASCII).
What comes out is the data as recorded: callers make it safe for the terminal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from . import schema

#: conversations listed at most by default
LIST_LIMIT = 200


@dataclass(frozen=True)
class ConversationSummary:
    id: int
    session_id: str
    avatar_id: str
    stream_type: str
    started: datetime
    ended: datetime | None
    lines: int
    replies: int

    @property
    def duration_s(self) -> float:
        return (self.ended - self.started).total_seconds() if self.ended else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["started"] = self.started.isoformat(timespec="seconds")
        d["ended"] = self.ended.isoformat(timespec="seconds") if self.ended else None
        d["duration_s"] = round(self.duration_s, 1)
        return d


@dataclass(frozen=True)
class HistoryItem:
    id: int
    time: datetime
    kind: str
    text: str
    status: str = ""
    detail: str = ""
    interrupted: bool = False
    first_part_ms: float | None = None
    audio_ms: float | None = None
    fin_ms: float | None = None
    key: str | None = field(default=None, repr=False)

    @property
    def timings(self) -> str:
        """``1st part 120 ms · audio 300 ms · fin 900 ms`` (what is known)."""
        parts = [f"{name} {value:.0f} ms" for name, value in (
            ("1st part", self.first_part_ms), ("audio", self.audio_ms), ("fin", self.fin_ms))
            if value is not None]
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["time"] = self.time.isoformat(timespec="milliseconds")
        d.pop("key")
        return d


@dataclass
class Filters:
    text: str = ""
    session: str = ""
    avatar: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = LIST_LIMIT


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def parse_day(text: str, *, end: bool = False) -> datetime:
    """``2026-03-02`` (the start of that day, UTC; ``end``: the start of the next),
    ``2026-03-02T09:30``, ``today``, ``yesterday`` or ``7d`` (that many days ago).
    Raises ``ValueError`` with a message that says what is accepted."""
    text = text.strip().lower()
    today = datetime.now(UTC).date()
    if text in ("today", "yesterday"):
        day = today - timedelta(days=1 if text == "yesterday" else 0)
    elif text.endswith("d") and text[:-1].isdigit():
        return datetime.now(UTC) - timedelta(days=int(text[:-1]))
    else:
        try:
            if "t" in text or " " in text or ":" in text:
                moment = datetime.fromisoformat(text.upper())
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"invalid date {text!r}: use YYYY-MM-DD, YYYY-MM-DDTHH:MM, "
                             "today, yesterday or Nd (N days ago)") from None
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), UTC)


def fts_query(text: str) -> str:
    """The words of ``text`` as an FTS5 query: each quoted (no operators), a prefix."""
    words = [w for w in text.split() if w]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_SUMMARY = """
SELECT c.id, c.session_id, c.avatar_id, c.stream_type, c.started, c.ended,
  (SELECT count(*) FROM items i WHERE i.conversation_id = c.id AND i.kind IN ('sent', 'llm')),
  (SELECT count(*) FROM items i WHERE i.conversation_id = c.id AND i.kind = 'reply')
FROM conversations c
"""


def list_conversations(conn: sqlite3.Connection, filters: Filters | None = None
                       ) -> list[ConversationSummary]:
    """Conversations newest first, those matching every filter given."""
    f = filters or Filters()
    where: list[str] = []
    args: list[Any] = []
    if f.session:
        where.append("(c.session_id = ? OR c.session_id LIKE ? ESCAPE '\\' "
                     "OR c.session_id LIKE ? ESCAPE '\\')")
        s = f.session.strip()
        args += [s, _like(s)[1:], _like(s)[:-1]]  # the id, a prefix or a suffix of it
    if f.avatar:
        where.append("c.avatar_id LIKE ? ESCAPE '\\'")
        args.append(_like(f.avatar.strip()))
    if f.since is not None:
        where.append("coalesce(c.ended, c.started) >= ?")
        args.append(f.since.timestamp())
    if f.until is not None:
        where.append("c.started < ?")
        args.append(f.until.timestamp())
    if f.text.strip():
        if schema.has_fts(conn):
            where.append("c.id IN (SELECT i.conversation_id FROM items i WHERE i.id IN "
                         "(SELECT rowid FROM items_fts WHERE items_fts MATCH ?))")
            args.append(fts_query(f.text))
        else:
            for word in f.text.split():
                where.append("c.id IN (SELECT i.conversation_id FROM items i "
                             "WHERE i.text LIKE ? ESCAPE '\\')")
                args.append(_like(word))
    sql = _SUMMARY + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY c.started DESC, c.id DESC LIMIT ?"
    args.append(max(1, f.limit))
    return [ConversationSummary(r[0], r[1], r[2], r[3], _dt(r[4]), _dt(r[5]), r[6], r[7])
            for r in conn.execute(sql, args)]


def get_conversation(conn: sqlite3.Connection, conversation_id: int
                     ) -> ConversationSummary | None:
    rows = conn.execute(_SUMMARY + " WHERE c.id = ?", (conversation_id,)).fetchall()
    if not rows:
        return None
    r = rows[0]
    return ConversationSummary(r[0], r[1], r[2], r[3], _dt(r[4]), _dt(r[5]), r[6], r[7])


def conversation_items(conn: sqlite3.Connection, conversation_id: int) -> list[HistoryItem]:
    """The conversation's items in the order they happened."""
    rows = conn.execute(
        "SELECT id, ts, kind, text, status, detail, interrupted, first_part_ms, audio_ms, "
        "fin_ms, key FROM items WHERE conversation_id = ? ORDER BY ts, id",
        (conversation_id,))
    return [HistoryItem(r[0], _dt(r[1]), r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9],
                        r[10]) for r in rows]


def session_events(conn: sqlite3.Connection, session_id: str) -> list[tuple[datetime, str, str]]:
    """The lifecycle of one session as observed: (time, event, detail), oldest first."""
    return [(_dt(ts), event, detail) for ts, event, detail in conn.execute(
        "SELECT ts, event, detail FROM session_events WHERE session_id = ? ORDER BY ts, id",
        (session_id,))]


#: lifecycle events that end a session's life (a later event of its id is another life)
ENDINGS = ("closed", "failed", "expired", "closed by this app")


def conversation_events(conn: sqlite3.Connection, summary: ConversationSummary
                        ) -> list[tuple[datetime, str, str]]:
    """The session's lifecycle events that belong to this conversation: from when it
    began, until the session's end (inclusive) or the next conversation with the same
    session id. An event from before it began -- another run's, a reused id's -- is
    not this conversation's."""
    row = conn.execute("SELECT started FROM conversations WHERE id = ?",
                       (summary.id,)).fetchone()  # as stored (a datetime rounds it)
    start = row[0] if row else summary.started.timestamp()
    row = conn.execute("SELECT min(started) FROM conversations WHERE session_id = ? AND "
                       "id != ? AND (started > ? OR (started = ? AND id > ?))",
                       (summary.session_id, summary.id, start, start, summary.id)).fetchone()
    until = row[0] if row and row[0] is not None else float("inf")
    out: list[tuple[datetime, str, str]] = []
    for ts, event, detail in conn.execute(
            "SELECT ts, event, detail FROM session_events WHERE session_id = ? AND ts >= ? "
            "ORDER BY ts, id", (summary.session_id, start)):
        if ts >= until:
            break
        out.append((_dt(ts), event, detail))
        if event in ENDINGS:
            break
    return out


def with_lifecycle(items: list[HistoryItem], events: list[tuple[datetime, str, str]]
                   ) -> list[HistoryItem]:
    """The items with the session's lifecycle events (kind ``session``) in time order."""
    extra = [HistoryItem(0, when, "session", event, detail=detail)
             for when, event, detail in events]
    return sorted([*items, *extra], key=lambda i: i.time)


def open_history(path: Path) -> sqlite3.Connection:
    """A read-only connection (``FileNotFoundError`` when nothing was recorded)."""
    return schema.connect(path, readonly=True)


# -- export ---------------------------------------------------------------------------

#: item kind -> the transcript role it is shown and exported as
ROLES = {"sent": "user", "llm": "llm", "reply": "bot", "speech": "speech", "note": "system",
         "state": "system", "speaking": "system", "ack": "ok", "interrupt": "system",
         "session": "system"}


def item_line(item: HistoryItem) -> tuple[str, str, str, str]:
    """How an item reads in a transcript: (role, text, status, note)."""
    role = ROLES.get(item.kind, "system")
    text, note = item.text, item.detail
    if item.kind == "state":
        text = f"channel {item.text}" + (f": {item.detail}" if item.detail else "")
        note = ""
    elif item.kind == "speaking":
        text = "speaking" if item.text == "audio_start" else "quiet"
        text = f"{item.text} ({text})"
    elif item.kind == "ack":
        role = "ok" if item.status == "ok" else "error"
        text = f"{item.text}: {item.status}"
    elif item.kind == "session":
        text = f"session {item.text}" + (f" ({item.detail})" if item.detail else "")
        note = ""
    elif item.kind == "note" and item.status == "error":
        role = "error"
    if item.kind in ("reply", "speech", "sent", "llm"):
        if item.timings:
            note = f"{note} · {item.timings}" if note else item.timings
    status = item.status if item.kind in ("reply", "speech", "sent", "llm") else ""
    return role, text, status, note


def export_records(items: list[HistoryItem]) -> list[dict[str, Any]]:
    """The items as the live chat export's records (``core.export`` renders them)."""
    out = []
    for item in items:
        role, text, status, note = item_line(item)
        mid = item.key.split(":", 1)[1] if item.key else None
        out.append({"time": item.time.isoformat(timespec="seconds"), "role": role,
                    "text": text, "status": status, "note": note, "mid": mid,
                    "interrupted": item.interrupted, "kind": item.kind,
                    "first_part_ms": item.first_part_ms, "audio_ms": item.audio_ms,
                    "fin_ms": item.fin_ms})
    return out


def export_header(summary: ConversationSummary) -> dict[str, str]:
    return {"session": summary.session_id, "avatar": summary.avatar_id or "-",
            "started": summary.started.isoformat(timespec="seconds"),
            "ended": summary.ended.isoformat(timespec="seconds") if summary.ended else "-",
            "lines": str(summary.lines), "replies": str(summary.replies),
            "history id": str(summary.id)}


def render(summary: ConversationSummary, items: list[HistoryItem], fmt: str) -> str:
    """The conversation as ``md`` (Markdown) or ``jsonl`` text."""
    from ..export import render_jsonl, render_markdown, scrub

    records = export_records(items)
    records = [{**r, "text": scrub(r["text"], ()), "note": scrub(r["note"], ())}
               for r in records]
    if fmt == "jsonl":
        return render_jsonl(records)
    if fmt == "md":
        return render_markdown(records, export_header(summary))
    raise ValueError(f"unknown format {fmt!r}: md or jsonl")


_SEARCH_KEYS = {"session": "session", "s": "session", "avatar": "avatar", "a": "avatar",
                "since": "since", "from": "since", "until": "until", "to": "until"}


def parse_search(text: str, *, limit: int = LIST_LIMIT) -> Filters:
    """The history view's one search line: ``words session:ID avatar:ID since:DATE
    until:DATE`` (dates as :func:`parse_day`); words are searched in the text.
    Raises ``ValueError`` for a bad date."""
    f = Filters(limit=limit)
    words = []
    for token in text.split():
        key, sep, value = token.partition(":")
        name = _SEARCH_KEYS.get(key.lower()) if sep and value else None
        if name == "session":
            f.session = value
        elif name == "avatar":
            f.avatar = value
        elif name == "since":
            f.since = parse_day(value)
        elif name == "until":
            f.until = parse_day(value, end=True)
        else:
            words.append(token)
    f.text = " ".join(words)
    return f
