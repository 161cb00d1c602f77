"""The chat's session picker (ctrl+o): the queueing and live sessions, listed again in a
worker each time it opens (sessions start and close elsewhere: a script, a colleague's
terminal, the service's own expiry). The list it had shows at once, its prompt saying
"loading…" until the new one replaces it; the session talked to stays listed, marked
closed once it is."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message
from textual.widgets import Select

from ...api.models import Session, SessionStatus
from ...core.ids import short_id
from ...core.sessions import chat_blocker
from ...core.text import CELL, safe
from ..work import call_api
from .chat_channel import describe

if TYPE_CHECKING:
    from textual.timer import Timer

    from ...api.client import AkoolClient

#: seconds between listings while the chosen session is queueing
QUEUE_POLL = 2.0
#: the picker's prompt while a new list is on its way
LOADING = " · loading the sessions…"


@dataclass
class SessionsLoaded(Message):
    sessions: list[Session]
    error: str = ""  # the listing failed (sessions is empty then)


async def open_sessions(client: AkoolClient) -> list[Session]:
    """The queueing and live sessions, newest first, those this client can join first."""
    queueing, live = await asyncio.gather(
        client.list_all_sessions(status=SessionStatus.QUEUEING),
        client.list_all_sessions(status=SessionStatus.PROCESSING))
    newest_first = sorted([*live, *queueing], reverse=True,
                          key=lambda s: s.create_time.timestamp() if s.create_time else 0)
    # the ones this program can join first (agora / trtc rooms need their own SDKs)
    return sorted(newest_first, key=lambda s: chat_blocker(s) is not None)


class SessionPicker:
    """Mixed into the chat screen (which has ``_system``, ``_connect``, ``conversation``...)."""

    _queue_poll: Timer | None
    _listing: bool = False  # a listing is on its way

    def action_refresh_now(self) -> None:
        if not self._listing:
            self._listing = True
            select = self.query_one(Select)
            select.prompt = self._prompt + LOADING
        call_api(self, open_sessions, what="list sessions", done=SessionsLoaded,
                 failed=lambda error: SessionsLoaded([], describe(error)),
                 group="chat-sessions")

    @property
    def _prompt(self) -> str:
        create = " or create one (ctrl+n)" if self._can_create else ""
        return f"Pick a live session (ctrl+o){create}"

    def action_pick_session(self) -> None:
        """ctrl+o: the list as it was at once, the one as it is now when it comes."""
        select = self.query_one(Select)
        select.focus()
        select.action_show_overlay()
        self.action_refresh_now()

    def _label(self, s: Session) -> str:
        """The picker's line for a session (ids and names from the server: safe text);
        one this program cannot join says why; the current one gone says so."""
        if s.stream_type == "?":  # no longer listed as open
            state = ("closed" if s.id in self.conversation.closed_sessions
                     else "not open (closed or unknown)")
            return safe(f"{short_id(s.id)}  {state}", limit=CELL)
        status = "" if s.status == SessionStatus.PROCESSING else f" ({s.status_label})"
        blocker = chat_blocker(s)
        why = f"  ✗ not joinable: {blocker}" if blocker else ""
        return safe(f"{short_id(s.id)}  {s.stream_type:<9} {s.avatar_id}{status}{why}",
                    limit=CELL)

    def on_sessions_loaded(self, message: SessionsLoaded) -> None:
        self._listing = False
        self.query_one(Select).prompt = self._prompt
        if message.error:
            self._system(f"Could not list sessions: {message.error}", role="error")
            return
        self._sessions = {s.id: s for s in message.sessions}
        if self._session_id and self._session_id not in self._sessions:
            current = self._session_id
            self._sessions[current] = Session(id=current, stream_type="?")  # keep it shown
        self._set_options()
        self._follow_queueing()
        self._sessions_arrived()

    def _sessions_arrived(self) -> None:
        """The chat screen acts on a new list (a session asked for, the demo's join)."""

    def _follow_queueing(self) -> None:
        """While the chosen session is queueing, list again every few seconds: the picker
        shows it live once it is (one timer at a time; none once it left the queue)."""
        current = self._sessions.get(self._session_id) if self._session_id else None
        if current is not None and current.status == SessionStatus.QUEUEING:
            if self._queue_poll is not None:
                self._queue_poll.stop()
            self._queue_poll = self.set_timer(QUEUE_POLL, self.action_refresh_now)

    def _set_options(self) -> None:
        """The options from ``_sessions``; an open picker keeps its cursor's session."""
        select = self.query_one(Select)
        overlay = select.query_one("SelectOverlay")
        cursor = None
        if select.expanded and overlay.highlighted is not None \
                and overlay.highlighted < len(select._options):
            cursor = select._options[overlay.highlighted][1]
        with self.prevent(Select.Changed):
            select.set_options([(Text(self._label(s)), s.id) for s in self._sessions.values()])
            if self._session_id in self._sessions:
                select.value = self._session_id
        if cursor is not None:
            for index, (_label, value) in enumerate(select._options):
                if value == cursor:
                    overlay.highlighted = index
                    break

    def _session_picked(self, event: Select.Changed) -> None:
        """A session picked (the chat screen's ``Select.Changed`` handler: Textual's
        ``on`` decorator is only collected on message pump classes)."""
        if not isinstance(event.value, str) or event.value == self._session_id:
            return
        session = self._sessions.get(event.value)
        blocker = chat_blocker(session) if session is not None else None
        if blocker:  # never drop a working chat for a session that cannot connect
            self._system(f"Session {short_id(event.value)} cannot be joined here: {blocker}.",
                         role="error")
            with self.prevent(Select.Changed):
                if self._session_id in self._sessions:
                    event.select.value = self._session_id
                else:
                    event.select.clear()
            return
        self._connect(event.value)


__all__ = ["QUEUE_POLL", "SessionPicker", "SessionsLoaded", "open_sessions"]
