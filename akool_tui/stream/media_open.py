"""Which :class:`~.media.MediaSource` shows a connected session's avatar.

The chat screen asks :func:`open_media` once the session's channel is connected. The
sources themselves live beside the transports they follow: the demo simulator's media
websocket for websocket sessions, the room's video and audio tracks for LiveKit ones.
None: this session's media cannot be shown here (the panel says so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.models import Session
    from .media import MediaSource


def open_media(session: Session, transport: Any) -> MediaSource | None:
    """The media source for ``session`` whose data channel is ``transport`` (connected),
    or None when there is none for its kind of stream (yet: the sources are wired in
    here as they land)."""
    return None
