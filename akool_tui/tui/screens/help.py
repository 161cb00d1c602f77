"""`?`: every key of the current screen and the app, with the binding ids the
``[keymap]`` config table uses to rebind them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self._target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(f"Keys: {self._target.title or type(self._target).__name__}",
                         id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static("Rebind in config.toml: [keymap] <id> = \"key\"   ·   esc closes",
                         id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "action", "binding id")
        seen: set[tuple[str, str]] = set()
        for key, active in self._target.active_bindings.items():
            binding = active.binding
            if not binding.description:
                continue
            marker = (binding.id or binding.action, key)
            if marker in seen:
                continue
            seen.add(marker)
            display = self.app.get_key_display(binding)
            table.add_row(Text(display, style="bold"), binding.tooltip or binding.description,
                          binding.id or "")
