"""The rows of ``sessions list``'s table for a whole page, column by column.

:meth:`SessionRows.__call__ <akool_tui.cli.session_rows.SessionRows>` reads one
record's cells from its dict; at 100 000 sessions its Python work per record (the
datetime arithmetic of the age and the sort key above all) was a third of what the
table cost beyond fetching the pages. :func:`page_rows` gives the same rows for a
page: the values are picked and checked by C calls over each column, the age's memo
key (whole days, or whole seconds under a day) and the sort key are integer
arithmetic on the create time in milliseconds, and texts are made safe a column at a
time (one C check of the column joined, each text only when it fails).

A page not wholly of the listed shape with well-typed values, or a clock the rows do
not count from, is read record by record as before. ``tests/test_cli_listed_page.py``
checks both give the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import repeat
from operator import eq, itemgetter
from typing import TYPE_CHECKING, Any

from ..api.models import EARLIEST
from ..core.fields import UNKNOWN, ago
from ..core.text import CELL, safe
from .session_rows import _DAY, _LABELS, _LATEST_MS, _LISTED, _OPEN, Row

if TYPE_CHECKING:
    from .session_rows import SessionRows

__all__ = ["page_rows"]

_PICK = itemgetter("_id", "status", "stream_type", "avatar_id", "duration", "create_time")
_STR, _INT, _DICT = frozenset({str}), frozenset({int}), frozenset({dict})
_US_DAY = _DAY // timedelta(microseconds=1)


def page_rows(rows: SessionRows, raws: Sequence[Any]) -> list[Row]:
    """``[rows(raw) for raw in raws]``, column by column when it can."""
    done = _columns(rows, raws) if rows.fast else None
    return done if done is not None else list(map(rows, raws))


def _kinds(column: Sequence[Any]) -> set[type]:
    return set(map(type, column))


def _safe(column: Sequence[str]) -> Sequence[str]:
    """``safe(text, limit=CELL)`` of each text, or ``UNKNOWN`` for an empty one."""
    if (all(column) and "".join(column).isprintable()
            and max(map(len, column), default=0) <= CELL):
        return column
    return [safe(t, limit=CELL) if t else UNKNOWN for t in column]


def _columns(rows: SessionRows, raws: Sequence[Any]) -> list[Row] | None:
    if not raws:
        return []
    if _kinds(raws) != _DICT or not all(map(eq, map(dict.keys, raws), repeat(_LISTED))):
        return None
    ids, statuses, streams, avatars, durations, created = zip(*map(_PICK, raws))
    if not (_kinds(ids) == _STR and _kinds(statuses) == _INT and _kinds(streams) == _STR
            and all(streams) and _kinds(avatars) == _STR and _kinds(durations) == _INT
            and _kinds(created) == _INT and min(created) >= 1e11
            and max(created) < _LATEST_MS):
        return None
    now = rows.now
    now_us = (now - EARLIEST) // timedelta(microseconds=1)  # type: ignore[operator]
    # the age's memo key (SessionRows._age): whole days from one day on, else
    # -(whole seconds) - 1; a start in the future gets None (worked out each time)
    keys = [None if (d := now_us - ms * 1000) < 0 else
            d // _US_DAY if d >= _US_DAY else -(d // 1_000_000) - 1 for ms in created]
    texts = list(map(rows._ages.get, keys))
    if None in texts:
        for r, text in enumerate(texts):
            if text is None:
                texts[r] = rows._age(EARLIEST + timedelta(milliseconds=float(created[r])))
    lengths = rows._durations
    spans = [lengths.get(d) for d in durations]
    if None in spans:
        for r, span in enumerate(spans):
            if span is None:
                spans[r] = rows._length(durations[r])
    opens = [s in _OPEN for s in statuses]
    lefts: list[str] = [UNKNOWN] * len(raws)
    if any(opens):
        for r, is_open in enumerate(opens):
            if is_open:
                lefts[r] = rows._left(EARLIEST + timedelta(milliseconds=float(created[r])),
                                      durations[r])
    cells = zip(_safe([s[-8:] for s in ids]), map(_LABELS.get, statuses, repeat("unknown")),
                lefts, _safe(avatars), texts, _safe(streams), spans)
    return list(zip(ids, [ms / 1000 for ms in created], cells, opens))
