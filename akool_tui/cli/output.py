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

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import Any

import humanize

from ..api.models import Avatar, AvatarSource, Credentials, Language, Session, Voice
from ..api.secrets import masked_mapping
from ..core.fields import Field, table_fields
from ..core.fields import count as count  # the summaries: "1,234 sessions"
from ..core.fields import details as field_details
from ..core.text import CELL, FIELD, safe, safe_json_dumps

# -- humane values -------------------------------------------------------------


def ago(when: datetime | None, now: datetime) -> str:
    """``"4 minutes ago"``; ``""`` when unknown."""
    if when is None:
        return ""
    return humanize.naturaltime(when, when=now)


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


def records_table(fields: Sequence[Field[Any]], records: Iterable[Any],
                  now: datetime | None) -> str:
    """A table of ``records`` with a column per table field of ``fields`` (the field
    catalogue, :mod:`akool_tui.core.fields`): headers are the labels in capitals, cells
    the fields' cell text, right-aligned where the field says so."""
    shown = table_fields(fields)
    rows = ([f.cell(f.get(r), now) for f in shown] for r in records)
    return table([f.label.upper() for f in shown], rows,
                 right=[i for i, f in enumerate(shown) if f.align == "right"])


def record_details(fields: Sequence[Field[Any]], record: Any, now: datetime | None, *,
                   extra: Iterable[tuple[str, Any]] = ()) -> str:
    """``Label: value`` lines of a record's detail fields (unknown values left out),
    then ``extra`` pairs (a session's masked credentials)."""
    return details([*field_details(fields, record, now), *extra])


def validity(a: Avatar, now: datetime) -> str:
    """How long an uploaded avatar stays valid (uploads last 7 days); ``""`` for official ones."""
    until = a.valid_until()
    if until is None or a.source is AvatarSource.OFFICIAL:
        return ""
    left = until - now
    return "expired" if left <= timedelta(0) else f"{humanize.naturaldelta(left)} left"


def avatars_table(avatars: Sequence[Avatar], now: datetime) -> str:
    rows = [
        (a.avatar_id, a.name, a.source_label, a.status_label, a.gender, ago(a.create_time, now),
         validity(a, now))
        for a in avatars
    ]
    return table(("AVATAR ID", "NAME", "SOURCE", "STATUS", "GENDER", "CREATED", "VALID"), rows)


def avatar_details(a: Avatar, now: datetime) -> str:
    pairs: list[tuple[str, Any]] = [
        ("avatar id", a.avatar_id),
        ("name", a.name),
        ("record id", a.id),
        ("status", a.status_label),
        ("source", a.source_label),
        ("created", ago(a.create_time, now)),
        ("preview", a.url),
        ("valid", validity(a, now)),
    ]
    return details((k, v) for k, v in pairs if v not in ("", None))


def voices_table(voices: Sequence[Voice]) -> str:
    rows = [(x.voice_id, x.name, x.gender, x.language, x.locale,
             "yes" if x.support_stream else "no") for x in voices]
    return table(("VOICE ID", "NAME", "GENDER", "LANGUAGE", "LOCALE", "STREAM"), rows)


def languages_table(languages: Sequence[Language]) -> str:
    return table(("CODE", "LANGUAGE"), [(x.lang_code, x.lang_name) for x in languages])


# -- JSON -------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Records, enums, datetimes and mappings as JSON-ready data, secrets masked."""
    if isinstance(value, Credentials):
        return value.masked()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name == "extra":
                continue
            item = getattr(value, f.name)
            out[f.name] = jsonable(item)
            if isinstance(item, IntEnum):
                out[f"{f.name}_label"] = item.label  # type: ignore[attr-defined]
        if isinstance(value, Session):
            left = value.time_left()
            out["time_left"] = None if left is None else int(left.total_seconds())
        return out
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in masked_mapping(value).items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return safe_json_dumps(jsonable(value), indent=2)

