"""The AKool answer envelope: HTTP 200 with ``{"code": int, "msg": str, "data": ...}``.

:func:`read_body` reads a streamed response with a cap on its decoded size;
:func:`parse_envelope` turns the response into the decoded body, or raises the typed
:mod:`~akool_tui.api.errors` error. Messages name the endpoint path only -- never a
header, a token or the body (which may carry a token). The decoded body is an
:class:`~.hidden.Opaque` dict, so a traceback that shows locals names its keys only.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Iterator
from typing import Any

import httpx

from .errors import OK, HTTPStatusError, ProtocolError, error_for_code
from .hidden import Opaque
from .safejson import JSONError, JSONTooDeep, loads

TOKEN_EXPIRED = 1101
#: cheap pre-check so a large successful page is not decoded twice
_MAYBE_EXPIRED = re.compile(rb'"code"\s*:\s*1101\b')

MiB = 1024 * 1024
#: default cap on the decoded size of one answer
DEFAULT_MAX_BODY = 32 * MiB
#: most decoded bytes one decompression step may produce (memory stays cap + this)
_STEP = 64 * 1024
#: most content-codings one answer may stack ("gzip, gzip, ..." multiplies a bomb)
_MAX_CODINGS = 2


def size_text(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB and n % (MiB // 4) == 0 else f"{n:,} bytes"


# -- reading ---------------------------------------------------------------------------


class _Inflate:
    """One gzip/deflate layer whose every step yields at most :data:`_STEP` bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._first = True
        wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while not self._z.eof:  # after the end: trailing bytes are ignored (as httpx does)
            try:
                out = self._z.decompress(data, _STEP)
            except zlib.error:
                if self.coding != "deflate" or not self._first:
                    raise
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as httpx
                self._first = False
                continue
            self._first = False
            data = self._z.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < _STEP:  # input used up, nothing left pending
                return


def _decoded(layers: list[_Inflate], data: bytes) -> Iterator[bytes]:
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].feed(data):
        yield from _decoded(layers[1:], piece)


def _layers(response: httpx.Response, endpoint: str) -> list[_Inflate]:
    codings = [c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)]
    known = [c for c in codings if c in ("gzip", "x-gzip", "deflate")]
    if len(known) > _MAX_CODINGS:
        raise ProtocolError(f"{endpoint} answered with {len(known)} stacked content encodings",
                            endpoint=endpoint)
    return [_Inflate("deflate" if c == "deflate" else "gzip") for c in reversed(known)]


async def read_body(response: httpx.Response, max_body: int, endpoint: str) -> None:
    """Read a streamed 200 answer into ``response.content``, at most ``max_body``
    decoded bytes; past that (or on a broken gzip/deflate body) close the response
    and raise :class:`ProtocolError`. Other statuses are left unread (only their
    status is used). httpx's own decoders inflate a whole network read at once, and
    stacked encodings multiply: a 2 MB gzip answer became 2 GiB in memory. Here each
    step yields at most 64 KiB, so memory stays near the cap whatever the ratio.
    """
    if response.status_code != 200:
        return
    with contextlib.suppress(httpx.ResponseNotRead):
        response.content  # already read (by the auth flow)  # noqa: B018
        return
    problem: ProtocolError | None = None
    parts: list[bytes] = []
    total = 0
    try:
        layers = _layers(response, endpoint)
        async with contextlib.aclosing(response.aiter_raw()) as raw:
            async for chunk in raw:
                for piece in _decoded(layers, chunk):
                    total += len(piece)
                    if total > max_body:
                        problem = ProtocolError(
                            f"{endpoint} answered with more than {size_text(max_body)} "
                            "(the answer size limit); nothing was kept", endpoint=endpoint)
                        break
                    parts.append(piece)
                if problem is not None:
                    break
    except zlib.error:
        problem = ProtocolError(f"{endpoint} answered with a body that does not decompress",
                                endpoint=endpoint)
    except ProtocolError as exc:
        problem = exc
    if problem is not None:
        parts.clear()
        await response.aclose()
        raise problem from None  # outside the except block: no context dragging the body along
    response._content = b"".join(parts)  # what Response.aread() sets


# -- decoding -------------------------------------------------------------------------


def decode_body(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    """Decode a 200 response into a JSON object with an integer ``code``."""
    if response.status_code != 200:
        phrase = response.reason_phrase or "error"
        raise HTTPStatusError(
            f"{endpoint} answered HTTP {response.status_code} {phrase}",
            status=response.status_code,
            endpoint=endpoint,
        )
    problem: str | None = None
    try:
        body = loads(response.content)
    except JSONTooDeep as exc:
        problem = f"{endpoint} answered with {exc}"
    except JSONError:
        problem = f"{endpoint} answered with a body that is not JSON"
    if problem is not None:
        raise ProtocolError(problem, endpoint=endpoint)
    if not isinstance(body, dict):
        raise ProtocolError(
            f"{endpoint} answered with JSON that is not an object", endpoint=endpoint
        )
    body = Opaque(body)  # may hold a token or RTC credentials: a repr without values
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
        body = loads(response.content)
    except JSONError:
        return False
    return isinstance(body, dict) and body.get("code") == TOKEN_EXPIRED
