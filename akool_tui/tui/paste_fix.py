"""A paste stays text: escape sequences inside a bracketed paste never press keys.

Textual 8's input parser (``XTermParser.parse``) puts each character of a bracketed
paste into the paste, except an ESC: that starts a key sequence of its own, read
outside the paste and "reissued" as key presses when it is not one. Pasting coloured
terminal output (``\\x1b[32mgreen\\x1b[0m``, copied from a log or ``ls --color``) into
the chat sent half of it as a line at once, dropped the rest, and a BEL in the same
paste opened the avatar action dialog as ctrl+g.

:func:`install` wraps ``XTermParser.feed``: the text between the paste markers
(``ESC [200~`` ... ``ESC [201~``) is held until the end marker arrives, as Textual
itself holds a paste, and its escape sequences (colours, cursor moves, titles) are
taken out before Textual reads it. What was pasted arrives as one paste of the text
shown, to be checked by the field it lands in like any other paste. The wrapper is a
no-op for everything outside a paste, and for a Textual whose parser it does not know.

One cut it cannot see: a read that ends right after the start marker's ``ESC`` or
``ESC [`` (that may be the Escape key or alt+[, which must not wait for the next
read). Textual then reads that paste itself, as before this fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

START, END = "\x1b[200~", "\x1b[201~"

#: ECMA-48 escape sequences: CSI (colours, cursor), OSC (titles, links; ended by BEL or
#: ST), DCS/SOS/PM/APC strings, and two- or three-character escapes; a lone ESC too
ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]"
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|[ -/]*[0-~])?")


def clean(pasted: str) -> str:
    """``pasted`` without its escape sequences (the text a terminal showed)."""
    return ESCAPES.sub("", pasted) if "\x1b" in pasted else pasted


def _partial(text: str, marker: str, least: int) -> int:
    """How many characters at the end of ``text`` begin ``marker`` (at least ``least``,
    else 0): a marker split between two reads."""
    for size in range(min(len(marker) - 1, len(text)), least - 1, -1):
        if text.endswith(marker[:size]):
            return size
    return 0


class PasteState:
    """One parser's paste: held text while a paste is open, and a marker's start held
    back from the last read."""

    __slots__ = ("held", "tail")

    def __init__(self) -> None:
        self.held: list[str] | None = None
        self.tail = ""

    def feed(self, data: str) -> str:
        """What the parser should read of ``data``: pastes whole and cleaned."""
        text, self.tail = self.tail + data, ""
        out: list[str] = []
        pos = 0
        while pos < len(text):
            if self.held is None:
                start = text.find(START, pos)
                if start < 0:
                    # only a start marker cut after "ESC [2" is held back: an ESC or
                    # "ESC [" alone may be a key, and the parser times those out itself
                    keep = _partial(text[pos:], START, 3)
                    out.append(text[pos:len(text) - keep])
                    self.tail = text[len(text) - keep:]
                    break
                out.append(text[pos:start])
                self.held, pos = [], start + len(START)
            else:
                end = text.find(END, pos)
                if end < 0:
                    keep = _partial(text[pos:], END, 1)
                    self.held.append(text[pos:len(text) - keep])
                    self.tail = text[len(text) - keep:]
                    break
                self.held.append(text[pos:end])
                out.append(START + clean("".join(self.held)) + END)
                self.held, pos = None, end + len(END)
        return "".join(out)

    def flush(self) -> str:
        """At the end of input: what is held, as it came."""
        text = (START + "".join(self.held) if self.held is not None else "") + self.tail
        self.held, self.tail = None, ""
        return text


def install() -> bool:
    """Wrap the parser's ``feed`` (once); False when this Textual has no such parser."""
    try:
        from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
    except ImportError:  # pragma: no cover - another Textual
        return False
    if (BRACKETED_PASTE_START, BRACKETED_PASTE_END) != (START, END):  # pragma: no cover
        return False
    original = XTermParser.feed
    if getattr(original, "_akool_paste", False):
        return True

    def feed(self: Any, data: str) -> Iterable[Any]:
        state = self.__dict__.get("_akool_paste_state")
        if state is None:
            state = self.__dict__["_akool_paste_state"] = PasteState()
        if not data:  # end of input: what is held first, then the end
            held = state.flush()
            return [*(original(self, held) if held else ()), *original(self, data)]
        text = state.feed(data)
        return original(self, text) if text else ()

    feed._akool_paste = True  # type: ignore[attr-defined]
    XTermParser.feed = feed  # type: ignore[method-assign]
    return True
