"""Avatar uploads: start one, then follow it from queueing to ready (or failed).

Shared by ``akool-tui avatars upload [--wait]`` and the avatars screen (its upload
dialog and its live rows); no Textual, no printing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..api.errors import AkoolError, TimeoutError_
from ..api.models import Avatar, AvatarStatus

if TYPE_CHECKING:
    from ..api.client import AkoolClient

#: seconds between two status checks while all is well
POLL_INTERVAL = 2.0
#: after failed checks the wait doubles, up to 2**MAX_BACKOFF_STEPS times the interval
MAX_BACKOFF_STEPS = 4
FINAL = (AvatarStatus.SUCCESS, AvatarStatus.FAILED)


#: the avatar list's platforms: made through the open API, in AKool's web app, or both
PLATFORMS = ("open", "aigc", "all")


async def list_avatars_of(client: AkoolClient, platform: str = "all") -> list[Avatar]:
    """The avatars of one platform (``"open"``, ``"aigc"``), or of both, open ones first
    (``"all"``); each record says its ``platform``."""
    if platform != "all":
        return await client.list_all_avatars(platform)
    mine, web = await asyncio.gather(client.list_all_avatars("open"),
                                     client.list_all_avatars("aigc"))
    return [*mine, *web]


async def upload_avatar(
    client: AkoolClient, url: str, avatar_id: str, *, name: str, url_from: int = 1
) -> Avatar:
    """Upload a streaming avatar; the record as created (queueing, usually).

    ``name`` is required (the API answers 1003 without one). The answer may leave out
    the avatar id: the one asked for fills it in.
    """
    avatar = await client.create_avatar(url, avatar_id, name=name, url_from=url_from)
    # made through the open API: its platform is "open" (the answer does not say; the
    # table's Platform column showed "—" until the next listing)
    return replace(avatar, avatar_id=avatar.avatar_id or avatar_id,
                   platform=avatar.platform or "open")


@dataclass(frozen=True)
class UploadUpdate:
    """The upload's record as last seen; ``error`` when the last check failed (the
    watch goes on, backing off); ``elapsed`` seconds since the watch began."""

    avatar: Avatar
    elapsed: float
    error: AkoolError | None = None

    @property
    def done(self) -> bool:
        return self.error is None and self.avatar.status in FINAL


async def watch_upload(
    client: AkoolClient,
    avatar: Avatar,
    *,
    interval: float = POLL_INTERVAL,
    timeout: float | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[UploadUpdate]:
    """Yield the upload record first as given, then each time its status changes or a
    check fails, until it is ready or failed. Checks back off after failures.

    Raises :class:`~akool_tui.api.errors.TimeoutError_` once ``timeout`` seconds pass
    without a final status, and :class:`AkoolError` when the record has no id to follow.
    """
    started = clock()
    record = avatar
    yield UploadUpdate(record, 0.0)
    if record.status in FINAL:
        return
    if not avatar.id:
        raise AkoolError(f"the upload answer for avatar {avatar.avatar_id} has no record id "
                         "to follow")
    failures = 0
    while True:
        elapsed = clock() - started
        if timeout is not None and elapsed > timeout:
            raise TimeoutError_(f"avatar {avatar.avatar_id} is still {record.status_label} "
                                f"after {timeout:g} s")
        await sleep(interval * (2 ** min(failures, MAX_BACKOFF_STEPS)))
        try:
            fresh = await client.avatar_upload_status(avatar.id)
        except AkoolError as error:
            failures += 1
            yield UploadUpdate(record, clock() - started, error)
            continue
        failures = 0
        if not fresh.avatar_id or not fresh.platform:  # the status answer may leave out
            fresh = replace(fresh, avatar_id=fresh.avatar_id or avatar.avatar_id,
                            platform=fresh.platform or avatar.platform)
        changed = fresh.status != record.status
        record = fresh
        if changed:
            yield UploadUpdate(record, clock() - started)
        if record.status in FINAL:
            return
