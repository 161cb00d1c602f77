"""Chat console (issue 4 fills this screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .base import MainScreen


class ChatScreen(MainScreen):
    TITLE = "Chat"
    LIVE = False

    def compose_body(self) -> ComposeResult:
        yield Static("The chat console is not built yet.", id="placeholder")
