"""``akool-tui avatars list | upload``, ``voices list``, ``languages list``, ``credit``.

Tables and details come from the field catalogue (:mod:`akool_tui.core.fields`); an
upload is started and followed by :mod:`akool_tui.core.avatars`, as in the console.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.fields import AVATAR_FIELDS, LANGUAGE_FIELDS, VOICE_FIELDS, Field
from .context import EXIT_API, EXIT_OK, Context, api_command, mutates, now

if TYPE_CHECKING:
    from ..api.client import AkoolClient

UPLOAD_POLL_INTERVAL = 0.5  # seconds between avatar upload status checks


def _listing(fields: Sequence[Field[Any]], records: Sequence[Any], noun: str) -> str:
    from .output import count, records_table

    return (records_table(fields, records, now()) + "\n\n" if records else "") \
        + count(len(records), noun)


# -- avatars ----------------------------------------------------------------------------


@api_command
async def cmd_avatars_list(ctx: Context, client: AkoolClient) -> None:
    from ..core.avatars import list_avatars_of

    avatars = await list_avatars_of(client, ctx.args.platform)
    ctx.emit(avatars, lambda: _listing(AVATAR_FIELDS, avatars, "avatar"))


@mutates("avatars.upload")
@api_command
async def cmd_avatars_upload(ctx: Context, client: AkoolClient) -> int:
    from ..api.models import AvatarStatus
    from ..core.avatars import upload_avatar, watch_upload

    a = ctx.args
    avatar = await upload_avatar(client, a.url, a.avatar_id, name=a.name, url_from=a.url_from)
    if a.wait:
        async for update in watch_upload(client, avatar, interval=UPLOAD_POLL_INTERVAL,
                                         timeout=a.timeout):
            avatar = update.avatar
            if update.error is not None:
                ctx.note(f"avatar {a.avatar_id}: status check failed, retrying "
                         f"({update.error})")
            else:
                ctx.note(f"avatar {a.avatar_id}: {avatar.status_label} "
                         f"({update.elapsed:.0f} s)")
    from .output import record_details

    ctx.emit(avatar, lambda: record_details(AVATAR_FIELDS, avatar, now()))
    if avatar.status is AvatarStatus.FAILED:
        ctx.note(f"the upload of avatar {a.avatar_id} failed")
        return EXIT_API
    return EXIT_OK


# -- voices, languages ------------------------------------------------------------------------


@api_command
async def cmd_voices_list(ctx: Context, client: AkoolClient) -> None:
    voices = await client.list_all_voices(ctx.args.type)
    ctx.emit(voices, lambda: _listing(VOICE_FIELDS, voices, "voice"))


@api_command
async def cmd_languages_list(ctx: Context, client: AkoolClient) -> None:
    languages = await client.list_languages()
    ctx.emit(languages, lambda: _listing(LANGUAGE_FIELDS, languages, "language"))


# -- credits ------------------------------------------------------------------------------------


@api_command
async def cmd_credit(ctx: Context, client: AkoolClient) -> None:
    """The account's balance (credits held by open sessions already taken)."""
    from ..core.credits import credits_text

    balance = await client.credit_balance()
    ctx.emit({"credit": balance}, lambda: f"{credits_text(balance)} credits", ready=True)
