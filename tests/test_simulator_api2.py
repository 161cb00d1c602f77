"""The simulator's 2026 API (spec section 6), spoken to with plain httpx over loopback HTTP
and with ``websockets`` on the stream channel: knowledge bases, credits, every session
option, bring-your-own credentials, the answer shapes the spec tolerates, avatar
platforms, voice filters, set-params in vparams and set-action."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect as ws_connect

from akool_tui.simulator import SimulatorConfig, SimulatorState, run_background
from akool_tui.simulator.cli import add_arguments, config_from_args

V3, V4 = "/api/open/v3", "/api/open/v4"
KB = f"{V4}/knowledge"
KB_LIST, KB_CREATE, KB_DETAIL = f"{KB}/list", f"{KB}/create", f"{KB}/detail"
KB_UPDATE, KB_DELETE = f"{KB}/update", f"{KB}/delete"
CREDIT = f"{V3}/faceswap/quota/info"
S = f"{V4}/liveAvatar/session"
CREATE, DETAIL, CLOSE = f"{S}/create", f"{S}/detail", f"{S}/close"
AVATAR_CREATE, AVATAR_LIST = f"{V3}/avatar/create", f"{V4}/liveAvatar/avatar/list"
AVATAR_DETAIL = f"{V4}/liveAvatar/avatar/detail"
VOICES = f"{V4}/voice/list"
TRISTAN = "dvp_Tristan_cloth2_1080P"
KEY = {"x-api-key": "demo"}
MISSING = "0123456789abcdef01234567"  # an ObjectId no knowledge base has
PRESETS = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin",
           "cedar")
KB_FIELDS = {"_id", "team_id", "uid", "user_type", "from", "name", "prologue", "prompt",
             "docs", "urls", "create_time", "update_time"}


def connect(sim) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers=KEY, timeout=10, verify=False)


@pytest.fixture
def api(simulator) -> Iterator[httpx.Client]:
    with connect(simulator) as client:
        yield client


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Any, httpx.Client]]:
    """One simulator for the read-only and validation cases."""
    with run_background(SimulatorConfig(churn=False)) as sim, connect(sim) as client:
        yield sim, client


def answer(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"code", "msg", "data"} <= body.keys(), body
    return body


def ok(response: httpx.Response) -> Any:
    body = answer(response)
    assert body["code"] == 1000, body
    return body["data"]


def code(response: httpx.Response) -> int:
    return answer(response)["code"]


def failure(response: httpx.Response) -> tuple[int, str]:
    body = answer(response)
    assert body["code"] != 1000 and body["data"] is None, body
    return body["code"], body["msg"]


def delete(api: httpx.Client, body: Any) -> httpx.Response:
    return api.request("DELETE", KB_DELETE, json=body)


def session(api: httpx.Client, **body: Any) -> dict[str, Any]:
    return ok(api.post(CREATE, json={"avatar_id": TRISTAN, "duration": 60, **body}))


def create_code(api: httpx.Client, **body: Any) -> tuple[int, str]:
    return failure(api.post(CREATE, json={"avatar_id": TRISTAN, "duration": 60, **body}))


# -- knowledge bases: list -----------------------------------------------------------------


def test_knowledge_list_is_the_users_array_newest_first(shared) -> None:
    sim, api = shared
    mine = ok(api.get(KB_LIST))
    assert isinstance(mine, list) and len(mine) == 4
    assert all(kb.keys() == KB_FIELDS for kb in mine)
    assert {kb["from"] for kb in mine} == {2} and {kb["user_type"] for kb in mine} == {2}
    assert {kb["uid"] for kb in mine} == {sim.state.uid} and len({kb["team_id"] for kb in mine}) == 1
    times = [kb["create_time"] for kb in mine]
    assert times == sorted(times, reverse=True) and all(isinstance(t, int) for t in times)
    assert all(kb["update_time"] >= kb["create_time"] for kb in mine)
    acme = next(kb for kb in mine if kb["name"] == "Acme support desk")
    assert [d["name"] for d in acme["docs"]] == ["returns-policy.pdf", "product-manual-v4.docx",
                                                 "warranty.md"]
    assert all(d.keys() == {"name", "url", "size"} for d in acme["docs"])
    assert acme["urls"] and acme["prologue"] and acme["prompt"]
    system = ok(api.get(KB_LIST, params={"from": 1}))
    assert len(system) == 2 and {kb["from"] for kb in system} == {1}
    assert {kb["team_id"] for kb in system}.isdisjoint({kb["team_id"] for kb in mine})
    assert ok(api.get(KB_LIST, params={"from": 2})) == mine


def test_knowledge_list_pages_and_name_filter(shared) -> None:
    _, api = shared
    everything = ok(api.get(KB_LIST, params={"size": 100}))
    assert [kb["_id"] for kb in ok(api.get(KB_LIST, params={"page": 2, "size": 3}))] == [
        kb["_id"] for kb in everything[3:6]]
    assert ok(api.get(KB_LIST, params={"page": 9})) == []
    assert [kb["name"] for kb in ok(api.get(KB_LIST, params={"name": "CLINIC"}))] == [
        "Clinic reception"]
    assert [kb["name"] for kb in ok(api.get(KB_LIST, params={"name": "faq", "from": 1}))] == [
        "AKool Streaming Avatar FAQ"]
    assert ok(api.get(KB_LIST, params={"name": "faq"})) == []  # from 2 by default


@pytest.mark.parametrize("params", [
    {"size": 0}, {"size": 101}, {"size": "ten"}, {"page": 0}, {"page": "x"}, {"from": 3},
    {"from": "user"},
])
def test_knowledge_list_bad_query_is_1003(shared, params) -> None:
    assert code(shared[1].get(KB_LIST, params=params)) == 1003


def test_knowledge_list_object_shape_for_the_demos_reader(simulator_factory) -> None:
    sim = simulator_factory(knowledge_list_shape="object")
    with connect(sim) as api:
        data = ok(api.get(KB_LIST, params={"size": 2}))
    assert list(data) == ["knowledge_list"] and len(data["knowledge_list"]) == 2
    assert data["knowledge_list"][0].keys() == KB_FIELDS


# -- knowledge bases: create, detail, update, delete --------------------------------------

DOC = {"name": "faq.pdf", "url": "https://files.example.com/faq.pdf", "size": 2048}


def test_knowledge_create_detail_update_delete(simulator, api) -> None:
    before = simulator.state.clock.now_ms()
    made = ok(api.post(KB_CREATE, json={
        "name": "  Front desk  ", "prologue": "Welcome!", "prompt": "Be brief.",
        "docs": [DOC, {"name": "notes", "url": "https://files.example.com/notes.md"}],
        "urls": ["https://example.com/about"]}))
    assert made.keys() == KB_FIELDS
    assert (made["name"], made["prologue"], made["prompt"]) == ("Front desk", "Welcome!", "Be brief.")
    assert (made["from"], made["user_type"], made["uid"]) == (2, 2, simulator.state.uid)
    assert made["docs"][0] == DOC
    # a document sent without a size is measured (format from the URL's extension)
    assert made["docs"][1]["name"] == "notes" and made["docs"][1]["size"] > 0
    assert made["urls"] == ["https://example.com/about"]
    assert made["create_time"] == made["update_time"] >= before
    assert ok(api.get(KB_DETAIL, params={"id": made["_id"]})) == made
    assert made["_id"] in [kb["_id"] for kb in ok(api.get(KB_LIST, params={"size": 100}))]

    simulator.state.clock.advance(60)
    changed = ok(api.post(KB_UPDATE, json={"id": made["_id"], "prompt": "Be very brief.",
                                           "name": "", "urls": ["https://example.com/new"]}))
    assert changed["name"] == "Front desk"  # "" changes nothing
    assert changed["prologue"] == "Welcome!" and changed["prompt"] == "Be very brief."
    assert changed["urls"] == ["https://example.com/new"] and changed["docs"] == made["docs"]
    assert changed["update_time"] >= made["update_time"] + 60_000
    assert changed["create_time"] == made["create_time"]
    cleared = ok(api.post(KB_UPDATE, json={"id": made["_id"], "prologue": ""}))
    assert cleared["prologue"] == "" and cleared["prompt"] == "Be very brief."
    assert ok(api.get(KB_DETAIL, params={"id": made["_id"]})) == cleared

    assert ok(delete(api, {"id": made["_id"]})) is None
    assert failure(api.get(KB_DETAIL, params={"id": made["_id"]}))[0] == 1232
    assert failure(delete(api, {"id": made["_id"]}))[0] == 1232
    assert made["_id"] not in [kb["_id"] for kb in ok(api.get(KB_LIST, params={"size": 100}))]


def test_knowledge_create_with_nothing_is_an_empty_knowledge_base(api) -> None:
    made = ok(api.post(KB_CREATE, json={}))
    assert (made["name"], made["prologue"], made["prompt"], made["docs"], made["urls"]) == (
        "", "", "", [], [])


def _docs(*sizes: int) -> list[dict[str, Any]]:
    return [{"name": f"part{i}.pdf", "url": f"https://files.example.com/{i}.pdf", "size": s}
            for i, s in enumerate(sizes)]


MB100, MB500 = 104_857_600, 524_288_000


@pytest.mark.parametrize("body, reason", [
    ({"name": "n" * 101}, "at most 100"),
    ({"prologue": "p" * 2001}, "at most 2000"),
    ({"prompt": "p" * 10_001}, "at most 10000"),
    ({"name": 5}, "name must be a string"),
    ({"docs": "faq.pdf"}, "docs must be a list"),
    ({"docs": ["faq.pdf"]}, "docs[0] must be an object"),
    ({"docs": [{"url": "https://x.example/a.pdf"}]}, "docs[0].name is required"),
    ({"docs": [{"name": "a.pdf", "url": "ftp://x.example/a.pdf"}]}, "http(s) URL"),
    ({"docs": [{"name": "a.pdf"}]}, "http(s) URL"),
    ({"docs": [{"name": "setup.exe", "url": "https://x.example/setup.exe"}]}, ".exe"),
    ({"docs": [{"name": "slides.pptx", "url": "https://x.example/s.pptx"}]}, "PDF, DOC, DOCX"),
    ({"docs": [{"name": "noext", "url": "https://x.example/download"}]}, "no extension"),
    ({"docs": _docs(MB100 + 1)}, "at most 104857600 bytes"),
    ({"docs": _docs(MB100, MB100, MB100, MB100, MB100, 1)}, "at most 524288000 bytes"),
    ({"docs": _docs(-1)}, "whole number of bytes"),
    ({"docs": _docs(1.5)}, "whole number of bytes"),
    ({"docs": [{**DOC, "size": "2 KB"}]}, "whole number of bytes"),
    ({"urls": "https://example.com"}, "urls must be a list"),
    ({"urls": ["https://example.com", "example.com/x"]}, "urls[1]"),
])
def test_knowledge_limits_are_1003_on_create_and_update(shared, body, reason) -> None:
    sim, api = shared
    before = len(sim.state.knowledge)
    kb_code, msg = failure(api.post(KB_CREATE, json=body))
    assert kb_code == 1003 and reason in msg
    mine = ok(api.get(KB_LIST))[0]
    kb_code, msg = failure(api.post(KB_UPDATE, json={"id": mine["_id"], **body}))
    assert kb_code == 1003 and reason in msg
    assert len(sim.state.knowledge) == before
    assert ok(api.get(KB_DETAIL, params={"id": mine["_id"]})) == mine


def test_knowledge_limits_are_inclusive(api) -> None:
    made = ok(api.post(KB_CREATE, json={
        "name": "n" * 100, "prologue": "p" * 2000, "prompt": "q" * 10_000,
        "docs": _docs(MB100, MB100, MB100, MB100, MB100)
        + [{"name": f"x.{ext}", "url": f"https://f.example/x.{ext}", "size": 0}
           for ext in ("DOC", "docx", "txt", "md", "json", "xml", "csv")]}))
    assert len(made["name"]) == 100 and len(made["prompt"]) == 10_000
    assert sum(d["size"] for d in made["docs"]) == MB500


def test_knowledge_error_codes(simulator, api) -> None:
    mine = ok(api.get(KB_LIST))
    acme = next(kb for kb in mine if kb["name"] == "Acme support desk")
    other = next(kb for kb in mine if kb is not acme)
    system = ok(api.get(KB_LIST, params={"from": 1}))[0]
    # 1233: the name is already one of the user's knowledge bases (any case, spaces trimmed)
    assert failure(api.post(KB_CREATE, json={"name": " ACME support desk "}))[0] == 1233
    assert failure(api.post(KB_UPDATE, json={"id": other["_id"], "name": "acme SUPPORT desk"}))[0] == 1233
    assert ok(api.post(KB_UPDATE, json={"id": acme["_id"], "name": "Acme Support Desk"}))
    # ... but the name of one of AKool's knowledge bases is free
    assert ok(api.post(KB_CREATE, json={"name": system["name"]}))["from"] == 2
    # 1234 / 1235: a document or page the service cannot fetch
    lost = {"name": "a.pdf", "url": "https://unreachable.example.com/a.pdf"}
    kb_code, msg = failure(api.post(KB_CREATE, json={"name": "Lost", "docs": [lost]}))
    assert kb_code == 1234 and "unreachable.example.com" in msg
    kb_code, msg = failure(api.post(KB_UPDATE, json={"id": acme["_id"],
                                                     "urls": ["https://x.invalid/faq"]}))
    assert kb_code == 1235 and "x.invalid" in msg
    # 1232 unknown; a malformed id: 1236 on detail, 1235 on update, 1232 on delete
    assert failure(api.get(KB_DETAIL, params={"id": MISSING}))[0] == 1232
    assert failure(api.post(KB_UPDATE, json={"id": MISSING, "name": "x"}))[0] == 1232
    assert failure(delete(api, {"id": MISSING}))[0] == 1232
    assert failure(api.get(KB_DETAIL, params={"id": "kb-1"}))[0] == 1236
    assert failure(api.post(KB_UPDATE, json={"id": "kb-1", "name": "x"}))[0] == 1235
    assert failure(delete(api, {"id": "kb-1"}))[0] == 1232
    # 1010: AKool's own knowledge bases cannot be changed or deleted
    assert failure(api.post(KB_UPDATE, json={"id": system["_id"], "prompt": "mine now"}))[0] == 1010
    assert failure(delete(api, {"id": system["_id"]}))[0] == 1010
    assert ok(api.get(KB_DETAIL, params={"id": system["_id"]})) == system
    # 1003: no id; the body of a DELETE is where the id goes
    assert failure(api.get(KB_DETAIL))[0] == 1003
    assert failure(api.post(KB_UPDATE, json={"name": "x"}))[0] == 1003
    assert failure(delete(api, {}))[0] == 1003
    assert failure(api.request("DELETE", KB_DELETE, params={"id": acme["_id"]}))[0] == 1003
    assert failure(api.request("DELETE", KB_DELETE, content=b"{nope"))[0] == 1003
    assert api.post(KB_DELETE, json={"id": acme["_id"]}).status_code == 405  # DELETE only
    assert ok(api.get(KB_DETAIL, params={"id": acme["_id"]}))["name"] == "Acme Support Desk"


def test_knowledge_bases_are_seeded_deterministically() -> None:
    def seeded(seed: int) -> list[tuple[str, str, int]]:
        state = SimulatorState(SimulatorConfig(seed=seed, churn=False))
        return [(kb.oid, kb.name, kb.source) for kb in state.knowledge.values()]

    assert seeded(5) == seeded(5) != seeded(6)
    assert [name for _, name, _ in seeded(5)] == [name for _, name, _ in seeded(6)]


# -- knowledge_id on session create -----------------------------------------------------


def test_session_knowledge_id_is_checked_stored_and_shown(simulator, api) -> None:
    mine = ok(api.get(KB_LIST))[0]["_id"]
    system = ok(api.get(KB_LIST, params={"from": 1}))[0]["_id"]
    for kb_id in (mine, system):
        rec = session(api, knowledge_id=kb_id)
        assert rec["knowledge_id"] == kb_id
        assert ok(api.get(DETAIL, params={"id": rec["_id"]}))["knowledge_id"] == kb_id
        assert simulator.state.sessions[rec["_id"]].knowledge_id == kb_id
    for bad in (MISSING, "kb1"):
        kb_code, msg = create_code(api, knowledge_id=bad)
        assert kb_code == 1232 and bad in msg
    assert code(api.post(CREATE, json={"avatar_id": TRISTAN, "duration": 60,
                                       "knowledge_id": 7})) == 1003
    assert "knowledge_id" not in session(api, knowledge_id="")


# -- credits ---------------------------------------------------------------------------------


def frozen(simulator_factory, **kw):
    """Simulated time moves only with clock.advance (a real second is a nanosecond)."""
    return simulator_factory(time_scale=1e-9, sessions=0, **kw)


def test_credit_balance_held_at_create_and_refunded_on_close(simulator_factory) -> None:
    sim = frozen(simulator_factory, credits=100, credit_rate=2.0)
    clock = sim.state.clock
    with connect(sim) as api:
        assert ok(api.get(CREDIT)) == {"credit": 100.0}
        closing = session(api, duration=600)  # holds 2 credits x 10 minutes
        assert ok(api.get(CREDIT))["credit"] == 80.0
        clock.advance(150)
        ok(api.post(CLOSE, json={"id": closing["_id"]}))
        assert ok(api.get(CREDIT))["credit"] == 95.0  # 7.5 unused minutes come back
        expiring = session(api, duration=60)
        assert ok(api.get(CREDIT))["credit"] == 93.0
        clock.advance(61)
        assert ok(api.get(DETAIL, params={"id": expiring["_id"]}))["status"] == 3
        assert ok(api.get(CREDIT))["credit"] == 93.0  # used in full: nothing back
        assert code(api.post(CLOSE, json={"id": expiring["_id"]})) == 1219
        assert ok(api.get(CREDIT))["credit"] == 93.0


def test_a_create_the_balance_cannot_hold_is_1104(simulator_factory) -> None:
    sim = frozen(simulator_factory, credits=10, credit_rate=1.0)
    with connect(sim) as api:
        kb_code, msg = create_code(api, duration=601)  # 10.02 credits
        assert kb_code == 1104 and "10.02" in msg and "10" in msg
        assert ok(api.get(CREDIT))["credit"] == 10.0
        session(api, duration=600)  # exactly the balance
        assert ok(api.get(CREDIT))["credit"] == 0.0
        assert create_code(api, duration=1)[0] == 1104
        assert len(sim.state.sessions) == 1


def test_credits_are_deterministic_and_a_free_rate_costs_nothing(simulator_factory) -> None:
    def run(**kw) -> list[float]:
        sim = frozen(simulator_factory, **kw)
        out = []
        with connect(sim) as api:
            ids = [session(api, duration=d)["_id"] for d in (300, 900, 3600)]
            for sid, wait in zip(ids, (30, 200, 1000)):
                sim.state.clock.advance(wait)
                ok(api.post(CLOSE, json={"id": sid}))
                out.append(ok(api.get(CREDIT))["credit"])
        return out

    assert run(credits=500, credit_rate=3.0) == run(credits=500, credit_rate=3.0)
    assert run(credits=500, credit_rate=0.0) == [500.0, 500.0, 500.0]


def test_churn_pays_for_its_sessions_and_stops_when_broke() -> None:
    broke = SimulatorState(SimulatorConfig(sessions=0, churn=False, credits=0))
    for _ in range(100):
        broke.churn_step()
        broke.clock.advance(5)
    assert not broke.sessions and broke.credit_balance() == 0.0
    rich = SimulatorState(SimulatorConfig(sessions=0, churn=False, credits=1000))
    for _ in range(100):
        rich.churn_step()
        rich.clock.advance(5)
    assert rich.sessions and rich.credit_balance() < 1000.0


# -- create session: voice_params --------------------------------------------------------


@pytest.mark.parametrize("vp, reason", [
    ({"speed": 0.79}, "speed"), ({"speed": 1.21}, "speed"), ({"speed": True}, "speed"),
    ({"pron_map": "AKool=ay-cool"}, "pron_map"), ({"pron_map": {"AKool": 5}}, "pron_map"),
    ({"pron_map": {" ": "x"}}, "pron_map"),
    ({"stt_language": "xx"}, "stt_language"), ({"stt_language": 5}, "stt_language"),
    ({"stt_type": "whisper"}, "openai_realtime"),
    ({"turn_detection": {"threshold": 0.5}}, "type must be server_vad or semantic_vad"),
    ({"turn_detection": {"type": "vad"}}, "type must be server_vad or semantic_vad"),
    ({"turn_detection": {"type": "semantic_vad", "threshold": 0.5}}, "only applies with type server_vad"),
    ({"turn_detection": {"type": "semantic_vad", "prefix_padding_ms": 300}}, "only applies"),
    ({"turn_detection": {"type": "semantic_vad", "silence_duration_ms": 500}}, "only applies"),
    ({"turn_detection": {"type": "server_vad", "threshold": 1.5}}, "threshold"),
    ({"turn_detection": {"type": "server_vad", "threshold": -0.1}}, "threshold"),
    ({"turn_detection": {"type": "server_vad", "prefix_padding_ms": -1}}, "prefix_padding_ms"),
    ({"turn_detection": {"type": "server_vad", "silence_duration_ms": 10_001}}, "silence_duration_ms"),
    ({"turn_detection": {"type": "server_vad", "silence_duration_ms": 1.5}}, "silence_duration_ms"),
    ({"turn_detection": {"type": "server_vad", "eagerness": "high"}}, "eagerness"),
    ({"turn_detection": "server_vad"}, "turn_detection must be an object"),
    ({"elevenlabs_settings": {"model_id": "eleven_flash_v2_5"}}, "api_key is required"),
    ({"elevenlabs_settings": {"api_key": "k", "stability": 1.2}}, "stability"),
    ({"elevenlabs_settings": {"api_key": "k", "similarity_boost": "high"}}, "similarity_boost"),
    ({"elevenlabs_settings": {"api_key": "k", "style": -1}}, "style"),
    ({"elevenlabs_settings": {"api_key": "k", "use_speaker_boost": "yes"}}, "use_speaker_boost"),
    ({"elevenlabs_settings": {"api_key": "k", "model_id": 3}}, "model_id"),
    ({"elevenlabs_settings": {"api_key": "k", "voice": "x"}}, "elevenlabs_settings.voice"),
    ({"voice_id": "alloy"}, "fast_dialogue"),
    ({"volume": 2}, "voice_params.volume"),
])
def test_voice_params_are_checked(shared, vp, reason) -> None:
    vp_code, msg = create_code(shared[1], voice_params=vp)
    assert vp_code == 1003 and reason in msg, msg


def test_full_voice_params_are_stored_and_the_elevenlabs_key_never_echoed(simulator, api) -> None:
    eleven_key = "sk_eleven_0123456789abcdef0123456789"
    vp = {"speed": 0.8, "pron_map": {"AKool": "ay-cool", "SQL": "sequel"}, "stt_language": "en-US",
          "stt_type": "openai_realtime",
          "turn_detection": {"type": "server_vad", "threshold": 0, "prefix_padding_ms": 0,
                             "silence_duration_ms": 10_000},
          "elevenlabs_settings": {"api_key": eleven_key, "model_id": "eleven_flash_v2_5",
                                  "stability": 0.5, "similarity_boost": 1, "style": 0,
                                  "use_speaker_boost": True}}
    # with ElevenLabs, voice_id is ElevenLabs' (not in AKool's voice list)
    rec = session(api, voice_id="21m00Tcm4TlvDq8ikWAM", voice_params=vp)
    detail = ok(api.get(DETAIL, params={"id": rec["_id"]}))
    for shown in (rec, detail):
        assert eleven_key not in json.dumps(shown)
        assert shown["voice_id"] == "21m00Tcm4TlvDq8ikWAM"
        assert shown["voice_params"]["turn_detection"] == vp["turn_detection"]
        assert shown["voice_params"]["elevenlabs_settings"] == {
            k: v for k, v in vp["elevenlabs_settings"].items() if k != "api_key"}
    assert simulator.state.sessions[rec["_id"]].voice_params == vp
    assert eleven_key not in repr(simulator.state.sessions[rec["_id"]])
    semantic = session(api, voice_params={"turn_detection": {"type": "semantic_vad"}})
    assert semantic["voice_params"] == {"turn_detection": {"type": "semantic_vad"}}
    # without ElevenLabs the voice must be a streaming voice of the voice list
    assert create_code(api, voice_id="21m00Tcm4TlvDq8ikWAM")[0] == 1008


# -- create session: fast_dialogue -------------------------------------------------------


def test_fast_dialogue_takes_the_ten_preset_voices(api) -> None:
    for voice in PRESETS:
        rec = session(api, scene_mode="fast_dialogue", e2e_type="openai",
                      voice_params={"voice_id": voice, "stt_language": "en",
                                    "turn_detection": {"type": "semantic_vad"}})
        assert (rec["scene_mode"], rec["e2e_type"]) == ("fast_dialogue", "openai")
        assert rec["voice_params"]["voice_id"] == voice and "voice_id" not in rec
    detail = ok(api.get(DETAIL, params={"id": rec["_id"]}))
    assert detail["scene_mode"] == "fast_dialogue" and detail["voice_params"]["voice_id"] == "cedar"
    # with ElevenLabs the voice is ElevenLabs'
    eleven = session(api, scene_mode="fast_dialogue", e2e_type="openai", voice_params={
        "voice_id": "21m00Tcm4TlvDq8ikWAM", "elevenlabs_settings": {"api_key": "k" * 32}})
    assert eleven["voice_params"]["voice_id"] == "21m00Tcm4TlvDq8ikWAM"


FAST = {"scene_mode": "fast_dialogue", "e2e_type": "openai"}


@pytest.mark.parametrize("body, reason", [
    ({"scene_mode": "fast_dialogue"}, "needs e2e_type openai"),
    ({**FAST, "e2e_type": "gemini"}, "needs e2e_type openai"),
    ({"e2e_type": "openai"}, "only applies with scene_mode fast_dialogue"),
    ({"scene_mode": "slow_dialogue", "e2e_type": "openai"}, "scene_mode must be fast_dialogue"),
    ({**FAST, "voice_params": {"voice_id": "en-US-AvaMultilingualNeural"}}, "Voice List voice"),
    ({**FAST, "voice_params": {"voice_id": "clone7f3a9c2e51d84b06"}}, "Voice List voice"),
    ({**FAST, "voice_params": {"voice_id": "nova"}}, "must be one of alloy, ash"),
    ({**FAST, "voice_params": {"voice_id": "en-US-AvaMultilingualNeural",
                               "elevenlabs_settings": {"api_key": "k"}}}, "Voice List voice"),
    ({**FAST, "voice_id": "en-US-AvaMultilingualNeural"}, "Voice List voice"),
    ({**FAST, "voice_id": "alloy"}, "goes in voice_params.voice_id"),
    ({**FAST, "voice_url": "https://x.example/v.mp3"}, "goes in voice_params.voice_id"),
    ({**FAST, "voice_params": {"voice_id": "alloy", "speed": 1.0}}, "voice_params.speed"),
    ({**FAST, "voice_params": {"pron_map": {"a": "b"}}}, "with scene_mode fast_dialogue"),
])
def test_fast_dialogue_refusals_are_1003(shared, body, reason) -> None:
    fd_code, msg = create_code(shared[1], **body)
    assert fd_code == 1003 and reason in msg, msg


# -- create session: bring-your-own credentials and TRTC names ---------------------------

BYO = {
    "agora": {"agora_uid": 4242, "agora_app_id": "app-" + "a" * 28,
              "agora_channel": "my-own-channel", "agora_token": "007eJxMYOWNTOKEN" + "t" * 40},
    "livekit": {"livekit_url": "wss://lk.mine.example", "livekit_token": "eyJMYOWNTOKEN" + "t" * 40,
                "livekit_room_name": "room-1", "livekit_client_identity": "me",
                "livekit_server_identity": "avatar"},
    "trtc": {"trtc_sdk_app_id": 1400000001, "trtc_sdk_room_id": "9001",
             "trtc_sdk_user_id": "me", "trtc_sdk_user_sig": "eJwMYOWNSIG" + "s" * 40},
}
SECRETS = ("agora_token", "livekit_token", "trtc_sdk_user_sig")


@pytest.mark.parametrize("stream_type", list(BYO))
def test_bring_your_own_room_is_echoed(simulator, api, stream_type, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    creds = BYO[stream_type]
    rec = session(api, stream_type=stream_type, credentials=creds)
    assert rec["credentials"] == creds
    assert ok(api.get(DETAIL, params={"id": rec["_id"]}))["credentials"] == creds
    listed = ok(api.get(f"{S}/list", params={"size": 1}))["result"][0]
    assert listed["_id"] == rec["_id"] and listed["credentials"] == creds
    assert repr(creds[next(k for k in creds if k in SECRETS)]) not in repr(
        simulator.state.sessions[rec["_id"]])
    secret = next(v for k, v in creds.items() if k in SECRETS)
    assert secret not in caplog.text


def test_trtc_answers_with_the_openapi_names_and_takes_the_demos_too(api) -> None:
    ours = session(api, stream_type="trtc")["credentials"]
    assert set(ours) == {"trtc_sdk_app_id", "trtc_sdk_room_id", "trtc_sdk_user_id",
                         "trtc_sdk_user_sig"}
    assert isinstance(ours["trtc_sdk_app_id"], int)
    demo_names = {k.replace("trtc_sdk_", "trtc_"): v for k, v in BYO["trtc"].items()}
    assert session(api, stream_type="trtc", credentials=demo_names)["credentials"] == BYO["trtc"]


@pytest.mark.parametrize("stream_type, creds, reason", [
    ("agora", {**BYO["agora"], "agora_uid": "4242"}, "agora_uid must be a whole number"),
    ("agora", {k: v for k, v in BYO["agora"].items() if k != "agora_token"}, "need agora_token"),
    ("agora", {**BYO["agora"], "livekit_url": "wss://x"}, "do not take livekit_url"),
    ("agora", {**BYO["agora"], "agora_channel": "  "}, "agora_channel must be text"),
    ("livekit", BYO["agora"], "do not take agora_app_id"),
    ("trtc", {**BYO["trtc"], "trtc_sdk_app_id": "1400000001"}, "trtc_sdk_app_id must be"),
    ("websocket", {"ws_url": "ws://x", "ws_token": "t" * 30}, "cannot be brought"),
    ("agora", ["agora_token"], "credentials must be an object"),
])
def test_bad_credentials_are_1003_and_never_quoted(shared, stream_type, creds, reason) -> None:
    byo_code, msg = create_code(shared[1], stream_type=stream_type, credentials=creds)
    assert byo_code == 1003 and reason in msg, msg
    values = creds.values() if isinstance(creds, dict) else []
    assert not any(isinstance(v, str) and len(v) > 20 and v in msg for v in values)


# -- close: both bodies, every answer shape ----------------------------------------------


@pytest.mark.parametrize("shape", ["null", "empty", "detail"])
def test_close_takes_id_or_session_id_and_answers_the_chosen_shape(simulator_factory, shape) -> None:
    sim = simulator_factory(close_answer=shape, sessions=0)
    with connect(sim) as api:
        for key in ("id", "session_id"):
            rec = session(api)
            before = sim.state.clock.now_ms()
            data = ok(api.post(CLOSE, json={key: rec["_id"]}))
            if shape == "null":
                assert data is None
            elif shape == "empty":
                assert data == {}
            else:
                assert data.keys() == {"session_id", "status", "closed_at"}
                assert (data["session_id"], data["status"]) == (rec["_id"], "closed")
                assert isinstance(data["closed_at"], int) and data["closed_at"] >= before
                assert data["closed_at"] <= sim.state.clock.now_ms()
            assert ok(api.get(DETAIL, params={"id": rec["_id"]}))["status"] == 3
            assert failure(api.post(CLOSE, json={key: rec["_id"]}))[0] == 1219


def test_default_close_answer_is_null_as_the_openapi_file_says() -> None:
    assert SimulatorConfig().close_answer == "null"


# -- avatars: name required, create shape, platform -------------------------------------

UPLOAD = {"url": "https://cdn.example.com/me.mp4", "avatar_id": "shape1", "type": 2,
          "url_from": 1, "name": "Shape test"}


@pytest.mark.parametrize("shape", ["object", "array"])
def test_avatar_create_answers_the_chosen_shape(simulator_factory, shape) -> None:
    sim = simulator_factory(avatar_create_shape=shape)
    with connect(sim) as api:
        data = ok(api.post(AVATAR_CREATE, json=UPLOAD))
        record = data[0] if shape == "array" else data
        if shape == "array":
            assert isinstance(data, list) and len(data) == 1
        assert (record["avatar_id"], record["name"], record["status"]) == ("shape1", "Shape test", 1)
        no_name = {k: v for k, v in UPLOAD.items() if k != "name"} | {"avatar_id": "shape2"}
        av_code, msg = failure(api.post(AVATAR_CREATE, json=no_name))
        assert av_code == 1003 and "name is required" in msg


def test_avatar_list_platforms(simulator, api) -> None:
    open_list = ok(api.get(AVATAR_LIST))
    assert open_list == ok(api.get(AVATAR_LIST, params={"platform": "open"}))
    assert open_list == ok(api.get(AVATAR_LIST, params={"platform": ""}))
    assert open_list["count"] == 13 and all("platform" not in a for a in open_list["result"])
    aigc = ok(api.get(AVATAR_LIST, params={"platform": "aigc"}))
    assert aigc["count"] == 3 == len(aigc["result"])
    for avatar in aigc["result"]:
        assert avatar["platform"] == "aigc" and avatar["from"] == 3 and avatar["type"] == 2
        assert avatar["status"] == 3 and avatar["available"] is True
        assert isinstance(avatar["create_time"], int)
    times = [a["create_time"] for a in aigc["result"]]
    assert times == sorted(times, reverse=True)
    assert {a["avatar_id"] for a in aigc["result"]}.isdisjoint(
        {a["avatar_id"] for a in open_list["result"]})
    made_in_app = aigc["result"][0]["avatar_id"]
    assert ok(api.get(AVATAR_DETAIL, params={"avatar_id": made_in_app}))["platform"] == "aigc"
    assert session(api, avatar_id=made_in_app)["avatar_id"] == made_in_app
    assert ok(api.get(AVATAR_LIST, params={"platform": "aigc", "page": 2, "size": 2}))[
        "result"] == aigc["result"][2:]
    assert failure(api.get(AVATAR_LIST, params={"platform": "web"}))[0] == 1003


# -- voices: type required, filters, fields ------------------------------------------------


def voices(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    return ok(api.get(VOICES, params={"size": 100, **params}))["result"]


def test_voice_list_needs_a_type_and_has_the_2026_fields(shared) -> None:
    _, api = shared
    vcode, msg = failure(api.get(VOICES))
    assert vcode == 1003 and "type is required" in msg
    akool, cloned = voices(api, type=2), voices(api, type=1)
    assert akool and cloned and {v["type"] for v in akool} == {2} and {v["type"] for v in cloned} == {1}
    for v in akool + cloned:
        assert v["voice_model_name"] in ("Akool Multilingual 1", "Akool Multilingual 2",
                                         "Akool Multilingual 3")
        # only the 1 and 3 models stream
        assert v["support_stream"] is (v["voice_model_name"] != "Akool Multilingual 2")
        assert v["status"] in (1, 2, 3, 4) and isinstance(v["duration"], int) and v["duration"] > 0
        for key in ("style", "scenario", "age"):
            assert isinstance(v[key], list) and v[key] and all(isinstance(x, str) for x in v[key])
    assert {v["voice_model_name"] for v in akool} == {"Akool Multilingual 1",
                                                      "Akool Multilingual 2",
                                                      "Akool Multilingual 3"}
    assert 2 in {v["status"] for v in cloned}  # a clone still training
    streaming = voices(api, type=2, support_stream=1)
    silent = voices(api, type=2, support_stream=2)
    assert streaming and silent and len(streaming) + len(silent) == len(akool)
    assert all(v["support_stream"] for v in streaming)
    assert {v["voice_model_name"] for v in silent} == {"Akool Multilingual 2"}


def test_voice_filters_are_comma_separated_and_combine(shared) -> None:
    _, api = shared
    akool = voices(api, type=2)
    female = voices(api, type=2, gender="female")
    assert female and {v["gender"] for v in female} == {"Female"}
    assert len(voices(api, type=2, gender="Female,male")) == len(akool)
    for key in ("style", "scenario", "age"):
        value = akool[3][key][0]
        other = next(x for v in akool for x in v[key] if x != value)
        one = voices(api, type=2, **{key: value.upper()})
        both = voices(api, type=2, **{key: f"{value}, {other}"})
        assert akool[3] in one and all(value in v[key] for v in one)
        assert len(both) > len(one) and all({value, other} & set(v[key]) for v in both)
    news = voices(api, type=2, scenario="News")
    assert [v["name"] for v in news] == ["Guy"]
    combined = voices(api, type=2, gender="female", age="Young Adult", support_stream=1)
    assert combined and all(v["gender"] == "Female" and "Young Adult" in v["age"]
                            and v["support_stream"] for v in combined)
    assert [v["name"] for v in voices(api, type=2, name="NEU")] == []
    assert [v["name"] for v in voices(api, type=2, name="ONI")] == ["Sonia", "Antonio"]
    assert voices(api, type=2, style="no-such-style") == []


# -- the stream channel: set-params in vparams, set-action --------------------------------


@pytest.fixture(scope="module")
def stream_sim():
    cfg = SimulatorConfig(sessions=0, churn=False, reply_chars_per_s=5000.0, queue_delay=0.0)
    with run_background(cfg) as sim:
        yield sim


class Stream:
    """A raw ``websockets`` connection to a session's stream channel."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.got: list[dict[str, Any]] = []

    async def send(self, obj: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(obj).encode())

    async def command(self, mid: str, cmd: str, data: Any = None) -> dict[str, Any]:
        pld: dict[str, Any] = {"cmd": cmd}
        if data is not None:
            pld["data"] = data
        await self.send({"v": 2, "type": "command", "mid": mid, "pld": pld})
        return await self.until(lambda m: m.get("type") == "command" and m.get("mid") == mid)

    async def until(self, match, timeout: float = 5.0) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            while True:
                msg = json.loads(await self.ws.recv())
                self.got.append(msg)
                if match(msg):
                    return msg

        return await asyncio.wait_for(read(), timeout)

    async def reply_to(self, text: str) -> str:
        self.got.clear()
        await self.send({"v": 2, "type": "chat", "mid": f"u-{len(text)}", "idx": 0, "fin": True,
                         "pld": {"text": text}})
        await self.until(lambda m: m.get("pld", {}).get("event") == "audio_end")
        parts = [m for m in self.got if m.get("type") == "chat" and m["pld"].get("from") == "bot"]
        return "".join(m["pld"]["text"] for m in sorted(parts, key=lambda m: m["idx"]))


