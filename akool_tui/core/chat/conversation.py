"""One chat with a live avatar over its stream channel (no Textual import).

:class:`Conversation` owns the session's transport and everything the chat screen
shows, and reports it as plain events through one ``emit`` callback:

- :class:`ChannelState` -- connecting / connected / reconnecting / closed / failed;
- :class:`ChatPart` -- the bot's reply (or the user's recognised speech) so far,
  reassembled by mid, with the moment its newest part was received;
- :class:`Speaking` -- from the ``audio_start`` / ``audio_end`` events;
- :class:`Ack` -- a command's answer (ok, or failed with the server's msg);
  :class:`CommandSent` -- a command went out (its ack answers the same mid);
- :class:`Outgoing` -- what became of a line sent to the avatar: ``sent``, ``queued``
  (the channel is reconnecting: it goes out after reconnecting) or ``failed`` (with
  the reason; :meth:`Conversation.retry` sends it again with the same mid) -- a line
  is never dropped silently;
- :class:`ReplyStats` -- per reply: time to first part, length, duration;
- :class:`Note` -- anything else worth a system line;
- :class:`Interrupting` -- the user asked the avatar to stop (replies streaming now
  are cut short).

``observers`` (e.g. the history's recorder) receive every event too, after ``emit``.

Bring your own LLM: in retelling mode (1) with an :class:`~akool_tui.llm.LlmClient`,
a user line goes to the LLM and its answer is sent to the avatar sentence by
sentence as the sentences complete (chunked and paced by the transport).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from ...api.models import Session
from .llm import LlmClient, LlmError, SentenceSplitter
from ...stream import channel
from ...stream.codec import (
    ChatMessage,
    Command,
    CommandAck,
    Event,
    Notice,
    UnknownMessage,
    new_mid,
)
from ...stream.codec import interrupt as interrupt_command
from ...stream.codec import set_action as set_action_command
from ...stream.codec import set_params as set_params_command
from ...stream.reassembler import Reassembler
from ...stream.transport import (
    BaseTransport,
    TransportError,
    TransportState,
    transport_for,
)

log = logging.getLogger(__name__)

RETELLING, DIALOGUE = 1, 2
#: how long :meth:`Conversation.set_params` waits for the avatar's ack
ACK_TIMEOUT = 10.0
#: how often parts that never completed are closed as incomplete
EXPIRE_EVERY = 1.0
#: sent lines remembered, so that a failure reported later still marks them
KEEP_SENT = 256
#: LLM turns kept as context (user + assistant messages)
LLM_HISTORY = 20
LLM_SYSTEM_PROMPT = ("You are a friendly live video avatar. Answer in a few short, "
                     "natural spoken sentences without markdown or lists.")

OutStatus = Literal["sent", "queued", "failed", "llm"]
Origin = Literal["user", "llm"]
Emit = Callable[[Any], None]


@dataclass(frozen=True)
class ChannelState:
    state: TransportState
    detail: str = ""


@dataclass(frozen=True)
class ChatPart:
    """A message from the avatar side so far (``sender`` "bot" or "user" speech)."""

    mid: str
    sender: str
    text: str
    complete: bool = False
    incomplete: bool = False

    @property
    def finished(self) -> bool:
        return self.complete or self.incomplete


@dataclass(frozen=True)
class Speaking:
    on: bool


@dataclass(frozen=True)
class Ack:
    ack: CommandAck
    #: the command as sent, humanely: "interrupt", "set-params language fr, mode 1
    #: (retelling)", "set-action gesture hand wave, expression happiness"
    what: str


@dataclass(frozen=True)
class CommandSent:
    """A command is being sent (``interrupt``, ``set-params``); its :class:`Ack` has the
    same ``mid``."""

    mid: str
    what: str


@dataclass(frozen=True)
class Outgoing:
    mid: str
    text: str
    status: OutStatus
    reason: str = ""
    origin: Origin = "user"


@dataclass(frozen=True)
class ReplyStats:
    mid: str
    first_part_s: float | None
    chars: int
    duration_s: float


@dataclass(frozen=True)
class Note:
    text: str
    level: Literal["info", "warning", "error"] = "info"


@dataclass(frozen=True)
class Interrupting:
    """An interrupt is being sent: the replies streaming now are cut short."""


@dataclass
class _Line:
    """A chat message for the avatar, kept until it is known sent."""

    mid: str
    text: str
    origin: Origin
    status: OutStatus = "queued"
    reason: str = ""
    handed: bool = False  # given to the transport (it will send it or report it failed)


@dataclass
class _Reply:
    first_at: float
    waited: float | None


#: how set-params fields are named for a person (vparams fields without the prefix)
_FIELD_NAMES = {"vid": "voice", "vurl": "voice URL", "lang": "language", "mode": "mode",
                "bgurl": "background", "speed": "speed", "stt_language": "STT language",
                "stt_type": "STT type", "pron_map": "pronunciations",
                "turn_detection": "turn detection", "action": "gesture",
                "expression": "expression"}
_MODE_NAMES = {RETELLING: "1 (retelling)", DIALOGUE: "2 (dialogue)"}
_TURN_NAMES = {"threshold": "threshold", "prefix_padding_ms": "prefix padding",
               "silence_duration_ms": "silence"}


def _humane_value(key: str, value: Any) -> str:
    if key == "mode":
        return _MODE_NAMES.get(value, str(value))
    if key in ("action", "expression") and isinstance(value, str):
        return value.replace("_", " ")
    if key == "pron_map" and isinstance(value, dict):
        return f"{len(value)} word{'s' if len(value) != 1 else ''}"
    if key == "turn_detection" and isinstance(value, dict):
        extra = [f"{_TURN_NAMES.get(k, k)} {v}{' ms' if k.endswith('_ms') else ''}"
                 for k, v in value.items() if k != "type"]
        kind = str(value.get("type", "?"))
        return f"{kind} ({', '.join(extra)})" if extra else kind
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_command(command: Command) -> str:
    """What a command asks, for a person: ``interrupt``, ``set-params voice
    fr-FR-HenriNeural, language fr, mode 1 (retelling)``, ``set-action gesture hand wave,
    expression happiness`` (vparams fields named without their prefix)."""
    if not command.data:
        return command.cmd
    fields = dict(command.data)
    inner = fields.pop("vparams", None)
    if isinstance(inner, dict):
        fields = {**inner, **{k: v for k, v in fields.items() if k not in inner}}
    return f"{command.cmd} " + ", ".join(
        f"{_FIELD_NAMES.get(k, k)} {_humane_value(k, v)}" for k, v in fields.items())


class Conversation:
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
        self.session: Session | None = None
        self.transport: BaseTransport | None = None
        self._reassembler = Reassembler(timeout=reassembly_timeout)
        self._lines: dict[str, _Line] = {}
        self._commands: dict[str, Command] = {}
        self._waiters: dict[str, asyncio.Future[CommandAck]] = {}
        self._replies: dict[str, _Reply] = {}
        #: when each sent message not yet answered went out (one reply per message)
        self._unanswered: deque[float] = deque(maxlen=64)
        self._send_lock = asyncio.Lock()
        self._llm_task: asyncio.Task[None] | None = None
        self._llm_history: list[dict[str, str]] = []
        self._background: set[asyncio.Task[Any]] = set()
        self.speaking = False

    def _emit(self, event: Any) -> None:
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
        self.session = session
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
        self._emit(ChannelState(state, detail))
        if state is TransportState.CONNECTED:
            self._spawn(self._send_waiting())
        elif state in (TransportState.CLOSED, TransportState.FAILED):
            for line in self._lines.values():
                if line.status == "queued" and not line.handed:
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
        now = self._clock()
        self._emit(ChatPart(mid, sender, text, complete, incomplete))
        if sender != "bot":
            return
        reply = self._replies.get(mid)
        if reply is None:
            waited = now - self._unanswered.popleft() if self._unanswered else None
            reply = self._replies[mid] = _Reply(first_at=now, waited=waited)
        if complete or incomplete:
            del self._replies[mid]
            self._emit(ReplyStats(mid, reply.waited, len(text), now - reply.first_at))

    def _set_speaking(self, on: bool) -> None:
        if on != self.speaking:
            self.speaking = on
            self._emit(Speaking(on))

    def _ack(self, ack: CommandAck) -> None:
        command = self._commands.pop(ack.mid, None)
        data = (command.data or {}) if command is not None else {}
        what = describe_command(command) if command is not None else ack.cmd
        if ack.ok and data.get("mode") in (RETELLING, DIALOGUE):
            self.mode = data["mode"]
        line = self._lines.get(ack.mid)
        if line is not None and not ack.ok:  # e.g. a chat part refused as too large
            self._mark(line, "failed", f"refused ({ack.code}): {ack.msg}")
        self._emit(Ack(ack, what))
        fut = self._waiters.pop(ack.mid, None)
        if fut is not None and not fut.done():
            fut.set_result(ack)

    # -- outgoing ------------------------------------------------------------------------

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
            mid = new_mid("you")
            self._emit(Outgoing(mid, text, "llm", f"asking {self.llm.settings.model}"))
            self._cancel_llm()
            self._llm_task = asyncio.get_running_loop().create_task(self._ask_llm(text))
            return mid
        line = _Line(new_mid(), text, "user")
        self._lines[line.mid] = line
        await self._hand(line)
        return line.mid

    async def _hand(self, line: _Line) -> None:
        """Give ``line`` to the transport, or mark it failed when the channel is gone."""
        if not self.alive:
            self._mark(line, "failed", "not connected")
            return
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
                self._unanswered.append(self._clock())
                self._mark(line, "sent")
            else:
                self._mark(line, "queued", "waiting for the channel to reconnect")

    async def _send_waiting(self) -> None:
        """After (re)connecting: send lines waiting for the channel, then confirm them."""
        for line in list(self._lines.values()):
            if line.status == "queued" and not line.handed:
                await self._hand(line)
        transport = self.transport
        if transport is None:
            return
        await transport.drain()
        if not self.connected:
            return
        for line in list(self._lines.values()):
            if line.status == "queued" and line.handed:
                self._unanswered.append(self._clock())
                self._mark(line, "sent")

    async def retry(self) -> int:
        """Send every failed line again (same mid: parts that did arrive are ignored as
        duplicates). With the channel gone they wait for the next connect. Returns how
        many lines are retried."""
        failed = [line for line in self._lines.values() if line.status == "failed"]
        for line in failed:
            line.handed = False
            if self.alive:
                await self._hand(line)
            else:
                self._mark(line, "queued", "waiting for the channel")
        return len(failed)

    async def interrupt(self) -> str:
        """Ask the avatar to stop speaking (and stop the LLM's answer); returns the mid."""
        self._cancel_llm()
        transport = self._require_channel()
        self._unanswered.clear()  # the avatar drops the turns it had not answered
        self._emit(Interrupting())
        command = interrupt_command(new_mid("cmd"))
        self._commands[command.mid] = command
        self._emit(CommandSent(command.mid, describe_command(command)))
        return await channel.send_command(transport, command)

    async def set_params(self, **data: Any) -> CommandAck:
        """Send ``set-params`` and wait for its ack (raises ``TimeoutError`` or
        :class:`TransportError`). Empty values are left out; the voice (``vid`` /
        ``vurl``) goes in ``vparams``."""
        return await self._command(set_params_command(new_mid("cmd"), **data))

    async def set_action(self, action: str | None = None,
                         expression: str | None = None) -> CommandAck:
        """Send ``set-action`` (a gesture, a facial expression or both) and wait for its
        ack. Raises ``ValueError`` for neither or an unknown one (nothing is sent),
        ``TimeoutError`` or :class:`TransportError` like :meth:`set_params`."""
        command = set_action_command(new_mid("cmd"), action=action, expression=expression)
        return await self._command(command)

    async def _command(self, command: Command) -> CommandAck:
        """Send a command that is acked and wait for the ack."""
        transport = self._require_channel()
        fut: asyncio.Future[CommandAck] = asyncio.get_running_loop().create_future()
        self._waiters[command.mid] = fut
        self._commands[command.mid] = command
        self._emit(CommandSent(command.mid, describe_command(command)))
        try:
            await channel.send_command(transport, command)
            return await asyncio.wait_for(asyncio.shield(fut), self.ack_timeout)
        except TimeoutError:
            raise TimeoutError(f"no answer to {command.cmd} within {self.ack_timeout:g} s") from None
        finally:
            self._waiters.pop(command.mid, None)

    def _require_channel(self) -> BaseTransport:
        if self.transport is None or not self.alive:
            raise TransportError("not connected to a session's stream channel")
        return self.transport

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

    def __repr__(self) -> str:
        sid = self.session.id if self.session else None
        return f"Conversation(session={sid!r}, state={self.state.value!r}, mode={self.mode})"


class Inbox:
    """Collects emitted events and wakes the UI once per batch, at most ``max_hz``
    times a second.

    ``wake()`` is called for the first event after a :meth:`take` -- right away, or
    when ``1 / max_hz`` has passed since the previous wake -- so parts arriving every
    few milliseconds cost one UI message per batch, not one each. Use it inside the
    event loop.
    """

    def __init__(self, wake: Callable[[], None], *, max_hz: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._wake = wake
        self._interval = 1.0 / max_hz
        self._clock = clock
        self._events: list[Any] = []
        self._last_wake = float("-inf")
        self._scheduled = False

    def __call__(self, event: Any) -> None:
        self._events.append(event)
        if len(self._events) > 1 or self._scheduled:
            return
        wait = self._last_wake + self._interval - self._clock()
        if wait <= 0:
            self._fire()
        else:
            self._scheduled = True
            asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._scheduled = False
        self._last_wake = self._clock()
        if self._events:
            self._wake()

    def take(self) -> list[Any]:
        events, self._events = self._events, []
        return events


__all__ = ["Ack", "ChannelState", "ChatPart", "Conversation", "Inbox", "Interrupting", "Note",
           "Outgoing", "ReplyStats", "Speaking", "describe_command"]
