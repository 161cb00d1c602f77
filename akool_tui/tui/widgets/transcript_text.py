"""The transcript's text side (no Textual here): entries, their sanitising, and the
greedy word wrap the widget re-runs incrementally as a reply streams in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len, split_graphemes

from ...core.text import CHAT, LINE, safe

if TYPE_CHECKING:
    from textual.strip import Strip

_WORD = re.compile(r"\S+\s*|\s+")


def sanitize(text: str) -> str:
    """``text`` safe to paint, newlines kept, not cut. Character by character, so that
    the sanitised tail of a streaming reply is the tail of the sanitised reply."""
    return safe(text, limit=None, newlines=True)


def _clean(text: str) -> str:
    """An entry's text: safe to paint and at most ``CHAT`` characters; ``text`` itself
    when nothing needed a change."""
    return safe(text, limit=CHAT, newlines=True)


def _note(note: str) -> str:
    """A note after the text (it may quote a transport error): one safe line."""
    return safe(note, limit=LINE)


def wrap_spans(text: str, width: int, start: int = 0) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:]`` into ``(begin, end)`` spans of at most
    ``width`` cells (trailing spaces aside). Newlines break lines; a word wider than
    the line is cut between grapheme clusters (an emoji with its skin tone, a letter
    with its combining marks stay whole), measured by cells as they are painted.
    Always at least one span."""
    width = max(1, width)
    spans: list[tuple[int, int]] = []
    pos, n = start, len(text)
    while True:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        _wrap_paragraph(text, pos, end, width, spans)
        if nl < 0:
            return spans
        pos = nl + 1


def _wrap_paragraph(text: str, a: int, b: int, width: int,
                    spans: list[tuple[int, int]]) -> None:
    line_start, used = a, 0
    for m in _WORD.finditer(text, a, b):
        ws, we = m.span()
        word = m.group()
        core = cell_len(word.rstrip())
        if used + core <= width:
            used += cell_len(word)
            continue
        if ws > line_start:  # the word goes to the next line
            spans.append((line_start, ws))
            line_start, used = ws, 0
        if core <= width:
            used = cell_len(word)
            continue
        # fold a word wider than the line between grapheme clusters, each measured
        # whole as it is painted: "👍🏽" is 2 cells (a lone skin tone measures 0 and
        # would be cut off its emoji), "❤️" is 2, "é" (e + U+0301) is 1
        for g_start, _g_end, w in split_graphemes(text[ws:we])[0]:
            g_pos = ws + g_start
            if used + w > width and g_pos > line_start:
                spans.append((line_start, g_pos))
                line_start, used = g_pos, 0
            used += w
    spans.append((line_start, b))


def _span_start(span: tuple[int, int]) -> int:
    return span[0]


@dataclass(eq=False, slots=True)
class Entry:
    """One transcript line (wrapped over as many rows as it needs).

    ``text`` is the sanitised ``raw`` text: the same string object when there was
    nothing to replace, so that a long chat does not hold every reply twice.
    """

    role: str
    text: str
    key: str | None = None
    #: "", "streaming", "queued", "failed", "incomplete"
    status: str = ""
    #: shown after the text, e.g. "queued: waiting for the channel"
    note: str = ""
    time: datetime | None = None
    index: int = 0
    raw: str = field(default="", repr=False)
    shown: str = field(default="", repr=False)
    shown_text_len: int = field(default=0, repr=False)
    spans: list[tuple[int, int]] = field(default_factory=list, repr=False)
    width: int = field(default=0, repr=False)
    strips: dict[int, Strip] = field(default_factory=dict, repr=False)
    #: a reply that was streaming when the user interrupted it (its text is cut short)
    interrupted: bool = False

    def display(self) -> str:
        if self.status == "streaming":
            return self.text + " ▍"
        # both when both: a recorded reply cut short also carries its timings
        note = " · ".join(m for m in ("interrupted" if self.interrupted else "", self.note) if m)
        return f"{self.text}  [{note}]" if note else self.text
