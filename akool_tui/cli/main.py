"""``akool-tui``: the console, and a headless CLI for scripting over SSH.

Start-up stays fast: building the parser imports no command module (a command is
named by module and function, :class:`_Command`, and imported when it runs), nor
asyncio, httpx, Textual, the simulator or textual-serve, nor the API error types
(imported when an error is reported): ``akool-tui --help`` loads little beyond
argparse.

Exit codes: 0 success, 1 an API / network error, 2 a usage or config error,
130 interrupted. Every failure is one line on stderr: ``akool-tui: <message>``.

What reaches the terminal is made safe (:mod:`akool_tui.core.text`): tables and
notices through ``safe``, ``--json`` through ``safe_json_dumps``; server text (ids,
names, error messages) never reaches it as a control sequence.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
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
from .context import Parser as _Parser

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["UsageError", "build_parser", "main", "run"]


# -- argument types ----------------------------------------------------------------

_STATUS_NAMES = {"queueing": 1, "queued": 1, "live": 2, "processing": 2,
                 "closed": 3, "completed": 3, "failed": 4}


def _status(text: str) -> int:
    value = _STATUS_NAMES.get(text.lower()) or (int(text) if text.isdigit() else None)
    if value not in (1, 2, 3, 4):
        raise argparse.ArgumentTypeError(
            f"invalid status {text!r}: use 1-4 or queueing, live, closed, failed")
    return value


def _checked(validator: str, convert: Callable[[str], Any] = str, **options: Any):
    """An argparse type from a shared validator (named: :mod:`akool_tui.core.validators`
    is imported when a value is checked, not when the parser is built)."""

    def parse(text: str) -> Any:
        from ..core import validators

        problem = getattr(validators, validator)(text, **options)
        if problem:
            raise argparse.ArgumentTypeError(f"expected {problem}, got {text!r}")
        return convert(text)

    return parse


class _Command:
    """A command function named by its module in this package and its name, imported
    when it runs (a parser default: ``args.func(ctx)``)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, ctx: Context) -> int | None:
        import importlib

        return getattr(importlib.import_module(f"{__package__}.{self.module}"), self.name)(ctx)

    def __repr__(self) -> str:
        return f"_Command({self.module!r}, {self.name!r})"


cmd_sessions_list = _Command("sessions", "cmd_sessions_list")
cmd_sessions_show = _Command("sessions", "cmd_sessions_show")
cmd_sessions_create = _Command("sessions", "cmd_sessions_create")
cmd_sessions_close = _Command("sessions", "cmd_sessions_close")
cmd_avatars_list = _Command("catalog", "cmd_avatars_list")
cmd_avatars_upload = _Command("catalog", "cmd_avatars_upload")
cmd_voices_list = _Command("catalog", "cmd_voices_list")
cmd_languages_list = _Command("catalog", "cmd_languages_list")
cmd_config_path = _Command("config_cmd", "cmd_config_path")
cmd_config_show = _Command("config_cmd", "cmd_config_show")
cmd_config_profiles = _Command("config_cmd", "cmd_config_profiles")
cmd_credit = _Command("catalog", "cmd_credit")


