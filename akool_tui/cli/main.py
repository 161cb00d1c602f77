"""``akool-tui``: the console, and a headless CLI for scripting over SSH.

The parser is :mod:`.parser`; the simulator, serve and the console are started by
:mod:`.starters`; this module loads the config, runs the command and turns its errors
into exit codes. Start-up stays fast: the API error types are imported only when an
error is reported, and ``akool-tui --help`` loads little beyond argparse.

Exit codes: 0 success, 1 an API / network error, 2 a usage or config error,
130 interrupted. Every failure is one line on stderr: ``akool-tui: <message>``.

What reaches the terminal is made safe (:mod:`akool_tui.core.text`): tables and
notices through ``safe``, ``--json`` through ``safe_json_dumps``; server text (ids,
names, error messages) never reaches it as a control sequence.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.text import LINE, safe
from .context import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    ConsoleStarter,
    Context,
    UsageError,
)
from .parser import (
    build_parser,
    cmd_avatars_upload,
    cmd_sessions_create,
    cmd_sessions_close,
    cmd_simulator,
)

if TYPE_CHECKING:
    import argparse

    from ..config import Config

__all__ = ["UsageError", "build_parser", "main", "run"]


def _load(args: argparse.Namespace, stack: contextlib.ExitStack) -> Config:
    from ..config import load_config

    demo = args.demo and not getattr(args, "offline", False)  # (history: no simulator)
    profile = args.profile
    if args.demo:
        from .starters import demo_profile

        profile = demo_profile(args)
    config = load_config(args.config, missing_ok=args.config is None, profile=profile)
    for warning in config.load_warnings:  # (the console shows them too)
        print(f"akool-tui: warning: {safe(warning)}", file=sys.stderr)
    if demo:
        from ..demo import demo_config, start_demo

        return demo_config(stack.enter_context(start_demo()), base=config)
    if args.base_url:
        from ..core.validators import validate_base_url

        problem = validate_base_url(args.base_url)
        if problem:
            raise UsageError(f"--base-url: expected {problem}")
        config.override("base_url", args.base_url, "flag")  # for this run only: never saved
    return config


#: commands whose effect a per-command demo simulator forgets at once (they say so)
_CHANGES_DEMO_STATE = (cmd_sessions_create, cmd_sessions_close, cmd_avatars_upload)


def run(argv: Sequence[str] | None = None, *, console: ConsoleStarter | None = None) -> int:
    """Parse ``argv`` and run the command; raises on error (see :func:`main`).
    Without ``console`` (or without a terminal) no command prints the sessions table."""
    args = build_parser().parse_args(argv)
    create_options = sys.modules.get(f"{__package__}.create_options")
    if create_options is not None:  # loaded with `sessions create`'s own parser
        create_options.refuse_flags(args)  # every refused flag at once, nothing started or sent
    func = getattr(args, "func", None)
    if func is cmd_simulator:
        return cmd_simulator(args)
    if func is None:  # no command: the console (or, without a terminal, the sessions)
        from .starters import cmd_console, console_possible, demo_console

        if args.demo and console is not None and console_possible(console):
            return demo_console(args, console)
        func = cmd_console
    with contextlib.ExitStack() as stack:
        ctx = Context(args, _load(args, stack), console)
        if args.demo and func in _CHANGES_DEMO_STATE:
            ctx.note("--demo: this command runs against a fresh simulator that stops when it "
                     "ends; nothing it creates or closes is kept for the next command (run "
                     "`akool-tui simulator` and --base-url to keep one across commands)")
        return func(ctx)


def _fail(message: str, code: int) -> int:
    """The one error line: server messages are quoted in it, made safe (one line)."""
    if sys.stderr is not None:  # closed (`2>&-`): the exit code says it
        print(f"{PROG}: {safe(message, limit=LINE)}", file=sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None, *, console: ConsoleStarter | None = None) -> int:
    """Run a command: returns the exit code, never shows a traceback."""
    if sys.stdout is None:  # `>&-`: nowhere to write what was asked for
        return _fail("standard output is closed", EXIT_API)
    try:
        code = run(argv, console=console)
        sys.stdout.flush()  # a closed pipe fails here, in the handler below, not at exit
        return code
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except UsageError as error:
        return _fail(str(error), EXIT_USAGE)
    except BrokenPipeError:  # "akool-tui sessions list | head": the reader has all it wants
        # what is still buffered goes to /dev/null, so the flush at exit cannot fail
        # ("Exception ignored ... BrokenPipeError") either
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        from ..api.errors import AkoolError, ConfigError  # here: only when something failed

        if isinstance(error, ConfigError):  # also the config file's own ConfigError
            return _fail(str(error), EXIT_USAGE)
        if isinstance(error, AkoolError):
            return _fail(str(error), EXIT_API)
        if isinstance(error, OSError):
            return _fail(error.strerror or str(error), EXIT_API)
        if os.environ.get("AKOOL_TUI_DEBUG"):  # a bug: still one line, the traceback on request
            raise
        return _fail(f"unexpected error ({type(error).__name__}): {error}; "
                     "set AKOOL_TUI_DEBUG=1 for details", EXIT_API)


if __name__ == "__main__":
    sys.exit(main())
