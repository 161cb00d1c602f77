"""The connected chat's health figures (no Textual): an observer of the
:class:`~akool_tui.core.chat.conversation.Conversation`'s events, as the history's
recorder is; its reply times are the conversation's own (the :class:`ReplyStats` it emits,
from its one :class:`~akool_tui.core.chat.timing.ReplyTimer`), which the chat's status line
shows too.

For the session the chat is connected to, each figure's latest value and a short
history of the last :data:`WINDOW_S` seconds:

- ``first`` / ``audio`` / ``fin`` -- ms from a sent line to its reply's first part, to
  ``audio_start``, to its last part;
- ``ack`` -- ms from a command sent (interrupt, set-params) to its ack;
- ``reconnects`` -- the channel dropped and reconnecting (a count; the history is
  per :data:`BUCKET_S` seconds);
- ``incomplete`` ("gaps") -- replies closed with parts missing (lost on the channel; a
  count; the history is per bucket);
- ``queued`` -- lines waiting for the channel (the history is the most per bucket).

A new session starts the figures afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..stream.transport import TransportState
from .chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    CommandSent,
    Conversation,
    Outgoing,
    ReplyStats,
)
from .chat.timing import ms_text
from .series import Series, fold_max, fold_sum

#: how far back the sparklines go (seconds)
WINDOW_S = 5 * 60.0
#: the counters' sparkline buckets (seconds)
BUCKET_S = 20.0
#: the latencies' sparklines show at most this many values
KEEP_VALUES = 24
#: commands waiting for their ack (older ones are let go)
KEEP_COMMANDS = 32

#: (name, label, unit) in the order shown
FIGURES = (("first", "1st part", "ms"), ("audio", "audio", "ms"), ("fin", "fin", "ms"),
           ("ack", "ack", "ms"), ("reconnects", "reconnects", ""),
           ("incomplete", "gaps", ""), ("queued", "queued", ""))


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    unit: str
    latest: float | None
    history: tuple[float, ...]

    @property
    def text(self) -> str:
        """``"1st part 420 ms"``, ``"reconnects 2"``, ``"ack -"``."""
        if self.latest is None:
            return f"{self.label} -"
        if self.unit == "ms":
            return f"{self.label} {ms_text(self.latest)}"
        return f"{self.label} {self.latest:.0f}"


class ChatHealth:
    """Observes ``conversation`` (added to its observers); :meth:`figures` answers."""

    def __init__(self, conversation: Conversation, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.conversation = conversation
        self.clock = clock
        self._series = {name: Series(max_age=WINDOW_S, maxlen=256) for name, _, _ in FIGURES}
        self._commands: dict[str, float] = {}
        self._session_id: str | None = None
        self._state: TransportState | None = None
        self.reconnects = 0
        self.incomplete = 0
        #: bumped at each change (a widget repaints when it moved)
        self.version = 0
        conversation.observers.append(self)

    def detach(self) -> None:
        if self in self.conversation.observers:
            self.conversation.observers.remove(self)

    def _fresh_session(self) -> None:
        session = self.conversation.session
        sid = session.id if session is not None else None
        if sid != self._session_id:
            self._session_id = sid
            self._commands.clear()
            for series in self._series.values():
                series.clear()
            self.reconnects = 0
            self.incomplete = 0
            self._state = None

    def _add(self, name: str, value: float | None, now: float) -> None:
        if value is not None:
            self._series[name].add(now, value)
            self.version += 1

    def __call__(self, event: Any) -> None:
        self._fresh_session()
        now = self.clock()
        if isinstance(event, ReplyStats):
            reply = event.timing
            if event.first:
                self._add("first", reply.first_ms, now)
            if event.audio:
                self._add("audio", reply.audio_ms, now)
            if event.done:
                self._add("fin", reply.fin_ms, now)
        elif isinstance(event, ChatPart):
            if event.incomplete:
                self.incomplete += 1
                self._add("incomplete", 1, now)
        elif isinstance(event, Outgoing):
            self._add("queued", self.conversation.queued_count, now)
        elif isinstance(event, CommandSent):
            self._commands[event.mid] = now
            while len(self._commands) > KEEP_COMMANDS:
                del self._commands[next(iter(self._commands))]
        elif isinstance(event, Ack):
            sent = self._commands.pop(event.ack.mid, None)
            if sent is not None:
                self._add("ack", round((now - sent) * 1000, 1), now)
        elif isinstance(event, ChannelState):
            if event.state is TransportState.RECONNECTING \
                    and self._state is not TransportState.RECONNECTING:
                self.reconnects += 1
                self._add("reconnects", 1, now)
            self._state = event.state
            self._add("queued", self.conversation.queued_count, now)

    def figures(self, now: float | None = None) -> tuple[Figure, ...]:
        now = self.clock() if now is None else now
        n = int(WINDOW_S // BUCKET_S)
        out = []
        for name, label, unit in FIGURES:
            series = self._series[name]
            if name in ("reconnects", "incomplete"):
                latest: float | None = float(getattr(self, name))
                history = series.buckets(now, BUCKET_S, n, fold_sum)
            elif name == "queued":
                latest = float(self.conversation.queued_count)
                history = series.buckets(now, BUCKET_S, n, fold_max)
            else:
                latest = series.latest
                history = series.tail(KEEP_VALUES)
            out.append(Figure(name, label, unit, latest, tuple(history)))
        return tuple(out)