async def open_stream(sim, **body: Any):
    with connect(sim) as api:
        rec = session(api, stream_type="websocket", duration=600, **body)
    creds = rec["credentials"]
    ws = await ws_connect(creds["ws_url"],
                          additional_headers={"Authorization": f"Bearer {creds['ws_token']}"})
    return rec, Stream(ws)


async def test_set_params_voice_in_vparams_and_live_turn_detection(stream_sim) -> None:
    from akool_tui.simulator.stream_channel import live_avatars

    rec, s = await open_stream(stream_sim)
    async with s.ws:
        ack = await s.command("p1", "set-params", {"vparams": {
            "vid": "fr-FR-DeniseNeural", "stt_language": "fr",
            "turn_detection": {"type": "server_vad", "threshold": 0.6}}})
        assert (ack["pld"]["cmd"], ack["pld"]["code"]) == ("set-params", 1000)
        msg = ack["pld"]["msg"]
        assert msg.startswith("updated ") and "vparams.vid=fr-FR-DeniseNeural" in msg
        assert "vparams.stt_language=fr" in msg and '"threshold":0.6' in msg
        assert "deprecated" not in msg
        (avatar,) = live_avatars(stream_sim.state, rec["_id"])
        assert avatar.params.vid == "fr-FR-DeniseNeural"
        assert avatar.params.vparams["turn_detection"] == {"type": "server_vad", "threshold": 0.6}
        old = await s.command("p2", "set-params", {"vid": "en-US-AvaMultilingualNeural"})
        assert old["pld"]["code"] == 1000 and "deprecated: send vparams.vid" in old["pld"]["msg"]
        assert avatar.params.vid == "en-US-AvaMultilingualNeural"
        both = await s.command("p3", "set-params", {"vid": "fr-FR-DeniseNeural",
                                                    "vparams": {"vid": "en-US-AvaMultilingualNeural"}})
        assert "vparams.vid=en-US-AvaMultilingualNeural" in both["pld"]["msg"]
        assert "top-level vid ignored" in both["pld"]["msg"]
        for data, reason in [
            ({"vparams": {"turn_detection": {"type": "semantic_vad", "threshold": 0.5}}},
             "only applies with type server_vad"),
            ({"vparams": {"stt_type": "whisper"}}, "openai_realtime"),
            ({"vparams": {"stt_language": "xx"}}, "stt_language"),
            ({"vparams": {"volume": 3}}, "vparams does not take volume"),
            ({"voice": "x"}, "set-params does not take voice"),
        ]:
            bad = await s.command("p4", "set-params", data)
            assert bad["pld"]["code"] == 1003 and reason in bad["pld"]["msg"], bad
        assert avatar.params.vid == "en-US-AvaMultilingualNeural"


