"""The console's modes: each main screen made when its mode is first shown (its module is
imported then, not before the first frame), and the palette's provider of the screen's
actions."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from textual.screen import Screen


def up_to_date(screen: Screen) -> Screen:
    """Mark a new mode screen as styled with the current stylesheet (it is: styles are
    applied as its widgets register). Textual 8 otherwise re-parses every stylesheet
    twice whenever a mode's screen is first shown (``App._init_mode``, ``switch_mode``)."""
    screen._css_update_count = screen.app._css_update_count
    return screen


def screen_actions():
    """The palette's provider of the screen's actions (Textual loads it when the palette
    opens: its module is no part of the first frame)."""
    from .commands import ScreenActionsProvider

    return ScreenActionsProvider


def _mode(module: str, name: str) -> Callable[[], Screen]:
    """A factory of screen ``name`` of ``tui.screens.<module>``, imported when called."""
    def make() -> Screen:
        screens = importlib.import_module(f"{__package__}.screens.{module}")
        return up_to_date(getattr(screens, name)())

    make.__name__ = module
    return make


sessions = _mode("sessions", "SessionsScreen")
avatars = _mode("avatars", "AvatarsScreen")
chat = _mode("chat", "ChatScreen")
pulse = _mode("pulse", "PulseScreen")
history = _mode("history", "HistoryScreen")
settings = _mode("settings", "SettingsScreen")
knowledge = _mode("knowledge", "KnowledgeScreen")
