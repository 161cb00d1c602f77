"""The chat screen's video panel against the real simulator (Pilot): the face and the
meter, v, [ and ], the narrow layout, the SSH default, the source's life, the health
reader, no timers while idle. The media is a synthetic talking face (tests/video_fakes)."""

from __future__ import annotations

import asyncio

import pytest

from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.screens.chat_media import ChatMedia
from akool_tui.tui.widgets.video_cells import VideoCells
from tui_helpers import isolated_home, wait_for  # noqa: F401 - fixture
from video_fakes import FaceSource

SIZE = (120, 34)

@pytest.fixture
def face_source(monkeypatch):
    """Every session's media is a talking face; the sources made are listed."""
    made: list[FaceSource] = []

    def open_face(session, transport):
        made.append(FaceSource(320, 240, fps=25))
        return made[-1]

    monkeypatch.setattr(ChatMedia, "MEDIA_SOURCE", staticmethod(open_face))
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {})
    return made


def chat_app(sim) -> AkoolApp:
    return AkoolApp(demo_config(sim), demo=True, watch_tty=False)


async def connected_chat(pilot, sim) -> ChatScreen:
    await pilot.app.switch_mode("chat")
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen.conversation.connected, "connected")
    return screen


async def test_the_chat_shows_the_face_and_the_level_and_v_toggles_it(simulator_factory,
                                                                     face_source):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        panel = screen.video_panel
        assert panel is not None and panel.display
        await wait_for(pilot, lambda: panel.painted_count >= 3, "painting")
        assert panel.region.x == 0 and screen.transcript.region.x >= panel.region.right
        assert panel.region.width == 50
        picture = panel.picture
        cols, rows = picture.size
        assert isinstance(picture, VideoCells) and picture.cells_refreshed > cols * rows
        await wait_for(pilot, lambda: "♪" in str(screen.query_one("#chat-level").render()),
                       "level meter")
        await pilot.press("escape")  # leave the input: screen keys work
        await pilot.press("v")
        assert not panel.display
        await pilot.pause()
        assert screen.transcript.region.x == 0
        count = panel.painted_count
        await pilot.pause(0.3)
        assert panel.painted_count == count  # hidden: not painted
        await pilot.press("v")
        await wait_for(pilot, lambda: panel.painted_count > count, "painting again")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert panel.region.width == 54
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert panel.region.width == 46


async def test_a_narrow_terminal_has_the_video_above_the_transcript(simulator_factory,
                                                                    face_source):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        panel = screen.video_panel
        await wait_for(pilot, lambda: panel.painted_count >= 1, "painting")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: screen.has_class("-video-above"), "above")
        await pilot.pause()
        assert panel.region.width == 80 and screen.transcript.region.y >= panel.region.bottom
        before = panel.picture.cells_refreshed
        await wait_for(pilot, lambda: panel.picture.cells_refreshed > before, "repainted")
        assert panel.picture._cells.size == panel.picture.size
        await pilot.resize_terminal(*SIZE)
        await wait_for(pilot, lambda: not screen.has_class("-video-above"), "beside")
        await pilot.pause()
        assert panel.region.width == 50 and panel.region.x == 0


async def test_another_session_or_leaving_closes_the_source(simulator_factory, face_source):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        await wait_for(pilot, lambda: face_source and face_source[0].sent > 2, "first source")
        first = face_source[0]
        await pilot.press("ctrl+n")  # a new session: its own source, the first one closed
        await wait_for(pilot, lambda: len(face_source) == 2 and first.closed, "switched")
        second = face_source[1]
        await wait_for(pilot, lambda: second.sent > 2, "second source")
    assert second.closed
    left = [t for t in asyncio.all_tasks() if "chat-media" in repr(t) or "frames" in repr(t)]
    assert left == []
    assert not [w for w in app.workers if w.group == "chat-media"]


