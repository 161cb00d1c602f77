"""The sessions screen at idle sends at most one frame a second: the countdowns, the
"N seconds ago" cells and the status line's refresh age change together, and a refresh
that changes nothing but the age waits for that second instead of a frame of its own."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from akool_tui.tui.screens.base import Refreshed
from test_textual_fixes import Terminal
from tui_helpers import (  # noqa: F401 - fixtures
    FIXED_NOW,
    frozen_sim,
    make_app,
    running,
    wait_for,
    wait_loaded,
)

SIZE = (120, 34)
COUNTDOWN = re.compile(r"\b\d+:\d\d\b")


class Frames(Terminal):
    """The terminal's screen, and the time of every frame the app sent."""

    def __init__(self, app, size) -> None:
        super().__init__(app, size)
        self.times: list[float] = []
        self.countdowns: list[tuple[str, ...]] = []
        show = app._display

        def capture(screen, update) -> None:
            before = self.bytes
            show(screen, update)
            if self.bytes > before:
                self.times.append(time.monotonic())
                self.countdowns.append(tuple(
                    m for row in self.text()[2:8] for m in COUNTDOWN.findall(row)))

        app._display = capture


async def test_a_refresh_every_second_adds_no_frame_and_countdowns_tick(frozen_sim,
                                                                       tmp_path) -> None:
    # nothing changes on the server (its clock stands still); the console's clock runs
    # 3x: between two refreshes the age reads "just now", "a second ago", "2 seconds
    # ago", and each refresh takes it back to "just now"
    t0 = time.monotonic()
    app = make_app(frozen_sim, tmp_path, interval=1.0,
                   clock=lambda: FIXED_NOW + timedelta(seconds=3 * (time.monotonic() - t0)))
    frames = Frames(app, SIZE)
    async with running(app, size=SIZE) as (pilot, messages):
        await wait_loaded(pilot)
        start, sent = time.monotonic(), len(frames.times)
        before = messages.count(Refreshed)
        await wait_for(pilot, lambda: messages.count(Refreshed) >= before + 4, timeout=12,
                       what="four refreshes")
        seconds = time.monotonic() - start
        times = frames.times[sent:]
        shown = frames.countdowns[sent:]
        text = "\n".join(frames.text())
    # one frame a second (the refreshes, one a second too, fall between the ticks)
    assert len(times) <= seconds + 1.5, (len(times), seconds)
    # and the countdowns still move every second
    assert len(set(shown)) >= int(seconds) - 1, shown
    assert "refreshed" in text


def cells(strip) -> list[tuple[str, object]]:
    """Each cell's character and style (without Textual's offsets for text selection)."""
    return [(char, segment.style.clear_meta_and_links() if segment.style else None)
            for segment in strip for char in segment.text]


async def test_the_status_line_paints_as_textual_renders_its_text(frozen_sim, tmp_path,
                                                                monkeypatch) -> None:
    """The status line makes its segments itself (cheaper each second); they are the
    ones Textual's own rendering of the text gives, with the errors and PAUSED styled."""
    from textual.geometry import Region
    from textual.widget import Widget

    app = make_app(frozen_sim, tmp_path)
    async with running(app, size=SIZE) as (pilot, _):
        screen = await wait_loaded(pilot)
        status = screen.status
        status._state.paused = True
        status._state.consecutive_errors = 2
        status.update_status()
        await pilot.pause()
        region = Region(0, 0, status.size.width, 1)
        ours = status.render_lines(region)[0]
        assert "PAUSED" in ours.text and "errors 2" in ours.text
        monkeypatch.setattr(type(status), "render_line", Widget.render_line)
        status.refresh()
        status._styles_cache.clear()
        textuals = status.render_lines(region)[0]
    assert cells(ours) == cells(textuals)
