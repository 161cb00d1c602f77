"""The conversation's reply timings, fed from its own events into its one
:class:`~.timing.ReplyTimer` (no Textual).

Each event that moves a reply's timing is followed by a :class:`~.timing.ReplyStats`
carrying that reply's :class:`~.timing.ReplyTiming`: the chat's status line, its health
figures and the history's recorder all read those, so they show the same figures.
Every line marked sent (the user's and the own LLM's sentences) is answered by one reply.
"""

from __future__ import annotations

from typing import Any

from ...stream.transport import TransportState
from .events import ChannelState, ChatPart, Interrupting, Outgoing, Speaking
from .timing import ReplyStats, ReplyTimer


class Replies:
    """Measures the replies of one session at a time (another session starts afresh)."""

    def __init__(self) -> None:
        self.timer = ReplyTimer()
        self._session: str | None = None

    def observe(self, event: Any, session_id: str | None, now: float,
                wall: float) -> list[ReplyStats]:
        """``event`` seen at monotonic ``now`` (wall time ``wall``): the replies whose
        timing it moved."""
        if session_id != self._session:
            self._session = session_id
            self.timer.reset()
        if isinstance(event, Outgoing):
            if event.status == "sent":
                self.timer.sent(now)
        elif isinstance(event, ChatPart):
            if event.sender != "bot":
                return []
            reply, first, done = self.timer.part(f"in:{event.mid}", finished=event.finished,
                                                 complete=event.complete, now=now, wall=wall)
            reply.text = event.text
            reply.status = ("incomplete" if event.incomplete
                            else "" if event.complete else "streaming")
            return [ReplyStats(reply, first=first, audio=first and reply.audio_ms is not None,
                               done=done)]
        elif isinstance(event, Speaking):
            if event.on and (reply := self.timer.audio_started(now)) is not None:
                return [ReplyStats(reply, audio=True)]
        elif isinstance(event, Interrupting):
            return [ReplyStats(reply) for reply in self.timer.interrupted()]
        elif isinstance(event, ChannelState) and event.state is not TransportState.CONNECTED:
            self.timer.lost()  # what was sent before the drop is not answered now
        return []
