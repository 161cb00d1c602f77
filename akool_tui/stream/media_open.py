"""Which :class:`~.media.MediaSource` shows a connected session's avatar.

The chat screen asks :func:`open_media` once the session's channel is connected:

- ``websocket`` sessions of the demo simulator: its media channel (:mod:`.media_ws`);
  AKool's own websocket sessions have none;
- ``livekit`` sessions: the avatar's tracks in the room the stream transport joined
  (:mod:`.livekit_media`, needs the ``livekit`` extra and numpy);
- ``agora`` / ``trtc``: none (their SDKs are not in this program).

None: this session's media cannot be shown here (:func:`no_video_reason` says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.models import Session
    from .media import MediaSource

#: why a session has no video here, by stream type (for the panel)
NO_VIDEO = {
    "websocket": "this websocket session has no video channel (only the demo's has one)",
    "livekit": "the LiveKit room is not joined yet",
    "agora": "Agora video needs Agora's SDK, which this program does not use",
    "trtc": "TRTC video needs Tencent's SDK, which this program does not use",
}


def open_media(session: Session, transport: Any) -> MediaSource | None:
    """The media source for ``session`` whose data channel is ``transport`` (connected),
    or None when there is none for its kind of stream."""
    kind = getattr(session, "stream_type", "") or ""
    try:
        if kind == "websocket":
            from .media_ws import media_source_for  # noqa: PLC0415

            return media_source_for(session)
        if kind == "livekit" and transport is not None:
            from .livekit_media import livekit_media_for  # noqa: PLC0415

            return livekit_media_for(transport)
    except ImportError:  # a build without that source
        return None
    return None


def no_video_reason(session: Session) -> str:
    """Why ``session`` has no video here, for the panel."""
    why = NO_VIDEO.get(getattr(session, "stream_type", "") or "")
    return f"No video: {why}" if why else "No video for this session"
