"""The bundled AKool simulator, spoken to with plain httpx over loopback HTTP."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from akool_tui.simulator import SimulatorConfig, SimulatorState, run_background
from akool_tui.simulator.cli import add_arguments, banner, config_from_args, serve_forever

V3, V4 = "/api/open/v3", "/api/open/v4"
TOKEN = f"{V3}/getToken"
AVATAR_CREATE, AVATAR_STATUS = f"{V3}/avatar/create", f"{V3}/avatar/detail"
AVATAR_DETAIL, AVATAR_LIST = f"{V4}/liveAvatar/avatar/detail", f"{V4}/liveAvatar/avatar/list"
VOICES, LANGUAGES = f"{V4}/voice/list", f"{V3}/language/list"
S = f"{V4}/liveAvatar/session"
CREATE, DETAIL, CLOSE, LIST = f"{S}/create", f"{S}/detail", f"{S}/close", f"{S}/list"
DEFAULT_AVATAR = "dvp_Tristan_cloth2_1080P"
KEY = {"x-api-key": "demo"}


def connect(sim, headers: dict[str, str] | None = None) -> httpx.Client:
    # plain http on loopback: verify=False only skips loading the CA bundle (slow)
    return httpx.Client(base_url=sim.base_url, headers=KEY if headers is None else headers,
                        timeout=10, verify=False)


@pytest.fixture
def api(simulator) -> Iterator[httpx.Client]:
    with connect(simulator) as client:
        yield client


@pytest.fixture
def slow_sim(simulator_factory):
    """Lifecycle steps of two simulated minutes: only clock.advance moves them."""
    return simulator_factory(queue_delay=120.0, avatar_steps=120.0)


@pytest.fixture
def slow_api(slow_sim) -> Iterator[httpx.Client]:
    with connect(slow_sim) as client:
        yield client


@pytest.fixture(scope="module")
def shared_api() -> Iterator[httpx.Client]:
    """One simulator for the many read-only and validation cases."""
    with run_background(SimulatorConfig(churn=False)) as sim, connect(sim) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == 1000, body
    return body["data"]


def code(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"code", "msg", "data"} <= body.keys()
    return body["code"]


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    return ok(api.post(CREATE, json={"avatar_id": DEFAULT_AVATAR, "duration": 60, **body}))


def status_of(api: httpx.Client, session_id: str) -> int:
    return ok(api.get(DETAIL, params={"id": session_id}))["status"]


# -- envelope and auth ------------------------------------------------------------------


def test_every_answer_is_an_envelope_and_the_token_is_top_level(simulator, api) -> None:
    token = api.post(TOKEN, json={"clientId": "demo", "clientSecret": "demo"})
    assert token.status_code == 200
    body = token.json()
    assert body["code"] == 1000 and body["msg"] == "OK"
    assert isinstance(body["token"], str) and len(body["token"]) > 40
    assert "data" not in body or not isinstance(body.get("data"), dict)
    rec = create(api)
    for method, path, kw in [
        ("GET", AVATAR_LIST, {}), ("GET", VOICES, {}), ("GET", LANGUAGES, {}), ("GET", LIST, {}),
        ("GET", DETAIL, {"params": {"id": rec["_id"]}}),
        ("GET", AVATAR_DETAIL, {"params": {"avatar_id": DEFAULT_AVATAR}}),
        ("POST", CLOSE, {"json": {"id": rec["_id"]}}),
        ("GET", DETAIL, {"params": {"id": "nope"}}),  # errors too: 200 + envelope
    ]:
        response = api.request(method, path, **kw)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert {"code", "msg", "data"} <= response.json().keys()
    assert api.post(CLOSE, json={"id": "nope"}).json()["data"] is None


def test_auth_headers_and_authorization_winning(simulator) -> None:
    with connect(simulator, headers={}) as raw:
        token = raw.post(TOKEN, json={"clientId": "demo", "clientSecret": "demo"}).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}

        def get(headers: dict[str, str]) -> int:
            return code(raw.get(LIST, headers=headers))

        assert get(bearer) == 1000
        assert get(KEY) == 1000
        assert get({}) == 1102
        assert get({"x-api-key": "wrong"}) == 1101
        assert get({"Authorization": "Bearer not-a-token"}) == 1101
        assert get({"Authorization": f"Basic {token}"}) == 1101
        # Authorization wins when both are sent
        assert get({"Authorization": "Bearer not-a-token", **KEY}) == 1101
        assert get({**bearer, "x-api-key": "wrong"}) == 1000
        for creds in ({"clientId": "demo", "clientSecret": "nope"},
                      {"clientId": "x", "clientSecret": "demo"}):
            assert code(raw.post(TOKEN, json=creds)) == 1101
        assert code(raw.post(TOKEN, json={"clientId": "demo"})) == 1003


def test_custom_credentials_replace_demo(simulator_factory) -> None:
    sim = simulator_factory(api_key="k-123456789", client_id="cid", client_secret="csecret")
    with connect(sim, headers={}) as raw:
        assert code(raw.get(LIST, headers=KEY)) == 1101
        assert code(raw.get(LIST, headers={"x-api-key": "k-123456789"})) == 1000
        assert code(raw.post(TOKEN, json={"clientId": "demo", "clientSecret": "demo"})) == 1101
        token = raw.post(TOKEN, json={"clientId": "cid", "clientSecret": "csecret"})
        assert token.json()["code"] == 1000


def test_token_expires_after_n_calls(simulator_factory) -> None:
    sim = simulator_factory(token_expiry_calls=3)
    creds = {"clientId": "demo", "clientSecret": "demo"}
    with connect(sim, headers={}) as raw:
        first = raw.post(TOKEN, json=creds).json()["token"]
        headers = {"Authorization": f"Bearer {first}"}
        codes = [code(raw.get(LANGUAGES, headers=headers)) for _ in range(5)]
        assert codes == [1000, 1000, 1000, 1101, 1101]
        second = raw.post(TOKEN, json=creds).json()["token"]
        assert second != first
        assert code(raw.get(LANGUAGES, headers={"Authorization": f"Bearer {second}"})) == 1000
        # the API key never wears out
        assert {code(raw.get(LANGUAGES, headers=KEY)) for _ in range(5)} == {1000}


# -- validation -------------------------------------------------------------------------

UPLOAD = {"url": "https://cdn.example.com/me.mp4", "avatar_id": "myAvatar1", "type": 2, "url_from": 1,
          "name": "My avatar"}


@pytest.mark.parametrize(
    "change",
    [
        {"avatar_id": "my-avatar"}, {"avatar_id": "my avatar"}, {"avatar_id": "ünï"},
        {"avatar_id": None}, {"avatar_id": 5}, {"type": 1}, {"type": None}, {"type": "video"},
        {"url_from": 3}, {"url_from": "x"}, {"url": None}, {"url": "ftp://x/y.mp4"}, {"url": "nope"},
        {"name": None}, {"name": ""}, {"name": "   "}, {"name": 7},
    ],
)
def test_upload_validation_is_1003(shared_api, change) -> None:
    body = {k: v for k, v in {**UPLOAD, **change}.items() if v is not None}
    answer = shared_api.post(AVATAR_CREATE, json=body).json()
    assert answer["code"] == 1003 and answer["msg"] and answer["data"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"duration": 0}, {"duration": 3601}, {"duration": -5}, {"duration": 1.5}, {"duration": "60"},
        {"duration": True}, {"duration": None}, {"avatar_id": None}, {"mode_type": 3},
        {"mode_type": "dialogue"}, {"voice_params": {"speed": 0.5}}, {"voice_params": {"speed": 1.3}},
        {"voice_params": {"speed": "fast"}}, {"voice_params": "fast"}, {"stream_type": "webrtc"},
        {"language": "xx"}, {"voice_url": "not a url"}, {"background_url": 7},
        {"voice_id": "clone91c0e5a7d3f2b846"},  # a voice without streaming support
    ],
)
def test_create_validation_is_1003(shared_api, change) -> None:
    body = {k: v for k, v in {"avatar_id": DEFAULT_AVATAR, "duration": 60, **change}.items()
            if v is not None}
    answer = shared_api.post(CREATE, json=body).json()
    assert answer["code"] == 1003 and answer["msg"], answer


@pytest.mark.parametrize(
    "path,params",
    [
        (LIST, {"page": 0}), (LIST, {"page": "a"}), (LIST, {"size": 0}), (LIST, {"size": "1.5"}),
        (LIST, {"status": 5}), (LIST, {"status": "live"}), (AVATAR_LIST, {"page": -1}),
        (VOICES, {"type": 3}), (VOICES, {}), (VOICES, {"type": 2, "support_stream": "maybe"}),
        (VOICES, {"type": 2, "support_stream": 0}), (DETAIL, {}),
        (AVATAR_DETAIL, {}), (AVATAR_STATUS, {"id": ""}),
    ],
)
def test_bad_query_is_1003(shared_api, path, params) -> None:
    assert code(shared_api.get(path, params=params)) == 1003


def test_bad_bodies_are_1003(api) -> None:
    assert code(api.post(CLOSE, json={})) == 1003
    assert code(api.post(CLOSE, json={"id": ""})) == 1003
    not_json = api.post(CREATE, content=b"{not json", headers={"content-type": "application/json"})
    assert code(not_json) == 1003
    assert code(api.post(CREATE, json=[1, 2])) == 1003


def test_empty_optionals_count_as_absent(api) -> None:
    rec = create(api, voice_id="", voice_url="", language="", background_url="", knowledge_id="",
                 voice_params={}, stream_type="", mode_type="")
    assert rec["stream_type"] == "agora" and rec["status"] == 1
    assert set(rec["credentials"]) == {"agora_uid", "agora_app_id", "agora_channel", "agora_token"}


def test_options_are_stored_on_the_session(simulator, api) -> None:
    kb1 = next(kb.oid for kb in simulator.state.knowledge.values() if kb.source == 2)
    rec = create(api, voice_id="es-ES-ElviraNeural", language="es", mode_type=1,
                 background_url="https://cdn.example.com/bg.png", knowledge_id=kb1,
                 voice_params={"speed": 1.1, "stt_language": "es", "pron_map": {}})
    stored = simulator.state.sessions[rec["_id"]]
    assert (stored.voice_id, stored.language, stored.mode_type) == ("es-ES-ElviraNeural", "es", 1)
    assert stored.voice_params == {"speed": 1.1, "stt_language": "es"}
    detail = ok(api.get(DETAIL, params={"id": rec["_id"]}))
    assert detail["voice_id"] == "es-ES-ElviraNeural" and detail["mode_type"] == 1


def test_unknown_ids_and_closed_sessions(api) -> None:
    assert code(api.post(CREATE, json={"avatar_id": "noSuchAvatar", "duration": 60})) == 1008
    assert code(api.post(CREATE, json={"avatar_id": DEFAULT_AVATAR, "duration": 60,
                                       "voice_id": "noSuchVoice"})) == 1008
    assert code(api.get(AVATAR_DETAIL, params={"avatar_id": "noSuchAvatar"})) == 1008
    assert code(api.get(AVATAR_STATUS, params={"id": "000000000000000000000000"})) == 1008
    assert code(api.get(DETAIL, params={"id": "000000000000000000000000"})) == 1216
    assert code(api.post(CLOSE, json={"id": "000000000000000000000000"})) == 1216
    rec = create(api)
    assert code(api.post(CLOSE, json={"session_id": rec["_id"]})) == 1000
    assert code(api.post(CLOSE, json={"id": rec["_id"]})) == 1219


def test_concurrent_cap_is_1215(simulator_factory) -> None:
    sim = simulator_factory(max_concurrent=2)
    with connect(sim) as api:
        assert ok(api.get(LIST, params={"status": 1}))["count"] == 0
        assert ok(api.get(LIST, params={"status": 2}))["count"] == 0
        first, _ = create(api), create(api)
        busy = api.post(CREATE, json={"avatar_id": DEFAULT_AVATAR, "duration": 60}).json()
        assert busy["code"] == 1215 and "2" in busy["msg"]
        ok(api.post(CLOSE, json={"id": first["_id"]}))
        create(api)


# -- lifecycle ----------------------------------------------------------------------------


def test_session_lifecycle_by_expiry_and_by_close(slow_sim, slow_api) -> None:
    clock, cfg = slow_sim.state.clock, slow_sim.cfg
    # the duration counts from creation: 120 s queueing, then 60 s live
    expiring, closing = create(slow_api, duration=180), create(slow_api, duration=600)
    assert status_of(slow_api, expiring["_id"]) == status_of(slow_api, closing["_id"]) == 1
    clock.advance(cfg.queue_delay)
    assert status_of(slow_api, expiring["_id"]) == status_of(slow_api, closing["_id"]) == 2
    clock.advance(30)
    assert status_of(slow_api, expiring["_id"]) == 2
    clock.advance(30)
    assert status_of(slow_api, expiring["_id"]) == 3
    assert status_of(slow_api, closing["_id"]) == 2
    assert code(slow_api.post(CLOSE, json={"id": expiring["_id"]})) == 1219
    ok(slow_api.post(CLOSE, json={"id": closing["_id"]}))
    assert status_of(slow_api, closing["_id"]) == 3
    closed = {s["_id"] for s in ok(slow_api.get(LIST, params={"status": 3, "size": 5}))["result"]}
    assert {expiring["_id"], closing["_id"]} <= closed
    assert slow_sim.state.session_status(closing["_id"]) == 3


def test_avatar_upload_lifecycle(slow_sim, slow_api) -> None:
    clock, step = slow_sim.state.clock, slow_sim.cfg.avatar_steps
    good = ok(slow_api.post(AVATAR_CREATE, json={**UPLOAD, "name": "Me"}))
    bad = ok(slow_api.post(AVATAR_CREATE, json={**UPLOAD, "avatar_id": "lost1",
                                           "url": "https://unreachable.example.com/x.mp4"}))
    invalid = ok(slow_api.post(AVATAR_CREATE, json={**UPLOAD, "avatar_id": "lost2",
                                               "url": "https://media.host.invalid/x.mp4"}))
    assert (good["status"], good["avatar_id"], good["name"], good["type"]) == (1, "myAvatar1", "Me", 2)
    assert good["_id"] and good["from"] == 3 and isinstance(good["create_time"], int)
    assert code(slow_api.post(AVATAR_CREATE, json=UPLOAD)) == 1222

    def statuses() -> list[int]:
        return [ok(slow_api.get(AVATAR_STATUS, params={"id": a["_id"]}))["status"]
                for a in (good, bad, invalid)]

    assert code(slow_api.post(CREATE, json={"avatar_id": "myAvatar1", "duration": 60})) == 1214
    clock.advance(step)
    assert statuses() == [2, 2, 2]
    assert code(slow_api.post(CREATE, json={"avatar_id": "myAvatar1", "duration": 60})) == 1214
    clock.advance(step)
    assert statuses() == [3, 4, 4]
    detail = ok(slow_api.get(AVATAR_DETAIL, params={"avatar_id": "myAvatar1"}))
    assert detail["status"] == 3 and detail["available"] is True
    assert ok(slow_api.get(AVATAR_DETAIL, params={"avatar_id": "lost1"}))["available"] is False
    assert create(slow_api, avatar_id="myAvatar1")["avatar_id"] == "myAvatar1"
    assert code(slow_api.post(CREATE, json={"avatar_id": "lost1", "duration": 60})) == 1220
    listed = {a["avatar_id"] for a in ok(slow_api.get(AVATAR_LIST))["result"]}
    assert {"myAvatar1", "lost1", "lost2", DEFAULT_AVATAR} <= listed


# -- lists --------------------------------------------------------------------------------


def test_pagination_over_250_sessions(simulator_factory) -> None:
    sim = simulator_factory(sessions=250)
    with connect(sim) as api:
        pages = [ok(api.get(LIST, params={"page": p, "size": 100})) for p in (1, 2, 3, 4)]
        assert [p["count"] for p in pages] == [250] * 4
        assert [len(p["result"]) for p in pages] == [100, 100, 50, 0]
        rows = [s for p in pages for s in p["result"]]
        assert len({s["_id"] for s in rows}) == 250
        times = [s["create_time"] for s in rows]
        assert times == sorted(times, reverse=True)  # newest first
        assert {"avatar_id", "duration", "create_time", "status", "credentials"} <= rows[0].keys()
        assert len(ok(api.get(LIST))["result"]) == 100  # default size
        assert len(ok(api.get(LIST, params={"size": 500}))["result"]) == 100  # capped
        assert [s["_id"] for s in ok(api.get(LIST, params={"page": 3, "size": 7}))["result"]] == [
            s["_id"] for s in rows[14:21]]
        avatars = ok(api.get(AVATAR_LIST, params={"page": 2, "size": 5}))
        assert avatars["count"] == 13 and len(avatars["result"]) == 5


def test_status_filter(slow_sim, slow_api) -> None:
    total = ok(slow_api.get(LIST))["count"]
    counts = {}
    for status in (1, 2, 3, 4):
        page = ok(slow_api.get(LIST, params={"status": status}))
        assert all(s["status"] == status for s in page["result"])
        counts[status] = page["count"]
    assert sum(counts.values()) == total
    assert counts[1] >= 1 and counts[2] >= 1 and counts[3] >= 1  # seeded: queueing, live, closed
    rec = create(slow_api)
    assert ok(slow_api.get(LIST, params={"status": 1}))["count"] == counts[1] + 1
    assert ok(slow_api.get(LIST, params={"status": 1, "size": 1}))["result"][0]["_id"] == rec["_id"]


def test_voices_and_languages(shared_api) -> None:
    first = ok(shared_api.get(VOICES, params={"type": 2}))
    assert first["count"] >= 30 and len(first["result"]) == 10 and first["page"] == 1
    everything = ok(shared_api.get(VOICES, params={"type": 2, "size": 100}))["result"]
    fields = {"voice_id", "name", "gender", "language", "locale", "preview", "support_stream"}
    assert fields <= everything[0].keys()
    assert len({v["language"] for v in everything}) >= 15
    streaming = ok(shared_api.get(VOICES, params={"type": 2, "support_stream": 1, "size": 100}))
    assert 0 < streaming["count"] < len(everything)
    assert all(v["support_stream"] for v in streaming["result"])
    cloned = ok(shared_api.get(VOICES, params={"type": 1, "size": 100}))["result"]
    assert cloned and all(v["type"] == 1 for v in cloned)
    named = ok(shared_api.get(VOICES, params={"type": 2, "name": "ava"}))["result"]
    assert [v["name"] for v in named] == ["Ava"]
    langs = ok(shared_api.get(LANGUAGES))["lang_list"]
    assert len(langs) >= 20 and {"lang_code", "lang_name", "url"} == langs[0].keys()
    assert "en" in {lang["lang_code"] for lang in langs}


# -- credentials ----------------------------------------------------------------------------

SHAPES = {
    "agora": {"agora_uid": int, "agora_app_id": str, "agora_channel": str, "agora_token": str},
    "livekit": {"livekit_url": str, "livekit_token": str, "livekit_room_name": str,
                "livekit_client_identity": str, "livekit_server_identity": str},
    # the OpenAPI file's names
    "trtc": {"trtc_sdk_app_id": int, "trtc_sdk_room_id": str, "trtc_sdk_user_id": str,
             "trtc_sdk_user_sig": str},
    "websocket": {"ws_url": str, "ws_token": str},
}
SECRET = {"agora": "agora_token", "livekit": "livekit_token", "trtc": "trtc_sdk_user_sig",
          "websocket": "ws_token"}


@pytest.mark.parametrize("stream_type", list(SHAPES))
def test_credentials_shape_per_stream_type(simulator, api, stream_type) -> None:
    a, b = create(api, stream_type=stream_type), create(api, stream_type=stream_type)
    for rec in (a, b):
        assert rec["stream_type"] == stream_type
        creds = rec["credentials"]
        assert {k: type(v) for k, v in creds.items()} == SHAPES[stream_type]
        assert len(creds[SECRET[stream_type]]) >= 24
        assert ok(api.get(DETAIL, params={"id": rec["_id"]}))["credentials"] == creds
    assert a["credentials"][SECRET[stream_type]] != b["credentials"][SECRET[stream_type]]
    if stream_type == "websocket":
        ws_url = a["credentials"]["ws_url"]
        assert ws_url == simulator.base_url.replace("http://", "ws://") + f"/sim/stream/{a['_id']}"
        assert simulator.state.sessions[a["_id"]].ws_token == a["credentials"]["ws_token"]
    else:
        assert simulator.state.sessions[a["_id"]].ws_token is None


# -- faults -------------------------------------------------------------------------------


def _outcomes(sim, n: int) -> list[str]:
    out = []
    with connect(sim) as api:
        for _ in range(n):
            r = api.get(LANGUAGES)
            if r.status_code >= 500:
                assert r.text and not r.text.lstrip().startswith("{")
                out.append(str(r.status_code))
                continue
            try:
                body = r.json()
            except ValueError:
                out.append("not-json")
                continue
            if "code" not in body:
                out.append("no-code")
            else:
                out.append("ok" if body["code"] == 1000 else str(body["code"]))
    return out


def test_faults_are_deterministic_under_a_seed(simulator_factory) -> None:
    flags = {"error_rate": 0.3, "malformed_rate": 0.3}
    one = _outcomes(simulator_factory(seed=7, **flags), 60)
    again = _outcomes(simulator_factory(seed=7, **flags), 60)
    other = _outcomes(simulator_factory(seed=8, **flags), 60)
    assert one == again
    assert one != other
    assert set(one) == {"ok", "500", "502", "503", "not-json", "no-code"}
    malformed = [o for o in one if o in ("not-json", "no-code")]
    assert malformed[:4] == ["not-json", "no-code", "not-json", "no-code"]  # they alternate
    assert set(_outcomes(simulator_factory(error_rate=1.0), 10)) <= {"500", "502", "503"}


def test_latency_is_added(simulator_factory) -> None:
    sim = simulator_factory(latency=0.3)
    with connect(sim) as api:
        start = time.monotonic()
        assert code(api.get(LANGUAGES)) == 1000
        assert time.monotonic() - start >= 0.3


# -- scale, churn, server -------------------------------------------------------------------


def test_100k_sessions_seed_and_list(simulator_factory) -> None:
    sim = simulator_factory(sessions=100_000, avatars=50)
    assert len(sim.state.sessions) == 100_000
    with connect(sim) as api:
        last = ok(api.get(LIST, params={"page": 1000, "size": 100}))
        assert last["count"] == 100_000 and len(last["result"]) == 100
        closed = ok(api.get(LIST, params={"status": 3, "page": 500}))
        assert closed["count"] > 90_000 and all(s["status"] == 3 for s in closed["result"])


def test_same_seed_same_data() -> None:
    a = SimulatorState(SimulatorConfig(seed=3, sessions=50, churn=False))
    b = SimulatorState(SimulatorConfig(seed=3, sessions=50, churn=False))
    c = SimulatorState(SimulatorConfig(seed=4, sessions=50, churn=False))
    assert list(a.sessions) == list(b.sessions) != list(c.sessions)
    assert list(a.avatars) == list(b.avatars)


def test_churn_step_is_bounded() -> None:
    state = SimulatorState(SimulatorConfig(sessions=0, churn=False, max_concurrent=50))
    for _ in range(200):
        state.churn_step()
        state.clock.advance(5)
        assert len(state.open_sessions()) <= state.open_target
    assert 0 < len(state.sessions) <= 200
    assert any(rec.closed_at is not None for rec in state.sessions.values())


def all_ids(api: httpx.Client, **params: Any) -> list[str]:
    """Every listed session id, newest first, page by page."""
    ids, page = [], 1
    while batch := ok(api.get(LIST, params={**params, "page": page, "size": 100}))["result"]:
        ids += [s["_id"] for s in batch]
        page += 1
    return ids


@pytest.mark.parametrize("steady", [True, False])
def test_steady_churn_keeps_the_session_count(simulator_factory, steady: bool) -> None:
    sim = simulator_factory(sessions=60, steady_churn=steady, max_concurrent=50)
    state = sim.state
    with connect(sim) as api:
        seeded = all_ids(api)
        mine = [create(api, duration=3600)["_id"] for _ in range(3)]  # clients add some too
        for _ in range(300):
            state.churn_step()
            state.clock.advance(5)
        listed = all_ids(api)
        count = ok(api.get(LIST, params={"page": 1, "size": 1}))["count"]
        open_now = [rec.id for rec in state.open_sessions()]
        churned = set(listed) - set(seeded) - set(mine)
        assert churned, "churn started no session"
        assert count == len(listed) == len(set(listed)) == len(state.sessions)
        assert set(open_now) <= set(listed)
        closed = set(all_ids(api, status=3)) | set(all_ids(api, status=4))
        assert closed | set(open_now) == set(listed)  # the status lists agree
        if not steady:  # the default: history only grows
            assert count == 60 + len(mine) + len(churned)
            return
        assert count == 60  # as many retired as churn and clients started
        assert set(mine) <= set(listed)  # still open: never retired
        retired = [sid for sid in seeded if sid not in listed]
        assert retired == seeded[-len(retired):]  # the oldest ones went
        assert code(api.get(DETAIL, params={"id": retired[0]})) == 1216


def test_churn_runs_in_the_server(simulator_factory) -> None:
    sim = simulator_factory(sessions=0, churn=True, churn_interval=0.05)
    deadline = time.monotonic() + 10
    while not sim.state.sessions:
        assert time.monotonic() < deadline, "churn never added a session"
        time.sleep(0.02)


def test_background_server_stops_cleanly() -> None:
    with run_background(SimulatorConfig(churn=True, churn_interval=0.05, sessions=3)) as sim:
        with connect(sim) as api:
            assert code(api.get(LANGUAGES)) == 1000
    sim.stop()  # idempotent
    with connect(sim) as api, pytest.raises(httpx.TransportError):
        api.get(LANGUAGES, timeout=2)


def test_bad_settings_are_refused() -> None:
    for bad in ({"error_rate": 1.5}, {"error_rate": 0.6, "malformed_rate": 0.6},
                {"sessions": -1}, {"time_scale": 0}, {"api_key": ""}, {"token_expiry_calls": 0},
                {"latency": float("nan")}):
        with pytest.raises(ValueError, match=next(iter(bad)).split("_")[0]):
            SimulatorConfig(**bad)


def test_cli_arguments_and_banner() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    ns = parser.parse_args(["--port", "0", "--sessions", "7", "--no-churn", "--error-rate", "0.1",
                            "--token-expiry-calls", "4", "--api-key", "my-private-key-987"])
    cfg = config_from_args(ns)
    assert (ns.port, cfg.sessions, cfg.churn) == (0, 7, False)
    assert (cfg.error_rate, cfg.token_expiry_calls, cfg.steady_churn) == (0.1, 4, False)
    assert config_from_args(parser.parse_args(["--steady-churn"])).steady_churn
    line = banner(cfg, "http://127.0.0.1:9")
    assert "my-private-key-987" not in line and line.endswith("987)")
    assert banner(SimulatorConfig(), "http://h:1") == "AKool simulator on http://h:1 (api key: demo)"
    for argv in (["--error-rate", "2"], ["--sessions", "many"], ["--time-scale", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)


def test_python_m_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "akool_tui.simulator", "--port", "0", "--sessions", "5", "--no-churn"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(r"AKool simulator on (http://127\.0\.0\.1:\d+) \(api key: demo\)\n", line)
        assert match, line
        with httpx.Client(base_url=match.group(1), headers=KEY, verify=False) as api:
            assert ok(api.get(LIST))["count"] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_busy_port_is_one_clear_error(simulator) -> None:
    with pytest.raises(SystemExit) as info:
        serve_forever(SimulatorConfig(churn=False), "127.0.0.1", simulator.port)
    assert f"cannot listen on 127.0.0.1:{simulator.port}" in str(info.value)


def test_faults_can_be_switched_on_and_off_while_running(simulator, api) -> None:
    assert api.get("/sim/faults").json()["data"] == {
        "latency": 0.0, "error_rate": 0.0, "malformed_rate": 0.0,
        "stream_drop": 0.0, "stream_disconnect": 0.0, "stream_latency": 0.0}
    on = api.post("/sim/faults", json={"error_rate": 1.0}).json()
    assert on["code"] == 1000 and on["data"]["error_rate"] == 1.0
    answers = [api.get("/api/open/v4/liveAvatar/session/list").status_code for _ in range(5)]
    assert all(code in (500, 502, 503) for code in answers)
    # the switch itself never fails, so faults can always be turned off
    off = api.post("/sim/faults", json={"error_rate": 0.0})
    assert off.status_code == 200 and off.json()["data"]["error_rate"] == 0.0
    assert api.get("/api/open/v4/liveAvatar/session/list").json()["code"] == 1000
    slow = api.post("/sim/faults", json={"latency": 0.3}).json()["data"]
    assert slow["latency"] == 0.3
    started = time.monotonic()
    api.get("/api/open/v4/voice/list")
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("body, problem", [
    ({"error_rate": 2}, "error_rate"),
    ({"error_rate": 0.6, "malformed_rate": 0.6}, "must not exceed 1"),
    ({"latency": "slow"}, "latency"),
    ({"drop_rate": 0.1}, "unknown fault settings"),
    ({"stream_drop": 2}, "fault drop"),
    ({"stream_latency": 99, "error_rate": 0.5}, "fault latency"),
    ([0.1], "JSON object"),
])
def test_bad_fault_settings_are_1003_and_change_nothing(simulator, api, body, problem) -> None:
    answer = api.post("/sim/faults", json=body).json()
    assert answer["code"] == 1003 and problem in answer["msg"]
    assert api.get("/sim/faults").json()["data"]["error_rate"] == 0.0


def test_the_fault_switch_needs_the_api_key(simulator) -> None:
    with connect(simulator, headers={}) as anonymous:
        answer = anonymous.post("/sim/faults", json={"error_rate": 1.0}).json()
    assert answer["code"] == 1102


def test_churn_never_closes_a_session_created_through_the_api(simulator_factory) -> None:
    """A demo's chat session is the user's: churn (which closes random live sessions)
    leaves it alone; it ends when its time runs out."""
    sim = simulator_factory(sessions=20, max_concurrent=60)
    state = sim.state
    with connect(sim) as api:
        mine = [create(api, duration=3600)["_id"] for _ in range(3)]
        state.clock.advance(10)  # live now
        closed_by_churn = 0
        for _ in range(400):
            before = {rec.id for rec in state.open_sessions()}
            state.churn_step()
            state.clock.advance(1)
            after = {rec.id for rec in state.open_sessions()}
            closed_by_churn += len(before - after)
        assert closed_by_churn > 5  # churn did close background sessions meanwhile
        statuses = {sid: ok(api.get(DETAIL, params={"id": sid}))["status"] for sid in mine}
        assert statuses == dict.fromkeys(mine, 2)  # all still live
        state.clock.advance(3600)
        assert all(ok(api.get(DETAIL, params={"id": sid}))["status"] == 3 for sid in mine)
