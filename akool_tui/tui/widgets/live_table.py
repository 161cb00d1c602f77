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

The data side (diff, filter, sort) lives in :mod:`.table_model`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, get_current_worker

from ...core.text import LINE, safe
from .table_model import (
    Column,
    Delta,
    Row,
    RowFilter,
    RowsInput,
    TableModel,
    normalise_rows,
    utc_now,
)

__all__ = ["Column", "LiveTable"]

#: Width of the mark gutter at the left of every row ("● ").
MARK_WIDTH = 2
MARK_GLYPH = "●"
SORT_ARROWS = {False: "▲", True: "▼"}
#: Tables with more rows than this sort and filter in slices, in the background.
SYNC_REORDER_LIMIT = 5_000
#: Longest slice (seconds) of a background sort or filter before yielding.
REORDER_BUDGET = 0.01


@dataclass(frozen=True, slots=True)
class _View:
    """What was on screen before a change: keys per body line, scroll, row count."""

    keys: list[str]
    scroll_y: int
    count: int


@dataclass(frozen=True, slots=True)
class _Frame:
    """Geometry and styles of one render pass (computing them per line is costly)."""

    width: int
    scroll_x: int
    scroll_y: int
    header: int
    base: Style
    header_style: Style
    cursor: Style
    marked: Style
    mark: Style
    even: Style
    empty: Style


def _fit(text: str, width: int, align: str) -> str:
    """Pad or truncate (with an ellipsis) ``text`` to exactly ``width`` cells."""
    if "\n" in text:
        text = text.replace("\n", " ")
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    pad = width - length
    if not pad:
        return text
    if align == "right":
        return " " * pad + text
    if align == "center":
        left = pad // 2
        return " " * left + text + " " * (pad - left)
    return text + " " * pad


