"""Chat console: talk to a live avatar over its session's stream channel.

Threading model (as harlequin's): the :class:`~akool_tui.conversation.Conversation`
runs in workers (connect, read, send) and reports through an :class:`Inbox`; one
:class:`ChatEvents` message per burst wakes the screen, and only its handler touches
widgets. The transcript repaints at most ``FLUSH_HZ`` times a second however fast
parts arrive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from ...api.models import Session, SessionStatus
from ...core.export import export_dir, export_stem, write_exports
from ...core.ids import short_id
from ...core.sessions import create_request
from ...core.text import CELL, safe
from ...core.chat.conversation import (
    DIALOGUE,
    Ack,
    ChannelState,
    ChatPart,
    Conversation,
    Inbox,
    Note,
    Outgoing,
    ReplyStats,
    Speaking,
)
from ...core.chat.llm import SIMULATED_MODEL as SIMULATED_LLM
from ...core.chat.llm import LlmClient, LlmError, LlmSettings
from ...stream.transport import TransportState
from ..widgets.safe_input import SafeInput
from ..widgets.transcript import Entry, Transcript
from .base import MainScreen

#: stream types this client can talk over (see transport_for)
CONNECTABLE = ("websocket", "livekit")
STATE_MARKS = {
    TransportState.CONNECTING: "◌ connecting",
    TransportState.CONNECTED: "● connected",
    TransportState.RECONNECTING: "◌ reconnecting",
    TransportState.CLOSED: "○ closed",
    TransportState.FAILED: "✗ failed",
}


class ChatEvents(Message):
    """The conversation has new events: the handler takes them from the inbox."""


@dataclass
class SessionsLoaded(Message):
    sessions: list[Session]
    error: str = ""


@dataclass
class SessionCreated(Message):
    session: Session | None
    error: str = ""


@dataclass
class ExportDone(Message):
    paths: list[Path]
    error: str = ""


class ReconnectRequested(Message):
    """Retry found the channel gone: start the connection again."""


class HistoryInput(SafeInput):
    """An Input that remembers what was sent: up / down walk the history. A paste is
    sanitised like any outside text (it is shown back, in the input and the transcript)."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False, id="chat.history_prev"),
        Binding("down", "history(1)", "Next", show=False, id="chat.history_next"),
    ]
    #: lines remembered
    LIMIT = 200

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._pos = 0
        self._draft = ""

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-self.LIMIT]
        self._pos = len(self.history)
        self._draft = ""

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._pos == len(self.history):
            self._draft = self.value
        self._pos = max(0, min(len(self.history), self._pos + step))
        self.value = self.history[self._pos] if self._pos < len(self.history) else self._draft
        self.cursor_position = len(self.value)


