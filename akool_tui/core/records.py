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