class LiveTable(ScrollView, can_focus=True, inherit_bindings=False):
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
        self._live_indexes = [i for i, column in enumerate(self.columns) if column.live]
        self._live_slot = {index: slot for slot, index in enumerate(self._live_indexes)}
        self._auto_indexes = [i for i, column in enumerate(self.columns) if column.width is None]
        self._seen = [0] * len(self.columns)
        self._widths: list[int] = []
        self._offsets: list[int] = []
        self._total_width = 0
        self._now: Any = clock()
        #: Live cell values and texts of the rows last rendered or ticked.
        self._live: dict[str, tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        self._cursor_key: str | None = None
        self._cursor_index = 0
        self._marks: set[str] = set()
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
        _drain(self._model.diff_steps(rows, True, changes, removed))
        self._commit(changes, removed)

    async def set_rows_async(self, rows: RowsInput, *, budget: float = 0.01) -> None:
        """Like :meth:`set_rows`, in slices that yield to the event loop.

        No slice runs longer than about ``budget`` seconds, so input stays responsive while
        100 000 rows load.  Run it in a worker (``run_worker(table.set_rows_async(rows))``)
        so no message queue waits on it.  A later ``set_rows``/``set_rows_async`` supersedes
        a load in flight; ``update_row`` during a load wins over the loaded snapshot.
        """
        self._cancel_load()
        generation = self._load_generation
        self._touched = set()
        try:
            rows = normalise_rows(rows)
            changes: dict[str, dict[str, Any]] = {}
            removed: list[str] = []
            steps = self._model.diff_steps(rows, True, changes, removed)
            if not await self._drain_async(steps, generation, budget):
                return
            if not changes and not removed:
                return
            before = self._view()
            delta = Delta()
            steps = self._model.commit_steps(changes, removed, delta, self._touched)
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
            self._forget_live(delta)
            self._after_reorder(self._cursor_index - self.scroll_offset.y)
        finally:
            if generation == self._load_generation:
                self._touched = None

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
        return frozenset(self._marks)

    def clear_marks(self) -> None:
        if self._marks:
            self._marks.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self, frozenset()))

    def refresh_live(self) -> None:
        """Recompute live columns for the visible rows; repaint only changed cells."""
        if not self._live_indexes:
            return
        self._now = self._model.clock()
        header = self._header_height
        changed: list[tuple[int, int]] = []
        live: dict[str, tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        for line, key in enumerate(self._visible_keys()):
            row = self._model.rows.get(key)
            if row is None:
                continue
            old = self._live.get(key)
            new = live[key] = self._compute_live(row)
            if old is None or old[1] != new[1]:
                changed.extend(
                    (line, index) for slot, index in enumerate(self._live_indexes)
                    if old is None or old[1][slot] != new[1][slot]
                )
        self._live = live
        if not changed:
            return
        if self._grow_columns(list(live), live_only=True):
            self._repaint_all()
            return
        self.refresh(*self._cell_runs(changed, header))

    # -- Textual hooks ------------------------------------------------------------------

    def on_mount(self) -> None:
        self._update_virtual_size()
        if self._live_indexes:
            self.set_interval(self.live_interval, self._tick)

    def _on_unmount(self) -> None:
        self._cancel_load()
        if self._reorder_worker is not None:
            self._reorder_worker.cancel()
            self._reorder_worker = None

    def _tick(self) -> None:
        if self.display and self.screen.is_current:
            self.refresh_live()

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        super().notify_style_update()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self._hold_scroll_paint:
            # Rows above the view changed and the view was moved to show the same rows:
            # nothing on screen changes except the scrollbar.
            if self.show_vertical_scrollbar:
                self.vertical_scrollbar.position = new_value
            return
        super().watch_scroll_y(old_value, new_value)

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _on_focus(self, event: events.Focus) -> None:
        self._refresh_index(self._cursor_index)

    def _on_blur(self, event: events.Blur) -> None:
        self._refresh_index(self._cursor_index)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._auto_indexes and self._grow_columns(self._visible_keys()):
            self.refresh()  # a column grew: repaint every line next frame
        self._frame = self._make_frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._make_frame()
        if y < frame.header:
            return self._render_header(frame)
        index = frame.scroll_y + y - frame.header
        count = len(self._model)
        if count == 0 and y == frame.header:
            return self._render_empty(frame)
        if index >= count:
            return Strip.blank(frame.width, frame.base)
        return self._render_row(self._model.key_at(index), index, frame)

    # -- actions ------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor_index - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor_index + 1)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor_index - max(1, self._body_height))

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor_index + max(1, self._body_height))

    def action_cursor_home(self) -> None:
        self._move_cursor(0)

    def action_cursor_end(self) -> None:
        self._move_cursor(len(self._model) - 1)

    def action_select_cursor(self) -> None:
        if self._cursor_key is not None:
            self.post_message(self.RowSelected(self, self._cursor_key))

    def action_toggle_mark(self) -> None:
        key = self._cursor_key
        if key is None:
            return
        if key in self._marks:
            self._marks.discard(key)
        else:
            self._marks.add(key)
        self._refresh_index(self._cursor_index)
        self.post_message(self.MarksChanged(self, frozenset(self._marks)))

    def action_cycle_sort(self) -> None:
        sortable = [column.key for column in self.columns if column.sortable]
        if not sortable:
            return
        current = self.sort_column
        following = sortable[(sortable.index(current) + 1) % len(sortable)] if (
            current in sortable) else sortable[0]
        self._user_sort(following, self._model.reverse)

    def action_reverse_sort(self) -> None:
        if self.sort_column is not None:
            self._user_sort(self.sort_column, not self._model.reverse)

    def _user_sort(self, column_key: str, reverse: bool) -> None:
        self.sort_by(column_key, reverse)
        self.post_message(self.Sorted(self, column_key, reverse))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < self._header_height:
            column = self._column_at(offset.x + self.scroll_offset.x)
            if column is not None and column.sortable:
                reverse = not self._model.reverse if column.key == self.sort_column else False
                self._user_sort(column.key, reverse)
            return
        index = self.scroll_offset.y + offset.y - self._header_height
        if not 0 <= index < len(self._model):
            return
        if index == self._cursor_index or event.chain > 1:
            self._move_cursor(index)
            self.action_select_cursor()
        else:
            self._move_cursor(index)

    # -- geometry -----------------------------------------------------------------------

    @property
    def _header_height(self) -> int:
        return 1 if self.show_header else 0

    @property
    def _body_height(self) -> int:
        return max(0, self.scrollable_content_region.height - self._header_height)

    def _visible_keys(self) -> list[str]:
        return self._model.window(self.scroll_offset.y, self._body_height)

    def _view(self) -> _View:
        return _View(self._visible_keys(), self.scroll_offset.y, len(self._model))

    def _column_at(self, x: int) -> Column | None:
        for index, start in enumerate(self._offsets):
            if start <= x < start + self._widths[index] + 2:
                return self.columns[index]
        return None

    def _layout_columns(self) -> bool:
        """Recompute column widths; True if they changed."""
        widths = []
        sort_column = self._model.sort_column
        for index, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            label = cell_len(column.label) + (2 if column is sort_column else 0)
            wanted = max(self._seen[index], label)
            widths.append(min(column.max_width, max(column.min_width, wanted)))
        if widths == self._widths:
            return False
        self._widths = widths
        offsets, x = [], MARK_WIDTH
        for width in widths:
            offsets.append(x)
            x += width + 2
        self._offsets, self._total_width = offsets, x
        return True

    def _grow_columns(self, keys: list[str], live_only: bool = False) -> bool:
        """Grow auto-width columns to fit the cells of ``keys``; True if the layout changed."""
        indexes = [i for i in self._auto_indexes if not live_only or self.columns[i].live]
        if not indexes:
            return False
        seen, rows, grew = self._seen, self._model.rows, False
        for key in keys:
            if key not in rows:
                continue
            cells = self._model.cells(key)
            live_texts = self._live_cells(key)[1]
            for index in indexes:
                slot = self._live_slot.get(index)
                length = cell_len(cells[index] if slot is None else live_texts[slot])
                if length > seen[index]:
                    seen[index], grew = length, True
        if grew and self._layout_columns():
            self._update_virtual_size()
            return True
        return False

    def _update_virtual_size(self) -> None:
        size = Size(self._total_width, len(self._model) + self._header_height)
        if self.virtual_size != size:
            self.virtual_size = size

    # -- rendering ----------------------------------------------------------------------

    def _make_frame(self) -> _Frame:
        """Geometry and styles shared by every line of one render pass."""
        component = self.get_component_rich_style
        scroll_x, scroll_y = self.scroll_offset
        return _Frame(
            width=self.size.width,
            scroll_x=scroll_x,
            scroll_y=scroll_y,
            header=self._header_height,
            base=self.rich_style,
            header_style=component("live-table--header"),
            cursor=self._overlay("live-table--cursor"),
            marked=self._overlay("live-table--marked"),
            mark=self._overlay("live-table--mark"),
            even=self._overlay("live-table--even-row"),
            empty=self._overlay("live-table--empty"),
        )

    def _overlay(self, name: str) -> Style:
        """A component style holding only what its rules set (so it layers on a row),
        with colours as resolved against the widget (so ``$accent 25%`` is blended)."""
        full = self.get_component_rich_style(name)
        partial = self.get_component_rich_style(name, partial=True)
        colors = Style(
            color=full.color if partial.color is not None else None,
            bgcolor=full.bgcolor if partial.bgcolor is not None else None,
        )
        return colors + partial.without_color

    def _render_header(self, frame: _Frame) -> Strip:
        style = frame.header_style
        texts = [" " * MARK_WIDTH]
        sort_column, reverse = self._model.sort_column, self._model.reverse
        for column, cell_width in zip(self.columns, self._widths, strict=True):
            label = column.label
            if column is sort_column:
                arrow = SORT_ARROWS[reverse]
                label = (set_cell_size(label, cell_width - 2) if cell_len(label) > cell_width - 2
                         else label) + " " + arrow
            texts.append(" " + _fit(label, cell_width, column.align) + " ")
        return self._to_strip([], texts, style, style, frame)

    def _render_empty(self, frame: _Frame) -> Strip:
        model = self._model
        if model.rows and model.filtered:
            text = self.no_match_text.replace("{filter}", model.filter_text) if (
                model.filter_text) else "No rows match the filter"
        else:
            text = self.empty_text
        text = safe(text, limit=LINE)  # the filter text is the user's (pasted) text
        style = frame.base + frame.empty
        return Strip([Segment(_fit(text, frame.width, "center"), style)], frame.width)

    def _render_row(self, key: str, index: int, frame: _Frame) -> Strip:
        row = self._model.rows.get(key)
        base = frame.base
        if row is None:  # removed while a sliced load rebuilds the order
            return Strip.blank(frame.width, base)
        if self.zebra_stripes and index % 2:
            base += frame.even
        marked = key in self._marks
        if marked:
            base += frame.marked
        cursor = frame.cursor if index == self._cursor_index else None
        pad = base + cursor if cursor else base
        # Adjacent pieces with the same style become one segment: fewer escape codes.
        segments: list[Segment] = []
        texts = [MARK_GLYPH.ljust(MARK_WIDTH) if marked else " " * MARK_WIDTH]
        current = pad + frame.mark if marked else pad
        cells = self._model.cells(key)
        live_values, live_texts = self._live_cells(key)
        live_slot = 0
        for index_, column in enumerate(self.columns):
            if column.live:
                value, text = live_values[live_slot], live_texts[live_slot]
                live_slot += 1
            else:
                value, text = row.get(column.key), cells[index_]
            style = base
            if column.style is not None and (extra := self._cell_style(column, value, row)):
                style = base + extra
            if cursor:
                style += cursor
            text = _fit(text, self._widths[index_], column.align)
            if current is not pad and current != pad:
                segments.append(Segment("".join(texts), current))
                texts, current = [], pad
            texts.append(" ")
            # a live cell is a segment of its own: its updates then write just the cell
            # (see textual_fixes)
            if column.live or (style is not pad and style != pad):
                segments.append(Segment("".join(texts), pad))
                segments.append(Segment(text, style))
                texts = [" "]
            else:
                texts.append(text)
                texts.append(" ")
        return self._to_strip(segments, texts, current, pad, frame)

    def _to_strip(
        self, segments: list[Segment], texts: list[str], current: Style, pad: Style,
        frame: _Frame,
    ) -> Strip:
        """Finish a line: the last run, then padding or cropping to the widget width."""
        spare = frame.width - self._total_width
        if frame.scroll_x == 0 and spare >= 0:
            # The common case: one Strip, no crop (Strips are not cheap to make).
            if current is pad or current == pad:
                texts.append(" " * spare)
                segments.append(Segment("".join(texts), pad))
            else:
                segments.append(Segment("".join(texts), current))
                if spare:
                    segments.append(Segment(" " * spare, pad))
            return Strip(segments, frame.width)
        segments.append(Segment("".join(texts), current))
        strip = Strip(segments, self._total_width)
        return strip.crop_extend(frame.scroll_x, frame.scroll_x + frame.width, pad)

    def _compute_live(self, row: Row) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        values = tuple(self.columns[i].value(row, self._now) for i in self._live_indexes)
        texts = tuple(self.columns[i].format(value) for i, value in zip(self._live_indexes, values))
        return values, texts

    def _live_cells(self, key: str) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        if not self._live_indexes:
            return (), ()
        cells = self._live.get(key)
        if cells is None:
            cells = self._live[key] = self._compute_live(self._model.rows[key])
        return cells

    def _cell_style(self, column: Column, value: Any, row: Row) -> Style | None:
        assert column.style is not None
        try:
            spec = column.style(value, row)
        except Exception:  # noqa: BLE001 - a user callable on API data
            return None
        if not spec:
            return None
        if isinstance(spec, Style):
            return spec
        if isinstance(spec, str):
            return self._parse_style(spec)
        return None

    def _parse_style(self, spec: str) -> Style:
        """Parse a style string, replacing ``$variable`` with the theme's colour."""
        style = self._style_cache.get(spec)
        if style is None:
            variables = self.app.get_css_variables() if "$" in spec else {}
            tokens: list[str] = []
            for token in spec.split():
                if token.startswith("$"):
                    color = self._theme_color(variables.get(token[1:]))
                    if color is None:
                        if tokens and tokens[-1] == "on":
                            tokens.pop()
                        continue
                    token = color
                tokens.append(token)
            try:
                style = Style.parse(" ".join(tokens))
            except StyleSyntaxError:
                style = Style()
            self._style_cache[spec] = style
        return style

    def _theme_color(self, value: str | None) -> str | None:
        """A theme variable's value ("#RRGGBB", "#RRGGBBAA", "auto 87%") as an opaque hex."""
        if value is None:
            return None
        parts = value.split()
        background = self.background_colors[1]
        alpha = 1.0
        if len(parts) == 2 and parts[1].endswith("%"):
            try:
                alpha = float(parts[1][:-1]) / 100
            except ValueError:
                return None
        try:
            color = (background.get_contrast_text(alpha) if parts[0] == "auto"
                     else Color.parse(parts[0]).multiply_alpha(alpha))
        except ColorParseError:
            return None
        return (background + color).hex6

    # -- refreshing ---------------------------------------------------------------------

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

    # -- applying changes ---------------------------------------------------------------

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
                await asyncio.sleep(0)
                if generation != self._load_generation:
                    steps.close()
                    return False
                started = perf_counter()
        return generation == self._load_generation

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
                self._forget_live(delta)
                self._repaint_all_pending = True
                return
            _drain(self._model.rebuild_steps())
        self._apply(delta, before)

    def _drop_marks(self) -> None:
        """Forget marks of rows that are gone."""
        rows = self._model.rows
        if gone := {key for key in self._marks if key not in rows}:
            self._marks -= gone
            self.post_message(self.MarksChanged(self, frozenset(self._marks)))

    def _forget_live(self, delta: Delta) -> None:
        """Drop cached live cells of changed rows (they are computed from the row)."""
        if self._live:
            self._live = {key: cells for key, cells in self._live.items() if key not in delta.old}

    def _apply(self, delta: Delta, before: _View) -> None:
        """Fix cursor and scroll after a diff, and repaint the lines that changed."""
        model = self._model
        self._forget_live(delta)
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

    def _set_scroll_y(self, y: int, hold: bool) -> None:
        if y == self.scroll_offset.y:
            return
        self._hold_scroll_paint = hold
        try:
            self.scroll_target_y = self.scroll_y = y
        finally:
            self._hold_scroll_paint = False

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
        started = perf_counter()
        for _ in self._model.rebuild_steps(sliced=True):
            if perf_counter() - started > REORDER_BUDGET:
                await asyncio.sleep(0)
                started = perf_counter()
        if self._reorder_worker is worker:
            self._reorder_worker = None
            self._after_reorder(cursor_line)

    def _after_reorder(self, cursor_line: int) -> None:
        """After a sort or filter change: keep the cursor row, at the same screen line."""
        model = self._model
        count = len(model)
        old_key = self._cursor_key
        index = model.index_of(old_key) if old_key is not None else None
        if index is None:
            index = max(0, min(self._cursor_index, count - 1))
        self._cursor_key = model.key_at(index) if count else None
        self._cursor_index = index if count else 0
        self._layout_columns()
        self._update_virtual_size()
        body = self._body_height
        scroll_y = max(0, min(index - max(0, min(cursor_line, body - 1)), count - body))
        self._set_scroll_y(scroll_y, hold=False)
        self._repaint_all()
        if self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))

    def _move_cursor(self, index: int) -> None:
        count = len(self._model)
        if not count:
            return
        index = max(0, min(index, count - 1))
        old_key, old_index = self._cursor_key, self._cursor_index
        self._cursor_index, self._cursor_key = index, self._model.key_at(index)
        if index != old_index:
            self._refresh_index(old_index)
            self._refresh_index(index)
        self._scroll_cursor_into_view()
        if self._cursor_key != old_key:
            self.post_message(self.RowHighlighted(self, self._cursor_key))

    def _scroll_cursor_into_view(self) -> None:
        if self._cursor_key is None:
            return
        body, y, index = self._body_height, self.scroll_offset.y, self._cursor_index
        if body <= 0:
            return
        if index < y:
            self._set_scroll_y(index, hold=False)
        elif index >= y + body:
            self._set_scroll_y(index - body + 1, hold=False)


def _drain(steps: Iterator[None]) -> None:
    """Run a step generator to the end."""
    for _ in steps:
        pass
