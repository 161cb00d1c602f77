"""The frame every main screen shares: body, status line, footer, refresh loop."""

from __future__ import annotations

import sys
from typing import Any, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from ..refresh import RefreshLoop
from ..status import StatusLine
from ..widgets.key_bar import KeyBar
from .typeahead import mark_typed_on

W = TypeVar("W")


class Refreshed(Message):
    """A refresh fetched new data (posted by the worker, applied by the handler)."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class RefreshFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class MainScreen(Screen):
    """A screen with a live refresh loop. Subclasses implement ``fetch`` (network,
    runs in a worker) and ``apply`` (widget state, runs in the message handler)."""

    BINDINGS = [
        Binding("ctrl+r", "refresh_now", "Refresh", id="screen.refresh", show=False,
                tooltip="Fetch fresh data now"),
        Binding("p", "toggle_pause", "Pause", id="screen.pause",
                tooltip="Pause or resume the live refresh"),
    ]

    #: whether this screen runs a refresh loop
    LIVE = True
    #: the pulse screen shows this screen's data: it refreshes while the pulse is open
    FEEDS_PULSE = False

    def __init__(self) -> None:
        super().__init__()
        self.loop: RefreshLoop | None = None
        self._last_error_shown = ""
        self._failures = 0  # refreshes failed in a row

    def on_key(self, event: events.Key) -> None:
        mark_typed_on(self, event)  # the dialog pushed over this screen may take it

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield StatusLine(id="status")
        yield KeyBar()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - abstract
        yield from ()

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        if not self.LIVE:
            return
        self.loop = RefreshLoop(
            self.fetch,
            lambda result: self.post_message(Refreshed(result)),
            lambda error: self.post_message(RefreshFailed(error)),
            interval=self.app.config.refresh_interval,
            # another mode's screen in front: no ticks (nobody sees them); a dialog
            # over this screen: the table keeps refreshing behind it (the pulse too, for
            # the screen that feeds it)
            blocked=lambda: self not in self.app.screen_stack and not (
                self.FEEDS_PULSE and self.app.ctx.pulse_open),
            clock=lambda: self.app.now().timestamp(),
        )
        self.status.bind_state(self.loop.state)
        self.run_worker(self._refresh_forever, name=f"{self.id or type(self).__name__}-refresh",
                        group="refresh", exclusive=True, exit_on_error=False)

    async def _refresh_forever(self) -> None:
        await self.app.ctx.client()
        assert self.loop is not None
        await self.loop.run()

    def on_screen_resume(self) -> None:
        # coming back from a modal or another mode: show fresh data at once
        if self.loop is not None and self.loop.state.last_success is not None:
            self.loop.trigger()

    async def fetch(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def apply(self, result: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_refreshed(self, message: Refreshed) -> None:
        message.stop()
        if self._failures:  # recovered: the status line drops its error count
            self.app.ctx.events.add("info", f"{self.TITLE}: refresh recovered after "
                                            f"{self._failures} failed")
            self.notify(f"{self.TITLE}: refresh recovered", timeout=3)
        self._failures = 0
        self._last_error_shown = ""
        self.apply(message.result)
        self.status.refreshed()

    def on_refresh_failed(self, message: RefreshFailed) -> None:
        message.stop()
        self._failures += 1
        text = str(message.error) or type(message.error).__name__
        if text != self._last_error_shown:  # notify once per distinct error (kept in `e`)
            self._last_error_shown = text
            self.notify(f"Refresh failed: {text}", severity="error", timeout=6, markup=False)
        else:  # the same again: no toast, but the run's events keep every failure
            self.app.ctx.events.add("error", f"Refresh failed: {text}")
        if self.loop is not None and self.loop.state.halted \
                and self.loop.state.last_success is None:
            self.show_refused(message.error)
        self.status.update_status()

    def show_refused(self, error: BaseException) -> None:
        """Nothing loaded and the ticks stopped (credentials refused): say so where
        the data would be (a table screen puts it in its table)."""

    def action_refresh_now(self) -> None:
        if self.loop is not None:
            self.loop.trigger()
            self.notify("Refreshing…", timeout=1.5)

    def action_toggle_pause(self) -> None:
        if self.loop is None:
            return
        self.loop.set_paused(not self.loop.state.paused)
        self.status.update_status()
        self.notify("Refresh paused" if self.loop.state.paused else "Refresh resumed", timeout=2)


class TableScreen(MainScreen):
    """A main screen around one LiveTable with a `/` filter bar and a detail pane.

    Subclasses compose the LiveTable inside a container with id "body", set
    ``FILTER_PLACEHOLDER`` and implement ``show_detail(pane, key)`` and
    ``update_extra()``. The filter bar and the detail pane are mounted when first
    opened: the first frame does not wait for an Input and a scroll container that
    are hidden anyway.
    """

    FILTER_PLACEHOLDER = "filter"
    BINDINGS = [
        Binding("y", "copy_id", "Copy id", id="table.copy_id", show=False,
                tooltip="Copy the id under the cursor to the clipboard (works over SSH)"),
        Binding("Y", "copy_json", "Copy JSON", id="table.copy_json", show=False,
                tooltip="Copy the row under the cursor as JSON (secrets masked)"),
        Binding("d", "describe", "Describe", id="table.describe", show=False,
                tooltip="The raw record under the cursor as JSON (secrets masked)"),
    ]

    @property
    def table(self):
        from ..widgets.live_table import LiveTable

        return self.query_one(LiveTable)

    def on_mount(self) -> None:
        # no super(): Textual calls every class's on_mount along the MRO by itself
        self.table.focus()

    def show_refused(self, error: BaseException) -> None:
        code = getattr(error, "code", None)
        self.table.empty_text = (f"Credentials refused{f' (code {code})' if code else ''}: "
                                 "check them (akool-tui config show), then ctrl+r")
        self.table.refresh()

    def update_extra(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def record(self, key: str | None) -> Any:  # pragma: no cover - abstract
        """The record (Session, Avatar...) of the row ``key``, or None."""
        raise NotImplementedError

    def _record_json(self) -> tuple[str, str] | None:
        """(the id under the cursor, its record as masked JSON), or None with a notice."""
        from ...core.records import jsonable
        from ...core.text import safe_json_dumps

        key = self.table.cursor_key
        record = self.record(key)
        if key is None or record is None:
            self.notify("No row under the cursor", severity="warning", timeout=2)
            return None
        return key, safe_json_dumps(jsonable(record), indent=2)

    def action_copy_id(self) -> None:
        """OSC 52 through the terminal: works over SSH and in tmux (set-clipboard on)."""
        key = self.table.cursor_key
        if key is None:
            self.notify("No row under the cursor", severity="warning", timeout=2)
            return
        self.app.copy_to_clipboard(key)
        self.notify(f"Copied {key}", timeout=2)

    def action_copy_json(self) -> None:
        if (found := self._record_json()) is not None:
            key, text = found
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied {key} as JSON ({len(text):,} characters)", timeout=2)

    def action_describe(self) -> None:
        if (found := self._record_json()) is not None:
            from .describe import DescribeScreen

            self.app.push_screen(DescribeScreen(*found))

    def show_detail(self, pane, key: str | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _existing(self, kind: type[W]) -> W | None:
        found = self.query(kind)
        return found.first() if found else None

    async def _filter_bar(self):
        from .common import FilterBar

        bar = self._existing(FilterBar)
        if bar is None:
            bar = FilterBar(placeholder=self.FILTER_PLACEHOLDER, id="filter")
            await self.mount(bar, before="#body")
        return bar

    async def _detail_pane(self):
        from .common import DetailPane

        pane = self._existing(DetailPane)
        if pane is None:
            pane = DetailPane(id="detail")
            await self.query_one("#body").mount(pane)
        return pane

    #: printable keys typed after the filter key and before its bar had the focus (None:
    #: no filter opening): they were already on their way to the table, and were lost
    #: (or, at 100 000 rows, `e` opened the events list)
    _filter_typed: list[str] | None = None

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            from .common import FilterBar

            bar = self._existing(FilterBar)
            if self._filter_typed is not None or (bar is not None and bar.has_focus):
                # typed for the filter, on its way to the table before the bar had the
                # focus (the bar's own printable keys never reach the screen)
                event.stop()
                event.prevent_default()
                if self._filter_typed is not None:
                    self._filter_typed.append(event.character)
                else:
                    bar.insert_text_at_cursor(event.character)
                return
        if event.key in self._filter_keys():
            self._filter_typed = []  # from now until the bar has the focus
        super().on_key(event)

    def _filter_keys(self) -> set[str]:
        """The keys bound to the filter (the user's keymap applied)."""
        from ..widgets.safe_input import keymapped_bindings

        return {key for key, found in keymapped_bindings(self).key_to_bindings.items()
                if any(b.action == "filter" for b in found)}

    async def action_filter(self) -> None:
        if self._filter_typed is None:  # from the palette: no key to follow
            self._filter_typed = []
        bar = await self._filter_bar()
        bar.open()
        self.set_focus(bar, scroll_visible=False)
        # keys still queued at the table arrive here after this turn: then the bar
        self.call_later(self._filter_take_typed, bar)

    def _filter_take_typed(self, bar: Any) -> None:
        typed, self._filter_typed = self._filter_typed or [], None
        if typed:
            bar.insert_text_at_cursor("".join(typed))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.filter_text = event.value
        self.update_extra()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        from .common import DetailPane, FilterBar

        if (pane := self._existing(DetailPane)) is not None:
            pane.display = False
        if (bar := self._existing(FilterBar)) is not None:
            bar.clear()
        self.table.filter_text = ""
        self.table.focus()
        self.update_extra()

    async def action_toggle_detail(self) -> None:
        detail = await self._detail_pane()
        detail.display = not detail.display
        self.refresh_detail()

    async def on_live_table_row_selected(self) -> None:
        await self.action_toggle_detail()

    def on_live_table_row_highlighted(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        pane_class = getattr(sys.modules.get(f"{__package__}.common"), "DetailPane", None)
        if pane_class is None:  # no pane was ever made (the first rows' highlight: not
            # loaded, or a thread is importing it ahead: then it is partly there)
            return
        detail = self._existing(pane_class)
        if detail is not None and detail.display:
            self.show_detail(detail, self.table.cursor_key)
