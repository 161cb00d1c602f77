"""`akool-tui serve` lets only its own page drive the console, and `| head` exits quietly.

The gate is tested on a real loopback server (textual-serve's app with the gate, on a
socket bound to a free port) with plain HTTP and WebSocket clients: the console itself
is not needed (the served command is a no-op), only whether the handshake is refused
(403) or accepted (101). The CLI is run as a subprocess for what it prints.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as sync_connect
from websockets.typing import Origin

from akool_tui.serve import GatedServer, new_token
from akool_tui.simulator.server import bind

NO_OP = f"{shlex.quote(sys.executable)} -c pass"
CLI = [sys.executable, "-m", "akool_tui"]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    # as a user runs it: block-buffered stdout (this machine sets PYTHONUNBUFFERED)
    out = {k: v for k, v in os.environ.items()
           if not k.startswith("AKOOL_") and k != "PYTHONUNBUFFERED"}
    out["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    return out


class Probe(GatedServer):
    """The real gate in front of a stand-in for the console: textual-serve's /ws handler
    would start a process per connection; this one counts and closes."""

    consoles = 0

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.consoles += 1
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        await websocket.close()
        return websocket


async def start(token: str | None) -> tuple[Probe, web.AppRunner]:
    sock = bind("127.0.0.1", 0)
    server = Probe(NO_OP, host="127.0.0.1", port=sock.getsockname()[1], token=token)
    runner = web.AppRunner(await server._make_app())  # the app `serve()` runs
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return server, runner


@pytest.fixture
async def gated() -> AsyncIterator[Probe]:
    server, runner = await start(new_token())
    yield server
    await runner.cleanup()


@pytest.fixture
async def open_server() -> AsyncIterator[Probe]:
    server, runner = await start(None)
    yield server
    await runner.cleanup()


async def handshake(server: GatedServer, *, origin: str | None, query: str = "",
                    cookie: str | None = None) -> int:
    """The status of a WebSocket handshake on /ws: 101 accepted, else the refusal."""
    uri = f"ws://{server.host}:{server.port}/ws?width=80&height=24{query}"
    headers = {"Cookie": cookie} if cookie else {}
    try:
        async with connect(uri, origin=Origin(origin) if origin else None,
                           additional_headers=headers, open_timeout=10) as ws:
            return ws.response.status_code
    except InvalidStatus as refused:
        return refused.response.status_code


# -- the page ------------------------------------------------------------------------------


async def test_the_page_needs_the_token(gated):
    async with httpx.AsyncClient(base_url=gated.public_url) as http:
        assert (await http.get("/")).status_code == 403
        assert (await http.get("/", params={"token": "wrong"})).status_code == 403
        assert (await http.get("/", params={"token": gated.token[:-1]})).status_code == 403
        assert (await http.get("/download/anything")).status_code == 403
        refused = await http.get("/")
        assert "token" in refused.text and gated.token not in refused.text
        page = await http.get("/", params={"token": gated.token})
        assert page.status_code == 200 and 'id="terminal"' in page.text
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert page.headers["referrer-policy"] == "no-referrer"  # the URL holds the token
        # the Start/Restart buttons reload the page: the cookie set above lets them in
        assert (await http.get("/")).status_code == 200
        # textual-serve's packaged JS/CSS need no token
        assert (await http.get("/static/js/textual.js")).status_code == 200
    assert gated.url == f"{gated.public_url}/?token={gated.token}"


def test_every_run_has_its_own_token():
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 40 for t in tokens)


# -- the WebSocket -------------------------------------------------------------------------------


async def test_a_foreign_origin_is_refused_even_with_the_token(gated):
    cookie = f"{gated.cookie_name}={gated.token}"
    for origin in ("http://evil.example", "https://127.0.0.1.evil.example",
                   f"http://127.0.0.1:{gated.port + 1}", f"https://127.0.0.1:{gated.port}",
                   "null", "file://"):
        assert await handshake(gated, origin=origin, cookie=cookie) == 403, origin
        assert await handshake(gated, origin=origin, query=f"&token={gated.token}") == 403, origin
    assert gated.consoles == 0  # refused before textual-serve's handler starts a console


async def test_the_own_page_with_its_cookie_or_token_is_accepted(gated):
    own = gated.public_url
    assert await handshake(gated, origin=own, cookie=f"{gated.cookie_name}={gated.token}") == 101
    assert await handshake(gated, origin=own, query=f"&token={gated.token}") == 101
    assert await handshake(gated, origin=own) == 403
    assert await handshake(gated, origin=own, cookie=f"{gated.cookie_name}=wrong") == 403
    assert await handshake(gated, origin=own, cookie=f"akool_tui_token_1={gated.token}") == 403
    assert gated.consoles == 2


async def test_a_client_without_origin_still_needs_the_token(gated):
    """Browsers always send Origin; a script need not (it could forge one anyway)."""
    assert await handshake(gated, origin=None) == 403
    assert await handshake(gated, origin=None, query=f"&token={gated.token}") == 101


async def test_no_token_still_checks_the_origin(open_server):
    async with httpx.AsyncClient(base_url=open_server.public_url) as http:
        assert (await http.get("/")).status_code == 200
    assert await handshake(open_server, origin="http://evil.example") == 403
    assert await handshake(open_server, origin=open_server.public_url) == 101
    assert open_server.url == f"{open_server.public_url}/"


# -- the command -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], int, str]:
    """`akool-tui serve` on a free port; returns the process, the port and the URL printed."""
    port = free_port()
    proc = subprocess.Popen([*CLI, "--demo", "serve", "--port", str(port), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # blocks until the first line (or EOF if it failed)
    match = re.search(r"(http://\S+)", line)
    if match is None:
        proc.kill()
        raise AssertionError(f"no URL printed: {line!r} {proc.communicate()}")
    deadline = time.monotonic() + 30  # the URL is printed just before the socket listens
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError(f"serve did not listen: {proc.communicate()}") from None
            time.sleep(0.02)
    return proc, port, match.group(1)


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.terminate()
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def test_serve_prints_a_url_with_its_token_and_masks_it_in_its_log(env):
    proc, port, url = start_serve(env)
    try:
        token = re.fullmatch(rf"http://127\.0\.0\.1:{port}/\?token=([\w-]+)", url).group(1)
        assert len(token) >= 40
        assert httpx.get(url).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 403
        # a request path with control sequences is escaped in the log, not painted
        assert httpx.get(f"http://127.0.0.1:{port}/%1b]0;TITLE%07%1b[2J").status_code == 403
        # textual-serve's own /ws handler behind the gate: refused from another site,
        # accepted (101) from the page's origin with the token
        ws_url = f"ws://127.0.0.1:{port}/ws?width=80&height=24&token={token}"
        with pytest.raises(InvalidStatus) as refused:
            sync_connect(ws_url, origin=Origin("http://evil.example"), open_timeout=10)
        assert refused.value.response.status_code == 403
        with sync_connect(ws_url, origin=Origin(f"http://127.0.0.1:{port}"),
                          open_timeout=10) as ws:
            assert ws.response.status_code == 101
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: \x1b]0;T\x07\x9b\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.0 400")
    finally:
        out, err = stop(proc)
    # the token is printed once, in the URL: the access log shows it masked
    assert (url + out + err).count(token) == 1, out + err
    assert "token=••••" in out + err
    assert not {"\x1b", "\x07", "\x9b"} & set(out + err)
    assert "refused a malformed request" in out + err and "Traceback" not in out + err
    proc2, _, url2 = start_serve(env)
    stop(proc2)
    assert url2.split("token=")[1] != token


def test_ctrl_c_with_a_console_starting_shows_no_traceback(env):
    """textual-serve left a just-started console's process to a closed event loop
    ("Exception ignored ... Event loop is closed" tracebacks on the terminal)."""
    for _ in range(4):
        proc, port, url = start_serve(env)
        ws_url = f"ws://127.0.0.1:{port}/ws?token={url.split('token=')[1]}"
        with sync_connect(ws_url, origin=Origin(f"http://127.0.0.1:{port}"), open_timeout=10):
            pass  # the console's process starts, the tab closes at once
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert "Traceback" not in out + err and "is closed" not in out + err, out + err


def test_serve_no_token_warns_and_serves_without_it(env):
    proc, port, url = start_serve(env, "--no-token")
    try:
        assert url == f"http://127.0.0.1:{port}/"
        assert httpx.get(url).status_code == 200
    finally:
        out, err = stop(proc)
    assert "--no-token" in err and "warning" in err


def test_serve_on_a_busy_port_says_so_before_any_url_and_port_0_picks_one(env):
    """On a port another program listens on, serve printed "open http://...:PORT/?token="
    (the other program's page) and only then failed; --port 0 was refused (tester 8, F15)."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        busy = other.getsockname()[1]
        done = subprocess.run([*CLI, "--demo", "serve", "--port", str(busy)], env=env,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"akool-tui: port {busy} on 127.0.0.1 is in use: pick another, "
                           "or --port 0 for any free one\n")
    proc = subprocess.Popen([*CLI, "--demo", "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/\?token=", proc.stdout.readline())[1])
        assert port > 0
        deadline = time.monotonic() + 30
        while True:  # the URL is printed just before the socket listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.02)
    finally:
        stop(proc)


def test_serve_warns_about_a_non_loopback_host(env):
    # 192.0.2.1 (TEST-NET-1) is on no interface: the warning comes, then binding fails
    done = subprocess.run([*CLI, "--demo", "serve", "--host", "192.0.2.1", "--port", "8000"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert "192.0.2.1 is not a loopback address" in done.stderr
    assert done.returncode != 0 and "Traceback" not in done.stderr


# -- `| head` ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["sessions", "list"], ["sessions", "list", "--json"],
                                     ["config", "show"], ["avatars", "list"]])
def test_a_closed_pipe_exits_quietly(env, command):
    """The reader is gone before anything is written: exit 0, nothing on stderr (no
    "Exception ignored ... BrokenPipeError" from the flush at exit either)."""
    read, write = os.pipe()
    proc = subprocess.Popen([*CLI, "--demo", *command], env=env, stdout=write,
                            stderr=subprocess.PIPE)
    os.close(write)
    os.close(read)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (0, b"")


def test_sessions_list_piped_to_head_exits_0(env, tmp_path):
    # 150 kB of JSON: more than the pipe holds, so the writer meets the closed pipe
    err = tmp_path / "stderr"
    script = (f"{shlex.join(CLI)} --demo sessions list --json 2>{shlex.quote(str(err))} "
              '| head -1; echo "status=${PIPESTATUS[0]}"')
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.splitlines() == ["[", "status=0"], done.stdout
    assert err.read_text() == ""
