"""The chat's health line: for the connected session, each figure of
:class:`~akool_tui.core.chat_health.ChatHealth` -- time to the first reply part, to
``audio_start``, to ``fin``; the command-ack round trip; reconnects; queued lines --
as its latest value and a short sparkline of the last minutes.

It checks once a second and repaints only when its text changed (an idle chat costs
nothing on the terminal).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from ...core.chat.conversation import Conversation
from ...core.chat_health import ChatHealth, Figure

BARS = "▁▂▃▄▅▆▇█"
#: the sparklines' width (values shown, newest last)
SPARK = 8
CHECK_S = 1.0


def spark(values: Sequence[float], width: int = SPARK) -> str:
    """``"▁▃█▅"``: the last ``width`` values scaled between their min and max (at least
    one step above 0, so a steady non-zero figure shows as a middle line); ``""`` when
    there is nothing but zeros."""
    shown = list(values)[-width:]
    if not any(shown):  # nothing (or only zeros) yet: no line
        return ""
    low, high = min(0.0, min(shown)), max(shown)
    if high <= low:
        return BARS[0] * len(shown)
    top = len(BARS) - 1
    return "".join(BARS[round((v - low) / (high - low) * top)] for v in shown)


def health_text(figures: Sequence[Figure]) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    for n, fig in enumerate(figures):
        if n:
            text.append(" · ", style="dim")
        text.append(fig.text)
        line = spark(fig.history)
        if line:
            text.append(" ")
            text.append(line, style="bold")
    return text


class ChatHealthLine(Static):
    """Mounted in the chat screen between the transcript and the input."""

    DEFAULT_CSS = """
    ChatHealthLine { height: auto; max-height: 2; padding: 0 1; color: $foreground-muted; }
    """

    def __init__(self, conversation: Conversation, **kw) -> None:
        super().__init__("", markup=False, **kw)
        self.health = ChatHealth(conversation)
        self._shown: str | None = None

    def on_mount(self) -> None:
        self.check()
        self.set_interval(CHECK_S, self.check)

    def on_unmount(self) -> None:
        self.health.detach()

    def check(self) -> None:
        text = health_text(self.health.figures())
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text)
