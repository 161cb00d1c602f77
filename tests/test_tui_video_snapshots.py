"""SVG snapshots of the chat screen with the avatar's video (a fixed frame) at 120x34 and
80x24. Deterministic: the frozen simulator, the app's clock and the panel's clock fixed,
one fixed frame, ten frames a second received and painted by that clock.
Update with ``pytest tests/test_tui_video_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from akool_tui.stream.media import VideoFrame
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.screens.chat_media import ChatMedia
from tui_helpers import (  # noqa: F401 - fixtures
    SNAPSHOT_SIZES as SIZES,
    frozen_sim,
    isolated_home,
    snapshot_app,
    wait_for,
)
from video_fakes import face

NOW = 1000.0


async def chat_with_video(pilot: Pilot) -> None:
    app = pilot.app
    await app.switch_mode("chat")
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "chat-sessions"
                                       and w.is_running], "sessions listed")
    screen.show_media(True)  # as when a session's media source opened
    panel = screen.video_panel
    panel._clock = lambda: NOW
    picture = face(320, 240, 0.6).tobytes()
    for i in range(20):  # 10 a second over the last two seconds
        panel.feed(VideoFrame(320, 240, picture, NOW - 1.95 + i * 0.1))
        panel.paint_now()
    screen._level = 0.25
    screen.chat_input.cursor_blink = False
    await wait_for(pilot, lambda: "♪" in str(screen.query_one("#chat-level").render()), "meter")
    await wait_for(pilot, lambda: "10 fps in" in str(screen.query_one("#video-info").render()),
                   "figures")
    await pilot.pause()


@SIZES
def test_chat_screen_with_video(snap_compare, frozen_sim, tmp_path, size, monkeypatch):
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {})  # not over SSH: the panel shows
    # the simulator's port changes from run to run: the status line shows a fixed one
    monkeypatch.setattr(AkoolApp, "endpoint_label", property(lambda app: "127.0.0.1:8080"))
    app = snapshot_app(frozen_sim, tmp_path, demo=False)
    assert snap_compare(app, terminal_size=size, run_before=chat_with_video)
