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

from ..api.secrets_columns import masked_columns
from ..core.records import _LISTED, _OPEN, _LATEST_MS, iso_ms_many, listed_time_left

if TYPE_CHECKING:
    from .output import ListedJson

__all__ = ["page_lines"]

_PICK = itemgetter("_id", "status", "stream_type", "avatar_id", "duration", "create_time",
                   "uid", "type", "credentials")
_STR, _INT, _DICT = frozenset({str}), frozenset({int}), frozenset({dict})
_UID = frozenset({str, int})


def page_lines(writer: ListedJson, raws: Sequence[Any]) -> list[tuple[Any, str]]:
    """``[writer(raw) for raw in raws]``: (id, line) of each record, column by column
    when the whole page has the listed shape."""
    lines = _columns(writer, raws)
    return lines if lines is not None else list(map(writer, raws))


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


def _json_column(writer: ListedJson, column: Sequence[Any]) -> tuple[str, Sequence[Any]]:
    """(the format of one value, the values to format): a text quoted in the format."""
    kinds = _kinds(column)
    if kinds <= _STR:
        return '"%s"', _inner(column)
    if kinds == _INT:
        return "%d", column
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
        masked = masked_columns(keys, members)
        if masked is None:
            return None
        columns, whole = masked
        if keys:
            formats, values = zip(*[_json_column(writer, c) for c in columns])
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
