"""The sessions list kept in sync with few requests: :class:`SessionTracker`.

Shared by the CLI and the console; no Textual, no printing. The policy: a full refetch
now and then (adaptive: rarer as the account grows), and in between only page 1, the
open sessions and the few that just stopped being open. :meth:`SessionTracker.fetch`
reads, :meth:`SessionTracker.apply` keeps; a delta holds only what changed.
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..api.errors import AkoolError, NotFoundError
from ..api.models import Session, SessionStatus
from .sessions_tail import find_gone

if TYPE_CHECKING:
    from ..api.client import AkoolClient

#: a full refetch of every page happens at most every this many ticks; in between,
#: only what can change is fetched (closed and failed sessions never change again)
FULL_REFRESH_EVERY = 12
#: ...and no sooner than this many times its own duration after the last one ended
#: (full refetches take at most 0.1 % of the time: 10 000 sessions are 100 pages,
#: ~0.25 s, so about every 4 minutes; 100 000 sessions every FULL_REFRESH_MAX_GAP. At
#: 300x a whole idle cycle at 10 000 sessions was 70-95 s and cost 1.6 % of a core)
FULL_COST_FACTOR = 1000
#: ...and no later than this many seconds after it (the bound on what only a full
#: refetch sees: a creation and a deletion in one tick past page 1)
FULL_REFRESH_MAX_GAP = 600.0
#: sessions that left the open lists and are looked up one by one before a full refetch
MAX_DETAIL_LOOKUPS = 40
#: rows read from page 1 on an incremental tick (new sessions come first): the fewest,
#: and the most when sessions arrive faster than the fewest can show
FIRST_PAGE_MIN, FIRST_PAGE_MAX = 25, 100
#: the first fetch reads page 1 alone (the newest sessions on screen at once) and the
#: next tick, at once, every page
FIRST_LOAD_PAGE = 100
#: sessions compared between two yields to the event loop in a full refetch
SLICE = 5000


@dataclass
class SessionsDelta:
    """What a refresh found: the sessions that are new or changed since the tracker's
    state the fetch started from, and for a full refetch (``full``) the ids that are
    gone (filled in by :meth:`SessionTracker.apply`). ``more``: only the first page of a
    first load; the rest comes next tick."""

    full: bool
    sessions: list[Session]
    total: int
    removed: list[str] = field(default_factory=list)
    more: bool = False
    #: a full refetch's every session by id, and the open ones' ids (built in slices
    #: while fetching, so that applying it costs nothing)
    state: tuple[dict[str, Session], set[str]] | None = None
    #: a full refetch's ids as listed, newest first (built with it, off the UI thread)
    order: list[str] | None = None
    #: ids a full refetch did not list and could not look up, kept once (see
    #: :meth:`SessionTracker.fetch_all`)
    unconfirmed: frozenset[str] = frozenset()


def merge_detail(previous: Session, detail: Session) -> Session:
    """A detail answer may omit list-only fields: keep what the list said for those."""
    return Session(
        id=detail.id, status=detail.status, stream_type=previous.stream_type,
        avatar_id=detail.avatar_id or previous.avatar_id,
        duration=detail.duration if detail.duration is not None else previous.duration,
        create_time=detail.create_time or previous.create_time,
        uid=detail.uid or previous.uid, type=detail.type,
        credentials=detail.credentials or previous.credentials, extra=detail.extra)


def _new_or_changed(known: Mapping[str, Session], sessions: Iterable[Session]) -> list[Session]:
    """The sessions ``known`` does not hold as they are. A record read again is the
    object ``known`` holds (:meth:`Session.reusing`); one of a shape that check does not
    cover is compared."""
    return [s for s in sessions if (old := known.get(s.id)) is not s and old != s]


def _newest_first(session: Session) -> float:
    created = session.create_time
    return -created.timestamp() if created is not None else 0.0


def _place(order: list[str], by_id: Mapping[str, Session], session: Session) -> None:
    """Put ``session`` into ``order`` (ids newest first) where its creation time goes:
    the old end must stay the oldest (:mod:`.sessions_tail` reads it)."""
    key = _newest_first(session)
    at = bisect_left(order, key, key=lambda sid: _newest_first(by_id[sid]))
    order.insert(at, session.id)


class SessionTracker:
    """Every session of the account, kept in sync with few requests.

    An incremental tick reads page 1, the open sessions and the few that just stopped
    being open: 3-4 requests whatever the account's size. A full refetch reads every
    page now and then: every :data:`FULL_REFRESH_EVERY` ticks, but no sooner than
    :data:`FULL_COST_FACTOR` times its last duration (at 100 000 sessions, minutes
    apart) and no later than :data:`FULL_REFRESH_MAX_GAP` seconds. What users see change
    needs no full refetch: a session closed, failed or expired elsewhere leaves the open
    lists and shows within one tick; new sessions come on page 1 (more than it holds, or
    a lower count, make that tick a full refetch).

    ``fetch`` only reads the tracker's state (it may run in a worker while the UI reads
    it); ``apply`` changes it and returns the sessions that changed. Unchanged sessions
    stay the objects the tracker holds (:meth:`Session.reusing`): a delta names only
    what changed, so applying it costs what changed, not what the account holds.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.sessions: dict[str, Session] = {}
        #: ids of the sessions that were queueing or live at the last refresh: a tick
        #: looks at these, not at all 10 000 sessions
        self.open_ids: set[str] = set()
        self.total = 0  # the server's count at the last refresh
        self.ticks_since_full = 0
        self.first_page = FIRST_PAGE_MIN
        self.clock = clock
        self.loaded = False  # a full refetch has been applied
        self.full_cost = 0.0  # seconds the last full refetch took
        self.full_at: float | None = None  # clock() when it ended
        self._full_requested = False
        #: ids as the last full refetch listed them (newest first): the old end is
        #: where a server that keeps a bounded history drops sessions (sessions_tail)
        self.order: list[str] = []
        #: ids the last full refetch did not list and could not look up, kept once
        self.unconfirmed: frozenset[str] = frozenset()

    @property
    def live_count(self) -> int:
        return sum(1 for sid in self.open_ids
                   if self.sessions[sid].status is SessionStatus.PROCESSING)

    def get(self, session_id: str | None) -> Session | None:
        return self.sessions.get(session_id) if session_id else None

    def request_full(self) -> None:
        """Make the next fetch a full refetch (the user asked for fresh data)."""
        self._full_requested = True

    @property
    def full_gap(self) -> float:
        """Seconds between the end of a full refetch and the next one (at the least)."""
        return min(FULL_REFRESH_MAX_GAP, FULL_COST_FACTOR * self.full_cost)

    def full_due(self) -> bool:
        if not self.loaded or self._full_requested or self.full_at is None:
            return True
        waited = self.clock() - self.full_at
        if waited >= FULL_REFRESH_MAX_GAP:
            return True
        return self.ticks_since_full >= FULL_REFRESH_EVERY - 1 and waited >= self.full_gap

    async def fetch(self, client: AkoolClient) -> SessionsDelta:
        """Every page now and then; otherwise page 1 (new sessions), the open ones,
        and a detail lookup for the few that stopped being open."""
        known = self.sessions
        if not known and not self.loaded:
            # the first load: page 1 on screen now, every page on the next tick
            with Session.reusing(known):
                first = await client.list_sessions(page=1, size=FIRST_LOAD_PAGE)
            if first.count <= len(first.result) and first.page == 1:
                return await self.fetch_all(client)
            return SessionsDelta(False, first.result, first.count, more=True)
        if self.full_due():
            return await self.fetch_all(client)
        size = self.first_page
        with Session.reusing(known):
            first, queueing, live = await asyncio.gather(
                client.list_sessions(page=1, size=size),
                client.list_all_sessions(status=SessionStatus.QUEUEING),
                client.list_all_sessions(status=SessionStatus.PROCESSING),
            )
        changed = {s.id: s for s in first.result}
        new_count = sum(1 for sid in changed if sid not in known)
        # a busy account gets a longer page 1 next time, a quiet one a short one
        self.first_page = (FIRST_PAGE_MAX if new_count * 2 > size
                           else max(FIRST_PAGE_MIN, min(size, new_count * 4)))
        if first.count - self.total > new_count:
            # more arrived than page 1 shows: take everything
            return await self.fetch_all(client)
        gone: list[str] = []
        vanished = len(known) + new_count - first.count  # held after this tick - listed
        if vanished > 0:  # some vanished: the list's old end tells which
            found = await find_gone(client, self.order, known, first.count, vanished)
            if found is not None:
                gone = found
            elif first.count < self.total:  # a lower count it cannot explain: take all
                return await self.fetch_all(client)
            # else as before: the next full refetch tells (a full refetch of pages read
            # while sessions arrive can miss some: comparing with what the tracker holds
            # instead of the last count made each such miss another full refetch)
        open_now = {s.id: s for s in (*queueing, *live)}
        changed.update(open_now)
        left_open = [sid for sid in self.open_ids if sid in known and sid not in open_now
                     and sid not in changed and sid not in gone]
        if len(left_open) > MAX_DETAIL_LOOKUPS:
            return await self.fetch_all(client)
        try:
            details = await asyncio.gather(*(client.session_detail(sid) for sid in left_open))
        except NotFoundError:  # a session vanished: the full list tells which
            return await self.fetch_all(client)
        for detail in details:
            changed[detail.id] = merge_detail(known[detail.id], detail)
        return SessionsDelta(False, _new_or_changed(known, changed.values()), first.count,
                             removed=gone)

    async def fetch_all(self, client: AkoolClient) -> SessionsDelta:
        """Every session; a delta of those new or changed since the last refresh (the
        unchanged ones stay the objects the tracker holds) and of those gone.

        It only looks sessions up (never iterates the tracker's dict): it may run in
        another thread, on its own event loop and client, while the UI thread changes
        the tracker; :meth:`apply` finds the ids that are gone."""
        started = self.clock()
        known = self.sessions
        self._full_requested = False
        with Session.reusing(known):
            sessions = await client.list_all_sessions()
        changed: list[Session] = []
        by_id: dict[str, Session] = {}
        open_ids: set[str] = set()
        get = known.get
        for start in range(0, len(sessions), SLICE):  # 100 000: 20 slices of ~2 ms
            for session in sessions[start:start + SLICE]:
                old = get(session.id)
                if old is not session:  # not the object known holds (Session.reusing)
                    if old is not None and old == session:  # an odd record, unchanged
                        session = old
                    else:
                        changed.append(session)
                by_id[session.id] = session
                if session.is_open:
                    open_ids.add(session.id)
            await asyncio.sleep(0)
        order = list(by_id)  # 1-4 ms at 100 000, in this thread
        # list(): one C call, so the UI thread cannot change the dict while it is read
        missing = [sid for sid in list(known) if sid not in by_id]
        unconfirmed: frozenset[str] = frozenset()
        if missing:
            kept, unconfirmed = await self._missing(client, known, missing, sessions)
            for session in kept:
                if known.get(session.id) != session:
                    changed.append(session)
                by_id[session.id] = session
                if session.is_open:
                    open_ids.add(session.id)
                _place(order, by_id, session)
        self.full_cost = self.clock() - started
        return SessionsDelta(True, changed, len(by_id), state=(by_id, open_ids),
                             order=order, unconfirmed=unconfirmed)

    async def _missing(self, client: AkoolClient, known: Mapping[str, Session],
                       missing: list[str], listed: list[Session],
                       ) -> tuple[list[Session], frozenset[str]]:
        """Which of the sessions the tracker holds and a full refetch did not list are
        still there: (those kept, the ids kept without a look-up).

        Pages read while sessions arrive shift: a page read later starts further back,
        so when the pages in flight come back out of order, the sessions at a page's
        end can be on no page read (3-11 of 10 000 per refetch in the soak's churn).
        Taken for gone, they left the table until the next full refetch, minutes later.
        A session older than the oldest listed is gone (a bounded history drops the old
        end, :mod:`.sessions_tail`); one in the middle is looked up
        (:data:`MAX_DETAIL_LOOKUPS` at most): "does not exist" is gone, an answer is
        kept. More than that, or a look-up that failed, is kept once, and goes when the
        next full refetch does not list it either."""
        oldest = listed[-1].create_time if listed else None
        suspects = [s for sid in missing if (s := known.get(sid)) is not None
                    and not (oldest is not None and s.create_time is not None
                             and s.create_time < oldest)]
        look, rest = suspects[:MAX_DETAIL_LOOKUPS], suspects[MAX_DETAIL_LOOKUPS:]
        answers = await asyncio.gather(*(client.session_detail(s.id) for s in look),
                                       return_exceptions=True)
        kept: list[Session] = []
        unsure: list[Session] = list(rest)
        for session, answer in zip(look, answers, strict=True):
            if isinstance(answer, Session):
                kept.append(merge_detail(session, answer))
            elif isinstance(answer, NotFoundError):
                continue  # gone
            elif isinstance(answer, AkoolError):
                unsure.append(session)
            else:
                raise answer
        once = [s for s in unsure if s.id not in self.unconfirmed]
        return kept + once, frozenset(s.id for s in once)

    def apply(self, delta: SessionsDelta) -> list[Session]:
        """Keep what ``delta`` found; returns the sessions that changed. Costs what
        changed: a full refetch of 100 000 unchanged sessions applies nothing."""
        self.total = delta.total
        if delta.full and delta.state is not None:
            self.ticks_since_full = 0
            self.loaded = True
            self.full_at = self.clock()
            by_id, self.open_ids = delta.state
            self.unconfirmed = delta.unconfirmed
            delta.removed = [sid for sid in self.sessions if sid not in by_id]  # ~5 ms
            self.sessions = by_id
            self.order = delta.order if delta.order is not None else list(by_id)
            return delta.sessions
        if delta.full:  # a first page that held every session
            self.ticks_since_full = 0
            self.loaded = True
            self.full_at = self.clock()
            self.order = [s.id for s in delta.sessions]
        else:
            self.ticks_since_full += 1
        for sid in delta.removed:  # the server no longer lists them (sessions_tail)
            self.sessions.pop(sid, None)
            self.open_ids.discard(sid)
        order, sessions = self.order, self.sessions
        while order and order[-1] not in sessions:
            order.pop()
        changed = _new_or_changed(self.sessions, delta.sessions)
        for session in changed:
            self.remember(session)
        return changed

    def remember(self, session: Session) -> None:
        """Take one session the app learnt of itself (created, closed)."""
        self.sessions[session.id] = session
        if session.is_open:
            self.open_ids.add(session.id)
        else:
            self.open_ids.discard(session.id)


# -- close ------------------------------------------------------------------------
