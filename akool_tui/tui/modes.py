"""The console's modes: each main screen made when its mode is first shown (its module is
imported then, not before the first frame), and the palette's provider of the screen's
actions."""

from __future__ import annotations

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


def sessions():
    from .screens.sessions import SessionsScreen

    return up_to_date(SessionsScreen())


def avatars():
    from .screens.avatars import AvatarsScreen

    return up_to_date(AvatarsScreen())


def chat():
    from .screens.chat import ChatScreen

    return up_to_date(ChatScreen())


def pulse():
    from .screens.pulse import PulseScreen

    return up_to_date(PulseScreen())


def history():
    from .screens.history import HistoryScreen

    return up_to_date(HistoryScreen())


def settings():
    from .screens.settings import SettingsScreen

    return up_to_date(SettingsScreen())


def knowledge():
    from .screens.knowledge import KnowledgeScreen

    return up_to_date(KnowledgeScreen())
