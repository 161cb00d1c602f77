"""The credit balance and the measured burn rate in the status line.

The app reads the balance (``GET .../faceswap/quota/info``) in a worker when it starts,
every :data:`REFRESH_S` seconds, and right after each create and close (the balance
moves then: a create holds the session's credits, an early close gives the unused rest
back). Each read feeds a :class:`~akool_tui.core.credits.BurnMeter`; the status lines
show ``credits 9,990 · burning 60/h`` and repaint within a second (they tick on their
own). The UI thread never waits: a read that fails keeps the last balance, marked
stale, and is tried again at the next tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from ..core.credits import BurnMeter, credits_text, status_text

if TYPE_CHECKING:
    from textual.app import App

#: seconds between balance reads (a create or close reads it at once as well)
REFRESH_S = 60.0


class CreditsChanged(Message):
    """A balance read finished: the status lines repaint now (not at their next tick)."""


class CreditWatch:
    """What the status line shows about credits; fed by :func:`refresh_credits`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.meter = BurnMeter()
        self._clock = clock
        #: the last read's error ("" when it worked)
        self.error = ""
        #: a first read has finished (worked or failed)
        self.settled = False
        #: balance reads that worked
        self.reads = 0

    def add(self, balance: float) -> None:
        self.meter.add(self._clock(), balance)
        self.error, self.settled = "", True
        self.reads += 1

    def failed(self, error: str) -> None:
        self.error, self.settled = error or "failed", True

    def text(self, *, short: bool = False) -> str:
        """``credits 9,990 · burning 60/h``; ``short``: ``cr 9,990 · 60/h``; ``""`` before
        the first read; ``credits ?`` when no read worked yet; ``(stale)`` after a failure."""
        balance = self.meter.balance
        if balance is None:
            return "credits ?" if self.error else ""
        if self.error:
            return f"{'cr' if short else 'credits'} {credits_text(balance)} (stale)"
        return status_text(balance, self.meter.burn(), short=short)


def refresh_credits(app: App) -> None:
    """Read the balance in a worker of the app (a newer read replaces one in flight)."""
    watch: CreditWatch | None = getattr(app, "credit_watch", None)
    if watch is None or not (app.config.has_credentials or app.demo):
        return  # the first-run screen is asking for credentials
    from ..api.errors import AkoolError

    async def work() -> None:
        try:
            client = await app.ctx.client()
            balance = await client.credit_balance()
        except AkoolError as error:
            watch.failed(str(error))
        else:
            watch.add(balance)
            # the pulse measures from the same reads: opened later, it has the rate at once
            pulse = getattr(getattr(app, "ctx", None), "pulse", None)
            if pulse is not None:
                pulse.credits(balance)
        from .status import StatusLine

        for line in app.screen.query(StatusLine):
            line.post_message(CreditsChanged())

    app.run_worker(work, name="credits", group="credits", exclusive=True, exit_on_error=False)


def install(app: App, interval: float = REFRESH_S) -> CreditWatch:
    """Give ``app`` its :class:`CreditWatch` (``app.credit_watch``), read now and every
    ``interval`` seconds."""
    watch = CreditWatch()
    app.credit_watch = watch
    refresh_credits(app)
    app.set_interval(interval, lambda: refresh_credits(app))
    return watch
