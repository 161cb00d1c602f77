"""The chat's input line: an Input that remembers what was sent (up / down walk it)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from .safe_input import SafeInput


class HistoryInput(SafeInput):
    """An Input that remembers what was sent: up / down walk the history. A paste is
    sanitised like any outside text (it is shown back, in the input and the transcript)."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False, id="chat.history_prev"),
        Binding("down", "history(1)", "Next", show=False, id="chat.history_next"),
    ]
    #: lines remembered
    LIMIT = 200

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._pos = 0
        self._draft = ""

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
