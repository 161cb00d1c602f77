"""The ``akool-tui`` argument parser: every command, its options and their checks.

Building it imports no command module (a command is named by module and function,
:class:`_Command`, and imported when it runs), nor asyncio, httpx, Textual, the
simulator or textual-serve: ``akool-tui --help`` loads little beyond argparse. Values
are checked by the shared validators (:mod:`akool_tui.core.validators`), imported when a
value is checked. A command group's own parser (its actions and their options) is built
when the command line names it (:class:`_LazyCommands`): the console and ``--help`` build
none of them (they were ~35 ms of CPU of every start).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .. import __version__
from .context import PROG, Context
from .context import Parser as _Parser

__all__ = ["build_parser"]


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
cmd_simulator = _Command("starters", "cmd_simulator")  # takes the parsed args: no config
cmd_serve = _Command("starters", "cmd_serve")


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


class _LazyCommands(argparse._SubParsersAction):
    """The top-level commands: each one's parser is filled in (``parser._fill``) when the
    command line names it, just before it parses the rest."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        sub = self._name_parser_map.get(values[0])
        fill = getattr(sub, "_fill", None)
        if fill is not None:
            sub._fill = None
            fill(sub)
        super().__call__(parser, namespace, values, option_string)


def _actions(p: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """A command group's parser: the global options, then its actions."""
    _global_options(p, top=False)
    return p.add_subparsers(dest="action", metavar="ACTION", required=True)


def _command(sub: argparse._SubParsersAction, name: str, help_: str,
             func) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_, description=help_)
    _global_options(p, top=False)
    p.set_defaults(func=func)
    return p


def _sessions(parent: argparse.ArgumentParser) -> None:
    sessions, command = _actions(parent), _command
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


def _avatars(parent: argparse.ArgumentParser) -> None:
    avatars, command = _actions(parent), _command
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
    p.add_argument("--timeout", type=_checked("validate_wait_seconds", float), default=600.0,
                   metavar="S",
                   help="give up waiting after S seconds (default 600)")


def _voices(parent: argparse.ArgumentParser) -> None:
    p = _command(_actions(parent), "list", "list voices", cmd_voices_list)
    p.add_argument("--type", type=int, choices=(1, 2), default=2,
                   help="1 your cloned voices, 2 AKool's voices (default)")


def _languages(parent: argparse.ArgumentParser) -> None:
    _command(_actions(parent), "list", "list languages", cmd_languages_list)


def _knowledge(parent: argparse.ArgumentParser) -> None:
    from .knowledge import add_commands  # light: commands import lazily

    def group(name: str, help_: str) -> argparse._SubParsersAction:
        assert name == "knowledge", name
        parent.description = help_
        return _actions(parent)

    add_commands(group, _command)


def _config(parent: argparse.ArgumentParser) -> None:
    config, command = _actions(parent), _command
    command(config, "path", "print the config file path", cmd_config_path)
    command(config, "show", "print the effective config (secrets masked)", cmd_config_show)
    command(config, "profiles", "list the profiles (the one in use marked)", cmd_config_profiles)


def _history(parent: argparse.ArgumentParser) -> None:
    from .history import add_history_commands  # argparse only; core.history when run

    add_history_commands(_actions(parent), _command)


#: the command groups: name, help, what fills in its parser when it is named
_GROUPS = (
    ("sessions", "live avatar sessions", _sessions),
    ("avatars", "streaming avatars", _avatars),
    ("voices", "voices usable with streaming avatars", _voices),
    ("languages", "languages", _languages),
    ("knowledge", "knowledge bases (the prompt, greeting and documents of a dialogue session)",
     _knowledge),
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Terminal operator console for AKool's Live (Streaming) Avatar service. "
                    "Without a command it opens the console.",
        epilog="Credentials: AKOOL_API_KEY, or AKOOL_CLIENT_ID + AKOOL_CLIENT_SECRET, "
               "or the config file. Try it offline: akool-tui --demo",
    )
    parser.register("action", "parsers", _LazyCommands)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def group(name: str, help_: str, fill) -> None:
        commands.add_parser(name, help=help_, description=help_)._fill = fill

    for name, help_, fill in _GROUPS:
        group(name, help_, fill)
    p = commands.add_parser("credit", help="print the account's credit balance",
                            description="Print the account's credit balance (credits held "
                                        "by open sessions are already taken).")
    _global_options(p, top=False)
    p.set_defaults(func=cmd_credit)
    group("config", "the config file", _config)
    group("history", "the recorded conversations", _history)

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
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    p.add_argument("--no-token", action="store_true",
                   help="serve without the per-run token in the URL (any local user or "
                        "process could open the console)")
    p.set_defaults(func=cmd_serve)
    return parser
