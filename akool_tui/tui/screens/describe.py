"""`d`: the raw record under the cursor as JSON (secrets masked, control characters
escaped), scrollable; `y` copies it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.text import CELL, safe


class DescribeScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,d,q", "dismiss", "Close", id="describe.close"),
        Binding("y", "copy", "Copy", id="describe.copy", tooltip="Copy the JSON"),
    ]
    DEFAULT_CSS = """
    DescribeScreen { align: center middle; }
    DescribeScreen #describe-box { width: 90%; height: 85%; border: round $primary;
                                   background: $surface; padding: 0 1; }
    DescribeScreen #describe-title { text-style: bold; color: $primary; }
    DescribeScreen #describe-hint { color: $foreground-muted; }
    """

    def __init__(self, key: str, text: str) -> None:
        super().__init__()
        self._key = key
        self._text = text  # JSON made by safe_json_dumps: every control escaped

    def compose(self) -> ComposeResult:
        with Vertical(id="describe-box"):
            yield Static(f"Describe {safe(self._key, limit=CELL)}", id="describe-title",
                         markup=False)
            with VerticalScroll(id="describe-scroll"):
                yield Static(self._text, id="describe-body", markup=False)
            yield Static("↑↓ scroll · y copies · esc closes", id="describe-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#describe-scroll").focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self._text)
        self.notify(f"Copied {safe(self._key, limit=CELL)} as JSON", timeout=2)
