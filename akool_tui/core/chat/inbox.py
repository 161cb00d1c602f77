"""Batches a conversation's events for the UI (one wake per batch, no Textual)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


class Inbox:
    """Collects emitted events and wakes the UI once per batch, at most ``max_hz``
    times a second.

    ``wake()`` is called for the first event after a :meth:`take` -- right away, or
    when ``1 / max_hz`` has passed since the previous wake -- so parts arriving every
    few milliseconds cost one UI message per batch, not one each. Use it inside the
    event loop.
    """

    def __init__(self, wake: Callable[[], None], *, max_hz: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._wake = wake
        self._interval = 1.0 / max_hz
        self._clock = clock
        self._events: list[Any] = []
        self._last_wake = float("-inf")
        self._scheduled = False

    def __call__(self, event: Any) -> None:
        self._events.append(event)
        if len(self._events) > 1 or self._scheduled:
            return
        wait = self._last_wake + self._interval - self._clock()
        if wait <= 0:
            self._fire()
        else:
            self._scheduled = True
            asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._scheduled = False
        self._last_wake = self._clock()
        if self._events:
            self._wake()

    def take(self) -> list[Any]:
        events, self._events = self._events, []
        return events
