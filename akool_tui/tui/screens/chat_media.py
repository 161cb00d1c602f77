"""The chat screen's video panel and audio meter: where they sit, what feeds them.

Once the session's channel is connected, :data:`ChatMedia.MEDIA_SOURCE` (by default
:func:`akool_tui.stream.media_open.open_media`) gives the session's media source; a
worker (group ``chat-media``: another session stops it) reads its frames and levels
and keeps the newest (:meth:`VideoPanel.feed` only stores: the panel's timer paints,
capped at ``[chat] video_fps``). The source is closed when the worker ends: another
session, the screen or the app closing.

The panel sits beside the transcript (``[chat] video_panel`` cells wide), above it on a
terminal narrower than :data:`NARROW` columns; ``v`` shows or hides it, ``[`` and ``]``
make it smaller or larger. How it is drawn and whether it starts shown:
:mod:`akool_tui.tui.video_support`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual.message import Message
from textual.worker import WorkerCancelled, WorkerError, WorkerFailed

from ...core.chat.conversation import ChannelState
from ...stream.media import AudioLevel, VideoFrame
from ...stream.media_open import no_video_reason, open_media
from ...stream.transport import TransportState
from ..video_support import VideoChoice, choose, video_available
from ..widgets.video_panel import LevelMeter, VideoPanel
from .chat_channel import describe
from .chat_view import ChatView

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer
    from textual.worker import Worker

    from ...api.models import Session
    from ...stream.media import MediaSource

#: narrower than this, the panel goes above the transcript
NARROW = 100
#: the transcript keeps at least this many columns beside the panel
TRANSCRIPT_MIN = 40
#: rows the chat bar, the input, the status line and the key bar take
CHROME_ROWS = 6
#: the audio meter is repainted this often (when its bar changes)
METER_HZ = 10


def health_monitor() -> Any:
    """The media health reader (:mod:`akool_tui.core.media_health`: frozen, black, silent
    warnings), or None in a build without it."""
    try:
        from ...core.media_health import MediaHealthMonitor  # noqa: PLC0415
    except ImportError:
        return None
    return MediaHealthMonitor()


@dataclass
class MediaNote(Message):
    """The media worker has something to say in the panel (no video, it stopped)."""

    session_id: str
    text: str
    on: bool  # whether the session has media to show now
    error: bool = False  # the source failed: said in the transcript too


class ChatMedia(ChatView):
    """The video panel and the audio meter of the chat screen (a layer of it)."""

    DEFAULT_CSS = """
    ChatMedia #chat-main { height: 1fr; }
    ChatMedia #chat-video { width: 50; height: 1fr; padding: 0 1 0 0; }
    ChatMedia.-video-above #chat-main { layout: vertical; }
    ChatMedia.-video-above #chat-video { padding: 0; }
    """

    #: the media source of a connected session (tests give a synthetic one)
    MEDIA_SOURCE: ClassVar[Callable[[Session, Any], MediaSource | None]] = staticmethod(
        open_media)
    #: the environment the drawing is chosen for (None: this process's)
    VIDEO_ENV: ClassVar[Mapping[str, str] | None] = None
    #: makes the health reader of a session's media (feed, painted, speaking, live,
    #: snapshot().warnings)
    HEALTH: ClassVar[Callable[[], Any]] = staticmethod(health_monitor)

    def __init__(self) -> None:
        super().__init__()
        self.video: VideoChoice | None = None
        self._media_session: str | None = None
        self._media_worker: Worker[None] | None = None
        self._level: float | None = None
        self._panel_size: int | None = None  # cells, as [ and ] leave it
        self.health: Any = None  # the current session's media health reader
        self._meter_timer: Timer | None = None
        #: the panel is wanted (v toggles it) / the session has media to show in it
        self.video_wanted = False
        self.media_on = False

    # -- layout -------------------------------------------------------------------------

    def compose_video(self) -> ComposeResult:
        cfg = self.app.config.chat
        self.video = choose(cfg.video_mode, color_system=self.app.console.color_system,
                            demo=self.app.ctx.demo,
                            env=os.environ if self.VIDEO_ENV is None else self.VIDEO_ENV)
        self._panel_size = cfg.video_panel
        if self.video.mode == "off":
            return
        cells = "256" if self.app.console.color_system not in (None, "truecolor") else "truecolor"
        panel = VideoPanel(fps=cfg.video_fps, mode=self.video.mode, id="chat-video",
                           fallback=cells)
        self.video_wanted = self.video.shown
        panel.display = False  # until a session's media arrives
        yield panel

    def compose_meter(self) -> ComposeResult:
        yield LevelMeter(id="chat-level")

    @property
    def video_panel(self) -> VideoPanel | None:
        panels = self.query(VideoPanel)
        return panels.first() if panels else None

    def on_mount(self) -> None:
        self._meter_timer = self.set_interval(1 / METER_HZ, self._show_level, pause=True)
        video = self.video
        if video is not None and not video.shown and video.mode != "off":
            self._system(f"{video.why} ({self._key('toggle_video')} shows it).")
        elif video is not None and video.mode == "off" and self.app.config.chat.video_mode != "off":
            self._system(video.why + ".")

    def on_resize(self) -> None:
        self._layout_video()

    def _layout_video(self) -> None:
        panel = self.video_panel
        if panel is None:
            return
        width, height = self.size
        above = width < NARROW
        self.set_class(above, "-video-above")
        size = self._panel_size or self.app.config.chat.video_panel
        if above:  # at most 2/5 of the rows the bar, input and footer leave
            panel.styles.width = "1fr"
            panel.styles.height = max(4, min(size // 4, (height - CHROME_ROWS) * 2 // 5))
        else:
            panel.styles.height = "1fr"
            panel.styles.width = max(20, min(size, width - TRANSCRIPT_MIN))

    def action_toggle_video(self) -> None:
        panel = self.video_panel
        if panel is None:
            self.notify('Video is off in the config ([chat] video_mode = "off")',
                        severity="warning", markup=False)
            return
        self.video_wanted = not self.video_wanted
        if self.video_wanted and not self.media_on:
            self.notify("No video for this session yet: it shows when it comes", timeout=3,
                        markup=False)
        self._sync_video()

    def show_media(self, on: bool) -> None:
        """The session's media is there (``on``) or gone: the panel follows (when wanted)."""
        self.media_on = on
        self._sync_video()
        if self._meter_timer is not None:
            (self._meter_timer.resume if on else self._meter_timer.pause)()
        if not on:
            self._level = None
            self._show_level()
            if (panel := self.video_panel) is not None:
                panel.set_running(False)

    def _sync_video(self) -> None:
        panel = self.video_panel
        if panel is not None:
            panel.display = self.video_wanted and self.media_on
            self._layout_video()

    def action_video_size(self, step: int) -> None:
        """Make the panel ``step`` cells wider (beside) or 4 x ``step`` cells taller
        (above); within what leaves the transcript room."""
        panel = self.video_panel
        if panel is None or not panel.display:
            return
        width = self.size.width
        size = (self._panel_size or self.app.config.chat.video_panel) + step
        self._panel_size = max(20, min(size, max(20, width - TRANSCRIPT_MIN)))
        self._layout_video()

    # -- the source ---------------------------------------------------------------------

    def _apply_state(self, ev: ChannelState) -> bool:
        changed = super()._apply_state(ev)
        if ev.state is TransportState.CONNECTED:
            self._start_media()
        if self.health is not None:
            self.health.live(ev.state is TransportState.CONNECTED)
        return changed

    def _show_speaking(self) -> None:
        super()._show_speaking()
        if self.health is not None:
            self.health.speaking(self._speaking)  # "no audio while speaking"

    def _start_media(self) -> None:
        """Read the connected session's media (once per session)."""
        session_id = self._session_id
        session = self._sessions.get(session_id or "")
        if session is None or session_id is None:
            return
        if not video_available():  # frames and levels both need numpy: said once at mount
            return
        running = self._media_worker is not None and self._media_worker.is_running
        if session_id == self._media_session and running:
            return
        self._media_session = session_id
        self._level = None
        self.health = health = type(self).HEALTH()
        if health is not None:
            health.live(True)
            health.speaking(self._speaking)
        if (panel := self.video_panel) is not None:
            panel.reset()
            panel.warnings_from = None if health is None else lambda: health.snapshot().warnings
            panel.on_paint = None if health is None else health.painted
        self._media_worker = self.run_worker(
            self._read_media(session_id, session, self.conversation.transport),
            name="chat-media", group="chat-media", exclusive=True, exit_on_error=False)

    async def _read_media(self, session_id: str, session: Session, transport: Any) -> None:
        try:
            source = type(self).MEDIA_SOURCE(session, transport)
        except Exception as exc:  # a source that cannot start is a note, not a crash
            self.post_message(MediaNote(session_id, f"No video: {describe(exc)}", on=False,
                                        error=True))
            return
        if source is None:
            self.post_message(MediaNote(session_id, no_video_reason(session), on=False))
            return
        self.post_message(MediaNote(session_id, "", on=True))
        panel = self.video_panel
        health = self.health
        try:
            async for item in source.frames():
                if health is not None:
                    health.feed(item)
                if isinstance(item, VideoFrame):
                    if panel is not None:
                        panel.feed(item)  # kept for the panel's next tick (no repaint here)
                elif isinstance(item, AudioLevel):
                    self._level = item.level
            self.post_message(MediaNote(session_id, "Video ended", on=False))
        except Exception as exc:
            self.post_message(MediaNote(session_id, f"Video stopped: {describe(exc)}",
                                        on=False, error=True))
        finally:
            self._level = None
            await source.aclose()

    def on_media_note(self, message: MediaNote) -> None:
        message.stop()
        if message.session_id != self._media_session:
            return
        if message.text and (panel := self.video_panel):
            panel.set_note(message.text)
        if message.error:
            self._system(message.text, role="error")
        self.show_media(message.on)

    async def stop_media(self) -> None:
        """Stop reading the media (the source is closed); the screen's unmount does."""
        worker = self._media_worker
        self._media_worker = None
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
                await worker.wait()

    def _show_level(self) -> None:
        meters = self.query(LevelMeter)
        if meters:
            meters.first().show_level(self._level)
