"""``akool-tui sessions list | show | create | close``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..api.errors import NotFoundError, ParamError, SessionClosedError
from .context import EXIT_API, EXIT_OK, Context, api_command, now

if TYPE_CHECKING:
    from ..api.client import AkoolClient


# -- sessions ---------------------------------------------------------------------------


@api_command
async def cmd_sessions_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, sessions_table

    sessions = await client.list_all_sessions(status=getattr(ctx.args, "status", None))
    sessions.sort(key=lambda s: s.create_time or datetime.min.replace(tzinfo=timezone.utc),
                  reverse=True)

    def human() -> str:
        summary = f"{count(len(sessions), 'session')}, {sum(s.is_open for s in sessions):,} open"
        return (sessions_table(sessions, now()) + "\n\n" + summary) if sessions else summary

    ctx.emit(sessions, human)


@api_command
async def cmd_sessions_show(ctx: Context, client: AkoolClient) -> None:
    from .output import session_details

    session = await client.session_detail(ctx.args.id)
    ctx.emit(session, lambda: session_details(session, now()))


@api_command
async def cmd_sessions_create(ctx: Context, client: AkoolClient) -> None:
    from .output import session_details

    a, d = ctx.args, ctx.config.defaults
    speed = a.speed if a.speed is not None else d.speed
    session = await client.create_session(
        a.avatar or d.avatar_id,
        a.duration or d.duration,
        voice_id=a.voice or d.voice_id or None,
        language=a.lang or d.language or None,
        mode_type=a.mode or d.mode_type,
        background_url=a.background or d.background_url or None,
        voice_params={"speed": speed} if speed != 1.0 else None,
        stream_type=a.stream_type or d.stream_type,
    )
    ctx.emit(session, lambda: session_details(session, now()))


@api_command
async def cmd_sessions_close(ctx: Context, client: AkoolClient) -> int:
    failed = 0
    results = []
    for session_id in dict.fromkeys(ctx.args.ids):  # once each, in order
        try:
            await client.close_session(session_id)
        except (NotFoundError, SessionClosedError, ParamError) as error:
            # about this id only: report it and go on with the others
            failed += 1
            results.append({"id": session_id, "closed": False, "error": str(error)})
            ctx.note(f"{session_id}: {error}")
            continue
        results.append({"id": session_id, "closed": True})
        if not ctx.json:
            ctx.out(f"closed {session_id}")
    if ctx.json:
        ctx.emit(results, str, ready=True)
    return EXIT_API if failed else EXIT_OK
