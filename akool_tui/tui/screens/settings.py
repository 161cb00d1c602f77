"""Settings (issue 4 fills this screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from .base import MainScreen


class SettingsScreen(MainScreen):
    TITLE = "Settings"
    LIVE = False

    def compose_body(self) -> ComposeResult:
        yield Static("The settings screen is not built yet.", id="placeholder")
