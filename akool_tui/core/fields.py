"""The field catalogue: every field of every record shown to a person, once.

A :class:`Field` says how to read a value from a record, how to write it in a table
cell (the console's live tables and the CLI's tables), in a detail view (the console's
detail pane and ``show`` commands) and how to sort it. The console builds its table
columns from these lists, the CLI its tables and ``show`` output: a new column is one
entry here.

Text from the server is returned as is; the front ends pass every string through the
one sanitiser (:mod:`akool_tui.core.text`) where it becomes displayable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .ids import short_id

if TYPE_CHECKING:  # the console builds its columns before the first frame, the models after
    from ..api.models import Avatar, Language, Session, Voice

R = TypeVar("R")
UNKNOWN = "—"
#: uploaded resources (avatars, voices, images) stay usable this long (spec section 2)
UPLOAD_VALIDITY = timedelta(days=7)  # api.models.RESOURCE_VALIDITY (not imported: see above)


# -- humane values ---------------------------------------------------------------


#: :func:`ago`'s texts by what humanize's text depends on (:func:`_ago_key`): the
#: console's table asks for every row in view every second, and humanize takes ~15 µs
_AGO: dict[tuple[bool, str, int], str] = {}
_AGO_MAX = 4096
_ZERO = timedelta(0)


def _ago_key(delta: timedelta) -> tuple[bool, str, int]:
    """What ``humanize.naturaltime(delta)`` depends on (humanize 4): the tense; past a
    day the whole days; below a day the seconds, which it rounds to minutes from a
    minute on and to hours from an hour on (tests/test_core_ago.py holds it to that)."""
    future = delta < _ZERO
    span = -delta if future else delta
    if span.days:
        return future, "d", span.days
    seconds = span.seconds
    if seconds < 60:
        return future, "s", seconds
    if seconds < 3600:
        return future, "m", round(seconds / 60)
    return future, "h", round(seconds / 3600)


def ago(when: datetime | None, now: datetime | None) -> str:
    """``"4 minutes ago"``; ``"—"`` when unknown."""
    if when is None or now is None:
        return UNKNOWN
    try:
        delta = now - when
        key = _ago_key(delta)
    except OverflowError:
        return UNKNOWN
    text = _AGO.get(key)
    if text is None:
        import humanize  # (with gettext ~2 ms: not before the console's first frame)

        try:
            text = humanize.naturaltime(delta)
        except (OverflowError, ValueError):
            return UNKNOWN
        if len(_AGO) >= _AGO_MAX:
            _AGO.clear()
        _AGO[key] = text
    return text


def when(value: datetime | None, now: datetime | None) -> str:
    """``"2026-03-02 09:26:00 (4 minutes ago)"`` in the local time zone."""
    if value is None:
        return UNKNOWN
    try:
        stamp = f"{value.astimezone():%Y-%m-%d %H:%M:%S}"
    except (OverflowError, ValueError, OSError):
        return UNKNOWN
    return f"{stamp} ({ago(value, now)})" if now is not None else stamp


def duration(seconds: float | timedelta | None) -> str:
    """``"10m"``, ``"1h 5m"``, ``"10m 5s"``, ``"45s"``; ``"—"`` when unknown or negative."""
    if seconds is None:
        return UNKNOWN
    total = int(seconds.total_seconds() if isinstance(seconds, timedelta) else seconds)
    if total < 0:
        return UNKNOWN
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
             f"{secs}s" if secs and not hours else ""]
    return " ".join(p for p in parts if p) or "0s"


def countdown(left: timedelta | None) -> str:
    """Time left as ``m:ss`` (``h:mm:ss``); ``"0:00 !"`` when it ran out."""
    if left is None:
        return UNKNOWN
    seconds = int(left.total_seconds())
    if seconds <= 0:
        return "0:00 !"  # still open although its time ran out: stuck
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, UNKNOWN)  # type: ignore[arg-type]


def count(n: int, noun: str) -> str:
    """``"1,234 sessions"``, ``"1 session"``."""
    return f"{n:,} {noun if n == 1 else noun + 's'}"


def _text(value: Any) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def text_cell(value: Any, _now: datetime | None = None) -> str:
    """The default cell: the value as text, ``"—"`` when unknown or empty."""
    return _text(value)


def _timestamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")


# -- the catalogue ------------------------------------------------------------------


@dataclass(frozen=True)
class Field(Generic[R]):
    """One field of a record.

    ``get(record)`` reads the value kept in a table row (and sorted and searched);
    ``cell(value, now)`` writes it for a table; ``detail(value, now)`` for a detail view
    (defaults to ``cell``); ``sort(value)`` gives the sort key (default: the value);
    ``live``: the text changes with the clock (re-rendered every second on screen);
    ``table`` / ``shown_in_detail``: where it appears; ``priority``: lower is more
    important -- a table too narrow for every column shows the most important ones
    that fit, in their order.
    """

    key: str
    label: str
    get: Callable[[R], Any]
    cell: Callable[[Any, datetime | None], str] = text_cell
    detail_text: Callable[[Any, datetime | None], str] | None = None
    sort: Callable[[Any], Any] | None = None
    width: int = 10
    align: Literal["left", "center", "right"] = "left"
    live: bool = False
    table: bool = True
    shown_in_detail: bool = True
    priority: int = 100

    def detail(self, value: Any, now: datetime | None) -> str:
        return (self.detail_text or self.cell)(value, now)


def table_fields(fields: Sequence[Field[R]]) -> list[Field[R]]:
    """The fields shown as table columns, in order."""
    return [f for f in fields if f.table]


def row_of(fields: Sequence[Field[R]], record: R) -> dict[str, Any]:
    """The values of a record's table row, by field key."""
    return {f.key: f.get(record) for f in fields}


