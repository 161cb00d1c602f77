"""Commands on the chat's stream channel, run in a worker, reporting by message.

``work.call_api`` is for calls through the API client; a command on a session's stream
channel (``interrupt``, ``set-params``) goes through the chat's
:class:`~akool_tui.core.chat.conversation.Conversation` instead, and fails in the
channel's own ways too (not connected, no ack in time). The chat screen and the
settings screen both send such commands:

    call_channel(self, partial(conversation.set_params, **params), what="apply settings",
                 done=ParamsApplied, failed=lambda error: ParamsApplied(None, describe(error)))

Anything else raised is a bug: the app's worker manager reports it (see ``tui.work``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from ...api.errors import AkoolError
from ...stream.transport import TransportError
from ..work import run_reported

if TYPE_CHECKING:
    from textual.message import Message
    from textual.message_pump import MessagePump
    from textual.worker import Worker

T = TypeVar("T")

#: how a channel command fails: the channel is gone or refuses (TransportError), no
#: answer in time (TimeoutError), the socket broke (OSError), the API said no
CHANNEL_ERRORS: tuple[type[BaseException], ...] = (TransportError, TimeoutError, OSError,
                                                   AkoolError)


def describe(error: BaseException) -> str:
    """An error's text for a person (its class name when it has none)."""
    return str(error) or type(error).__name__


def call_channel(
    node: MessagePump,
    job: Callable[[], Awaitable[T]],
    *,
    what: str,
    failed: Callable[[BaseException], Message],
    done: Callable[[T], Message] | None = None,
    group: str | None = None,
    exclusive: bool = True,
) -> Worker[None]:
    """Run ``job()`` in a worker of ``node``; post ``done(result)`` or ``failed(error)``
    for a channel failure (:data:`CHANNEL_ERRORS`)."""
    return run_reported(node, job, errors=CHANNEL_ERRORS, what=what, failed=failed,
                        done=done, group=group, exclusive=exclusive)
