"""The AKool answer envelope: HTTP 200 with ``{"code": int, "msg": str, "data": ...}``.

:func:`parse_envelope` turns one HTTP response into the decoded body, or raises the
typed :mod:`~akool_tui.api.errors` error. Messages name the endpoint path only --
never a header, a token or the body (which may carry a token).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from .errors import OK, HTTPStatusError, ProtocolError, error_for_code

TOKEN_EXPIRED = 1101
#: cheap pre-check so a large successful page is not decoded twice
_MAYBE_EXPIRED = re.compile(rb'"code"\s*:\s*1101\b')


def decode_body(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    """Decode a 200 response into a JSON object with an integer ``code``."""
    if response.status_code != 200:
        phrase = response.reason_phrase or "error"
        raise HTTPStatusError(
            f"{endpoint} answered HTTP {response.status_code} {phrase}",
            status=response.status_code,
            endpoint=endpoint,
        )
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(
            f"{endpoint} answered with a body that is not JSON", endpoint=endpoint
        ) from None
    if not isinstance(body, dict):
        raise ProtocolError(
            f"{endpoint} answered with JSON that is not an object", endpoint=endpoint
        )
    code = body.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        raise ProtocolError(
            f"{endpoint} answered without an integer 'code'", endpoint=endpoint
        )
    return body


def parse_envelope(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    """The decoded body of a successful answer (``code == 1000``); raise otherwise."""
    body = decode_body(response, endpoint)
    code = body["code"]
    if code != OK:
        msg = body.get("msg")
        raise error_for_code(code, msg if isinstance(msg, str) else None, endpoint=endpoint)
    return body


def is_token_expired(response: httpx.Response) -> bool:
    """Whether a (read) response is the envelope of code 1101."""
    if response.status_code != 200 or not _MAYBE_EXPIRED.search(response.content):
        return False
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(body, dict) and body.get("code") == TOKEN_EXPIRED
