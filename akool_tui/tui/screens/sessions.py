"""Sessions: a live table of every session, with filter, sort, detail, create, close.

What a refresh fetches is :class:`~akool_tui.core.session_sync.SessionTracker`'s policy,
a bulk close is :func:`~akool_tui.core.sessions.close_sessions`, the columns are
:data:`~akool_tui.core.fields.SESSION_FIELDS`: this screen keeps the table in step.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ...core.fields import SESSION_FIELDS, count
from ...core.ids import short_id
from ..credits import refresh_credits
from ..fields import columns_from_fields
from ..widgets.live_table import LiveTable
from ..readonly import mutating
from ..work import call_api
from .base import TableScreen
from ..heap import hold_full_gc, release_full_gc
from .sessions_load import (
    FREEZE_EVERY,
    Apart,
    SessionRow,
    gc_after_load,
    rows_of,
    session_row,
    status_filter,
    with_sort_values,
)

if TYPE_CHECKING:
    from ...api.models import Session
    from ...core.session_sync import SessionsDelta, SessionTracker
    from ...core.sessions import CloseResult
    from .common import DetailPane

#: the `f` quick filter: all, then each status label (the models, the tracker, the
#: detail pane and the dialogs are imported when first needed, after the first frame)
STATUS_FILTERS = ("all", "live", "queueing", "closed", "failed")
#: the status colours (theme variables)
STATUS_STYLES = {
    "live": "$status-live bold",
    "queueing": "$status-queueing",
    "closed": "$status-closed",
    "failed": "$status-failed bold",
}
#: what an operator scans for comes first (the catalogue's order): id, status, time
#: left, avatar and age fit 80 columns; stream and duration scroll in from the right
COLUMNS = with_sort_values(columns_from_fields(SESSION_FIELDS, styles={"status": STATUS_STYLES}))
#: a delta of more than BIG_CHANGE rows into a table of more than BIG_TABLE rows is
#: applied in slices (a smaller one is patched in at once)
BIG_TABLE, BIG_CHANGE = 5000, 200
#: failures listed one by one after a bulk close
LISTED_FAILURES = 3


def _after_big_refetch() -> None:
    gc_after_load()  # what was made since the last freeze: walked no more
    release_full_gc()  # a big full refetch held it back until now


class SessionsClosed(Message):
    """A close finished: one result per session (``core.sessions.CloseResult``)."""

    def __init__(self, results: list[CloseResult]) -> None:
        super().__init__()
        self.results = results

    @property
    def closed(self) -> list[str]:
        return [r.id for r in self.results if r.closed]

    @property
    def already(self) -> list[str]:
        return [r.id for r in self.results if r.already]

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(r.id, str(r.error)) for r in self.results if not r.closed]


class SessionsScreen(TableScreen):
    TITLE = "Sessions"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="sessions.filter",
                tooltip="Show only the rows with this text in a column (id, status, avatar, "
                        "stream...); f filters by status alone"),
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

    FEEDS_PULSE = True  # the pulse's session figures are sampled from these refreshes

    def __init__(self) -> None:
        super().__init__()
        self._status_index = 0
        self._tracker: SessionTracker | None = None
        self._only = ""  # the pulse's jump: showing only its sessions (the label)
        self._table_lock = asyncio.Lock()  # sliced deltas go in one after the other

    FILTER_PLACEHOLDER = "filter sessions: id, avatar or status"

    @property
    def tracker(self) -> SessionTracker:
        """Every session, kept in sync by the core's policy (made when first needed)."""
        if self._tracker is None:
            from ...core.session_sync import SessionTracker

            self._tracker = SessionTracker()
        return self._tracker

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield LiveTable(COLUMNS, id="sessions-table", empty_text="Loading sessions…",
                            clock=self.app.now)

    def on_mount(self) -> None:  # the bases' on_mount run too (Textual walks the MRO)
        self.table.sort_by("created", reverse=True)  # newest first
        self._freezer = self.set_interval(FREEZE_EVERY, self._freeze_while_loading)

    def _freeze_while_loading(self) -> None:
        tracker = self._tracker
        if tracker is not None and tracker.total > BIG_TABLE:
            gc_after_load()
        if tracker is not None and tracker.loaded and not self.table.pending:
            self._freezer.stop()

    async def fetch(self) -> tuple[SessionsDelta, dict[str, SessionRow]]:
        """The tracker's delta and the table rows of what changed, built here in slices
        (in the refresh worker) so that no handler builds 100 000 rows at once.

        A big account's full refetch (1 000 pages at 100 000 sessions) runs in a thread
        of its own, with its own event loop and client: on this loop its page reads
        queued between every hop of a key press (~190 ms per key on a busy machine);
        in a thread they hand the interpreter back every 5 ms."""
        tracker = self.tracker
        if tracker.sessions and tracker.total > BIG_TABLE and tracker.full_due():
            apart = Apart()
            hold_full_gc()  # until the delta is applied
            fetched = False
            try:
                delta = await asyncio.to_thread(apart.fetch_all, tracker,
                                                self.app.ctx.config.client_kwargs())
                fetched = True
            except asyncio.CancelledError:  # the screen or the app is going: so does it
                apart.cancel()
                raise
            finally:
                if not fetched:
                    release_full_gc()
        else:
            delta = await tracker.fetch(await self.app.ctx.client())
        return delta, await rows_of(delta.sessions)

    def apply(self, result: tuple[SessionsDelta, dict[str, SessionRow]]) -> None:
        delta, rows = result
        changed = self.tracker.apply(delta)
        self.app.ctx.record_sessions(changed)  # the recorded lifecycle (core.history)
        if problem := self.app.ctx.history_problem():  # kept in the events list too
            self.app.notify(problem, severity="warning", timeout=10)
        tracker = self.tracker
        self.app.ctx.pulse.sessions((tracker.sessions[i] for i in tracker.open_ids
                                     if i in tracker.sessions), self.app.now())
        if delta.more and self.loop is not None:  # page 1 of the first load: the rest now
            self.loop.trigger()
        elif self.table.empty_text != "No sessions yet":  # loaded: an empty table is empty
            self.table.empty_text = "No sessions yet"
            self.table.refresh()
        big = self.table.row_count + len(rows) > BIG_TABLE
        if big and len(rows) + len(delta.removed) > BIG_CHANGE:
            # thousands of rows into a big table: stored and sorted in slices, one delta
            # after the other (each names only what changed since the one before)
            self.run_worker(self._apply_sliced(rows, delta.removed, delta.full),
                            group="table-load", exit_on_error=False)
        else:
            self.table.apply_changes(rows, delta.removed)
            if delta.full and big:
                # in a turn of its own: with the tracker's apply above it made one
                # 28 ms block at 100 000 sessions
                self.app.call_after_refresh(_after_big_refetch)
            elif delta.full:
                release_full_gc()  # a big full refetch held it back until now
        self.update_extra()
        self.refresh_detail()

    async def _apply_sliced(self, rows: dict[str, SessionRow], removed: list[str],
                            full: bool) -> None:
        waited = self._table_lock.locked()
        try:
            async with self._table_lock:
                if waited:  # a later, smaller delta may have been applied meanwhile: it wins
                    sessions = self.tracker.sessions
                    rows = {key: row for key, row in rows.items()
                            if sessions.get(key) is row.session}
                    removed = [key for key in removed if key not in sessions]
                await self.table.apply_changes_async(rows, removed)
            if not self._table_lock.locked():
                gc_after_load()
        finally:
            if full:
                release_full_gc()  # a big full refetch held it back until now

    def action_refresh_now(self) -> None:
        self.tracker.request_full()  # ctrl+r: every page, not only what a tick reads
        super().action_refresh_now()

    def update_extra(self) -> None:
        tracker = self.tracker
        held = count(len(tracker.sessions), "session")
        if not tracker.loaded and tracker.total > len(tracker.sessions):
            held = f"{len(tracker.sessions):,} of {count(tracker.total, 'session')} (loading)"
        parts = [held, f"{tracker.live_count} live"]
        label = self._only or STATUS_FILTERS[self._status_index]
        if label != "all":
            parts.append(f"showing {label}")
        if self.table.filter_text:
            parts.append(f"filter '{self.table.filter_text}'")
        if marked := len(self.table.marked_keys):
            parts.append(f"{marked} marked")
        self.status.set_extra(", ".join(parts))

    # -- quick filters ---------------------------------------------------------

    def on_screen_resume(self) -> None:  # (MainScreen's runs too)
        only, self.app.ctx.sessions_only = self.app.ctx.sessions_only, None
        if only is not None:  # the pulse's x / w: only those sessions
            label, ids = only
            self._only, self._status_index = label, 0
            wanted = frozenset(ids)
            self.table.row_filter = lambda key, row: key in wanted
            self.update_extra()
            self.notify(f"Showing {len(ids)} {label} (esc shows all)", timeout=3)

    def action_clear_filter(self) -> None:
        if self._only:  # esc after the pulse's jump: every session again
            self._only = ""
            self.table.row_filter = None
        super().action_clear_filter()

    def action_cycle_status(self) -> None:
        self._only = ""
        self._status_index = (self._status_index + 1) % len(STATUS_FILTERS)
        label = STATUS_FILTERS[self._status_index]
        self.table.row_filter = None if label == "all" else status_filter(label)
        self.update_extra()
        self.notify(f"Showing {label} sessions", timeout=1.5)

    @on(LiveTable.MarksChanged)
    def _marks_changed(self) -> None:
        self.update_extra()

    # -- detail -----------------------------------------------------------------

    def _cursor_session(self) -> Session | None:
        return self.tracker.get(self.table.cursor_key)

    def show_detail(self, pane: DetailPane, key: str | None) -> None:
        pane.show_session(self.tracker.get(key))

    def record(self, key: str | None) -> Session | None:
        return self.tracker.get(key)

    # -- create -----------------------------------------------------------------

    @mutating("sessions.create")
    def action_new_session(self) -> None:
        from .new_session import NewSessionScreen

        self.app.push_screen(NewSessionScreen(), self._session_created)

    def _session_created(self, session: Session | None) -> None:
        if session is None:
            return
        refresh_credits(self.app)  # the create held credits
        self.tracker.remember(session)
        self.table.update_row(session.id, session_row(session))
        self.table.move_cursor_to_key(session.id)
        if self.loop is not None:
            self.loop.trigger()

    # -- close ----------------------------------------------------------------

    @mutating("sessions.close")
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

    @mutating("sessions.close")
    def action_close_marked(self) -> None:
        sessions = self.tracker.sessions
        keys = [k for k in self.table.marked_keys if k in sessions]
        open_keys = [k for k in keys if sessions[k].is_open]
        if not keys:
            self.notify("Nothing marked: space marks a row", severity="warning")
            return
        if not open_keys:
            self.notify("None of the marked sessions is open", severity="warning")
            return
        self._confirm_close(open_keys)

    def _confirm_close(self, ids: list[str]) -> None:
        if len(ids) == 1:
            session = self.tracker.sessions[ids[0]]
            question = f"Close session {short_id(session.id)} ({session.avatar_id})?"
        else:
            question = f"Close {len(ids)} marked sessions?"

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"Closing {count(len(ids), 'session')}…", timeout=2)
                self._close(ids)

        from .common import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question, confirm_label="Close"), done)

    def _close(self, ids: list[str]) -> None:
        from ...core.sessions import close_sessions

        call_api(self, lambda client: close_sessions(client, ids), what="close sessions",
                 done=SessionsClosed, group="close", exclusive=False)

    def on_sessions_closed(self, message: SessionsClosed) -> None:
        self.app.ctx.record_closed(message.closed)
        refresh_credits(self.app)  # an early close gives the unused credits back
        if closed := message.closed:
            already = len(message.already)
            self.notify(f"Closed {count(len(closed), 'session')}" + (
                "" if not already else " (it was already closed)" if len(closed) == 1
                else f" ({already} already closed)"))
        failures = message.failures
        for session_id, error in failures[:LISTED_FAILURES]:
            self.notify(f"Could not close {short_id(session_id)}: {error}", severity="error")
        if len(failures) > LISTED_FAILURES:
            self.notify(f"…and {len(failures) - LISTED_FAILURES} more failures",
                        severity="error")
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
