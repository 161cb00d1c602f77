"""The chat transcript: a Line-API widget built for text that streams in fast.

Measured on the project's box, ``Markdown.get_stream`` at 200 parts/s takes a whole
core (p95 paint 425 ms) and ``Log`` with a 20 Hz buffer 0.35 core (p95 71 ms; it
re-renders the whole growing line). This widget:

- keeps entries (user, bot, system... lines) and their word-wrapped spans;
- coalesces updates: :meth:`Transcript.add` / :meth:`Transcript.update` only mark an
  entry dirty, and a timer flushes at most ``FLUSH_HZ`` times a second (it pauses
  when idle, so an idle transcript costs nothing);
- re-wraps incrementally: when a streaming entry grows, only its last wrapped
  lines are wrapped again (greedy wrapping never changes earlier lines), so a
  70 KB reply costs the same per update as a short one;
- builds a line's :class:`Strip` lazily in ``render_line`` and caches it until the
  line changes; line lookup is a binary search over entry start lines, so 10 000
  prior lines cost nothing per frame;
- scrolls with new text only when the user is at the bottom (sticky scroll), a few
  lines at a time (``SCROLL_STEP``): a scroll repaints the whole widget.

Text is sanitised with :func:`akool_tui.core.text.safe` (newlines kept): control
characters (a hostile payload could carry terminal escapes), bidi overrides and
unassigned code points become U+FFFD, other invisible format characters are dropped,
tabs become spaces, and an entry stops at ``core.text.CHAT`` characters (an ellipsis).
The entries, their sanitising and word wrapping are :mod:`.transcript_text`; painting a
line and the bound on painted lines kept are :mod:`.transcript_paint`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from datetime import datetime

from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from ...core.text import CHAT, ELLIPSIS
from .transcript_paint import GUTTER, ROLES, StripCache, build_strip
from .transcript_text import Entry, _clean, _note, _span_start, sanitize, wrap_spans

__all__ = ["Entry", "Transcript", "sanitize", "wrap_spans"]


#: flushes per second at most (coalesced repaint rate while text streams)
FLUSH_HZ = 30
#: the scrollable height grows in steps of this many lines ("jump scroll"): following
#: a stream then scrolls -- and repaints the whole widget -- once per SCROLL_STEP new
#: lines instead of once per line; new lines appear in the blank rows below at once
SCROLL_STEP = 4
#: narrowest text column wrapped to
MIN_WRAP = 8
#: entries kept in memory (the scrollback, like a terminal's); beyond this the oldest
#: TRIM_BY leave the view, handed to ``on_drop`` (the chat keeps them for the export;
#: the history database has them all) and a line at the top says how many left.
#: A reply is ~2 KB with its wrapping: 1 000 of them are ~2 MB, where 50 000 (the bound
#: before) were ~100 MB, reached after hours of chat
MAX_ENTRIES = 1_000
TRIM_BY = 100


class Transcript(ScrollView, can_focus=True):
    """Chat lines that stream in; see the module docstring for how it stays fast."""

    COMPONENT_CLASSES = {
        "transcript--user", "transcript--bot", "transcript--system", "transcript--ok",
        "transcript--error", "transcript--warning", "transcript--gutter",
    }
    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        background: $background;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        & > .transcript--user { color: $accent; }
        & > .transcript--bot { color: $foreground; }
        & > .transcript--system { color: $foreground-muted; }
        & > .transcript--ok { color: $success; }
        & > .transcript--error { color: $error; }
        & > .transcript--warning { color: $warning; }
        & > .transcript--gutter { color: $primary; text-style: bold; }
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None, scrollback: int = MAX_ENTRIES) -> None:
        super().__init__(name=name, id=id, classes=classes)
        #: entries kept in memory (see MAX_ENTRIES)
        self.scrollback = max(scrollback, 2 * TRIM_BY)
        self._entries: list[Entry] = []
        self._by_key: dict[str, Entry] = {}
        self._starts: list[int] = []
        self._total = 0
        self._width = 0
        self._dirty: set[Entry] = set()
        self._styles: dict[str, Style] | None = None
        self._timer: Timer | None = None
        self._painted = StripCache()
        #: whether new lines scroll into view: the user is at the end (see _at_end)
        self._follow = True
        #: entries that left the scrollback (oldest first), and the line saying so
        self.dropped = 0
        self.marker: Entry | None = None
        #: called with the entries that leave the scrollback, before they go
        self.on_drop: Callable[[list[Entry]], None] | None = None

    # -- public -------------------------------------------------------------------

    @property
    def entries(self) -> list[Entry]:
        """The entries, oldest first (read-only use)."""
        return self._entries

    @property
    def line_count(self) -> int:
        """Wrapped lines as of the last flush."""
        return self._total

    def get(self, key: str) -> Entry | None:
        return self._by_key.get(key)

    def add(self, role: str, text: str, *, key: str | None = None, status: str = "",
            note: str = "", time: datetime | None = None) -> Entry:
        """Append an entry (shown at the next flush). A known ``key`` updates instead."""
        if key is not None and key in self._by_key:
            self.update(key, text, status=status, note=note)
            return self._by_key[key]
        entry = Entry(role if role in ROLES else "system", _clean(text), key, status,
                      _note(note), time, index=len(self._entries), raw=text)
        self._entries.append(entry)
        self._starts.append(self._total)
        if key is not None:
            self._by_key[key] = entry
        self._mark_dirty(entry)
        if len(self._entries) > self.scrollback:
            self._trim()
        return entry

    def update(self, key: str, text: str | None = None, *, status: str | None = None,
               note: str | None = None) -> bool:
        """Change an entry's text (e.g. a reply so far), status or note."""
        entry = self._by_key.get(key)
        if entry is None:
            return False
        if text is not None and text != entry.raw:
            old = entry.raw
            if len(text) > len(old) and text.startswith(old):
                if len(entry.text) < CHAT or not entry.text.endswith(ELLIPSIS):  # not cut
                    entry.text += sanitize(text[len(old):])  # streaming: only the new tail
                    if len(entry.text) > CHAT:
                        entry.text = entry.text[:CHAT - 1] + ELLIPSIS
                    elif entry.text == text:
                        entry.text = text  # one string for both (see Entry)
            else:
                entry.text = _clean(text)
            entry.raw = text
        if status is not None:
            entry.status = status
        if note is not None:
            entry.note = _note(note)
        self._mark_dirty(entry)
        return True

    def mark_interrupted(self) -> list[Entry]:
        """Mark the replies streaming now as interrupted (the user asked the avatar to
        stop): they show ``[interrupted]`` once closed, and the export says so."""
        cut = [e for e in self._entries if e.status == "streaming" and e.role in ("bot", "speech")]
        for entry in cut:
            entry.interrupted = True
            self._mark_dirty(entry)
        return cut

    def lines_text(self) -> list[str]:
        """Every wrapped line as plain text, gutter included, trailing spaces removed."""
        out = []
        for entry in self._entries:
            for k in range(len(entry.spans)):
                out.append(self._strip(entry, k).text.rstrip())
        return out

    def flush(self) -> None:
        """Apply pending changes now (normally done by the timer)."""
        self._flush()

    # -- life cycle --------------------------------------------------------------

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FLUSH_HZ, self._flush, pause=not self._dirty,
                                        name="transcript-flush")

    def on_resize(self) -> None:
        if self._wrap_width() != self._width:
            self._mark_dirty(None)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        for entry in self._entries:
            entry.strips.clear()
        self.refresh()

    def _mark_dirty(self, entry: Entry | None) -> None:
        if entry is not None:
            self._dirty.add(entry)
        if self._timer is not None:
            self._timer.resume()

    # -- layout ------------------------------------------------------------------

    def _wrap_width(self) -> int:
        return max(MIN_WRAP, self.scrollable_content_region.width - GUTTER)

    def _at_end(self) -> bool:
        """Whether to follow the tail. Kept from the last scroll, not worked out from the
        size: a resize changes ``max_scroll_y`` (shorter, or re-wrapped to more lines)
        before the lines are wrapped again, and measuring then took a transcript at its
        end for one scrolled up -- it stopped following until End was pressed."""
        return self._follow

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.size.height:  # a scroll (the user's, or following): at the end or not
            self._follow = new_value >= self.max_scroll_y

    def _flush(self) -> None:
        width = self._wrap_width()
        if not self.size.width:
            return  # not laid out yet: keep the changes for the first real flush
        if not self._dirty and width == self._width:
            if self._timer is not None:
                self._timer.pause()
            return
        sticky = self._at_end()
        if width != self._width:  # everything wraps again
            self._width = width
            self._dirty.update(self._entries)
        dirty = sorted(self._dirty, key=lambda e: e.index)
        self._dirty.clear()
        keeps = [(entry, self._rewrap(entry)) for entry in dirty]
        first_changed = self._total
        if dirty:
            self._restack(dirty[0].index)
            first_changed = min(self._starts[entry.index] + keep for entry, keep in keeps)
        self._set_virtual_size(Size(self.scrollable_content_region.width, self._scroll_height()))
        if sticky:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
        top = self.scroll_offset.y
        if first_changed < top + self.size.height:
            start = max(first_changed, top)
            self.refresh_lines(start, top + self.size.height - start)

    def _scroll_height(self) -> int:
        return -(-self._total // SCROLL_STEP) * SCROLL_STEP

    def _set_virtual_size(self, size: Size) -> None:
        """A new height needs no layout: the widget's own height is fixed by CSS and
        its scrollbar always shown. Assigning ``virtual_size`` (a layout reactive)
        would lay out the whole screen on every flush; only the scrollbar is updated."""
        if size == self.virtual_size:
            return
        if size.width != self.virtual_size.width:
            self.virtual_size = size
            return
        self.set_reactive(Transcript.virtual_size, size)
        self._scroll_update(size)

    def _rewrap(self, entry: Entry) -> int:
        """Wrap ``entry`` again from where it changed; returns the first changed line
        within the entry (later entries move in :meth:`_restack`)."""
        display = entry.display()
        keep = 0
        if entry.width == self._width and entry.spans:
            common = entry.shown_text_len if entry.text.startswith(
                entry.shown[:entry.shown_text_len]) else 0
            if common:
                keep = max(0, bisect_right(entry.spans, common, key=_span_start) - 2)
        self._wrap(entry, keep, display)
        return keep

    def _restack(self, first: int) -> None:
        """Recompute the start line of every entry from index ``first`` on."""
        starts, entries = self._starts, self._entries
        total = starts[first] if first < len(starts) else self._total
        for i in range(first, len(entries)):
            starts[i] = total
            total += len(entries[i].spans)
        self._total = total

    def _wrap(self, entry: Entry, keep: int, display: str | None = None) -> None:
        """Keep the first ``keep`` wrapped lines of ``entry``, wrap the rest again."""
        display = entry.display() if display is None else display
        start = entry.spans[keep][0] if keep else 0
        entry.spans[keep:] = wrap_spans(display, self._width, start)
        entry.shown, entry.shown_text_len, entry.width = display, len(entry.text), self._width
        for k in [k for k in entry.strips if k >= keep]:
            del entry.strips[k]

    @property
    def lines(self) -> list[Entry]:
        """The entries in the scrollback, without the line saying older ones left."""
        return [e for e in self._entries if e is not self.marker]

    def _trim(self) -> None:
        n = TRIM_BY + (self.marker is not None)  # the old marker goes too
        drop = self._entries[:n]
        dropped_lines = self._starts[n] if n < len(self._starts) else self._total
        del self._entries[:n]
        del self._starts[:n]
        gone = [entry for entry in drop if entry is not self.marker]
        self.dropped += len(gone)
        if self.on_drop is not None:
            self.on_drop(gone)
        for entry in drop:
            if entry.key is not None:
                self._by_key.pop(entry.key, None)
            self._dirty.discard(entry)
            self._painted.forget(entry)
        self.marker = Entry("system", _clean(
            f"{self.dropped:,} older lines left the view (it keeps {self.scrollback:,}): "
            "ctrl+s exports all, the history has them"), time=None)
        self._entries.insert(0, self.marker)
        self._starts.insert(0, 0)
        for i, entry in enumerate(self._entries):
            entry.index = i
            if i:
                self._starts[i] -= dropped_lines
        self._total -= dropped_lines
        self._mark_dirty(self.marker)  # wrapped at the next flush, which restacks from 0
        self._set_virtual_size(Size(self.virtual_size.width, self._scroll_height()))
        self.scroll_to(y=max(0, self.scroll_offset.y - dropped_lines), animate=False,
                       immediate=True)
        self.refresh()

    # -- painting ------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        if self._styles is None:
            base = self.rich_style
            self._styles = {cls: base + self.get_component_rich_style(cls, partial=True)
                            for cls in self.COMPONENT_CLASSES}
            self._styles[""] = base
        return self._styles[name]

    def _strip(self, entry: Entry, k: int) -> Strip:
        return self._painted.strip(entry, k, self._build)

    def _build(self, entry: Entry, k: int) -> Strip:
        return build_strip(entry, k, self._width, self._style)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        line = scroll_y + y
        width = self.size.width
        base = self._style("")
        if line >= self._total or not self._entries:
            return Strip.blank(width, base)
        i = bisect_right(self._starts, line) - 1
        entry = self._entries[i]
        k = line - self._starts[i]
        if k >= len(entry.spans):  # not wrapped yet (between a change and its flush)
            return Strip.blank(width, base)
        strip = self._strip(entry, k)
        if scroll_x or strip.cell_length != width:  # e.g. resized, not re-wrapped yet
            strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        return strip

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)
