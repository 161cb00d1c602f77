"""The run's events: what went wrong and what changed, with times, for an operator to
read back after the toast is gone (refresh failures and recoveries, API errors, the
chat channel's state changes). Bounded; no Textual."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

#: events kept (the oldest are dropped)
MAX_EVENTS = 500


@dataclass(frozen=True, slots=True)
class Event:
    when: datetime
    kind: str  # "error", "warning", "info"
    text: str


class EventLog:
    def __init__(self, clock: Callable[[], datetime] | None = None,
                 limit: int = MAX_EVENTS) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._events: deque[Event] = deque(maxlen=limit)
        #: events added so far, dropped ones included
        self.total = 0

    def add(self, kind: str, text: str) -> Event:
        event = Event(self._clock(), kind, text)
        self._events.append(event)
        self.total += 1
        return event

    def __len__(self) -> int:
        return len(self._events)

    def entries(self) -> list[Event]:
        """Oldest first."""
        return list(self._events)

    def last(self, kind: str | None = None) -> Event | None:
        for event in reversed(self._events):
            if kind is None or event.kind == kind:
                return event
        return None
