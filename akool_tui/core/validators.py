"""Field validators shared by the config file, the CLI and the TUI forms.

Each validator is a pure function taking a value (typed, or the text a user
typed into a form) and returning ``None`` when it is acceptable, or a short
message describing what is expected. No Textual import here.
"""

from __future__ import annotations

import unicodedata

import ipaddress
import math
import re
from urllib.parse import urlsplit

AVATAR_ID_RE = re.compile(r"^[a-zA-Z0-9]+$")
#: what the server accepts, plus the simulator-only websocket channel
STREAM_TYPES = ("agora", "livekit", "trtc", "websocket")
MODE_TYPES = (1, 2)
DURATION_RANGE = (1, 3600)
SPEED_RANGE = (0.8, 1.2)
MIN_REFRESH_INTERVAL = 1.0


def _as_int(value: object) -> int | None:
    """An int from an int or a string of digits; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def validate_avatar_id(value: object) -> str | None:
    """Uploaded avatar ids: letters and digits only (``^[a-zA-Z0-9]+$``)."""
    if not isinstance(value, str) or not AVATAR_ID_RE.fullmatch(value):
        return "an avatar id of letters and digits only (a-z, A-Z, 0-9)"
    return None


def validate_avatar_name(value: object) -> str | None:
    """An uploaded avatar's name: required (the API answers 1003 without one)."""
    if not isinstance(value, str) or not value.strip():
        return "a name for the avatar"
    from .text import hidden_character

    if (where := hidden_character(value.strip())) is not None:
        return f"a name without control or invisible characters ({where})"
    return None


def validate_session_avatar_id(value: object) -> str | None:
    """Avatar ids used to create a session: non-empty, no spaces.

    Official avatars (``dvp_Tristan_cloth2_1080P``) contain underscores, so the
    upload pattern is too strict here.
    """
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        return "a non-empty avatar id without spaces"
    return None


def validate_duration(value: object) -> str | None:
    """Session duration in whole seconds, 1..3600."""
    n = _as_int(value)
    lo, hi = DURATION_RANGE
    if n is None or not lo <= n <= hi:
        return f"a whole number of seconds from {lo} to {hi}"
    return None


def validate_speed(value: object) -> str | None:
    """Voice speed, 0.8..1.2."""
    f = _as_float(value)
    lo, hi = SPEED_RANGE
    if f is None or not lo <= f <= hi:
        return f"a number from {lo} to {hi}"
    return None


def validate_mode_type(value: object) -> str | None:
    """1 (retelling) or 2 (dialogue)."""
    if _as_int(value) not in MODE_TYPES:
        return "1 (retelling) or 2 (dialogue)"
    return None


def validate_stream_type(value: object) -> str | None:
    if value not in STREAM_TYPES:
        return "one of " + ", ".join(STREAM_TYPES)
    return None


def validate_refresh_interval(value: object) -> str | None:
    f = _as_float(value)
    if f is None or f < MIN_REFRESH_INTERVAL:
        return f"a number of seconds of at least {MIN_REFRESH_INTERVAL:g}"
    return None


def validate_wait_seconds(value: object) -> str | None:
    """How long to wait for something: seconds above 0, at most a day."""
    f = _as_float(value)
    if f is None or not 0 < f <= 86_400:  # also refuses nan and inf
        return "a number of seconds above 0, at most 86400"
    return None


def is_loopback_host(host: str | None) -> bool:
    """localhost, 127.0.0.0/8 and ::1."""
    if not host:
        return False
    h = host.strip("[]").lower()
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def validate_http_url(value: object, *, allow_empty: bool = False) -> str | None:
    """An absolute http(s) URL with a host (``background_url``, upload URLs)."""
    if allow_empty and value in ("", None):
        return None
    if not isinstance(value, str):
        return "an http(s) URL"
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        return "an http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http(s) URL such as https://example.com/file.mp4"
    if bad := _url_breaker(value.strip()):
        return f"an http(s) URL without {bad}"
    return None


#: what RFC 3986 leaves out of a URL and no HTTP client mends (beside spaces and
#: control characters): quotes and angle brackets end a URL in text, a backslash is a
#: Windows path's
_NOT_IN_URL = frozenset('"<>\\')


def _url_breaker(url: str) -> str:
    """What in ``url`` makes it no URL (a space, a quote, a control character, an
    ellipsis of a copy cut short), described; ``""`` when nothing does. Letters beyond
    ASCII pass: a browser's address bar shows them so."""
    for ch in url:
        if ch.isspace():
            return "spaces (write a space as %20)"
        if ch == "\u2026":
            return "an ellipsis (\u2026: a copy cut short?)"
        if ch in _NOT_IN_URL:
            return f"the character {ch}"
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn"):
            return "control or invisible characters"
    return ""


def validate_base_url(value: object) -> str | None:
    """The API base URL: https, or http only on a loopback host."""
    problem = validate_http_url(value)
    if problem:
        return "an https URL such as https://openapi.akool.com"
    parts = urlsplit(str(value).strip())
    if parts.username is not None or parts.password is not None:
        return "an https URL without a user name or password"
    if parts.query or parts.fragment:
        return "an https URL without a query or fragment"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "an https URL (http is allowed only for localhost, 127.0.0.0/8 and ::1)"
    return None
