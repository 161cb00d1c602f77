"""A session's join information (:class:`Credentials`), held compactly.

100 000 sessions each carry their room's credentials: a dict of four or five keys, a
token of 150-600 characters, a channel name, a uid. Held as a dict of separate objects
that was ~550 bytes a session (55 MB at 100 000). Here a session's values are one
string (the per-session values joined by :data:`SEP`) beside a *shape* that thousands
of sessions share: the keys in order, each value's type, and the values that are the
same for every session of an account (``agora_app_id``, ``livekit_url``). The dict is
built again only when asked (:attr:`Credentials.values`, :meth:`Credentials.get`):
for the room being joined, the detail pane, an export.

Values that are not plain text or whole numbers (nested objects, lists, booleans,
None, text holding :data:`SEP`) keep the plain dict: every value comes back exactly as
it was given. The secrets stay as secret as before: ``repr``/``str`` are masked, a
shape's ``repr`` names its keys only.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from .secrets import masked_mapping

#: credential values that are the same for every session of an account (kept once)
SHARED_CREDENTIALS = frozenset({"agora_app_id", "livekit_url"})
#: joins a session's own values in one string; a text value holding it is kept in a dict
SEP = "\x00"
#: shapes kept for sharing (an account has a handful; past this the cache starts over)
MAX_SHAPES = 1024


class Shape:
    """What the credentials of many sessions have in common: the keys in order, the
    type of each value (``str`` or ``int``), the values fixed by the account (by
    position), and where the session's own values go."""

    __slots__ = ("keys", "types", "fixed", "own", "index")

    def __init__(self, keys: tuple[str, ...], types: tuple[type, ...],
                 fixed: tuple[tuple[int, str], ...]) -> None:
        self.keys, self.types, self.fixed = keys, types, fixed
        at = {i for i, _ in fixed}
        #: positions of the session's own values, in the packed string's order
        self.own = tuple(i for i in range(len(keys)) if i not in at)
        self.index = {key: i for i, key in enumerate(keys)}

    def pack(self, values: list[Any]) -> str | None:
        """``values`` (in key order, of this shape's types) as one string; None when a
        fixed value differs or a text value holds :data:`SEP`."""
        for i, value in self.fixed:
            if values[i] != value:
                return None
        try:
            own = [values[i] if self.types[i] is str else str(values[i]) for i in self.own]
        except ValueError:  # a whole number past Python's 4 300 digits for text
            return None
        packed = SEP.join(own)
        if own and packed.count(SEP) != len(own) - 1:  # a value holds SEP
            return None
        return packed

    def unpack(self, packed: str) -> list[Any]:
        values: list[Any] = [None] * len(self.keys)
        for i, value in self.fixed:
            values[i] = value
        if self.own:
            types = self.types
            for i, part in zip(self.own, packed.split(SEP)):
                values[i] = part if types[i] is str else int(part)
        return values

    def __repr__(self) -> str:  # never the fixed values: an app id is a secret
        return f"Shape({', '.join(self.keys)})"


_shapes: dict[tuple[Any, ...], Shape] = {}


def shape_of(values: dict[str, Any]) -> Shape | None:
    """The shared shape of ``values``, or None when they cannot be packed."""
    types = tuple(map(type, values.values()))
    for t in types:
        if t is not str and t is not int:
            return None
    keys = tuple(values)
    fixed = tuple((i, value) for i, (key, value) in enumerate(values.items())
                  if key in SHARED_CREDENTIALS and type(value) is str)
    lookup = (keys, types, fixed)
    shape = _shapes.get(lookup)
    if shape is None:
        if len(_shapes) >= MAX_SHAPES:  # odd records (keys that vary): start over
            _shapes.clear()
        for key in keys:
            if type(key) is not str:
                return None
        fixed = tuple((i, sys.intern(value)) for i, value in fixed)
        shape = _shapes.setdefault(lookup, Shape(tuple(map(sys.intern, keys)), types, fixed))
    return shape


class Credentials:
    """Join information for the real-time room. Secrets: never printed in full.

    Immutable. ``values`` is a new dict at each call (the values as the server sent
    them); :meth:`get` reads one without building it."""

    __slots__ = ("stream_type", "_shape", "_packed")

    stream_type: str
    _shape: Shape | None
    _packed: str | dict[str, Any]  # the packed string, or a dict (no shape)

    def __init__(self, stream_type: str, values: Mapping[str, Any] | None = None) -> None:
        data = dict(values) if values else {}
        shape = shape_of(data)
        packed = shape.pack(list(data.values())) if shape is not None else None
        if packed is None:
            shape = None
        set_ = object.__setattr__
        set_(self, "stream_type", stream_type)
        set_(self, "_shape", shape)
        set_(self, "_packed", data if packed is None else packed)

    @classmethod
    def from_api(cls, raw: Any, stream_type: str | None = None) -> Credentials:
        values = raw if isinstance(raw, Mapping) else {}
        st = stream_type or ""
        if not st:
            for candidate in ("livekit", "trtc", "agora", "websocket"):
                if any(isinstance(k, str) and k.startswith(candidate) for k in values):
                    st = candidate
                    break
        return cls(st or "agora", values)

    @property
    def values(self) -> dict[str, Any]:
        shape, packed = self._shape, self._packed
        if shape is None:
            assert isinstance(packed, dict)
            return dict(packed)
        assert isinstance(packed, str)
        return dict(zip(shape.keys, shape.unpack(packed)))

    def get(self, key: str, default: Any = None) -> Any:
        shape, packed = self._shape, self._packed
        if shape is None:
            assert isinstance(packed, dict)
            return packed.get(key, default)
        i = shape.index.get(key) if type(key) is str else None
        if i is None:
            return default
        assert isinstance(packed, str)
        return shape.unpack(packed)[i]

    def same(self, raw: Any) -> bool:
        """Whether ``raw`` (a record's ``credentials`` object) holds exactly these
        values, checked without building them (a refetch of 100 000 sessions asks)."""
        shape, packed = self._shape, self._packed
        if shape is None:
            return type(raw) is dict and raw == packed
        if (type(raw) is not dict or tuple(raw) != shape.keys
                or tuple(map(type, raw.values())) != shape.types):
            return False
        return shape.pack(list(raw.values())) == packed

    def masked(self) -> dict[str, Any]:
        return masked_mapping(self.values)

    def __bool__(self) -> bool:
        shape = self._shape
        return bool(shape.keys) if shape is not None else bool(self._packed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Credentials):
            return NotImplemented
        if self.stream_type != other.stream_type:
            return False
        if self._shape is other._shape and self._shape is not None:
            return self._packed == other._packed
        return self.values == other.values

    __hash__ = None  # type: ignore[assignment]  # as before: values may be unhashable

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: Credentials are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: Credentials are immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Credentials, (self.stream_type, self.values))

    def __repr__(self) -> str:
        return f"Credentials(stream_type={self.stream_type!r}, values={self.masked()!r})"

    __str__ = __repr__
