"""``akool-tui``: the console, and a headless CLI for scripting over SSH.

Start-up stays fast: httpx, Textual, the simulator and textual-serve are
imported inside the commands that need them, so ``akool-tui --help`` imports
none of them.

Exit codes: 0 success, 1 an API / network error, 2 a usage or config error,
130 interrupted. Every failure is one line on stderr: ``akool-tui: <message>``.

What reaches the terminal is made safe (:mod:`akool_tui.core.text`): tables and
notices through ``safe``, ``--json`` through ``safe_json_dumps``; server text (ids,
names, error messages) never reaches it as a control sequence.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from .. import __version__
from ..core import validators as v
from ..api.errors import AkoolError, NotFoundError, ParamError, SessionClosedError
from ..api.errors import ConfigError as _BaseConfigError
from ..core.text import LINE, safe, safe_json_dumps

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..config import Config

PROG = "akool-tui"
EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
UPLOAD_POLL_INTERVAL = 0.5  # seconds between avatar upload status checks
NO_CREDENTIALS = (
    "no AKool credentials: set AKOOL_API_KEY (or AKOOL_CLIENT_ID and AKOOL_CLIENT_SECRET), "
    "put them in {path}, or try the offline demo: akool-tui --demo"
)


class UsageError(Exception):
    """Bad command-line input, found after argparse (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``akool-tui: <message>``) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# -- argument types ----------------------------------------------------------------

_STATUS_NAMES = {"queueing": 1, "queued": 1, "live": 2, "processing": 2,
                 "closed": 3, "completed": 3, "failed": 4}


def _status(text: str) -> int:
    value = _STATUS_NAMES.get(text.lower()) or (int(text) if text.isdigit() else None)
    if value not in (1, 2, 3, 4):
        raise argparse.ArgumentTypeError(
            f"invalid status {text!r}: use 1-4 or queueing, live, closed, failed")
    return value


def _checked(validator: Callable[[Any], str | None], convert: Callable[[str], Any] = str):
    """An argparse type from a shared validator."""

    def parse(text: str) -> Any:
        problem = validator(text)
        if problem:
            raise argparse.ArgumentTypeError(f"expected {problem}, got {text!r}")
        return convert(text)

    return parse


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
    g.add_argument("--json", action="store_true", default=d(False),
                   help="print JSON for machines instead of tables")


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
    p = command(sessions, "show", "show one session (credentials masked)", cmd_sessions_show)
    p.add_argument("id", metavar="ID")
    p = command(sessions, "create", "start a session (credits are held for its duration)",
                cmd_sessions_create)
    p.add_argument("--avatar", metavar="ID", type=_checked(v.validate_session_avatar_id),
                   help="avatar id (default: [defaults] avatar_id)")
    p.add_argument("--duration", metavar="S", type=_checked(v.validate_duration, int),
                   help="seconds, 1..3600 (default: [defaults] duration)")
    p.add_argument("--stream-type", metavar="T", type=_checked(v.validate_stream_type),
                   help="agora, livekit, trtc (or websocket on the simulator)")
    p.add_argument("--voice", metavar="V", help="voice id")
    p.add_argument("--lang", metavar="L", help="language code, e.g. en")
    p.add_argument("--mode", metavar="1|2", type=_checked(v.validate_mode_type, int),
                   help="1 retelling (speaks your text), 2 dialogue (AKool's LLM answers)")
    p.add_argument("--background", metavar="URL",
                   type=_checked(lambda x: v.validate_http_url(x, allow_empty=True)),
                   help="background image or video URL")
    p.add_argument("--speed", metavar="X", type=_checked(v.validate_speed, float),
                   help="voice speed 0.8..1.2")
    p = command(sessions, "close", "close sessions", cmd_sessions_close)
    p.add_argument("ids", metavar="ID", nargs="+")

    avatars = group("avatars", "streaming avatars")
    command(avatars, "list", "list streaming avatars", cmd_avatars_list)
    p = command(avatars, "upload", "upload a streaming avatar from a video URL", cmd_avatars_upload)
    p.add_argument("--url", required=True, type=_checked(v.validate_http_url),
                   help="video (or image) URL")
    p.add_argument("--avatar-id", required=True, metavar="ID",
                   type=_checked(v.validate_avatar_id), help="new avatar id (letters and digits)")
    p.add_argument("--name", metavar="N", help="display name")
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

    config = group("config", "the config file")
    command(config, "path", "print the config file path", cmd_config_path)
    command(config, "show", "print the effective config (secrets masked)", cmd_config_show)

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
            from ..config import config_path

            raise _BaseConfigError(NO_CREDENTIALS.format(path=self.config.path or config_path()))

    def client(self) -> AkoolClient:
        from ..api.client import AkoolClient

        return AkoolClient(**self.config.client_kwargs())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _api(func: Callable[[Context, AkoolClient], Awaitable[int | None]]):
    """A command that talks to the API: credentials checked, one client, run to completion."""

    def run(ctx: Context) -> int:
        ctx.require_credentials()

        async def main() -> int | None:
            async with ctx.client() as client:
                return await func(ctx, client)

        return asyncio.run(main()) or EXIT_OK

    run.__doc__ = func.__doc__
    return run


