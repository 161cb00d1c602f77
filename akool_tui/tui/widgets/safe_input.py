"""An Input whose text is always safe to paint: typed keys are printable already, but a
paste (or a value from the config) may carry escapes, bidi overrides or a megabyte.

It also keeps keys in the order they were typed. Textual inserts a printable key at once
in the field's own handler, but runs a bound editing key (backspace, ctrl+u, the arrows,
enter) only once the key has bubbled up to the app: with the screen busy, ``ab``,
backspace, ``va`` typed in one burst became ``abv`` (Textual issue 6605, open upstream).
A key bound on the field itself is run here, in order, as the app would run it.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.binding import BindingsMap
from textual.widgets import Input

from ...core.text import FIELD, safe


def keymapped_bindings(node: Any) -> BindingsMap:
    """``node``'s own bindings with the user's keymap applied, as the app's binding
    check sees them (a copy: the node's own map is left as it is)."""
    bindings = node._bindings.copy()
    if keymap := getattr(node.app, "_keymap", None):
        bindings.apply_keymap(keymap)
    return bindings


class InOrderKeys:
    """For an :class:`~textual.widgets.Input` (listed before it in the bases): a key
    bound on the field itself is run at once, in the order typed (see the module
    docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and await self._run_own_binding(event):
            return
        await super()._on_key(event)

    async def _run_own_binding(self, event: events.Key) -> bool:
        """Run the field's own (not priority) binding of ``event.key`` now, as the app's
        binding check would after the bubble (the user's keymap applied); True if run."""
        for binding in keymapped_bindings(self).key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return True
        return False


class SafeInput(InOrderKeys, Input):
    """:class:`~textual.widgets.Input` that passes every insertion and every value set
    through :func:`akool_tui.core.text.safe` (one line, at most ``FIELD`` characters).

    An insertion that would make the value longer than ``FIELD`` is refused whole, with
    a notice: a long URL cut to fit (a pre-signed link and its token) would be saved and
    sent as another, broken one."""

    def replace(self, text: str, start: int, end: int) -> None:
        # before Input computes the cursor position from the inserted text's length
        text = safe(text, limit=None)
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        length = len(value) - (end - start) + len(text)
        if length > FIELD:
            self.notify(f"Not inserted: the field would hold {length:,} characters, and it "
                        f"takes at most {FIELD:,}. Its value is unchanged.",
                        severity="warning", timeout=10, markup=False)
            return
        super().replace(text, start, end)

    def validate_value(self, value: str) -> str:
        return safe(value, limit=FIELD)
