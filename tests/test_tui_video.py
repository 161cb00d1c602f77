"""The video panel and audio meter: cells on screen, diff-only repaint, the fps cap, the
chat screen's panel (toggle, resize, narrow layout, SSH default) and the source's life."""

from __future__ import annotations

import asyncio
import time
from unittest.mock import ANY

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region

from akool_tui.demo import demo_config
from akool_tui.stream.media import VideoFrame
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.screens.chat_media import ChatMedia
from akool_tui.tui.video_support import choose
from akool_tui.tui.widgets.video_cells import VideoCells
from akool_tui.tui.widgets.video_panel import LevelMeter, VideoPanel
from tui_helpers import isolated_home, wait_for  # noqa: F401 - fixture
from video_fakes import FaceSource, face, frame, talking

SIZE = (120, 34)
RED, BLUE = (255, 0, 0), (0, 0, 255)


class CellsApp(App):
    def __init__(self, palette: str = "truecolor") -> None:
        super().__init__()
        self.palette = palette

    def compose(self) -> ComposeResult:
        yield VideoCells(self.palette)  # type: ignore[arg-type]


class PanelApp(App):
    def __init__(self, fps: int) -> None:
        super().__init__()
        self.fps = fps

    def compose(self) -> ComposeResult:
        yield VideoPanel(fps=self.fps)


def line_cells(widget: VideoCells, y: int) -> list[tuple[str, str | None, str | None]]:
    """(character, fg, bg) of each cell of line ``y`` as rendered."""
    out = []
    for segment in widget.render_line(y):
        style = segment.style
        fg = style.color.triplet.hex if style and style.color and style.color.triplet else None
        bg = (style.bgcolor.triplet.hex if style and style.bgcolor and style.bgcolor.triplet
              else None)
        out.extend((ch, fg, bg) for ch in segment.text)
    return out


async def test_a_tiny_frame_shows_as_exact_half_block_cells():
    app = CellsApp()
    async with app.run_test(size=(2, 2)) as pilot:
        cells = app.query_one(VideoCells)
        pixels = np.array([[RED, BLUE], [BLUE, BLUE], [RED, RED], [BLUE, RED]], dtype=np.uint8)
        cells.paint(frame(pixels))
        await pilot.pause()
        assert line_cells(cells, 0) == [("▀", "#ff0000", "#0000ff"), (" ", ANY, "#0000ff")]
        assert line_cells(cells, 1) == [("▀", "#ff0000", "#0000ff"), (" ", ANY, "#ff0000")]


async def test_256_colour_cells_are_palette_colours():
    app = CellsApp("256")
    async with app.run_test(size=(1, 1)) as pilot:
        cells = app.query_one(VideoCells)
        cells.paint(frame(np.array([[RED], [(250, 250, 250)]], dtype=np.uint8)))
        await pilot.pause()
        (segment,) = list(cells.render_line(0))
        assert (segment.style.color.number, segment.style.bgcolor.number) == (196, 231)


async def test_only_the_changed_cells_are_refreshed(monkeypatch):
    app = CellsApp()
    async with app.run_test(size=(60, 30)) as pilot:
        cells = app.query_one(VideoCells)
        asked: list[tuple[Region, ...]] = []
        original = cells.refresh

        def spy(*regions, **kwargs):
            asked.append(regions)
            return original(*regions, **kwargs)

        monkeypatch.setattr(cells, "refresh", spy)
        cycle = talking(320, 240, count=5)
        assert cells.paint(cycle[0]) == 1800  # the first frame: all of it
        assert asked[-1] == ()  # a full refresh
        await pilot.pause()
        changed = cells.paint(cycle[2])  # the mouth opens
        regions = asked[-1]
        assert 0 < changed < 60 and sum(r.width * r.height for r in regions) == changed
        assert {r.y for r in regions} == {17, 18, 19, 20} and all(r.height == 1 for r in regions)
        await pilot.pause()
        count = len(asked)
        assert cells.paint(cycle[2]) == 0 and len(asked) == count  # same picture: nothing


async def test_painting_is_capped_at_the_fps_setting():
    app = PanelApp(fps=5)
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(VideoPanel)
        cycle = talking(160, 120)
        start = time.monotonic()
        fed = 0
        while time.monotonic() - start < 1.2:  # a 100 fps source for 1.2 s
            f = cycle[fed % len(cycle)]
            panel.feed(type(f)(f.width, f.height, f.rgb, time.monotonic()))
            fed += 1
            await pilot.pause(0.01)
        elapsed = time.monotonic() - start
        # 5 a second whatever comes in (a loaded machine feeds fewer than 100 a second)
        assert 2 <= panel.painted_count <= 5 * elapsed + 2
        assert fed >= 3 * panel.painted_count
        received, painted = panel.figures()
        assert received > painted and painted <= 3.5
        info = str(app.query_one("#video-info").render())
        assert "160x120" in info and "fps in" in info


async def test_the_figures_line_shows_the_health_warnings_safely():
    app = PanelApp(fps=10)
    async with app.run_test(size=(60, 12)) as pilot:
        panel = app.query_one(VideoPanel)
        panel.warnings_from = lambda: ["video frozen for 4 s", "black\x1b[2J [b]video"]
        panel.feed(frame(face(64, 48)))
        await wait_for(pilot, lambda: panel.painted_count > 0, "painted")
        await pilot.pause(0.15)
        info = str(app.query_one("#video-info").render())
        assert "⚠ video frozen for 4 s" in info and "\x1b" not in info and "[b]video" in info


