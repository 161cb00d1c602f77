"""One way to call the API from the console: in a worker, reporting by message.

    call_api(self, lambda client: client.list_all_avatars(),
             done=AvatarsLoaded, what="list avatars")

runs the call in a worker once the client is ready (``app.ctx.client()``), then posts
``done(result)`` to ``node``. An :class:`~akool_tui.api.errors.AkoolError` (every
failure a user can meet: codes, network, timeouts, bad answers) becomes
``failed(error)`` when given, else a :class:`WorkFailed` that the app shows as
"Could not <what>: <error>". Anything else is a bug: the app's worker manager reports
it (a notification, the traceback to the log). Only message handlers touch widgets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.worker import Worker

    from ..api.client import AkoolClient

T = TypeVar("T")


@dataclass
class WorkFailed(Message):
    """An API call made with :func:`call_api` failed (shown by the app)."""

    what: str
    error: BaseException

    @property
    def text(self) -> str:
        return f"Could not {self.what}: {self.error}"


def run_reported(
    node: MessagePump,
    job: Callable[[], Awaitable[T]],
    *,
    errors: tuple[type[BaseException], ...],
    what: str,
    failed: Callable[[BaseException], Message],
    done: Callable[[T], Message] | None = None,
    group: str | None = None,
    exclusive: bool = True,
) -> Worker[None]:
    """Run ``job()`` in a worker of ``node``; post ``done(result)``, or ``failed(error)``
    for one of ``errors`` (anything else is a bug the app's worker manager reports)."""

    async def work() -> None:
        try:
            result = await job()
        except errors as error:
            node.post_message(failed(error))
            return
        if done is not None:
            node.post_message(done(result))

    return node.run_worker(work, name=what, group=group or what, exclusive=exclusive)


def call_api(
    node: MessagePump,
    job: Callable[[AkoolClient], Awaitable[T]],
    *,
    what: str,
    done: Callable[[T], Message] | None = None,
    failed: Callable[[BaseException], Message] | None = None,
    group: str | None = None,
    exclusive: bool = True,
) -> Worker[None]:
    """Run ``job(client)`` in a worker of ``node``; post ``done(result)`` or the error."""
    from ..api.errors import AkoolError

    async def with_client() -> T:
        return await job(await node.app.ctx.client())

    return run_reported(node, with_client, errors=(AkoolError,), what=what, done=done,
                        failed=failed or (lambda error: WorkFailed(what, error)),
                        group=group, exclusive=exclusive)


def message(cls: type[Message], **fields: Any) -> Callable[[Any], Message]:
    """``done=message(Loaded, kind="voices")``: a factory posting ``cls(result, **fields)``."""
    return lambda result: cls(result, **fields)
