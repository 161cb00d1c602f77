"""The chat's input line: an Input that remembers what was sent (up / down walk it).

Nothing typed or pasted is lost silently. A chat line is one message (AKool's chat text
is one message; the avatar answers it once), so a multi-line paste becomes one line: its
lines joined with spaces (Textual's Input kept only the first line). The line holds up to
:data:`~akool_tui.core.text.CHAT` characters (what the transcript shows whole); a paste
past that is cut there, and a warning says how many characters were left out before
anything is sent.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.binding import Binding
from textual.widgets import Input

from ...core.text import CHAT, safe
from .safe_input import SafeInput


def join_lines(text: str) -> tuple[str, int]:
    """``text``'s non-blank lines joined with single spaces, and how many there were."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    return " ".join(lines), len(lines)


class HistoryInput(SafeInput):
    """An Input that remembers what was sent: up / down walk the history. A paste is
    sanitised like any outside text (it is shown back, in the input and the transcript)."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False, id="chat.history_prev"),
        Binding("down", "history(1)", "Next", show=False, id="chat.history_next"),
    ]
    #: lines remembered
    LIMIT = 200
    #: characters one chat line holds
    MAX_CHARS = CHAT

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._pos = 0
        self._draft = ""

    # -- what goes in ---------------------------------------------------------------------

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # not Input's too (it inserts the first line)
        text, lines = join_lines(event.text or "")
        if not text:
            return
        if lines > 1:
            self.notify(f"Pasted {lines} lines as one message (joined with spaces).",
                        title="Chat", timeout=5)
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def replace(self, text: str, start: int, end: int) -> None:
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        room = max(0, self.MAX_CHARS - (len(value) - (end - start)))
        if len(text) > room:
            cut = len(text) - room
            text = text[:room]
            self.notify(f"The chat line holds {self.MAX_CHARS:,} characters: {cut:,} "
                        "characters past that were left out (nothing is sent yet).",
                        title="Chat", severity="warning", timeout=10)
        # SafeInput cuts at a form field's length: the cut (and its notice) is done here
        Input.replace(self, safe(text, limit=None), start, end)

    def validate_value(self, value: str) -> str:
        return safe(value, limit=self.MAX_CHARS)

    # -- history ----------------------------------------------------------------------

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-self.LIMIT]
        self._pos = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._pos == len(self.history):
            self._draft = self.value
        self._pos = max(0, min(len(self.history), self._pos + step))
        self.value = self.history[self._pos] if self._pos < len(self.history) else self._draft
        self.cursor_position = len(self.value)
