"""The command palette: a provider that knows the current screen, and a palette that
survives keys typed faster than it closes.

Every binding active on the current screen (and the app's own) becomes a palette
command, so every action is reachable from ctrl+p even when its key is hidden
or rebound.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual import events
from textual.await_complete import AwaitComplete
from textual.app import ComposeResult
from textual.command import (
    CommandInput,
    CommandList,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    SearchIcon,
)
from textual.command import CommandPalette as TextualCommandPalette
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, LoadingIndicator, OptionList

from ..core.text import FIELD, safe
from .readonly import hidden
from .widgets.safe_input import InOrderKeys


class PaletteInput(InOrderKeys, CommandInput):
    """The palette's search field: keys in the order typed (each keystroke searches,
    and the screen is busy: "abc", three backspaces and "Theme" in one burst became
    "abThe"), and pasted text made safe as in every other field."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(safe(text, limit=FIELD), start, end)


class CommandPalette(TextualCommandPalette):
    """Textual's command palette, deaf once it has been dismissed.

    Keys typed ahead reach the palette after it has chosen: with "Go to avatars"
    highlighted, Enter Enter submitted the input a second time once the palette had
    already dismissed itself, and Textual's palette dismissed again -- which pops
    whatever screen is on top by then (``ScreenStackError`` when that is the mode's
    last one, the screen the command just opened otherwise) and runs the command
    twice. Here a dismissed palette ignores input and never dismisses twice.

    Its search field is :class:`PaletteInput` (keys in the order typed).

    PageDown/PageUp right after ctrl+p raised ``KeyError`` in Textual's
    ``OptionList._move_page``: it reads the line map that only layout fills, and the
    list is not laid out while hidden or just shown. Before that a page move is a
    cursor move (down opens the list).
    """

    #: what a dismissed palette no longer reacts to (typed-ahead keys and their results)
    _INPUT = (events.Key, Input.Changed, Input.Submitted, Button.Pressed,
              OptionList.OptionSelected, OptionList.OptionHighlighted)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dismissed = False

    def compose(self) -> ComposeResult:
        # Textual's compose (8.2), with PaletteInput for CommandInput
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield PaletteInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield CommandList()
                yield LoadingIndicator()

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete()  # popping now would pop another screen
        self._dismissed = True
        return super().dismiss(result)

    async def _on_message(self, message: Any) -> None:
        if self._dismissed and isinstance(message, self._INPUT):
            return
        await super()._on_message(message)

    def _action_escape(self) -> None:
        if not self._dismissed:
            super()._action_escape()

    def _action_cursor_down(self) -> None:
        if not self._dismissed:
            super()._action_cursor_down()

    def _action_command_list(self, action: str) -> None:
        if self._dismissed:
            return
        if action in ("page_down", "page_up"):
            commands = self.query_one(CommandList)
            if not (self._list_visible and commands.scrollable_content_region):
                if action == "page_down":
                    self._action_cursor_down()
                return
            try:
                super()._action_command_list(action)
            except (KeyError, IndexError):  # the line map still behind the options
                self._action_command_list("cursor_down" if action == "page_down"
                                          else "cursor_up")
            return
        super()._action_command_list(action)


class ScreenActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, str, object]]:
        screen = self.screen
        seen: set[str] = set()
        out = []
        # the screen's own actions first, then the app's, then the focused widget's
        # (the table's cursor keys opened the list before)
        ranked = sorted(screen.active_bindings.items(),
                        key=lambda item: (item[1].node is not screen, item[1].node is not self.app))
        for key, active in ranked:
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            if hidden(active.node, binding.action):  # changes the account: read-only profile
                continue
            seen.add(binding.action)
            title = f"{screen.title or ''}: {binding.description}".lstrip(": ")
            help_text = binding.tooltip or f"Key: {active.binding.key_display or key}"
            out.append((title, help_text, binding.action, active.node))
        # commands a screen offers beyond its keys (the chat: each avatar gesture)
        extra = getattr(screen, "palette_commands", None)
        for title, help_text, action in extra() if callable(extra) else ():
            out.append((f"{screen.title or ''}: {title}".lstrip(": "), help_text, action, screen))
        return out

    async def _run(self, action: str, node) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for title, help_text, action, node in self._commands():
            yield DiscoveryHit(title, partial(self._run, action, node), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action, node in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action, node), help=help_text)
