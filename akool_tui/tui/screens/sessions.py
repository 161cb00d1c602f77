"""Sessions: a live table of every session, with filter, sort, detail, create, close."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import humanize
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ..widgets.live_table import Column, LiveTable
from .base import TableScreen

if TYPE_CHECKING:
    from ...api.models import Session
    from .common import DetailPane

#: the `f` quick filter: label and SessionStatus member name (the models, the detail
#: pane and the dialogs are imported when first needed, after the first frame)
STATUS_FILTERS: tuple[tuple[str, str | None], ...] = (
    ("all", None),
    ("live", "PROCESSING"),
    ("queueing", "QUEUEING"),
    ("closed", "COMPLETED"),
    ("failed", "FAILED"),
)


def short_id(session_id: str) -> str:
    return session_id[-8:] if len(session_id) > 8 else session_id


def format_left(row: dict[str, Any], now: datetime) -> str:
    """Time left until the session's duration runs out, as m:ss (h:mm:ss)."""
    session: Session = row["session"]
    if session.duration is not None and session.duration < 0:
        return "—"  # a negative duration from the server: no known end
    left = session.time_left(now)
    if left is None:
        return "—"
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return "0:00 !"  # still open although its time ran out: stuck
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def left_sort_key(row: dict[str, Any]) -> float:
    end = row["session"].expires_at
    return end.timestamp() if end is not None and row["session"].is_open else float("inf")


def format_created(row: dict[str, Any], now: datetime) -> str:
    """"4 minutes ago", against the app's clock (a live column: it ages on screen)."""
    value: datetime | None = row["created"]
    if value is None:
        return "—"
    return humanize.naturaltime(now - value)


