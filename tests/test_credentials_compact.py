"""A session's credentials are held compactly (one string beside a shape many sessions
share) yet give back every value exactly, to the code that joins the room too, and stay
masked everywhere they are shown."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import tracemalloc

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.api.client import AkoolClient
from akool_tui.api.credentials import SEP
from akool_tui.api.models import Credentials, Session
from akool_tui.api.secrets import mask
from akool_tui.stream.transport import transport_for

LIST = "/api/open/v4/liveAvatar/session/list"


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(sessions=300)


def listing(sim) -> list[bytes]:
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": "demo"}) as http:
        return [http.get(LIST, params={"page": page, "size": 100}).content
                for page in (1, 2, 3)]


def retained_per_record(bodies: list[bytes], build) -> float:
    """Bytes still allocated per record once ``build`` made one of each record of the
    pages (the pages' JSON parsed inside the window, then dropped)."""
    [build(r) for body in bodies for r in json.loads(body)["data"]["result"]]  # warm
    gc.collect()
    tracemalloc.start()
    try:
        kept = [build(r) for body in bodies for r in json.loads(body)["data"]["result"]]
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return size / len(kept)


def test_a_listed_sessions_credentials_cost_under_500_bytes(sim):
    bodies = listing(sim)
    creds = retained_per_record(
        bodies, lambda r: Credentials.from_api(r["credentials"], r["stream_type"]))
    sessions = retained_per_record(bodies, Session.from_api)
    # as a dict of separate values: 646 bytes and 849 for the whole session
    assert creds < 500, creds
    assert sessions < 700, sessions


def test_every_value_comes_back_exactly_and_secrets_stay_masked(sim):
    raws = [r for body in listing(sim) for r in json.loads(body)["data"]["result"]]
    kinds = set()
    for raw in raws:
        session = Session.from_api(raw)
        creds, sent = session.credentials, raw["credentials"]
        kinds.add(session.stream_type)
        assert creds.values == sent and list(creds.values) == list(sent)
        assert [type(v) for v in creds.values.values()] == [type(v) for v in sent.values()]
        assert all(creds.get(key) == value for key, value in sent.items())
        assert creds.get("nope", "default") == "default" and creds
        assert session.matches(raw) and creds.same(sent)
        assert copy.deepcopy(creds) == creds == pickle.loads(pickle.dumps(creds))
        shown = repr(session) + str(creds) + repr(creds._shape) + str(creds.masked())
        for key in ("agora_token", "livekit_token", "trtc_sdk_user_sig", "ws_token",
                    "agora_app_id"):
            if key in sent:
                assert sent[key] not in shown and mask(sent[key]) in shown
    assert kinds == {"agora", "livekit", "trtc", "websocket"}


def test_a_changed_value_is_a_changed_session():
    raw = {"_id": "s1", "status": 2, "stream_type": "agora", "avatar_id": "a", "duration": 600,
           "create_time": 1_700_000_000_000, "uid": 7, "type": 1,
           "credentials": {"agora_uid": 123456, "agora_app_id": "app0123456789",
                           "agora_channel": "akool_s1", "agora_token": "007eJxAAAA"}}
    old = Session.from_api(raw)
    changes = [("agora_token", "007eJxBBBB"), ("agora_uid", 654321), ("agora_uid", "123456"),
               ("agora_app_id", "app9999999999"), ("agora_channel", "akool_s1\x00x"),
               ("agora_token", None)]
    for key, value in changes:
        new = json.loads(json.dumps(raw))
        new["credentials"][key] = value
        assert not old.matches(new), key
        with Session.reusing({"s1": old}):
            fresh = Session.from_api(new)
        assert fresh is not old and fresh.credentials.get(key) == value
        assert fresh.credentials.values == new["credentials"] and fresh != old
    reordered = json.loads(json.dumps(raw))
    reordered["credentials"] = dict(reversed(raw["credentials"].items()))
    assert Session.from_api(reordered) == old  # the same values: the same session
    with pytest.raises(AttributeError):
        old.credentials.stream_type = "livekit"  # type: ignore[misc]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.just(SEP) | st.just("a" + SEP + "b"),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["agora_app_id", "livekit_url", "agora_token", "uid",
                                        "", SEP, "x" + SEP]) | st.text(max_size=8),
                       json_values, max_size=6),
       st.data())
def test_any_credentials_round_trip(values, data):
    creds = Credentials.from_api(values, "agora")
    assert creds.values == values and list(creds.values) == list(values)
    assert creds.same(values) and bool(creds) == bool(values)
    for key, value in values.items():
        assert creds.get(key) == value
    if values:
        key = data.draw(st.sampled_from(sorted(values)))
        other = {**values, key: data.draw(json_values)}
        assert creds.same(other) == (other == values)
        assert (Credentials.from_api(other, "agora") == creds) == (other == values)


async def test_the_room_is_joined_with_the_full_credentials(sim):
    async with AkoolClient(sim.base_url, api_key="demo") as client:
        created = await client.create_session(stream_type="websocket")
        listed = {s.id: s for s in await client.list_all_sessions()}[created.id]
    assert listed.credentials._shape is not None  # held compactly
    transport = transport_for(listed)
    token = created.credentials.get("ws_token")
    assert transport.url == created.credentials.get("ws_url") and transport._token == token
    assert token not in repr(transport) + repr(listed)
    try:
        await transport.connect()
        assert transport.state.value == "connected"
    finally:
        await transport.close()


def test_odd_records_with_ever_new_keys_keep_the_shape_cache_bounded(monkeypatch):
    from akool_tui.api import credentials

    monkeypatch.setattr(credentials, "MAX_SHAPES", 8)
    sent = [{f"key{n}": f"value-{n}", "agora_app_id": f"app-{n % 3}"} for n in range(50)]
    made = [Credentials.from_api(values, "agora") for values in sent]
    assert [c.values for c in made] == sent and len(credentials._shapes) <= 8


def test_a_number_too_long_for_text_is_kept_as_it_is():
    values = {"agora_uid": 10**5000, "agora_token": "007eJxAAAA"}
    assert Credentials.from_api(values, "agora").values == values
