"""Records as JSON-ready data, secrets masked: what ``--json`` prints and what the
console copies (``Y``) and describes (``d``). No Textual."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import IntEnum
from typing import Any

from ..api.models import Credentials, Session
from ..api.secrets import masked_mapping


#: values that are JSON already (exact types: an IntEnum is an int but also has a label)
_PLAIN = frozenset({str, int, float, bool, type(None)})
#: the field names of each record class (``extra`` is the server's unknown keys: left out)
_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name != "extra")
    return names


def _session(s: Session) -> dict[str, Any]:
    """:func:`jsonable` of a session, field by field (``sessions list --json`` converts
    100 000 of them; the generic walk took twice as long)."""
    status, created, left = s.status, s.create_time, s.time_left()
    return {
        "id": s.id, "status": None if status is None else int(status),
        "status_label": None if status is None else status.label,
        "stream_type": s.stream_type, "avatar_id": s.avatar_id, "duration": s.duration,
        "create_time": None if created is None else created.astimezone(timezone.utc).isoformat(),
        "uid": s.uid, "type": s.type, "credentials": s.credentials.masked(),
        "time_left": None if left is None else int(left.total_seconds()),
    }


def jsonable(value: Any) -> Any:
    """Records, enums, datetimes and mappings as JSON-ready data, secrets masked."""
    if type(value) in _PLAIN:
        return value
    if type(value) is Session:
        return _session(value)
    if isinstance(value, Credentials):
        return value.masked()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for name in _names(type(value)):
            item = getattr(value, name)
            out[name] = jsonable(item)
            if isinstance(item, IntEnum):
                out[f"{name}_label"] = item.label  # type: ignore[attr-defined]
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
