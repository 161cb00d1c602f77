"""KeyBar: the screen's keys on one line, as Textual's compact Footer shows them, in one widget.

Textual's Footer mounts a widget per key and re-composes them whenever the bindings
change; with the dozen keys of a main screen that is the largest part of the first
frame (~100 ms) and of every focus change. KeyBar renders the same line itself:
``space Mark  s Sort … 1234 screens  ? Keys            ▏^p palette``; clicking a key
presses it.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.widget import Widget

from ..readonly import hidden

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground on $footer-description-background"
DISABLED = "dim"


class KeyBar(Widget):
    """The active bindings of the screen (those with ``show``), grouped like Footer's
    compact style, with the command palette key on the right."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: (start, end, key) of each key on the line, for clicks
        self._spans: list[tuple[int, int, str]] = []
        self._shown: object = None  # the items last rendered

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # the signal also fires when nothing shown changed (e.g. on every focus change)
        if screen is self.screen and self._items() != self._shown:
            self.refresh()

    def _items(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """(key, key display, description, enabled) of each shown binding, grouped
        bindings as one item; and the command palette's item."""
        app = self.app
        active = self.screen.active_bindings
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tip = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        by_action: dict[str, tuple[Binding, bool]] = {}
        for node, binding, enabled, _tip in active.values():
            if binding.show and not hidden(node, binding.action):  # read-only profile
                by_action.setdefault(binding.action, (binding, enabled))
        items: list[tuple[str, str, str, bool]] = []
        for group, members in groupby(by_action.values(), lambda item: item[0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                for binding, enabled in members:  # the keys side by side, then the label
                    items.append((binding.key, app.get_key_display(binding), "", enabled))
                items.append(("", "", group.description, True))
            else:
                for binding, enabled in members:
                    items.append((binding.key, app.get_key_display(binding),
                                  binding.description, enabled))
        return items, palette

    def render(self) -> Content:
        self._shown = (items, palette) = self._items()
        pieces: list[tuple[str, str]] = []
        spans: list[tuple[int, int, str]] = []
        x = 0

        def add(text: str, style: str, key: str = "") -> None:
            nonlocal x
            width = cell_len(text)
            if key:
                spans.append((x, x + width, key))
            pieces.append((text, style))
            x += width

        previous_key_only = False
        for key, display, description, enabled in items:
            dim = "" if enabled else f" {DISABLED}"
            if key and not description:  # a key of a group: no gap between its keys
                if x and not previous_key_only:
                    add(" ", "")
                add(display, KEY_STYLE + dim, key)
                previous_key_only = True
                continue
            if x:
                add(" ", "")
            if key:
                add(display, KEY_STYLE + dim, key)
                add(" ", DESCRIPTION_STYLE + dim)
            add(description, DESCRIPTION_STYLE + dim, key)
            previous_key_only = False
        left = Content.assemble(*pieces)
        if palette is None:
            self._spans = spans
            return left
        key, display, description, enabled = palette
        right = Content.assemble(("▏", "$foreground 20%"), (display, KEY_STYLE),
                                 (" ", DESCRIPTION_STYLE), (description, DESCRIPTION_STYLE),
                                 (" ", ""))
        room = max(0, self.size.width - right.cell_length)
        left = left.truncate(room) if left.cell_length > room else left
        start = room
        spans = [span for span in spans if span[1] <= room]
        spans.append((start, start + right.cell_length, key))
        self._spans = spans
        return Content.assemble(left, " " * (room - left.cell_length), right)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
