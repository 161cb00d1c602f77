"""An Input whose text is always safe to paint: typed keys are printable already, but a
paste (or a value from the config) may carry escapes, bidi overrides or a megabyte."""

from __future__ import annotations

from textual.widgets import Input

from ...core.text import FIELD, safe


class SafeInput(Input):
    """:class:`~textual.widgets.Input` that passes every insertion and every value set
    through :func:`akool_tui.core.text.safe` (one line, at most ``FIELD`` characters)."""

    def replace(self, text: str, start: int, end: int) -> None:
        # before Input computes the cursor position from the inserted text's length
        super().replace(safe(text, limit=FIELD), start, end)

    def validate_value(self, value: str) -> str:
        return safe(value, limit=FIELD)
