"""The commands of a :class:`~akool_tui.core.chat.conversation.Conversation`
(interrupt, set-params, set-action) and the waiting for their acks."""

from __future__ import annotations

import asyncio
from typing import Any

from ...stream import channel
from ...stream.codec import Command, CommandAck, new_mid
from ...stream.codec import interrupt as interrupt_command
from ...stream.codec import set_action as set_action_command
from ...stream.codec import set_params as set_params_command
from ...stream.transport import BaseTransport, TransportError
from .events import DIALOGUE, RETELLING, Ack, CommandSent, Interrupting, describe_command


class Commands:
    """Mixed into :class:`~akool_tui.core.chat.conversation.Conversation`."""

    _commands: dict[str, Command]
    applied_background: dict[str, str]
    _waiters: dict[str, asyncio.Future[CommandAck]]
    ack_timeout: float
    mode: int

    def _ack(self, ack: CommandAck) -> None:
        command = self._commands.pop(ack.mid, None)
        data = (command.data or {}) if command is not None else {}
        what = describe_command(command) if command is not None else ack.cmd
        if ack.ok and data.get("mode") in (RETELLING, DIALOGUE):
            self.mode = data["mode"]
        if ack.ok and data.get("bgurl") and self.session is not None:
            self.applied_background[self.session.id] = data["bgurl"]
        line = self._lines.get(ack.mid)
        if line is not None and not ack.ok:  # e.g. a chat part refused as too large
            self._mark(line, "failed", f"refused ({ack.code}): {ack.msg}")
        self._emit(Ack(ack, what))
        fut = self._waiters.pop(ack.mid, None)
        if fut is not None and not fut.done():
            fut.set_result(ack)

    async def interrupt(self) -> str:
        """Ask the avatar to stop speaking (and stop the LLM's answer); returns the mid."""
        self._cancel_llm()
        transport = self._require_channel()
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
