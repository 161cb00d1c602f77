"""How a :class:`~akool_tui.tui.widgets.live_table.LiveTable` lays out its columns and
paints its lines: the header, the rows (cells as few segments as their styles allow),
the "no rows" line; cell styles from the columns, with theme variables.

:class:`TablePaint` is a part of ``LiveTable`` (a mixin: it works on the table's own
state -- the columns' widths, the cursor row, the model's rows, marks and texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.strip import Strip

from ...core.text import LINE, safe
from .table_rows import Column, Row

if TYPE_CHECKING:
    from .table_cells import RowTexts
    from .table_model import TableModel

#: Width of the mark gutter at the left of every row ("● ").
MARK_WIDTH = 2
MARK_GLYPH = "●"
SORT_ARROWS = {False: "▲", True: "▼"}


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


class TablePaint:
    """Column layout and line painting of a LiveTable."""

    columns: tuple[Column, ...]
    zebra_stripes: bool
    empty_text: str
    no_match_text: str
    _model: TableModel
    _texts: RowTexts
    _cursor_index: int
    _header_height: int
    _auto_indexes: list[int]
    _seen: list[int]
    _widths: list[int]
    _offsets: list[int]
    _total_width: int
    _room: int
    _style_cache: dict[str, Style]
    _frame: _Frame | None
    #: the component styles the row styles were worked out from, and those styles
    _styles_key: tuple[tuple[Any, ...], tuple[Style, ...]] | None = None

    # -- Textual's hooks --------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        self._styles_key = None
        super().notify_style_update()

    def _on_resize(self) -> None:
        self._fit_columns()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._auto_indexes and self._grow_columns(self._visible_keys()):
            self.refresh()  # a column grew: repaint every line next frame
        # a scrollbar came or went: the room for columns changed without a resize
        self._fit_columns()
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

    # -- column layout ----------------------------------------------------------------

    def _column_at(self, x: int) -> Column | None:
        for index, start in enumerate(self._offsets):
            width = self._widths[index]
            if width and start <= x < start + width + 2:
                return self.columns[index]
        return None

    def _available(self) -> int:
        """Cells the columns may take; 0 before the table is laid out (all show)."""
        return self.scrollable_content_region.width if self.is_mounted else 0

    def _fit_columns(self) -> None:
        """Show the columns that fit the table's width now (after a resize)."""
        if self._available() != self._room and self._layout_columns():
            self._update_virtual_size()
            self.refresh()

    def shown_columns(self) -> list[Column]:
        """The columns on screen, left to right (the narrow table hides the least
        important ones: :attr:`Column.priority`)."""
        return [c for c, width in zip(self.columns, self._widths, strict=True) if width]

    def _shown(self, widths: list[int], room: int) -> set[int]:
        """Indexes of the most important columns that fit in ``room`` cells (all when
        ``room`` is 0: not laid out yet); at least the most important one."""
        if room <= 0:
            return set(range(len(widths)))
        shown: set[int] = set()
        used = MARK_WIDTH
        by_priority = sorted(range(len(widths)), key=lambda i: (self.columns[i].priority, i))
        for index in by_priority:
            used += widths[index] + 2
            if used > room and shown:
                break
            shown.add(index)
        return shown

    def _layout_columns(self) -> bool:
        """Recompute column widths (0: hidden, the table is too narrow); True if they
        changed."""
        widths = []
        sort_column = self._model.sort_column
        for index, column in enumerate(self.columns):
            if column.width is not None:
                widths.append(column.width)
                continue
            label = cell_len(column.label) + (2 if column is sort_column else 0)
            wanted = max(self._seen[index], label)
            widths.append(min(column.max_width, max(column.min_width, wanted)))
        self._room = room = self._available()
        shown = self._shown(widths, room)
        widths = [width if index in shown else 0 for index, width in enumerate(widths)]
        if widths == self._widths:
            return False
        self._widths = widths
        offsets, x = [], MARK_WIDTH
        for width in widths:
            offsets.append(x)
            if width:
                x += width + 2
        self._offsets, self._total_width = offsets, x
        return True

    def _grow_columns(self, keys: list[str], live_only: bool = False) -> bool:
        """Grow auto-width columns to fit the cells of ``keys``; True if the layout changed."""
        indexes = [i for i in self._auto_indexes if not live_only or self.columns[i].live]
        if not indexes:
            return False
        seen, rows, grew = self._seen, self._model.rows, False
        texts, live_slot = self._texts, self._texts.live_slot
        for key in keys:
            if key not in rows:
                continue
            cells = texts.cells(key)
            live_texts = texts.live_cells(key)[1]
            for index in indexes:
                slot = live_slot.get(index)
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

    # -- painting ---------------------------------------------------------------------

    def _make_frame(self) -> _Frame:
        """Geometry and styles shared by every line of one render pass."""
        scroll_x, scroll_y = self.scroll_offset
        return _Frame(self.size.width, scroll_x, scroll_y, self._header_height,
                      *self._frame_styles())

    def _frame_styles(self) -> tuple[Style, ...]:
        """The row styles, worked out again only when the table's CSS was applied again
        (theme, focus, classes: Textual makes new component styles, or calls
        :meth:`notify_style_update`). Each ``refresh`` empties Textual's own cache of
        them: for every frame they were ~40 % of a countdown tick's painting."""
        applied = tuple(self._component_styles.values())
        cached = self._styles_key
        if cached is not None and len(cached[0]) == len(applied) and all(
                a is b for a, b in zip(cached[0], applied)):
            return cached[1]
        overlays = (self._overlay(f"live-table--{name}")
                    for name in ("cursor", "marked", "mark", "even-row", "empty"))
        styles = (self.rich_style, self.get_component_rich_style("live-table--header"),
                  *overlays)
        self._styles_key = (applied, styles)
        return styles

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
            if not cell_width:
                continue
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
        marked = key in self._model.marks
        if marked:
            base += frame.marked
        cursor = frame.cursor if index == self._cursor_index else None
        pad = base + cursor if cursor else base
        # Adjacent pieces with the same style become one segment: fewer escape codes.
        segments: list[Segment] = []
        texts = [MARK_GLYPH.ljust(MARK_WIDTH) if marked else " " * MARK_WIDTH]
        current = pad + frame.mark if marked else pad
        cells = self._texts.cells(key)
        live_values, live_texts = self._texts.live_cells(key)
        live_slot = 0
        for index_, column in enumerate(self.columns):
            if column.live:
                value, text = live_values[live_slot], live_texts[live_slot]
                live_slot += 1
            else:
                value, text = row.get(column.key), cells[index_]
            if not self._widths[index_]:
                continue  # hidden: the table is too narrow
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