# -- the parser -----------------------------------------------------------------------


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Global options, accepted before or after the subcommand.

    Subcommand copies default to SUPPRESS so they never reset a value given
    before the subcommand.
    """
    d = (lambda value: value) if top else (lambda _value: argparse.SUPPRESS)
    g = parser.add_argument_group("global options")
    g.add_argument("--demo", action="store_true", default=d(False),
                   help="run against a bundled simulator with realistic data (offline)")
    g.add_argument("--base-url", metavar="URL", default=d(None),
                   help="API base URL (default https://openapi.akool.com; env AKOOL_BASE_URL)")
    g.add_argument("--config", metavar="PATH", default=d(None),
                   help="config file (default $AKOOL_TUI_CONFIG or "
                        "$XDG_CONFIG_HOME/akool-tui/config.toml)")
    g.add_argument("--profile", metavar="NAME", default=d(None),
                   help="the config's [profiles.NAME] to use (env AKOOL_PROFILE; default "
                        "the config's default_profile, else its top-level keys)")
    g.add_argument("--json", action="store_true", default=d(False),
                   help="print JSON for machines instead of tables")


#: an ID that matches several sessions exits 2 (the matches listed), one matching none 1
ID_HELP = "a session ID, or a unique prefix or suffix of it (as the console shows it)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Terminal operator console for AKool's Live (Streaming) Avatar service. "
                    "Without a command it opens the console.",
        epilog="Credentials: AKOOL_API_KEY, or AKOOL_CLIENT_ID + AKOOL_CLIENT_SECRET, "
               "or the config file. Try it offline: akool-tui --demo",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def group(name: str, help_: str) -> argparse._SubParsersAction:
        p = commands.add_parser(name, help=help_, description=help_)
        _global_options(p, top=False)
        return p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def command(sub: argparse._SubParsersAction, name: str, help_: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        _global_options(p, top=False)
        p.set_defaults(func=func)
        return p

    sessions = group("sessions", "live avatar sessions")
    p = command(sessions, "list", "list sessions, newest first", cmd_sessions_list)
    p.add_argument("--status", type=_status, metavar="N",
                   help="only 1 queueing, 2 live, 3 closed or 4 failed (number or name)")
    p.add_argument("--jsonl", action="store_true",
                   help="print JSON Lines: one session a line, written as the pages arrive")
    p = command(sessions, "show", "show one session (credentials masked)", cmd_sessions_show)
    p.add_argument("id", metavar="ID", help=ID_HELP)
    p = command(sessions, "create", "start a session (credits are held for its duration)",
                cmd_sessions_create)
    p.add_argument("--avatar", metavar="ID", type=_checked("validate_session_avatar_id"),
                   help="avatar id (default: [defaults] avatar_id)")
    p.add_argument("--duration", metavar="S", type=_checked("validate_duration", int),
                   help="seconds, 1..3600 (default: [defaults] duration)")
    p.add_argument("--stream-type", metavar="T", type=_checked("validate_stream_type"),
                   help="agora, livekit, trtc (or websocket on the simulator)")
    p.add_argument("--voice", metavar="V", help="voice id")
    p.add_argument("--lang", metavar="L", help="language code, e.g. en")
    p.add_argument("--mode", metavar="1|2", type=_checked("validate_mode_type", int),
                   help="1 retelling (speaks your text), 2 dialogue (AKool's LLM answers)")
    p.add_argument("--background", metavar="URL",
                   type=_checked("validate_http_url", allow_empty=True),
                   help="background image or video URL")
    p.add_argument("--speed", metavar="X", type=_checked("validate_speed", float),
                   help="voice speed 0.8..1.2")
    from . import create_options  # argparse only

    create_options.add_arguments(p)  # --knowledge, --params-file, --scene-mode, --credentials-file
    p = command(sessions, "close", "close sessions", cmd_sessions_close)
    p.add_argument("ids", metavar="ID", nargs="+", help=ID_HELP)

    avatars = group("avatars", "streaming avatars")
    p = command(avatars, "list", "list streaming avatars", cmd_avatars_list)
    p.add_argument("--platform", choices=("open", "aigc", "all"), default="all",
                   help="open: made through the API, aigc: made in AKool's web app, "
                        "all: both (default)")
    p = command(avatars, "upload", "upload a streaming avatar from a video URL", cmd_avatars_upload)
    p.add_argument("--url", required=True, type=_checked("validate_http_url"),
                   help="video (or image) URL")
    p.add_argument("--avatar-id", required=True, metavar="ID",
                   type=_checked("validate_avatar_id"), help="new avatar id (letters and digits)")
    p.add_argument("--name", required=True, metavar="N", type=_checked("validate_avatar_name"),
                   help="display name (required)")
    p.add_argument("--url-from", type=int, choices=(1, 2), default=1,
                   help="1 an ordinary URL (default), 2 a URL from another AKool product")
    p.add_argument("--wait", action="store_true",
                   help="wait until the upload succeeds or fails; progress on stderr")
    p.add_argument("--timeout", type=float, default=600.0, metavar="S",
                   help="give up waiting after S seconds (default 600)")

    voices = group("voices", "voices usable with streaming avatars")
    p = command(voices, "list", "list voices", cmd_voices_list)
    p.add_argument("--type", type=int, choices=(1, 2), default=2,
                   help="1 your cloned voices, 2 AKool's voices (default)")

    languages = group("languages", "languages")
    command(languages, "list", "list languages", cmd_languages_list)

    from .knowledge import add_commands as knowledge_commands  # light: commands import lazily

    knowledge_commands(group, command)
    p = commands.add_parser("credit", help="print the account's credit balance",
                            description="Print the account's credit balance (credits held "
                                        "by open sessions are already taken).")
    _global_options(p, top=False)
    p.set_defaults(func=cmd_credit)

    config = group("config", "the config file")
    command(config, "path", "print the config file path", cmd_config_path)
    command(config, "show", "print the effective config (secrets masked)", cmd_config_show)
    command(config, "profiles", "list the profiles (the one in use marked)", cmd_config_profiles)

    from .history import add_history_commands  # argparse only; core.history when run
    add_history_commands(group("history", "the recorded conversations"), command)

    # the simulator's own options are parsed in cmd_simulator, so that building this
    # parser never imports the simulator: everything after "simulator" is passed on
    p = commands.add_parser("simulator", help="run the bundled AKool simulator server",
                            add_help=False, prefix_chars="\0")
    p.add_argument("args", nargs=argparse.REMAINDER,
                   help="simulator options (see 'akool-tui simulator --help')")
    p.set_defaults(func=cmd_simulator)

    p = commands.add_parser("serve", help="serve the console in a web browser (textual-serve)",
                            description="Serve the console in a web browser (textual-serve).")
    _global_options(p, top=False)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--no-token", action="store_true",
                   help="serve without the per-run token in the URL (any local user or "
                        "process could open the console)")
    p.set_defaults(func=cmd_serve)
    return parser


# -- simulator, serve, console --------------------------------------------------------------------


def cmd_simulator(args: argparse.Namespace) -> int:
    """Serve the simulator in the foreground (needs no config and no credentials)."""
    from ..demo import run_simulator

    parser = _Parser(prog=f"{PROG} simulator",
                     description="Run the bundled AKool simulator (same API as the service).")
    try:
        run_simulator(parser, [x for x in args.args if x != "--demo"])
    except ValueError as error:
        raise UsageError(str(error)) from None
    return EXIT_OK


def cmd_serve(ctx: Context) -> int:
    """The console in a browser, behind an Origin check and a per-run token (serve.py)."""
    import shlex

    from ..api.errors import ConfigError
    from ..core import validators as v

    if importlib.util.find_spec("textual_serve") is None:
        raise ConfigError(
            "serving in a browser needs textual-serve: pip install 'akool-tui[serve]'")
    from ..serve import GatedServer, new_token

    a = ctx.args
    if not (1 <= a.port <= 65535):
        raise UsageError(f"invalid port {a.port}: use 1-65535")
    if not v.is_loopback_host(a.host):
        ctx.note(f"warning: {a.host} is not a loopback address; anyone who can reach "
                 f"port {a.port} and has the URL gets the console and its credentials")
    if a.no_token:
        ctx.note("warning: --no-token: any user or process that can reach "
                 f"{a.host}:{a.port} opens the console and its credentials without a token")
    argv = [sys.executable, "-m", "akool_tui"]
    if a.demo:
        argv.append("--demo")
    if a.config:
        argv += ["--config", os.path.abspath(a.config)]
    if a.base_url:
        argv += ["--base-url", a.base_url]
    if a.profile:
        argv += ["--profile", a.profile]
    GatedServer(shlex.join(argv), host=a.host, port=a.port, title=PROG,
                token=None if a.no_token else new_token()).serve()
    return EXIT_OK


#: the driver textual-serve starts the console with (over pipes, no terminal)
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def _console_possible(console: ConsoleStarter | None) -> bool:
    """A terminal on both ends, or textual-serve's web driver (``akool-tui serve``: the
    console runs over pipes and paints in the browser)."""
    if console is None:
        return False
    if os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER:
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def _demo_console(args: argparse.Namespace, console: ConsoleStarter) -> int:
    """`akool-tui --demo`: the console paints first, the simulator starts behind it."""
    from ..config import load_config

    config = load_config(args.config, missing_ok=args.config is None, profile=_demo_profile(args))

    def start():
        from ..demo import demo_config, start_demo

        return demo_config(start_demo(), base=config)

    return console(_demo_placeholder(config), demo_starter=start)


def _demo_placeholder(base: Config) -> Config:
    """The demo config before the simulator has a port (nothing is sent to it)."""
    import dataclasses

    config = dataclasses.replace(base, path=None, env_values=dict(base.env_values),
                                 file_values=dict(base.file_values),
                                 override_sources=dict(base.override_sources),
                                 profile="demo", profiles={}, read_only=False, color="")
    for key, value in (("base_url", "http://127.0.0.1"), ("api_key", "demo"),
                       ("client_id", ""), ("client_secret", "")):
        config.override(key, value, "demo")
    return config


def cmd_console(ctx: Context) -> int:
    """No command: the console on a terminal, else (or until it exists) the sessions table."""
    if _console_possible(ctx.console):
        return ctx.console(ctx.config, demo=bool(ctx.args.demo))
    return cmd_sessions_list(ctx)


# -- main ---------------------------------------------------------------------------------------


def _demo_profile(args: argparse.Namespace) -> str:
    """``--demo`` runs as its own profile "demo" (the file's top level gives it the
    preferences); the user's profiles are not read for it."""
    if args.base_url:
        raise UsageError("--demo and --base-url cannot be combined")
    if args.profile:
        raise UsageError("--demo and --profile cannot be combined: the demo is a profile "
                         "of its own")
    return "default"


