"""The data side of :class:`~akool_tui.tui.widgets.live_table.LiveTable` (no Textual here).

`TableModel` holds rows by key, applies diffs, and keeps the *visible order*: the keys that
pass the filter, sorted.  Everything is plain dict/list work so that 100 000 rows stay cheap:

* ``order`` is kept ascending by an "order key" (``seq`` when unsorted, ``(primary, seq)``
  when sorted; ``seq`` is the row's insertion number, so ties keep insertion order).  A key's
  position is found with :func:`bisect.bisect_left` in O(log n), so no key -> index map has
  to be rebuilt after every change.  A descending sort is the same list read backwards.
* a small diff is applied in place (pop + insort per moved row); a large one rebuilds the
  order.  Both are written as generators of steps so the widget can run them either at once
  or in slices that yield to the event loop (``LiveTable.set_rows_async``).
* the marks, and the rows' cached texts (:class:`.table_cells.RowTexts`), are kept here;
  filtering and rebuilding the order are :mod:`.table_filter`, the sorting steps
  :mod:`.table_order`, columns and row sets :mod:`.table_rows`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from typing import Any

from .table_cells import RowTexts
from .table_filter import OrderBuilding
from .table_order import SLICE, chunks, sortable
from .table_rows import Column, Delta, Row, RowFilter, RowsInput, normalise_rows, utc_now
from .table_sorts import OrderCache, keepable

__all__ = ["Column", "Delta", "Row", "RowFilter", "RowsInput", "TableModel",
           "normalise_rows", "utc_now"]

#: Diffs touching more rows than this rebuild the order instead of patching it.
INCREMENTAL_LIMIT = 256


class TableModel(OrderBuilding):
    """Rows by key plus the filtered, sorted visible order."""

    def __init__(self, columns: Sequence[Column], clock: Callable[[], Any] = utc_now) -> None:
        columns = tuple(columns)
        if not columns:
            raise ValueError("a table needs at least one column")
        keys = [column.key for column in columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in {keys}")
        self.columns = columns
        self.column_index = {column.key: index for index, column in enumerate(columns)}
        self.clock = clock
        #: Diffs touching more rows than this rebuild the order instead of patching it.
        self.incremental_limit = INCREMENTAL_LIMIT
        self.rows: dict[str, Row] = {}
        self._seq: dict[str, int] = {}
        self._next_seq = 0
        self.order: list[str] = []
        self.reverse = False
        self.sort_column: Column | None = None
        self._sort_now: Any = None
        self._sort_as_text = False
        self.filter_text = ""
        self._needle = ""
        self.row_filter: RowFilter | None = None
        self._narrow = False
        #: the order a narrowing pass started from, and its needle, while the pass runs
        #: (more text typed meanwhile narrows that order again, not every row)
        self._base: list[str] | None = None
        self._base_needle = ""
        #: matches a narrowing pass found so far, in display order (see take_preview)
        self._found: list[str] | None = None
        self._previewed = self._pass_reverse = False
        #: the rows' texts: painted cells, search texts, live cells
        self.texts = RowTexts(columns, self.rows, clock)
        #: keys of the marked rows (marks on rows hidden by a filter are kept)
        self.marks: set[str] = set()
        #: each column's full sorted order, kept between sorts (:mod:`.table_sorts`)
        self.sorts = OrderCache()
        #: True while the order does not reflect the rows (a rebuild is pending).
        self.stale = False
        #: Bumped on every change; a sliced rebuild starts over when it moves.
        self.version = 0

    # -- reading ------------------------------------------------------------------

    def __len__(self) -> int:
        """Number of visible rows."""
        return len(self.order)

    @property
    def filtered(self) -> bool:
        return bool(self._needle) or self.row_filter is not None

    def key_at(self, index: int) -> str:
        """Key of the row at a display index."""
        return self.order[-1 - index] if self.reverse else self.order[index]

    def window(self, start: int, count: int) -> list[str]:
        """Keys of the display rows ``start .. start + count``."""
        start = max(0, start)
        if count <= 0:
            return []
        if not self.reverse:
            return self.order[start : start + count]
        end = len(self.order) - start
        return self.order[max(0, end - count) : max(0, end)][::-1]

    def index_of(self, key: str) -> int | None:
        """Display index of a key, or ``None`` if it is not visible."""
        position = self._find(key)
        if position is None:
            return None
        return len(self.order) - 1 - position if self.reverse else position

    # -- order keys ---------------------------------------------------------------

    def _sort_value(self, row: Row) -> Any:
        column = self.sort_column
        assert column is not None
        return self._value_by(column, row)

    def _value_by(self, column: Column, row: Row) -> Any:
        """The value ``row`` sorts by in ``column``."""
        if column.sort_key is not None:
            try:
                return column.sort_key(row)
            except Exception:  # noqa: BLE001 - a user callable on API data
                return None
        if column.compute is not None:
            return column.value(row, self._sort_now)
        return row.get(column.key)

    def order_key_by(self, column: Column) -> Callable[[str], Any]:
        """The order key of a row by ``column`` (values not compared as text), for a kept
        order of a column that may not be the sort column."""
        rows, seq, value = self.rows, self._seq, self._value_by
        return lambda key: (sortable(value(column, rows[key]), False), seq[key])

    def _order_key(self, key: str) -> Any:
        if self.sort_column is None:
            return self._seq[key]
        value = self._sort_value(self.rows[key])
        return (sortable(value, self._sort_as_text), self._seq[key])

    def _find(self, key: str) -> int | None:
        """Position of a key in ``order`` (ascending), or ``None``."""
        if key not in self.rows:
            return None
        if self.stale:
            try:
                return self.order.index(key)
            except ValueError:
                return None
        order = self.order
        position = bisect_left(order, self._order_key(key), key=self._order_key)
        if position < len(order) and order[position] == key:
            return position
        return None

    def _in_place(self, position: int, key: str) -> bool:
        """Whether ``key`` still sorts between its neighbours at ``position``."""
        order, own = self.order, self._order_key(key)
        if position > 0 and self._order_key(order[position - 1]) > own:
            return False
        return position + 1 >= len(order) or own < self._order_key(order[position + 1])

    # -- diffs ----------------------------------------------------------------------

    def commit(
        self, changes: Mapping[str, Row], removed: Sequence[str],
        skip: Container[str] = frozenset(),
    ) -> Delta:
        """Store changed/new rows and drop removed ones, all at once (see commit_steps)."""
        delta = Delta()
        for _ in self.commit_steps(changes, removed, delta, skip):
            pass
        return delta

    def commit_steps(
        self, changes: Mapping[str, Row], removed: Sequence[str], delta: Delta,
        skip: Container[str] = frozenset(),
    ) -> Iterator[None]:
        """Store changed/new rows and drop removed ones, recording them in ``delta``.

        A small diff patches the order in place.  A large one stores the rows in slices
        and leaves ``stale`` set: the caller must then run :meth:`rebuild_steps`.  Keys in
        ``skip`` (checked as it goes) are left alone: they were updated one by one while
        a sliced load was in flight, and are newer than the load.
        """
        rows = self.rows
        # rows change: a narrowing pass (running or not started yet) works on every row
        self._base, self._narrow = None, False
        if not self.stale and len(changes) + len(removed) <= self.incremental_limit:
            self.sorts.note(changes, removed)  # kept orders take them back in when used
            self._patch_all(changes, removed, delta, skip)
            if delta:
                self.version += 1
            return
        self.stale = delta.moved = True
        self.version += 1
        for chunk in chunks(removed, SLICE):
            gone = [key for key in chunk if key in rows and key not in skip]
            for key in gone:
                delta.removed[key] = rows.pop(key)
                del self._seq[key]
            self.texts.forget(gone, gone=True)
            # as they change: a sort (a kept order taken at once) may end between two steps
            self.sorts.note((), gone)
            self.stale = True
            self.version += 1
            yield
        old = delta.old
        for chunk in chunks(list(changes), SLICE):
            if skip:
                chunk = [key for key in chunk if key not in skip]
            new = [key for key in chunk if key not in self._seq]
            if new:
                first = self._next_seq
                self._seq.update(zip(new, range(first, first + len(new))))
                self._next_seq = first + len(new)
            for key in chunk:
                old[key] = rows.get(key)
                rows[key] = changes[key]
            self._forget(chunk)
            self.sorts.note(chunk)
            self.stale = True
            self.version += 1
            yield

    def _patch_all(
        self, changes: Mapping[str, Row], removed: Sequence[str], delta: Delta,
        skip: Container[str],
    ) -> None:
        """Apply a small diff row by row, moving each row to its place in ``order``."""
        rows, patching = self.rows, True
        for key in removed:
            if key not in rows or key in skip:
                continue
            if patching:
                patching = self._patch(key, None)
            delta.removed[key] = rows.pop(key)
            self.texts.forget([key], gone=True)
            del self._seq[key]
        for key, row in changes.items():
            if key in skip:
                continue
            old = rows.get(key)
            position = None
            if patching and old is not None:
                position, patching = self._locate(key)
            if old is None:
                self._seq[key] = self._next_seq
                self._next_seq += 1
            rows[key] = row
            self._forget([key])
            delta.old[key] = old
            if patching:
                patching = self._patch(key, position, delta)
        if delta.removed:
            delta.moved = True
        if not patching:
            self.stale = delta.moved = True

    def _locate(self, key: str) -> tuple[int | None, bool]:
        """Position of a key before it changes, and whether patching can go on."""
        try:
            return self._find(key), True
        except TypeError:  # values of mixed types in the sort column
            self._sort_as_text = True
            return None, False

    def _patch(self, key: str, position: int | None, delta: Delta | None = None) -> bool:
        """Move one key in ``order`` to where its (new) values belong.

        For a removal (``delta`` is None) the key is only taken out.  Returns False when
        the order can no longer be patched (mixed types in the sort column).
        """
        order = self.order
        try:
            if delta is None:
                position = self._find(key)
                if position is not None:
                    order.pop(position)
                return True
            visible = self.matches(key)
            if position is not None and visible and self._in_place(position, key):
                return True
            if position is not None:
                order.pop(position)
                delta.moved = True
            if visible:
                insort(order, key, key=self._order_key)
                delta.moved = True
        except TypeError:
            self._sort_as_text = True
            return False
        return True

    def _forget(self, keys: Sequence[str]) -> None:
        self.texts.forget(keys)

    # -- settings -------------------------------------------------------------------

    def set_sort(self, column_key: str | None, reverse: bool) -> bool:
        """Change the sort; True if the caller must run rebuild_steps."""
        column = None
        if column_key is not None:
            if column_key not in self.column_index:
                raise ValueError(f"no column {column_key!r}")
            column = self.columns[self.column_index[column_key]]
            if not column.sortable:
                raise ValueError(f"column {column_key!r} is not sortable")
        self.reverse = reverse
        if column is self.sort_column:
            return False
        old = self.sort_column
        if (old is not None and not self.stale and not self.filtered and keepable(old)
                and not self._sort_as_text):
            self.sorts.put(old.key, self.order)  # every row, in order: kept as it is now
        self.sort_column = column
        self._sort_now = self.clock()
        self._sort_as_text = self._narrow = False
        self._base = None
        self.version += 1
        self.stale = True
        return True

    # -- marks ------------------------------------------------------------------------

    def toggle_mark(self, key: str) -> None:
        if key in self.marks:
            self.marks.discard(key)
        else:
            self.marks.add(key)

    def drop_gone_marks(self) -> bool:
        """Forget marks of rows that are gone; True if there were any."""
        rows = self.rows
        if gone := {key for key in self.marks if key not in rows}:
            self.marks -= gone
            return True
        return False
