"""Argument and answer helpers shared by the client's transport and its endpoint groups."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from .errors import ConfigError, ParamError, ProtocolError
from .hidden import Hidden

T = TypeVar("T")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Validate a base URL; return it without a trailing slash.

    http is accepted for loopback hosts only (the simulator); anything else must be
    https. Credentials in the URL are refused (they would leak into logs).
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("The base URL is empty")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ConfigError("The base URL is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError("The base URL must look like https://host[:port]")
    if parsed.userinfo:
        raise ConfigError("The base URL must not contain a user name or password")
    if parsed.query or parsed.fragment:
        raise ConfigError("The base URL must not have a query or fragment")
    if parsed.scheme == "http" and not _is_loopback(parsed.host):
        raise ConfigError(f"The base URL for {parsed.host} must use https (http is for loopback only)")
    return str(parsed).rstrip("/")


def clean_secret(value: Hidden | None, name: str) -> Hidden | None:
    """The secret without surrounding blanks (None when empty); ConfigError when it
    cannot go into a header. The value stays in its holder: a traceback of this
    frame shows it masked."""
    if value is None:
        return None
    if not isinstance(value.reveal(), str):
        raise ConfigError(f"The {name} must be text")
    value = value.stripped()
    if value is None:
        return None
    problem = value.problem(name)
    if problem is not None:
        raise ConfigError(problem)
    return value


def positive(value: Any, message: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or value != value or value == float("inf"):
        raise ConfigError(message)
    return float(value)


def compact(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out optional fields that are None, "" or {} (one level deep for dicts)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):
            value = compact(value)
        if value is None or value == "" or value == {}:
            continue
        out[key] = value
    return out


#: the longest ID a request carries (AKool's are 24 characters; an avatar ID is chosen
#: by its uploader): longer is a mistake, and would not fit in a URL
MAX_ID_CHARS = 512


def require_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"The {name} is empty")
    return value.strip()


def require_id(value: Any, name: str) -> str:
    """An ID: text of at most :data:`MAX_ID_CHARS` characters."""
    value = require_text(value, name)
    if len(value) > MAX_ID_CHARS:
        raise ParamError(f"The {name} is {len(value):,} characters long; an ID has at most "
                         f"{MAX_ID_CHARS}")
    return value


def require_int(value: Any, name: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"The {name} must be a whole number, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ParamError(f"The {name} must be at least {minimum}")
    return value


def count_of(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def dedupe(items: list[T], key: Callable[[T], str]) -> list[T]:
    """Keep the first of items sharing a non-empty key, in order."""
    seen: set[str] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k:
            if k in seen:
                continue
            seen.add(k)
        out.append(item)
    return out


def one_record(data: Any, path: str) -> dict[str, Any]:
    """The record of an answer whose ``data`` is the record itself or, as some AKool
    pages show, a one-element array holding it."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        raise ProtocolError(f"{path} answered without a record in 'data'", endpoint=path)
    return data


def finite_number(value: Any, what: str, path: str) -> float:
    """A real, finite number from an answer (a numeric string too); else ProtocolError."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProtocolError(f"{path} answered without a number for {what}", endpoint=path)
    return float(value)
