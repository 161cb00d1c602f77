"""The stream channel says when the session itself is over (simulator over loopback):
refused with HTTP 410 or closed with 4410 -> ``session_gone``; a bad token is not."""

from __future__ import annotations

import httpx
import pytest

from akool_tui.stream.transport import TransportError, TransportState, WebSocketTransport

CREATE = "/api/open/v4/liveAvatar/session/create"
CLOSE = "/api/open/v4/liveAvatar/session/close"


def post(sim, path: str, body: dict) -> dict:
    answer = httpx.post(sim.base_url + path, headers={"x-api-key": sim.cfg.api_key},
                        json=body).json()
    assert answer["code"] == 1000, answer
    return answer["data"]


def websocket_session(sim) -> tuple[str, str, str]:
    data = post(sim, CREATE, {"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
                              "stream_type": "websocket"})
    creds = data["credentials"]
    return data["_id"], creds["ws_url"], creds["ws_token"]


async def test_a_closed_session_refuses_its_channel_as_gone(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    sid, url, token = websocket_session(sim)
    post(sim, CLOSE, {"id": sid})
    transport = WebSocketTransport(url, token, reconnect_attempts=1)
    with pytest.raises(TransportError, match="HTTP 410"):
        await transport.connect()
    assert transport.state is TransportState.FAILED and transport.session_gone


async def test_a_bad_token_fails_without_the_session_being_gone(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    _sid, url, _token = websocket_session(sim)
    transport = WebSocketTransport(url, "not-the-token-at-all", reconnect_attempts=1)
    with pytest.raises(TransportError):
        await transport.connect()
    assert transport.state is TransportState.FAILED and not transport.session_gone
