"""A fix to Textual's partial screen updates: write only the cells that changed.

Textual 8 sends a partial update for each changed region from the *left edge of the
widget* to the region's right end (``ChopsUpdate.render_segments`` carries a
"TODO: crop to x extents"). A countdown in the third column of a table therefore
rewrites the two columns before it every second, and a status line rewrites its
whole start. Over SSH that is most of what an idle dashboard sends.

:func:`install` replaces ``render_segments`` with the same code that also skips the
whole segments that end before the changed region -- what Textual's own older
``ChopsUpdate.__rich_console__`` does. It cuts only between segments, so a wide
character is never split; widgets that want cell-exact updates (LiveTable's live
columns, the status line) put a segment boundary where their changing text starts.

It is applied only where ``ChopsUpdate`` has the shape it was written against
(Textual 8: ``chops``, ``spans``, ``chop_ends`` and ``render_segments``); anything
else keeps Textual's own behaviour. (The shape, not ``textual.__version__``: that
one reads the package metadata, ~10 ms of start-up.)
"""

from __future__ import annotations

import inspect

from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate

#: the ``ChopsUpdate`` constructor this replaces ``render_segments`` for (Textual 8)
KNOWN_SHAPE = ("self", "chops", "spans", "chop_ends")
ORIGINAL_RENDER_SEGMENTS = getattr(ChopsUpdate, "render_segments", None)


def _render_segments(self: ChopsUpdate, console: Console) -> str:
    """``ChopsUpdate.render_segments`` of Textual 8.2, plus the left crop."""
    sequences: list[str] = []
    append = sequences.append
    move_to = Control.move_to
    chops = self.chops
    chop_ends = self.chop_ends
    last_y = self.spans[-1][0]

    for y, x1, x2 in self.spans:
        line = chops[y]
        ends = chop_ends[y]
        for end, (x, strip) in zip(ends, line.items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            if x < x1:  # skip whole segments that end at or before x1
                skip = 0
                for segment in strip:
                    width = segment.cell_length
                    if x + skip + width > x1:
                        break
                    skip += width
                if skip:
                    strip = strip.crop(skip)
                    x += skip
            if end > x2:
                strip = strip.crop(0, x2 - x)
            append(move_to(x, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def shape(cls: type = ChopsUpdate) -> tuple[str, ...]:
    return tuple(inspect.signature(cls.__init__).parameters)


def install() -> bool:
    """Apply the fix (once); False when this Textual is not one it was written for."""
    if ORIGINAL_RENDER_SEGMENTS is None or shape() != KNOWN_SHAPE:
        return False
    if ChopsUpdate.render_segments is not _render_segments:
        ChopsUpdate.render_segments = _render_segments  # type: ignore[method-assign]
    return True
