"""``sessions list --json`` / ``--jsonl``: a page of listed records written a field at a time.

:class:`~akool_tui.cli.output.ListedJson` writes one record's line from its values;
at 100 000 sessions its Python work per record (checks, masking, formatting) was most
of what the listing cost beyond fetching the pages. :func:`page_lines` gives the same
lines for a whole page, column by column: the records' values are picked, checked
and encoded by C calls over each column (``map``, ``zip``, ``set``), the credentials
masked by :func:`~akool_tui.api.secrets_columns.masked_columns`, and each line is
one ``%`` format of its encoded values.

A page that is not entirely of the listed shape with well-typed values (a field
missing or of another type, a credential that is not a plain value) is written by
``ListedJson`` record by record, as before. ``tests/test_cli_listed_page.py`` checks
both give the same lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from json.encoder import encode_basestring
from operator import eq, itemgetter
from typing import TYPE_CHECKING, Any

from ..api.secrets import _MASK, is_secret_key
from ..api.secrets_columns import masked_columns
from ..core.records import _LISTED, _OPEN, _LATEST_MS, iso_ms_many, listed_time_left

if TYPE_CHECKING:
    from .output import ListedJson

__all__ = ["page_lines"]

#: written in place of a mask's "••••" (the one non-ASCII text the listing adds) until
#: the page is written: a page of ASCII text is copied, not re-encoded, and its check
#: is a flag. The JSON encoder writes every C0 control of a text as an escape, so a
#: raw NUL in a line is this mark and nothing else.
MARK = "\x00"
_MASK_BYTES = _MASK.encode()

_PICK = itemgetter("_id", "status", "stream_type", "avatar_id", "duration", "create_time",
                   "uid", "type", "credentials")
_STR, _INT, _DICT = frozenset({str}), frozenset({int}), frozenset({dict})
_UID = frozenset({str, int})


def page_lines(writer: ListedJson, raws: Sequence[Any]) -> list[tuple[Any, str]]:
    """``[writer(raw) for raw in raws]``: (id, line) of each record, column by column
    when the whole page has the listed shape, masks written as :data:`MARK`
    (:class:`PageWriter` writes them as they are)."""
    lines = _columns(writer, raws)
    return lines if lines is not None else list(map(writer, raws))


class PageWriter:
    """Writes the lines of :func:`page_lines` to ``stream`` (stdout): each mark as the
    mask, every control, C1, bidi and invisible character escaped (:func:`join_lines`).

    A page of ASCII text (all of it, but for its masks, in the usual listing) goes to
    the stream's byte buffer as UTF-8 when the stream writes UTF-8 with plain newlines:
    the same bytes as writing the text, without widening it to two bytes a character
    for the masks, scanning it for them and encoding it back."""

    def __init__(self, stream: Any) -> None:
        import codecs
        import os

        self.stream = stream
        buffer = getattr(stream, "buffer", None)
        try:
            utf8 = codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "utf-8"
        except LookupError:
            utf8 = False
        self.raw = buffer if buffer is not None and utf8 and os.linesep == "\n" else None
        self._text_pending = True  # the stream may hold text not yet in its buffer

    def write(self, head: str, lines: list[str], sep: str, tail: str = "") -> None:
        """``head``, ``lines`` joined by ``sep``, ``tail`` (all but the lines ASCII)."""
        text = head + sep.join(lines) + tail
        if self.raw is not None and text.isascii() and "\x7f" not in text:
            if self._text_pending:
                self.stream.flush()
                self._text_pending = False
            self.raw.write(text.encode().replace(b"\x00", _MASK_BYTES))
            if getattr(self.stream, "line_buffering", False):
                self.raw.flush()
            return
        from .output import join_lines

        self.stream.write(head + join_lines([line.replace(MARK, _MASK) for line in lines], sep)
                          + tail)
        self._text_pending = True


def _kinds(column: Sequence[Any]) -> set[type]:
    return set(map(type, column))


def _inner(column: Sequence[str]) -> Sequence[str]:
    """What :func:`encode_basestring` writes between the quotes, for each text: the
    texts themselves when none holds a quote, a backslash or a control character
    (checked on the texts joined: one C pass), else each encoded."""
    joined = "".join(column)
    if joined.isprintable() and '"' not in joined and "\\" not in joined:
        return column
    return [encode_basestring(v)[1:-1] for v in column]


def _inner_masked(column: Sequence[str]) -> Sequence[str]:
    """:func:`_inner` of a masked column: :data:`MARK` and the secret's last characters
    (checked and encoded), or a value left as it was (empty, or masked already)."""
    joined = "".join([v[1:] if v[:1] == MARK else v for v in column])
    if joined.isprintable() and '"' not in joined and "\\" not in joined:
        return column
    return [MARK + encode_basestring(v[1:])[1:-1] if v[:1] == MARK else encode_basestring(v)[1:-1]
            for v in column]


def _json_column(writer: ListedJson, column: Sequence[Any], masked: bool
                 ) -> tuple[str, Sequence[Any]]:
    """(the format of one value, the values to format): a text quoted in the format."""
    kinds = _kinds(column)
    if kinds <= _STR:
        return '"%s"', _inner_masked(column) if masked else _inner(column)
    if kinds == _INT:
        return "%d", column
    if masked:  # masked numbers among nulls and booleans
        return "%s", ['"' + _inner_masked([v])[0] + '"' if type(v) is str else writer.encode(v)
                      for v in column]
    return "%s", list(map(writer.encode, column))  # null, true, floats as json writes them


def _credentials(writer: ListedJson, credentials: Sequence[dict[str, Any]]
                 ) -> list[str] | None:
    """The masked credentials of each record as JSON, grouped by their keys."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for row, keys in enumerate(map(tuple, credentials)):
        group = groups.get(keys)
        if group is None:
            groups[keys] = [row]
        else:
            group.append(row)
    texts: list[str] = [""] * len(credentials)
    for keys, rows in groups.items():
        members = [credentials[r] for r in rows] if len(groups) > 1 else credentials
        masked = masked_columns(keys, members, shown=MARK)
        if masked is None:
            return None
        columns, whole = masked
        if keys:
            formats, values = zip(*[_json_column(writer, c, is_secret_key(k))
                                    for k, c in zip(keys, columns, strict=True)])
            template = "{" + ", ".join(
                encode_basestring(k).replace("%", "%%") + ": " + f
                for k, f in zip(keys, formats, strict=True)) + "}"
            group_texts = list(map(template.__mod__, zip(*values)))
        else:
            group_texts = ["{}"] * len(rows)
        for r, masked_row in whole.items():
            if masked_row is None:
                return None
            group_texts[r] = writer.encode(masked_row)
        if len(groups) == 1:
            return group_texts
        for r, text in zip(rows, group_texts, strict=True):
            texts[r] = text
    return texts


