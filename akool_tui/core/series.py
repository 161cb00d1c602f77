"""Bounded time series for the pulse and the chat's health (no Textual, no clock of
its own: every call is given the time, so tests inject it).

A :class:`Series` is a ring of ``(time, value)`` points kept for ``max_age`` seconds
and at most ``maxlen`` points; it answers its newest value, the values in a window and
the values folded into fixed buckets (what a sparkline shows).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable

Fold = Callable[[list[float]], float]


def fold_max(values: list[float]) -> float:
    return max(values)


def fold_sum(values: list[float]) -> float:
    return float(sum(values))


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q`` percentile (0-100) by nearest rank; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def bucket_of(t: float, now: float, width: float, n: int) -> int | None:
    """Which of ``n`` buckets of ``width`` seconds ending at ``now`` holds time ``t``
    (each bucket is (start, end]: a point at a boundary belongs to the older one);
    None when ``t`` is outside them."""
    start = now - width * n
    if not start < t <= now:
        return None
    return min(n - 1, math.ceil((t - start) / width) - 1)


class Series:
    def __init__(self, *, max_age: float, maxlen: int) -> None:
        self.max_age = max_age
        self._points: deque[tuple[float, float]] = deque(maxlen=maxlen)

    def __len__(self) -> int:
        return len(self._points)

    def clear(self) -> None:
        self._points.clear()

    def add(self, at: float, value: float) -> None:
        self._points.append((at, float(value)))
        self._trim(at)

    def _trim(self, now: float) -> None:
        start = now - self.max_age
        points = self._points
        while points and points[0][0] < start:
            points.popleft()

    @property
    def latest(self) -> float | None:
        return self._points[-1][1] if self._points else None

    def since(self, start: float, *, after: bool = False) -> list[float]:
        """The values at or after ``start`` (``after``: after it), oldest first."""
        return [v for t, v in self._points if t > start or (t == start and not after)]

    def tail(self, n: int) -> list[float]:
        return [v for _, v in list(self._points)[-n:]]

    def buckets(self, now: float, width: float, n: int, fold: Fold = fold_max,
                empty: float = 0.0, *, carry: bool = False) -> list[float]:
        """``n`` buckets of ``width`` seconds ending at ``now`` (oldest first), each
        the ``fold`` of its values; one without values is ``empty``, or with ``carry``
        the bucket before it (a level not sampled for a while has not gone to 0)."""
        groups: list[list[float]] = [[] for _ in range(n)]
        before: float | None = None  # the newest value older than the buckets
        for t, v in self._points:
            i = bucket_of(t, now, width, n)
            if i is not None:
                groups[i].append(v)
            elif t <= now - width * n:
                before = v
        out: list[float] = []
        last = before if before is not None else empty
        for g in groups:
            value = fold(g) if g else (last if carry else empty)
            out.append(value)
            last = value if g or carry else last
        return out