async def test_over_ssh_the_panel_starts_hidden_and_says_how_to_show_it(simulator_factory,
                                                                       face_source,
                                                                       monkeypatch):
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {"SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22"})
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = AkoolApp(demo_config(sim), demo=False, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        await pilot.pause()
        assert not screen.video_panel.display
        lines = [e.text for e in screen.transcript.entries]
        assert any("hidden over SSH" in t and "(v shows it)" in t for t in lines)


async def test_a_session_without_media_has_no_panel(simulator_factory, monkeypatch):
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {})
    monkeypatch.setattr(ChatMedia, "MEDIA_SOURCE", staticmethod(lambda session, transport: None))
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        await wait_for(pilot, lambda: "No video" in str(screen.query_one("#video-info").render()),
                       "note")
        await pilot.pause()
        # nothing to show: no empty panel, the transcript has the width
        assert not screen.video_panel.display and screen.transcript.region.width == SIZE[0]
        await pilot.press("escape", "v")
        await pilot.pause()
        assert not screen.video_panel.display  # wanted, but nothing to show yet


class FakeHealth:
    """Stands for core.media_health's reader: records what the chat tells it."""

    def __init__(self) -> None:
        self.fed = self.paints = 0
        self.live_states: list[bool] = []
        self.speaking_states: list[bool] = []

    def feed(self, item) -> None:
        self.fed += 1

    def painted(self) -> None:
        self.paints += 1

    def speaking(self, on: bool) -> None:
        self.speaking_states.append(on)

    def live(self, on: bool) -> None:
        self.live_states.append(on)

    def snapshot(self):
        class Snap:
            warnings = ("no audio while speaking (2 s)",)
        return Snap()


async def test_the_health_reader_is_fed_and_its_warnings_shown(simulator_factory, face_source,
                                                              monkeypatch):
    made: list[FakeHealth] = []
    monkeypatch.setattr(ChatMedia, "HEALTH", staticmethod(lambda: made.append(FakeHealth())
                                                          or made[-1]))
    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=60.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        await wait_for(pilot, lambda: made and made[0].paints >= 2, "painted")
        health = made[0]
        assert health.fed > health.paints and health.live_states[0] is True
        await wait_for(pilot, lambda: "⚠ no audio while speaking (2 s)"
                       in str(screen.query_one("#video-info").render()), "warning shown")
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: True in health.speaking_states, "speaking told")


async def test_a_source_that_ends_hides_the_panel(simulator_factory, monkeypatch):
    made: list[FaceSource] = []
    monkeypatch.setattr(ChatMedia, "MEDIA_SOURCE", staticmethod(
        lambda session, transport: made.append(FaceSource(160, 120, fps=50, limit=10))
        or made[-1]))
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {})
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected_chat(pilot, sim)
        await wait_for(pilot, lambda: made and made[0].closed, "source ended and closed")
        await wait_for(pilot, lambda: not screen.video_panel.display, "panel hidden")
        assert "Video ended" in str(screen.query_one("#video-info").render())


async def test_an_idle_chat_screen_runs_no_video_timers(simulator_factory, face_source):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        await pilot.pause(0.3)
        panel = screen.video_panel
        assert not panel._ticking and screen._meter_timer._active.is_set() is False
        screen = await connected_chat(pilot, sim)
        await wait_for(pilot, lambda: panel.painted_count > 0, "painting")
        assert panel._ticking and screen._meter_timer._active.is_set()
        screen.show_media(False)  # the media went: no ticking
        assert not panel._ticking and screen._meter_timer._active.is_set() is False
        assert str(screen.query_one("#chat-level").render()) == ""


async def test_without_numpy_no_media_channel_is_opened(simulator_factory, monkeypatch):
    """No numpy: the chat says once that video needs it and opens no media source (it
    used to open the channel anyway and report a second failure)."""
    import akool_tui.tui.screens.chat_media as chat_media

    opened: list[str] = []
    monkeypatch.setattr(chat_media, "video_available", lambda: False)
    monkeypatch.setattr(ChatMedia, "VIDEO_ENV", {})
    monkeypatch.setattr(ChatMedia, "MEDIA_SOURCE",
                        staticmethod(lambda session, transport: opened.append(session.id)))
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = chat_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        await connected_chat(pilot, sim)
        await pilot.pause()
        assert opened == []
