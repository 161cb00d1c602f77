"""Split text into chat parts whose ENCODED message fits the data channel's limit.

Every part is cut at a code point (never inside a UTF-8 sequence); lone surrogates
are replaced by U+FFFD first. A cut prefers the end of a sentence, then whitespace,
then a place that does not separate a character from its combining marks, and
falls back to any code point. The cost of each code point inside the JSON string is
computed once, so chunking is linear in the text length.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate

from .codec import ChatMessage, clean_text, encode

DEFAULT_LIMIT = 960
#: the most bytes one code point can take inside a JSON string (``\u001f``)
_MAX_CHAR_COST = 6
#: a preferred cut is looked for only in the last part of the window
_PREFER_WINDOW = 0.5
#: how far a hard cut may move back to keep a grapheme together
_GRAPHEME_BACKOFF = 16

_SENTENCE_END = re.compile(r"(?:[.!?;:…]+[\"')\]]*\s+|[。！？；]+|\n+)")
_SPACE = re.compile(r"\s+")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")
_SHORT_ESCAPES = frozenset('"\\\n\r\t\b\f')


def _char_cost(ch: str) -> int:
    """Bytes ``ch`` takes inside a compact JSON string with ensure_ascii=False."""
    o = ord(ch)
    if o < 0x80:
        if ch in _SHORT_ESCAPES:
            return 2
        return 6 if o < 0x20 else 1
    if o < 0x800:
        return 2
    return 3 if o < 0x10000 else 4


def _overhead(mid: str, idx: int) -> int:
    """Encoded size of a part with empty text (``fin`` false: the longer literal)."""
    return len(encode(ChatMessage(mid=mid, idx=idx, fin=False, text="")))


def _keeps_grapheme(text: str, cut: int) -> bool:
    """False when cutting before ``text[cut]`` would split a character from its marks."""
    ch = text[cut]
    return not (unicodedata.combining(ch) or ch in _JOINERS or text[cut - 1] in _JOINERS
                or unicodedata.category(ch) == "Mn")


def _best_cut(text: str, start: int, end: int) -> int:
    """Where to end the part ``text[start:end]`` (``end`` is the furthest that fits)."""
    if end >= len(text):
        return end
    lo = start + max(1, int((end - start) * _PREFER_WINDOW))
    window = text[lo:end]
    for pattern in (_SENTENCE_END, _SPACE):
        last = None
        for last in pattern.finditer(window):
            pass
        if last is not None:
            return lo + last.end()
    for cut in range(end, max(start, end - _GRAPHEME_BACKOFF), -1):
        if _keeps_grapheme(text, cut):
            return cut
    return end


def chunk_text(text: str, *, mid: str, limit: int = DEFAULT_LIMIT) -> list[ChatMessage]:
    """Parts of ``text`` sharing ``mid``, idx 0..n-1, ``fin`` only on the last.

    Every part, once encoded, is at most ``limit`` bytes. Raises ``ValueError`` for
    empty or whitespace-only text, and for a limit too small for one character.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("cannot send an empty message: type some text first")
    text = clean_text(text)
    if _overhead(mid, 0) + _MAX_CHAR_COST > limit:
        raise ValueError(f"message limit {limit} bytes is too small for message id {mid!r}")
    cumulative = [0, *accumulate(map(_char_cost, text))]
    parts: list[str] = []
    start = 0
    while start < len(text):
        budget = limit - _overhead(mid, len(parts))
        if budget < _MAX_CHAR_COST:
            raise ValueError(f"message limit {limit} bytes is too small for {len(parts)} parts")
        # furthest end with cumulative[end] - cumulative[start] <= budget
        end = bisect_right(cumulative, cumulative[start] + budget, lo=start) - 1
        cut = _best_cut(text, start, end)
        parts.append(text[start:cut])
        start = cut
    last = len(parts) - 1
    return [ChatMessage(mid=mid, idx=i, fin=i == last, text=part) for i, part in enumerate(parts)]
