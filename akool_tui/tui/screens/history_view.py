"""One recorded conversation, read as a transcript (the chat's own widget) with its
timings after each reply (send -> first part, -> audio_start, -> fin) and the
session's lifecycle as observed (seen, live, closed...); ctrl+s exports it as the live
chat does (Markdown and JSON Lines, :mod:`akool_tui.core.export`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from ...core.fields import duration
from ...core.text import LINE, safe
from ..widgets.transcript import Transcript

#: a recorded conversation is read whole from the database: shown whole (as before the
#: chat's transcript got a short scrollback), up to this many lines
RECORDED_LINES = 50_000


@dataclass
class ConversationExported(Message):
    paths: list[Path]
    error: str = ""


class ConversationRead(Message):
    """One conversation's summary and items, or why not (``error``)."""

    def __init__(self, summary: object | None, items: list, events: list,
                 error: str = "") -> None:
        super().__init__()
        self.summary, self.items, self.events, self.error = summary, items, events, error


class ConversationScreen(Screen[None]):
    TITLE = "Conversation"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="history.back",
                tooltip="Back to the list of conversations"),
        Binding("ctrl+s", "export", "Export", id="history.export",
                tooltip="Save this conversation as Markdown and JSONL"),
    ]
    DEFAULT_CSS = """
    ConversationScreen { background: $background; }
    ConversationScreen #conversation-title { height: auto; max-height: 3; padding: 0 1; color: $primary;
                                             text-style: bold; }
    ConversationScreen #conversation-hint { height: 1; padding: 0 1;
                                            color: $foreground-muted; }
    """

    def __init__(self, conversation_id: int) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self._summary = None
        self._items: list = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Conversation {self.conversation_id}", id="conversation-title",
                         markup=False)
            yield Transcript(id="conversation-transcript", scrollback=RECORDED_LINES)
            yield Static("ctrl+s exports · esc back", id="conversation-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Transcript).focus()
        ctx, cid = self.app.ctx, self.conversation_id

        def work() -> None:
            from ...core import history

            store = ctx.history
            path = store.path if store is not None else history.history_path(
                ctx.profile, demo=ctx.demo)
            try:
                conn = history.open_history(path)
                try:
                    summary = history.get_conversation(conn, cid)
                    items = history.conversation_items(conn, cid) if summary else []
                    events = history.conversation_events(conn, summary) if summary else []
                finally:
                    conn.close()
            except (OSError, history.schema.sqlite3.Error) as exc:
                self.post_message(ConversationRead(None, [], [], f"cannot read {path}: {exc}"))
                return
            self.post_message(ConversationRead(summary, items, events,
                                               "" if summary else "no such conversation"))

        self.run_worker(work, thread=True, group="history-read", exit_on_error=False)

    def on_conversation_read(self, message: ConversationRead) -> None:
        from ...core.history import item_line
        from ...core.history.query import with_lifecycle

        title = self.query_one("#conversation-title", Static)
        s = message.summary
        if s is None:
            title.update(Text(safe(f"Conversation {self.conversation_id}: {message.error}",
                                   limit=LINE)))
            return
        self._summary, self._items = s, message.items
        title.update(Text(safe(
            f"{s.started.astimezone():%Y-%m-%d %H:%M:%S} · session {s.session_id} · "
            f"avatar {s.avatar_id or '-'} · {s.lines} lines, {s.replies} replies · "
            f"{duration(s.duration_s)}", limit=LINE)))
        transcript = self.query_one(Transcript)
        for item in with_lifecycle(message.items, message.events):  # the session's too
            role, text, status, note = item_line(item)
            entry = transcript.add(role, text, status=status, note=note,
                                   time=item.time)
            entry.interrupted = item.interrupted
        transcript.flush()

    def action_export(self) -> None:
        if self._summary is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        from ...core.export import export_dir, export_stem, write_exports
        from ...core.history.query import export_header, export_records

        cfg = self.app.config
        entries = export_records(self._items)
        header = export_header(self._summary)
        secrets = [cfg.api_key, cfg.client_secret]
        stem = export_stem(self._summary.session_id, self._summary.started)
        directory = export_dir(cfg.chat.export_dir)

        def work() -> None:
            try:
                paths = write_exports(entries, directory, stem, header, secrets)
            except OSError as exc:
                self.post_message(ConversationExported([], f"{exc.strerror or exc} "
                                                           f"({directory})"))
                return
            self.post_message(ConversationExported(paths))

        self.run_worker(work, thread=True, group="history-export", exit_on_error=False)

    def on_conversation_exported(self, message: ConversationExported) -> None:
        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error")
            return
        self.notify(f"Saved {' and '.join(str(p) for p in message.paths)}", timeout=6)
