"""The text of a table's rows, cached (no Textual here): what each cell paints, what the
filter searches, and the live cells (countdowns) of the rows in view.

A :class:`RowTexts` belongs to one :class:`~.table_model.TableModel` and reads its rows
mapping; the model forgets a row's texts whenever the row changes.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Any

from .table_rows import Column, Row
from .table_scan import texts_of

#: a row's live cells: the computed values and their texts, one per live column
LiveCells = tuple[tuple[Any, ...], tuple[str, ...]]


class RowTexts:
    """Formatted cells, search texts and live cells by row key."""

    def __init__(self, columns: Sequence[Column], rows: Mapping[str, Row],
                 clock: Callable[[], Any]) -> None:
        self.columns = tuple(columns)
        #: the model's rows (the same mapping, changed in place by the model)
        self.rows = rows
        #: the columns the filter searches, in order
        self.searchable = [column for column in self.columns if column.is_searchable]
        self._cells: dict[str, tuple[str, ...]] = {}
        #: search text by key (casefolded); cleared by a bench to measure a cold filter
        self.search: dict[str, str] = {}
        #: keys of the rows whose search text is not built yet since they were added or
        #: changed, in that order (a set kept in order): :meth:`take_unsearched`
        self.unsearched: dict[str, None] = {}
        #: indexes of the live columns, and each one's slot in a row's live cells
        self.live_indexes = [i for i, column in enumerate(self.columns) if column.live]
        self.live_slot = {index: slot for slot, index in enumerate(self.live_indexes)}
        #: "now" of the live cells computed last
        self.now: Any = clock()
        #: live cells of the rows last painted or ticked
        self.live: dict[str, LiveCells] = {}

    # -- painted cells ----------------------------------------------------------------

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

    def forget(self, keys: Sequence[str], gone: bool = False) -> None:
        """Drop the cached cells and search texts of changed rows (``gone``: removed
        rows, which then need no search text either)."""
        if self._cells or self.search:
            for key in keys:
                self._cells.pop(key, None)
                self.search.pop(key, None)
        if not gone:
            self.unsearched.update(dict.fromkeys(keys))
        elif self.unsearched:
            for key in keys:
                self.unsearched.pop(key, None)

    # -- search texts -----------------------------------------------------------------

    # The filter searches the formatters' own text (``Column.text``), not the painted
    # text: it is never shown, and checking 100 000 values for control characters
    # would cost the first keystroke 40 ms.

    def search_text(self, key: str) -> str:
        text = self.search.get(key)
        if text is None:
            row = self.rows[key]
            text = self.search[key] = "\x00".join(
                [column.text(row.get(column.key)) for column in self.searchable]
            ).casefold()
        return text

    def take_unsearched(self) -> list[str]:
        """The keys of the rows changed or added since the last call (to build their
        search texts ahead of a filter, see ``table_search``)."""
        keys = list(self.unsearched)
        self.unsearched = {}
        return keys

    def fill_search(self, keys: Sequence[str]) -> None:
        """Compute the search text of many rows at once (column by column: faster)."""
        search, rows = self.search, self.rows
        missing = [key for key in keys if key not in search and key in rows]
        if not missing:
            return
        row_list = [rows[key] for key in missing]
        columns = []
        for column in self.searchable:
            columns.append(texts_of(column, column.values_of(row_list)) or [])
        texts: Iterable[str]
        if len(columns) > 1:
            texts = map("\x00".join, zip(*columns))
        else:
            texts = columns[0] if columns else [""] * len(missing)
        for key, text in zip(missing, texts):
            search[key] = text.casefold()

    # -- live cells -------------------------------------------------------------------

    def compute_live(self, row: Row) -> LiveCells:
        columns = self.columns
        values = tuple(columns[i].value(row, self.now) for i in self.live_indexes)
        texts = tuple(columns[i].format(value) for i, value in zip(self.live_indexes, values))
        return values, texts

    def live_cells(self, key: str) -> LiveCells:
        """A row's live cells (as of the last tick; computed now when not cached)."""
        if not self.live_indexes:
            return (), ()
        cells = self.live.get(key)
        if cells is None:
            cells = self.live[key] = self.compute_live(self.rows[key])
        return cells

    def forget_live(self, keys: Container[str]) -> None:
        """Drop cached live cells of changed rows (they are computed from the row)."""
        if self.live:
            self.live = {key: cells for key, cells in self.live.items() if key not in keys}

    def tick(self, keys: Sequence[str], now: Any) -> list[tuple[int, int]]:
        """Recompute the live cells of ``keys`` (the rows in view, top to bottom) at
        ``now``; the others are dropped. Returns the (line, column index) of each cell
        whose text changed."""
        self.now = now
        changed: list[tuple[int, int]] = []
        live: dict[str, LiveCells] = {}
        for line, key in enumerate(keys):
            row = self.rows.get(key)
            if row is None:
                continue
            old = self.live.get(key)
            new = live[key] = self.compute_live(row)
            if old is None or old[1] != new[1]:
                changed.extend(
                    (line, index) for slot, index in enumerate(self.live_indexes)
                    if old is None or old[1][slot] != new[1][slot]
                )
        self.live = live
        return changed