def format_duration(value: int | None) -> str:
    """``"10m00s"``, ``"45s"``; a negative duration from the server is ``"invalid"``."""
    if value is None:
        return "—"
    if value < 0:
        return "invalid"
    m, s = divmod(value, 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


def status_style(value: str, row: dict[str, Any]) -> str:
    return {
        "live": "$status-live bold",
        "queueing": "$status-queueing",
        "closed": "$status-closed",
        "failed": "$status-failed bold",
    }.get(value, "")


#: what an operator scans for comes first, so that 80 columns show id, status, time
#: left, avatar and age (stream and duration scroll in from the right)
COLUMNS = [
    Column("id", "ID", width=8, formatter=short_id),
    Column("status", "Status", width=9, style=status_style),
    Column("left", "Left", width=8, align="right", live=True, compute=format_left,
           sort_key=left_sort_key),
    Column("avatar", "Avatar", width=24),
    Column("created", "Created", width=15, live=True, compute=format_created,
           sort_key=lambda row: row["created"].timestamp() if row["created"] else 0.0),
    Column("stream", "Stream", width=9),
    Column("duration", "Duration", width=8, align="right", formatter=format_duration,
           sort_key=lambda row: row["duration"] or 0),
]


def session_row(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "avatar": session.avatar_id,
        "status": session.status_label,
        "stream": session.stream_type,
        "created": session.create_time,
        "duration": session.duration,
        "session": session,
    }


#: a full refetch of every page happens at least every this many ticks; in between,
#: only what can change is fetched (closed and failed sessions never change again)
FULL_REFRESH_EVERY = 12
#: sessions that left the open lists and are looked up one by one before a full refetch
MAX_DETAIL_LOOKUPS = 40
#: above this many rows a full refresh diffs the table in slices
BIG_TABLE = 5000
#: rows read from page 1 on an incremental tick (new sessions come first): the fewest,
#: and the most when sessions arrive faster than the fewest can show
FIRST_PAGE_MIN, FIRST_PAGE_MAX = 25, 100


@dataclass
class SessionsDelta:
    """What a refresh found: every session (``full``) or only what may have changed."""

    full: bool
    sessions: list[Session]
    total: int


class SessionsClosed(Message):
    def __init__(self, closed: list[str], failures: list[tuple[str, str]]) -> None:
        super().__init__()
        self.closed = closed
        self.failures = failures


class SessionsScreen(TableScreen):
    TITLE = "Sessions"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="sessions.filter",
                tooltip="Filter by id, avatar or status"),
        Binding("escape", "clear_filter", "Clear", id="sessions.clear", show=False,
                tooltip="Clear the filter and close the detail pane"),
        Binding("f", "cycle_status", "Status", id="sessions.status_filter", show=False,
                tooltip="Cycle the status quick filter: all, live, queueing, closed, failed"),
        Binding("n", "new_session", "New", id="sessions.new", tooltip="Create a session"),
        Binding("c", "close_session", "Close", id="sessions.close",
                tooltip="Close the session under the cursor"),
        Binding("C", "close_marked", "Close marked", id="sessions.close_marked", show=False,
                tooltip="Close every marked session (space marks)"),
        Binding("enter", "toggle_detail", "Detail", id="sessions.detail", show=False,
                tooltip="Show or hide the session detail"),
        Binding("t", "open_chat", "Chat", id="sessions.chat", show=False,
                tooltip="Chat with the session under the cursor"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._status_index = 0
        self._sessions: dict[str, Session] = {}
        #: ids of the sessions that were queueing or live at the last refresh: a tick
        #: looks at these, not at all 10 000 sessions
        self._open_ids: set[str] = set()
        self._total = 0  # the server's count at the last refresh
        self._ticks_since_full = 0
        self._first_page = FIRST_PAGE_MIN

    FILTER_PLACEHOLDER = "filter sessions: id, avatar or status"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield LiveTable(COLUMNS, id="sessions-table", empty_text="No sessions yet",
                            clock=self.app.now)

    def on_mount(self) -> None:  # the bases' on_mount run too (Textual walks the MRO)
        self.table.sort_by("created", reverse=True)  # newest first

    async def fetch(self) -> SessionsDelta:
        """Every page now and then; otherwise page 1 (new sessions), the open ones, and a
        detail lookup for the few that stopped being open. At 10 000 sessions this is
        3-4 requests instead of 100."""
        from ...api.models import Session, SessionStatus

        client = await self.app.ctx.client()
        known = self._sessions
        if not known or self._ticks_since_full >= FULL_REFRESH_EVERY - 1:
            return await self._fetch_all(client)
        size = self._first_page
        first, queueing, live = await asyncio.gather(
            client.list_sessions(page=1, size=size),
            client.list_all_sessions(status=SessionStatus.QUEUEING),
            client.list_all_sessions(status=SessionStatus.PROCESSING),
        )
        changed = {s.id: s for s in first.result}
        new_count = sum(1 for sid in changed if sid not in known)
        # a busy account gets a longer page 1 next time, a quiet one a short one
        self._first_page = (FIRST_PAGE_MAX if new_count * 2 > size
                            else max(FIRST_PAGE_MIN, min(size, new_count * 4)))
        if first.count < self._total or first.count - self._total > new_count:
            # more arrived than page 1 shows, or some vanished: take everything
            return await self._fetch_all(client)
        open_now = {s.id: s for s in (*queueing, *live)}
        changed.update(open_now)
        left_open = [sid for sid in self._open_ids
                     if sid in known and sid not in open_now and sid not in changed]
        if len(left_open) > MAX_DETAIL_LOOKUPS:
            return await self._fetch_all(client)
        from ...api.errors import NotFoundError

        try:
            details = await asyncio.gather(*(client.session_detail(sid) for sid in left_open))
        except NotFoundError:  # a session vanished: the full list tells which
            return await self._fetch_all(client)
        for detail in details:
            previous = known[detail.id]
            # detail answers may omit list-only fields: keep what the list said
            changed[detail.id] = Session(
                id=detail.id, status=detail.status, stream_type=previous.stream_type,
                avatar_id=detail.avatar_id or previous.avatar_id,
                duration=detail.duration if detail.duration is not None else previous.duration,
                create_time=detail.create_time or previous.create_time,
                uid=detail.uid or previous.uid, type=detail.type,
                credentials=detail.credentials or previous.credentials, extra=detail.extra)
        return SessionsDelta(False, list(changed.values()), first.count)

    async def _fetch_all(self, client) -> SessionsDelta:
        """Every session; those unchanged since the last refresh stay the objects the
        table already holds (one copy of each session, not two)."""
        sessions = await client.list_all_sessions()
        known = self._sessions
        for i, session in enumerate(sessions):
            old = known.get(session.id)
            if old is not None and old == session:
                sessions[i] = old
            if i % 2000 == 1999:
                await asyncio.sleep(0)  # 10 ms per 10 000: the loop keeps painting
        return SessionsDelta(True, sessions, len(sessions))

    def apply(self, delta: SessionsDelta) -> None:
        self._total = delta.total
        if delta.full:
            self._ticks_since_full = 0
            self._sessions = {s.id: s for s in delta.sessions}
            self._open_ids = {s.id for s in delta.sessions if s.is_open}
            rows = [(s.id, session_row(s)) for s in delta.sessions]
            if len(rows) > BIG_TABLE:  # diff in slices: input never waits on 100k rows
                self.run_worker(self.table.set_rows_async(rows), group="table-load",
                                exclusive=True, exit_on_error=False)
            else:
                self.table.set_rows(rows)
        else:
            self._ticks_since_full += 1
            for session in delta.sessions:
                if self._sessions.get(session.id) != session:
                    self._remember(session)
                    self.table.update_row(session.id, session_row(session))
        self.update_extra()
        self.refresh_detail()

    def _remember(self, session: Session) -> None:
        self._sessions[session.id] = session
        if session.is_open:
            self._open_ids.add(session.id)
        else:
            self._open_ids.discard(session.id)

    def update_extra(self) -> None:
        from ...api.models import SessionStatus

        live = sum(1 for sid in self._open_ids
                   if self._sessions[sid].status is SessionStatus.PROCESSING)
        parts = [f"{humanize.intcomma(len(self._sessions))} sessions", f"{live} live"]
        label = STATUS_FILTERS[self._status_index][0]
        if label != "all":
            parts.append(f"showing {label}")
        if self.table.filter_text:
            parts.append(f"filter '{self.table.filter_text}'")
        if marked := len(self.table.marked_keys):
            parts.append(f"{marked} marked")
        self.status.set_extra(", ".join(parts))

    # -- quick filters ---------------------------------------------------------

    def action_cycle_status(self) -> None:
        self._status_index = (self._status_index + 1) % len(STATUS_FILTERS)
        from ...api.models import SessionStatus

        label, name = STATUS_FILTERS[self._status_index]
        status = None if name is None else SessionStatus[name]
        self.table.row_filter = None if status is None else (
            lambda key, row, status=status: row["session"].status is status)
        self.update_extra()
        self.notify(f"Showing {label} sessions", timeout=1.5)

    @on(LiveTable.MarksChanged)
    def _marks_changed(self) -> None:
        self.update_extra()

    # -- detail -----------------------------------------------------------------

    def _cursor_session(self) -> Session | None:
        key = self.table.cursor_key
        return self._sessions.get(key) if key else None

    def show_detail(self, pane: DetailPane, key: str | None) -> None:
        pane.show_session(self._sessions.get(key) if key else None)

    # -- create -----------------------------------------------------------------

    def action_new_session(self) -> None:
        from .new_session import NewSessionScreen

        self.app.push_screen(NewSessionScreen(), self._session_created)

    def _session_created(self, session: Session | None) -> None:
        if session is None:
            return
        self._remember(session)
        self.table.update_row(session.id, session_row(session))
        self.table.move_cursor_to_key(session.id)
        if self.loop is not None:
            self.loop.trigger()

    # -- close ----------------------------------------------------------------

    def action_close_session(self) -> None:
        session = self._cursor_session()
        if session is None:
            self.notify("No session under the cursor", severity="warning")
            return
        if not session.is_open:
            self.notify(f"Session {short_id(session.id)} is already {session.status_label}",
                        severity="warning")
            return
        self._confirm_close([session.id])

    def action_close_marked(self) -> None:
        keys = [k for k in self.table.marked_keys if k in self._sessions]
        open_keys = [k for k in keys if self._sessions[k].is_open]
        if not keys:
            self.notify("Nothing marked: space marks a row", severity="warning")
            return
        if not open_keys:
            self.notify("None of the marked sessions is open", severity="warning")
            return
        self._confirm_close(open_keys)

    def _confirm_close(self, ids: list[str]) -> None:
        if len(ids) == 1:
            question = f"Close session {short_id(ids[0])} ({self._sessions[ids[0]].avatar_id})?"
        else:
            question = f"Close {len(ids)} marked sessions?"

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Closing {len(ids)} session{'s' if len(ids) > 1 else ''}…",
                            timeout=2)
                self._close_worker(ids)

        from .common import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question, confirm_label="Close"), done)

    @work(group="close")
    async def _close_worker(self, ids: list[str]) -> None:
        import asyncio

        from ...api.errors import AkoolError, SessionClosedError

        client = await self.app.ctx.client()
        closed: list[str] = []
        failures: list[tuple[str, str]] = []
        semaphore = asyncio.Semaphore(8)

        async def close(session_id: str) -> None:
            async with semaphore:
                try:
                    await client.close_session(session_id)
                except SessionClosedError:
                    closed.append(session_id)  # someone else closed it: same outcome
                except AkoolError as error:
                    failures.append((session_id, str(error)))
                else:
                    closed.append(session_id)

        await asyncio.gather(*(close(i) for i in ids))
        self.post_message(SessionsClosed(closed, failures))

    def on_sessions_closed(self, message: SessionsClosed) -> None:
        if message.closed:
            self.notify(f"Closed {len(message.closed)} session"
                        f"{'s' if len(message.closed) > 1 else ''}")
        for session_id, error in message.failures[:3]:
            self.notify(f"Could not close {short_id(session_id)}: {error}", severity="error",
                        markup=False)
        if len(message.failures) > 3:
            self.notify(f"…and {len(message.failures) - 3} more failures", severity="error")
        self.table.clear_marks()
        self.update_extra()
        if self.loop is not None:
            self.loop.trigger()

    # -- chat ------------------------------------------------------------------

    def action_open_chat(self) -> None:
        session = self._cursor_session()
        if session is not None:
            self.app.ctx.chat_session_id = session.id
        self.app.switch_mode("chat")
