"""Serving the simulator with uvicorn: in a background thread or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import create_app
from .clock import SimClock
from .config import SimulatorConfig
from .state import SimulatorState

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; ``port`` 0 picks a free one. Raises OSError.

    The socket is made with an explicit ``IPPROTO_TCP``: asyncio only turns off
    Nagle's algorithm (TCP_NODELAY) on connections whose protocol says TCP, and
    without it every keep-alive answer waits ~40 ms for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def url_host(host: str) -> str:
    """The host to put in a URL for a socket bound to ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def make_server(cfg: SimulatorConfig, state: SimulatorState) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(cfg, state),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        # a front end like the real service's keeps idle connections a minute; uvicorn's
        # 5 s default raced the console's 5 s refresh (a POST on a connection the server
        # was just closing: ReadError on create)
        timeout_keep_alive=60,
    )
    return uvicorn.Server(config)


class RunningSimulator:
    """A simulator served by uvicorn in a daemon thread.

    Use as a context manager or call :meth:`stop` (idempotent). ``base_url`` is
    ``http://HOST:PORT``; ``state`` is the live :class:`SimulatorState`.
    ``clock`` replaces the default :class:`SimClock` (e.g. a frozen one for snapshots).
    """

    def __init__(
        self, cfg: SimulatorConfig, host: str = "127.0.0.1", port: int = 0,
        *, clock: SimClock | None = None,
    ) -> None:
        self.cfg = cfg
        self.state = SimulatorState(cfg, clock)
        self._sock = bind(host, port)
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://{url_host(host)}:{self.port}"
        self._server = make_server(cfg, self.state)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]},
            name=f"akool-simulator:{self.port}", daemon=True,
        )
        self._stopped = False

    def start(self, timeout: float = START_TIMEOUT) -> RunningSimulator:
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the AKool simulator did not start on {self.base_url}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and join the thread. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(STOP_TIMEOUT)
        self._sock.close()

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<RunningSimulator {self.base_url} {state}>"


def run_background(
    cfg: SimulatorConfig, host: str = "127.0.0.1", port: int = 0,
    *, clock: SimClock | None = None,
) -> RunningSimulator:
    """Start the simulator in a daemon thread; returns when it accepts connections."""
    return RunningSimulator(cfg, host, port, clock=clock).start()
