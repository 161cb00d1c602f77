"""The video picture drawn with half-block cells, repainting only the cells that changed.

:class:`VideoCells` turns each painted frame into cells (:mod:`akool_tui.core.video_cells`),
compares them with the cells on screen and refreshes only the changed runs of each line
(``refresh(Region)``, as the table's live cells do). A line's strip is cached until one of
its cells changes; a run of equal cells is one segment, so with ``textual_fixes`` an
update writes from the first changed segment to the last, not the whole line. A talking
face rewrites its mouth, not the panel.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ...core.video_cells import NO_COLOUR, CellFrame, Palette, to_cells

if TYPE_CHECKING:
    from ...stream.media import VideoFrame

UPPER = "▀"
LOWER = "▄"
#: styles kept for (fg, bg) pairs; a face uses a few hundred, a noisy picture thousands
STYLE_CACHE = 8192


def _colour(code: int, palette: Palette) -> Color:
    if palette == "256":
        return Color.from_ansi(code)
    return Color.from_rgb(code >> 16, (code >> 8) & 0xFF, code & 0xFF)


class VideoCells(Widget):
    """A video picture in half-block cells; :meth:`paint` draws a frame."""

    DEFAULT_CSS = """
    VideoCells { width: 1fr; height: 1fr; background: $background; }
    """

    def __init__(self, palette: Palette = "truecolor", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette: Palette = palette
        self._cells: CellFrame | None = None
        self._frame: VideoFrame | None = None
        self._strips: list[Strip | None] = []
        self._styles: dict[tuple[int, int], tuple[str, Style]] = {}
        #: shown in the middle while there is no picture ("No video yet"; safe text)
        self.placeholder = ""
        #: what the last paints asked to be redrawn (tests and the bench read these)
        self.regions_refreshed = 0
        self.cells_refreshed = 0

    # -- painting -------------------------------------------------------------------------

    def set_palette(self, palette: Palette) -> None:
        if palette != self.palette:
            self.palette = palette
            self._styles.clear()
            self._repaint_last()

    def clear(self) -> None:
        """No picture (the panel's background)."""
        self._frame = self._cells = None
        self._strips = []
        self.refresh()

    def paint(self, frame: VideoFrame) -> int:
        """Draw ``frame``; the number of cells that changed (and are refreshed)."""
        self._frame = frame
        cols, rows = self.size
        if cols <= 0 or rows <= 0:
            return 0
        cells = to_cells(frame, cols, rows, self.palette)
        before = self._cells
        self._cells = cells
        if before is None or before.fg.shape != cells.fg.shape:
            self._strips = [None] * rows
            self.regions_refreshed += 1
            self.cells_refreshed += cols * rows
            self.refresh()
            return cols * rows
        runs = cells.changed_runs(before)
        if not runs:
            return 0
        for y in {y for y, _, _ in runs}:
            self._strips[y] = None
        self.refresh(*[Region(x, y, length, 1) for y, x, length in runs])
        count = sum(length for _, _, length in runs)
        self.regions_refreshed += len(runs)
        self.cells_refreshed += count
        return count

    def _repaint_last(self) -> None:
        self._cells = None
        self._strips = []
        if self._frame is not None:
            self.paint(self._frame)
        else:
            self.refresh()

    # -- Textual's hooks --------------------------------------------------------------

    def on_resize(self) -> None:
        self._repaint_last()

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._strips = [None] * len(self._strips)
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cells = self._cells
        if cells is None or y >= len(self._strips) or cells.fg.shape[1] != width:
            if cells is None and self.placeholder and y == self.size.height // 2:
                text = self.placeholder[:width].center(width)
                return Strip([Segment(text, self.rich_style)], width)
            return Strip.blank(width, self.rich_style)
        strip = self._strips[y]
        if strip is None:
            strip = self._strips[y] = self._line(cells.row(y))
        return strip

    # -- lines ------------------------------------------------------------------------

    def _line(self, pairs: list[tuple[int, int]]) -> Strip:
        """One segment per run of equal cells."""
        segments = []
        cell = self._cell
        for pair, run in groupby(pairs):
            text, style = cell(pair)
            segments.append(Segment(text * sum(1 for _ in run), style))
        return Strip(segments, len(pairs))

    def _cell(self, pair: tuple[int, int]) -> tuple[str, Style]:
        """The character and style of a cell (cached): the upper half block in the top
        pixel's colour on the bottom pixel's; a plain space when both are equal."""
        found = self._styles.get(pair)
        if found is not None:
            return found
        if len(self._styles) >= STYLE_CACHE:
            self._styles.clear()
        top, bottom = pair
        base = self.rich_style
        palette = self.palette
        if top == bottom:
            found = (" ", base if top == NO_COLOUR
                     else base + Style(bgcolor=_colour(top, palette)))
        elif top == NO_COLOUR:
            found = (LOWER, base + Style(color=_colour(bottom, palette)))
        elif bottom == NO_COLOUR:
            found = (UPPER, base + Style(color=_colour(top, palette)))
        else:
            found = (UPPER, Style(color=_colour(top, palette), bgcolor=_colour(bottom, palette)))
        self._styles[pair] = found
        return found
