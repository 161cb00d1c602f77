"""Reply timings of a conversation: THE one measure, kept by the conversation itself
(:mod:`.replies` feeds it from the events) and read by everything that shows a reply's
time -- the chat's status line, its health figures and the history's recorder -- so they
always agree.

Per reply, from the line it answers (the oldest sent line not yet answered, as the
conversation pairs them): to its first part (``first_ms``), to ``audio_start``
(``audio_ms``) and to its last part (``fin_ms``). ``audio_start`` may come before the
reply's first part: it is then given to the next reply.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

#: replies whose timings are still being measured (older ones are let go)
KEEP_REPLIES = 64


@dataclass
class ReplyTiming:
    key: str
    ts: float  # wall time of its first part
    sent_at: float | None
    first_ms: float | None
    first_at: float = 0.0  # monotonic time of its first part
    last_at: float = 0.0  # ... and of its newest
    audio_ms: float | None = None
    fin_ms: float | None = None
    finished: bool = False
    interrupted: bool = False
    text: str = ""
    status: str = "streaming"


def ms(start: float | None, end: float) -> float | None:
    return None if start is None else round((end - start) * 1000, 1)


def ms_text(value: float) -> str:
    """A latency for a person, the same everywhere: ``"420 ms"``, ``"1.2 s"``."""
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


@dataclass(frozen=True)
class ReplyStats:
    """A reply's timing moved (a part arrived, its audio started, it finished or was cut):
    the conversation's one :class:`ReplyTiming` of it, and what just happened."""

    timing: ReplyTiming
    first: bool = False  # this was its first part (``first_ms`` is known now)
    audio: bool = False  # ``audio_ms`` was just measured
    done: bool = False  # it just finished (``fin_ms`` is known when it completed)

    @property
    def mid(self) -> str:
        return self.timing.key.removeprefix("in:")

    @property
    def first_part_s(self) -> float | None:
        first = self.timing.first_ms
        return None if first is None else first / 1000

    @property
    def chars(self) -> int:
        return len(self.timing.text)

    @property
    def duration_s(self) -> float:
        return self.timing.last_at - self.timing.first_at


class ReplyTimer:
    """Sent lines and reply parts in (with the monotonic time they were seen), each
    reply's :class:`ReplyTiming` out."""

    def __init__(self) -> None:
        self._unanswered: deque[float] = deque(maxlen=64)
        self.replies: dict[str, ReplyTiming] = {}
        self._audio_at: float | None = None

    def reset(self) -> None:
        self._unanswered.clear()
        self.replies.clear()
        self._audio_at = None

    def sent(self, now: float) -> None:
        self._unanswered.append(now)

    def part(self, key: str, *, finished: bool, complete: bool, now: float,
             wall: float) -> tuple[ReplyTiming, bool, bool]:
        """A part of the reply ``key``: (its timing, whether it is the reply's first
        part, whether it just finished)."""
        reply = self.replies.get(key)
        first = reply is None
        if reply is None:
            sent_at = self._unanswered.popleft() if self._unanswered else None
            reply = ReplyTiming(key, wall, sent_at, ms(sent_at, now), now, now)
            if self._audio_at is not None and sent_at is not None and self._audio_at >= sent_at:
                reply.audio_ms = ms(sent_at, self._audio_at)
                self._audio_at = None
            self.replies[key] = reply
            if len(self.replies) > KEEP_REPLIES:
                del self.replies[next(iter(self.replies))]
        reply.last_at = now
        done = finished and not reply.finished
        if done:
            reply.finished = True
            reply.fin_ms = ms(reply.sent_at, now) if complete else None
        return reply, first, done

    def audio_started(self, now: float) -> ReplyTiming | None:
        """``audio_start``: the newest reply's audio time when it has none yet (that
        reply is returned); otherwise kept for the next reply."""
        for reply in reversed(self.replies.values()):
            if reply.audio_ms is None and reply.sent_at is not None:
                reply.audio_ms = ms(reply.sent_at, now)
                return reply
            break
        self._audio_at = now  # before the reply's first part: given to the next reply
        return None

    def interrupted(self) -> list[ReplyTiming]:
        """An interrupt: the unfinished replies (now marked interrupted); the lines not
        answered yet will not be."""
        cut = [r for r in self.replies.values() if not r.finished]
        for reply in cut:
            reply.interrupted = True
        self._unanswered.clear()
        return cut

    def lost(self) -> None:
        """The channel dropped: the lines sent before it will not be answered (a reply
        to a later line is timed from that line, not from a lost one), and an
        ``audio_start`` seen before it belongs to no reply."""
        self._unanswered.clear()
        self._audio_at = None