def cells(fields: Sequence[Field[R]], record: R, now: datetime | None) -> list[str]:
    return [f.cell(f.get(record), now) for f in fields if f.table]


def details(fields: Sequence[Field[R]], record: R, now: datetime | None) -> list[tuple[str, str]]:
    """``(label, text)`` pairs for a detail view, unknown values left out."""
    pairs = []
    for f in fields:
        if f.shown_in_detail:
            text = f.detail(f.get(record), now)
            if text != UNKNOWN:
                pairs.append((f.label, text))
    return pairs


# -- sessions -----------------------------------------------------------------------


def _valid_duration(session: Session) -> bool:
    """A negative duration from the server gives no known end (not one in the past)."""
    return session.duration is None or session.duration >= 0


def session_duration(seconds: int | None, _now: datetime | None = None) -> str:
    """A session's duration as :func:`duration`; a negative one from the server is
    ``"invalid"`` (not ``"-10m"``, not ``"—"``)."""
    return "invalid" if seconds is not None and seconds < 0 else duration(seconds)


def _left(session: Session, now: datetime | None) -> str:
    if now is None or not _valid_duration(session):
        return UNKNOWN
    return countdown(session.time_left(now))


#: each status's label and the open statuses, from the models when first read (this
#: module does not import them at start: see above). A sort or filter of 100 000
#: sessions read ``status_label`` and ``is_open`` (properties) for 80 and 70 ms.
_LABELS: dict[Any, str] = {}
_OPEN: set[Any] = set()


def _load_statuses() -> None:
    from ..api.models import Session, SessionStatus

    for status in SessionStatus:
        _LABELS[status] = Session(id="", status=status).status_label
        if Session(id="", status=status).is_open:
            _OPEN.add(status)


def _status_label(session: Session) -> str:
    """``session.status_label``, looked up."""
    if not _LABELS:
        _load_statuses()
    return _LABELS.get(session.status) or session.status_label


