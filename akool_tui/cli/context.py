"""What every CLI command shares: exit codes, usage errors, the command context
(arguments, config, output streams) and the wrapper of commands that call the API.

What reaches the terminal is made safe (:mod:`akool_tui.core.text`): tables and
notices through ``safe``, ``--json`` through ``safe_json_dumps``; server text (ids,
names, error messages) never reaches it as a control sequence.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from ..core.text import LINE, safe, safe_json_dumps

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..config import Config

PROG = "akool-tui"
EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: starts the console: ``console(config, *, demo=False, demo_starter=None) -> exit code``;
#: handed in by :mod:`akool_tui.launch` (the CLI never imports the console)
ConsoleStarter = Callable[..., int]


class UsageError(Exception):
    """Bad command-line input, found after argparse (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``akool-tui: <message>``) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- shared plumbing ---------------------------------------------------------------------


class Context:
    """What every command gets: parsed arguments, the config and the output streams."""

    def __init__(self, args: argparse.Namespace, config: Config,
                 console: ConsoleStarter | None = None) -> None:
        self.args = args
        self.config = config
        self.console = console

    @property
    def json(self) -> bool:
        return bool(self.args.json)

    def out(self, text: str) -> None:
        """Standard output. Tables and JSON come safe already (output.py); this is the
        last net for the rest (``closed <id>``, the config's own values)."""
        print(safe(text, limit=None, newlines=True), file=sys.stdout)

    def note(self, text: str) -> None:
        """Progress and notices: stderr, so stdout stays clean for pipes."""
        print(f"{PROG}: {safe(text, limit=LINE)}", file=sys.stderr, flush=True)

    def emit(self, value: Any, human: Callable[[], str], *, ready: bool = False) -> None:
        """Print ``value`` as JSON (``--json``) or ``human()``.

        ``ready``: ``value`` is already plain, masked data (no record conversion).
        """
        if not self.json:
            self.out(human())
        elif ready:
            self.out(safe_json_dumps(value, indent=2))
        else:
            from .output import dumps

            self.out(dumps(value))

    def require_credentials(self) -> None:
        if not self.config.has_credentials:
            from ..api.errors import ConfigError as _BaseConfigError
            from ..config import DEFAULT_PROFILE, NO_CREDENTIALS, config_path

            path = self.config.path or config_path()
            name = self.config.profile
            if bool(self.config.client_id) != bool(self.config.client_secret):
                missing = "client_secret" if self.config.client_id else "client_id"
                raise _BaseConfigError(
                    f"incomplete AKool credentials: the "
                    f"{'client secret' if missing == 'client_secret' else 'client ID'} is "
                    f"missing (AKOOL_{missing.upper()}, or {missing} in {path})")
            if name not in (DEFAULT_PROFILE, "demo"):
                raise _BaseConfigError(
                    f"profile '{name}' has no AKool credentials: set api_key (or client_id "
                    f"and client_secret) in [profiles.{name}] of {path}")
            raise _BaseConfigError(NO_CREDENTIALS.format(path=path))

    def client(self) -> AkoolClient:
        from ..api.client import AkoolClient

        return AkoolClient(**self.config.client_kwargs())


def now() -> datetime:
    return datetime.now(timezone.utc)


def mutates(action: str):
    """A command that changes the account (``core.readonly.ACTIONS``): under a read-only
    profile it exits 2 with the reason before anything is read or sent::

        @mutates("sessions.close")
        @api_command
        async def cmd_sessions_close(ctx, client): ...
    """
    from ..core.readonly import ACTIONS, ensure_writable

    if action not in ACTIONS:
        raise KeyError(f"unknown guarded action {action!r}")

    def wrap(func: Callable[[Context], int]) -> Callable[[Context], int]:
        def run(ctx: Context) -> int:
            ensure_writable(ctx.config, action)
            return func(ctx)

        run.__doc__ = func.__doc__
        run.mutates = action  # type: ignore[attr-defined]
        return run

    return wrap


def api_command(func: Callable[[Context, AkoolClient], Awaitable[int | None]]):
    """A command that talks to the API: credentials checked, one client, run to completion."""

    def run(ctx: Context) -> int:
        import asyncio  # here: `akool-tui --help` and the parser need no event loop

        ctx.require_credentials()

        async def main() -> int | None:
            async with ctx.client() as client:
                return await func(ctx, client)

        return asyncio.run(main()) or EXIT_OK

    run.__doc__ = func.__doc__
    return run