def test_the_level_meter_bar():
    assert LevelMeter.bar(0.0) == " " * 8 and LevelMeter.bar(float("nan")) == " " * 8
    assert LevelMeter.bar(1.0) == "█" * 8
    half = LevelMeter.bar(10 ** (-24 / 20))  # -24 dB: half the bar
    assert half == "████    "


@pytest.mark.parametrize(("setting", "env", "color", "demo", "mode", "shown"), [
    ("auto", {}, "truecolor", False, "truecolor", True),
    ("auto", {}, "256", False, "256", True),
    ("auto", {"SSH_CONNECTION": "1 2 3 4"}, "truecolor", False, "truecolor", False),
    ("auto", {"SSH_CONNECTION": "1 2 3 4"}, "truecolor", True, "truecolor", True),
    ("auto", {"TERM": "xterm-kitty", "SSH_TTY": "/dev/pts/1"}, "truecolor", False, "pixels", True),
    ("auto", {"TERM": "xterm-kitty", "TMUX": "x"}, "truecolor", False, "truecolor", True),
    ("256", {}, "truecolor", False, "256", True),
    ("off", {}, "truecolor", True, "off", False),
])
def test_the_drawing_and_default_visibility(setting, env, color, demo, mode, shown):
    choice = choose(setting, color_system=color, demo=demo, env=env, can_draw_pixels=True)
    assert (choice.mode, choice.shown) == (mode, shown)


def test_pixels_without_the_package_fall_back_to_half_blocks():
    choice = choose("pixels", color_system="truecolor", env={}, can_draw_pixels=False)
    assert choice.mode == "truecolor" and "textual-image" in choice.why


# -- the chat screen ---------------------------------------------------------------------


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


# -- pixels ------------------------------------------------------------------------------


class PixelApp(App):
    def compose(self) -> ComposeResult:
        yield VideoPanel(mode="pixels", fallback="256")


def capture_output(app: App) -> list[str]:
    """Every screen update the app sends, rendered to escape codes as its driver would."""
    import io

    from rich.console import Console

    sink = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                   width=60, height=14, legacy_windows=False)
    written: list[str] = []
    original = app._display

    def display(screen, renderable):
        original(screen, renderable)
        if renderable is not None and hasattr(renderable, "render_segments"):
            written.append(renderable.render_segments(sink))
        elif renderable is not None:
            with sink.capture() as capture:
                sink.print(renderable, end="")
            written.append(capture.get())

    app._display = display
    return written


async def test_pixels_draw_the_frame_as_sixel_where_the_terminal_has_it(monkeypatch):
    pytest.importorskip("textual_image")
    from akool_tui.tui.widgets import video_pixels

    monkeypatch.setattr(video_pixels, "PROTOCOL", "sixel")
    app = PixelApp()
    async with app.run_test(size=(60, 14)) as pilot:
        written = capture_output(app)
        panel = app.query_one(VideoPanel)
        assert panel.mode == "pixels" and not isinstance(panel.picture, VideoCells)
        panel.feed(frame(face(1280, 720, 0.5)))
        panel.paint_now()
        await wait_for(pilot, lambda: any("\x1bP" in w for w in written), "a sixel image")
        image = panel.picture.children[0].image
        assert image.size[0] <= 60 * 10 and image.size[1] <= 13 * 20  # no more than shown
        assert abs(image.size[0] / image.size[1] - 16 / 9) < 0.02


async def test_without_a_pixel_protocol_the_panel_draws_half_blocks(monkeypatch):
    from akool_tui.tui.widgets import video_pixels

    monkeypatch.setattr(video_pixels, "PROTOCOL", None)
    app = PixelApp()
    async with app.run_test(size=(60, 14)):
        panel = app.query_one(VideoPanel)
        assert panel.mode == "256" and isinstance(panel.picture, VideoCells)
        assert panel.picture.palette == "256"


def test_without_numpy_there_is_no_video_and_it_says_why():
    choice = choose("auto", color_system="truecolor", env={}, can_scale=False)
    assert choice.mode == "off" and "akool-tui[video]" in choice.why


async def test_a_frame_whose_size_lies_is_a_note_not_a_crash():
    app = PanelApp(fps=10)
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(VideoPanel)
        panel.feed(VideoFrame(64, 48, b"\0" * 10, time.monotonic()))
        await wait_for(pilot, lambda: "Bad video frame" in str(
            app.query_one("#video-info").render()), "note")
        panel.feed(frame(face(64, 48)))
        await wait_for(pilot, lambda: panel.painted_count == 1, "painted after")


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


def test_the_terminal_is_asked_about_pixels_only_when_they_are_in_question(monkeypatch):
    import sys

    from akool_tui.tui import video_support
    from akool_tui.tui.widgets import video_pixels

    asked: list[bool] = []
    monkeypatch.setattr(video_pixels, "prepare", lambda: asked.append(True) or "kitty")
    assert video_support.prepare_pixels("truecolor", env={"TERM": "xterm-kitty"}) is None
    assert video_support.prepare_pixels("auto", env={"TERM": "xterm-256color"}) is None
    assert asked == []
    if video_support.pixels_available():
        assert video_support.prepare_pixels("auto", env={"TERM": "xterm-kitty"}) == "kitty"
        assert video_support.prepare_pixels("pixels", env={}) == "kitty"
        assert asked == [True, True]
    # and the real one asks nothing when stdout is no terminal (as under pytest)
    monkeypatch.undo()
    if not sys.__stdout__.isatty():
        assert video_pixels.prepare() is None


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
