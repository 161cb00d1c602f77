"""The chat's ctrl+n: a session created with the saved defaults, checked first as the
new-session dialog and the CLI check it (:func:`~akool_tui.core.session_options.request_problems`:
nothing is sent when the check refuses), then connected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Select

from ...core.session_options import request_problems
from ...core.sessions import create_request
from ..credits import refresh_credits
from ..readonly import mutating

if TYPE_CHECKING:
    from ...api.models import Session


@dataclass
class SessionCreated(Message):
    session: Session | None
    error: str = ""
    sent: bool = True  # False: refused by the create check, nothing went to the server


class ChatCreate:
    """Mixed into the chat screen (which has ``_system``, ``_sessions``, ``_connect``...)."""

    @mutating("sessions.create")
    def action_new_session(self) -> None:
        self._creating = True
        self._system("Creating a session…")
        self.run_worker(self._create_session, name="chat-create", group="chat-create",
                        exclusive=True, exit_on_error=False)

    async def _create_session(self) -> None:
        client = await self.app.ctx.client()
        request = create_request(self.app.config.defaults, for_chat=True, demo=self.app.ctx.demo)
        if found := request_problems(request):  # the dialog's and the CLI's check: not sent
            self.post_message(SessionCreated(None, "Fix: " + "; ".join(map(str, found))
                                             + " (the [defaults] in the config)", sent=False))
            return
        try:
            session = await client.create_session(**request)
        except Exception as exc:
            self.post_message(SessionCreated(None, str(exc) or type(exc).__name__))
            return
        self.post_message(SessionCreated(session))

    def on_session_created(self, message: SessionCreated) -> None:
        self._creating = False
        if message.sent:  # a create holds credits (or was refused for want of them)
            refresh_credits(self.app)
        if message.session is None:
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
