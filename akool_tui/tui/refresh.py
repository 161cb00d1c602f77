"""The refresh loop behind every live table (no widgets here).

Modelled on dolphie's WorkerManager: the next tick is scheduled only after the
previous fetch finished, ticks are skipped while paused or while a modal screen is
open, and errors back off exponentially (with jitter) up to a ceiling. An error that
another try cannot mend (the service refused the credentials) stops the ticks until
:meth:`RefreshLoop.trigger` (ctrl+r, new credentials).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..api.errors import AuthError

MIN_INTERVAL = 1.0
MAX_BACKOFF = 60.0


@dataclass
class RefreshState:
    """What the status line shows about one refresh loop."""

    interval: float = 5.0
    paused: bool = False
    errors: int = 0  # errors since start (shown)
    consecutive_errors: int = 0
    last_success: float | None = None  # time.time() of the last good fetch
    last_error: str = ""
    in_flight: bool = False
    next_delay: float = field(default=0.0)
    next_at: float | None = None  # clock time of the next tick
    #: why the ticks stopped ("" while they run): an error only new credentials mend
    halted: str = ""

    def retry_in(self, now: float) -> float:
        """Seconds until the next tick (0 when it is due or unknown)."""
        return max(0.0, self.next_at - now) if self.next_at is not None else 0.0

    def delay(self) -> float:
        """Seconds until the next tick: the interval, or a backoff after errors."""
        if self.consecutive_errors == 0:
            return self.interval
        backoff = min(MAX_BACKOFF, self.interval * 2 ** min(self.consecutive_errors, 6))
        return backoff * (0.5 + random.random() / 2)


def final(error: BaseException) -> bool:
    """Whether another try cannot mend ``error``: the credentials were refused (the
    client has already fetched a new token once when it had one)."""
    return isinstance(error, AuthError)


class RefreshLoop:
    """Run ``fetch`` now and then; report through ``on_result`` / ``on_error``.

    ``blocked`` tells whether a tick must be skipped (a modal is open); ``clock``
    (seconds since the epoch) stamps ``state.last_success``. Call
    :meth:`run` inside a Textual worker; :meth:`trigger` refreshes at once.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[object]],
        on_result: Callable[[object], None],
        on_error: Callable[[BaseException], None],
        *,
        interval: float = 5.0,
        blocked: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._on_result = on_result
        self._on_error = on_error
        self._blocked = blocked
        self.state = RefreshState(interval=max(MIN_INTERVAL, interval))
        self._wake = asyncio.Event()
        self._forced = False

    def trigger(self) -> None:
        """Refresh now (also while paused, as ctrl+r does in k9s)."""
        self._forced = True
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.state.paused = paused
        if not paused:
            self._wake.set()

    def set_interval(self, seconds: float) -> None:
        self.state.interval = max(MIN_INTERVAL, seconds)
        self._wake.set()

    async def tick(self) -> None:
        """One fetch, reported; never raises (except cancellation)."""
        self.state.in_flight = True
        try:
            result = await self._fetch()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # reported, never fatal
            self.state.errors += 1
            self.state.consecutive_errors += 1
            self.state.last_error = str(error)
            self.state.halted = str(error) if final(error) else ""
            self._on_error(error)
        else:
            self.state.consecutive_errors = 0
            self.state.last_error = self.state.halted = ""
            self.state.last_success = self._clock()
            self._on_result(result)
        finally:
            self.state.in_flight = False

    async def run(self) -> None:
        while True:
            forced, self._forced = self._forced, False
            if forced or not (self.state.paused or self._blocked()):
                await self.tick()
            delay = self.state.delay()
            self.state.next_delay = delay
            self.state.next_at = None if self.state.halted else self._clock() + delay
            self._wake.clear()
            if self._forced:
                continue
            if self.state.halted:  # until ctrl+r or new credentials
                while not self._forced:
                    await self._wake.wait()
                    self._wake.clear()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
