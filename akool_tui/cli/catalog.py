"""``akool-tui avatars list | upload``, ``voices list``, ``languages list``."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from ..api.errors import AkoolError
from .context import EXIT_API, EXIT_OK, Context, api_command, now

if TYPE_CHECKING:
    from ..api.client import AkoolClient

UPLOAD_POLL_INTERVAL = 0.5  # seconds between avatar upload status checks


# -- avatars ----------------------------------------------------------------------------


@api_command
async def cmd_avatars_list(ctx: Context, client: AkoolClient) -> None:
    from .output import avatars_table, count

    avatars = await client.list_all_avatars()
    ctx.emit(avatars, lambda: (avatars_table(avatars, now()) + "\n\n" if avatars else "")
             + count(len(avatars), "avatar"))


@api_command
async def cmd_avatars_upload(ctx: Context, client: AkoolClient) -> int:
    from ..api.models import AvatarStatus
    from .output import avatar_details

    a = ctx.args
    avatar = await client.create_avatar(a.url, a.avatar_id, name=a.name, url_from=a.url_from)
    if a.wait and avatar.status not in (AvatarStatus.SUCCESS, AvatarStatus.FAILED):
        if not avatar.id:
            raise AkoolError("the upload answer has no record id to follow")
        started = time.monotonic()
        shown = None
        while avatar.status not in (AvatarStatus.SUCCESS, AvatarStatus.FAILED):
            elapsed = time.monotonic() - started
            if avatar.status != shown:
                shown = avatar.status
                ctx.note(f"avatar {a.avatar_id}: {avatar.status_label} ({elapsed:.0f} s)")
            if elapsed > a.timeout:
                raise AkoolError(f"avatar {a.avatar_id} is still {avatar.status_label} "
                                 f"after {a.timeout:g} s")
            await asyncio.sleep(UPLOAD_POLL_INTERVAL)
            avatar = await client.avatar_upload_status(avatar.id)
        ctx.note(f"avatar {a.avatar_id}: {avatar.status_label} "
                 f"({time.monotonic() - started:.0f} s)")
    ctx.emit(avatar, lambda: avatar_details(avatar, now()))
    if avatar.status is AvatarStatus.FAILED:
        ctx.note(f"the upload of avatar {a.avatar_id} failed")
        return EXIT_API
    return EXIT_OK


# -- voices, languages ------------------------------------------------------------------------


@api_command
async def cmd_voices_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, voices_table

    voices = await client.list_all_voices(ctx.args.type)
    ctx.emit(voices, lambda: (voices_table(voices) + "\n\n" if voices else "")
             + count(len(voices), "voice"))


@api_command
async def cmd_languages_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, languages_table

    languages = await client.list_languages()
    ctx.emit(languages, lambda: (languages_table(languages) + "\n\n" if languages else "")
             + count(len(languages), "language"))
