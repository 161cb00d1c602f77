"""Records a chat as it happens: an observer of the :class:`Conversation`'s events.

Each event becomes an :class:`~.store.Item` put on the store's queue (the UI thread
pays a few microseconds; the writer thread masks and writes). A conversation is one
session's chat: the first event after a session was opened starts one, another
session starts the next.

Timings are the conversation's own (the :class:`ReplyStats` it emits from its one
:class:`~akool_tui.core.chat.timing.ReplyTimer`; the chat's status line and health figures
show the same): per reply, from the line it answers to its first part
(``first_part_ms``), to ``audio_start`` (``audio_ms``) and to its last part (``fin_ms``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    Conversation,
    Interrupting,
    Note,
    Outgoing,
    ReplyStats,
    Speaking,
)
from ..chat.timing import ReplyTiming
from .store import ConversationHandle, HistoryStore, Item


class ConversationRecorder:
    """Observes ``conversation`` (added to its observers) into ``store``."""

    def __init__(self, store: HistoryStore, conversation: Conversation, *,
                 wall: Callable[[], float] = time.time) -> None:
        self.store = store
        self.conversation = conversation
        self._wall = wall
        self._current: ConversationHandle | None = None
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
        if isinstance(event, ReplyStats):
            self._write_reply(conv, event.timing)
        elif isinstance(event, ChatPart):
            if event.sender != "bot":  # the avatar's replies come as ReplyStats
                status = ("incomplete" if event.incomplete
                          else "" if event.complete else "streaming")
                self._put(conv, "speech", event.text, key=f"in:{event.mid}", status=status)
        elif isinstance(event, Outgoing):
            kind = "sent" if event.origin == "user" else "llm"
            status = "" if event.status in ("sent", "llm") else event.status
            self._put(conv, kind, event.text, key=f"out:{event.mid}", status=status,
                      detail=event.reason)
        elif isinstance(event, Speaking):
            self._put(conv, "speaking", "audio_start" if event.on else "audio_end")
        elif isinstance(event, Ack):
            ack = event.ack
            self._put(conv, "ack", event.what, status="ok" if ack.ok else "failed",
                      detail=ack.msg if ack.ok else f"({ack.code}) {ack.msg}")
        elif isinstance(event, ChannelState):
            self._put(conv, "state", event.state.value, detail=event.detail)
        elif isinstance(event, Interrupting):
            self._put(conv, "interrupt", "interrupt")
        elif isinstance(event, Note):
            self._put(conv, "note", event.text, status=event.level)

    def _write_reply(self, conv: ConversationHandle, reply: ReplyTiming) -> None:
        """The reply's whole state so far (a later record of it replaces an earlier)."""
        self.store.put(Item(conv, reply.key, reply.ts, "reply", reply.text, reply.status, "",
                            reply.interrupted, reply.first_ms, reply.audio_ms, reply.fin_ms))
