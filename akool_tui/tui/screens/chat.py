"""Chat console: talk to a live avatar over its session's stream channel.

Threading model (as harlequin's): the :class:`~akool_tui.conversation.Conversation`
runs in workers (connect, read, send) and reports through an :class:`Inbox`; one
:class:`ChatEvents` message per burst wakes the screen, and only its handler touches
widgets. The transcript repaints at most ``FLUSH_HZ`` times a second however fast
parts arrive.

The screen is put together from: :mod:`.chat_view` (layout; the conversation's events
on the widgets), :mod:`.chat_export` (ctrl+s), :mod:`.chat_channel` (commands on the
channel in a worker) and, here, the session picker, the connection and sending.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Select

from ...api.models import Session
from ...core.ids import short_id
from ...core.sessions import chat_blocker
from ...core.chat.conversation import DIALOGUE, Conversation, Inbox, Note
from ...core.chat.llm import SIMULATED_MODEL as SIMULATED_LLM
from ...core.chat.llm import LlmClient, LlmError, LlmSettings
from ..readonly import allowed
from ..work import call_api
from .chat_actions import AvatarActions
from .chat_create import ChatCreate, SessionCreated
from .chat_channel import call_channel
from .chat_export import TranscriptExport
from .chat_media import ChatMedia
from .chat_picker import QUEUE_POLL, SessionPicker, SessionsLoaded, open_sessions  # noqa: F401
from .chat_view import ChatEvents, ChatFailed

if TYPE_CHECKING:
    from textual.timer import Timer

@dataclass
class SessionOpened(Message):
    """The details of the session to connect to (``session_id`` as picked)."""

    session_id: str
    session: Session


class ReconnectRequested(Message):
    """Retry found the channel gone: start the connection again."""


class ChatScreen(AvatarActions, TranscriptExport, ChatCreate, SessionPicker, ChatMedia):
    BINDINGS = [
        Binding("escape", "interrupt", "Interrupt", id="chat.interrupt",
                tooltip="Stop the avatar speaking (and the LLM's answer); "
                        "when it is quiet, leave the input"),
        Binding("ctrl+o", "pick_session", "Session", id="chat.pick",
                tooltip="Choose the live session to talk to (the list is loaded again)"),
        Binding("ctrl+n", "new_session", "New", id="chat.new",
                tooltip="Create a session with the saved defaults (of a stream type this "
                        "program can join) and connect"),
        Binding("ctrl+y", "retry", "Retry", id="chat.retry",
                tooltip="Send failed lines again (to the session connected now); "
                        "reconnect when the channel is gone and the session is not"),
        Binding("ctrl+s", "export", "Export", id="chat.export",
                tooltip="Save the transcript as Markdown and JSONL"),
        Binding("ctrl+g", "avatar_action", "Action", id="chat.action",
                tooltip="Make the avatar gesture and / or change its expression (set-action)"),
        Binding("ctrl+l", "toggle_llm", "LLM", id="chat.llm", show=False,
                tooltip="Use your own LLM in retelling mode (on/off)"),
        Binding("v", "toggle_video", "Video", id="chat.video",
                tooltip="Show or hide the avatar's video (esc leaves the input first)"),
        Binding("left_square_bracket", "video_size(-4)", "Smaller", id="chat.video_smaller",
                show=False, tooltip="Make the video panel smaller"),
        Binding("right_square_bracket", "video_size(4)", "Larger", id="chat.video_larger",
                show=False, tooltip="Make the video panel larger"),
    ]
    #: extra options for transport_for (tests slow the reconnect backoff down)
    TRANSPORT_OPTIONS: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        self._inbox = Inbox(self._wake)
        self.conversation = Conversation(self._inbox, mode=DIALOGUE)
        self._sessions: dict[str, Session] = {}
        self._session_id: str | None = None
        self._joined: list[str] = []
        self._handled_request: str | None = None
        self._llm: LlmClient | None = None
        self._llm_checked = False  # the config is read at the first connect
        self._llm_wanted = True
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        #: set while the conversation's channel is connected: typed lines wait for it
        self._ready = asyncio.Event()
        self._creating = False  # a ctrl+n (or a first line's) session is being created
        self._queue_poll: Timer | None = None  # lists again while the session is queueing

    def on_mount(self) -> None:  # (Textual runs MainScreen.on_mount too)
        self.app.ctx.chat_conversation = self.conversation  # the settings screen applies through it
        if (history := self.app.ctx.history) is not None:  # recorded as it happens
            from ...core.history.recorder import ConversationRecorder

            ConversationRecorder(history, self.conversation)
        from ..widgets.chat_health import ChatHealthLine  # the connected chat's figures

        self.mount(ChatHealthLine(self.conversation, id="chat-health"), before=self.chat_input)
        self.keep_dropped_lines()  # older lines than the scrollback keeps: for the export
        create = " or create one (ctrl+n)" if self._can_create else ""
        self._system(f"Pick a live session (ctrl+o){create}; esc interrupts the avatar, "
                     "ctrl+s exports the transcript.")
        self._show_state()
        self.run_worker(self._send_loop, name="chat-send", group="chat-send",
                        exit_on_error=False)
        self.watch(self.query_one(Select), "expanded", self._picker_toggled, init=False)
        self.action_refresh_now()
        self.chat_input.focus()

    @property
    def _can_create(self) -> bool:
        """ctrl+n is offered (not under a read-only profile)."""
        return allowed(self, "sessions.create")

    def _picker_toggled(self, expanded: bool) -> None:
        if not expanded:  # picked or dismissed: back to typing (after the Select's own
            self.call_after_refresh(self.chat_input.focus)  # dismiss focused itself)

    def on_screen_resume(self) -> None:
        self.chat_input.focus()  # back on the chat screen: ready to type
        wanted = self.app.ctx.chat_session_id
        if wanted and wanted != self._handled_request:
            self.action_refresh_now()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "toggle_pause"  # no refresh loop here

    # -- sessions ------------------------------------------------------------------

    def _sessions_arrived(self) -> None:
        wanted = self.app.ctx.chat_session_id
        if wanted and wanted != self._handled_request:
            self._handled_request = wanted
            if wanted in self._sessions and self._sessions[wanted].stream_type != "?":
                self.query_one(Select).value = wanted
            else:
                self._system(f"Session {short_id(wanted)} is not open (closed or unknown): "
                             "pick another one.", role="error")
        elif not self._sessions:
            self._system("No open sessions: ctrl+n creates one." if self._can_create
                         else "No open sessions (this profile is read-only: none is created).")
        elif self._session_id is None and self.app.ctx.demo:
            # the demo works on the first keystroke: join the newest joinable session
            joinable = [sid for sid, s in self._sessions.items() if chat_blocker(s) is None]
            if joinable:
                self._connect(joinable[0])
                with self.prevent(Select.Changed):
                    self.query_one(Select).value = joinable[0]

    @on(Select.Changed, "#chat-session")
    def _picked(self, event: Select.Changed) -> None:
        self._session_picked(event)

    # -- connection ----------------------------------------------------------------

    def _connect(self, session_id: str) -> None:
        self._session_id = session_id
        self.app.ctx.chat_session_id = session_id
        self._handled_request = session_id
        if session_id not in self._joined:
            self._joined.append(session_id)
        self._system(f"Session {session_id}")
        self._open(session_id)

    def _open(self, session_id: str) -> None:
        """Look the session up, then run the conversation with it (a worker of the
        group "chat-conn" each: opening another session stops this one)."""
        call_api(self, lambda client: client.session_detail(session_id),
                 what="open the session", group="chat-conn",
                 done=lambda session: SessionOpened(session_id, session),
                 failed=lambda error: ChatFailed(
                     f"Cannot open session {short_id(session_id)}: {error}"))

    def on_session_opened(self, message: SessionOpened) -> None:
        if message.session_id != self._session_id:
            return  # another session was picked meanwhile
        if (why := chat_blocker(message.session)) is not None:
            # said once, not "Reconnecting…" for ever (ctrl+y, a request from `t`)
            self._system(f"Session {short_id(message.session_id)} cannot be joined here: "
                         f"{why}.", role="error")
            return
        self.run_worker(partial(self._run_conversation, message.session), name="chat-conn",
                        group="chat-conn", exclusive=True, exit_on_error=False)

    async def _run_conversation(self, session: Session) -> None:
        conv = self.conversation
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
        await self.stop_media()  # the media source is closed with its worker
        await self.conversation.close()
        if self._spill is not None:
            self._spill.close()
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
        """Sends typed lines one after another (in the order typed). A line typed while
        no channel is open is shown queued and waits for its session (the first one
        connected when none was picked; in the demo one is created for it); it is never
        failed silently, nor sent to another session unasked."""
        while True:
            text = await self._outbox.get()
            try:
                if self.conversation.alive:
                    await self.conversation.say(text)
                else:
                    # (while ctrl+n creates one, the line is for the new session)
                    for_session = None if self._creating else self._session_id
                    self.conversation.hold(text, for_session, self._await_session_for())
            except ValueError as exc:
                self._inbox(Note(str(exc), "warning"))

    @property
    def _gone(self) -> bool:
        """The session talked to is over (closed or unknown): no channel can be had."""
        return (self._session_id is not None
                and self._session_id in self.conversation.closed_sessions)

    def _await_session_for(self) -> str:
        """Says what a line typed now waits for; returns its queued reason."""
        waiting = "sent once the session is connected"
        if self._gone and not self._creating:
            sid = short_id(self._session_id)
            self._inbox(Note(f"Session {sid} is closed: your line is not sent there; "
                             f"{self._key('pick_session')} picks another session"
                             + (f", {self._key('new_session')} creates one"
                                if self._can_create else "") + "."))
            return f"session {sid} closed"
        if self._session_id is not None or self._creating:
            self._inbox(Note(f"Your line waits: {waiting}."))
            return "waiting for the session"
        if self.app.ctx.demo and self._can_create:
            self._inbox(Note(f"No session yet: creating one for your line ({waiting})."))
            self.action_new_session()
            return "waiting for the session"
        create = f" or create one ({self._key('new_session')})" if self._can_create else ""
        self._inbox(Note(f"No session: pick one ({self._key('pick_session')}){create}; "
                         f"your line is {waiting}."))
        return "no session yet"

    def action_interrupt(self) -> None:
        """esc: stop the avatar while it speaks; otherwise leave the input, so that the
        screen keys (1-4, ?) work again without a mouse."""
        if not self._speaking and self.chat_input.has_focus:
            self.transcript.focus()
            return
        if not self.conversation.alive:
            self.notify("Not connected: nothing to interrupt", severity="warning", timeout=2)
            return
        self.transcript.mark_interrupted()
        call_channel(self, self.conversation.interrupt, what="interrupt", group="chat-cmd",
                     exclusive=False,
                     failed=lambda error: ChatFailed(f"Interrupt not sent: {error}"))

    def action_retry(self) -> None:
        self.run_worker(self._retry, group="chat-cmd", exit_on_error=False)

    async def _retry(self) -> None:
        conv = self.conversation
        if self._gone:  # nothing to reconnect to: failed lines stay for the next session
            self._inbox(Note(self._closed_text(), "error"))
            return
        count = await conv.retry(self._session_id)
        if not conv.alive and self._session_id:
            self._inbox(Note(f"Reconnecting to {short_id(self._session_id)}"
                             + (f" to resend {count} line(s)" if count else "") + "…"))
            self.post_message(ReconnectRequested())
        elif not count:
            self._inbox(Note("Nothing to retry."))

    def on_reconnect_requested(self, message: ReconnectRequested) -> None:
        if self._session_id:
            self._open(self._session_id)

    def _wake(self) -> None:
        self.post_message(ChatEvents())
