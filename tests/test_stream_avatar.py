"""The simulated avatar driven directly (no network): replies, commands, limits, faults."""

from __future__ import annotations

import asyncio
import json
import random
import time

import pytest

from akool_tui.simulator.avatar import SimulatedAvatar, StreamFaults
from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import (
    ChatMessage,
    CommandAck,
    Event,
    decode,
    encode,
    interrupt,
    set_params,
)
from akool_tui.stream.reassembler import Reassembler

VOICES = {"en-US-AvaMultilingualNeural", "fr-FR-DeniseNeural"}
LANGS = {"en", "fr", "ja"}


class Wire:
    """Collects what the avatar sends, decoded."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def send(self, payload: bytes) -> None:
        self.raw.append(payload)

    @property
    def items(self) -> list:
        return [decode(raw) for raw in self.raw]

    def bot_parts(self) -> list[ChatMessage]:
        return [m for m in self.items if isinstance(m, ChatMessage) and m.from_ == "bot"]

    def acks(self) -> list[CommandAck]:
        return [m for m in self.items if isinstance(m, CommandAck)]

    def events(self) -> list[str]:
        return [m.event for m in self.items if isinstance(m, Event)]

    async def until(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, f"timed out; got {self.items}"
            await asyncio.sleep(0.005)


def make(wire: Wire, **kw) -> SimulatedAvatar:
    kw.setdefault("chars_per_s", 5000.0)
    return SimulatedAvatar(wire.send, voices=VOICES, languages=LANGS, rng=random.Random(1), **kw)


async def say(avatar: SimulatedAvatar, text: str, mid: str = "u1") -> None:
    for part in chunk_text(text, mid=mid):
        await avatar.handle(encode(part))


def reassembled(parts: list[ChatMessage]) -> str:
    r = Reassembler(clock=lambda: 0.0)
    final = [u for u in (r.feed(p) for p in parts) if u.complete and u.changed]
    assert len(final) == 1, "reply not complete exactly once"
    return final[0].text_so_far


async def test_dialogue_reply_starts_streams_and_ends():
    wire = Wire()
    avatar = make(wire)
    await say(avatar, "What is photosynthesis?")
    await wire.until(lambda: "audio_end" in wire.events())
    items = wire.items
    assert items[0] == Event("audio_start") and items[-1] == Event("audio_end")
    parts = wire.bot_parts()
    assert len(parts) > 2 and len({p.mid for p in parts}) == 1
    assert [p.idx for p in parts] == list(range(len(parts)))
    assert [p.fin for p in parts] == [False] * (len(parts) - 1) + [True]
    text = reassembled(parts)
    assert "photosynthesis" in text and text.count(".") + text.count("?") >= 3
    assert not avatar.speaking


async def test_reply_is_paced_like_speech():
    wire = Wire()
    avatar = make(wire, chars_per_s=600.0)
    start = time.monotonic()
    await say(avatar, "Hello there")
    await wire.until(lambda: "audio_end" in wire.events())
    spoken = len(reassembled(wire.bot_parts()))
    assert time.monotonic() - start >= 0.9 * spoken / 600.0


async def test_retelling_speaks_back_exactly_what_it_got_even_when_shuffled():
    wire = Wire()
    avatar = make(wire, mode=1)
    text = "Bonjour à tous. 😀 " * 80 + "Fin."
    parts = chunk_text(text, mid="long")
    random.Random(3).shuffle(parts)
    for part in parts + parts[:3]:  # out of order, with duplicates
        await avatar.handle(encode(part))
    await wire.until(lambda: "audio_end" in wire.events())
    assert reassembled(wire.bot_parts()) == text
    assert all(len(raw) <= 960 for raw in wire.raw)


async def test_interrupt_stops_at_once_closes_the_reply_and_acks():
    wire = Wire()
    avatar = make(wire, chars_per_s=40.0)
    await say(avatar, "Tell me a long story about dragons")
    await wire.until(lambda: len(wire.bot_parts()) >= 1)
    await avatar.handle(encode(interrupt("c1")))
    n = len(wire.raw)
    assert wire.acks() == [CommandAck("c1", "interrupt", 1000, "interrupted")]
    assert wire.events() == ["audio_start", "audio_end"]
    parts = wire.bot_parts()
    assert parts[-1].fin and parts[-1].text == ""  # the cut reply is closed
    assert reassembled(parts)  # complete, no gap
    await asyncio.sleep(0.2)
    assert len(wire.raw) == n, "kept talking after the interrupt"
    assert not avatar.speaking


async def test_interrupt_when_idle_still_acks():
    wire = Wire()
    avatar = make(wire)
    await avatar.handle(encode(interrupt("c2")))
    assert wire.acks()[0].code == 1000 and wire.events() == []


async def test_set_params_ok_applies_and_vparams_vid_wins():
    wire = Wire()
    avatar = make(wire)
    cmd = set_params("c3", vid="en-US-AvaMultilingualNeural", lang="fr", mode=1,
                     bgurl="https://example.com/bg.png",
                     vparams={"vid": "fr-FR-DeniseNeural", "speed": 1.1})
    await avatar.handle(encode(cmd))
    [ack] = wire.acks()
    assert (ack.mid, ack.cmd, ack.code) == ("c3", "set-params", 1000)
    p = avatar.params
    assert (p.mode, p.lang, p.vid, p.bgurl, p.vparams) == (
        1, "fr", "fr-FR-DeniseNeural", "https://example.com/bg.png", {"speed": 1.1})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"mode": 3}, "mode must be 1"),
        ({"mode": True}, "mode must be 1"),
        ({"bgurl": "ftp://example.com/x.png"}, "bgurl must be an http(s) URL"),
        ({"bgurl": "not a url"}, "bgurl must be an http(s) URL"),
        ({"vid": "nobody"}, "unknown voice id"),
        ({"vparams": {"vid": "nobody"}}, "unknown voice id"),
        ({"lang": "xx"}, "unknown language"),
        ({"vparams": {"speed": 2.0}}, "speed must be from 0.8 to 1.2"),
        ({}, "needs data"),
    ],
)
async def test_set_params_invalid_values_ack_1003_with_reason_and_change_nothing(data, reason):
    wire = Wire()
    avatar = make(wire)
    before = (avatar.params.mode, avatar.params.lang, avatar.params.vid)
    raw = json.dumps({"v": 2, "type": "command", "mid": "c4",
                      "pld": {"cmd": "set-params", "data": data}}).encode()
    await avatar.handle(raw)
    [ack] = wire.acks()
    assert ack.code == 1003 and reason in ack.msg and ack.mid == "c4"
    assert (avatar.params.mode, avatar.params.lang, avatar.params.vid) == before


async def test_oversize_payload_is_rejected_logged_and_acked(caplog):
    wire = Wire()
    avatar = make(wire)
    big = encode(ChatMessage("big", 0, True, "x" * 2000))
    with caplog.at_level("WARNING"):
        await avatar.handle(big)
    [ack] = wire.acks()
    assert ack.code == 1003 and "message too large" in ack.msg and ack.mid == "big"
    assert "message too large" in caplog.text
    assert wire.bot_parts() == []


async def test_garbage_and_other_versions_never_crash():
    wire = Wire()
    avatar = make(wire)
    for raw in (b"\xff\x00", b"{oops", b'{"v":1,"type":"chat"}', b"[]", "text frame ☃"):
        await avatar.handle(raw)
    assert wire.raw == []
    assert len(avatar.rejections) == 4  # v1 is silently ignored


async def test_injected_user_speech_is_a_user_transcript_then_answered():
    wire = Wire()
    avatar = make(wire)
    avatar.inject_user_speech("How tall is Everest?")
    await wire.until(lambda: "audio_end" in wire.events())
    user = [m for m in wire.items if isinstance(m, ChatMessage) and m.from_ == "user"]
    assert reassembled(user) == "How tall is Everest?"
    assert "Everest" in reassembled(wire.bot_parts())


async def test_injected_speech_in_retelling_mode_is_not_answered():
    wire = Wire()
    avatar = make(wire, mode=1)
    avatar.inject_user_speech("just a transcript")
    await wire.until(lambda: len(wire.raw) >= 1)
    await asyncio.sleep(0.05)
    assert wire.events() == [] and wire.bot_parts() == []


def test_empty_injected_speech_is_refused():
    async def run():
        make(Wire()).inject_user_speech("  ")

    with pytest.raises(ValueError, match="non-empty"):
        asyncio.run(run())


async def run_with_faults(faults: StreamFaults) -> tuple[Wire, str]:
    wire = Wire()
    avatar = make(wire, mode=1, faults=faults)
    text = "one two three four five six seven eight nine ten eleven twelve " * 6
    await say(avatar, text)
    await wire.until(lambda: "audio_end" in wire.events())
    return wire, text


async def test_duplicate_and_reorder_faults_still_reassemble_exactly():
    wire, text = await run_with_faults(StreamFaults(duplicate=0.5, reorder=0.5, seed=4))
    parts = wire.bot_parts()
    idxs = [p.idx for p in parts]
    assert len(idxs) > len(set(idxs)), "no duplicate was injected"
    assert idxs != sorted(idxs), "no reordering was injected"
    assert reassembled(parts) == text


async def test_drop_fault_leaves_a_gap_the_client_marks_incomplete():
    wire, text = await run_with_faults(StreamFaults(drop=0.3, seed=2))
    parts = wire.bot_parts()
    assert parts, "every part was dropped"
    r = Reassembler(timeout=1.0, clock=lambda: 0.0)
    for p in parts:
        assert not r.feed(p).complete
    [update] = r.expire(now=5.0)
    assert update.incomplete and "[...]" in update.text_so_far


async def test_disconnect_fault_calls_the_channel_and_goes_quiet():
    wire = Wire()
    dropped = asyncio.Event()

    async def disconnect() -> None:
        dropped.set()

    avatar = make(wire, faults=StreamFaults(disconnect=1.0, seed=1), disconnect=disconnect)
    await say(avatar, "hello")
    await asyncio.wait_for(dropped.wait(), 5)
    n = len(wire.raw)
    await asyncio.sleep(0.05)
    assert len(wire.raw) == n and wire.bot_parts() == []


def test_fault_values_are_validated():
    with pytest.raises(ValueError, match="drop"):
        StreamFaults(drop=1.5)
    with pytest.raises(ValueError, match="reorder"):
        StreamFaults.from_mapping({"reorder": "lots"})
    assert StreamFaults.from_mapping({"drop": "0.25", "seed": "3"}) == StreamFaults(drop=0.25, seed=3)
