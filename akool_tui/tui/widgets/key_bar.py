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
#: the help key: shown whatever else a narrow terminal leaves out
HELP_KEY = "question_mark"


def _width(units: list) -> int:
    return sum(cell_len(t) for pieces, _s, _k in units for t, _st in pieces) + len(units) - 1


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
        units = self._units(items)
        right = None
        if palette is not None:
            key, display, description, enabled = palette
            right = Content.assemble(("▏", "$foreground 20%"), (display, KEY_STYLE),
                                     (" ", DESCRIPTION_STYLE), (description, DESCRIPTION_STYLE),
                                     (" ", ""))
            room = max(0, self.size.width - right.cell_length)
            # too long: whole keys go from the end, "? Keys" stays (it lists the rest)
            while len(units) > 1 and _width(units) > room:
                drop = next((i for i in range(len(units) - 1, -1, -1)
                             if units[i][2] != HELP_KEY), None)
                if drop is None:
                    break
                del units[drop]
        pieces: list[tuple[str, str]] = []
        spans: list[tuple[int, int, str]] = []
        x = 0
        for n, (unit_pieces, unit_spans, _key) in enumerate(units):
            if n:
                pieces.append((" ", ""))
                x += 1
            spans.extend((x + a, x + b, k) for a, b, k in unit_spans)
            pieces.extend(unit_pieces)
            x += sum(cell_len(text) for text, _style in unit_pieces)
        left = Content.assemble(*pieces)
        if right is None:
            self._spans = spans
            return left
        left = left.truncate(room) if left.cell_length > room else left
        start = room
        spans = [span for span in spans if span[1] <= room]
        spans.append((start, start + right.cell_length, palette[0]))
        self._spans = spans
        return Content.assemble(left, " " * (room - left.cell_length), right)

    @staticmethod
    def _units(items: list[tuple[str, str, str, bool]]
               ) -> list[tuple[list[tuple[str, str]], list[tuple[int, int, str]], str]]:
        """The items as units shown or left out whole: (pieces, spans, key); a group's
        keys and its label are one unit ("12345 screens")."""
        units: list[tuple[list[tuple[str, str]], list[tuple[int, int, str]], str]] = []
        pieces: list[tuple[str, str]] = []
        spans: list[tuple[int, int, str]] = []
        x = 0
        first = ""

        def add(text: str, style: str, key: str = "") -> None:
            nonlocal x
            width = cell_len(text)
            if key:
                spans.append((x, x + width, key))
            pieces.append((text, style))
            x += width

        for key, display, description, enabled in items:
            dim = "" if enabled else f" {DISABLED}"
            if key and not description:  # a key of a group: no gap between its keys
                add(display, KEY_STYLE + dim, key)
                first = first or key
                continue
            if key:
                add(display, KEY_STYLE + dim, key)
                add(" ", DESCRIPTION_STYLE + dim)
            elif pieces:  # a group's label, after its keys
                add(" ", "")
            add(description, DESCRIPTION_STYLE + dim, key)
            units.append((pieces, spans, key or first))
            pieces, spans, x, first = [], [], 0, ""
        if pieces:
            units.append((pieces, spans, first))
        return units

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
