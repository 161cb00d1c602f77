"""Read-only profiles: THE guard every mutating action goes through, in both front ends.

A profile with ``read_only = true`` (``[profiles.NAME]`` in the config) may look at
everything and change nothing on the account: no session is created or closed, no
avatar uploaded, no live session's parameters changed, no knowledge base edited, and
the config is not written. Operating an open conversation (typing chat lines,
interrupting the avatar) is not a change of the account's state and stays allowed.

One line adds the guard to a new mutating action:

- CLI (before anything is sent; exit 2 with the message)::

      ensure_writable(ctx.config, "knowledge.edit")

- console: decorate the screen's action method (the binding is then hidden from the
  footer and the palette, and its key says why it does nothing)::

      @mutating("knowledge.edit")          # akool_tui.tui.readonly
      def action_delete(self) -> None: ...

  or, inside any other handler, ``if refused(self, "knowledge.edit"): return``.

An action not in :data:`ACTIONS` yet is added here with the words the message uses.
No Textual, no printing.
"""

from __future__ import annotations

from typing import Any

from ..api.errors import ConfigError

#: action id -> what the refusal calls it ("... read-only: <this> is off")
ACTIONS: dict[str, str] = {
    "sessions.create": "creating sessions",
    "sessions.close": "closing sessions",
    "avatars.upload": "uploading avatars",
    "session.set_params": "changing a live session's parameters",
    "session.set_action": "sending actions to a live session",
    "knowledge.edit": "creating, editing and deleting knowledge bases",
    "config.write": "saving the config",
}


class ReadOnlyProfile(ConfigError):
    """A mutating action asked for under a read-only profile (the CLI exits 2)."""

    def __init__(self, profile: str, action: str) -> None:
        super().__init__(refusal_text(profile, action))
        self.profile = profile
        self.action = action


def refusal_text(profile: str, action: str) -> str:
    what = ACTIONS.get(action, action)
    return f"profile '{profile}' is read-only: {what} is off"


def is_read_only(config: Any) -> bool:
    return bool(getattr(config, "read_only", False))


def refusal(config: Any, action: str) -> str | None:
    """The message refusing ``action`` under ``config``'s profile, or None when allowed."""
    if action not in ACTIONS:
        raise KeyError(f"unknown guarded action {action!r}: add it to core.readonly.ACTIONS")
    if not is_read_only(config):
        return None
    return refusal_text(getattr(config, "profile", "default") or "default", action)


def ensure_writable(config: Any, action: str) -> None:
    """Raise :class:`ReadOnlyProfile` when ``config``'s profile is read-only."""
    if refusal(config, action) is not None:
        raise ReadOnlyProfile(getattr(config, "profile", "default") or "default", action)
