"""The chat's ctrl+n: a session created with the saved defaults, checked first as the
new-session dialog and the CLI check it (:func:`~akool_tui.core.session_options.request_problems`:
nothing is sent when the check refuses), then connected.

The stream type is the one rule's (:func:`~akool_tui.core.sessions.stream_type_for`):
the configured one when this program can join it, else livekit (websocket in the demo).
A session made that this program cannot join after all is closed at once (it holds
credits) and said so; when its LiveKit room is a simulated one the server is a
simulator, and a websocket session (which it offers, as the demo does) is made instead,
and from then on directly."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Select

from ...api.errors import AkoolError, SessionClosedError
from ...core.ids import short_id
from ...core.session_options import request_problems
from ...core.sessions import chat_blocker, create_request, simulated_room
from ..credits import refresh_credits
from ..readonly import mutating

if TYPE_CHECKING:
    from ...api.client import AkoolClient
    from ...api.models import Session


@dataclass
class SessionCreated(Message):
    session: Session | None
    error: str = ""
    sent: bool = True  # False: refused by the create check, nothing went to the server
    #: what happened on the way (a session made and closed again), said first
    notes: list[tuple[str, str]] = field(default_factory=list)  # (role, text)


class ChatCreate:
    """Mixed into the chat screen (which has ``_system``, ``_sessions``, ``_connect``...)."""

    #: the stream type that works with this server when the rule's does not (websocket
    #: once a simulated LiveKit room was met), None: the rule's
    _chat_stream_type: str | None = None

    @mutating("sessions.create")
    def action_new_session(self) -> None:
        self._creating = True
        self._system("Creating a session…")
        self.run_worker(self._create_session, name="chat-create", group="chat-create",
                        exclusive=True, exit_on_error=False)

    async def _create_session(self) -> None:
        client = await self.app.ctx.client()
        kind = self._chat_stream_type
        request = create_request(self.app.config.defaults, {"stream_type": kind},
                                 for_chat=True, demo=self.app.ctx.demo)
        if found := request_problems(request):  # the dialog's and the CLI's check: not sent
            self.post_message(SessionCreated(None, "Fix: " + "; ".join(map(str, found))
                                             + " (the [defaults] in the config)", sent=False))
            return
        if request["stream_type"] == "livekit" and importlib.util.find_spec("livekit") is None:
            self.post_message(SessionCreated(  # it could not be joined: not made at all
                None, "a livekit session is needed and LiveKit needs the extra: "
                      "pip install 'akool-tui[livekit]'", sent=False))
            return
        notes: list[tuple[str, str]] = []
        try:
            session = await client.create_session(**request)
            if (why := chat_blocker(session)) is not None:
                simulated = simulated_room(session)
                notes.append(await self._close_unjoinable(client, session, why))
                if not simulated:
                    self.post_message(SessionCreated(None, "", notes=notes))
                    return
                self._chat_stream_type = "websocket"
                notes.append(("system", "This server simulates its rooms: creating a "
                                        "websocket session instead."))
                session = await client.create_session(
                    **{**request, "stream_type": "websocket"})
        except Exception as exc:
            self.post_message(SessionCreated(None, str(exc) or type(exc).__name__, notes=notes))
            return
        self.post_message(SessionCreated(session, notes=notes))

    async def _close_unjoinable(self, client: AkoolClient, session: Session,
                                why: str) -> tuple[str, str]:
        """Close a session just made that this program cannot join (it holds credits)."""
        said = (f"Created session {short_id(session.id)} ({session.stream_type}), but it "
                f"cannot be joined here: {why}")
        try:
            await client.close_session(session.id)
        except SessionClosedError:
            pass
        except AkoolError as exc:
            return ("error", f"{said}; closing it failed ({exc}): it holds credits until "
                             f"closed (akool-tui sessions close {session.id}).")
        return ("error", f"{said}; closed it again (it held credits).")

    def on_session_created(self, message: SessionCreated) -> None:
        self._creating = False
        if message.sent:  # a create holds credits (or was refused for want of them)
            refresh_credits(self.app)
        for role, text in message.notes:
            self._system(text, role=role)
        if message.session is None:
            if message.error:
                self._system(f"Could not create a session: {message.error}", role="error")
            return
        s = message.session
        self._system(f"Created session {s.id} ({s.stream_type}).", role="ok")
        self._sessions = {s.id: s, **self._sessions}
        self._set_options()
        self._connect(s.id)
        self._follow_queueing()  # the picker says "(queueing)" until it is live
        with self.prevent(Select.Changed):
            self.query_one(Select).value = s.id
        self.chat_input.focus()


__all__ = ["ChatCreate", "SessionCreated"]
