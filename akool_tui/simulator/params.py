"""Reading request parameters the way AKool does: bad values answer code 1003.

``""``, ``{}``, ``[]`` and ``null`` count as absent for every optional field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from .state import SimError

MAX_PAGE_SIZE = 100


def bad(msg: str) -> SimError:
    return SimError(1003, msg)


def absent(value: Any) -> bool:
    return value is None or (isinstance(value, (str, dict, list)) and not value)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("the request body must be a JSON object")
    return body


def whole_number(value: Any, name: str, *, text: bool) -> int:
    """An int from a JSON number without fraction (or a digit string when ``text``)."""
    if isinstance(value, bool):
        raise bad(f"{name} must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if text and isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise bad(f"{name} must be a whole number (got {value!r})")


def choice(value: Any, name: str, allowed: tuple[int, ...], *, text: bool = False) -> int:
    n = whole_number(value, name, text=text)
    if n not in allowed:
        raise bad(f"{name} must be {' or '.join(map(str, allowed))} (got {value!r})")
    return n


def string(body: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if absent(value):
        if required:
            raise bad(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise bad(f"{name} must be a string")
    if required and not value.strip():
        raise bad(f"{name} is required")
    return value


def http_url(body: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = string(body, name, required=required)
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad(f"{name} must be an http(s) URL")
    return value.strip()


def page_params(request: Request, default_size: int) -> tuple[int, int]:
    """``page`` (>= 1, default 1) and ``size`` (>= 1, default given, capped at 100)."""
    q = request.query_params
    page = 1 if absent(q.get("page")) else whole_number(q["page"], "page", text=True)
    size = default_size if absent(q.get("size")) else whole_number(q["size"], "size", text=True)
    if page < 1:
        raise bad("page must be 1 or more")
    if size < 1:
        raise bad("size must be 1 or more")
    return page, min(size, MAX_PAGE_SIZE)


def query_id(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise bad(f"{name} is required")
    return value