def _columns(writer: ListedJson, raws: Sequence[Any]) -> list[tuple[Any, str]] | None:
    if not raws:
        return []
    if _kinds(raws) != _DICT or not all(map(eq, map(dict.keys, raws), repeat(_LISTED))):
        return None
    ids, statuses, streams, avatars, durations, created, uids, kinds, credentials = zip(
        *map(_PICK, raws))
    uid_kinds = _kinds(uids)
    if not (_kinds(ids) == _STR and _kinds(statuses) == _INT and _kinds(streams) == _STR
            and all(streams) and _kinds(avatars) == _STR and _kinds(durations) == _INT
            and _kinds(kinds) == _INT and _kinds(created) == _INT
            and min(created) >= 1e11 and max(created) < _LATEST_MS
            and _kinds(credentials) == _DICT and uid_kinds <= _UID):
        return None
    credentials_json = _credentials(writer, credentials)
    if credentials_json is None:
        return None
    lefts = ["null"] * len(raws)
    if not _OPEN.isdisjoint(statuses):
        now = writer.now
        for r, status in enumerate(statuses):
            if status in _OPEN:
                left = listed_time_left(status, created[r], durations[r], now)
                if left is not None:
                    lefts[r] = str(left)
    numbers, labels = writer.status_numbers.get, writer.labels.get
    lines = [f'{{"id": "{i}", "status": {s}, "status_label": {label}, "stream_type": "{st}", '
             f'"avatar_id": "{a}", "duration": {d}, "create_time": "{c}", "uid": "{u}", '
             f'"type": {k}, "credentials": {cr}, "time_left": {left}}}'
             for i, s, label, st, a, d, c, u, k, cr, left in zip(
                 _inner(ids), map(numbers, statuses, repeat("null")),
                 map(labels, statuses, repeat("null")), _inner(streams), _inner(avatars),
                 durations, iso_ms_many(created),
                 _inner(list(map(str, uids)) if int in uid_kinds else uids), kinds,
                 credentials_json, lefts)]
    return list(zip(ids, lines))