def _load(args: argparse.Namespace, stack: contextlib.ExitStack) -> Config:
    from ..config import load_config

    demo = args.demo and not getattr(args, "offline", False)  # (history: no simulator)
    config = load_config(args.config, missing_ok=args.config is None,
                         profile=_demo_profile(args) if args.demo else args.profile)
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
    from .create_options import refuse_flags  # loaded with the parser

    refuse_flags(args)  # every refused create flag at once, nothing started or sent
    func = getattr(args, "func", None)
    if func is cmd_simulator:
        return cmd_simulator(args)
    if func is None and args.demo and console is not None and _console_possible(console):
        return _demo_console(args, console)
    with contextlib.ExitStack() as stack:
        ctx = Context(args, _load(args, stack), console)
        if args.demo and func in _CHANGES_DEMO_STATE:
            ctx.note("--demo: this command runs against a fresh simulator that stops when it "
                     "ends; nothing it creates or closes is kept for the next command (run "
                     "`akool-tui simulator` and --base-url to keep one across commands)")
        return (func or cmd_console)(ctx)


def _fail(message: str, code: int) -> int:
    """The one error line: server messages are quoted in it, made safe (one line)."""
    print(f"{PROG}: {safe(message, limit=LINE)}", file=sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None, *, console: ConsoleStarter | None = None) -> int:
    """Run a command: returns the exit code, never shows a traceback."""
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
