"""Simulated time: real monotonic time, scaled, plus an offset tests can advance."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SimClock:
    """Seconds since the epoch in simulated time.

    ``now() = epoch_at_start + (monotonic() - monotonic_at_start) * time_scale + offset``.
    It starts at the real wall-clock time, so ``create_time`` values look current,
    and never goes backwards. Tests call :meth:`advance` instead of sleeping.
    """

    def __init__(
        self,
        time_scale: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be above 0")
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._mono0 = monotonic()
        self._epoch0 = wall()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Current simulated time, seconds since the epoch."""
        return self._epoch0 + (self._monotonic() - self._mono0) * self.time_scale + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Jump simulated time forward by ``seconds`` (>= 0); returns the new time."""
        if not seconds >= 0:
            raise ValueError("the clock only moves forward: seconds must be >= 0")
        with self._lock:
            self._offset += seconds
        return self.now()

    def real_seconds(self, simulated: float) -> float:
        """How long ``simulated`` seconds take in real time."""
        return simulated / self.time_scale
