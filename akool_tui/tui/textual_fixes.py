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

A second fix, to the rendering before that: for a partial update Textual 8 renders
every widget the changed area touches over the widget's *whole* height, and then uses
only the rows that changed (``Compositor._get_renders`` crops to the widget's clip,
not to the update). A one-row meter in a screen's top bar rendered all 34 rows of the
screen's background and of every container down to it; the chat at 200 parts/s
rendered ~4 500 lines a second to change ~300. :func:`_get_renders` crops each
widget's render to the rows of the update as well (rows only: the columns must stay
aligned on the compositor's cuts). It is applied where ``Compositor._get_renders``
takes a ``crop``, as in Textual 8.

A third fix narrows that crop: Textual crops a partial update to the box around all its
changes, so a countdown near the top of the sessions table and the status line at the
bottom made every widget render every row of the screen, each second.
:func:`_render_partial_update` keeps the changed regions, and :func:`_get_renders`
renders each widget only over the runs of rows where a change meets the widget (one
piece a run), and not at all when none does: the table's scroll bar, beside cells that
change each second, rendered its rows each second (~0.2 ms a frame). Cells of a widget
no change meets are never written (the update's spans are the changes), so whatever
fills them in the compositor's cuts is never sent.
"""

from __future__ import annotations

import inspect

from collections.abc import Iterable

from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

#: the ``ChopsUpdate`` constructor this replaces ``render_segments`` for (Textual 8)
KNOWN_SHAPE = ("self", "chops", "spans", "chop_ends")
ORIGINAL_RENDER_SEGMENTS = getattr(ChopsUpdate, "render_segments", None)
ORIGINAL_GET_RENDERS = getattr(Compositor, "_get_renders", None)
ORIGINAL_PARTIAL = getattr(Compositor, "render_partial_update", None)


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


def _row_runs(regions: Iterable[Region]) -> list[tuple[int, int]]:
    """The rows ``regions`` cover, as sorted runs ``(top, bottom)`` of adjacent rows."""
    runs: list[tuple[int, int]] = []
    for top, bottom in sorted((r.y, r.bottom) for r in regions if r.height > 0):
        if runs and top <= runs[-1][1]:
            if bottom > runs[-1][1]:
                runs[-1] = (runs[-1][0], bottom)
        else:
            runs.append((top, bottom))
    return runs


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """``Compositor.render_partial_update`` of Textual 8.2; it also keeps the runs of
    rows the update touches, so that :func:`_get_renders` renders only those rows of each
    widget instead of every row between the first change and the last (a countdown at
    the top of a table and the status line at the bottom spanned the whole screen)."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(update_regions).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    self._akool_update_regions = update_regions
    try:
        chops = self._render_chops(crop, is_rendered_line)
    finally:
        self._akool_update_regions = None
    chop_ends = [cut_set[1:] for cut_set in self.cuts]
    return ChopsUpdate(chops, spans, chop_ends)


def _get_renders(self: Compositor,
                 crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
    """``Compositor._get_renders`` of Textual 8.2, each widget rendered only over the rows
    of ``crop`` (the returned clip says which: ``_render_chops`` lays the strips from the
    top of region & clip) -- and in a partial update only over the runs of rows where
    the update's regions meet the widget, one piece a run (none: not rendered)."""
    visible = self.visible_widgets
    changes: list[Region] | None = None
    if crop:
        overlaps = crop.overlaps
        runs = [(crop.y, crop.bottom)]
        changes = getattr(self, "_akool_update_regions", None)
        widget_regions = [(w, region, clip) for w, (region, clip) in visible.items()
                          if overlaps(clip)]
    else:
        runs = [(0, 0)]
        widget_regions = [(w, region, clip) for w, (region, clip) in visible.items()]
    for widget, region, clip in widget_regions:
        area = region.intersection(clip)
        x, y, width, height = area
        if width <= 0 or height <= 0:
            continue
        if changes is not None:
            runs = _row_runs([change.intersection(area) for change in changes
                              if change.overlaps(area)])
        for top, bottom in runs:
            if crop:
                piece_y, piece_end = max(y, top), min(y + height, bottom)
                if piece_end <= piece_y:
                    continue
            else:
                piece_y, piece_end = y, y + height
            yield (region, Region(x, piece_y, width, piece_end - piece_y),
                   widget.render_lines(Region(x - region.x, piece_y - region.y, width,
                                              piece_end - piece_y)))


def shape(cls: type = ChopsUpdate) -> tuple[str, ...]:
    return tuple(inspect.signature(cls.__init__).parameters)


def install() -> bool:
    """Apply the fixes (once); False when this Textual is not one they were written for."""
    if ORIGINAL_RENDER_SEGMENTS is None or shape() != KNOWN_SHAPE:
        return False
    if ChopsUpdate.render_segments is not _render_segments:
        ChopsUpdate.render_segments = _render_segments  # type: ignore[method-assign]
    if ORIGINAL_GET_RENDERS is not None \
            and tuple(inspect.signature(ORIGINAL_GET_RENDERS).parameters) == ("self", "crop") \
            and Compositor._get_renders is not _get_renders:
        Compositor._get_renders = _get_renders  # type: ignore[method-assign]
        if ORIGINAL_PARTIAL is not None and hasattr(Compositor, "_regions_to_spans") \
                and tuple(inspect.signature(ORIGINAL_PARTIAL).parameters) == ("self",):
            Compositor.render_partial_update = (  # type: ignore[method-assign]
                _render_partial_update)
    return True
