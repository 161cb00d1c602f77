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
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from ...core.text import CELL, safe

Row = Mapping[str, Any]
RowsInput = Mapping[str, Row] | Iterable[tuple[str, Row]]
RowFilter = Callable[[str, Row], bool]

#: Rows handled between two yields of a step generator.
SLICE = 1000
#: Diffs touching more rows than this rebuild the order instead of patching it.
INCREMENTAL_LIMIT = 256
#: A sliced rebuild sorts runs of this many rows, then merges them pairwise.
RUN_SIZE = 10_000


def utc_now() -> datetime:
    """The default clock for live columns."""
    return datetime.now(UTC)


def _default_format(value: Any) -> str:
    return value if type(value) is str else str(value)



@dataclass(frozen=True, slots=True)
class Column:
    """One column of a :class:`LiveTable`.

    Attributes:
        key: Key of the value in each row mapping (and the column's id).
        label: Header text.
        width: Fixed width in cells, or ``None`` to fit the widest value shown so far
            (between ``min_width`` and ``max_width``).
        align: "left", "center" or "right".
        sort_key: ``sort_key(row)`` gives the value to sort by; ``None`` sorts by the cell
            value (the computed value for live columns).  ``None`` values sort last.
        style: ``style(value, row)`` gives a style for the cell: a Rich ``Style``, a style
            string that may use theme variables (``"$success bold"``,
            ``"$text on $error"``), or ``None``.
        formatter: ``formatter(value)`` gives the cell text (``None`` always shows as "").
        live: The value is computed from the row and the clock, and re-rendered every
            second for the visible rows (countdowns).
        compute: ``compute(row, now)`` for live columns.
        searchable: Whether the filter text looks at this column (default: not live).
        sortable: Whether the column can be sorted by.
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    max_width: int = 40
    align: Literal["left", "center", "right"] = "left"
    sort_key: Callable[[Row], Any] | None = None
    style: Callable[[Any, Row], Any] | None = None
    formatter: Callable[[Any], str] = _default_format
    live: bool = False
    compute: Callable[[Row, Any], Any] | None = None
    searchable: bool | None = None
    sortable: bool = True

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("Column key must not be empty")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"Column {self.key!r}: align must be left, center or right")
        if self.width is not None and self.width < 1:
            raise ValueError(f"Column {self.key!r}: width must be at least 1")
        if not 1 <= self.min_width <= self.max_width:
            raise ValueError(f"Column {self.key!r}: need 1 <= min_width <= max_width")
        if self.live and self.compute is None:
            raise ValueError(f"Column {self.key!r}: a live column needs compute(row, now)")

    @property
    def is_searchable(self) -> bool:
        return (not self.live) if self.searchable is None else self.searchable

    def text(self, value: Any) -> str:
        """The formatter's text for a value, as it is (what the filter searches);
        a failing formatter falls back to ``str``."""
        if value is None:
            return ""
        if self.formatter is _default_format:
            return value if type(value) is str else str(value)
        try:
            return str(self.formatter(value))
        except Exception:  # noqa: BLE001 - odd data from the API must not crash the table
            return str(value)

    def format(self, value: Any) -> str:
        """Cell text for a value: :meth:`text` made safe to paint (values come from the
        API: no control, bidi or invisible character) and at most ``core.text.CELL``
        characters long, so that a 1 MB name is never laid out. ``safe``'s fast path is
        inlined: this runs for the cells of 100 000-row tables."""
        text = self.text(value)
        return text if len(text) <= CELL and text.isprintable() else safe(text, limit=CELL)

    def value(self, row: Row, now: Any) -> Any:
        """The cell value: the row's value, or the computed one for live columns."""
        if self.compute is not None:
            try:
                return self.compute(row, now)
            except Exception:  # noqa: BLE001 - a user callable on API data
                return None
        return row.get(self.key)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _merge(
    first: list[str], second: list[str], key: Callable[[str], Any], step: int = RUN_SIZE,
) -> Iterator[None]:
    """Stable merge of two sorted lists (``first`` wins ties), a slice per step.

    Each step sorts a piece made of a stretch of each list that belongs together (found
    with bisect); timsort merges such a piece of two sorted runs in one pass, in C.
    """
    out: list[str] = []
    a = b = 0
    while a < len(first):
        a_end = min(a + step, len(first))
        b_end = (len(second) if a_end == len(first)
                 else bisect_left(second, key(first[a_end]), b, key=key))
        if b_end - b > step:  # a long stretch of ``second`` comes first: cut it
            b_end = b + step
            a_end = bisect_right(first, key(second[b_end]), a, a_end, key=key)
        piece = first[a:a_end] + second[b:b_end]
        piece.sort(key=key)
        out.extend(piece)
        a, b = a_end, b_end
        yield
    out.extend(second[b:])
    return out