# -- sessions ---------------------------------------------------------------------------


@_api
async def cmd_sessions_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, sessions_table

    sessions = await client.list_all_sessions(status=getattr(ctx.args, "status", None))
    sessions.sort(key=lambda s: s.create_time or datetime.min.replace(tzinfo=timezone.utc),
                  reverse=True)

    def human() -> str:
        summary = f"{count(len(sessions), 'session')}, {sum(s.is_open for s in sessions):,} open"
        return (sessions_table(sessions, _now()) + "\n\n" + summary) if sessions else summary

    ctx.emit(sessions, human)


@_api
async def cmd_sessions_show(ctx: Context, client: AkoolClient) -> None:
    from .output import session_details

    session = await client.session_detail(ctx.args.id)
    ctx.emit(session, lambda: session_details(session, _now()))


@_api
async def cmd_sessions_create(ctx: Context, client: AkoolClient) -> None:
    from .output import session_details

    a, d = ctx.args, ctx.config.defaults
    speed = a.speed if a.speed is not None else d.speed
    session = await client.create_session(
        a.avatar or d.avatar_id,
        a.duration or d.duration,
        voice_id=a.voice or d.voice_id or None,
        language=a.lang or d.language or None,
        mode_type=a.mode or d.mode_type,
        background_url=a.background or d.background_url or None,
        voice_params={"speed": speed} if speed != 1.0 else None,
        stream_type=a.stream_type or d.stream_type,
    )
    ctx.emit(session, lambda: session_details(session, _now()))


@_api
async def cmd_sessions_close(ctx: Context, client: AkoolClient) -> int:
    failed = 0
    results = []
    for session_id in dict.fromkeys(ctx.args.ids):  # once each, in order
        try:
            await client.close_session(session_id)
        except (NotFoundError, SessionClosedError, ParamError) as error:
            # about this id only: report it and go on with the others
            failed += 1
            results.append({"id": session_id, "closed": False, "error": str(error)})
            ctx.note(f"{session_id}: {error}")
            continue
        results.append({"id": session_id, "closed": True})
        if not ctx.json:
            ctx.out(f"closed {session_id}")
    if ctx.json:
        ctx.emit(results, str, ready=True)
    return EXIT_API if failed else EXIT_OK


# -- avatars ----------------------------------------------------------------------------


@_api
async def cmd_avatars_list(ctx: Context, client: AkoolClient) -> None:
    from .output import avatars_table, count

    avatars = await client.list_all_avatars()
    ctx.emit(avatars, lambda: (avatars_table(avatars, _now()) + "\n\n" if avatars else "")
             + count(len(avatars), "avatar"))


@_api
async def cmd_avatars_upload(ctx: Context, client: AkoolClient) -> int:
    from ..api.models import AvatarStatus
    from .output import avatar_details

    a = ctx.args
    avatar = await client.create_avatar(a.url, a.avatar_id, name=a.name, url_from=a.url_from)
    if a.wait and avatar.status not in (AvatarStatus.SUCCESS, AvatarStatus.FAILED):
        if not avatar.id:
            raise AkoolError("the upload answer has no record id to follow")
        started = time.monotonic()
        shown = None
        while avatar.status not in (AvatarStatus.SUCCESS, AvatarStatus.FAILED):
            elapsed = time.monotonic() - started
            if avatar.status != shown:
                shown = avatar.status
                ctx.note(f"avatar {a.avatar_id}: {avatar.status_label} ({elapsed:.0f} s)")
            if elapsed > a.timeout:
                raise AkoolError(f"avatar {a.avatar_id} is still {avatar.status_label} "
                                 f"after {a.timeout:g} s")
            await asyncio.sleep(UPLOAD_POLL_INTERVAL)
            avatar = await client.avatar_upload_status(avatar.id)
        ctx.note(f"avatar {a.avatar_id}: {avatar.status_label} "
                 f"({time.monotonic() - started:.0f} s)")
    ctx.emit(avatar, lambda: avatar_details(avatar, _now()))
    if avatar.status is AvatarStatus.FAILED:
        ctx.note(f"the upload of avatar {a.avatar_id} failed")
        return EXIT_API
    return EXIT_OK


# -- voices, languages ------------------------------------------------------------------------


@_api
async def cmd_voices_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, voices_table

    voices = await client.list_all_voices(ctx.args.type)
    ctx.emit(voices, lambda: (voices_table(voices) + "\n\n" if voices else "")
             + count(len(voices), "voice"))


@_api
async def cmd_languages_list(ctx: Context, client: AkoolClient) -> None:
    from .output import count, languages_table

    languages = await client.list_languages()
    ctx.emit(languages, lambda: (languages_table(languages) + "\n\n" if languages else "")
             + count(len(languages), "language"))


# -- config -------------------------------------------------------------------------------------


