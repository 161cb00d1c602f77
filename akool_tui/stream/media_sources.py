"""Which :class:`~.media.MediaSource` shows a session's avatar, if any.

- ``websocket`` sessions of the demo simulator: its media channel (:mod:`.media_ws`);
  AKool's own websocket sessions have none;
- ``livekit`` sessions: the avatar's tracks in the room the stream transport joined
  (:mod:`.livekit_media`, needs the ``livekit`` extra and numpy);
- ``agora`` / ``trtc``: none (their SDKs are not in this program).
"""

from __future__ import annotations

from typing import Any

from .media import MediaSource

#: why a session has no video here, by stream type (for the panel's placeholder)
NO_VIDEO = {
    "websocket": "this websocket session has no video channel (only the demo's has one)",
    "livekit": "the LiveKit room is not joined yet",
    "agora": "Agora video needs Agora's SDK, which this program does not use",
    "trtc": "TRTC video needs Tencent's SDK, which this program does not use",
}


def media_source(session: Any, transport: Any = None, **kwargs: Any) -> MediaSource | None:
    """The media source of ``session`` (an api Session), or None with :data:`NO_VIDEO`
    saying why. ``transport``: the session's connected stream transport (LiveKit: its
    room carries the tracks). ``kwargs`` go to the source (``clock``, ``query``,
    ``max_fps``)."""
    stream_type = getattr(session, "stream_type", "") or ""
    if stream_type == "websocket":
        from .media_ws import media_source_for

        return media_source_for(session, **kwargs)
    if stream_type == "livekit" and transport is not None:
        from .livekit_media import livekit_media_for

        return livekit_media_for(transport, **kwargs)
    return None
