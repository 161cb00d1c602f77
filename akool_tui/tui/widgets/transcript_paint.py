"""How the transcript paints a line: one :class:`~rich.segment.Segment` run per wrapped
line (gutter label, text, status note, padding), built lazily and cached per entry with
a bound on entries and on lines (:class:`StripCache`), so a long chat keeps its text and
not a Strip for every line it ever showed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from .transcript_text import Entry

#: cells before the text: the role label ("you", "bot", ...) and padding
GUTTER = 5
#: entries whose rendered lines stay cached (least recently painted ones are dropped:
#: a long chat keeps its text, not a Strip for every line it ever showed)
MAX_CACHED_ENTRIES = 512
#: rendered lines kept in all (a Strip with its caches is about 1 KB): long replies
#: must not turn the entry bound into tens of thousands of lines
MAX_CACHED_LINES = 2048

#: role -> (gutter label, component class of the text)
ROLES: dict[str, tuple[str, str]] = {
    "user": ("you", "transcript--user"),
    "speech": ("you~", "transcript--user"),
    "bot": ("bot", "transcript--bot"),
    "llm": ("llm", "transcript--system"),
    "system": ("·", "transcript--system"),
    "ok": ("✓", "transcript--ok"),
    "error": ("✗", "transcript--error"),
}
#: status -> component class of the note shown after the text
NOTE_STYLES = {"failed": "transcript--error", "queued": "transcript--warning",
               "incomplete": "transcript--warning"}


def build_strip(entry: Entry, k: int, width: int, style: Callable[[str], Style]) -> Strip:
    """Wrapped line ``k`` of ``entry``, padded to ``width`` text cells plus the gutter;
    ``style`` maps a component class ("" for the widget's own) to its style."""
    label, text_class = ROLES[entry.role]
    gutter = (label if k == 0 else "").ljust(GUTTER - 1)[: GUTTER - 1] + " "
    a, b = entry.spans[k]
    shown, split = entry.shown, entry.shown_text_len
    body, note = shown[a:min(b, split)], shown[max(a, split):b]
    if not note:
        body = body.rstrip()
    else:
        note = note.rstrip()
    note_class = NOTE_STYLES.get(entry.status, "transcript--system")
    segments = [Segment(gutter, style("transcript--gutter"))]
    if body:
        segments.append(Segment(body, style(text_class)))
    if note:
        segments.append(Segment(note, style(note_class)))
    used = GUTTER + cell_len(body) + cell_len(note)
    line_width = width + GUTTER
    if used < line_width:  # padded to the line: painting it needs no more work
        segments.append(Segment(" " * (line_width - used), style("")))
    return Strip(segments, max(used, line_width))


class StripCache:
    """The painted lines kept: an entry's lines live in ``entry.strips``; this keeps
    which entries hold some (least recently painted first) and drops the oldest past
    :data:`MAX_CACHED_ENTRIES` entries or :data:`MAX_CACHED_LINES` lines."""

    def __init__(self) -> None:
        self._cached: OrderedDict[Entry, None] = OrderedDict()
        #: lines cached since the last count (an upper bound: rewraps drop some)
        self._lines = 0

    def strip(self, entry: Entry, k: int, build: Callable[[Entry, int], Strip]) -> Strip:
        """Line ``k`` of ``entry``, built with ``build`` when not cached."""
        cached = self._cached
        cached[entry] = None
        cached.move_to_end(entry)
        if len(cached) > MAX_CACHED_ENTRIES:
            oldest, _ = cached.popitem(last=False)
            oldest.strips.clear()
        strip = entry.strips.get(k)
        if strip is not None:
            return strip
        self._lines += 1
        if self._lines > MAX_CACHED_LINES:
            self._evict(entry)
        strip = entry.strips[k] = build(entry, k)
        return strip

    def forget(self, entry: Entry) -> None:
        """``entry`` left the transcript."""
        self._cached.pop(entry, None)

    def _evict(self, painting: Entry) -> None:
        """Drop the least recently painted entries' lines until at most 3/4 of
        ``MAX_CACHED_LINES`` stay. ``painting`` (the most recent) goes last: only when
        it alone is over the budget are its other lines dropped."""
        cached = self._cached
        lines = sum(len(entry.strips) for entry in cached)
        target = MAX_CACHED_LINES * 3 // 4
        while lines > target and cached:
            oldest = next(iter(cached))
            lines -= len(oldest.strips)
            oldest.strips.clear()
            if oldest is painting:
                break
            del cached[oldest]
        self._lines = lines
