"""The render-crop fix (akool_tui.tui.textual_fixes._get_renders): a partial update
renders the widgets it touches only over its own rows, and the terminal shows the same
screen as with Textual's own (whole-height) renders."""

from __future__ import annotations

from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Log, Static

from akool_tui.tui import textual_fixes
from test_textual_fixes import Terminal
from tui_helpers import screen_text

SIZE = (60, 24)


class Dashboard(App):
    """A bar with a small meter at the top, a bordered panel beside a scrolling log,
    a line under them: the chat screen's shape."""

    CSS = """
    #bar { height: 1; background: $panel; }
    #state { width: 20; height: 1; }
    #meter { width: 10; height: 1; }
    #panel { width: 20; border: round $accent; padding: 0 1; }
    #log { height: 1fr; }
    #line { height: 1; background: $boost; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="bar"):
            yield Static("state", id="state")
            yield Static("", id="meter")
        with Horizontal(id="main"):
            with Vertical(id="panel"):
                yield Static("a\nb\nc", id="picture")
                yield Static("info", id="info")
            yield Log(id="log")
        yield Static("line", id="line")


class RenderedRows:
    """Rows rendered by all widgets for the screen's updates while active."""

    def __init__(self, monkeypatch) -> None:
        self.rows = 0
        installed = Compositor._get_renders

        def counting(compositor, crop=None):
            for region, clip, strips in installed(compositor, crop):
                self.rows += len(strips)
                yield region, clip, strips

        monkeypatch.setattr(Compositor, "_get_renders", counting)


async def test_a_one_row_change_renders_that_row_not_every_widget_it_touches(monkeypatch):
    assert textual_fixes.install()
    app = Dashboard()
    terminal = Terminal(app, SIZE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rendered = RenderedRows(monkeypatch)
        written = terminal.bytes
        for level in ("▍", "█▍", "███"):
            app.query_one("#meter", Static).update(level, layout=False)
            await pilot.pause()
        assert terminal.bytes > written  # each change was sent
        assert "███" in terminal.text()[0]
    # the meter's row of the widgets it is in (screen, bar, meter...): at most 4 rows a
    # change; Textual's own renders took each widget's whole height (150 rows here)
    assert rendered.rows <= 3 * 4, rendered.rows


async def test_the_terminal_shows_the_same_screen_as_a_full_render():
    """Partial updates of every kind (a meter, a growing and scrolling log, a panel's
    inner line, a bottom line, a scroll back) leave the terminal showing exactly what a
    full render of the screen shows."""
    assert textual_fixes.install()
    assert Compositor._get_renders is textual_fixes._get_renders
    app = Dashboard()
    terminal = Terminal(app, SIZE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        log = app.query_one(Log)
        for step in range(40):
            log.write_line(f"line {step} " + "word " * (step % 9))
            app.query_one("#meter", Static).update("█" * (step % 8), layout=False)
            if step % 5 == 0:
                app.query_one("#info", Static).update(f"{step} fps", layout=False)
            if step % 7 == 0:
                app.query_one("#line", Static).update(f"status {step}")
            await pilot.pause()
        log.scroll_to(y=3, animate=False)
        await pilot.pause()
        app.query_one("#picture", Static).update("x\ny\nz")
        await pilot.pause()
        composed = [line.rstrip() for line in screen_text(app).splitlines()]
    assert terminal.text() == composed
    assert any("line 39" in row for row in composed) is False  # scrolled back: not shown
    assert any("line 5 " in row for row in composed)


async def test_a_change_at_the_top_and_one_at_the_bottom_render_only_their_rows(monkeypatch):
    """The sessions screen's second: a countdown near the top and the status line at the
    bottom change in the same frame. Only those rows of each widget are rendered, not
    every row between them (Textual crops to the box around all the changes)."""
    assert textual_fixes.install()
    app = Dashboard()
    terminal = Terminal(app, SIZE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rendered = RenderedRows(monkeypatch)
        for second in range(3):
            app.query_one("#meter", Static).update(f"0:{59 - second}", layout=False)
            app.query_one("#line", Static).update(f"refreshed {second} seconds ago",
                                                  layout=False)
            await pilot.pause()
        assert "0:57" in terminal.text()[0]
        assert terminal.text()[-1].startswith("refreshed 2 seconds ago")
        rows = rendered.rows
        composed = [line.rstrip() for line in screen_text(app).splitlines()]
    assert terminal.text() == composed
    # two rows a change, of the few widgets each is in; the box around them took all
    # 24 rows of the screen, and the main area's 22 rows and its widgets': ~100 a change
    assert rows <= 3 * 2 * 4, rows


async def test_a_widget_beside_a_change_is_not_rendered(monkeypatch):
    """The sessions table's scroll bar sits on the rows of its countdowns: a change
    renders the widgets it meets, not those beside it on the same rows (the state beside
    the meter, the log beside the panel), and the terminal shows the same screen."""
    assert textual_fixes.install()
    app = Dashboard()
    terminal = Terminal(app, SIZE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rendered: list[str] = []
        for name in ("state", "log", "meter", "info"):
            widget = app.query_one(f"#{name}")
            original = widget.render_lines

            def counting(crop, _name=name, _original=original):
                rendered.append(_name)
                return _original(crop)

            monkeypatch.setattr(widget, "render_lines", counting)
        for second in range(3):
            app.query_one("#meter", Static).update(f"0:{59 - second}", layout=False)
            app.query_one("#info", Static).update(f"{second} fps", layout=False)
            await pilot.pause()
        assert "0:57" in terminal.text()[0]
        updates = list(rendered)  # (screen_text renders the whole screen)
        composed = [line.rstrip() for line in screen_text(app).splitlines()]
    assert terminal.text() == composed
    assert "meter" in updates and "info" in updates
    assert "state" not in updates and "log" not in updates, updates
