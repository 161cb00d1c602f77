"""The credit balance and the measured burn rate (no Textual, no printing).

AKool holds a session's credits when it is created, for its whole ``duration``, and
gives the unused rest back when it is closed early (spec sections 3 and 6). So the
balance falls in steps at each create and jumps back up at each early close; a price
per minute guessed from a table would be wrong for both. :class:`BurnMeter` measures
instead: it is fed ``(time, balance)`` samples and answers the credits spent per hour
over the last ``window`` seconds.

How the rate is measured:

- over the window's *net* change: (the oldest balance in the window - the newest) /
  the time between them. A refund inside the window lowers the rate by what came
  back, which is what the account really paid;
- never negative: when more came back than was spent (a close refunded credits held
  before the window, a top-up) the rate is 0 -- money coming in is not a burn;
- ``None`` ("measuring") until two samples at least ``min_span`` seconds apart exist:
  a rate from two samples a second apart is noise;
- the window keeps one sample older than its start as its anchor, so that a rate is
  always measured over the whole window once the meter has run that long.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

#: how far back the rate is measured, by default (seconds)
WINDOW_S = 15 * 60.0
#: the shortest span a rate is measured over (seconds)
MIN_SPAN_S = 30.0


@dataclass(frozen=True)
class Burn:
    """The rate measured: credits per hour over ``span_s`` seconds (``per_hour`` None
    while measuring)."""

    per_hour: float | None
    span_s: float
    spent: float  # net credits spent over the span (negative: more came back)


class BurnMeter:
    """Balance samples in, the measured burn rate (credits per hour) out."""

    def __init__(self, *, window: float = WINDOW_S, min_span: float = MIN_SPAN_S) -> None:
        if window <= 0 or min_span <= 0:
            raise ValueError("window and min_span must be positive")
        self.window = window
        self.min_span = min(min_span, window)
        self._samples: deque[tuple[float, float]] = deque()

    @property
    def balance(self) -> float | None:
        """The newest balance (None before the first sample)."""
        return self._samples[-1][1] if self._samples else None

    @property
    def last_at(self) -> float | None:
        return self._samples[-1][0] if self._samples else None

    def add(self, at: float, balance: float) -> None:
        """One balance read at ``at`` (seconds, any monotonic clock). A sample older
        than the newest (a late answer) is ignored; one at the same time replaces it."""
        samples = self._samples
        if samples and at < samples[-1][0]:
            return
        if samples and at == samples[-1][0]:
            samples.pop()
        samples.append((at, float(balance)))
        start = at - self.window
        while len(samples) > 2 and samples[1][0] <= start:
            samples.popleft()  # keep one anchor at or before the window's start

    def burn(self) -> Burn:
        """The rate over the window (see the module's notes)."""
        if len(self._samples) < 2:
            return Burn(None, 0.0, 0.0)
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        span = t1 - t0
        spent = b0 - b1
        if span < self.min_span:
            return Burn(None, span, spent)
        return Burn(max(0.0, spent) * 3600.0 / span, span, spent)


def credits_text(amount: float) -> str:
    """``"9,990"``, ``"12.5"``, ``"0.25"``: a balance or an amount of credits."""
    if abs(amount - round(amount)) < 0.005:
        return f"{round(amount):,}"
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def burn_text(burn: Burn) -> str:
    """``"360/h"`` (credits an hour), ``"0/h"``, ``"rate …"`` while measuring. A
    measured rate keeps three figures at most (``"1,447/h"``, ``"12.4/h"``,
    ``"0.25/h"``): more would be noise that changes at every read."""
    rate = burn.per_hour
    if rate is None:
        return "rate …"
    if rate >= 100:
        return f"{round(rate):,}/h"
    if rate >= 10:
        return f"{rate:.1f}".rstrip("0").rstrip(".") + "/h"
    return f"{credits_text(rate)}/h"


def status_text(balance: float | None, burn: Burn, *, short: bool = False) -> str:
    """The status line's part: ``"credits 9,940 · 360/h"`` (``short``: ``"cr 9,940 ·
    360/h"``); ``""`` before the first balance."""
    if balance is None:
        return ""
    return f"{'cr' if short else 'credits'} {credits_text(balance)} · {burn_text(burn)}"