async def test_set_action_is_acked_and_the_next_reply_mentions_it(stream_sim) -> None:
    _, s = await open_stream(stream_sim)
    async with s.ws:
        ack = await s.command("a1", "set-action", {"action": "hand_wave",
                                                   "expression": "happiness"})
        assert ack["pld"] == {"cmd": "set-action", "code": 1000,
                              "msg": "applied action=hand_wave, expression=happiness"}
        assert (await s.reply_to("Hello there, how are you?")).startswith("*waves and smiles* ")
        assert not (await s.reply_to("And again?")).startswith("*")  # only the next reply
        for mid, data in (("a2", {"action": "nod"}), ("a3", {"expression": "surprise"})):
            assert (await s.command(mid, "set-action", data))["pld"]["code"] == 1000
        assert (await s.reply_to("Anything new?")).startswith("*looks surprised* ")
        for data, reason in [
            ({}, "needs an action and/or an expression"),
            (None, "needs data"),
            ({"action": "dance"}, "unknown action 'dance'"),
            ({"action": "nod", "expression": "joy"}, "unknown expression 'joy'"),
            ({"action": "", "expression": None}, "needs an action and/or an expression"),
        ]:
            bad = await s.command("a4", "set-action", data)
            assert bad["pld"]["code"] == 1003 and reason in bad["pld"]["msg"], bad
        unknown = await s.command("a5", "dance")
        assert unknown["pld"]["code"] == 1003 and "unknown command 'dance'" in unknown["pld"]["msg"]


