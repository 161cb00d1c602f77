"""What the chat screen shows: its layout, and the conversation's events on its widgets.

The :class:`~akool_tui.core.chat.conversation.Conversation` reports through an
:class:`~akool_tui.core.chat.conversation.Inbox`; one :class:`ChatEvents` message per
burst wakes the screen, and :meth:`ChatView.on_chat_events` is the only place the
conversation's events change widgets (the transcript, the state badge, the speaking
indicator, the status line). :class:`~akool_tui.tui.screens.chat.ChatScreen` adds the
session picker, the connection and sending on top.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Select, Static

from ...api.models import SessionStatus
from ...core.chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    Note,
    Outgoing,
    ReplyStats,
    Speaking,
)
from ...core.chat.timing import ms_text
from ...core.ids import short_id
from ...stream.transport import TransportState
from ..heap import hold_full_gc, release_full_gc
from ..readonly import allowed
from ..widgets.history_input import HistoryInput
from ..widgets.transcript import Entry, Transcript
from .base import MainScreen

if TYPE_CHECKING:
    from ...api.models import Session
    from ...core.chat.conversation import Conversation

STATE_MARKS = {
    TransportState.CONNECTING: "◌ connecting",
    TransportState.CONNECTED: "● connected",
    TransportState.RECONNECTING: "◌ reconnecting",
    TransportState.CLOSED: "○ closed",
    TransportState.FAILED: "✗ failed",
}


#: the status line's reply figures (characters, seconds) are written at most this many
#: times a second while a reply streams (its first part, audio and end at once)
STATS_HZ = 4


#: the longest a reply holds back the full collection (a reply whose end never comes)
REPLY_GC_HOLD = 60.0


def settle_heap() -> None:
    """A reply starts streaming: no full collection until it ends (at most
    :data:`REPLY_GC_HOLD` s). A full collection during a 200 parts/s reply walked all the
    program holds (the app, the transcript, the media libraries): 50-70 ms with the
    video's libraries loaded, twice in a 12 s reply, each a stall on screen. Young
    garbage goes first (a young collection: ~1 ms)."""
    gc.collect(1)
    hold_full_gc("reply")


def heap_settled() -> None:
    """The reply ended: full collections may run again."""
    release_full_gc("reply")


class ChatEvents(Message):
    """The conversation has new events: the handler takes them from the inbox."""


@dataclass
class ChatFailed(Message):
    """Something the chat tried failed (listing or opening sessions, an interrupt):
    ``text`` goes into the transcript as an error line."""

    text: str


class ChatView(MainScreen):
    """The chat screen's widgets and how the conversation's events change them."""

    TITLE = "Chat"
    LIVE = False
    DEFAULT_CSS = """
    ChatView #chat-bar { height: 1; }
    ChatView #chat-session { width: 1fr; }
    ChatView #chat-state { width: 16; height: 1; padding: 0 1; color: $foreground-muted; }
    ChatView #chat-state.-connected { color: $success; }
    ChatView #chat-state.-failed { color: $error; }
    ChatView #chat-state.-connecting, ChatView #chat-state.-reconnecting { color: $warning; }
    ChatView #chat-speaking { width: 12; height: 1; color: $foreground-muted; }
    ChatView #chat-speaking.-on { color: $accent; text-style: bold; }
    ChatView #chat-input { margin: 0; }
    """

    #: set by the chat screen
    conversation: Conversation
    _sessions: dict[str, Session]
    _session_id: str | None

    def __init__(self) -> None:
        super().__init__()
        self._state = TransportState.CLOSED
        self._speaking = False
        self._stats: ReplyStats | None = None
        #: what the badges show (None: nothing yet), and when the status line was last
        #: written: a streaming reply's figures are shown at most STATS_HZ times a second
        self._shown_state: str | None = None
        self._shown_speaking: bool | None = None
        self._stats_shown_at = 0.0
        self._stats_timer: Timer | None = None

    # -- layout --------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="chat-bar"):
            create = " or create one (ctrl+n)" if allowed(self, "sessions.create") else ""
            yield Select([], prompt=f"Pick a live session (ctrl+o){create}",
                         id="chat-session", compact=True, type_to_search=False)
            yield Static("", id="chat-state")
            yield Static("", id="chat-speaking")
            yield from self.compose_meter()
        with Horizontal(id="chat-main"):
            yield from self.compose_video()
            yield Transcript(id="transcript")
        yield HistoryInput(placeholder="Say something to the avatar: enter sends, ↑↓ history, "
                           "tab leaves the input",
                           id="chat-input")

    def compose_video(self) -> ComposeResult:
        """The video panel beside the transcript (:mod:`.chat_media`)."""
        yield from ()

    def compose_meter(self) -> ComposeResult:
        """The audio meter after the speaking indicator (:mod:`.chat_media`)."""
        yield from ()

    @property
    def transcript(self) -> Transcript:
        return self.query_one(Transcript)

    @property
    def chat_input(self) -> HistoryInput:
        return self.query_one(HistoryInput)

    # -- events from the conversation (the only place widgets change) ------------------

    def on_chat_events(self, message: ChatEvents) -> None:
        message.stop()
        status_changed = False
        stats_moved = False
        for event in self._inbox.take():
            if isinstance(event, ReplyStats) and event.first:
                settle_heap()
                self.set_timer(REPLY_GC_HOLD, heap_settled)
            if isinstance(event, ReplyStats) and event.done:
                heap_settled()
            if isinstance(event, ReplyStats) and not (event.first or event.audio or event.done):
                self._stats = event  # a part more: its count and duration, at a capped rate
                stats_moved = True
            else:
                status_changed |= self._apply(event)
        if status_changed:
            self._show_state()
        elif stats_moved:
            self._show_stats_soon()

    def _show_stats_soon(self) -> None:
        """The status line's reply figures (characters, seconds) move with every part:
        they are written at most STATS_HZ times a second, the newest always shown."""
        if self._stats_timer is not None:
            return  # one is due: it shows the newest figures
        wait = self._stats_shown_at + 1 / STATS_HZ - time.monotonic()
        if wait <= 0:
            self._show_state()
        else:
            self._stats_timer = self.set_timer(wait, self._stats_due, name="chat-stats")

    def _stats_due(self) -> None:
        self._stats_timer = None
        self._show_state()

    def on_chat_failed(self, message: ChatFailed) -> None:
        message.stop()
        self._system(message.text, role="error")

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
        if ack.ok and ev.what != ack.cmd:  # set-params, set-action: what was applied
            self._system(f"{ev.what}: applied" + (f" (avatar: {ack.msg})" if ack.msg else ""),
                         role="ok")
        elif ack.ok:
            self._system(f"{ack.cmd}: {ack.msg}" if ack.msg else f"{ev.what}: ok", role="ok")
        else:
            self._system(f"{ev.what} failed ({ack.code}): {ack.msg or 'no reason given'}",
                         role="error")

    def _apply_state(self, ev: ChannelState) -> bool:
        if ev.state is self._state and ev.state is not TransportState.RECONNECTING:
            return False
        self._state = ev.state
        ready = getattr(self, "_ready", None)  # typed lines wait for a connected channel
        if ready is not None:
            (ready.set if ev.state is TransportState.CONNECTED else ready.clear)()
        detail = f": {ev.detail}" if ev.detail else ""
        if ev.state is TransportState.CONNECTED:
            self.action_refresh_now()  # the session's status may have moved on
            self._system(f"Connected{' (' + ev.detail + ')' if ev.detail == 'reconnected' else ''}.",
                         role="ok")
        elif ev.state is TransportState.FAILED and ev.session_gone:
            self._system(f"Channel ended{detail}. {self._closed_text()}", role="error")
            self.action_refresh_now()  # the picker marks it closed
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

    def _closed_text(self) -> str:
        """What to do once the session talked to is over (no reconnect offered)."""
        create = (f", {self._key('new_session')} creates one"
                  if allowed(self, "sessions.create") else "")
        return (f"Session {short_id(self._session_id or '')} closed: "
                f"{self._key('pick_session')} picks another{create}.")

    def _key(self, action: str) -> str:
        """How the key bound to ``action`` is shown (it may be rebound in the keymap)."""
        for bindings in self._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action == action:
                    return self.app.get_key_display(binding)
        return action

    def _show_speaking(self) -> None:
        if self._speaking is self._shown_speaking:
            return  # (an update lays the whole screen out again: only on a change)
        self._shown_speaking = self._speaking
        indicator = self.query_one("#chat-speaking", Static)
        indicator.update("◉ speaking" if self._speaking else "○ quiet", layout=False)
        indicator.set_class(self._speaking, "-on")

    def _show_state(self) -> None:
        conv = self.conversation
        self._stats_shown_at = time.monotonic()
        state = STATE_MARKS[self._state] if self._session_id else "○ no session"
        if state != self._shown_state:  # one line of fixed width: no layout needed
            self._shown_state = state
            badge = self.query_one("#chat-state", Static)
            badge.update(state, layout=False)
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
            # the conversation's one reply timing: the health line shows the same 1st part
            first = ms_text(s.timing.first_ms) if s.timing.first_ms is not None else "-"
            parts.append(f"reply: 1st part {first}, {s.chars} ch, {s.duration_s:.1f} s")
        self.status.set_extra(" · ".join(parts))
