"""Records a chat as it happens: an observer of the :class:`Conversation`'s events.

Each event becomes an :class:`~.store.Item` put on the store's queue (the UI thread
pays a few microseconds; the writer thread masks and writes). A conversation is one
session's chat: the first event after a session was opened starts one, another
session starts the next.

Timings are measured here from the events' arrival (monotonic clock), per reply,
from the line it answers (the oldest sent line not yet answered, as the
conversation pairs them): to its first part (``first_part_ms``), to ``audio_start``
(``audio_ms``) and to its last part (``fin_ms``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    Conversation,
    Interrupting,
    Note,
    Outgoing,
    Speaking,
)
from .store import ConversationHandle, HistoryStore, Item

#: replies whose timings are still being measured (older ones are let go)
KEEP_REPLIES = 64


@dataclass
class _Reply:
    key: str
    ts: float
    sent_at: float | None
    first_ms: float | None
    audio_ms: float | None = None
    fin_ms: float | None = None
    finished: bool = False
    interrupted: bool = False
    text: str = ""
    status: str = "streaming"


def _ms(start: float | None, end: float) -> float | None:
    return None if start is None else round((end - start) * 1000, 1)


class ConversationRecorder:
    """Observes ``conversation`` (added to its observers) into ``store``."""

    def __init__(self, store: HistoryStore, conversation: Conversation, *,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.store = store
        self.conversation = conversation
        self._clock = clock
        self._wall = wall
        self._current: ConversationHandle | None = None
        self._unanswered: deque[float] = deque(maxlen=64)
        self._replies: dict[str, _Reply] = {}
        self._audio_at: float | None = None
        conversation.observers.append(self)

    def detach(self) -> None:
        if self in self.conversation.observers:
            self.conversation.observers.remove(self)
        if self._current is not None:
            self.store.end(self._current, self._wall())
            self._current = None

    # -- the conversation being recorded --------------------------------------------------

    def _handle(self) -> ConversationHandle | None:
        session = self.conversation.session
        if session is None:
            return None
        if self._current is None or self._current.session_id != session.id:
            if self._current is not None:
                self.store.end(self._current, self._wall())
            self._current = ConversationHandle(session.id, session.avatar_id or "",
                                               session.stream_type or "", self._wall())
            self._unanswered.clear()
            self._replies.clear()
            self._audio_at = None
        return self._current

    def _put(self, conv: ConversationHandle, kind: str, text: str = "", *,
             key: str | None = None, status: str = "", detail: str = "",
             ts: float | None = None, **timings: Any) -> None:
        self.store.put(Item(conv, key, self._wall() if ts is None else ts, kind, text, status,
                            detail, **timings))

    # -- events ---------------------------------------------------------------------------

    def __call__(self, event: Any) -> None:
        conv = self._handle()
        if conv is None:
            return
        if isinstance(event, ChatPart):
            self._part(conv, event)
        elif isinstance(event, Outgoing):
            kind = "sent" if event.origin == "user" else "llm"
            if event.status == "sent":
                self._unanswered.append(self._clock())
            status = "" if event.status in ("sent", "llm") else event.status
            self._put(conv, kind, event.text, key=f"out:{event.mid}", status=status,
                      detail=event.reason)
        elif isinstance(event, Speaking):
            now = self._clock()
            if event.on:
                self._audio_started(now)
            self._put(conv, "speaking", "audio_start" if event.on else "audio_end")
        elif isinstance(event, Ack):
            ack = event.ack
            self._put(conv, "ack", event.what, status="ok" if ack.ok else "failed",
                      detail=ack.msg if ack.ok else f"({ack.code}) {ack.msg}")
        elif isinstance(event, ChannelState):
            self._put(conv, "state", event.state.value, detail=event.detail)
        elif isinstance(event, Interrupting):
            for reply in self._replies.values():
                if not reply.finished:
                    reply.interrupted = True
                    self._write_reply(conv, reply)
            self._unanswered.clear()
            self._put(conv, "interrupt", "interrupt")
        elif isinstance(event, Note):
            self._put(conv, "note", event.text, status=event.level)

    def _part(self, conv: ConversationHandle, ev: ChatPart) -> None:
        now = self._clock()
        key = f"in:{ev.mid}"
        if ev.sender != "bot":
            status = "incomplete" if ev.incomplete else ("" if ev.complete else "streaming")
            self._put(conv, "speech", ev.text, key=key, status=status)
            return
        reply = self._replies.get(key)
        if reply is None:
            sent_at = self._unanswered.popleft() if self._unanswered else None
            reply = _Reply(key, self._wall(), sent_at, _ms(sent_at, now))
            if self._audio_at is not None and sent_at is not None and self._audio_at >= sent_at:
                reply.audio_ms = _ms(sent_at, self._audio_at)
                self._audio_at = None
            self._replies[key] = reply
            if len(self._replies) > KEEP_REPLIES:
                del self._replies[next(iter(self._replies))]
        reply.text = ev.text
        reply.status = "incomplete" if ev.incomplete else ("" if ev.complete else "streaming")
        if ev.finished and not reply.finished:
            reply.finished = True
            reply.fin_ms = _ms(reply.sent_at, now) if ev.complete else None
        self._write_reply(conv, reply)

    def _audio_started(self, now: float) -> None:
        for reply in reversed(self._replies.values()):
            if reply.audio_ms is None and reply.sent_at is not None:
                reply.audio_ms = _ms(reply.sent_at, now)
                conv = self._current
                if conv is not None:
                    self._write_reply(conv, reply)
                return
            break
        self._audio_at = now  # before the reply's first part: given to the next reply

    def _write_reply(self, conv: ConversationHandle, reply: _Reply) -> None:
        """The reply's whole state so far (a later record of it replaces an earlier)."""
        self.store.put(Item(conv, reply.key, reply.ts, "reply", reply.text, reply.status, "",
                            reply.interrupted, reply.first_ms, reply.audio_ms, reply.fin_ms))