async def test_retelling_reads_back_verbatim_even_after_an_action(stream_sim) -> None:
    _, s = await open_stream(stream_sim, mode_type=1)
    async with s.ws:
        assert (await s.command("r1", "set-action", {"action": "cheer"}))["pld"]["code"] == 1000
        assert await s.reply_to("Read this exactly.") == "Read this exactly."


async def test_fast_dialogue_session_changes_between_preset_voices(stream_sim) -> None:
    _, s = await open_stream(stream_sim, **FAST, voice_params={"voice_id": "alloy"})
    async with s.ws:
        ack = await s.command("f1", "set-params", {"vparams": {"vid": "coral"}})
        assert ack["pld"]["code"] == 1000
        bad = await s.command("f2", "set-params", {"vparams": {"vid": "en-US-AvaMultilingualNeural"}})
        assert bad["pld"]["code"] == 1003


# -- the simulator's command line ----------------------------------------------------------


def test_cli_flags_for_the_new_settings() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    defaults = config_from_args(parser.parse_args([]))
    assert (defaults.credits, defaults.credit_rate) == (10_000.0, 1.0)
    assert (defaults.knowledge_list_shape, defaults.close_answer, defaults.avatar_create_shape) == (
        "array", "null", "object")
    cfg = config_from_args(parser.parse_args([
        "--credits", "250.5", "--credit-rate", "0.5", "--knowledge-list", "object",
        "--close-answer", "detail", "--avatar-create", "array"]))
    assert (cfg.credits, cfg.credit_rate) == (250.5, 0.5)
    assert (cfg.knowledge_list_shape, cfg.close_answer, cfg.avatar_create_shape) == (
        "object", "detail", "array")
    for argv in (["--credits", "-1"], ["--credits", "lots"], ["--credit-rate", "nan"],
                 ["--credit-rate", "-0.1"], ["--knowledge-list", "dict"],
                 ["--close-answer", "none"], ["--avatar-create", "list"]):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
    for bad in ({"credits": -1}, {"credit_rate": float("inf")}, {"close_answer": "{}"},
                {"knowledge_list_shape": "list"}, {"avatar_create_shape": None}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SimulatorConfig(**bad)


def test_akool_tui_simulator_help_lists_the_new_flags() -> None:
    out = subprocess.run([sys.executable, "-m", "akool_tui", "simulator", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for flag in ("--credits", "--credit-rate", "--knowledge-list", "--close-answer",
                 "--avatar-create"):
        assert flag in out.stdout
