"""One short name for every record id, and ids typed by the user resolved against it.

The console shows a session as the last 8 characters of its id (AKool ids are
ObjectId-like: their first characters are a timestamp shared by sessions created
together, their last ones differ). Every command that takes an id accepts the full id,
or a unique prefix or suffix of it (so what the screen shows can be typed back).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..api.errors import ParamError

#: characters of an id shown in tables, chat header, notifications
SHORT_ID_LENGTH = 8
#: a typed id at least this long is taken as a full id (AKool ids have 24)
FULL_ID_LENGTH = 24
#: matches listed in an "ambiguous" message
MAX_LISTED = 5


def short_id(record_id: str) -> str:
    """``"65f0c2a19886cb4e3b7d2a10"`` -> ``"7d2a10…"``-style: the last 8 characters."""
    return record_id[-SHORT_ID_LENGTH:] if len(record_id) > SHORT_ID_LENGTH else record_id


class AmbiguousIdError(ParamError):
    """A typed id matches more than one record."""


class UnknownIdError(ParamError):
    """A typed id matches no record."""


def looks_full(text: str) -> bool:
    return len(text.strip()) >= FULL_ID_LENGTH


def resolve_id(text: str, known: Iterable[str], *, noun: str = "session") -> str:
    """The one id in ``known`` that ``text`` names: itself, or a unique prefix or suffix.

    Raises :class:`UnknownIdError` when none matches and :class:`AmbiguousIdError`
    (listing the matches, shortened) when several do.
    """
    wanted = text.strip()
    if not wanted:
        raise ParamError(f"The {noun} ID is empty")
    ids = list(dict.fromkeys(known))
    if wanted in ids:
        return wanted
    matches = [i for i in ids if i.startswith(wanted) or i.endswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownIdError(f"No {noun} ID starts or ends with {wanted!r}")
    listed = ", ".join(matches[:MAX_LISTED]) + (", …" if len(matches) > MAX_LISTED else "")
    raise AmbiguousIdError(
        f"{wanted!r} matches {len(matches)} {noun}s ({listed}): type more of the ID")
