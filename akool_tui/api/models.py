"""Typed records of the AKool Live Avatar API.

Every ``from_api`` tolerates unknown fields (kept in ``extra``), missing optional
fields, ``""`` / ``{}`` for absent values, and values of the wrong type (ignored
rather than raised). ``create_time`` (ms since the epoch) becomes an aware UTC
datetime between :data:`EARLIEST` and :data:`LATEST`, or None ("unknown"): year 1,
year 9999, 10**20, 1e308, negative numbers or text used to crash the renderers
(OverflowError in ``astimezone`` in zones such as Pacific/Kiritimati, "year 0 is out
of range"). Inside the range every renderer can show the time in any zone and add or
subtract centuries.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from types import MappingProxyType
from typing import Any, ClassVar, Generic, TypeVar

from .constants import DEFAULT_AVATAR_ID as DEFAULT_AVATAR_ID
from .credentials import Credentials as Credentials
#: ``extra`` of a record without unknown fields (read-only, one for all)
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})

#: the times this client believes: after the epoch (0 and less mean "not set"), before
#: the year 3000; anything else from the server is unknown (None)
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)
_LATEST_MS = (LATEST - EARLIEST) // timedelta(milliseconds=1)

#: uploaded resources stay valid for 7 days (spec section 2)
RESOURCE_VALIDITY = timedelta(days=7)
STREAM_TYPES = ("agora", "livekit", "trtc")


class SessionStatus(IntEnum):
    QUEUEING = 1
    PROCESSING = 2
    COMPLETED = 3
    FAILED = 4

    @property
    def label(self) -> str:
        return {1: "queueing", 2: "live", 3: "closed", 4: "failed"}[self.value]


class AvatarStatus(IntEnum):
    QUEUEING = 1
    PROCESSING = 2
    SUCCESS = 3
    FAILED = 4

    @property
    def label(self) -> str:
        return {1: "queueing", 2: "processing", 3: "ready", 4: "failed"}[self.value]


class AvatarSource(IntEnum):
    OFFICIAL = 2
    USER = 3

    @property
    def label(self) -> str:
        return "official" if self is AvatarSource.OFFICIAL else "custom"


# -- tolerant field readers -------------------------------------------------


def _str(d: Mapping[str, Any], key: str, default: str = "") -> str:
    v = d.get(key)
    if v is None or isinstance(v, (dict, list)):
        return default
    return str(v)


def _shared_str(d: Mapping[str, Any], key: str) -> str:
    """:func:`_str` for a value many records repeat (a stream type, an avatar id, the
    account's uid): one string object for all of them, not one per record, so that
    10 000 sessions do not hold 10 000 copies of "agora"."""
    return sys.intern(_str(d, key))


#: whole numbers many records repeat (durations: 600, 1800, 3600 s), one object each
_ints: dict[int, int] = {}


def _shared_int(d: Mapping[str, Any], key: str) -> int | None:
    """:func:`_int` for a value many records repeat: one int object for all of them
    (100 000 sessions held 100 000 copies of a handful of durations, 3 MB)."""
    v = _int(d, key)
    if v is None or -5 <= v <= 256:  # Python keeps these once already
        return v
    shared = _ints.get(v)
    if shared is None:
        if len(_ints) >= 4096:  # durations that keep changing: start over
            _ints.clear()
        shared = _ints.setdefault(v, v)
    return shared


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    v = _str(d, key)
    return v or None


def _int(d: Mapping[str, Any], key: str) -> int | None:
    v = d.get(key)
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None


def _bool(d: Mapping[str, Any], key: str) -> bool | None:
    v = d.get(key)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("true", "1", "yes"):
            return True
        if s in ("false", "0", "no"):
            return False
    return None


def in_range(t: datetime | None) -> datetime | None:
    """``t`` in UTC if it lies after :data:`EARLIEST` and before :data:`LATEST`, else None
    (naive times are taken as UTC)."""
    if t is None:
        return None
    try:
        if t.tzinfo is None or t.utcoffset() is None:
            t = t.replace(tzinfo=timezone.utc)
        if not EARLIEST < t < LATEST:
            return None
        return t.astimezone(timezone.utc)
    except (OverflowError, ValueError, TypeError):
        return None


def _time(d: Mapping[str, Any], key: str) -> datetime | None:
    v = d.get(key)
    if isinstance(v, bool) or v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, str):
        text = v.strip()
        if not text or len(text) > 64:
            return None
        try:
            return in_range(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
    try:
        ms = float(v)
    except (TypeError, ValueError, OverflowError):
        return None
    # seconds or milliseconds since the epoch
    if ms < 1e11:
        ms *= 1000
    if not 1 <= ms < _LATEST_MS:  # also False for NaN
        return None
    return EARLIEST + timedelta(milliseconds=ms)


def _enum(enum: type[IntEnum], value: int | None):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def _words(v: Any) -> tuple[str, ...]:
    """Tags sent as an array of strings, or as one comma-separated string."""
    if isinstance(v, str):
        v = v.split(",")
    if not isinstance(v, list):
        return ()
    return tuple(sys.intern(w.strip()) for w in v[:32] if isinstance(w, str) and w.strip())


def _mapping(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _extra(d: Mapping[str, Any], known: set[str]) -> Mapping[str, Any]:
    return {k: v for k, v in d.items() if k not in known} or _NO_EXTRA


# -- records ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    """One live avatar session. ``slots``: 100 000 of them hold no ``__dict__`` each
    (less memory, fewer objects for the garbage collector to walk)."""

    id: str
    status: SessionStatus | None = None
    stream_type: str = "agora"
    avatar_id: str = ""
    duration: int | None = None
    create_time: datetime | None = None
    uid: str = ""
    type: int | None = None
    credentials: Credentials = field(default_factory=lambda: Credentials("agora"))
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    _KNOWN = {"_id", "id", "status", "stream_type", "avatar_id", "duration", "create_time",
              "uid", "type", "credentials"}
    #: the keys of a record as the list endpoint sends it (what :meth:`matches` checks)
    _LISTED = frozenset(_KNOWN - {"id"})
    #: sessions a record being read may repeat unchanged (see :meth:`reusing`)
    _reuse: ClassVar[ContextVar[Mapping[str, Session] | None]] = ContextVar(
        "session_reuse", default=None)

    @classmethod
    @contextmanager
    def reusing(cls, known: Mapping[str, Session]) -> Iterator[None]:
        """Within this block (and the tasks started in it), :meth:`from_api` returns the
        session ``known`` holds for a record that has not changed, instead of building an
        equal one: a refetch of 100 000 sessions, nearly all unchanged, builds only the
        few that changed (1 µs per record instead of 12, and no new objects)."""
        token = cls._reuse.set(known)
        try:
            yield
        finally:
            cls._reuse.reset(token)

    def matches(self, raw: Any) -> bool:
        """Whether :meth:`from_api` of ``raw`` would give a session equal to this one,
        checked without building it. Only a record of the listed shape with well-typed
        values can match; for anything else it says False (the caller builds one)."""
        extra = self.extra
        if type(raw) is not dict or len(raw) != len(self._LISTED) + len(extra):
            return False
        get = raw.get
        if extra:  # fields this client does not know: the same ones, the same values
            if any(get(key, raw) != value for key, value in extra.items()) or (
                    raw.keys() - extra.keys() != self._LISTED):
                return False
        elif raw.keys() != self._LISTED:
            return False
        status, duration, kind, uid = get("status"), get("duration"), get("type"), get("uid")
        created, credentials = get("create_time"), get("credentials")
        return (get("_id") == self.id and self.status is not None
                and type(status) is int and status == self.status
                and type(duration) is int and duration == self.duration
                and type(kind) is int and kind == self.type
                and get("avatar_id") == self.avatar_id
                and get("stream_type") == self.stream_type != ""
                and self.credentials.stream_type == self.stream_type
                and (uid == self.uid if type(uid) is str
                     else type(uid) is int and str(uid) == self.uid)
                and type(created) is int and 1e11 <= created < _LATEST_MS
                and self.create_time == EARLIEST + timedelta(milliseconds=created)
                and self.credentials.same(credentials))

    @classmethod
    def from_api(cls, raw: Any) -> Session:
        known = cls._reuse.get()
        if known is not None and type(raw) is dict:
            sid = raw.get("_id")
            old = known.get(sid) if type(sid) is str else None
            if old is not None and old.matches(raw):
                return old
        d = _mapping(raw)
        stream_type = _shared_str(d, "stream_type")
        creds = Credentials.from_api(d.get("credentials"), stream_type or None)
        return cls(
            id=_str(d, "_id") or _str(d, "id"),
            status=_enum(SessionStatus, _int(d, "status")),
            stream_type=stream_type or creds.stream_type,
            avatar_id=_shared_str(d, "avatar_id"),
            duration=_shared_int(d, "duration"),
            create_time=_time(d, "create_time"),
            uid=_shared_str(d, "uid"),
            type=_int(d, "type"),
            credentials=creds,
            extra=_extra(d, cls._KNOWN),
        )

    @property
    def status_label(self) -> str:
        return self.status.label if self.status else "unknown"

    @property
    def is_open(self) -> bool:
        return self.status in (SessionStatus.QUEUEING, SessionStatus.PROCESSING)

    @property
    def expires_at(self) -> datetime | None:
        """When ``duration`` runs out; None when unknown or out of range (as create_time)."""
        if self.create_time is None or self.duration is None:
            return None
        try:
            return in_range(self.create_time + timedelta(seconds=self.duration))
        except OverflowError:  # a nonsense create_time or duration: no known end
            return None

    def time_left(self, now: datetime | None = None) -> timedelta | None:
        """Time until ``duration`` runs out; None when unknown or closed."""
        if not self.is_open:
            return None
        end = self.expires_at
        if end is None:
            return None
        now = now or datetime.now(timezone.utc)
        return max(end - now, timedelta(0))


@dataclass(frozen=True)
class Avatar:
    avatar_id: str
    name: str = ""
    id: str = ""
    uid: str = ""
    type: int | None = None
    source: AvatarSource | None = None
    voice_id: str = ""
    url: str = ""
    thumbnail_url: str = ""
    gender: str = ""
    available: bool | None = None
    status: AvatarStatus | None = None
    create_time: datetime | None = None
    #: "open" (made through the open API) or "aigc" (made in AKool's web app); the
    #: listing's ``platform`` when the record does not say
    platform: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    _KNOWN = {"_id", "uid", "type", "from", "avatar_id", "voice_id", "name", "url",
              "thumbnailUrl", "gender", "available", "status", "create_time", "platform"}

    @classmethod
    def from_api(cls, raw: Any, platform: str = "") -> Avatar:
        d = _mapping(raw)
        return cls(
            avatar_id=_str(d, "avatar_id"),
            name=_str(d, "name"),
            id=_str(d, "_id"),
            uid=_str(d, "uid"),
            type=_int(d, "type"),
            source=_enum(AvatarSource, _int(d, "from")),
            voice_id=_str(d, "voice_id"),
            url=_str(d, "url"),
            thumbnail_url=_str(d, "thumbnailUrl"),
            gender=_str(d, "gender"),
            available=_bool(d, "available"),
            status=_enum(AvatarStatus, _int(d, "status")),
            create_time=_time(d, "create_time"),
            platform=_shared_str(d, "platform") or platform,
            extra=_extra(d, cls._KNOWN),
        )

    @property
    def source_label(self) -> str:
        return self.source.label if self.source else ""

    @property
    def status_label(self) -> str:
        if self.status is not None:
            return self.status.label
        if self.available is True:
            return "ready"
        if self.available is False:
            return "unavailable"
        return "unknown"

    def valid_until(self) -> datetime | None:
        """Uploaded resources are valid for 7 days after creation."""
        if self.create_time is None:
            return None
        try:
            return in_range(self.create_time + RESOURCE_VALIDITY)
        except OverflowError:  # a create_time built in code, not read by from_api
            return None


@dataclass(frozen=True)
class Voice:
    voice_id: str
    name: str = ""
    gender: str = ""
    language: str = ""
    locale: str = ""
    preview: str = ""
    support_stream: bool | None = None
    type: int | None = None
    #: "Akool Multilingual 1" / "3" stream; "2" does not
    model_name: str = ""
    status: int | None = None  # 1 queueing .. 4 failed (cloned voices)
    duration_ms: int | None = None  # of the sample
    style: tuple[str, ...] = ()
    scenario: tuple[str, ...] = ()
    age: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    _KNOWN = {"voice_id", "name", "gender", "language", "locale", "preview",
              "support_stream", "type", "voice_model_name", "status", "duration",
              "style", "scenario", "age"}

    @classmethod
    def from_api(cls, raw: Any) -> Voice:
        d = _mapping(raw)
        return cls(
            voice_id=_str(d, "voice_id"),
            name=_str(d, "name"),
            gender=_str(d, "gender"),
            language=_str(d, "language"),
            locale=_str(d, "locale"),
            preview=_str(d, "preview"),
            support_stream=_bool(d, "support_stream"),
            type=_int(d, "type"),
            model_name=_shared_str(d, "voice_model_name"),
            status=_int(d, "status"),
            duration_ms=_int(d, "duration"),
            style=_words(d.get("style")),
            scenario=_words(d.get("scenario")),
            age=_words(d.get("age")),
            extra=_extra(d, cls._KNOWN),
        )


@dataclass(frozen=True)
class Language:
    lang_code: str
    lang_name: str = ""
    url: str = ""

    @classmethod
    def from_api(cls, raw: Any) -> Language:
        d = _mapping(raw)
        return cls(lang_code=_str(d, "lang_code"), lang_name=_str(d, "lang_name"),
                   url=_str(d, "url"))


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    result: list[T]
    count: int
    page: int = 1
    size: int = 100

    @property
    def pages(self) -> int:
        if self.size <= 0:
            return 1
        return max(1, -(-self.count // self.size))
