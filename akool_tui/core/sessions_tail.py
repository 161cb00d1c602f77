"""Sessions the server stopped listing, found at the old end of its list in one request.

AKool lists sessions newest first, and an ended session stays listed with its status
(3 completed, 4 failed); a service that keeps a bounded history (the simulator's steady
churn, a retention policy) drops the *oldest* settled ones. An incremental tick sees that
as a count lower than what the tracker would hold after it. Without this, such sessions
stayed in the table until the next full refetch, minutes apart at 10 000 sessions (one
8-minute soak went 10 058 -> 10 777 rows while the server held 10 000).

One page from the old end holds the server's ``L`` oldest sessions, one consistent answer.
New sessions only come at the new end, so the survivors among the tracker's ``L`` oldest
(in the order of its last full refetch) are all on that page: one of them that is not is
gone. Anything this cannot explain (fewer found than vanished, a page that names a
session the tracker does not know, so the order is not the one assumed) returns None,
and the caller takes the whole list as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["MAX_GONE", "MAX_TAIL", "find_gone", "tail_page_size", "oldest_known"]

#: the largest page read from the old end (the list's maximum page size)
MAX_TAIL = 100
#: the most sessions a tick looks for there (a page size from this up to MAX_TAIL always
#: leaves a last page this long); more vanished between two ticks, a full refetch
MAX_GONE = MAX_TAIL // 2
#: the fewest read, so that a few sessions retired just after the count was read are
#: found too
MIN_TAIL = 20


def tail_page_size(count: int, want: int) -> int | None:
    """A page size whose last page holds at least ``want`` of ``count`` sessions (the
    smallest one from ``want`` up to :data:`MAX_TAIL`), or None."""
    if count <= MAX_TAIL:
        return max(count, 1)
    for size in range(want, MAX_TAIL + 1):
        rest = count % size
        if rest == 0 or rest >= want:
            return size
    return None


def oldest_known(order: Sequence[str], known: Mapping[str, Any], n: int) -> list[str]:
    """The ``n`` oldest ids of ``order`` (newest first, as listed) still in ``known``."""
    out: list[str] = []
    if n <= 0:
        return out
    for sid in reversed(order):
        if sid in known:
            out.append(sid)
            if len(out) >= n:
                break
    return out


async def find_gone(client: Any, order: Sequence[str], known: Mapping[str, Any],
                    count: int, vanished: int) -> list[str] | None:
    """The ids of the ``vanished`` sessions the server no longer lists, or None when one
    page from the old end cannot tell (the caller then reads every page)."""
    if vanished <= 0 or vanished > MAX_GONE or not order:
        return None
    size = tail_page_size(count, min(MAX_GONE, max(2 * vanished, MIN_TAIL)))
    if size is None:
        return None
    page = max(1, -(-count // size))
    answer = await client.list_sessions(page=page, size=size)
    tail = answer.result
    if not tail or (page - 1) * size + len(tail) != answer.count:
        return None  # empty, or sessions came meanwhile: this page is not the old end
    listed = {s.id for s in tail}
    if any(sid not in known for sid in listed):  # not the order assumed, or too new
        return None
    gone = [sid for sid in oldest_known(order, known, len(tail)) if sid not in listed]
    return gone if len(gone) >= vanished else None
