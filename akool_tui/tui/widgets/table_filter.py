"""How a :class:`~.table_model.TableModel` builds its visible order: the rows that pass
the filter, sorted (no Textual here). A part of the model (a mixin).

Written as generators of steps, so that the widget can run them at once or in slices
that yield to the event loop. A filter that narrows (more text typed) scans the order
shown in display order: the first matches found are the first rows shown, and the
widget can show a screenful of them (:meth:`OrderBuilding.take_preview`) while the scan
goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from itertools import repeat
from typing import TYPE_CHECKING, Any

from .table_order import SLICE, chunks, sorted_keys
from .table_scan import SCAN_FROM, SEPARATOR, scan_rows
from .table_sorts import keepable

if TYPE_CHECKING:
    from .table_cells import RowTexts
    from .table_sorts import OrderCache
    from .table_rows import Column, Row, RowFilter

#: A narrowing pass builds missing search texts slice by slice in display order (so
#: that a screenful of matches shows early) until a screenful is shown or this share of
#: the rows is scanned; then the rest at once in memory order (1.5x quicker).
PREVIEW_SHARE = 0.2


class OrderBuilding:
    """The filter, and rebuilding the visible order, of a TableModel."""

    rows: dict[str, Row]
    order: list[str]
    reverse: bool
    sort_column: Column | None
    texts: RowTexts
    filter_text: str
    row_filter: RowFilter | None
    stale: bool
    version: int
    _needle: str
    _narrow: bool
    _sort_as_text: bool
    _base: list[str] | None
    _base_needle: str
    _found: list[str] | None
    _previewed: bool
    _pass_reverse: bool
    filtered: bool  # (the model's property)
    _sort_value: Callable[[Row], Any]
    _value_by: Callable[[Column, Row], Any]
    order_key_by: Callable[[Column], Callable[[str], Any]]
    columns: tuple[Column, ...]
    _order_key: Callable[[str], Any]
    sorts: OrderCache
    #: the column a build sorted every row by (its order is then kept), else None
    _sorted_all: str | None = None

    # -- filtering ----------------------------------------------------------------

    def matches(self, key: str) -> bool:
        if self._needle and self._needle not in self.texts.search_text(key):
            return False
        return self.row_filter is None or self._accepts(key)

    def _accepts(self, key: str) -> bool:
        """The row filter's verdict on a (present) row."""
        assert self.row_filter is not None
        try:
            return bool(self.row_filter(key, self.rows[key]))
        except Exception:  # noqa: BLE001 - a user callable on API data
            return True  # a broken predicate must not hide data

    def rebuild_steps(self, sliced: bool = False) -> Iterator[None]:
        """Recompute the visible order.

        Yields between slices; if the rows change meanwhile (``version`` moves), starts
        over, so the result always matches the rows.  ``sliced`` also sorts in runs merged
        pairwise, so that no single step takes long.
        """
        self.stale = True
        try:
            while True:
                version = self.version
                self._sorted_all = None
                order = yield from self._build_order(sliced)
                if version == self.version:
                    break
                self._narrow = False  # the rows moved under a narrowing pass: do it all
                self._base = None
        finally:
            self._found = None
        if self._sorted_all is not None and not self._sort_as_text:
            self.sorts.put(self._sorted_all, order)  # every row sorted: kept for next time
        self.order = order
        self.stale = self._narrow = False
        self._base = None

    def _build_order(self, sliced: bool) -> Iterator[None]:
        rows = self.rows
        self._found, self._previewed = None, False
        narrow = self._narrow
        # (the order is kept ascending: a narrowing pass reads it the way shown when it
        # started, and turns its result back by the same, whatever the sort does meanwhile)
        self._pass_reverse = backwards = self.reverse
        presorted = False
        if narrow:
            # More filter text: keep the (sorted) order, drop what no longer matches. In
            # display order, so that the first matches found are the first rows shown.
            keys = list(self._base if self._base is not None else self.order)
            if backwards:
                keys.reverse()
        elif (kept := self._kept_order()) is not None:
            # the sort column's order is kept: its rows in that order, filtered, are the
            # result (no sort; a filter scans them in that order)
            keys, presorted = kept, True
        else:
            keys = list(rows)  # insertion (seq) order
        # every row, in the order of ``keys``: a sort reads them without looking each up
        every = None if narrow or presorted or self.filtered else list(rows.values())
        if self.filtered:
            matched: list[str] = []
            needle, search = self._needle, self.texts.search
            if needle and self._by_column(keys):
                # most texts are not built (the first keystroke after a load): match
                # the columns' texts, without building the rows' (table_scan)
                hits = yield from scan_rows(rows, keys, self.texts.searchable, needle)
                keys, needle = list(filter(hits.__contains__, keys)), ""
            elif needle and len(search) < len(rows) and not narrow:
                yield from self._fill_all()
            late = len(keys) * PREVIEW_SHARE // SLICE
            for index, chunk in enumerate(chunks(keys, SLICE)):
                if needle:
                    if len(search) < len(rows):
                        if narrow and (self._previewed or index >= late):
                            # a screenful is shown (or not coming soon): build the rest
                            yield from self._fill_all()
                        # a row added meanwhile has no text yet; a row gone has none
                        self.texts.fill_search(chunk)
                    # (the texts first, then the test: 40 % quicker than one comprehension)
                    found = list(map(search.get, chunk, repeat("")))
                    chunk = [key for key, text in zip(chunk, found) if needle in text]
                else:
                    chunk = [key for key in chunk if key in rows]
                if self.row_filter is not None:
                    chunk = [key for key in chunk if self._accepts(key)]
                matched.extend(chunk)
                if narrow and not self._previewed:
                    self._found = matched
                yield
            keys = matched
        if narrow:
            if backwards:
                keys.reverse()
            return keys
        if presorted or self.sort_column is None:
            return keys
        if every is not None and keepable(self.sort_column):
            self._sorted_all = self.sort_column.key
        return (yield from self._sorted(keys, sliced, every))

    def _kept_order(self) -> list[str] | None:
        """The sort column's full order, if it is kept (:mod:`.table_sorts`)."""
        column = self.sort_column
        if column is None or self._sort_as_text or column.key not in self.sorts:
            return None
        return self.sorts.take(column.key, self.rows, self._order_key)

    def _by_column(self, keys: list[str]) -> bool:
        """Whether a scan of ``keys`` is quicker by column (:mod:`.table_scan`): many
        rows, most of their search texts missing, a needle that spans no two texts."""
        missing = len(self.rows) - len(self.texts.search)
        return (len(keys) >= SCAN_FROM and missing >= SCAN_FROM and missing * 2 >= len(keys)
                and "\x00" not in self._needle and SEPARATOR not in self._needle)

    def _fill_all(self) -> Iterator[None]:
        """The missing search texts, in insertion order (memory order: much quicker
        than the sorted order for 100 000 rows)."""
        for chunk in chunks(list(self.rows), SLICE):
            self.texts.fill_search(chunk)
            yield

    def take_preview(self, want: int) -> bool:
        """While a narrowing pass runs: if it found at least ``want`` matches, show
        them (the first rows of the result, in its order) as the order until it ends.
        Once per pass; True if it did."""
        found = self._found
        if found is None or len(found) < want or not self.stale:
            return False
        self._found, self._previewed = None, True
        self.order = found[::-1] if self._pass_reverse else list(found)
        return True

    def _sorted(self, keys: list[str], sliced: bool, every: list[Row] | None = None
                ) -> Iterator[None]:
        column = self.sort_column
        assert column is not None
        return (yield from sorted_keys(keys, self.rows, column, self._sort_value,
                                       self._sort_as_text, sliced, self._compare_as_text,
                                       every))

    def presort_steps(self, column: Column) -> Iterator[None]:
        """Sort every row by ``column`` and keep that order (:mod:`.table_sorts`), for
        a later sort by it. The rows that change meanwhile are taken back in when it is
        used, as a kept order's; nothing is kept if too many changed, or if the values
        were of mixed types. The visible order is left alone."""
        rows, sorts = self.rows, self.sorts
        mixed: list[bool] = []
        watch = sorts.watch()
        try:
            order = yield from sorted_keys(list(rows), rows, column,
                                           partial(self._value_by, column), False, True,
                                           lambda: mixed.append(True), list(rows.values()))
        finally:
            sorts.unwatch(watch)
        if watch.spoiled or not keepable(column):
            return
        if not mixed:
            sorts.put(column.key, order, watch.keys)
        elif not watch.keys:  # (a row changed meanwhile may have made them mixed)
            sorts.mixed.add(column.key)

    def to_freshen(self, least: int) -> list[Column]:
        """The columns whose kept order has at least ``least`` changed rows to take back
        in. Not the sort column's while its order is the visible one (every row, patched
        in place as rows change: it is kept as it is when the sort moves on)."""
        kept, whole = self.sorts.kept, not self.filtered
        return [column for column in self.columns
                if column.key in kept and len(kept[column.key].dirty) >= least
                and not (whole and column is self.sort_column)]

    def freshen_kept(self, least: int) -> bool:
        """Take the rows changed since back into one kept order with at least ``least``
        of them (a bisect each: see :meth:`to_freshen`), before they are too many and it
        is dropped; True if there was one."""
        for column in self.to_freshen(least)[:1]:
            self.sorts.take(column.key, self.rows, self.order_key_by(column))
            return True
        return False

    def _compare_as_text(self) -> None:
        """The sort column holds values of mixed types: compare them as text."""
        self._sort_as_text = True

    def set_filter(self, text: str, row_filter: RowFilter | None) -> bool:
        """Change the filter; True if it changed (the caller then runs rebuild_steps).

        Typing more characters only narrows the current order (no re-sort).
        """
        needle = text.casefold()
        if needle == self._needle and row_filter is self.row_filter:
            self.filter_text = text
            return False
        base: list[str] | None = None
        if not self.stale:  # the order is whole: a narrowing pass starts from it
            base, base_needle = self.order, self._needle
        elif self._base is not None:  # typed on while a narrowing pass runs: its start
            base, base_needle = self._base, self._base_needle
        self._narrow = (base is not None and row_filter is self.row_filter
                        and needle.startswith(base_needle))
        self._base, self._base_needle = (base, base_needle) if self._narrow else (None, "")
        self.filter_text, self._needle, self.row_filter = text, needle, row_filter
        self.version += 1
        self.stale = True
        return True

