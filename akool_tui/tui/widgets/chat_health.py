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


def health_text(figures: Sequence[Figure], width: int | None = None) -> Text:
    """The figures with their sparklines, fitted into one row of ``width`` cells when it
    can be: sparklines shortened to half, then counts at zero left out ("queued 0"),
    then sparklines left out from the last figure back (the first reply part keeps its
    trend longest). When nothing fits one row, the fullest text that fits two."""
    if width is None or width <= 0:
        return _health_text(figures, [SPARK] * len(figures))
    half, count = SPARK // 2, len(figures)
    nonzero = [f for f in figures if f.unit == "ms" or f.latest]
    tries = [(figures, [SPARK] * count), (figures, [half] * count)]
    tries += [(nonzero, [half] * keep + [0] * (len(nonzero) - keep))
              for keep in range(len(nonzero), -1, -1)]
    texts = [_health_text(shown, widths) for shown, widths in tries]
    for rows in (1, 2):
        for text in texts:
            if text.cell_len <= width * rows:
                return text
    return texts[-1]


def _health_text(figures: Sequence[Figure], widths: Sequence[int]) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    for n, (fig, width) in enumerate(zip(figures, widths)):
        if n:
            text.append(" · ", style="dim")
        text.append(fig.text)
        line = spark(fig.history, width) if width else ""
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

    def on_resize(self) -> None:
        self.check()

    def check(self) -> None:
        text = health_text(self.health.figures(), self.content_size.width or None)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text)
