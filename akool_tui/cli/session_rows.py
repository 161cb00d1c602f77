"""The rows of ``sessions list``'s table, read straight from the server's records.

A row is what :class:`~akool_tui.cli.output.TableBuilder` makes of a session built by
:meth:`Session.from_api <akool_tui.api.models.Session.from_api>` -- the cell text of
each table field of :data:`~akool_tui.core.fields.SESSION_FIELDS`, made safe -- but a
record of the listed shape with well-typed values is read from the dict, without
building the session and its credentials, and the texts that repeat (the age of a
session older than a day, a duration) are worked out once. Anything else, or a
catalogue whose table columns are not the ones written here, takes the general path.
``tests/test_cli_listed.py`` checks both give the same rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..api.models import EARLIEST, LATEST, Session, SessionStatus
from ..core.fields import SESSION_FIELDS, UNKNOWN, ago, countdown, session_duration, table_fields
from ..core.ids import short_id
from ..core.text import CELL, safe

#: the session table's columns this module writes, in order
COLUMNS = ("id", "status", "left", "avatar", "created", "stream", "duration")
_LISTED = frozenset({"_id", "status", "stream_type", "avatar_id", "duration", "create_time",
                     "uid", "type", "credentials"})
_LABELS = {int(s): s.label for s in SessionStatus}
_OPEN = frozenset({int(SessionStatus.QUEUEING), int(SessionStatus.PROCESSING)})
_LATEST_MS = (LATEST - EARLIEST) // timedelta(milliseconds=1)
_DAY = timedelta(days=1)
_ZERO = timedelta(0)

#: (id, sort key: newest first, cells, open)
Row = tuple[str, float, tuple[str, ...], bool]


def newest_first(session: Session) -> float:
    return session.create_time.timestamp() if session.create_time else float("-inf")


class SessionRows:
    """``rows(raw)``: the table row of one listed record, ages counted from ``now``."""

    def __init__(self, now: datetime | None) -> None:
        self.now = now
        self.shown = table_fields(SESSION_FIELDS)
        self.fast = now is not None and tuple(f.key for f in self.shown) == COLUMNS
        self._ages: dict[int, str] = {}  # days (1 and more) or seconds (under a day) ago
        self._durations: dict[int, str] = {}

    def general(self, raw: Any) -> Row:
        """The row of the session built from ``raw``, field by field."""
        s, now = Session.from_api(raw), self.now
        cells = tuple(safe(f.cell(f.get(s), now), limit=CELL) for f in self.shown)
        return s.id, newest_first(s), cells, s.is_open

    def __call__(self, raw: Any) -> Row:
        row = self._listed(raw) if self.fast else None
        return row if row is not None else self.general(raw)

    def _age(self, start: datetime) -> str:
        """:func:`~akool_tui.core.fields.ago` of ``start``: for a past time it depends on
        the whole days only from one day on, on the whole seconds below that."""
        now = self.now
        delta = now - start  # type: ignore[operator]
        if delta < _ZERO:
            return ago(start, now)
        memo = delta.days if delta >= _DAY else -delta.seconds - 1
        text = self._ages.get(memo)
        if text is None:
            text = ago(start, now)
            if len(self._ages) < 100_000:
                self._ages[memo] = text
        return text

    def _left(self, start: datetime, duration: int) -> str:
        """The time left of an open session that started at ``start``."""
        if duration < 0:
            return UNKNOWN
        try:
            end = start + timedelta(seconds=duration)
        except OverflowError:  # no known end
            return UNKNOWN
        if not EARLIEST < end < LATEST:
            return UNKNOWN
        return countdown(max(end - self.now, _ZERO))  # type: ignore[operator]

    def _length(self, duration: int) -> str:
        length = session_duration(duration)
        if len(self._durations) < 4096:
            self._durations[duration] = length
        return length

    def page(self, raws: list[Any]) -> list[Row]:
        """``[self(raw) for raw in raws]``, column by column when it can
        (:mod:`akool_tui.cli.session_rows_page`)."""
        from .session_rows_page import page_rows

        return page_rows(self, raws)

    def _listed(self, raw: Any) -> Row | None:
        if type(raw) is not dict or raw.keys() != _LISTED:
            return None
        get = raw.get
        sid, status, stream, avatar = get("_id"), get("status"), get("stream_type"), get("avatar_id")
        duration, created = get("duration"), get("create_time")
        if not (type(sid) is str and type(status) is int and type(stream) is str and stream
                and type(avatar) is str and type(duration) is int
                and type(created) is int and 1e11 <= created < _LATEST_MS):
            return None
        start = EARLIEST + timedelta(milliseconds=float(created))
        is_open = status in _OPEN
        left = self._left(start, duration) if is_open else UNKNOWN
        length = self._durations.get(duration)
        if length is None:
            length = self._length(duration)
        cells = (safe(short_id(sid), limit=CELL) if sid else UNKNOWN,
                 _LABELS.get(status, "unknown"), left,
                 safe(avatar, limit=CELL) if avatar else UNKNOWN,
                 self._age(start), safe(stream, limit=CELL), length)
        return sid, start.timestamp(), cells, is_open

