"""Which :class:`~.media.MediaSource` shows a connected session's avatar.

The chat screen asks :func:`open_media` once the session's channel is connected. The
sources live beside the transports they follow: the demo simulator's media websocket
(:mod:`.media_ws`) for websocket sessions, the room's video and audio tracks
(:mod:`.livekit_media`) for LiveKit ones. None: this session's media cannot be shown
here (the panel says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.models import Session
    from .media import MediaSource


def open_media(session: Session, transport: Any) -> MediaSource | None:
    """The media source for ``session`` whose data channel is ``transport`` (connected),
    or None when there is none for its kind of stream."""
    kind = getattr(session, "stream_type", "")
    try:
        if kind == "websocket":
            from .media_ws import media_source_for  # noqa: PLC0415

            return media_source_for(session)
        if kind == "livekit":
            from .livekit_media import livekit_media_for  # noqa: PLC0415

            return livekit_media_for(transport)
    except ImportError:  # a build without that source
        return None
    return None
