"""The simulator as a child process on a free loopback port (shared by the benches)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def simulator_process(command: Callable[[int], list[str]], *, timeout: float = 60.0
                      ) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start ``command(port)``, wait until it answers HTTP, yield (base URL, process);
    terminate it afterwards."""
    port = free_port()
    child = subprocess.Popen(command(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if child.poll() is not None:
                raise SystemExit(f"simulator exited: {child.stderr.read().decode()[-500:]}")
            try:
                httpx.get(base_url + "/api/open/v3/language/list", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"simulator did not start within {timeout:g} s") from None
                time.sleep(0.1)
        yield base_url, child
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
