"""`h`: the recorded history -- past conversations, newest first, searchable by text,
session, avatar and date (one search line: ``words session:ID avatar:ID since:DATE
until:DATE``); enter opens one as a transcript with its timings (:mod:`.history_view`).

The queries run in a worker thread (:mod:`akool_tui.core.history`), after the writer
has written what is pending; only the message handlers change widgets. Every value
shown is made safe (:func:`~akool_tui.core.text.safe`) and painted as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from ...core.fields import duration
from ...core.ids import short_id
from ...core.text import CELL, LINE, safe
from ..widgets.safe_input import SafeInput

COLUMNS = ("date", "session", "avatar", "lines", "replies", "duration")


@dataclass
class HistoryListed(Message):
    """The conversations found (``summaries``), or why not (``error``)."""

    query: str
    summaries: list
    error: str = ""


class HistoryScreen(Screen[None]):
    TITLE = "History"
    BINDINGS = [
        Binding("escape", "close", "Back", id="history.close",
                tooltip="Leave the history (in the search line: back to the table)"),
        Binding("slash", "search", "Search", id="history.search",
                tooltip="Search: words, session:ID, avatar:ID, since:DATE, until:DATE"),
        Binding("ctrl+r", "reload", "Reload", id="history.reload",
                tooltip="Read the history again"),
    ]
    DEFAULT_CSS = """
    HistoryScreen { background: $background; }
    HistoryScreen #history-title { height: auto; max-height: 2; padding: 0 1; color: $primary;
                                   text-style: bold; }
    HistoryScreen #history-search { height: 1; border: none; padding: 0 1; }
    HistoryScreen #history-table { height: 1fr; }
    HistoryScreen #history-hint { height: 1; padding: 0 1; color: $foreground-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._ids: list[int] = []
        self._query = ""
        self._listed = ""  # the search of the list shown

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("History", id="history-title", markup=False)
            yield SafeInput(placeholder="/ search: words  session:ID  avatar:ID  "
                            "since:YYYY-MM-DD  until:YYYY-MM-DD", id="history-search",
                            compact=True)
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("enter reads · / searches · esc back", id="history-hint",
                         markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown (the history is a mode: `h` again, or back from a conversation): read
        again, so what was recorded meanwhile is listed."""
        self._load(self._query)

    # -- loading (a worker calls core) ------------------------------------------------

    def _load(self, query: str) -> None:
        self._query = query
        ctx = self.app.ctx

        def work() -> None:
            from ...core import history

            try:
                filters = history.query.parse_search(query)
            except ValueError as exc:
                self.post_message(HistoryListed(query, [], str(exc)))
                return
            store = ctx.history
            if store is not None:
                store.flush(timeout=3)
            path = store.path if store is not None else history.history_path(
                ctx.profile, demo=ctx.demo)
            try:
                conn = history.open_history(path)
            except FileNotFoundError:
                self.post_message(HistoryListed(query, []))
                return
            except (OSError, history.schema.sqlite3.Error) as exc:
                self.post_message(HistoryListed(query, [], f"cannot read {path}: {exc}"))
                return
            try:
                found = history.list_conversations(conn, filters)
            except history.schema.sqlite3.Error as exc:
                self.post_message(HistoryListed(query, [], f"cannot read {path}: {exc}"))
                return
            finally:
                conn.close()
            self.post_message(HistoryListed(query, found))

        self.run_worker(work, thread=True, group="history-list", exclusive=True,
                        exit_on_error=False)

    def on_history_listed(self, message: HistoryListed) -> None:
        if message.query != self._query:
            return  # a newer search is on its way
        title = self.query_one("#history-title", Static)
        store = self.app.ctx.history
        problem = message.error or (store.error if store is not None else "")
        if store is None and not message.error:
            problem = "history is off (history = false in the config)"
        table = self.query_one(DataTable)
        row = table.cursor_row if message.query == self._listed else 0  # the same list again
        self._listed = message.query
        table.clear()
        self._ids = []
        for s in message.summaries:
            table.add_row(*(Text(safe(v, limit=CELL)) for v in (
                f"{s.started.astimezone():%Y-%m-%d %H:%M}", short_id(s.session_id),
                s.avatar_id or "-", str(s.lines), str(s.replies), duration(s.duration_s))),
                key=str(s.id))
            self._ids.append(s.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        what = f"{len(message.summaries)} conversation" + (
            "" if len(message.summaries) == 1 else "s")
        if message.query:
            what += f" matching '{message.query}'"
        title.update(Text(safe(f"History · {what}" + (f" · {problem}" if problem else ""),
                               limit=LINE)))

    # -- actions -----------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def action_reload(self) -> None:
        self._load(self._query)

    def action_close(self) -> None:
        search = self.query_one("#history-search", Input)
        if search.has_focus:
            self.query_one(DataTable).focus()
            return
        self.app.switch_mode(self.app.ctx.history_return or "sessions")

    @on(Input.Submitted, "#history-search")
    def _search(self, event: Input.Submitted) -> None:
        self._load(event.value.strip())
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#history-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        from .history_view import ConversationScreen

        self.app.push_screen(ConversationScreen(int(event.row_key.value)))
