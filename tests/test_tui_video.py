"""The video panel and audio meter on their own: cells on screen, diff-only repaint, the
fps cap, the figures line, how the drawing is chosen, pixels (the chat screen's panel:
test_tui_video_chat.py)."""

from __future__ import annotations

import time
from unittest.mock import ANY

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region

from akool_tui.stream.media import VideoFrame
from akool_tui.tui.video_support import choose
from akool_tui.tui.widgets.video_cells import VideoCells
from akool_tui.tui.widgets.video_panel import LevelMeter, VideoPanel
from tui_helpers import isolated_home, wait_for  # noqa: F401 - fixture
from video_fakes import face, frame, talking

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
