"""Pacer math with a fake clock: rates hold, bursts are bounded, order is kept."""

from __future__ import annotations

import asyncio

import pytest

from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import encode
from akool_tui.stream.pacer import PRESETS, Pacer, pacer_for, preset_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_pacer(stream_type: str) -> tuple[Pacer, FakeClock]:
    clock = FakeClock()
    return pacer_for(stream_type, clock=clock, sleep=clock.sleep), clock


async def test_10kb_on_agora_takes_the_rate_floor_within_10_percent():
    pacer, clock = fake_pacer("agora")
    parts = [encode(p) for p in chunk_text("x" * 10240, mid="m")]
    assert all(len(raw) <= 960 for raw in parts)
    payload = sum(len(raw) for raw in parts)
    for raw in parts:
        await pacer.wait(len(raw))
    floor = payload / 5760
    assert floor >= 10240 / 5760
    assert floor <= clock.now <= 1.1 * floor


async def test_trtc_limits_messages_per_second():
    pacer, clock = fake_pacer("trtc")
    for _ in range(90):
        await pacer.wait(10)  # tiny messages: the 30 msg/s limit rules
    assert clock.now == pytest.approx(90 / 30, rel=0.02)


async def test_trtc_byte_rate_rules_for_big_messages():
    pacer, clock = fake_pacer("trtc")
    for _ in range(16):
        await pacer.wait(960)
    assert clock.now == pytest.approx(16 * 960 / 7680, rel=0.02)


async def test_idle_refills_only_up_to_the_burst():
    pacer, clock = fake_pacer("agora")
    await pacer.wait(960)
    clock.now += 100.0  # a long pause
    start = clock.now
    await pacer.wait(960)  # the refilled burst: immediate
    assert clock.now == start
    await pacer.wait(960)  # the bucket is empty again
    assert clock.now == pytest.approx(start + 960 / 5760)


async def test_payload_bigger_than_the_burst_leaves_a_debt():
    clock = FakeClock()
    pacer = Pacer(1000, burst_bytes=100, clock=clock, sleep=clock.sleep)
    await pacer.wait(500)
    await pacer.wait(500)
    assert clock.now == pytest.approx(1.0, rel=0.01)


async def test_websocket_is_not_paced_and_livekit_is_generous():
    pacer, clock = fake_pacer("websocket")
    assert pacer.unlimited
    for _ in range(1000):
        await pacer.wait(960)
    assert clock.now == 0
    assert PRESETS["livekit"].bytes_per_s > 5 * PRESETS["trtc"].bytes_per_s


async def test_concurrent_waiters_are_served_in_order():
    clock = FakeClock()
    pacer = Pacer(100, clock=clock, sleep=clock.sleep)
    done: list[int] = []

    async def send(i: int) -> None:
        await pacer.wait(50)
        done.append(i)

    await asyncio.gather(*(send(i) for i in range(6)))
    assert done == list(range(6))
    assert clock.now == pytest.approx(3.0)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="rate"):
        Pacer(0)
    with pytest.raises(ValueError, match="unknown stream type"):
        preset_for("carrier-pigeon")


async def test_negative_size_is_refused():
    pacer, _ = fake_pacer("agora")
    with pytest.raises(ValueError):
        await pacer.wait(-1)
