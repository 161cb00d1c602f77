"""The commands that start something rather than ask the API: the simulator, the
console served in a browser, and the console itself (with ``--demo``'s simulator started
behind its first paint). Imported when one of them runs."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from typing import TYPE_CHECKING

from .context import EXIT_OK, PROG, ConsoleStarter, Context, UsageError
from .context import Parser as _Parser

if TYPE_CHECKING:
    from ..config import Config


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
    if not (0 <= a.port <= 65535):
        raise UsageError(f"invalid port {a.port}: use 1-65535, or 0 for any free one")
    if not v.is_loopback_host(a.host):
        ctx.note(f"warning: {a.host} is not a loopback address; anyone who can reach "
                 f"port {a.port} and has the URL gets the console and its credentials")
    a.port = _free_port(a.host, a.port)
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


def _free_port(host: str, port: int) -> int:
    """``port`` if nothing listens on it at ``host`` (checked by binding it, before the
    URL with its token is printed: it named the other program's port), else an
    ``OSError`` that says so; port 0: a free port the system picks."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise OSError(error.errno, f"port {port} on {host} is in use: pick another, "
                              "or --port 0 for any free one") from None
            raise
        return probe.getsockname()[1]


#: the driver textual-serve starts the console with (over pipes, no terminal)
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"


def console_possible(console: ConsoleStarter | None) -> bool:
    """A terminal on both ends, or textual-serve's web driver (``akool-tui serve``: the
    console runs over pipes and paints in the browser)."""
    if console is None:
        return False
    if os.environ.get("TEXTUAL_DRIVER") == WEB_DRIVER:
        return True
    # a closed stdin or stdout (cron, `<&-`) is None: not a terminal
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout))


def demo_console(args: argparse.Namespace, console: ConsoleStarter) -> int:
    """`akool-tui --demo`: the simulator starts in a process of its own at once, the
    console paints its first frame meanwhile, and its client waits for the simulator
    after that frame (in a thread, as it would start one if the process failed)."""
    from ..config import load_config
    from ..demo import spawn_demo

    profile = demo_profile(args)  # a usage error before anything starts
    child = spawn_demo()
    config = load_config(args.config, missing_ok=args.config is None, profile=profile)

    def start():
        from ..demo import demo_config, start_demo

        if child is not None and child.wait_ready():
            return demo_config(child, base=config)
        return demo_config(start_demo(), base=config)

    return console(demo_placeholder(config), demo_starter=start)


def demo_placeholder(base: Config) -> Config:
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
    if console_possible(ctx.console):
        return ctx.console(ctx.config, demo=bool(ctx.args.demo))
    from .sessions import cmd_sessions_list

    return cmd_sessions_list(ctx)


def demo_profile(args: argparse.Namespace) -> str:
    """``--demo`` runs as its own profile "demo" (the file's top level gives it the
    preferences); the user's profiles are not read for it."""
    if args.base_url:
        raise UsageError("--demo and --base-url cannot be combined")
    if args.profile:
        raise UsageError("--demo and --profile cannot be combined: the demo is a profile "
                         "of its own")
    return "default"
