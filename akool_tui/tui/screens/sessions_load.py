"""How the sessions screen keeps 100 000 rows without holding the event loop: rows that
are views of their sessions, built in slices; a big account's full refetch in a thread
of its own; the garbage collector kept off what a big load made.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter
from time import perf_counter
from typing import TYPE_CHECKING, Any

from ... import logs
from ...core.fields import SESSION_FIELDS, table_fields
from ...core.ids import SHORT_ID_LENGTH, short_id
from ...core.memory import release_free_memory, release_free_memory_soon
from ..input_gate import GATE, GatedLoop, InputGate, give_way, switch_interval

if TYPE_CHECKING:
    from ...api.models import Session
    from ...core.fields import Field
    from ..widgets.table_rows import Column
    from ...core.session_sync import SessionsDelta, SessionTracker

TABLE_FIELDS = table_fields(SESSION_FIELDS)
#: rows built between two looks at the clock, and the time between two yields
ROWS_SLICE, SLICE_BUDGET = 256, 0.01
#: seconds between two gc.freeze() while the first load runs (see gc_after_load)
FREEZE_EVERY = 0.25
#: a background full refetch works this long, then rests this long with the interpreter
#: released when the UI thread was busy meanwhile (see pace)
PACE_WORK, PACE_REST = 0.004, 0.004
#: CPU seconds the UI thread spends in a PACE_WORK window that make the refetch rest
UI_BUSY = 0.0005
#: the interpreter's switch interval while a refetch thread runs (see Apart.fetch_all)
SWITCH_INTERVAL = 0.0005

#: how each column's value is read from a session
GETTERS: dict[str, Any] = {f.key: f.get for f in TABLE_FIELDS}


class SessionRow(Mapping[str, Any]):
    """A table row read from its session when asked: 40 bytes per row instead of a
    270-byte dict (100 000 rows: 23 MB less)."""

    __slots__ = ("session",)

    def __init__(self, session: Session) -> None:
        self.session = session

    def __getitem__(self, key: str) -> Any:
        return GETTERS[key](self.session)

    def get(self, key: str, default: Any = None) -> Any:
        getter = GETTERS.get(key)
        return default if getter is None else getter(self.session)

    def __iter__(self) -> Iterator[str]:
        return iter(GETTERS)

    def __len__(self) -> int:
        return len(GETTERS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SessionRow):
            return other.session is self.session or other.session == self.session
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SessionRow({self.session!r})"


def session_row(session: Session) -> SessionRow:
    return SessionRow(session)


_SESSION = attrgetter("session")


def sort_values(field: Field[Session]) -> Callable[[list[SessionRow]], list[Any]]:
    """The sort values of many rows in one call (``Column.sort_values``): the field's
    getter, then its sort, mapped over the sessions: one or two calls a row instead
    of four or five through the row and the column's ``sort_key`` (a sort of 100 000
    sessions read them for 60-300 ms)."""
    get, sort = field.get, field.sort
    if sort is short_id:  # the ids' last characters, sliced (a call a row cost 20 ms)
        def short_ids(rows: list[SessionRow]) -> list[Any]:
            return [value[-SHORT_ID_LENGTH:] for value in map(get, map(_SESSION, rows))]

        return short_ids

    def values(rows: list[SessionRow]) -> list[Any]:
        found = map(get, map(_SESSION, rows))
        return list(found if sort is None else map(sort, found))

    return values


def status_filter(label: str) -> Callable[[str, SessionRow], bool]:
    """The rows whose status reads ``label`` (the ``f`` quick filter): the session's
    status compared with one member, not its label worked out through the row (a
    filter of 100 000 rows spent 120 ms there)."""
    from ...api.models import SessionStatus

    members = [status for status in SessionStatus if status.label == label]
    if len(members) != 1:  # no such status (or a label shared): read the label
        return lambda key, row: row["status"] == label
    member = members[0]
    return lambda key, row: row.session.status is member


def cell_values(field: Field[Session]) -> Callable[[list[SessionRow]], list[Any]]:
    """The values of many rows in one call (``Column.cell_values``): what the filter
    reads when the search texts are not built (a call a row, not three)."""
    get = field.get
    return lambda rows: list(map(get, map(_SESSION, rows)))


def with_sort_values(columns: Sequence[Column]) -> list[Column]:
    """The sessions table's columns, each reading its sort values and its values in
    bulk (a live column without its own sort sorts by the time: it is left as it is)."""
    fields = {f.key: f for f in TABLE_FIELDS}
    return [column if column.live and fields[column.key].sort is None
            else replace(column, sort_values=sort_values(fields[column.key]),
                         cell_values=cell_values(fields[column.key]))
            for column in columns]


async def rows_of(sessions: list[Session]) -> dict[str, SessionRow]:
    """The table rows of ``sessions``, yielding to the event loop every ~10 ms (and to
    a key typed meanwhile until its frame is out: ``give_way``)."""
    rows: dict[str, SessionRow] = {}
    started = perf_counter()
    for start in range(0, len(sessions), ROWS_SLICE):
        for session in sessions[start:start + ROWS_SLICE]:
            rows[session.id] = SessionRow(session)
        if perf_counter() - started > SLICE_BUDGET:
            await give_way()  # (a key typed meanwhile: its frame first)
            started = perf_counter()
    return rows


class Apart:
    """``tracker.fetch_all`` on an event loop and API client of a worker thread, which
    :meth:`cancel` (from the UI thread) stops: quitting does not wait for 1 000 pages."""

    def __init__(self, gate: InputGate = GATE) -> None:
        self._ui_cpu = cpu_clock(threading.get_ident())  # made on the UI thread
        self._gate = gate
        self._lock = threading.Lock()
        self._cancelled = False
        self._stop: Callable[[], None] | None = None

    def fetch_all(self, tracker: SessionTracker, client_kwargs: dict[str, Any]) -> SessionsDelta:
        from ...api.client import AkoolClient

        async def run() -> SessionsDelta:
            task = asyncio.current_task()
            assert task is not None
            loop = asyncio.get_running_loop()
            with self._lock:
                if self._cancelled:
                    raise asyncio.CancelledError
                self._stop = lambda: loop.call_soon_threadsafe(task.cancel)
            pacer = asyncio.create_task(pace(PACE_WORK, PACE_REST, self._ui_cpu))
            try:
                async with AkoolClient(**client_kwargs) as client:
                    return await tracker.fetch_all(client)
            finally:
                pacer.cancel()

        gate, started = self._gate, perf_counter()
        waits, waited = gate.waits, gate.waited
        try:
            with switch_interval(SWITCH_INTERVAL), \
                    asyncio.Runner(loop_factory=lambda: GatedLoop(gate, self._ui_cpu)) as runner:
                return runner.run(run())
        finally:
            with self._lock:
                self._stop = None
            logs.log.info("full refetch in its thread: %.2f s, %d waits for keys, %.3f s",
                          perf_counter() - started, gate.waits - waits, gate.waited - waited)
            release_free_memory()  # what the pages left in this thread's heap

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._stop is not None:
                self._stop()


def cpu_clock(ident: int) -> Callable[[], float] | None:
    """The CPU time of the thread ``ident`` (``threading.get_ident()``), readable from any
    thread; None where the platform cannot tell."""
    try:
        clock = time.pthread_getcpuclockid(ident)
        time.clock_gettime(clock)
    except (AttributeError, OSError):
        return None
    return lambda: time.clock_gettime(clock)


async def pace(work: float, rest: float, ui_cpu: Callable[[], float] | None = None) -> None:
    """Hand the interpreter over for ``rest`` s after every ``work`` s of this loop, when
    the UI thread used the CPU meanwhile (``ui_cpu``: its CPU time; None: always).

    Without it a refetch thread and the UI thread each held the interpreter for 5 ms
    turns (``sys.getswitchinterval``), so a screen update during a refetch took twice its
    time; resting (``time.sleep`` releases the interpreter) gives the UI thread the time
    in between at once. While nobody types the refetch runs at full speed."""
    last = ui_cpu() if ui_cpu is not None else 0.0
    while True:
        await asyncio.sleep(work)
        if ui_cpu is not None:
            now = ui_cpu()
            busy, last = now - last > UI_BUSY, now
            if not busy:
                continue
        time.sleep(rest)
        if ui_cpu is not None:
            last = ui_cpu()




def gc_after_load() -> None:
    """What a big load made stays (the sessions, their rows): the garbage collector
    stops walking it (gc.freeze). At 100 000 sessions each full collection walked half
    a million objects for ~200 ms with the event loop waiting, six times per load.
    Called every :data:`FREEZE_EVERY` s while the first load of a big account runs (no
    collection walks more than what a quarter second loaded) and after each big
    delta. The memory the load freed goes back to the system (in another thread)."""
    gc.collect(1)
    gc.freeze()
    release_free_memory_soon()
