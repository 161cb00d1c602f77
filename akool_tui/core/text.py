"""Outside text made safe to show: one sanitiser for the console and the CLI.

Everything the app paints that it did not write itself -- ids, names, voice and
language names, error messages from the server, bot replies, URLs, what a user
typed or pasted -- goes through :func:`safe` on its way to the terminal, and every
``--json`` document through :func:`safe_json_dumps`. No Textual import: the CLI uses
this module too.

What :func:`safe` does to a value (``str.isprintable`` decides what needs a look):

- C0 controls, ESC, DEL and every C1 control (U+0080-U+009F) become U+FFFD ``�``,
  visible, so an operator sees that the server sent something odd. Exceptions: a
  newline stays one where a field may hold it (``newlines=True``: chat text) and is
  a space elsewhere; a tab becomes ``tabs`` spaces; a carriage return is dropped in
  multi-line text (``\\r\\n`` -> ``\\n``) and a space elsewhere. U+2028 and U+2029
  count as newlines.
- Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) become
  U+FFFD: they reorder what follows them and have no place in an id or a name.
- Every other invisible format character (Unicode category Cf: zero-width space,
  non-joiner and joiner, bidi marks U+200E/U+200F/U+061C, word joiner, BOM, soft
  hyphen, tag characters...) is dropped. Some occur in honest text (an emoji ZWJ
  sequence, a Persian ZWNJ, a BOM at the start of a pasted value); dropping them
  keeps the text readable (a ZWJ family emoji shows as its separate emoji) and
  terminals disagree on their width anyway, which breaks table alignment.
- Surrogates (a lone ``\\ud800`` from JSON cannot even be encoded for the terminal)
  and code points unassigned in Python's Unicode database become U+FFFD (a
  character newer than that database shows as ``�`` too: a code point unknown to
  the app may be a format character to a newer terminal).
- Private-use characters (icon fonts) and the non-ASCII spaces stay.
- A value longer than ``limit`` characters is cut to ``limit`` with an ellipsis
  ``…`` *before* anything lays it out (a 1 MB name costs what a short one does).

The function is idempotent, never returns more than ``limit`` characters, and
returns printable text unchanged (the same object). Printable text within the limit
(the common case: a 20-character id) takes one ``str.isprintable`` call; see
``tests/test_text_sanitise.py`` for the timings.
"""

from __future__ import annotations

import unicodedata
from typing import Any

#: what a replaced character shows as
MARK = "\ufffd"
ELLIPSIS = "…"

#: limits per kind of field, in characters (a cut value ends in an ellipsis)
#: ids, names, statuses: table cells, picker and option labels, CLI table cells
CELL = 256
#: one-line messages: notifications, errors, the status line, the CLI's stderr line
LINE = 1024
#: one value shown whole: the detail pane, ``sessions show``, URLs
FIELD = 4096
#: one chat message (the transcript wraps it incrementally)
CHAT = 100_000

#: bidi controls that reorder what follows (embeddings, overrides, isolates)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_KEEP = None
_UNKNOWN = object()
#: verdicts per character (None: keep it), for the characters ``isprintable`` rejects;
#: bounded, so that a hostile stream of distinct code points cannot grow it forever
_VERDICTS: dict[str, str | None] = {}
_VERDICTS_MAX = 8192
#: translation tables per (newlines, tabs)
_LAYOUT: dict[tuple[bool, int], dict[str, str | None]] = {}


def _verdict(ch: str) -> str | None:
    """What a non-printable character becomes, regardless of layout (None: kept)."""
    verdict = _VERDICTS.get(ch, _UNKNOWN)
    if verdict is not _UNKNOWN:
        return verdict  # type: ignore[return-value]
    category = unicodedata.category(ch)
    if category == "Cf":
        verdict = MARK if ch in BIDI_CONTROLS else ""
    elif category in ("Co", "Zs"):  # private use (icon fonts), non-ASCII spaces
        verdict = _KEEP
    else:  # Cc, Cs, Cn (Zl, Zp: see _layout)
        verdict = MARK
    if len(_VERDICTS) < _VERDICTS_MAX:
        _VERDICTS[ch] = verdict
    return verdict


