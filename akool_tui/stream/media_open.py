"""Which :class:`~.media.MediaSource` shows a connected session's avatar: the chat
screen's door to :mod:`.media_sources` (the demo's media websocket for websocket
sessions, the room's tracks for LiveKit ones), which a build may lack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.models import Session
    from .media import MediaSource


def open_media(session: Session, transport: Any) -> MediaSource | None:
    """The media source for ``session`` whose data channel is ``transport`` (connected),
    or None when there is none for its kind of stream."""
    try:
        from .media_sources import media_source  # noqa: PLC0415
    except ImportError:  # a build without the sources
        return None
    return media_source(session, transport)


def no_video_reason(session: Session) -> str:
    """Why ``session`` has no video here, for the panel."""
    try:
        from .media_sources import NO_VIDEO  # noqa: PLC0415
    except ImportError:
        return "No video for this session"
    why = NO_VIDEO.get(getattr(session, "stream_type", "") or "")
    return f"No video: {why}" if why else "No video for this session"
