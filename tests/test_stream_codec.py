"""v2 codec: exact wire shapes, tolerant decoding (never raises)."""

from __future__ import annotations

import json

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.stream.codec import (
    ChatMessage,
    Command,
    CommandAck,
    Event,
    Notice,
    UnknownMessage,
    clean_text,
    decode,
    encode,
    interrupt,
    new_mid,
    set_action,
    set_params,
)


def test_chat_encodes_compact_with_spec_shape():
    raw = encode(ChatMessage(mid="m1", idx=0, fin=True, text="héllo \"x\""))
    assert raw == '{"v":2,"type":"chat","mid":"m1","idx":0,"fin":true,"pld":{"text":"héllo \\"x\\""}}'.encode()


def test_bot_chat_carries_from():
    raw = encode(ChatMessage(mid="m", idx=2, fin=False, text="hi", from_="bot"))
    assert json.loads(raw)["pld"] == {"from": "bot", "text": "hi"}


def test_commands_and_acks_and_events_shapes():
    assert json.loads(encode(interrupt("c1"))) == {
        "v": 2, "type": "command", "mid": "c1", "pld": {"cmd": "interrupt"}}
    ack = CommandAck(mid="c1", cmd="interrupt", code=1000, msg="ok")
    assert json.loads(encode(ack))["pld"] == {"cmd": "interrupt", "code": 1000, "msg": "ok"}
    assert json.loads(encode(Event("audio_start"))) == {
        "v": 2, "type": "event", "pld": {"event": "audio_start"}}


def test_set_params_leaves_out_empty_keys():
    cmd = set_params("c2", vid="v1", lang="", mode=1, bgurl=None, vparams={"speed": 1.1, "vid": ""})
    assert cmd.data == {"mode": 1, "vparams": {"vid": "v1", "speed": 1.1}}
    assert set_params("c3", vparams={}).data == {}


def test_set_params_sends_the_voice_in_vparams_not_at_the_top_level():
    # spec section 6: top-level vid / vurl are deprecated
    cmd = set_params("c4", vid="v1", vurl="https://example.com/v.mp3", lang="fr")
    assert cmd.data == {"lang": "fr", "vparams": {"vid": "v1", "vurl": "https://example.com/v.mp3"}}
    assert set_params("c5", vid="old", vparams={"vid": "new"}).data == {"vparams": {"vid": "new"}}


def test_set_action_takes_a_gesture_an_expression_or_both():
    assert set_action("a1", action="hand_wave").data == {"action": "hand_wave"}
    assert set_action("a2", expression="happiness").data == {"expression": "happiness"}
    both = set_action("a3", action="nod", expression="surprise")
    assert json.loads(encode(both)) == {"v": 2, "type": "command", "mid": "a3", "pld": {
        "cmd": "set-action", "data": {"action": "nod", "expression": "surprise"}}}
    assert decode(encode(both)) == both
    for bad in ({}, {"action": "moonwalk"}, {"expression": "boredom"}):
        with pytest.raises(ValueError):
            set_action("a4", **bad)


def test_round_trip_of_every_message_kind():
    for msg in (
        ChatMessage("m", 3, False, "😀 日本", "user"),
        ChatMessage("m", 0, True, "x"),
        set_params("c", vid="v", mode=2),
        interrupt("c"),
        CommandAck("c", "set-params", 1003, "bad mode"),
        Event("audio_end"),
    ):
        assert decode(encode(msg)) == msg


def test_v_not_2_is_ignored_and_bad_payloads_are_notices():
    assert decode(b'{"v":1,"type":"chat"}') is None
    assert decode(b'{"type":"chat"}') is None
    for bad in (b"not json", b"\xff\xfe", b"[1,2]", b'"str"', b""):
        item = decode(bad)
        assert isinstance(item, Notice) and item.text


def test_unknown_types_are_kept_raw():
    item = decode(b'{"v":2,"type":"stats","pld":{"fps":30}}')
    assert isinstance(item, UnknownMessage) and item.raw["pld"] == {"fps": 30}
    item = decode(b'{"v":2,"type":"event","pld":{"event":"bored"}}')
    assert isinstance(item, UnknownMessage)


def test_malformed_chat_is_a_notice_naming_the_problem():
    item = decode(b'{"v":2,"type":"chat","mid":"m","idx":-1,"fin":"yes","pld":{}}')
    assert isinstance(item, Notice)
    assert "idx" in item.text and "fin" in item.text and "text" in item.text


def test_numeric_mid_and_missing_fin_are_tolerated():
    item = decode(b'{"v":2,"type":"chat","mid":7,"pld":{"text":"a"}}')
    assert item == ChatMessage("7", 0, True, "a")


def test_ack_vs_command_by_code():
    ack = decode(b'{"v":2,"type":"command","mid":"c","pld":{"cmd":"set-params","code":1003}}')
    assert isinstance(ack, CommandAck) and not ack.ok and ack.msg == ""
    cmd = decode(b'{"v":2,"type":"command","mid":"c","pld":{"cmd":"set-params","data":{"mode":1}}}')
    assert cmd == Command("c", "set-params", {"mode": 1})


def test_lone_surrogates_are_replaced_not_crashing():
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("\ud83d\ude00") == "😀"  # a valid pair is joined
    raw = encode(ChatMessage("m", 0, True, "x\udfffy"))
    assert decode(raw).text == "x\ufffdy"


def test_new_mid_is_unique():
    assert len({new_mid() for _ in range(1000)}) == 1000


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=512))
def test_decode_arbitrary_bytes_never_raises(payload):
    decode(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries(
        {"v": st.sampled_from([2, 2.0, 1, "2", None])},
        optional={
            "type": st.sampled_from(["chat", "command", "event", "x"]) | json_values,
            "mid": json_values, "idx": json_values, "fin": json_values,
            "pld": st.dictionaries(st.sampled_from(["text", "from", "cmd", "code", "msg", "data", "event"]),
                                   json_values, max_size=5) | json_values,
        },
    )
)
def test_decode_arbitrary_json_shapes_never_raises(obj):
    item = decode(json.dumps(obj))
    assert item is None or isinstance(item, (ChatMessage, Command, CommandAck, Event, UnknownMessage, Notice))
