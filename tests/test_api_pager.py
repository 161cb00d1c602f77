"""Pages fetched by a few workers, handed over in order (:func:`akool_tui.api.pager.in_order`),
and what ``sessions list`` prints when the listing breaks half-way."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from akool_tui.api.pager import in_order

REPO = Path(__file__).resolve().parents[1]


class Service:
    """A fetch whose answers come back out of order (page n takes ``delay(n)``), that
    records what is in flight."""

    def __init__(self, delay=lambda n: (n * 7 % 5) * 0.002, fail: int | None = None) -> None:
        self.delay, self.fail = delay, fail
        self.asked: list[int] = []
        self.running: set[int] = set()
        self.most = 0
        self.cancelled: list[int] = []
        self.handed = 0  # pages the caller has taken so far

    async def fetch(self, n: int) -> int:
        self.asked.append(n)
        self.running.add(n)
        self.most = max(self.most, len(self.running))
        try:
            await asyncio.sleep(self.delay(n))
        except asyncio.CancelledError:
            self.cancelled.append(n)
            raise
        finally:
            self.running.discard(n)
        if n == self.fail:
            raise ValueError(f"page {n} broke")
        return n


def collect(service: Service, first: int, last: int, *, workers: int = 4, window: int = 8,
            take: int | None = None) -> list[int]:
    async def go() -> list[int]:
        got: list[int] = []
        pages = in_order(service.fetch, first, last, workers=workers, window=window)
        try:
            async for page in pages:
                # none asked for `window` or more pages past the next one wanted
                assert max(service.asked) < page + 1 + window
                got.append(page)
                if take is not None and len(got) == take:
                    break
        finally:
            await pages.aclose()
        return got

    return asyncio.run(go())


def test_every_page_comes_once_in_order_with_at_most_workers_in_flight() -> None:
    service = Service()
    assert collect(service, 2, 60, workers=4, window=8) == list(range(2, 61))
    assert sorted(service.asked) == list(range(2, 61))  # each asked for once
    assert service.most == 4


def test_a_slow_first_page_holds_the_others_back_to_the_window() -> None:
    service = Service(delay=lambda n: 0.2 if n == 1 else 0.0)
    assert collect(service, 1, 40, workers=3, window=6) == list(range(1, 41))
    assert sorted(service.asked) == list(range(1, 41))


def test_one_page_and_no_pages() -> None:
    assert collect(Service(), 5, 5) == [5]
    assert collect(Service(), 2, 1) == []


def test_a_broken_page_raises_after_the_pages_before_it() -> None:
    service = Service(fail=7)
    got: list[int] = []

    async def go() -> None:
        async for page in in_order(service.fetch, 1, 30, workers=4, window=8):
            got.append(page)

    with pytest.raises(ValueError, match="page 7 broke"):
        asyncio.run(go())
    assert got == [1, 2, 3, 4, 5, 6]
    assert not service.running  # nothing left running once it raised


def test_stopping_early_cancels_the_fetches_still_running() -> None:
    service = Service(delay=lambda n: 0.05)
    assert collect(service, 1, 100, workers=4, window=8, take=3) == [1, 2, 3]
    assert service.cancelled and not service.running
    assert len(service.asked) < 20


# -- the CLI when the listing breaks half-way ------------------------------------------


def child_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AKOOL_")}
    return {**env, "AKOOL_API_KEY": "demo", "AKOOL_TUI_CONFIG": "/nonexistent/akool.toml"}


@pytest.mark.parametrize("flag", ["--jsonl", "--json"])
def test_a_listing_that_breaks_half_way_keeps_what_it_printed_and_says_so(
        simulator_factory, flag) -> None:
    """Every answer after the first page is broken (switched on once the first sessions
    are out): the sessions printed stay printed, in order, the exit code is 1 and the
    message names the list. ``--json`` leaves its array open, so that a reader cannot
    take the part for the whole."""
    sim = simulator_factory(sessions=3_000)
    api = httpx.Client(base_url=sim.base_url, headers={"x-api-key": "demo"})
    expected = [r["_id"] for page in range(1, 31) for r in api.get(
        "/api/open/v4/liveAvatar/session/list", params={"page": page, "size": 100}
    ).json()["data"]["result"]]
    assert api.post("/sim/faults", json={"latency": 0.5}).json()["code"] == 1000
    child = subprocess.Popen([sys.executable, "-m", "akool_tui", "--base-url", sim.base_url,
                              "sessions", "list", flag], cwd=REPO, env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = child.stdout.readline()
        if flag == "--json":
            assert first == "[\n"
            first = child.stdout.readline()
        assert api.post("/sim/faults", json={"malformed_rate": 1.0}).json()["code"] == 1000
        rest = child.stdout.read()
        code = child.wait(60)
        err = child.stderr.read()
    finally:
        child.kill()
    printed = [json.loads(line.rstrip(",")) for line in (first + rest).splitlines()]
    ids = [r["id"] for r in printed]
    assert 100 <= len(ids) < 3_000
    assert ids == expected[:len(ids)]  # in order, none twice, none skipped
    assert code == 1
    assert "session/list" in err and "Traceback" not in err
    if flag == "--json":
        with pytest.raises(json.JSONDecodeError):
            json.loads("[\n" + first + rest)


# -- cookies -------------------------------------------------------------------------------


def test_a_cookie_the_server_sets_is_not_sent_back() -> None:
    """AKool authenticates by header: a cookie a server or a proxy sets is neither kept
    nor sent back (and httpx no longer parses every answer's headers for one)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from akool_tui.api.client import AkoolClient

    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.headers.get("Cookie"))
            body = b'{"code": 1000, "msg": "OK", "data": {"count": 0, "result": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Set-Cookie", "tracker=abc123; Path=/")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    async def go() -> None:
        async with AkoolClient(f"http://127.0.0.1:{server.server_port}", api_key="demo") as c:
            for _ in range(3):
                assert (await c.list_sessions()).result == []

    try:
        asyncio.run(go())
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [None, None, None]
