"""The console's side of read-only profiles (:mod:`akool_tui.core.readonly`).

One line per mutating action::

    @mutating("sessions.close")
    def action_close_session(self) -> None: ...

Under a read-only profile the decorated action does nothing but say why (a warning
notification: "profile 'prod' is read-only: closing sessions is off"), and its binding
is hidden from the key bar and left out of the palette (:func:`hidden`). Anywhere else
(a handler that is not an action): ``if refused(self, "sessions.create"): return``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.readonly import ACTIONS, refusal

F = TypeVar("F", bound=Callable[..., Any])

#: the attribute a guarded action method carries (its ``core.readonly`` action id)
GUARD_ATTRIBUTE = "_akool_mutates"


def refused(node: Any, action: str) -> bool:
    """True (and a notification saying why) when the app's profile is read-only."""
    message = refusal(node.app.config, action)
    if message is None:
        return False
    node.app.notify(message, title="Read-only", severity="warning", timeout=5)
    return True


def allowed(node: Any, action: str) -> bool:
    """Whether ``action`` may run under the app's profile (nothing said): words that offer
    it ("ctrl+n creates one") are left out under a read-only profile."""
    return refusal(node.app.config, action) is None


def mutating(action: str) -> Callable[[F], F]:
    """Decorate a screen's (or the app's) action method that changes the account."""
    if action not in ACTIONS:
        raise KeyError(f"unknown guarded action {action!r}: add it to core.readonly.ACTIONS")

    def decorate(method: F) -> F:
        if inspect.iscoroutinefunction(method):
            @functools.wraps(method)
            async def guarded_async(self: Any, *args: Any, **kwargs: Any) -> Any:
                if refused(self, action):
                    return None
                return await method(self, *args, **kwargs)

            wrapper: Any = guarded_async
        else:
            @functools.wraps(method)
            def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
                if refused(self, action):
                    return None
                return method(self, *args, **kwargs)

            wrapper = guarded
        setattr(wrapper, GUARD_ATTRIBUTE, action)
        return wrapper  # type: ignore[return-value]

    return decorate


def guarded_action(node: Any, action: str) -> str | None:
    """The ``core.readonly`` action id of ``node``'s action ``action`` (a binding's
    action string, e.g. ``"close_session"``), or None when it changes nothing."""
    if "(" in action or "." in action:  # "switch_mode('chat')", "app.quit": never guarded
        return None
    method = getattr(type(node), f"action_{action}", None)
    return getattr(method, GUARD_ATTRIBUTE, None)


def hidden(node: Any, action: str) -> bool:
    """Whether a binding of ``node`` should be left off the key bar and the palette:
    its action changes the account and the profile is read-only."""
    app = getattr(node, "app", None)
    return bool(app is not None and getattr(app.config, "read_only", False)
                and guarded_action(node, action) is not None)
