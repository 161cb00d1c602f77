"""One chat with a live avatar over its stream channel (no Textual import).

:class:`Conversation` owns the session's transport and everything the chat screen
shows, and reports it as plain events (:mod:`.events`) through one ``emit`` callback:
the channel's state, the avatar's replies reassembled by mid, speaking, commands and
their acks (:mod:`.commands`), what became of each line sent (:mod:`.sending`: a line is
never dropped silently), reply timings, notes.

``observers`` (e.g. the history's recorder) receive every event too, after ``emit``.

Bring your own LLM: in retelling mode (1) with an :class:`~akool_tui.llm.LlmClient`,
a user line goes to the LLM and its answer is sent to the avatar sentence by
sentence as the sentences complete (chunked and paced by the transport).

The events, :class:`Inbox` and :func:`describe_command` stay importable from here.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from ...api.models import Session
from ...stream import channel
from ...stream.codec import ChatMessage, Command, CommandAck, Event, Notice, UnknownMessage
from ...stream.reassembler import Reassembler
from ...stream.transport import (
    BaseTransport,
    TransportError,
    TransportState,
    transport_for,
)
from .commands import Commands
from .events import (
    DIALOGUE,
    RETELLING,
    Ack,
    ChannelState,
    ChatPart,
    CommandSent,
    Emit,
    Interrupting,
    Note,
    Origin,
    Outgoing,
    OutStatus,
    ReplyStats,
    Speaking,
    describe_command,
)
from .inbox import Inbox
from .llm import LlmClient
from .replies import Replies
from .sending import KEEP_SENT, LLM_HISTORY, LLM_SYSTEM_PROMPT, Sending, _Line

log = logging.getLogger(__name__)

#: how long :meth:`Conversation.set_params` waits for the avatar's ack
ACK_TIMEOUT = 10.0
#: how often parts that never completed are closed as incomplete
EXPIRE_EVERY = 1.0


class Conversation(Commands, Sending):
    """The chat with one session's avatar. Build and use it inside the event loop.

    ``emit`` receives every event (synchronously, from the loop). ``mode`` is the
    session's mode_type (1 retelling, 2 dialogue); it follows acked ``set-params``.
    ``transport_options`` go to :func:`~akool_tui.stream.transport.transport_for`.
    """

    def __init__(
        self,
        emit: Emit,
        *,
        mode: int = DIALOGUE,
        llm: LlmClient | None = None,
        transport_options: dict[str, Any] | None = None,
        transport_factory: Callable[..., BaseTransport] = transport_for,
        ack_timeout: float = ACK_TIMEOUT,
        reassembly_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._sink = emit
        #: called with every event after ``emit`` (the history's recorder)
        self.observers: list[Emit] = []
        self.mode = mode
        self.llm = llm
        self.transport_options = dict(transport_options or {})
        #: builds the transport for a session (``transport_for``; a loopback in the bench)
        self.transport_factory = transport_factory
        self.ack_timeout = ack_timeout
        self._clock = clock
        self._wall = wall
        #: the reply timings (THE measure: the status line, health and history read it)
        self.replies = Replies()
        self.session: Session | None = None
        self.transport: BaseTransport | None = None
        self._reassembler = Reassembler(timeout=reassembly_timeout)
        self._lines: dict[str, _Line] = {}
        self._commands: dict[str, Command] = {}
        self._waiters: dict[str, asyncio.Future[CommandAck]] = {}
        self._send_lock = asyncio.Lock()
        self._llm_task: asyncio.Task[None] | None = None
        self._llm_history: list[dict[str, str]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self.speaking = False
        #: the background a set-params acked for a session, by session id (what this
        #: console knows the session shows)
        self.applied_background: dict[str, str] = {}
        #: sessions whose channel ended because the session is over (closed, unknown)
        self.closed_sessions: set[str] = set()

    def _emit(self, event: Any) -> None:
        """``event`` to ``emit`` and the observers, then the reply timings it moved."""
        sid = self.session.id if self.session is not None else None
        timed = self.replies.observe(event, sid, self._clock(), self._wall())
        self._dispatch(event)
        for stats in timed:
            self._dispatch(stats)

    def _dispatch(self, event: Any) -> None:
        self._sink(event)
        for observe in self.observers:
            observe(event)

    # -- state -------------------------------------------------------------------------

    @property
    def state(self) -> TransportState:
        return self.transport.state if self.transport is not None else TransportState.CLOSED

    @property
    def alive(self) -> bool:
        """The channel exists and has not ended (it may be reconnecting)."""
        return self.state not in (TransportState.CLOSED, TransportState.FAILED)

    @property
    def connected(self) -> bool:
        return self.state is TransportState.CONNECTED

    @property
    def llm_active(self) -> bool:
        return self.llm is not None and self.mode == RETELLING

    @property
    def failed_count(self) -> int:
        return sum(1 for line in self._lines.values() if line.status == "failed")

    @property
    def queued_count(self) -> int:
        return sum(1 for line in self._lines.values() if line.status == "queued")

    def secrets(self) -> list[str]:
        """The session's credential values (to scrub from anything written out)."""
        if self.session is None:
            return []
        return [str(v) for v in self.session.credentials.values.values()
                if isinstance(v, (str, int)) and len(str(v)) >= 6]

    # -- connection ----------------------------------------------------------------------

    async def run(self, session: Session) -> None:
        """Connect to ``session``'s channel and read until it is closed or fails.

        Dropped connections are retried by the transport; lines waiting for the
        channel go out once connected. The transport is closed when this returns or
        is cancelled (e.g. another session was picked).
        """
        self._end_replies()  # the last session's, before its conversation is left
        self.session = session
        self.release(session.id, self.closed_sessions)  # lines typed for another session
        try:
            transport = self.transport_factory(session, **self.transport_options)
        except (TransportError, ValueError) as exc:
            self._emit(ChannelState(TransportState.FAILED, str(exc)))
            return
        self.transport = transport
        transport.on_state(partial(self._on_state, transport))
        transport.on_send_failed(self._on_send_failed)
        expirer: asyncio.Task[None] | None = None
        try:
            await transport.connect()
            expirer = asyncio.get_running_loop().create_task(self._expire_loop())
            async for item in channel.messages(transport):
                self._handle(item)
        except TransportError:
            pass  # the state listener reported it as failed
        finally:
            if expirer is not None:
                expirer.cancel()
            await transport.close()
            if self.transport is transport:
                self._set_speaking(False)
                self._end_replies()

    def _end_replies(self) -> None:
        """Close the messages still arriving as incomplete, in the session they belong to
        (left for another session or ended: no more parts come for them)."""
        for update in self._reassembler.expire(math.inf):
            self._chat_update(update.mid, update.from_ or "bot", update.text_so_far,
                              False, True)

    async def close(self) -> None:
        """Leave the channel; lines still waiting are reported failed."""
        self._cancel_llm()
        for task in list(self._background):
            task.cancel()
        if self.transport is not None:
            await self.transport.close()
        for fut in self._waiters.values():
            if not fut.done():
                fut.set_exception(TransportError("the stream channel was closed"))
        self._waiters.clear()

    def _on_state(self, transport: BaseTransport, state: TransportState, detail: str) -> None:
        if transport is not self.transport:
            return  # a channel left behind (another session was picked since)
        if state is not TransportState.CONNECTED:  # no audio_end comes for a cut reply
            self._set_speaking(False)
        gone = state is TransportState.FAILED and getattr(transport, "session_gone", False)
        if gone and self.session is not None:
            self.closed_sessions.add(self.session.id)
        self._emit(ChannelState(state, detail, session_gone=gone))
        if state is TransportState.CONNECTED:
            self._spawn(self._send_waiting())
        elif state in (TransportState.CLOSED, TransportState.FAILED):
            for line in self._lines.values():
                if line.status == "queued" and not line.handed and not line.held:
                    self._mark(line, "failed", f"the channel is {state}")

    def _on_send_failed(self, payloads: list[bytes], reason: str) -> None:
        for mid in channel.failed_mids(payloads):
            line = self._lines.get(mid)
            if line is not None:
                line.handed = False
                self._mark(line, "failed", reason)

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _expire_loop(self) -> None:
        while True:
            await asyncio.sleep(EXPIRE_EVERY)
            for update in self._reassembler.expire():
                self._chat_update(update.mid, update.from_ or "bot", update.text_so_far,
                                  False, True)

    # -- incoming ------------------------------------------------------------------------

    def _handle(self, item: Any) -> None:
        if isinstance(item, ChatMessage):
            update = self._reassembler.feed(item)
            if update.changed:
                self._chat_update(update.mid, update.from_ or "bot", update.text_so_far,
                                  update.complete, update.incomplete)
        elif isinstance(item, Event):
            self._set_speaking(item.event == "audio_start")
        elif isinstance(item, CommandAck):
            self._ack(item)
        elif isinstance(item, Notice):
            self._emit(Note(item.text, "warning"))
        elif isinstance(item, UnknownMessage):
            log.info("ignored a stream message of unknown type %r", item.type)

    def _chat_update(self, mid: str, sender: str, text: str, complete: bool,
                     incomplete: bool) -> None:
        self._emit(ChatPart(mid, sender, text, complete, incomplete))

    def _set_speaking(self, on: bool) -> None:
        if on != self.speaking:
            self.speaking = on
            self._emit(Speaking(on))

    def __repr__(self) -> str:
        sid = self.session.id if self.session else None
        return f"Conversation(session={sid!r}, state={self.state.value!r}, mode={self.mode})"


__all__ = ["ACK_TIMEOUT", "DIALOGUE", "EXPIRE_EVERY", "KEEP_SENT", "LLM_HISTORY",
           "LLM_SYSTEM_PROMPT", "RETELLING", "Ack", "ChannelState", "ChatPart", "CommandSent",
           "Conversation", "Emit", "Inbox", "Interrupting", "Note", "Origin", "OutStatus",
           "Outgoing", "ReplyStats", "Speaking", "describe_command"]