class ChatScreen(MainScreen):
    TITLE = "Chat"
    LIVE = False
    DEFAULT_CSS = """
    ChatScreen #chat-bar { height: 1; }
    ChatScreen #chat-session { width: 1fr; }
    ChatScreen #chat-state { width: 16; padding: 0 1; color: $foreground-muted; }
    ChatScreen #chat-state.-connected { color: $success; }
    ChatScreen #chat-state.-failed { color: $error; }
    ChatScreen #chat-state.-connecting, ChatScreen #chat-state.-reconnecting { color: $warning; }
    ChatScreen #chat-speaking { width: 12; color: $foreground-muted; }
    ChatScreen #chat-speaking.-on { color: $accent; text-style: bold; }
    ChatScreen #chat-input { margin: 0; }
    """
    BINDINGS = [
        Binding("escape", "interrupt", "Interrupt", id="chat.interrupt",
                tooltip="Stop the avatar speaking (and the LLM's answer); "
                        "when it is quiet, leave the input"),
        Binding("ctrl+o", "pick_session", "Session", id="chat.pick",
                tooltip="Choose the live session to talk to"),
        Binding("ctrl+n", "new_session", "New", id="chat.new",
                tooltip="Create a session with the saved defaults and connect"),
        Binding("ctrl+y", "retry", "Retry", id="chat.retry",
                tooltip="Send failed lines again; reconnect when the channel is gone"),
        Binding("ctrl+s", "export", "Export", id="chat.export",
                tooltip="Save the transcript as Markdown and JSONL"),
        Binding("ctrl+l", "toggle_llm", "LLM", id="chat.llm", show=False,
                tooltip="Use your own LLM in retelling mode (on/off)"),
    ]
    #: extra options for transport_for (tests slow the reconnect backoff down)
    TRANSPORT_OPTIONS: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        self._inbox = Inbox(self._wake)
        self.conversation = Conversation(self._inbox, mode=DIALOGUE)
        self._sessions: dict[str, Session] = {}
        self._session_id: str | None = None
        self._handled_request: str | None = None
        self._state = TransportState.CLOSED
        self._speaking = False
        self._stats: ReplyStats | None = None
        self._llm: LlmClient | None = None
        self._llm_checked = False  # the config is read at the first connect
        self._llm_wanted = True
        self._outbox: asyncio.Queue[str] = asyncio.Queue()

    # -- layout --------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="chat-bar"):
            yield Select([], prompt="Pick a live session (ctrl+o) or create one (ctrl+n)",
                         id="chat-session", compact=True, type_to_search=False)
            yield Static("", id="chat-state")
            yield Static("", id="chat-speaking")
        yield Transcript(id="transcript")
        yield HistoryInput(placeholder="Say something to the avatar: enter sends, ↑↓ history, "
                           "tab leaves the input",
                           id="chat-input")

    @property
    def transcript(self) -> Transcript:
        return self.query_one(Transcript)

    @property
    def chat_input(self) -> HistoryInput:
        return self.query_one(HistoryInput)

    def on_mount(self) -> None:  # (Textual runs MainScreen.on_mount too)
        self.app.ctx.chat_conversation = self.conversation  # the settings screen applies through it
        self._system("Pick a live session (ctrl+o) or create one (ctrl+n); esc interrupts the "
                     "avatar, ctrl+s exports the transcript.")
        self._show_state()
        self.run_worker(self._send_loop, name="chat-send", group="chat-send",
                        exit_on_error=False)
        self.watch(self.query_one(Select), "expanded", self._picker_toggled, init=False)
        self.action_refresh_now()
        self.chat_input.focus()

    def _picker_toggled(self, expanded: bool) -> None:
        if not expanded:  # picked or dismissed: back to typing
            self.chat_input.focus()

    def on_screen_resume(self) -> None:
        self.chat_input.focus()  # back on the chat screen: ready to type
        wanted = self.app.ctx.chat_session_id
        if wanted and wanted != self._handled_request:
            self.action_refresh_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_pause"  # no refresh loop here

    # -- sessions ------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        self.run_worker(self._fetch_sessions, name="chat-sessions", group="chat-sessions",
                        exclusive=True, exit_on_error=False)

    async def _fetch_sessions(self) -> None:
        client = await self.app.ctx.client()
        try:
            queueing, live = await asyncio.gather(
                client.list_all_sessions(status=SessionStatus.QUEUEING),
                client.list_all_sessions(status=SessionStatus.PROCESSING))
        except Exception as exc:  # shown, never a crash
            self.post_message(SessionsLoaded([], str(exc) or type(exc).__name__))
            return
        newest_first = sorted([*live, *queueing], reverse=True,
                              key=lambda s: s.create_time.timestamp() if s.create_time else 0)
        # the ones this client can join first (agora / trtc need LiveKit instead)
        sessions = sorted(newest_first, key=lambda s: s.stream_type not in CONNECTABLE)
        self.post_message(SessionsLoaded(sessions))

    def _label(self, s: Session) -> str:
        """The picker's line for a session (ids and names from the server: safe text)."""
        status = "" if s.status == SessionStatus.PROCESSING else f" ({s.status_label})"
        return safe(f"{short_id(s.id)}  {s.stream_type:<9} {s.avatar_id}{status}",
                    limit=CELL)

    def on_sessions_loaded(self, message: SessionsLoaded) -> None:
        if message.error:
            self._system(f"Could not list sessions: {message.error}", role="error")
            return
        self._sessions = {s.id: s for s in message.sessions}
        if self._session_id and self._session_id not in self._sessions:
            current = self._session_id
            self._sessions[current] = Session(id=current, stream_type="?")  # keep it selectable
        self._set_options()
        wanted = self.app.ctx.chat_session_id
        if wanted and wanted != self._handled_request:
            self._handled_request = wanted
            if wanted in self._sessions:
                self.query_one(Select).value = wanted
            else:
                self._system(f"Session {short_id(wanted)} is not open (closed or unknown): "
                             "pick another one.", role="error")
        elif not self._sessions:
            self._system("No open sessions: ctrl+n creates one.")

    def _set_options(self) -> None:
        select = self.query_one(Select)
        with self.prevent(Select.Changed):
            select.set_options([(Text(self._label(s)), s.id) for s in self._sessions.values()])
            if self._session_id in self._sessions:
                select.value = self._session_id

    @on(Select.Changed, "#chat-session")
    def _session_picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._session_id:
            self._connect(event.value)

    def action_pick_session(self) -> None:
        select = self.query_one(Select)
        select.focus()
        select.action_show_overlay()

    def action_new_session(self) -> None:
        self._system("Creating a session…")
        self.run_worker(self._create_session, name="chat-create", group="chat-create",
                        exclusive=True, exit_on_error=False)

    async def _create_session(self) -> None:
        client = await self.app.ctx.client()
        request = create_request(self.app.config.defaults, for_chat=True, demo=self.app.ctx.demo)
        try:
            session = await client.create_session(**request)
        except Exception as exc:
            self.post_message(SessionCreated(None, str(exc) or type(exc).__name__))
            return
        self.post_message(SessionCreated(session))

    def on_session_created(self, message: SessionCreated) -> None:
        if message.session is None:
            self._system(f"Could not create a session: {message.error}", role="error")
            return
        s = message.session
        self._system(f"Created session {s.id} ({s.stream_type}).", role="ok")
        self._sessions = {s.id: s, **self._sessions}
        self._set_options()
        self._connect(s.id)
        with self.prevent(Select.Changed):
            self.query_one(Select).value = s.id
        self.chat_input.focus()

    # -- connection ----------------------------------------------------------------

    def _connect(self, session_id: str) -> None:
        self._session_id = session_id
        self.app.ctx.chat_session_id = session_id
        self._handled_request = session_id
        self._system(f"Session {session_id}")
        self.run_worker(partial(self._run_conversation, session_id), name="chat-conn",
                        group="chat-conn", exclusive=True, exit_on_error=False)

    async def _run_conversation(self, session_id: str) -> None:
        conv = self.conversation
        client = await self.app.ctx.client()
        try:
            session = await client.session_detail(session_id)
        except Exception as exc:
            self._inbox(Note(f"Cannot open session {short_id(session_id)}: {exc}", "error"))
            return
        self._ensure_llm()  # after the client: a --demo config points at the simulator now
        mode = session.extra.get("mode_type")
        if mode in (1, 2):
            conv.mode = mode
        else:
            conv.mode = self.app.config.defaults.mode_type
        conv.transport_options = dict(self.TRANSPORT_OPTIONS)
        await conv.run(session)

    def _ensure_llm(self) -> None:
        """Build the own-LLM client from the config once ([llm]; in demo mode the
        simulator's stand-in when none is configured)."""
        if self._llm_checked:
            return
        self._llm_checked = True
        settings = LlmSettings.from_config(self.app.config.llm)
        if settings is None and self.app.demo:
            settings = LlmSettings(self.app.config.base_url.rstrip("/") + "/v1", SIMULATED_LLM)
        if settings is None:
            return
        try:
            self._llm = LlmClient(settings)
        except LlmError as exc:
            self._inbox(Note(f"LLM not used: {exc}", "error"))
            return
        self.conversation.llm = self._llm if self._llm_wanted else None

    def action_toggle_llm(self) -> None:
        self._ensure_llm()
        if self._llm is None:
            self.notify("No LLM configured: set [llm] base_url and model in the config",
                        severity="warning", markup=False)
            return
        self._llm_wanted = not self._llm_wanted
        self.conversation.llm = self._llm if self._llm_wanted else None
        self._system(f"Own LLM {'on' if self._llm_wanted else 'off'} "
                     f"({self._llm.settings.model}; used in retelling mode).")
        self._show_state()

    async def on_unmount(self) -> None:
        if self.app.ctx.chat_conversation is self.conversation:
            self.app.ctx.chat_conversation = None
        await self.conversation.close()
        if self._llm is not None:
            await self._llm.aclose()

    # -- sending -------------------------------------------------------------------

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        self.chat_input.remember(text)
        self.chat_input.value = ""
        self._outbox.put_nowait(text)

    async def _send_loop(self) -> None:
        """Sends typed lines one after another (in the order typed)."""
        while True:
            text = await self._outbox.get()
            try:
                await self.conversation.say(text)
            except ValueError as exc:
                self._inbox(Note(str(exc), "warning"))

    def action_interrupt(self) -> None:
        """esc: stop the avatar while it speaks; otherwise leave the input, so that the
        screen keys (1-4, ?) work again without a mouse."""
        if not self._speaking and self.chat_input.has_focus:
            self.transcript.focus()
            return
        if not self.conversation.alive:
            self.notify("Not connected: nothing to interrupt", severity="warning", timeout=2)
            return
        self.run_worker(self._interrupt, group="chat-cmd", exit_on_error=False)

    async def _interrupt(self) -> None:
        try:
            await self.conversation.interrupt()
        except Exception as exc:
            self._inbox(Note(f"Interrupt not sent: {exc}", "error"))

    def action_retry(self) -> None:
        self.run_worker(self._retry, group="chat-cmd", exit_on_error=False)

    async def _retry(self) -> None:
        conv = self.conversation
        count = await conv.retry()
        if not conv.alive and self._session_id:
            self._inbox(Note(f"Reconnecting to {short_id(self._session_id)}"
                             + (f" to resend {count} line(s)" if count else "") + "…"))
            self.post_message(ReconnectRequested())
        elif not count:
            self._inbox(Note("Nothing to retry."))

    def on_reconnect_requested(self, message: ReconnectRequested) -> None:
        if self._session_id:
            self.run_worker(partial(self._run_conversation, self._session_id), name="chat-conn",
                            group="chat-conn", exclusive=True, exit_on_error=False)

    # -- events from the conversation (the only place widgets change) ------------------

    def _wake(self) -> None:
        self.post_message(ChatEvents())

    def on_chat_events(self, message: ChatEvents) -> None:
        message.stop()
        status_changed = False
        for event in self._inbox.take():
            status_changed |= self._apply(event)
        if status_changed:
            self._show_state()

    def _apply(self, ev: Any) -> bool:
        """Apply one event; True when the status line needs an update."""
        tr = self.transcript
        if isinstance(ev, ChatPart):
            key = f"in:{ev.mid}"
            status = "incomplete" if ev.incomplete else ("" if ev.complete else "streaming")
            note = "parts missing" if ev.incomplete else ""
            if not tr.update(key, ev.text, status=status, note=note):
                tr.add("bot" if ev.sender == "bot" else "speech", ev.text, key=key,
                       status=status, note=note, time=self.app.now())
            return False
        if isinstance(ev, Outgoing):
            self._apply_outgoing(ev)
            return True
        if isinstance(ev, Speaking):
            current = self._sessions.get(self._session_id or "")
            if ev.on and current is not None and current.status != SessionStatus.PROCESSING:
                self.action_refresh_now()  # it speaks, so it is live: update the picker label
            self._speaking = ev.on
            self._show_speaking()
            return False
        if isinstance(ev, Ack):
            self._apply_ack(ev)
            return True  # an acked mode change may turn the own LLM on or off
        if isinstance(ev, ReplyStats):
            self._stats = ev
            return True
        if isinstance(ev, ChannelState):
            return self._apply_state(ev)
        if isinstance(ev, Note):
            self._system(ev.text, role="error" if ev.level == "error" else "system")
        return False

    def _apply_outgoing(self, ev: Outgoing) -> None:
        key = f"out:{ev.mid}"
        if ev.status == "failed":
            status, note = "failed", f"not sent: {ev.reason} · {self._key('retry')} retries"
        elif ev.status == "queued":
            status, note = "queued", f"queued: {ev.reason}" if ev.reason else "queued"
        elif ev.status == "llm":
            status, note = "", ev.reason
        else:
            status, note = "", ""
        tr = self.transcript
        if tr.get(key) is not None:
            tr.update(key, status=status, note=note)
        elif ev.origin == "user" or status:  # LLM sentences show only when not sent
            tr.add("user" if ev.origin == "user" else "llm", ev.text, key=key, status=status,
                   note=note, time=self.app.now())

    def _apply_ack(self, ev: Ack) -> None:
        ack = ev.ack
        if ack.ok:
            self._system(f"{ack.cmd}: {ack.msg}" if ack.msg else f"{ev.what}: ok", role="ok")
        else:
            self._system(f"{ev.what} failed ({ack.code}): {ack.msg or 'no reason given'}",
                         role="error")

    def _apply_state(self, ev: ChannelState) -> bool:
        if ev.state is self._state and ev.state is not TransportState.RECONNECTING:
            return False
        self._state = ev.state
        detail = f": {ev.detail}" if ev.detail else ""
        if ev.state is TransportState.CONNECTED:
            self.action_refresh_now()  # the session's status may have moved on
            self._system(f"Connected{' (' + ev.detail + ')' if ev.detail == 'reconnected' else ''}.",
                         role="ok")
        elif ev.state is TransportState.FAILED:
            self._system(f"Channel failed{detail} · {self._key('retry')} reconnects", role="error")
        elif ev.state is TransportState.RECONNECTING:
            self._system(f"Reconnecting{detail}")
        elif ev.state is TransportState.CLOSED:
            self._system("Channel closed.")
        if ev.state is not TransportState.CONNECTED and self._speaking:
            self._speaking = False
            self._show_speaking()
        return True

    # -- small views ------------------------------------------------------------------

    def _system(self, text: str, *, role: str = "system") -> Entry:
        return self.transcript.add(role, text, time=self.app.now())

    def _key(self, action: str) -> str:
        """How the key bound to ``action`` is shown (it may be rebound in the keymap)."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == action:
                    return self.app.get_key_display(binding)
        return action

    def _show_speaking(self) -> None:
        indicator = self.query_one("#chat-speaking", Static)
        indicator.update("◉ speaking" if self._speaking else "○ quiet")
        indicator.set_class(self._speaking, "-on")

    def _show_state(self) -> None:
        conv = self.conversation
        state = STATE_MARKS[self._state] if self._session_id else "○ no session"
        badge = self.query_one("#chat-state", Static)
        badge.update(state)
        badge.set_classes(f"-{self._state.value}")
        self._show_speaking()
        parts = [state]
        if conv.queued_count:
            parts.append(f"{conv.queued_count} queued")
        if conv.failed_count:
            parts.append(f"{conv.failed_count} failed ({self._key('retry')})")
        if conv.llm_active:
            parts.append(f"LLM {conv.llm.settings.model}")
        s = self._stats
        if s is not None:
            first = f"{s.first_part_s:.2f}s" if s.first_part_s is not None else "-"
            parts.append(f"reply: 1st part {first}, {s.chars} ch, {s.duration_s:.1f}s")
        self.status.set_extra(" · ".join(parts))

    # -- export ------------------------------------------------------------------------

    def action_export(self) -> None:
        entries = [self._entry_record(e) for e in self.transcript.entries]
        conv = self.conversation
        cfg = self.app.config
        secrets = [*conv.secrets(), cfg.api_key, cfg.client_secret]
        now = self.app.now()
        sid = self._session_id or "no-session"
        header = {"session": sid, "exported": now.isoformat(timespec="seconds"),
                  "lines": str(len(entries))}
        stem = export_stem(sid, now)
        directory = export_dir(cfg.chat.export_dir)

        def work() -> None:
            try:
                paths = write_exports(entries, directory, stem, header, secrets)
            except OSError as exc:
                self.post_message(ExportDone([], f"{exc.strerror or exc} ({directory})"))
                return
            self.post_message(ExportDone(paths))

        self.run_worker(work, thread=True, group="chat-export", exit_on_error=False)

    @staticmethod
    def _entry_record(e: Entry) -> dict[str, Any]:
        when = e.time.isoformat(timespec="seconds") if isinstance(e.time, datetime) else None
        mid = e.key.split(":", 1)[1] if e.key else None
        return {"time": when, "role": e.role, "text": e.text, "status": e.status,
                "note": e.note, "mid": mid}

    def on_export_done(self, message: ExportDone) -> None:
        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error", markup=False)
            return
        names = " and ".join(str(p) for p in message.paths)
        self._system(f"Transcript saved to {names}", role="ok")
        self.notify(f"Saved {names}", timeout=6, markup=False)
