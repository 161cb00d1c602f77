"""Split text into chat parts whose ENCODED message fits the data channel's limit.

Every part is cut at a code point (never inside a UTF-8 sequence); lone surrogates
are replaced by U+FFFD first. A cut prefers the end of a sentence, then whitespace,
then a place that does not separate a character from its combining marks, and
falls back to any code point. Each part's end is found by a binary search whose
probes encode at most one part-sized window, so chunking is O(n log limit).
"""

from __future__ import annotations

import re
import unicodedata
from json.encoder import encode_basestring

from .codec import ChatMessage, clean_text, encode

DEFAULT_LIMIT = 960
#: the most bytes one code point can take inside a JSON string (``\u001f``)
_MAX_CHAR_COST = 6
#: a preferred cut is looked for only in the last part of the window
_PREFER_WINDOW = 0.5
#: how far a hard cut may move back to keep a grapheme together
_GRAPHEME_BACKOFF = 16

# greedy ``.*`` first: a match ends at the LAST boundary of the window
_LAST_SENTENCE_END = re.compile(r"(?s).*(?:[.!?;:…]+[\"')\]]*\s+|[。！？；]+|\n+)")
_LAST_SPACE = re.compile(r"(?s).*\s+")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


def _cost(text: str) -> int:
    """Bytes ``text`` adds inside a compact JSON string (ensure_ascii=False)."""
    return len(encode_basestring(text).encode("utf-8")) - 2


def _overhead(mid: str, idx: int) -> int:
    """Encoded size of a part with empty text (``fin`` false: the longer literal)."""
    return len(encode(ChatMessage(mid=mid, idx=idx, fin=False, text="")))


def _keeps_grapheme(text: str, cut: int) -> bool:
    """False when cutting before ``text[cut]`` would split a character from its marks."""
    ch = text[cut]
    return not (unicodedata.combining(ch) or ch in _JOINERS or text[cut - 1] in _JOINERS
                or unicodedata.category(ch) == "Mn")


def _furthest_end(text: str, start: int, budget: int) -> int:
    """The largest ``end`` with ``_cost(text[start:end]) <= budget`` (at least start + 1).

    Every code point costs at least one byte, so ``end <= start + budget``: each
    probe encodes at most one window, and a binary search needs ~log2(budget) probes.
    """
    hi = min(len(text), start + budget)
    if _cost(text[start:hi]) <= budget:
        return hi
    lo = start + 1  # one code point always fits (budget >= its largest cost)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _cost(text[start:mid]) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def _best_cut(text: str, start: int, end: int) -> int:
    """Where to end the part ``text[start:end]`` (``end`` is the furthest that fits)."""
    if end >= len(text):
        return end
    lo = start + max(1, int((end - start) * _PREFER_WINDOW))
    window = text[lo:end]
    for pattern in (_LAST_SENTENCE_END, _LAST_SPACE):
        last = pattern.match(window)
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
    parts: list[str] = []
    start = 0
    while start < len(text):
        budget = limit - _overhead(mid, len(parts))
        if budget < _MAX_CHAR_COST:
            raise ValueError(f"message limit {limit} bytes is too small for {len(parts)} parts")
        end = _furthest_end(text, start, budget)
        cut = _best_cut(text, start, end)
        parts.append(text[start:cut])
        start = cut
    last = len(parts) - 1
    return [ChatMessage(mid=mid, idx=i, fin=i == last, text=part) for i, part in enumerate(parts)]
