"""``akool-tui --demo serve`` in a real browser: headless Chromium (Debian's) driven by
Playwright shows the console, and its keys work.

textual-serve paints with xterm.js on a canvas, so the page has no text to read: what
the console sends to the browser (the WebSocket frames) is read instead, and a PNG
screenshot is saved for a person to look at. Skipped, with the reason, only where
Chromium or Playwright cannot be had.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    """``akool-tui --demo serve`` on a free loopback port; yields the URL it prints."""
    port = _free_port()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"))
    exe = Path(sys.executable).with_name("akool-tui")
    proc = subprocess.Popen([str(exe), "--demo", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    url = None
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        if found := re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line):
            url = found.group(1)
    while url and time.monotonic() < deadline:  # the URL is printed just before listening
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        assert url, f"serve printed no URL (exit {proc.poll()})"
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_shows_the_console_in_chromium_and_keys_work(served: str, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.async_api",
                                     reason="Playwright is not installed (pip install playwright)")

    async def run() -> None:
        received: list[str] = []

        def on_socket(ws) -> None:
            ws.on("framereceived",
                  lambda frame: received.append(frame if isinstance(frame, str)
                                                else frame.decode("utf-8", "replace")))

        async def shown(pattern: str, since: int = 0, timeout: float = 30.0) -> None:
            deadline = time.monotonic() + timeout
            while not re.search(pattern, "".join(received[since:])):
                assert time.monotonic() < deadline, f"{pattern!r} never painted"
                await asyncio.sleep(0.1)

        async with playwright.async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                page.on("websocket", on_socket)
                await page.goto(served)
                await shown(r"Status")  # the sessions table's header
                await shown(r"\d+ sessions")  # rows loaded from the demo simulator
                await page.screenshot(path=str(tmp_path / "browser-sessions.png"))
                mark = len(received)
                await page.click("body")  # the terminal takes the keys
                await page.keyboard.press("2")
                await shown(r"Avatar ID", since=mark)  # the avatars screen
                await shown(r"\d+ avatars", since=mark)
                await page.screenshot(path=str(tmp_path / "browser-avatars.png"))
            finally:
                await browser.close()

    asyncio.run(run())
    for name in ("browser-sessions.png", "browser-avatars.png"):
        picture = tmp_path / name
        assert picture.stat().st_size > 10_000  # a real picture of the console
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
