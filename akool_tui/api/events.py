"""What the client tells an observer (e.g. the UI status line) while it works.

Events never carry a secret: only the endpoint path, counters and the human
message of the error that caused them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger("akool_tui.api")

EventKind = Literal["retry", "token", "reauth", "request"]


@dataclass(frozen=True)
class ClientEvent:
    """One thing worth showing.

    - ``retry``: a read failed with a retryable error; the client sleeps ``delay``
      seconds before attempt number ``attempt + 1`` (``attempt`` counts from 1).
    - ``token``: a new bearer token was obtained (``attempt`` 1 = first, 2 = after 1101).
    - ``reauth``: the server said the token is invalid or expired (1101); the client
      fetches a new one and replays the request once.
    - ``request``: a request finished (its retries included) after ``duration``
      seconds; ``ok`` False with ``error_message`` when it failed.
    """

    kind: EventKind
    endpoint: str = ""
    attempt: int = 0
    delay: float = 0.0
    error_message: str = ""
    duration: float = 0.0
    ok: bool = True


EventHandler = Callable[[ClientEvent], None]


def emit(handler: EventHandler | None, event: ClientEvent) -> None:
    """Call the observer; a failing observer is logged, never breaks a request."""
    if handler is None:
        return
    try:
        handler(event)
    except Exception:  # noqa: BLE001 - the observer is UI code we do not control
        log.exception("on_event observer failed for %s", event.kind)