def _sortable(value: Any, as_text: bool) -> tuple[Any, ...]:
    """The order of one value: ``None`` last, text case-insensitive.

    :meth:`TableModel._sorted` orders whole lists the same way without the tuples.
    """
    if value is None:
        return (1,)
    if as_text:
        return (0, str(value).casefold())
    return (0, value.casefold() if type(value) is str else value)


def normalise_rows(rows: RowsInput) -> Mapping[str, Row]:
    """Accept a mapping or (key, row) pairs; later pairs win on duplicate keys."""
    if isinstance(rows, Mapping):
        return rows
    try:
        return dict(rows)
    except (TypeError, ValueError) as error:
        raise TypeError(f"rows must be a mapping or (key, row) pairs: {error}") from None


class Delta:
    """What one update changed.

    ``old`` maps every changed or added key to its previous row (``None`` when new);
    ``removed`` maps removed keys to their last row; ``moved`` says whether the visible
    order may have changed (rows appeared, vanished or moved).
    """

    __slots__ = ("moved", "old", "removed")

    def __init__(self) -> None:
        self.old: dict[str, Row | None] = {}
        self.removed: dict[str, Row] = {}
        self.moved = False

    def __bool__(self) -> bool:
        return bool(self.old or self.removed or self.moved)


class TableModel:
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
        self._searchable = [column for column in columns if column.is_searchable]
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
        self._cells: dict[str, tuple[str, ...]] = {}
        self._search: dict[str, str] = {}
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

    def cells(self, key: str) -> tuple[str, ...]:
        """Formatted text of a row's cells (live columns are empty here)."""
        cells = self._cells.get(key)
        if cells is None:
            row = self.rows[key]
            cells = self._cells[key] = tuple(
                "" if column.live else column.format(row.get(column.key))
                for column in self.columns
            )
        return cells

    # -- order keys ---------------------------------------------------------------

    def _sort_value(self, row: Row) -> Any:
        column = self.sort_column
        assert column is not None
        if column.sort_key is not None:
            try:
                return column.sort_key(row)
            except Exception:  # noqa: BLE001 - a user callable on API data
                return None
        if column.compute is not None:
            return column.value(row, self._sort_now)
        return row.get(column.key)

    def _order_key(self, key: str) -> Any:
        if self.sort_column is None:
            return self._seq[key]
        value = self._sort_value(self.rows[key])
        return (_sortable(value, self._sort_as_text), self._seq[key])

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

    # -- filtering ----------------------------------------------------------------

    # The filter searches the formatters' own text (``Column.text``), not the painted
    # text: it is never shown, and checking 100 000 values for control characters
    # would cost the first keystroke 40 ms.

    def _search_text(self, key: str) -> str:
        text = self._search.get(key)
        if text is None:
            row = self.rows[key]
            text = self._search[key] = "\x00".join(
                [column.text(row.get(column.key)) for column in self._searchable]
            ).casefold()
        return text

    def _fill_search(self, keys: Sequence[str]) -> None:
        """Compute the search text of many rows at once (column by column: faster)."""
        search, rows = self._search, self.rows
        missing = [key for key in keys if key not in search and key in rows]
        if not missing:
            return
        row_list = [rows[key] for key in missing]
        columns = []
        for column in self._searchable:
            values = [row.get(column.key) for row in row_list]
            if column.formatter is _default_format:  # Column.text, inlined
                columns.append(["" if value is None else value if type(value) is str
                                else str(value) for value in values])
            else:
                columns.append([column.text(value) for value in values])
        texts: Iterable[str]
        if len(columns) > 1:
            texts = map("\x00".join, zip(*columns))
        else:
            texts = columns[0] if columns else [""] * len(missing)
        for key, text in zip(missing, texts):
            search[key] = text.casefold()

    def matches(self, key: str) -> bool:
        if self._needle and self._needle not in self._search_text(key):
            return False
        return self.row_filter is None or self._accepts(key)

    def _accepts(self, key: str) -> bool:
        """The row filter's verdict on a (present) row."""
        assert self.row_filter is not None
        try:
            return bool(self.row_filter(key, self.rows[key]))
        except Exception:  # noqa: BLE001 - a user callable on API data
            return True  # a broken predicate must not hide data

    # -- diffs ----------------------------------------------------------------------

    def diff_steps(
        self, rows: Mapping[str, Row], full: bool, changes: dict[str, Row],
        removed: list[str],
    ) -> Iterator[None]:
        """Compare ``rows`` with what the model holds, without changing anything.

        Fills ``changes`` (key -> the new row, for changed and new keys) and, when
        ``full``, ``removed`` (keys not in ``rows``).  Yields between slices.
        """
        # Work on key lists, not item tuples: 100 000 live tuples would wake the
        # garbage collector's full (slow) generation in the middle of a load.
        get = self.rows.get
        for chunk in _chunks(list(rows), SLICE):
            for key in [key for key in chunk if get(key) != rows[key]]:
                row = rows[key]
                if type(row) is not dict and not isinstance(row, Mapping):
                    raise TypeError(f"row {key!r} must be a mapping, not {type(row).__name__}")
                changes[key] = row
            yield
        if full:
            for chunk in _chunks(list(self.rows), SLICE * 4):
                removed.extend([key for key in chunk if key not in rows])
                yield

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
        if not self.stale and len(changes) + len(removed) <= self.incremental_limit:
            self._patch_all(changes, removed, delta, skip)
            if delta:
                self.version += 1
            return
        self.stale = delta.moved = True
        self.version += 1
        for chunk in _chunks(removed, SLICE):
            gone = [key for key in chunk if key in rows and key not in skip]
            for key in gone:
                delta.removed[key] = rows.pop(key)
                del self._seq[key]
            self._forget(gone)
            self.version += 1
            yield
        old = delta.old
        for chunk in _chunks(list(changes), SLICE):
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
            self._forget([key])
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

    def _forget(self, keys: Iterable[str]) -> None:
        if self._cells or self._search:
            for key in keys:
                self._cells.pop(key, None)
                self._search.pop(key, None)

    # -- rebuilding -------------------------------------------------------------

    def rebuild_steps(self, sliced: bool = False) -> Iterator[None]:
        """Recompute the visible order.

        Yields between slices; if the rows change meanwhile (``version`` moves), starts
        over, so the result always matches the rows.  ``sliced`` also sorts in runs merged
        pairwise, so that no single step takes long.
        """
        self.stale = True
        while True:
            version = self.version
            order = yield from self._build_order(sliced)
            if version == self.version:
                break
            self._narrow = False  # the rows moved under a narrowing pass: do it all
        self.order = order
        self.stale = self._narrow = False

    def _build_order(self, sliced: bool) -> Iterator[None]:
        rows = self.rows
        if self._narrow:
            # More filter text: keep the current (sorted) order, drop what no longer matches.
            keys = list(self.order)
        else:
            keys = list(rows)  # insertion (seq) order
        if self.filtered:
            matched: list[str] = []
            needle, search = self._needle, self._search
            if needle and len(search) < len(rows):
                # Search texts first, in insertion order (memory order: much quicker than
                # the sorted order for 100 000 rows).
                for chunk in _chunks(list(rows), SLICE):
                    self._fill_search(chunk)
                    yield
            for chunk in _chunks(keys, SLICE):
                if needle:
                    # a row added meanwhile has no text yet; a row gone has none any more
                    self._fill_search(chunk)
                    chunk = [key for key in chunk if needle in search.get(key, "")]
                else:
                    chunk = [key for key in chunk if key in rows]
                if self.row_filter is not None:
                    chunk = [key for key in chunk if self._accepts(key)]
                matched.extend(chunk)
                yield
            keys = matched
        if self.sort_column is None or self._narrow:
            return keys
        return (yield from self._sorted(keys, sliced))

    def _sorted(self, keys: list[str], sliced: bool) -> Iterator[None]:
        """``keys`` (in seq order) sorted like :func:`_sortable` would, ties by seq."""
        rows, as_text = self.rows, self._sort_as_text
        column = self.sort_column
        assert column is not None
        plain = column.sort_key is None and column.compute is None
        value = self._sort_value
        get, name = rows.get, column.key
        normal: dict[str, Any] = {}
        nones: list[str] = []
        for chunk in _chunks(keys, SLICE):
            if plain:  # the common case, without a call per row
                raws = [None if (row := get(key)) is None else row.get(name) for key in chunk]
            else:
                raws = [None if (row := get(key)) is None else value(row) for key in chunk]
            for key, raw in zip(chunk, raws, strict=True):
                if raw is None:
                    nones.append(key)
                elif as_text:
                    normal[key] = str(raw).casefold()
                else:
                    normal[key] = raw.casefold() if type(raw) is str else raw
            yield
        rest = list(normal)
        try:
            ordered = yield from self._sort(rest, normal, sliced)
        except TypeError:  # values of mixed types: compare them as text
            self._sort_as_text = True
            text = {key: str(value(rows[key])).casefold() for key in rest if key in rows}
            ordered = yield from self._sort(list(text), text, sliced)
        return ordered + nones

    @staticmethod
    def _sort(keys: list[str], normal: dict[str, Any], sliced: bool) -> Iterator[None]:
        # Stable sorts keep seq order for ties, as the (value, seq) order key expects.
        key = normal.__getitem__
        if not sliced or len(keys) <= RUN_SIZE:
            keys.sort(key=key)
            return keys
        # Sort runs, then merge them two by two, each merge in slices.
        runs = []
        for start in range(0, len(keys), RUN_SIZE):
            runs.append(sorted(keys[start : start + RUN_SIZE], key=key))
            yield
        while len(runs) > 1:
            merged = []
            for index in range(0, len(runs) - 1, 2):
                merged.append((yield from _merge(runs[index], runs[index + 1], key)))
            if len(runs) % 2:
                merged.append(runs[-1])
            runs = merged
        return runs[0]

    # -- settings -------------------------------------------------------------------

    def set_filter(self, text: str, row_filter: RowFilter | None) -> bool:
        """Change the filter; True if it changed (the caller then runs rebuild_steps).

        Typing more characters only narrows the current order (no re-sort).
        """
        needle = text.casefold()
        if needle == self._needle and row_filter is self.row_filter:
            self.filter_text = text
            return False
        self._narrow = (
            not self.stale and row_filter is self.row_filter and needle.startswith(self._needle)
        )
        self.filter_text, self._needle, self.row_filter = text, needle, row_filter
        self.version += 1
        self.stale = True
        return True

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
        self.sort_column = column
        self._sort_now = self.clock()
        self._sort_as_text = self._narrow = False
        self.version += 1
        self.stale = True
        return True
