"""LiveTable keeps its row styles from one frame to the next (Textual empties its own
cache of them on every refresh); they still follow the focus and the theme."""

from __future__ import annotations

from textual.widgets import Input

from test_live_table import SIZE, Clock, TableApp, make_rows
from akool_tui.tui.widgets import LiveTable
from test_live_table import COLUMNS


class FocusApp(TableApp):
    def compose(self):
        yield from super().compose()
        yield Input(id="other")


def cursor_background(table: LiveTable):
    strip = table.render_line(1)  # the first row holds the cursor
    return next(seg.style.bgcolor for seg in strip if seg.style and seg.text.strip())


async def test_the_cursor_row_follows_the_focus_and_the_theme_between_ticks() -> None:
    clock = Clock()
    table = LiveTable(COLUMNS, clock=clock)
    table.set_rows(make_rows(5))
    app = FocusApp(table)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        focused = cursor_background(table)
        clock.now += 1
        table.refresh_live()
        await pilot.pause()
        assert cursor_background(table) == focused  # a tick keeps the styles
        app.query_one("#other", Input).focus()
        await pilot.pause()
        blurred = cursor_background(table)
        assert blurred != focused
        table.focus()
        await pilot.pause()
        assert cursor_background(table) == focused
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        assert cursor_background(table) not in (focused, blurred)
