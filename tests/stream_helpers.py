"""Shared helpers for the stream and media channel tests: poll a condition on the event
loop (no sleep-and-hope), and create a websocket session on the simulator over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from akool_tui.api.models import Session

CREATE = "/api/open/v4/liveAvatar/session/create"
CLOSE = "/api/open/v4/liveAvatar/session/close"


async def until(predicate: Callable[[], object], timeout: float = 8.0, what: str = "") -> None:
    """Poll ``predicate`` between short pauses until it holds (AssertionError after
    ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what or predicate}"
        await asyncio.sleep(0.005)


def create_session(sim, **body) -> Session:
    """A websocket session (Tristan, 10 minutes unless ``body`` says otherwise)."""
    body = {"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
            "stream_type": "websocket", **body}
    answer = httpx.post(sim.base_url + CREATE, json=body, headers={"x-api-key": "demo"}).json()
    assert answer["code"] == 1000, answer
    return Session.from_api(answer["data"])
