"""`?`: every key of the current screen and the app, with the binding ids the
``[keymap]`` config table uses to rebind them.

Under a read-only profile the keys that would change the account (the key bar and the
palette leave them out) stay listed, dimmed and marked "(read-only)": pressing one says
why it does nothing, and the help is where a user looks that up."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from ...core.text import safe
from ..readonly import hidden

#: a key the read-only profile refuses: still listed, but plainly not available
OFF_STYLE = "dim"
OFF_MARK = " (read-only)"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, target: Screen) -> None:
        super().__init__()
        self._target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            title = f"Keys: {self._target.title or type(self._target).__name__}"
            if getattr(self.app.config, "read_only", False):
                title += f"   ·   profile '{safe(self.app.config.profile, limit=40)}' is read-only"
            yield Static(title, id="help-title", markup=False)
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static("Rebind in config.toml: [keymap] <id> = \"key\"   ·   esc closes",
                         id="help-hint", markup=False)  # "[keymap]" is not a markup tag

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # the id before the long action text: it is what [keymap] needs, even at 80 columns
        seen: set[tuple[str, str]] = set()
        # the screen's own keys first, then the app's, then the table's movement keys,
        # then Textual's own (no id: not rebindable through [keymap])
        target, app = self._target, self.app
        bindings = sorted(self._target.active_bindings.items(),
                          key=lambda item: (not item[1].binding.id, item[1].node is not target,
                                            item[1].node is not app))
        rows: list[tuple[str, str, str, bool]] = []
        for key, active in bindings:
            binding = active.binding
            if not binding.description:
                continue
            marker = (binding.id or binding.action, key)
            if marker in seen:
                continue
            seen.add(marker)
            rows.append((self.app.get_key_display(binding), binding.id or "",
                         binding.tooltip or binding.description,
                         hidden(active.node, binding.action)))
        # the table fits its frame (no sideways scrolling): the action column takes what
        # is left of the box once the key and id columns are laid out, and a longer
        # text wraps onto more lines of its row (cut, it lost the part that explains)
        box = min(self.app.size.width * 95 // 100, 110) - 4  # border and padding
        key_w = max((len(r[0]) for r in rows), default=3)
        id_w = max((len(r[1]) for r in rows), default=10)
        room = max(16, box - key_w - id_w - 2 * 3 - 2)  # cell padding, scrollbar
        table.add_column("key")
        table.add_column("binding id")
        table.add_column("action", width=room)
        for display, bid, text, off in rows:
            style = OFF_STYLE if off else ""
            action = Text(text + (OFF_MARK if off else ""), style=style)
            lines = len(action.wrap(self.app.console, room))
            table.add_row(Text(display, style=OFF_STYLE if off else "bold"),
                          Text(bid, style=style), action, height=lines)
