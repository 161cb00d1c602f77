"""Lines to the avatar of a :class:`~akool_tui.core.chat.conversation.Conversation`:
sending, queueing while the channel reconnects, failures and retry, and the own LLM's
sentences (bring your own LLM)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ...stream import channel
from ...stream.codec import new_mid
from ...stream.transport import TransportError
from ..ids import short_id
from .events import Note, Origin, Outgoing, OutStatus
from .llm import LlmClient, LlmError, SentenceSplitter

#: sent lines remembered, so that a failure reported later still marks them
KEEP_SENT = 256
#: LLM turns kept as context (user + assistant messages)
LLM_HISTORY = 20
LLM_SYSTEM_PROMPT = ("You are a friendly live video avatar. Answer in a few short, "
                     "natural spoken sentences without markdown or lists.")


@dataclass
class _Line:
    """A chat message for the avatar, kept until it is known sent."""

    mid: str
    text: str
    origin: Origin
    status: OutStatus = "queued"
    reason: str = ""
    handed: bool = False  # given to the transport (it will send it or report it failed)
    #: the session it is for (None: typed before any session, the first one connected)
    for_session: str | None = None
    #: typed while no channel was open: it waits for its session's channel (never failed
    #: by the channel ending) and, in retelling mode with an LLM, goes to the LLM then
    held: bool = False


class Sending:
    """Mixed into :class:`~akool_tui.core.chat.conversation.Conversation`."""

    _lines: dict[str, _Line]
    _send_lock: asyncio.Lock
    _llm_task: asyncio.Task[None] | None
    _llm_history: list[dict[str, str]]
    llm: LlmClient | None

    def _mark(self, line: _Line, status: OutStatus, reason: str = "") -> None:
        line.status, line.reason = status, reason
        if status == "sent":
            self._forget_sent()
        self._emit(Outgoing(line.mid, line.text, status, reason, line.origin))

    def _forget_sent(self) -> None:
        """Keep the newest sent lines only (a late failure report still finds them)."""
        sent = [mid for mid, line in self._lines.items() if line.status == "sent"]
        for mid in sent[:-KEEP_SENT]:
            del self._lines[mid]

    async def say(self, text: str) -> str:
        """Send a user line (to the LLM first in retelling mode with an LLM).

        Returns its mid. Raises ``ValueError`` for empty text.
        """
        if not text.strip():
            raise ValueError("cannot send an empty message: type some text first")
        if self.llm_active:
            return self._to_llm(text, new_mid("you"))
        line = _Line(new_mid(), text, "user", for_session=self._session_id())
        self._lines[line.mid] = line
        await self._hand(line)
        return line.mid

    def hold(self, text: str, for_session: str | None, reason: str) -> str:
        """Keep a user line typed while no channel is open: it shows as queued (with
        ``reason``) and goes out when ``for_session``'s channel connects (any session's
        when None). Connecting to another session marks it failed (:meth:`release`):
        a line is never delivered to a session it was not typed for. Returns its mid."""
        if not text.strip():
            raise ValueError("cannot send an empty message: type some text first")
        line = _Line(new_mid(), text, "user", for_session=for_session, held=True)
        self._lines[line.mid] = line
        self._mark(line, "queued", reason)
        return line.mid

    def release(self, session_id: str, closed: set[str]) -> None:
        """Connecting to ``session_id``: lines waiting for another session are marked
        failed (``closed``: the sessions known to be over), for retry to send here."""
        for line in self._lines.values():
            if line.status == "queued" and not line.handed \
                    and line.for_session not in (None, session_id):
                sid = short_id(line.for_session)
                self._mark(line, "failed", f"session {sid} closed" if line.for_session in closed
                           else f"typed for session {sid}")

    def _session_id(self) -> str | None:
        session = getattr(self, "session", None)
        return session.id if session is not None else None

    def _to_llm(self, text: str, mid: str) -> str:
        self._emit(Outgoing(mid, text, "llm", f"asking {self.llm.settings.model}"))
        self._cancel_llm()
        self._llm_task = asyncio.get_running_loop().create_task(self._ask_llm(text))
        return mid

    async def _hand(self, line: _Line) -> None:
        """Give ``line`` to the transport, or mark it failed when the channel is gone."""
        if not self.alive:
            self._mark(line, "failed", "not connected")
            return
        line.held = False  # from now on the channel's fate is the line's
        async with self._send_lock:
            connected = self.connected
            line.status, line.reason = "queued", ""  # a failure reported meanwhile shows
            try:
                await channel.send_chat(self.transport, line.text, mid=line.mid)
            except (TransportError, ValueError) as exc:
                self._mark(line, "failed", str(exc))
                return
            line.handed = True
            if line.status == "failed":  # reported failed while it was being sent
                return
            if connected:
                self._mark(line, "sent")
            else:
                self._mark(line, "queued", "waiting for the channel to reconnect")

    async def _send_waiting(self) -> None:
        """After (re)connecting: send lines waiting for the channel, then confirm them."""
        for line in list(self._lines.values()):
            if line.status == "queued" and not line.handed:
                if line.held and self.llm_active:  # typed for the LLM: ask it now
                    del self._lines[line.mid]
                    self._to_llm(line.text, line.mid)
                    continue
                await self._hand(line)
        transport = self.transport
        if transport is None:
            return
        await transport.drain()
        if not self.connected:
            return
        for line in list(self._lines.values()):
            if line.status == "queued" and line.handed:
                self._mark(line, "sent")

    async def retry(self, for_session: str | None = None) -> int:
        """Send every failed line again (same mid: parts that did arrive are ignored as
        duplicates), now for ``for_session`` (the connected one when None). With the
        channel gone they wait for its next connect. Returns how many lines are retried."""
        failed = [line for line in self._lines.values() if line.status == "failed"]
        for line in failed:
            line.handed = False
            line.for_session = for_session or self._session_id()
            if self.alive:
                await self._hand(line)
            else:
                self._mark(line, "queued", "waiting for the channel")
        return len(failed)

    # -- bring your own LLM ------------------------------------------------------------

    def _cancel_llm(self) -> None:
        task, self._llm_task = self._llm_task, None
        if task is not None and not task.done():
            task.cancel()

    async def _ask_llm(self, question: str) -> None:
        assert self.llm is not None
        history = self._llm_history
        history.append({"role": "user", "content": question})
        del history[:-LLM_HISTORY]
        messages = [{"role": "system", "content": LLM_SYSTEM_PROMPT}, *history]
        splitter = SentenceSplitter()
        answer: list[str] = []
        try:
            async for delta in self.llm.stream_chat(messages):
                answer.append(delta)
                for sentence in splitter.feed(delta):
                    await self._say_for_llm(sentence)
            for sentence in splitter.flush():
                await self._say_for_llm(sentence)
        except LlmError as exc:
            self._emit(Note(f"LLM: {exc}", "error"))
        finally:
            if answer:
                history.append({"role": "assistant", "content": "".join(answer)})

    async def _say_for_llm(self, sentence: str) -> None:
        line = _Line(new_mid("llm"), sentence, "llm")
        self._lines[line.mid] = line
        await self._hand(line)
