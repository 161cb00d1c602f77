"""The chat's avatar actions (set-action): the picker (ctrl+g) and one palette command
per gesture and per expression.

The command goes through the chat's conversation in a worker; its ack (or refusal)
shows in the transcript like every ack (``chat_view``), a channel failure as an error
line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...stream.codec import ACTIONS, EXPRESSIONS
from ..readonly import mutating
from .action_picker import ActionPicker, humane
from .chat_channel import call_channel
from .chat_view import ChatFailed

if TYPE_CHECKING:
    from ...core.chat.conversation import Conversation


class AvatarActions:
    """Mixed into the chat screen (which has ``conversation`` and ``notify``)."""

    conversation: Conversation
    #: the last choice, offered again by the next picker
    _last_action: tuple[str, str] = ("", "")

    @mutating("session.set_action")
    def action_avatar_action(self) -> None:
        """Open the gesture / expression picker; its choice is sent."""
        if not self.conversation.alive:
            self.notify("Not connected: pick a session first (ctrl+o)", severity="warning",
                        timeout=3)
            return
        self.app.push_screen(ActionPicker(*self._last_action), self._action_picked)

    def _action_picked(self, choice: tuple[str, str] | None) -> None:
        if choice is not None:
            self._last_action = choice
            self.action_send_action(*choice)

    @mutating("session.set_action")
    def action_send_action(self, action: str = "", expression: str = "") -> None:
        """Send set-action with this gesture and / or expression (the palette's commands)."""
        if not self.conversation.alive:
            self.notify("Not connected: pick a session first (ctrl+o)", severity="warning",
                        timeout=3)
            return
        call_channel(self, lambda: self.conversation.set_action(action or None, expression or None),
                     what="set-action", group="chat-action", exclusive=False,
                     failed=lambda error: ChatFailed(f"set-action not sent: {error}"))

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for the palette: each gesture and each expression (none
        under a read-only profile: they change the live session)."""
        if getattr(self.app.config, "read_only", False):
            return []
        out = [(f"Avatar gesture: {humane(a)}", "Send set-action with this gesture",
                f"send_action('{a}', '')") for a in ACTIONS]
        out += [(f"Avatar expression: {humane(e)}", "Send set-action with this facial expression",
                 f"send_action('', '{e}')") for e in EXPRESSIONS]
        return out
