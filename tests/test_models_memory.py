"""What a session costs in memory: values that thousands of sessions repeat are kept
once (the table holds 10 000 of them, and a soak keeps it for hours)."""

from __future__ import annotations

import httpx
import pytest

from akool_tui.api.client import AkoolClient
from akool_tui.api.models import Session

LIST = "/api/open/v4/liveAvatar/session/list"


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(sessions=300)


async def test_sessions_from_a_listing_share_repeated_values(sim):
    async with AkoolClient(sim.base_url, api_key="demo") as client:
        sessions = await client.list_all_sessions()
    assert len(sessions) == 300
    raw = {}
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": "demo"}) as http:
        for page in (1, 2, 3):
            body = http.get(LIST, params={"page": page, "size": 100}).json()
            raw.update({r["_id"]: r for r in body["data"]["result"]})
    by_value: dict[tuple[str, str], object] = {}
    for s in sessions:
        r = raw[s.id]
        # same values as the server sent...
        assert (s.avatar_id, s.stream_type, s.uid) == (r["avatar_id"], r["stream_type"],
                                                      str(r["uid"]))
        assert dict(s.credentials.values) == r["credentials"]
        # ...and one object per distinct value, across pages and sessions
        values = [("avatar", s.avatar_id), ("stream", s.stream_type), ("uid", s.uid),
                  ("duration", s.duration)]
        values += [(k, v) for k, v in s.credentials.values.items()
                   if k in ("agora_app_id", "livekit_url")]
        for key, value in values:
            assert by_value.setdefault((key, value), value) is value, key
    assert len({s.avatar_id for s in sessions}) < 20  # a few avatars, 300 sessions
    tokens = [s.credentials.get("agora_token") for s in sessions if s.stream_type == "agora"]
    assert len(set(tokens)) == len(tokens)  # per-session secrets stay per session


def test_extra_is_shared_only_when_empty_and_never_writable():
    plain = Session.from_api({"_id": "a", "status": 2})
    other = Session.from_api({"_id": "b", "status": 3})
    assert plain.extra == {} and plain.extra is other.extra
    with pytest.raises(TypeError):
        plain.extra["x"] = 1  # type: ignore[index]
    rich = Session.from_api({"_id": "c", "mode_type": 1, "voice_id": "v"})
    assert rich.extra == {"mode_type": 1, "voice_id": "v"}
    assert Session.from_api({"_id": "d"}).extra == {}
