"""Plain-text tables and JSON for the headless CLI (no Textual import).

Tables are for people: aligned columns, times as "4 minutes ago", status
labels, secrets masked. JSON is for machines: every field, enums as their
numbers plus a ``*_label``, times in ISO 8601, secrets masked.

Both reach a terminal, and most of what they show comes from the server: every
table cell and detail value goes through :func:`akool_tui.core.text.safe` (cut to a
bounded length before the columns are measured), and JSON is written with
:func:`akool_tui.core.text.safe_json_dumps` (exact data, every control, C1, bidi
and invisible character escaped).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from ..core.fields import Field, table_fields
from ..core.fields import count as count  # the summaries: "1,234 sessions"
from ..core.fields import details as field_details
from ..core.records import iso_ms, jsonable, listed_fields, listed_session, listed_time_left
from ..core.text import CELL, FIELD, escape_json_text, safe, safe_json_dumps

# -- humane values -------------------------------------------------------------


# -- tables -------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
          right: Iterable[int] = ()) -> str:
    """Columns separated by two spaces; indexes in ``right`` are right-aligned. Cells
    are made safe and cut to ``CELL`` characters before the columns are measured."""
    cells = [[str(h) for h in headers]] + [[safe(c, limit=CELL) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    right = set(right)
    lines = []
    for row in cells:
        parts = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def details(pairs: Iterable[tuple[str, Any]]) -> str:
    """``label: value`` lines with the labels aligned (labels and values made safe:
    credentials' extra keys come from the server too)."""
    pairs = [(safe(k, limit=CELL), safe(v, limit=FIELD)) for k, v in pairs]
    width = max((len(k) for k, _ in pairs), default=0)
    return "\n".join(f"{k + ':':<{width + 1}} {v}".rstrip() for k, v in pairs)


class TableBuilder:
    """A table of records built a batch at a time (``sessions list`` adds a page as it
    arrives) that keeps only the cell text, each distinct text once: 100 000 sessions
    cost a few MB of cells, not the records. Rows sort by ``key`` (largest first) when
    rendered; records with equal keys keep the order they came in."""

    def __init__(self, fields: Sequence[Field[Any]], now: datetime | None,
                 key: Callable[[Any], Any] | None = None, *, fit: bool | None = None) -> None:
        self.shown = table_fields(fields)
        self.now = now
        self.key = key
        #: cut long texts to a column's cap (:func:`column_cap`); None: when stdout is a
        #: terminal (one 5 000-character name widened every row; a pipe keeps them whole)
        self.fit = fit
        self.rows: list[tuple[Any, tuple[str, ...]]] = []
        self._texts: dict[str, str] = {}

    def add(self, records: Iterable[Any]) -> None:
        shown, now, key = self.shown, self.now, self.key
        self.add_rows((key(r) if key else None,
                       tuple(safe(f.cell(f.get(r), now), limit=CELL) for f in shown))
                      for r in records)

    def add_rows(self, rows: Iterable[tuple[Any, tuple[str, ...]]]) -> None:
        """Rows made already: (sort key, the cells, each made safe and cut to ``CELL``)."""
        texts, append = self._texts, self.rows.append
        for key, cells in rows:
            append((key, tuple([texts.setdefault(t, t) for t in cells])))

    def __len__(self) -> int:
        return len(self.rows)

    def lines(self) -> Iterator[str]:
        """The table a line at a time (header first), sorted by ``key``: written as it is
        made, without a second copy of the cells or of the text."""
        header, line, strip = self._prepared()
        yield header
        if strip:
            for _, cells in self.rows:
                yield line(cells).rstrip()
        else:
            yield from map(line, map(itemgetter(1), self.rows))

    def _prepared(self) -> tuple[str, Callable[[tuple[str, ...]], str], bool]:
        """Sorts the rows; (the header line, a row's line before ``rstrip``, whether a
        line may end in spaces: a left-aligned last column, or a last cell empty or
        ending in one)."""
        if self.key is not None:
            self.rows.sort(key=itemgetter(0), reverse=True)
        shown = self.shown
        headers = [f.label.upper() for f in shown]
        # each distinct text is held once: measure those, not every cell
        lengths = {text: len(text) for text in self._texts}
        widths = [len(h) for h in headers]
        for i in range(len(shown)):
            widths[i] = max(widths[i], max((lengths[cells[i]] for _, cells in self.rows),
                                           default=0))
        fit = self.fit if self.fit is not None else _stdout_is_terminal()
        caps = [column_cap(f) for f in shown] if fit else [None] * len(shown)
        cut: dict[str, str] = {}
        for i, cap in enumerate(caps):
            if cap is not None and widths[i] > cap:
                widths[i] = max(cap, len(headers[i]))
                cut.update((t, t[:cap - 1] + "\u2026") for t, n in lengths.items() if n > cap)
        # "%-8s  %5s...": pads as ljust / rjust do (and str.format's "{:<8}"), % escaped
        template = "  ".join(f"%{'' if f.align == 'right' else '-'}{w}s"
                             for f, w in zip(shown, widths, strict=True))
        format_line = template.__mod__
        header = format_line(tuple(headers)).rstrip()
        strip = not shown or shown[-1].align != "right" or any(
            not cells[-1] or cells[-1].endswith(" ") for _, cells in self.rows)
        if not cut:
            return header, format_line, strip
        # a text cut in one column is cut wherever it shows: the same cell text
        get = cut.get

        def line(cells: tuple[str, ...]) -> str:
            return format_line(tuple([get(c, c) if len(c) > (caps[i] or len(c)) else c
                                      for i, c in enumerate(cells)]))

        return header, line, True

    def render(self) -> str:
        return "\n".join(self.lines())


def column_cap(field: Field[Any]) -> int | None:
    """The most characters a table column shows on a terminal: twice the console's
    width for it, at least 32; None for ids (cut, they could not be copied)."""
    if field.key == "id" or field.key.endswith("_id"):
        return None
    return max(32, 2 * field.width)


def _stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def records_table(fields: Sequence[Field[Any]], records: Iterable[Any],
                  now: datetime | None) -> str:
    """A table of ``records`` with a column per table field of ``fields`` (the field
    catalogue, :mod:`akool_tui.core.fields`): headers are the labels in capitals, cells
    the fields' cell text, right-aligned where the field says so."""
    builder = TableBuilder(fields, now)
    builder.add(records)
    return builder.render()


def record_details(fields: Sequence[Field[Any]], record: Any, now: datetime | None, *,
                   extra: Iterable[tuple[str, Any]] = ()) -> str:
    """``Label: value`` lines of a record's detail fields (unknown values left out),
    then ``extra`` pairs (a session's masked credentials)."""
    return details([*field_details(fields, record, now), *extra])


# -- JSON -------------------------------------------------------------------------------


def dumps(value: Any) -> str:
    """``--json``: the records as exact data, secrets masked, control characters escaped."""
    return safe_json_dumps(jsonable(value), indent=2)


def _compact_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False)`` of plain data (no circular check: the
    records are trees), with the C encoder made once, not once a record as
    ``JSONEncoder.encode`` makes it (half the cost of encoding a session)."""
    import json
    from json import encoder

    make = encoder.c_make_encoder
    if make is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    chunks = make(None, json.JSONEncoder().default, encoder.encode_basestring, None,
                  ": ", ", ", False, False, True)
    join = "".join
    return lambda value: join(chunks(value, 0))


#: what a masked secret starts with (``api.secrets.mask``): the one non-ASCII text of a
#: listed session that is not the server's
_MASK = "\u2022" * 4

#: most distinct shared values a ListedJson keeps encoded (a hostile list: every one new)
_SHARED = 4096


class ListedJson:
    """``line(raw)``: (id, the compact JSON line) of one record of the session list,
    secrets masked: the compact JSON of :func:`~akool_tui.core.records.listed_session`,
    written straight from the record's values when it has the listed shape (no dict
    built and walked again: ``sessions list --json`` at 100 000 sessions). Time left is
    counted from ``now`` (default: the clock when it is counted). The lines still need
    :func:`join_lines` (the control-character check)."""

    def __init__(self, now: datetime | None = None) -> None:
        from json.encoder import encode_basestring

        from ..api.models import SessionStatus

        self.now = now
        self.encode = _compact_encoder()
        self.text = encode_basestring  # a JSON string, as the encoder writes it
        self.labels = {int(s): self.text(s.label) for s in SessionStatus}
        self.status_numbers = {int(s): str(int(s)) for s in SessionStatus}
        #: the JSON strings of the values many records share (stream types, avatar ids,
        #: the account's uid), each encoded once; at most _SHARED of them
        self.shared: dict[str, str] = {}

    def page(self, raws: list[Any]) -> list[tuple[Any, str]]:
        """``[self(raw) for raw in raws]``, a column at a time when the whole page has
        the listed shape (:mod:`akool_tui.cli.listed_page`)."""
        from .listed_page import page_lines

        return page_lines(self, raws)

    def _shared(self, value: str) -> str:
        encoded = self.text(value)
        if len(self.shared) < _SHARED:
            self.shared[value] = encoded
        return encoded

    def __call__(self, raw: Any) -> tuple[Any, str]:
        fields = listed_fields(raw)
        if fields is None:
            record = listed_session(raw, self.now)
            return record["id"], self.encode(record)
        sid, status, stream, avatar, duration, created, uid, kind, credentials = fields
        label, shared = self.labels.get(status), self.shared.get
        left = listed_time_left(status, created, duration, self.now)
        return sid, (
            f'{{"id": {self.text(sid)}, "status": {"null" if label is None else status}, '
            f'"status_label": {label or "null"}, '
            f'"stream_type": {shared(stream) or self._shared(stream)}, '
            f'"avatar_id": {shared(avatar) or self._shared(avatar)}, "duration": {duration}, '
            f'"create_time": "{iso_ms(created)}", "uid": {shared(uid) or self._shared(uid)}, '
            f'"type": {kind}, "credentials": {self.encode(credentials)}, '
            f'"time_left": {"null" if left is None else left}}}')


def join_lines(lines: list[str], sep: str = "\n") -> str:
    """Compact JSON lines (no line break inside one) joined by ``sep``, every control,
    C1, bidi and invisible character escaped (:func:`escape_json_text`).

    Text that is ASCII once the masks are taken out (``isascii`` is a flag, not a scan)
    needs no escape but DEL's: the encoder wrote every C0 control as ``\\uXXXX`` and
    ``sep`` is white space. ``isprintable`` on every character cost 10k instructions
    a session (a tenth of ``sessions list --json``)."""
    text = sep.join(lines)
    if "\x7f" not in text and text.replace(_MASK, "").isascii():
        return text
    if all(map(str.isprintable, lines)):  # nothing to escape (non-ASCII too)
        return text
    return escape_json_text(text)
