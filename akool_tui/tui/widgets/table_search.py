"""Search texts built ahead of the filter: a part of
:class:`~akool_tui.tui.widgets.live_table.LiveTable` (a mixin).

The filter searches each row's search text (:class:`.table_cells.RowTexts`). Built when
the first character is typed, the texts of 100 000 rows took ~150 ms of CPU before any
match could show. So a big table builds them while it is idle: after a load, and after
each change for the rows that changed only (``RowTexts.unsearched``), a few ms a slice,
yielding to the event loop between slices. A filter typed before they are all built
builds the rest itself (``TableModel.rebuild_steps``), as before.
"""

from __future__ import annotations

import asyncio
from time import perf_counter
from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

from ..input_gate import give_way
from .table_order import chunks

if TYPE_CHECKING:
    from .table_cells import RowTexts
    from .table_model import TableModel

#: Tables with at least this many rows build their search texts ahead (smaller ones
#: build them when the filter is typed: 5 000 rows take a few ms).
INDEX_FROM = 5_001
#: CPU seconds of one slice before yielding, and rows built between two looks at the clock.
INDEX_BUDGET, INDEX_STEP = 0.003, 250
#: seconds to wait after a change before building (a burst of changes, its repaint first),
#: and between two looks while a load, sort or filter is running
INDEX_DELAY = 0.05


class SearchIndexing:
    """Builds a big table's search texts at idle, for the rows added or changed."""

    _model: TableModel
    _texts: RowTexts
    _search_worker: Worker[None] | None = None

    @property
    def search_ready(self) -> bool:
        """True when every row's search text is built (a filter then only scans)."""
        return not self._texts.unsearched and self._search_worker is None

    def _index_search_soon(self) -> None:
        """Start building the missing search texts in the background, if the table is
        big and no build is running already."""
        if (self._search_worker is not None or not self._texts.unsearched
                or len(self._model.rows) < INDEX_FROM or not self.is_running):
            return
        self._search_worker = self.run_worker(
            self._index_search(), group="live-table-search", exclusive=True
        )

    def _stop_indexing(self) -> None:
        if self._search_worker is not None:
            self._search_worker.cancel()
            self._search_worker = None

    async def _index_search(self) -> None:
        worker = get_current_worker()
        texts = self._texts
        try:
            while texts.unsearched:
                await asyncio.sleep(INDEX_DELAY)
                if self.pending:  # a load or reorder runs: it comes back here after
                    continue
                keys = texts.take_unsearched()
                started = perf_counter()
                for chunk in chunks(keys, INDEX_STEP):
                    # rows removed meanwhile are skipped; rows changed meanwhile are
                    # in ``unsearched`` again and rebuilt in the next round
                    texts.fill_search(chunk)
                    if perf_counter() - started > INDEX_BUDGET:
                        await give_way()  # (a key typed meanwhile: its frame first)
                        started = perf_counter()
        finally:
            if self._search_worker is worker:
                self._search_worker = None
