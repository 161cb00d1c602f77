"""`e`: the run's events -- refresh failures and recoveries, every error and warning
shown, the chat channel's state changes -- with their times, newest last. The toast
goes away; the text stays here."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import RichLog, Static

from ...core.events import EventLog
from ...core.text import LINE, safe

STYLES = {"error": "bold $error", "warning": "$warning", "info": ""}


class EventsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,e,q", "dismiss", "Close", id="events.close")]
    DEFAULT_CSS = """
    EventsScreen { align: center middle; }
    EventsScreen #events-box { width: 90%; height: 80%; border: round $primary;
                               background: $surface; padding: 0 1; }
    EventsScreen #events-log { height: 1fr; }
    EventsScreen #events-hint { color: $foreground-muted; }
    """

    def __init__(self, events: EventLog) -> None:
        super().__init__()
        self._events = events

    def compose(self) -> ComposeResult:
        with Vertical(id="events-box"):
            yield Static(f"Events of this run ({len(self._events)})", id="events-title",
                         markup=False)
            yield RichLog(id="events-log", wrap=True, markup=False, highlight=False)
            yield Static("esc closes", id="events-hint", markup=False)

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        entries = self._events.entries()
        if not entries:
            log.write(Text("Nothing went wrong so far."))
        for event in entries:
            line = Text(f"{event.when.astimezone():%H:%M:%S}  ")
            line.append(f"{event.kind:<7} ", style="bold" if event.kind == "error" else "")
            line.append(safe(event.text, limit=LINE))
            log.write(line)
        log.scroll_end(animate=False)