def _left_sort(session: Session) -> float:
    if not _LABELS:
        _load_statuses()
    if session.status not in _OPEN:  # not open (most sessions): no end worked out
        return float("inf")
    end = session.expires_at
    return end.timestamp() if end is not None else float("inf")


#: what an operator scans for comes first, so that 80 columns show id, status, time
#: left, avatar and age
SESSION_FIELDS: list[Field[Session]] = [
    Field("id", "ID", attrgetter("id"), cell=lambda v, _n: short_id(v) if v else UNKNOWN,
          sort=short_id, detail_text=lambda v, _n: _text(v), width=8, priority=1),
    Field("status", "Status", _status_label, width=9, priority=2),
    Field("left", "Left", lambda s: s, cell=_left, sort=_left_sort, width=8, align="right",
          live=True, shown_in_detail=False, priority=3),
    Field("avatar", "Avatar", attrgetter("avatar_id"), width=24, priority=4),
    Field("created", "Created", attrgetter("create_time"), cell=ago, detail_text=when,
          sort=_timestamp, width=15, live=True, priority=5),
    Field("stream", "Stream", attrgetter("stream_type"), width=9, priority=6),
    Field("duration", "Duration", attrgetter("duration"), cell=session_duration,
          sort=lambda v: v if v is not None else -1, width=8, align="right", priority=7),
    Field("expires", "Expires", lambda s: s.expires_at if _valid_duration(s) else None,
          cell=when, sort=_timestamp,
          table=False),
]


# -- avatars ------------------------------------------------------------------------


def validity(avatar: Avatar, now: datetime | None) -> str:
    """How long an uploaded avatar stays usable (:data:`UPLOAD_VALIDITY` from its upload):
    ``"6 days and 23 hours"`` for a fresh one, ``"5 hours"`` on its last day,
    ``"expired"``; ``"—"`` for official avatars (they do not expire). The one wording of
    the avatars table, its detail pane and the CLI."""
    from ..api.models import AvatarSource

    until = avatar.valid_until()
    if until is None or now is None or avatar.source is AvatarSource.OFFICIAL:
        return UNKNOWN
    left = until - now
    if left <= timedelta(0):
        return "expired"
    import humanize

    return humanize.precisedelta(left, minimum_unit="hours", format="%d") \
        if left >= timedelta(days=1) else humanize.naturaldelta(left)


#: the avatar list's ``platform``, for a person: made through the open API, or in
#: AKool's web app (``aigc``)
AVATAR_PLATFORMS = {"open": "open API", "aigc": "web app"}


def platform_label(platform: str, _now: datetime | None = None) -> str:
    """``"open API"`` / ``"web app"`` (another value from the server as it is)."""
    return AVATAR_PLATFORMS.get(platform, platform) or UNKNOWN


#: id, status, source and validity first: an upload's progress shows at 80 columns
AVATAR_FIELDS: list[Field[Avatar]] = [
    Field("avatar_id", "Avatar ID", lambda a: a.avatar_id, width=24, priority=1),
    Field("status", "Status", lambda a: a.status_label, width=11, priority=2),
    Field("source", "Source", lambda a: a.source_label, width=8, priority=3),
    Field("valid", "Valid for", lambda a: a, cell=validity, live=True, width=19,
          sort=lambda a: _timestamp(a.valid_until()), priority=4),
    Field("platform", "Platform", lambda a: a.platform, cell=platform_label, width=8,
          priority=5),
    Field("name", "Name", lambda a: a.name, width=16, priority=6),
    Field("available", "Avail", lambda a: a.available, cell=lambda v, _n: yes_no(v), width=5,
          priority=7),
    Field("gender", "Gender", lambda a: a.gender, width=7, priority=8),
    Field("voice", "Voice", lambda a: a.voice_id, width=14, priority=9),
    Field("created", "Uploaded", lambda a: a.create_time, cell=ago, detail_text=when,
          sort=_timestamp, table=False),
    Field("record", "Record ID", lambda a: a.id, table=False),
    Field("preview", "Preview", lambda a: a.url, table=False),
]


