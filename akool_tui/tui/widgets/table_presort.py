"""Sorted orders built ahead, while the table is idle: a part of
:class:`~akool_tui.tui.widgets.live_table.LiveTable` (a mixin).

A sort of 100 000 rows by a column it was never sorted by reads every row's value and
sorts them (50-160 ms until painted in the console). A sort by a column whose order the
model keeps (:mod:`.table_sorts`) only takes it back (10-45 ms until painted, most of
it the repaint and the way of the key). So a big table sorts its other columns while it is idle, after a load or a
change, in slices of a few ms that yield to the event loop, the next columns of the
``s`` cycle first; the search texts (:mod:`.table_search`) are built before.
"""

from __future__ import annotations

import asyncio
from time import perf_counter
from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

from ...core.memory import release_free_memory_soon
from .table_search import INDEX_DELAY
from .table_sorts import keepable

if TYPE_CHECKING:
    from .table_model import TableModel
    from .table_rows import Column

#: Tables with at least this many rows sort their columns ahead (a sort of 20 000 rows
#: takes 10-30 ms: not worth the CPU and the memory of an order per column).
PRESORT_FROM = 20_000
#: CPU seconds of one slice of a sort ahead before yielding.
PRESORT_BUDGET = 0.003
#: a kept order with this many changed rows takes them back in at idle (a bisect each:
#: a few ms), before more drop it (:data:`.table_sorts.DIRTY_LIMIT`) and it must be
#: sorted again in full
FRESHEN_AT = 64


class Presorting:
    """Sorts a big table's columns at idle, so that a sort by one takes a kept order."""

    _model: TableModel
    _presort_worker: Worker[None] | None = None

    def _presort_soon(self) -> None:
        """Start sorting the columns without a kept order in the background, if the
        table is big and that is not running already."""
        if (self._presort_worker is not None or len(self._model.rows) < PRESORT_FROM
                or not self.is_running or not (self._unsorted() or self._to_freshen())):
            return
        self._presort_worker = self.run_worker(
            self._presort(), group="live-table-presort", exclusive=True
        )

    def _stop_presorting(self) -> None:
        if self._presort_worker is not None:
            self._presort_worker.cancel()
            self._presort_worker = None

    def _unsorted(self) -> list[Column]:
        """The sortable columns on screen with no kept order, in the order of the ``s``
        cycle from the sort column (a column a narrow table hides is not sorted ahead:
        neither ``s`` nor a click reaches it)."""
        model = self._model
        shown = [column for column in self.shown_columns() if column.sortable]
        current = model.sort_column
        if current in shown:
            at = shown.index(current) + 1
            shown = shown[at:] + shown[:at]
        sorts = model.sorts
        return [column for column in shown if keepable(column)
                and column.key not in sorts and column.key not in sorts.mixed]

    def _to_freshen(self) -> bool:
        return bool(self._model.to_freshen(FRESHEN_AT))

    def _busy(self) -> bool:
        """A load, sort or filter runs, or the search texts are being built."""
        return self.pending or getattr(self, "_search_worker", None) is not None

    async def _presort(self) -> None:
        worker = get_current_worker()
        model = self._model
        sorted_any = False
        try:
            while len(model.rows) >= PRESORT_FROM and (
                    (todo := self._unsorted()) or self._to_freshen()):
                await asyncio.sleep(INDEX_DELAY)
                if self._busy():  # it comes back here after
                    continue
                if model.freshen_kept(FRESHEN_AT) or not todo:
                    continue
                steps = model.presort_steps(todo[0])
                started = perf_counter()
                for _ in steps:
                    if perf_counter() - started > PRESORT_BUDGET:
                        await asyncio.sleep(0)
                        if self._busy():  # a sort or a change goes first: again later
                            steps.close()
                            break
                        started = perf_counter()
                sorted_any = True
            if sorted_any:  # the sorts' values (100 000 strings a column) are freed
                release_free_memory_soon()
        finally:
            if self._presort_worker is worker:
                self._presort_worker = None
