"""The recorded history: every conversation the console takes part in and the lifecycle
of every session it observed, kept in SQLite after the app exits (no Textual here).

- :mod:`.schema`: where the database lives (one per profile, ``demo`` for ``--demo``),
  its schema, migrations (``PRAGMA user_version``) and retention (age and size);
- :mod:`.store`: :class:`HistoryStore`, a queue written by a thread in batches
  (a crash loses at most the last :data:`~.store.BATCH_SECONDS`); texts masked;
- :mod:`.recorder`: :class:`ConversationRecorder`, a chat's events with timings;
- :mod:`.lifecycle`: sessions first seen, gone live, ended, closed by this app;
- :mod:`.query`: listing and searching conversations, reading and exporting one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .query import (
    ConversationSummary,
    Filters,
    HistoryItem,
    conversation_events,
    conversation_items,
    get_conversation,
    item_line,
    list_conversations,
    open_history,
    parse_day,
    render,
    session_events,
)
from .schema import DEFAULT_PROFILE, history_path
from .store import BATCH_SECONDS, ConversationHandle, HistoryStore, Item

MIB = 1024 * 1024


def store_for(config: Any, *, demo: bool = False, profile: str = DEFAULT_PROFILE,
              secrets: Callable[[], Iterable[str]] | None = None) -> HistoryStore | None:
    """The store ``config`` asks for (``history = false``: None), retention from
    ``history_days`` and ``history_max_mb``; the configured credentials are masked."""
    if not getattr(config, "history", True):
        return None

    def configured() -> list[str]:
        extra = list(secrets()) if secrets is not None else []
        return [getattr(config, "api_key", ""), getattr(config, "client_secret", ""), *extra]

    return HistoryStore(history_path(profile, demo=demo),
                        max_days=getattr(config, "history_days", 30),
                        max_bytes=int(getattr(config, "history_max_mb", 200) * MIB),
                        secrets=configured)


__all__ = ["BATCH_SECONDS", "ConversationHandle", "ConversationSummary", "Filters",
           "HistoryItem", "HistoryStore", "Item", "conversation_events", "conversation_items", "get_conversation",
           "history_path", "item_line", "list_conversations", "open_history", "parse_day",
           "render", "session_events", "store_for"]
