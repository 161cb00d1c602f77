"""Masking of secrets: API keys, client secrets, tokens, RTC credentials.

A secret is never shown in full: only its last 4 characters survive, and short
secrets are hidden completely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Credential keys (any stream type) whose values are secrets.
SECRET_KEYS = frozenset(
    {
        "agora_token",
        "livekit_token",
        "trtc_user_sig",
        "token",
        "api_key",
        "apikey",
        "x-api-key",
        "clientsecret",
        "client_secret",
        "authorization",
        "secret",
        "password",
    }
)


def mask(secret: str | None, keep: int = 4) -> str:
    """``"abcdefgh1234"`` -> ``"••••1234"``; short or empty secrets -> ``"••••"``."""
    if not secret:
        return ""
    s = str(secret)
    if len(s) <= keep * 2:
        return "••••"
    return "••••" + s[-keep:]


def is_secret_key(key: str) -> bool:
    k = key.lower()
    return (
        k in SECRET_KEYS
        or k.endswith(("_token", "secret", "_sig", "_app_id"))
    )


def masked_mapping(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with every secret-looking value masked (recursively)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out[key] = masked_mapping(value)
        elif is_secret_key(str(key)) and value not in (None, ""):
            out[key] = mask(str(value))
        else:
            out[key] = value
    return out