# -- voices and languages ------------------------------------------------------------------

VOICE_FIELDS: list[Field[Voice]] = [
    Field("voice_id", "Voice ID", lambda v: v.voice_id, width=24, priority=1),
    Field("name", "Name", lambda v: v.name, width=20, priority=2),
    Field("gender", "Gender", lambda v: v.gender, width=7, priority=3),
    Field("language", "Language", lambda v: v.language, width=12, priority=4),
    Field("locale", "Locale", lambda v: v.locale, width=8, priority=5),
    Field("stream", "Stream", lambda v: v.support_stream, cell=lambda v, _n: yes_no(v), width=6,
          priority=6),
    Field("model", "Model", lambda v: v.model_name, width=22, priority=7),
    Field("age", "Age", lambda v: ", ".join(v.age), width=12, priority=8),
    Field("style", "Style", lambda v: ", ".join(v.style), table=False),
    Field("scenario", "Scenario", lambda v: ", ".join(v.scenario), table=False),
]

LANGUAGE_FIELDS: list[Field[Language]] = [
    Field("code", "Code", lambda x: x.lang_code, width=8, priority=1),
    Field("name", "Language", lambda x: x.lang_name, width=20, priority=2),
]


# -- knowledge bases ------------------------------------------------------------------

if TYPE_CHECKING:
    from ..api.knowledge import KnowledgeBase


def _kb_docs(kb: KnowledgeBase, _now: datetime | None = None) -> str:
    """``"3 · 11.0 MB"``: how many documents and their size together."""
    from .knowledge import format_bytes

    if not kb.docs:
        return "0"
    known = any(d.size is not None for d in kb.docs)
    return f"{len(kb.docs)} · {format_bytes(kb.docs_bytes)}" if known else str(len(kb.docs))


def _kb_doc_lines(kb: KnowledgeBase, _now: datetime | None = None) -> str:
    """One line per document: ``name  size  url``."""
    from .knowledge import format_bytes

    return "\n".join(f"{d.name}  {format_bytes(d.size)}  {d.url}" for d in kb.docs) or UNKNOWN


#: the detail fields whose text is several lines (shown as a block, not one value)
KNOWLEDGE_BLOCKS = frozenset({"prologue", "prompt", "docs", "urls"})

#: name, source and documents first: the table reads at 80 columns
KNOWLEDGE_FIELDS: list[Field[KnowledgeBase]] = [
    Field("name", "Name", lambda k: k.name, width=28, priority=1),
    Field("source", "Source", lambda k: k.source_label, width=6, priority=2),
    Field("documents", "Documents", lambda k: k, cell=_kb_docs,
          sort=lambda k: (len(k.docs), k.docs_bytes), width=12, align="right", priority=3,
          shown_in_detail=False),
    Field("url_count", "URLs", lambda k: len(k.urls), width=4, align="right", priority=4,
          shown_in_detail=False),
    Field("updated", "Updated", lambda k: k.update_time, cell=ago, detail_text=when,
          sort=_timestamp, width=15, live=True, priority=5),
    Field("id", "ID", lambda k: k.id, cell=lambda v, _n: short_id(v) if v else UNKNOWN,
          sort=short_id, detail_text=lambda v, _n: _text(v), width=8, priority=6),
    Field("created", "Created", lambda k: k.create_time, cell=ago, detail_text=when,
          sort=_timestamp, table=False),
    Field("prologue", "Prologue", lambda k: k.prologue, table=False),
    Field("prompt", "Prompt", lambda k: k.prompt, table=False),
    Field("docs", "Documents", lambda k: k, cell=_kb_doc_lines, table=False),
    Field("urls", "URLs", lambda k: k.urls, cell=lambda v, _n: "\n".join(v) or UNKNOWN,
          table=False),
]