def _layout(newlines: bool, tabs: int) -> dict[str, str | None]:
    """What the layout characters become in one kind of field."""
    table = _LAYOUT.get((newlines, tabs))
    if table is None:
        line = "\n" if newlines else " "
        table = _LAYOUT[newlines, tabs] = {
            "\n": _KEEP if newlines else " ",
            "\r": "" if newlines else " ",
            "\t": " " * tabs,
            "\u2028": line,
            "\u2029": line,
        }
    return table


def safe(text: object, *, limit: int | None = LINE, newlines: bool = False,
         tabs: int = 1) -> str:
    """``text`` safe to paint on a terminal (see the module docstring).

    Args:
        text: The value (``None`` is ``""``; anything else is ``str()``-ed).
        limit: Most characters returned (a cut ends in ``…``); ``None``: no cut.
        newlines: Whether the field may hold line breaks (chat text) or not.
        tabs: Spaces a tab becomes.
    """
    if type(text) is not str:
        text = "" if text is None else str(text)
    if (limit is None or len(text) <= limit) and text.isprintable():
        return text  # the fast path: one C loop over the characters
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]  # before any work: a 1 MB value costs what `limit` does
    layout = _layout(newlines, tabs)
    out = text
    # one str.replace per distinct offending character: C-speed scans, several times
    # faster than str.translate, which is slow on non-ASCII text
    for ch in set(text):
        if not ch.isprintable():
            fix = layout[ch] if ch in layout else _verdict(ch)
            if fix is not _KEEP:
                out = out.replace(ch, fix)
    if limit is not None and (cut or len(out) > limit):
        out = out[:max(0, limit - 1)] + ELLIPSIS if limit > 0 else ""
    return out


def is_safe(text: str, *, newlines: bool = False) -> bool:
    """Whether :func:`safe` would leave ``text`` as it is (ignoring the length)."""
    return safe(text, limit=None, newlines=newlines) == text


def hidden_character(text: str, *, newlines: bool = False) -> str | None:
    """``"U+001B at character 3"`` for the first character of ``text`` the terminal would
    not show as typed (a control character, a bidi override, another invisible format
    character; newlines and tabs allowed with ``newlines``), else None: what the user
    gives the service to store or say is refused with it, not kept to act later."""
    for index, char in enumerate(text, 1):
        if not char.isprintable() and not (newlines and char in "\n\t") and not is_safe(char):
            return f"U+{ord(char):04X} at character {index}"
    return None


# -- JSON --------------------------------------------------------------------------------


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_json_text(document: str) -> str:
    """A JSON document (as ``json.dumps`` writes it) with every character that is not
    printable -- C0 and C1 controls, DEL, bidi and other format characters, line and
    paragraph separators, surrogates, unassigned and private-use code points,
    non-ASCII spaces -- written as a ``\\uXXXX`` escape. Outside strings a JSON
    document holds only ASCII and the newlines of its indentation, so the escapes all
    land inside strings: the document still parses to exactly the same data."""
    for ch in set(document):  # str.replace per character: see safe()
        if not ch.isprintable() and ch != "\n":
            document = document.replace(ch, _json_escape(ch))
    return document


def safe_json_dumps(value: Any, *, indent: int | None = 2) -> str:
    """``json.dumps`` for a terminal: exact data, readable non-ASCII text (``ensure_ascii``
    off), and no raw control, C1, bidi or invisible character (see
    :func:`escape_json_text`). ``ensure_ascii=False`` alone writes U+0080-U+009F, DEL,
    U+202E and lone surrogates raw."""
    import json  # here: `akool-tui --help` does not need it

    document = json.dumps(value, indent=indent, ensure_ascii=False)
    if document.replace("\n", "").isprintable():  # nothing to escape (non-ASCII too)
        return document
    return escape_json_text(document)
