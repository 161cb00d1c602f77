"""What keys and the mouse do in a :class:`~akool_tui.tui.widgets.live_table.LiveTable`:
move the cursor (the view follows), select, mark, sort by a column.

:class:`TableCursor` is a part of ``LiveTable`` (a mixin: its actions and its click
handler are the table's own; they work on the table's cursor and model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from .table_model import TableModel
    from .table_rows import Column


class TableCursor:
    """The cursor of a LiveTable and the input that moves it."""

    columns: tuple[Column, ...]
    _model: TableModel
    _cursor_key: str | None
    _cursor_index: int
    _header_height: int
    _body_height: int
    _hold_scroll_paint: bool

    # -- Textual's hooks --------------------------------------------------------------

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _on_focus(self, event: events.Focus) -> None:
        self._refresh_index(self._cursor_index)

    def _on_blur(self, event: events.Blur) -> None:
        self._refresh_index(self._cursor_index)

    # -- actions (the table's key bindings) -------------------------------------------

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
        self._model.toggle_mark(key)
        self._refresh_index(self._cursor_index)
        self.post_message(self.MarksChanged(self, frozenset(self._model.marks)))

    def action_cycle_sort(self) -> None:
        # the columns on screen (a narrow table hides some)
        sortable = [column.key for column in self.shown_columns() if column.sortable]
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

    # -- moving the cursor ------------------------------------------------------------

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

    def _set_scroll_y(self, y: int, hold: bool) -> None:
        if y == self.scroll_offset.y:
            return
        self._hold_scroll_paint = hold
        try:
            self.scroll_target_y = self.scroll_y = y
        finally:
            self._hold_scroll_paint = False
