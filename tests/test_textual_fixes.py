"""The partial-update fix (akool_tui.tui.textual_fixes): same screen, fewer bytes."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from akool_tui.tui import textual_fixes
from test_live_table import SIZE, Clock, make_app
from tui_helpers import (  # noqa: F401 - fixtures
    FIXED_NOW,
    api_create,
    running,
    screen_text,
    shared_sim,
    wait_loaded,
)
from tui_helpers import make_app as make_console

MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
SGR = re.compile(r"\x1b\[[0-9;]*m")
WIDTH = 40


def paint(screen: list[list[str]], output: str) -> None:
    """Apply cursor moves, newlines and text (styles ignored) to a character grid;
    a wide character takes its cell and blanks the next one."""
    y = x = 0
    for part in re.split(r"(\x1b\[\d+;\d+H|\r?\n)", SGR.sub("", output)):
        if not part:
            continue
        if match := MOVE.fullmatch(part):
            y, x = int(match[1]) - 1, int(match[2]) - 1
        elif part in ("\n", "\r\n"):
            y, x = y + 1, 0
        else:
            for char in part:
                width = cell_len(char)
                screen[y][x] = char
                if width == 2:
                    screen[y][x + 1] = ""
                x += width


def original(update: ChopsUpdate, console: Console) -> str:
    """Textual's own render_segments (as shipped)."""
    return textual_fixes.ORIGINAL_RENDER_SEGMENTS(update, console)


TEXTS = st.text(alphabet="ab 12:—界", min_size=1, max_size=6)


@st.composite
def updates(draw) -> tuple[ChopsUpdate, Strip]:
    """One line of chops (widgets side by side) and one changed span on it."""
    cuts = sorted(draw(st.sets(st.integers(1, WIDTH - 1), max_size=3)))
    edges = [0, *cuts, WIDTH]
    chops: dict[int, Strip] = {}
    for x, end in zip(edges, edges[1:], strict=False):
        segments, room = [], end - x
        while room:
            text = ""
            for char in draw(TEXTS):
                if cell_len(text + char) > room:
                    break
                text += char
            text = text or " "  # a wide character that does not fit: a space instead
            segments.append(Segment(text, Style(bold=draw(st.booleans()))))
            room -= cell_len(text)
        chops[x] = Strip(segments, end - x)
    x1 = draw(st.integers(0, WIDTH - 1))
    x2 = draw(st.integers(x1 + 1, WIDTH))
    return ChopsUpdate([chops], [(0, x1, x2)], [edges[1:]]), Strip.join(chops.values())


@settings(max_examples=300, deadline=None)
@given(updates())
def test_the_cropped_update_draws_the_same_screen_from_further_right(case) -> None:
    update, full = case
    console = Console(width=WIDTH, color_system="truecolor", force_terminal=True)
    before = [[" "] * (WIDTH + 1)]
    paint(before, "\x1b[1;1H" + full.render(console))
    (_, x1, x2), = update.spans
    before[0][x1:x2] = "#" * (x2 - x1)  # what the changed cells showed before
    ours = textual_fixes._render_segments(update, console)
    theirs = original(update, console)
    expect, got = [row[:] for row in before], [row[:] for row in before]
    paint(expect, theirs)
    paint(got, ours)
    assert got == expect
    assert "#" not in got[0]  # every changed cell was written
    assert len(ours) <= len(theirs)


def test_installed_only_where_textual_has_the_known_shape(monkeypatch) -> None:
    assert textual_fixes.install()  # the pinned Textual: applied (idempotent)
    assert ChopsUpdate.render_segments is textual_fixes._render_segments

    class Other:  # a future Textual whose updates look different
        def __init__(self, chops, spans) -> None: ...

    real_shape = textual_fixes.shape
    monkeypatch.setattr(textual_fixes, "shape", lambda: real_shape(Other))
    monkeypatch.setattr(ChopsUpdate, "render_segments", textual_fixes.ORIGINAL_RENDER_SEGMENTS)
    assert not textual_fixes.install()
    assert ChopsUpdate.render_segments is textual_fixes.ORIGINAL_RENDER_SEGMENTS


async def test_a_countdown_tick_writes_only_the_countdown_cells() -> None:
    textual_fixes.install()
    clock = Clock()
    app = make_app(rows=30, clock=clock, live_interval=3600)
    written: list[str] = []
    console = Console(width=SIZE[0], color_system="truecolor", force_terminal=True)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.pause()
        # headless runs never write; keep what a terminal would have been sent
        show = app._display

        def capture(screen, update) -> None:
            if isinstance(update, ChopsUpdate):
                written.append(update.render_segments(console))
            show(screen, update)

        app._display = capture
        clock.now += 5
        table.refresh_live()
        await pilot.pause()
    text = SGR.sub("", "".join(written))
    cells = [int(x) for _, x in MOVE.findall(text)]
    shown = [part for part in MOVE.split(text) if part.strip() and not part.isdigit()]
    assert len(cells) == 11, text  # one write per visible row
    left_column = table._offsets[-1] + 2  # 1-based column of the Left cell's text
    assert set(cells) == {left_column}
    assert all(re.fullmatch(r"\s*\d:\d\d\s*", part) for part in shown), shown


class Terminal:
    """What a terminal shows after every update the app sends (styles ignored)."""

    def __init__(self, app, size: tuple[int, int]) -> None:
        self.console = Console(width=size[0], color_system="truecolor", force_terminal=True)
        self.rows = [[" "] * (size[0] + 1) for _ in range(size[1])]
        self.bytes = 0
        show = app._display  # headless runs never write: keep what would have been

        def capture(screen, update) -> None:
            if update is not None and hasattr(update, "render_segments"):
                data = update.render_segments(self.console)
                self.bytes += len(data.encode())
                paint(self.rows, data)
            show(screen, update)

        app._display = capture

    def text(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.rows]


async def test_the_terminal_shows_the_screen_after_live_updates(shared_sim, tmp_path) -> None:
    await api_create(shared_sim, 3, duration=600)
    now = [FIXED_NOW]
    app = make_console(shared_sim, tmp_path, clock=lambda: now[0])
    terminal = Terminal(app, (100, 20))
    async with running(app, size=(100, 20)) as (pilot, _):
        screen = await wait_loaded(pilot)
        for step in range(4):  # countdowns and "refreshed N seconds ago" move on
            now[0] += timedelta(seconds=7 + step)
            screen.table.refresh_live()
            screen.status.update_status()
            await pilot.pause()
        screen.status.set_extra("a longer extra text than before, 1 marked")
        await pilot.pause()
        composed = [line.rstrip() for line in screen_text(app).splitlines()]
    assert terminal.text() == composed
    assert terminal.bytes > 0