def cmd_config_path(ctx: Context) -> int:
    from ..config import config_path

    path = ctx.config.path or config_path()
    ctx.emit({"path": str(path), "exists": path.exists()}, lambda: str(path), ready=True)
    return EXIT_OK


def cmd_config_show(ctx: Context) -> int:
    """The effective config as TOML (secrets masked), each top-level value's source noted."""
    import tomli_w

    from ..config import ENV_OVERRIDES, config_path

    cfg = ctx.config
    data = cfg.to_dict(masked=True)
    path = None if ctx.args.demo else (cfg.path or config_path())
    env_names = {key: var for var, key in ENV_OVERRIDES.items()}
    sources = {k: cfg.source_of(k) for k in ("base_url", "api_key", "client_id", "client_secret",
                                              "refresh_interval")}
    if ctx.args.demo:
        sources = dict.fromkeys(sources, "demo")

    def human() -> str:
        if path is None:
            where = "# demo mode: nothing is read from or written to disk"
        else:
            where = f"# {path}" + ("" if path.exists() else " (not created yet)")
        lines = [where, f"# auth: {cfg.auth_mode}"]
        in_table = False
        for line in tomli_w.dumps(data).splitlines():
            in_table = in_table or line.startswith("[")
            key = line.split(" = ", 1)[0]
            source = None if in_table or " = " not in line else sources.get(key)
            if source == "env":
                source = f"env {env_names[key]}"
            lines.append(f"{line}  # {source}" if source else line)
        return "\n".join(lines)

    ctx.emit({"path": str(path) if path else None, "auth_mode": cfg.auth_mode,
              "sources": sources, "config": data}, human, ready=True)
    return EXIT_OK


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

    if importlib.util.find_spec("textual_serve") is None:
        raise _BaseConfigError(
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
    GatedServer(shlex.join(argv), host=a.host, port=a.port, title=PROG,
                token=None if a.no_token else new_token()).serve()
    return EXIT_OK


#: starts the console: ``console(config, *, demo=False, demo_starter=None) -> exit code``;
#: handed in by :mod:`akool_tui.launch` (the CLI never imports the console)
ConsoleStarter = Callable[..., int]


def _console_possible(console: ConsoleStarter | None) -> bool:
    return console is not None and sys.stdin.isatty() and sys.stdout.isatty()


def _demo_console(args: argparse.Namespace, console: ConsoleStarter) -> int:
    """`akool-tui --demo`: the console paints first, the simulator starts behind it."""
    from ..config import load_config

    if args.base_url:
        raise UsageError("--demo and --base-url cannot be combined")
    config = load_config(args.config, missing_ok=args.config is None)

    def start():
        from ..demo import demo_config, start_demo

        return demo_config(start_demo(), base=config)

    return console(_demo_placeholder(config), demo_starter=start)


def _demo_placeholder(base: Config) -> Config:
    """The demo config before the simulator has a port (nothing is sent to it)."""
    import dataclasses

    config = dataclasses.replace(base, path=None, env_values=dict(base.env_values),
                                 file_values=dict(base.file_values),
                                 override_sources=dict(base.override_sources))
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


def _load(args: argparse.Namespace, stack: contextlib.ExitStack) -> Config:
    from ..config import load_config

    config = load_config(args.config, missing_ok=args.config is None)
    if args.demo:
        if args.base_url:
            raise UsageError("--demo and --base-url cannot be combined")
        from ..demo import demo_config, start_demo

        return demo_config(stack.enter_context(start_demo()), base=config)
    if args.base_url:
        problem = v.validate_base_url(args.base_url)
        if problem:
            raise UsageError(f"--base-url: expected {problem}")
        config.override("base_url", args.base_url, "flag")  # for this run only: never saved
    return config


def run(argv: Sequence[str] | None = None, *, console: ConsoleStarter | None = None) -> int:
    """Parse ``argv`` and run the command; raises on error (see :func:`main`).
    Without ``console`` (or without a terminal) no command prints the sessions table."""
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", None)
    if func is cmd_simulator:
        return cmd_simulator(args)
    if func is None and args.demo and console is not None and _console_possible(console):
        return _demo_console(args, console)
    with contextlib.ExitStack() as stack:
        ctx = Context(args, _load(args, stack), console)
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
    except _BaseConfigError as error:  # also the config file's own ConfigError
        return _fail(str(error), EXIT_USAGE)
    except AkoolError as error:
        return _fail(str(error), EXIT_API)
    except BrokenPipeError:  # "akool-tui sessions list | head": the reader has all it wants
        # what is still buffered goes to /dev/null, so the flush at exit cannot fail
        # ("Exception ignored ... BrokenPipeError") either
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:
        return _fail(error.strerror or str(error), EXIT_API)
    except Exception as error:  # a bug: still one line, the traceback only on request
        if os.environ.get("AKOOL_TUI_DEBUG"):
            raise
        return _fail(f"unexpected error ({type(error).__name__}): {error}; "
                     "set AKOOL_TUI_DEBUG=1 for details", EXIT_API)


if __name__ == "__main__":
    sys.exit(main())
