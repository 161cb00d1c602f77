"""How a :class:`~akool_tui.tui.widgets.live_table.LiveTable` follows its model: after
a diff, a sort or a filter the cursor stays on its row and the view on the same rows,
and only the lines (or, for live columns, the cells) that changed are repainted. Big
loads, sorts and filters run in slices that yield to the event loop; a newer change
supersedes one in flight.

:class:`TableSync` is a part of ``LiveTable`` (a mixin: it works on the table's model,
cursor and scroll offset).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from time import perf_counter
from typing import TYPE_CHECKING, Any

from textual.geometry import Region
from textual.worker import Worker, get_current_worker

from ..input_gate import give_way
from .table_rows import Delta, Row, RowFilter, RowsInput, diff_rows, normalise_rows

if TYPE_CHECKING:
    from .table_cells import RowTexts
    from .table_model import TableModel

#: Tables with more rows than this sort and filter in slices, in the background.
SYNC_REORDER_LIMIT = 5_000
#: Longest slice (seconds) of a background load, sort or filter before yielding. With a
#: step of up to ~3 ms on top, a key waits at most ~10 ms on a quiet machine (at 10 ms
#: slices the longest block at 100 000 rows was 40-70 ms on a loaded 2-core machine).
SLICE_BUDGET = 0.004
#: A filter still scanning after this many seconds shows the first screenful of matches
#: it found (one more frame to paint: not worth it for a scan that ends sooner).
PREVIEW_AFTER = 0.05


@dataclass(frozen=True, slots=True)
class _View:
    """What was on screen before a change: keys per body line, scroll, row count."""

    keys: list[str]
    scroll_y: int
    count: int


def _drain(steps: Iterator[None]) -> None:
    """Run a step generator to the end."""
    for _ in steps:
        pass


class TableSync:
    """Keeps a LiveTable's cursor, scroll and paint in step with its model."""

    _model: TableModel
    _texts: RowTexts
    _cursor_key: str | None
    _cursor_index: int
    _header_height: int
    _body_height: int
    _offsets: list[int]
    _widths: list[int]
    _load_generation: int
    _touched: set[str] | None
    _repaint_all_pending: bool
    _reorder_worker: Worker[None] | None

    # -- Textual's hooks --------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self._hold_scroll_paint:
            # Rows above the view changed and the view was moved to show the same rows:
            # nothing on screen changes except the scrollbar.
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.position = new_value
            return
        super().watch_scroll_y(old_value, new_value)

    # -- repainting -------------------------------------------------------------------

    def _view(self) -> _View:
        return _View(self._visible_keys(), self.scroll_offset.y, len(self._model))

    def _refresh_line(self, y: int) -> None:
        """Repaint one line of the widget (y relative to the top, header included)."""
        self.refresh(Region(0, y, self.size.width, 1))

    def _refresh_index(self, index: int) -> None:
        line = index - self.scroll_offset.y
        if 0 <= line < self._body_height:
            self._refresh_line(self._header_height + line)

    def _cell_runs(self, cells: list[tuple[int, int]], header: int) -> list[Region]:
        """Regions covering changed cells, one per run of adjacent lines in a column
        (fewer regions make a cheaper screen update than one per cell)."""
        regions: list[Region] = []
        for index in sorted({index for _, index in cells}):
            lines = sorted(line for line, column in cells if column == index)
            start = previous = lines[0]
            for line in [*lines[1:], None]:
                if line is not None and line == previous + 1:
                    previous = line
                    continue
                region = self._cell_region(header + start, index)
                if region is not None:
                    regions.append(region._replace(height=previous - start + 1))
                if line is not None:
                    start = previous = line
        return regions

    def _cell_region(self, y: int, column_index: int) -> Region | None:
        """The region of one cell's text on line ``y`` (the spaces either side never
        change), or None if it is scrolled out of view."""
        start = self._offsets[column_index] + 1 - self.scroll_offset.x
        end = min(self.size.width, start + self._widths[column_index])
        start = max(0, start)
        return Region(start, y, end - start, 1) if end > start else None

    def _repaint_all(self) -> None:
        self._repaint_all_pending = False
        self._update_virtual_size()
        self.refresh()

    # -- applying changes -------------------------------------------------------------

    def _cancel_load(self) -> None:
        self._load_generation += 1
        self._touched = None

    async def _drain_async(self, steps: Iterator[None], generation: int, budget: float) -> bool:
        """Run steps, yielding to the event loop every ``budget`` seconds.

        Returns False (and stops) if another load superseded this one.
        """
        started = perf_counter()
        for _ in steps:
            if perf_counter() - started > budget:
                await give_way()  # (a key typed meanwhile: its frame first)
                if generation != self._load_generation:
                    steps.close()
                    return False
                started = perf_counter()
        return generation == self._load_generation

    async def _load_async(self, rows: RowsInput, budget: float) -> None:
        """:meth:`LiveTable.set_rows_async`: the diff, the commit and the rebuild, each in
        slices of about ``budget`` seconds; a newer load or change supersedes it."""
        self._cancel_load()
        generation = self._load_generation
        self._touched = set()
        try:
            rows = normalise_rows(rows)
            changes: dict[str, dict[str, Any]] = {}
            removed: list[str] = []
            steps = diff_rows(self._model.rows, rows, True, changes, removed)
            if not await self._drain_async(steps, generation, budget):
                return
            await self._commit_async(changes, removed, generation, budget)
        finally:
            if generation == self._load_generation:
                self._touched = None

    def apply_changes(self, changes: Mapping[str, Row], removed: Iterable[str] = ()) -> None:
        """Add or replace the rows in ``changes`` and remove the keys in ``removed``, in
        one go (one repaint); the rows not named are left as they are. For thousands of
        rows in a big table prefer :meth:`apply_changes_async`."""
        rows = self._model.rows
        removed = [key for key in removed if key in rows]
        changes = {key: row for key, row in changes.items() if rows.get(key) != row}
        if self._touched is not None:  # newer than the sliced load in flight
            self._touched.update(changes)
            self._touched.update(removed)
        self._commit(changes, removed)

    async def apply_changes_async(self, changes: Mapping[str, Row], removed: Iterable[str] = (),
                                  *, budget: float = SLICE_BUDGET) -> None:
        """:meth:`apply_changes` in slices that yield to the event loop every ``budget``
        seconds (store, then rebuild the order). Like :meth:`set_rows_async` it
        supersedes a load in flight, and ``update_row`` meanwhile wins: callers with
        several to apply await one before starting the next."""
        self._cancel_load()
        generation = self._load_generation
        self._touched = set()
        try:
            await self._commit_async(dict(changes), list(removed), generation, budget)
        finally:
            if generation == self._load_generation:
                self._touched = None

    async def _commit_async(self, changes: dict[str, Row], removed: list[str], generation: int,
                            budget: float) -> None:
        if not changes and not removed:
            return
        before = self._view()
        delta = Delta()
        touched = self._touched if self._touched is not None else frozenset()
        steps = self._model.commit_steps(changes, removed, delta, touched)
        if not await self._drain_async(steps, generation, budget):
            self._repaint_all_pending = True  # superseded: the next change repaints
            return
        self._drop_marks()
        if not self._model.stale:
            self._apply(delta, before)  # a small diff, patched in place
            return
        self._repaint_all_pending = True  # if superseded, the next change repaints
        steps = self._model.rebuild_steps(sliced=True)
        if not await self._drain_async(steps, generation, budget):
            return
        # The user may have moved while the order was rebuilt: keep the cursor row
        # where it is on screen now.
        self._texts.forget_live(delta.old)
        self._after_reorder(self._cursor_index - self.scroll_offset.y)

    def _commit(self, changes: dict[str, dict[str, Any]], removed: list[str]) -> None:
        if not changes and not removed:
            return
        before = self._view()
        delta = self._model.commit(changes, removed)
        self._drop_marks()
        if self._model.stale:
            if self.pending:
                # A sliced load or reorder is rebuilding the order: it starts over (the
                # version moved) and repaints when done.
                self._texts.forget_live(delta.old)
                self._repaint_all_pending = True
                return
            _drain(self._model.rebuild_steps())
        self._apply(delta, before)

    def _drop_marks(self) -> None:
        """Forget marks of rows that are gone."""
        if self._model.drop_gone_marks():
            self.post_message(self.MarksChanged(self, frozenset(self._model.marks)))

    def _apply(self, delta: Delta, before: _View) -> None:
        """Fix cursor and scroll after a diff, and repaint the lines that changed."""
        model = self._model
        self._texts.forget_live(delta.old)
        old_key, old_index = self._cursor_key, self._cursor_index
        count = len(model)
        index = model.index_of(old_key) if old_key is not None else None
        if index is None:
            index = max(0, min(old_index, count - 1))
        self._cursor_key = model.key_at(index) if count else None
        self._cursor_index = index if count else 0
        self._update_virtual_size()

        body = self._body_height
        scroll_y = before.scroll_y
        if delta.moved and scroll_y > 0:
            scroll_y = self._anchored_scroll(before, old_key, old_index)
        if self._cursor_key is not None and not scroll_y <= index < scroll_y + body:
            scroll_y = index if index < scroll_y else index - body + 1
        scroll_y = max(0, min(scroll_y, count - body))
        after = model.window(scroll_y, body)

        grew = self._grow_columns(after)
        if (grew or self._repaint_all_pending or (before.count == 0) != (count == 0)
                or count == 0):
            self._set_scroll_y(scroll_y, hold=False)
            self._repaint_all()
        else:
            self._set_scroll_y(scroll_y, hold=after == before.keys)
            header = self._header_height
            old_cursor_line = old_index - before.scroll_y
            new_cursor_line = self._cursor_index - scroll_y
            for line in range(body):
                key = after[line] if line < len(after) else None
                was = before.keys[line] if line < len(before.keys) else None
                if (key != was or (key is not None and key in delta.old)
                        or (line in (old_cursor_line, new_cursor_line)
                            and old_cursor_line != new_cursor_line)):
                    self._refresh_line(header + line)
        if self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))
        self._index_search_soon()
        self._presort_soon()

    def _anchored_scroll(self, before: _View, old_key: str | None, old_index: int) -> int:
        """Scroll offset that keeps the same rows in view after rows above changed."""
        model = self._model
        line = old_index - before.scroll_y
        if old_key is not None and 0 <= line < len(before.keys):
            index = model.index_of(old_key)
            if index is not None:
                return index - line
        for line, key in enumerate(before.keys):
            index = model.index_of(key)
            if index is not None:
                return index - line
        return before.scroll_y

    # -- sorting and filtering --------------------------------------------------------

    def _set_filter(self, text: str, predicate: RowFilter | None) -> None:
        if self._model.set_filter(text, predicate):
            self._reorder(self._cursor_index - self.scroll_offset.y)

    def _reorder(self, cursor_line: int) -> None:
        """Rebuild the order after a sort or filter change, then repaint.

        Small tables do it at once; big ones in slices in a task, so typing in a filter
        box never waits on 100 000 rows (a newer change supersedes the running one).
        """
        if self._reorder_worker is not None:
            self._reorder_worker.cancel()
            self._reorder_worker = None
        if len(self._model.rows) <= SYNC_REORDER_LIMIT or not self.is_running:
            _drain(self._model.rebuild_steps())
            self._after_reorder(cursor_line)
            return
        self._reorder_worker = self.run_worker(
            self._reorder_async(cursor_line), group="live-table-reorder", exclusive=True
        )

    async def _reorder_async(self, cursor_line: int) -> None:
        worker = get_current_worker()
        model = self._model
        # the row the cursor was on: kept if it matches, even when a preview moved it
        old_key, want = self._cursor_key, max(1, self._body_height)
        shown = old_key
        started = begun = perf_counter()
        for _ in model.rebuild_steps(sliced=True):
            # a filter done within PREVIEW_AFTER shows once; a longer one shows a preview
            if perf_counter() - begun > PREVIEW_AFTER and model.take_preview(want):
                # a screenful of the first matches: shown now, the scan goes on
                self._after_reorder(cursor_line, old_key, first=True)
                shown = self._cursor_key
                await asyncio.sleep(0)
                started = perf_counter()
            elif perf_counter() - started > SLICE_BUDGET:
                await asyncio.sleep(0)
                started = perf_counter()
        if self._reorder_worker is worker:
            self._reorder_worker = None
            # the user moved the cursor meanwhile: that row stays
            keep = old_key if self._cursor_key == shown else self._cursor_key
            self._after_reorder(cursor_line, keep)

    def _after_reorder(self, cursor_line: int, old_key: str | None = None,
                       first: bool = False) -> None:
        """After a sort or filter change: keep the cursor row (``old_key``, or the row it
        is on now), at the same screen line; else the same line (``first``: the first)."""
        model = self._model
        count = len(model)
        index = model.index_of(old_key) if old_key is not None else None
        old_key = self._cursor_key
        if index is None and old_key is not None:
            index = model.index_of(old_key)
        if index is None:
            index = 0 if first else max(0, min(self._cursor_index, count - 1))
        self._cursor_key = model.key_at(index) if count else None
        self._cursor_index = index if count else 0
        self._layout_columns()
        body = self._body_height
        scroll_y = max(0, min(index - max(0, min(cursor_line, body - 1)), count - body))
        if first:
            # a preview: the scroll range stays until the scan ends (resizing it made
            # Textual lay the screen out again: 5-10 ms more in one go, for a frame)
            self._set_scroll_y(scroll_y, hold=False)
            self.refresh()
        else:
            self._update_virtual_size()
            self._set_scroll_y(scroll_y, hold=False)
            self._repaint_all()
        if self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))
        self._index_search_soon()
        self._presort_soon()
