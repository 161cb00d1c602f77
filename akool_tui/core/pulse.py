"""The pulse: what the app sees of the account, sampled from its own work (no Textual,
no network, no printing).

Nothing here fetches. The app feeds it what it already has:

- :meth:`Pulse.sessions` -- each sessions refresh (the tracker's sessions): live and
  queueing now (a ring of the last hour), sessions started and ended (seen opening,
  seen closing or gone), the open ones whose time ran out (``0:00 !``) and those
  ending within :data:`ENDING_SOON_S`;
- :meth:`Pulse.client_event` -- the API client's events
  (:class:`~akool_tui.api.events.ClientEvent`): every request's duration and outcome,
  retries and their backoff;
- :meth:`Pulse.credits` -- each balance read (a
  :class:`~akool_tui.core.credits.BurnMeter` measures the burn);
- :meth:`Pulse.avatars` -- each avatars refresh: uploads in progress, and failed in
  the last 7 days.

:meth:`Pulse.view` answers a :class:`PulseView` (plain values and tuples: a screen
compares it field by field and repaints only what changed). Times are seconds of the
injected ``clock`` (``time.time`` by default; the console passes its own clock).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .credits import Burn, BurnMeter
from .series import Series, bucket_of, fold_max, fold_sum, percentile

if TYPE_CHECKING:
    from ..api.events import ClientEvent
    from ..api.models import Avatar, Session

HOUR = 3600.0
MINUTE = 60.0
#: sessions ending within this many seconds are listed under "attention"
ENDING_SOON_S = 5 * 60.0
#: failed uploads are listed this long after they were created
UPLOAD_FAILED_FOR = timedelta(days=7)
#: the sparklines' buckets: the last hour in minutes; the API's last 30 minutes
SESSION_BUCKETS = 60
API_BUCKETS = 30
#: requests remembered (for the percentiles and rates)
KEEP_REQUESTS = 5000
#: the points a ring keeps at most (one per refresh: a 1 s refresh for an hour)
KEEP_SAMPLES = 3600


def short_path(endpoint: str) -> str:
    """``/api/open/v4/liveAvatar/session/list`` -> ``session/list`` (what it is about)."""
    parts = [p for p in endpoint.split("?")[0].split("/") if p]
    return "/".join(parts[-2:]) if parts else endpoint


@dataclass(frozen=True)
class ApiFigures:
    per_min: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    error_rate: float | None = None  # of the last minute's requests (None: none)
    last_error: str = ""
    last_error_at: float | None = None
    backoff_s: float | None = None  # a retry is waiting this long still
    backoff_what: str = ""


@dataclass(frozen=True)
class PulseView:
    sampled: bool = False  # a sessions refresh was seen
    live: int = 0
    queueing: int = 0
    live_history: tuple[float, ...] = ()
    queueing_history: tuple[float, ...] = ()
    started_per_min: int = 0
    ended_per_min: int = 0
    started_history: tuple[float, ...] = ()
    expired_open: tuple[str, ...] = ()
    ending_soon: tuple[str, ...] = ()
    balance: float | None = None
    burn: Burn = field(default_factory=lambda: Burn(None, 0.0, 0.0))
    balance_history: tuple[float, ...] = ()
    api: ApiFigures = field(default_factory=ApiFigures)
    requests_history: tuple[float, ...] = ()
    p95_history: tuple[float, ...] = ()
    errors_history: tuple[float, ...] = ()
    avatars_seen: bool = False
    uploading: tuple[str, ...] = ()  # "name (id)" of uploads in progress
    upload_failed: tuple[str, ...] = ()


@dataclass
class _Request:
    at: float
    ms: float
    ok: bool


class Pulse:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.live = Series(max_age=HOUR, maxlen=KEEP_SAMPLES)
        self.queueing = Series(max_age=HOUR, maxlen=KEEP_SAMPLES)
        self.started = Series(max_age=HOUR, maxlen=KEEP_SAMPLES)
        self.ended = Series(max_age=HOUR, maxlen=KEEP_SAMPLES)
        self._open: set[str] | None = None  # None before the first sample
        self.expired_open: tuple[str, ...] = ()
        self.ending_soon: tuple[str, ...] = ()
        self.meter = BurnMeter()
        self.balances = Series(max_age=HOUR, maxlen=KEEP_SAMPLES)
        self._requests: deque[_Request] = deque(maxlen=KEEP_REQUESTS)
        self.last_error = ""
        self.last_error_at: float | None = None
        self._backoff_until: float | None = None
        self._backoff_what = ""
        self.uploading: tuple[str, ...] = ()
        self.upload_failed: tuple[str, ...] = ()
        self._avatars_seen = False

    # -- samples in ---------------------------------------------------------------------

    def sessions(self, sessions: Iterable[Session], now: datetime | None = None) -> None:
        """One sessions refresh: the open sessions the app knows (others are skipped).
        A session open at the last sample and not now has ended; one open now and not
        then has started (the first sample only sets the baseline)."""
        at = self.clock()
        now = now or datetime.fromtimestamp(at, UTC)
        live = queueing = 0
        open_ids: set[str] = set()
        expired: list[tuple[float, str]] = []
        soon: list[tuple[float, str]] = []
        for s in sessions:
            if not s.is_open:
                continue
            open_ids.add(s.id)
            if s.status_label == "live":
                live += 1
            else:
                queueing += 1
            left = s.time_left(now)
            if left is None:
                continue
            seconds = left.total_seconds()
            if seconds <= 0:
                expired.append((s.expires_at.timestamp() if s.expires_at else 0.0, s.id))
            elif seconds <= ENDING_SOON_S:
                soon.append((seconds, s.id))
        if self._open is not None:
            started = len(open_ids - self._open)
            ended = len(self._open - open_ids)
            if started:
                self.started.add(at, started)
            if ended:
                self.ended.add(at, ended)
        self._open = open_ids
        self.live.add(at, live)
        self.queueing.add(at, queueing)
        self.expired_open = tuple(i for _, i in sorted(expired))
        self.ending_soon = tuple(i for _, i in sorted(soon))

    def client_event(self, event: ClientEvent) -> None:
        """The API client's ``on_event`` hook (called in the event loop)."""
        at = self.clock()
        if event.kind == "request":
            self._requests.append(_Request(at, event.duration * 1000.0, event.ok))
            if not event.ok:
                self._error(at, event.endpoint, event.error_message)
            if self._backoff_until is not None and event.endpoint == self._backoff_what:
                self._backoff_until = None  # the request it was retrying has ended
        elif event.kind == "retry":
            self._error(at, event.endpoint, event.error_message)
            self._backoff_until = at + event.delay
            self._backoff_what = event.endpoint

    def _error(self, at: float, endpoint: str, message: str) -> None:
        self.last_error = f"{short_path(endpoint)}: {message}" if endpoint else message
        self.last_error_at = at

    def credits(self, balance: float) -> None:
        at = self.clock()
        self.meter.add(at, balance)
        self.balances.add(at, balance)

    def avatars(self, avatars: Iterable[Avatar], now: datetime | None = None) -> None:
        """One avatars listing: uploads in progress, and failed in the last 7 days."""
        now = now or datetime.fromtimestamp(self.clock(), UTC)
        uploading: list[str] = []
        failed: list[str] = []
        for a in avatars:
            label = a.status_label
            name = f"{a.name} ({a.avatar_id})" if a.name and a.name != a.avatar_id else a.avatar_id
            if label in ("queueing", "processing"):
                uploading.append(name)
            elif label == "failed" and a.create_time is not None \
                    and now - a.create_time <= UPLOAD_FAILED_FOR:
                failed.append(name)
        self.uploading, self.upload_failed = tuple(uploading), tuple(failed)
        self._avatars_seen = True

    # -- the view -----------------------------------------------------------------------

    def api(self, now: float | None = None) -> ApiFigures:
        now = self.clock() if now is None else now
        recent = [r for r in self._requests if now - MINUTE < r.at <= now]
        durations = [r.ms for r in recent]
        errors = sum(1 for r in recent if not r.ok)
        backoff = None
        if self._backoff_until is not None and self._backoff_until > now:
            backoff = round(self._backoff_until - now, 1)
        return ApiFigures(
            per_min=len(recent),
            p50_ms=percentile(durations, 50),
            p95_ms=percentile(durations, 95),
            error_rate=errors / len(recent) if recent else None,
            last_error=self.last_error, last_error_at=self.last_error_at,
            backoff_s=backoff, backoff_what=short_path(self._backoff_what) if backoff else "")

    def _api_buckets(self, now: float) -> tuple[list[float], list[float], list[float]]:
        groups: list[list[_Request]] = [[] for _ in range(API_BUCKETS)]
        for r in self._requests:
            i = bucket_of(r.at, now, MINUTE, API_BUCKETS)
            if i is not None:
                groups[i].append(r)
        counts = [float(len(g)) for g in groups]
        p95 = [percentile((r.ms for r in g), 95) or 0.0 for g in groups]
        errors = [float(sum(1 for r in g if not r.ok)) for g in groups]
        return counts, p95, errors

    def view(self, now: float | None = None) -> PulseView:
        now = self.clock() if now is None else now
        counts, p95, errors = self._api_buckets(now)
        return PulseView(
            sampled=self._open is not None,
            live=int(self.live.latest or 0), queueing=int(self.queueing.latest or 0),
            live_history=tuple(self.live.buckets(now, MINUTE, SESSION_BUCKETS, fold_max,
                                                 carry=True)),
            queueing_history=tuple(self.queueing.buckets(now, MINUTE, SESSION_BUCKETS,
                                                         fold_max, carry=True)),
            started_per_min=int(sum(self.started.since(now - MINUTE, after=True))),
            ended_per_min=int(sum(self.ended.since(now - MINUTE, after=True))),
            started_history=tuple(self.started.buckets(now, MINUTE, SESSION_BUCKETS,
                                                       fold_sum)),
            expired_open=self.expired_open, ending_soon=self.ending_soon,
            balance=self.meter.balance, burn=self.meter.burn(),
            balance_history=tuple(self.balances.buckets(
                now, MINUTE, SESSION_BUCKETS, fold_max, carry=True)),
            api=self.api(now),
            requests_history=tuple(counts), p95_history=tuple(p95),
            errors_history=tuple(errors),
            avatars_seen=self._avatars_seen,
            uploading=self.uploading, upload_failed=self.upload_failed,
        )

