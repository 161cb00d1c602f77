"""Holders that keep a secret out of tracebacks.

A traceback formatted with its locals (``traceback.TracebackException(...,
capture_locals=True)``, Rich's ``Traceback(show_locals=True)`` which Textual uses)
shows the ``repr`` of every local of every frame. Code that handles a secret keeps
it in one of these, never in a plain ``str`` or ``dict`` local:

- :class:`Hidden`: one secret string (API key, client secret, bearer token). Its
  ``repr`` masks it; the raw text only comes out through :meth:`Hidden.reveal` /
  :meth:`Hidden.bearer`, straight into a header or a return value. Two holders are
  compared by identity, never by value.
- :class:`Opaque`: a ``dict`` (a decoded answer that may hold tokens or RTC
  credentials, a request body with the client secret) whose ``repr`` names its
  keys only. It is a real ``dict`` for everything else (``json.dumps`` included).

Neither validates by raising with the secret in scope: :meth:`Hidden.problem`
returns a sentence (naming no part of the value) for the caller to raise.
"""

from __future__ import annotations

from typing import Any

from .secrets import mask

__all__ = ["Hidden", "Opaque"]

#: longest secret accepted (AKool's tokens are JWTs of a few hundred characters)
MAX_SECRET_LENGTH = 8192


class Hidden:
    """A secret string whose ``repr`` and ``str`` are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    @classmethod
    def of(cls, value: Any) -> Hidden | None:
        """``value`` wrapped (already a :class:`Hidden`: itself; None: None)."""
        if value is None or isinstance(value, Hidden):
            return value
        return cls(value)

    def reveal(self) -> Any:
        return self._value

    def bearer(self) -> str:
        return "Bearer " + self._value

    def stripped(self) -> Hidden | None:
        """The value without surrounding blanks; None when it is empty or not text."""
        if not isinstance(self._value, str) or not self._value.strip():
            return None
        return Hidden(self._value.strip())

    def problem(self, name: str) -> str | None:
        """Why the value cannot go into an HTTP header, or None (quotes nothing of it)."""
        value = self._value
        if not isinstance(value, str):
            return f"The {name} must be text"
        if len(value) > MAX_SECRET_LENGTH:
            return f"The {name} is longer than {MAX_SECRET_LENGTH} characters"
        if not (value.isascii() and value.isprintable()) or " " in value:
            return f"The {name} must be printable ASCII without spaces"
        return None

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        shown = mask(self._value) if isinstance(self._value, str) else "…"
        return f"<hidden {shown!r}>"

    __str__ = __repr__

    def __reduce__(self):  # never pickled (a pickle is a copy in the clear)
        raise TypeError("a Hidden secret cannot be pickled")


class Opaque(dict):
    """A ``dict`` whose ``repr`` shows its keys, never its values."""

    __slots__ = ()

    def __repr__(self) -> str:
        keys = ", ".join(repr(str(k)[:40]) for k in list(self)[:12])
        more = ", …" if len(self) > 12 else ""
        return f"<{len(self)} keys: {keys}{more}>"

    __str__ = __repr__
