"""`LiveTable`: a virtual table for thousands of live rows, on Textual's Line API.

Textual's ``DataTable`` repaints the whole table on any change.  ``LiveTable`` is a
``ScrollView`` whose ``render_line`` renders only the rows in view, and every change
refreshes only the lines (or, for countdowns, the cells) that changed:

* ``set_rows`` takes the full row set and applies a *diff* against what the table holds:
  identical values are never re-set and cause no repaint; changed rows repaint their line
  if it is in view; rows that vanished are removed; new rows are added.
* live columns (``Column(live=True, compute=...)``) are recomputed once a second for the
  visible rows only, and only the cells whose text changed are repainted.
* the cursor stays on the same row key across diffs, sorts and filters; when rows above
  the view come and go the view stays on the same rows.

Where things are:

* the data (no Textual): :mod:`.table_model` (rows, diffs, the filtered and sorted
  order, marks), :mod:`.table_rows` (``Column``, row sets, comparing them),
  :mod:`.table_order` (sorting in steps), :mod:`.table_sorts` (sorted orders kept),
  :mod:`.table_cells` (cached cell, search and live texts);
* the widget: this module (the public API, messages, Textual's hooks) and its parts
  :mod:`.table_paint` (column layout, painting lines), :mod:`.table_cursor` (keys,
  mouse, the cursor), :mod:`.table_sync` (cursor, scroll and repaints kept in step
  with the model), :mod:`.table_search` and :mod:`.table_presort` (idle work).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.worker import Worker

from .table_cursor import TableCursor
from .table_model import TableModel
from .table_paint import TablePaint, _Frame
from .table_presort import Presorting
from .table_rows import Column, Row, RowFilter, RowsInput, diff_rows, normalise_rows, utc_now
from .table_search import SearchIndexing
from .table_sync import SLICE_BUDGET, TableSync, _drain

__all__ = ["Column", "LiveTable"]


class LiveTable(TableCursor, TableSync, SearchIndexing, Presorting, TablePaint, ScrollView,
                can_focus=True, inherit_bindings=False):
    """A virtual, diff-updated table of rows identified by string keys.

    Args:
        columns: The columns, left to right.
        empty_text: Shown when the table holds no rows.
        no_match_text: Shown when rows exist but none passes the filter; ``{filter}`` is
            replaced by the filter text.
        zebra_stripes: Alternate row backgrounds.
        show_header: Show the header line.
        clock: Gives "now" for live columns (injectable for tests).
        live_interval: Seconds between live-column updates.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="live_table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="live_table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="live_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="live_table.page_down"),
        Binding("home", "cursor_home", "First", show=False, id="live_table.home"),
        Binding("end", "cursor_end", "Last", show=False, id="live_table.end"),
        Binding("left", "scroll_left", "Left", show=False, id="live_table.left"),
        Binding("right", "scroll_right", "Right", show=False, id="live_table.right"),
        Binding("enter", "select_cursor", "Select", show=False, id="live_table.select"),
        Binding("space", "toggle_mark", "Mark", id="live_table.mark",
                tooltip="Mark or unmark the row under the cursor"),
        Binding("s", "cycle_sort", "Sort", id="live_table.sort",
                tooltip="Sort by the next column"),
        Binding("S", "reverse_sort", "Reverse", show=False, id="live_table.reverse",
                tooltip="Reverse the sort order"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "live-table--header",
        "live-table--cursor",
        "live-table--marked",
        "live-table--mark",
        "live-table--even-row",
        "live-table--empty",
    }

    DEFAULT_CSS = """
    LiveTable {
        background: $surface;
        color: $foreground;
        & > .live-table--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .live-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .live-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .live-table--marked {
            background: $accent 25%;
        }
        & > .live-table--mark {
            color: $accent;
            text-style: bold;
        }
        & > .live-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .live-table--empty {
            color: $text-muted;
            text-style: italic;
        }
    }
    """

    class RowHighlighted(Message):
        """The cursor moved to another row (``key`` is None when the table is empty)."""

        def __init__(self, table: LiveTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> LiveTable:
            return self.table

    class RowSelected(Message):
        """Enter was pressed on a row (or the cursor row was clicked)."""

        def __init__(self, table: LiveTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> LiveTable:
            return self.table

    class MarksChanged(Message):
        """The set of marked rows changed."""

        def __init__(self, table: LiveTable, marked: frozenset[str]) -> None:
            super().__init__()
            self.table = table
            self.marked = marked

        @property
        def control(self) -> LiveTable:
            return self.table

    class Sorted(Message):
        """The sort changed from the keyboard or a header click."""

        def __init__(self, table: LiveTable, column: str | None, reverse: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.reverse = reverse

        @property
        def control(self) -> LiveTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        empty_text: str = "No rows",
        no_match_text: str = "No rows match '{filter}'",
        zebra_stripes: bool = False,
        show_header: bool = True,
        clock: Callable[[], Any] = utc_now,
        live_interval: float = 1.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._model = TableModel(columns, clock)
        self.columns: tuple[Column, ...] = self._model.columns
        self.empty_text = empty_text
        self.no_match_text = no_match_text
        self.zebra_stripes = zebra_stripes
        self.show_header = show_header
        self.live_interval = live_interval
        #: the rows' texts: painted cells, search texts, live cells (the model's)
        self._texts = self._model.texts
        self._auto_indexes = [i for i, column in enumerate(self.columns) if column.width is None]
        self._seen = [0] * len(self.columns)
        self._widths: list[int] = []
        self._offsets: list[int] = []
        self._total_width = 0
        self._room = 0
        self._cursor_key: str | None = None
        self._cursor_index = 0
        self._style_cache: dict[str, Style] = {}
        self._hold_scroll_paint = False
        self._load_generation = 0
        self._touched: set[str] | None = None
        self._repaint_all_pending = False
        self._reorder_worker: Worker[None] | None = None
        self._frame: _Frame | None = None
        self._layout_columns()

    # -- public: data ---------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Number of rows held (filtered or not)."""
        return len(self._model.rows)

    @property
    def visible_row_count(self) -> int:
        """Number of rows passing the filter."""
        return len(self._model)

    @property
    def pending(self) -> bool:
        """True while a sliced load, sort or filter is still running."""
        return self._touched is not None or self._reorder_worker is not None

    def get_row(self, key: str) -> Row | None:
        """The row held under ``key`` (read-only: pass a new mapping to change it)."""
        return self._model.rows.get(key)

    def key_at(self, index: int) -> str | None:
        """Key of the visible row at ``index`` (display order), if any."""
        return self._model.key_at(index) if 0 <= index < len(self._model) else None

    def set_rows(self, rows: RowsInput) -> None:
        """Make the table hold exactly ``rows`` (a mapping or (key, row) pairs).

        Applies a diff: unchanged rows are left alone (no repaint), changed rows repaint
        their line if visible, vanished rows are removed, new rows added.  O(n) dict work;
        for 100 000 rows prefer :meth:`set_rows_async`.

        Rows are held as given, not copied: pass new mappings on every refresh and do not
        mutate a mapping after passing it (an in-place change compares equal to itself).
        """
        self._cancel_load()
        rows = normalise_rows(rows)
        changes: dict[str, dict[str, Any]] = {}
        removed: list[str] = []
        _drain(diff_rows(self._model.rows, rows, True, changes, removed))
        self._commit(changes, removed)

    async def set_rows_async(self, rows: RowsInput, *, budget: float = SLICE_BUDGET) -> None:
        """Like :meth:`set_rows`, in slices that yield to the event loop.

        No slice runs longer than about ``budget`` seconds, so input stays responsive while
        100 000 rows load.  Run it in a worker (``run_worker(table.set_rows_async(rows))``)
        so no message queue waits on it.  A later ``set_rows``/``set_rows_async`` supersedes
        a load in flight; ``update_row`` during a load wins over the loaded snapshot.
        """
        await self._load_async(rows, budget)

    def update_row(self, key: str, row: Row) -> None:
        """Add or replace one row (no repaint if the values are identical)."""
        if not isinstance(row, Mapping):
            raise TypeError(f"row {key!r} must be a mapping, not {type(row).__name__}")
        if self._touched is not None:
            self._touched.add(key)
        old = self._model.rows.get(key)
        if old is not None and old == row:
            return
        self._commit({key: row}, [])

    def remove_row(self, key: str) -> None:
        """Remove one row (nothing happens for an unknown key)."""
        if key in self._model.rows:
            if self._touched is not None:
                self._touched.add(key)
            self._commit({}, [key])

    # -- public: filter and sort --------------------------------------------------------

    @property
    def filter_text(self) -> str:
        """Case-insensitive substring matched against the searchable columns' text."""
        return self._model.filter_text

    @filter_text.setter
    def filter_text(self, text: str) -> None:
        self._set_filter(text or "", self._model.row_filter)

    @property
    def row_filter(self) -> RowFilter | None:
        """Predicate ``row_filter(key, row)``; rows for which it is false are hidden."""
        return self._model.row_filter

    @row_filter.setter
    def row_filter(self, predicate: RowFilter | None) -> None:
        self._set_filter(self._model.filter_text, predicate)

    @property
    def sort_column(self) -> str | None:
        column = self._model.sort_column
        return None if column is None else column.key

    @property
    def sort_reverse(self) -> bool:
        return self._model.reverse

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort by a column (``None``: insertion order); ties keep insertion order."""
        old = (self.sort_column, self._model.reverse)
        cursor_line = self._cursor_index - self.scroll_offset.y
        if self._model.set_sort(column_key, reverse):
            self._reorder(cursor_line)
        elif old != (self.sort_column, reverse):
            self._after_reorder(cursor_line)  # only the direction changed

    # -- public: cursor and marks -------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        """Key of the row under the cursor (None when no row is visible)."""
        return self._cursor_key

    @property
    def cursor_index(self) -> int:
        """Display index of the cursor row."""
        return self._cursor_index

    def move_cursor_to_key(self, key: str) -> bool:
        """Put the cursor on ``key``'s row; False if that row is not visible."""
        index = self._model.index_of(key)
        if index is None:
            return False
        self._move_cursor(index)
        return True

    @property
    def marked_keys(self) -> frozenset[str]:
        """Keys of the marked rows (marks on rows hidden by a filter are kept)."""
        return frozenset(self._model.marks)

    def clear_marks(self) -> None:
        if self._model.marks:
            self._model.marks.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self, frozenset()))

    def refresh_live(self) -> None:
        """Recompute live columns for the visible rows; repaint only changed cells."""
        texts = self._texts
        if not texts.live_indexes:
            return
        changed = texts.tick(self._visible_keys(), self._model.clock())
        if not changed:
            return
        if self._grow_columns(list(texts.live), live_only=True):
            self._repaint_all()
            return
        self.refresh(*self._cell_runs(changed, self._header_height))

    # -- Textual hooks ------------------------------------------------------------------

    def on_mount(self) -> None:
        self._update_virtual_size()
        if self._texts.live_indexes:
            self.set_interval(self.live_interval, self._tick)

    def _on_unmount(self) -> None:
        self._cancel_load()
        self._stop_indexing()
        self._stop_presorting()
        if self._reorder_worker is not None:
            self._reorder_worker.cancel()
            self._reorder_worker = None

    def _tick(self) -> None:
        if self.display and self.screen.is_current:
            self.refresh_live()

    # -- geometry -----------------------------------------------------------------------

    @property
    def _header_height(self) -> int:
        return 1 if self.show_header else 0

    @property
    def _body_height(self) -> int:
        return max(0, self.scrollable_content_region.height - self._header_height)

    def _visible_keys(self) -> list[str]:
        return self._model.window(self.scroll_offset.y, self._body_height)
