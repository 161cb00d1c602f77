"""Command line of the simulator: ``akool-tui simulator`` / ``python -m akool_tui.simulator``."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence

from ..api.secrets import mask
from .config import (
    AVATAR_CREATE_SHAPES,
    CLOSE_ANSWERS,
    KNOWLEDGE_LIST_SHAPES,
    MAX_CREDITS,
    MAX_SEEDED_AVATARS,
    MAX_SEEDED_SESSIONS,
    SimulatorConfig,
)
from .server import bind, make_server, url_host
from .state import SimulatorState

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _number(
    kind: type, lo: float, hi: float = math.inf, *, open_lo: bool = False
) -> Callable[[str], float]:
    """An argparse type: ``kind`` (int or float) within ``lo``..``hi``."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"not a {what}: {text!r}") from None
        low_ok = value > lo if open_lo else value >= lo
        if not (low_ok and value <= hi) or (isinstance(value, float) and not math.isfinite(value)):
            bound = f"above {lo}" if open_lo else f"at least {lo}"
            if hi != math.inf:
                bound += f" and at most {hi}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: must be {bound}")
        return value

    return parse


def _text(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulator's options, on ``parser``."""
    add = parser.add_argument
    add("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    add("--port", type=_number(int, 0, 65535), default=DEFAULT_PORT,
        help=f"port to listen on, 0 for any free one (default {DEFAULT_PORT})")
    add("--sessions", type=_number(int, 0, MAX_SEEDED_SESSIONS), default=40,
        help="sessions in the seeded history (default 40)")
    add("--avatars", type=_number(int, 0, MAX_SEEDED_AVATARS), default=12,
        help="seeded avatars besides the default one (default 12)")
    add("--seed", type=int, default=1, help="random seed of data and faults (default 1)")
    add("--api-key", type=_text, default="demo", help="accepted x-api-key (default demo)")
    add("--client-id", type=_text, default="demo", help="accepted clientId (default demo)")
    add("--client-secret", type=_text, default="demo", help="accepted clientSecret (default demo)")
    add("--latency", type=_number(float, 0, 60), default=0.0,
        help="seconds added to every answer (default 0)")
    add("--error-rate", type=_number(float, 0, 1), default=0.0,
        help="fraction of requests answered with HTTP 500/502/503 (default 0)")
    add("--malformed-rate", type=_number(float, 0, 1), default=0.0,
        help="fraction of requests answered with a malformed body (default 0)")
    add("--token-expiry-calls", type=_number(int, 1), default=None, metavar="N",
        help="a token stops working (code 1101) after N calls (default never)")
    add("--max-concurrent", type=_number(int, 1, 100_000), default=50,
        help="open sessions the account may have at once (default 50)")
    add("--no-churn", dest="churn", action="store_false",
        help="no background activity (new sessions, expiries)")
    add("--steady-churn", action="store_true",
        help="churn retires the oldest closed sessions: the count stays at --sessions")
    add("--time-scale", type=_number(float, 0, open_lo=True), default=1.0,
        help="simulated seconds per real second (default 1)")
    add("--credits", type=_number(float, 0, MAX_CREDITS), default=10_000.0,
        help="the account's credit balance at start (default 10000)")
    add("--credit-rate", type=_number(float, 0, 1_000_000), default=1.0, metavar="RATE",
        help="credits a session holds per minute of its duration, held at create; "
             "the unused rest comes back on close (default 1)")
    add("--knowledge-list", choices=KNOWLEDGE_LIST_SHAPES, default="array",
        dest="knowledge_list_shape",
        help="knowledge base list data: the array itself, or {knowledge_list: [...]} "
             "as the official demo reads it (default array)")
    add("--close-answer", choices=CLOSE_ANSWERS, default="null",
        help="session close data: null (the OpenAPI file), {} or "
             "{session_id, status, closed_at} (a docs page) (default null)")
    add("--avatar-create", choices=AVATAR_CREATE_SHAPES, default="object",
        dest="avatar_create_shape",
        help="avatar upload data: the record, or a one-element array (default object)")


def config_from_args(ns: argparse.Namespace) -> SimulatorConfig:
    """A :class:`SimulatorConfig` from parsed arguments (ValueError if inconsistent)."""
    return SimulatorConfig(
        seed=ns.seed,
        sessions=ns.sessions,
        avatars=ns.avatars,
        api_key=ns.api_key,
        client_id=ns.client_id,
        client_secret=ns.client_secret,
        latency=ns.latency,
        error_rate=ns.error_rate,
        malformed_rate=ns.malformed_rate,
        token_expiry_calls=ns.token_expiry_calls,
        max_concurrent=ns.max_concurrent,
        churn=ns.churn,
        steady_churn=ns.steady_churn,
        time_scale=ns.time_scale,
        credits=ns.credits,
        credit_rate=ns.credit_rate,
        knowledge_list_shape=ns.knowledge_list_shape,
        close_answer=ns.close_answer,
        avatar_create_shape=ns.avatar_create_shape,
    )


def banner(cfg: SimulatorConfig, url: str) -> str:
    """The one start-up line; a custom API key is masked."""
    key = cfg.api_key if cfg.api_key == "demo" else mask(cfg.api_key)
    return f"AKool simulator on {url} (api key: {key})"


def serve_forever(cfg: SimulatorConfig, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve in the foreground until interrupted (Ctrl-C)."""
    try:
        sock = bind(host, port)
    except OSError as err:
        reason = err.strerror or err
        raise SystemExit(f"akool-tui simulator: cannot listen on {host}:{port}: {reason}") from None
    with sock:
        state = SimulatorState(cfg)
        server = make_server(cfg, state)
        print(banner(cfg, f"http://{url_host(host)}:{sock.getsockname()[1]}"), flush=True)
        server.run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m akool_tui.simulator",
        description="A local server that answers like AKool's Live Avatar open API.",
    )
    add_arguments(parser)
    ns = parser.parse_args(argv)
    try:
        cfg = config_from_args(ns)
    except ValueError as err:
        parser.error(str(err))
    serve_forever(cfg, ns.host, ns.port)

