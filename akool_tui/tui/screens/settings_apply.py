"""The settings screen's Apply, run in a worker: the avatar's own voice looked up when
the form asks for it (the avatar record carries its ``voice_id``), then ``set-params``
on the chat's conversation. What the form shows but the session keeps (an emptied
background or language, an own voice not known) comes back with the ack, to be said
beside it (:func:`akool_tui.core.live_params.live_plan`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...api.errors import AkoolError
from ...core.live_params import live_plan
from ...core.text import CELL, safe
from .chat_channel import describe

if TYPE_CHECKING:
    from ...core.chat.conversation import Conversation
    from ...stream.codec import CommandAck
    from ..context import AppContext


async def own_voice(ctx: AppContext, avatar_id: str) -> tuple[str | None, str]:
    """The avatar's own voice id (None when not known) and, if none, why."""
    if not avatar_id:
        return None, "the session's avatar is not known"
    try:
        avatar = await (await ctx.client()).avatar_detail(avatar_id)
    except AkoolError as error:
        return None, f"avatar {safe(avatar_id, limit=CELL)} not looked up: {describe(error)}"
    if not avatar.voice_id:
        return None, f"avatar {safe(avatar_id, limit=CELL)} has no voice of its own on record"
    return avatar.voice_id, ""


async def send_settings(ctx: AppContext, conversation: Conversation, *, voice: str,
                        fast: bool, shown_background: str = "",
                        **form: Any) -> tuple[CommandAck, list[str]]:
    """Send the form's values to the conversation's session; the ack and what it keeps.
    An empty background is said to be kept only when the session has one as far as
    this console knows: one applied to it, or ``shown_background`` (the configured
    default the form started from, which a session created here got)."""
    session = conversation.session
    had = bool(shown_background or (session is not None
                                    and conversation.applied_background.get(session.id)))
    own, problem = None, ""
    if not voice:
        if fast:
            problem = "fast_dialogue's default preset cannot be chosen on a live session"
        else:
            own, problem = await own_voice(ctx, session.avatar_id if session else "")
    plan = live_plan(voice=voice, own_voice=own, own_voice_problem=problem,
                     had_background=had, **form)
    ack = await conversation.set_params(**plan.data)
    return ack, plan.kept
