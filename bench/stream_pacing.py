"""Sending 10 KB on Agora limits, end to end: when the last byte reaches the simulator's
stream channel, against the floor computed from the encoded bytes at the pacing rate.

Run:  .venv/bin/python bench/stream_pacing.py [--kib 10] [--preset agora] [--runs 3]

The text is chunked (960-byte messages) and sent through a WebSocketTransport paced
with the preset to the bundled simulator over loopback (connect excluded). The
simulator's side of the channel is timed: each message it receives is stamped (the
bench wraps ``SimulatedAvatar.handle``, same process, same clock), and the figure is
the time from the first ``send`` until the simulator has the last message.

floor = total encoded bytes / preset bytes per second: a channel used at exactly the
preset's rate, with nothing buffered before the first byte (the pacer starts empty).
Goal: measured <= 1.1 x floor, every part <= 960 bytes. Each run prints
``figure: pacing websocket last byte at the simulator <s> s`` and the floor.

``pacer`` (the bucket alone, no I/O) is printed for reference only: it is the floor
by construction and measures nothing end to end. Also prints how long chunking 100 KB
of mixed text takes against json-encoding it once (the linear floor).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx

from akool_tui.api.models import Session
from akool_tui.simulator import SimulatorConfig, run_background
from akool_tui.stream.chunker import chunk_text
from akool_tui.stream.codec import encode
from akool_tui.stream.pacer import preset_for
from akool_tui.stream.transport import WebSocketTransport


def parts_for(kib: int) -> list[bytes]:
    text = ("The avatar reads this sentence aloud. " * (kib * 1024 // 38 + 1))[: kib * 1024]
    return [encode(p) for p in chunk_text(text, mid="bench")]


async def via_pacer(parts: list[bytes], preset: str) -> float:
    pacer = preset_for(preset).make()
    start = time.perf_counter()
    for raw in parts:
        await pacer.wait(len(raw))
    return time.perf_counter() - start


async def via_websocket(parts: list[bytes], preset: str) -> float:
    """Seconds from the first send until the simulator has received the last part."""
    from akool_tui.simulator.avatar import SimulatedAvatar

    received: list[float] = []
    handle = SimulatedAvatar.handle

    async def stamped(self, payload):  # the simulator's end of the channel
        received.append(time.perf_counter())
        await handle(self, payload)

    SimulatedAvatar.handle = stamped
    try:
        return await _via_websocket(parts, preset, received)
    finally:
        SimulatedAvatar.handle = handle


async def _via_websocket(parts: list[bytes], preset: str, received: list[float]) -> float:
    cfg = SimulatorConfig(sessions=0, churn=False, queue_delay=0.0, reply_chars_per_s=1e6)
    with run_background(cfg) as sim:
        answer = httpx.post(
            sim.base_url + "/api/open/v4/liveAvatar/session/create",
            json={"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600,
                  "stream_type": "websocket", "mode_type": 1},
            headers={"x-api-key": "demo"},
        ).json()
        creds = Session.from_api(answer["data"]).credentials
        transport = WebSocketTransport(creds.get("ws_url"), creds.get("ws_token"),
                                       pacer=preset_for(preset).make())
        await transport.connect()
        start = time.perf_counter()
        for raw in parts:
            await transport.send(raw)
        await transport.drain()
        deadline = time.perf_counter() + 10
        while len(received) < len(parts) and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        await transport.close()
        if len(received) < len(parts):
            raise SystemExit(f"the simulator received {len(received)} of {len(parts)} parts")
        return received[-1] - start


def chunk_speed() -> tuple[float, float]:
    text = ("Mixed text: 日本語、한국어, emoji 👩‍👩‍👧 and e\u0301 marks. " * 2000)[:100_000]
    start = time.perf_counter()
    chunk_text(text, mid="bench")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    json.dumps(text, ensure_ascii=False).encode()
    floor = time.perf_counter() - start
    return ours, floor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kib", type=int, default=10)
    ap.add_argument("--preset", default="agora", choices=["agora", "trtc"])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    parts = parts_for(args.kib)
    total = sum(map(len, parts))
    rate = preset_for(args.preset).bytes_per_s
    floor = total / rate
    print(f"{args.kib} KiB text -> {len(parts)} parts, {total} bytes encoded, "
          f"largest part {max(map(len, parts))} B (limit 960)")
    print(f"floor {floor:.3f} s  (encoded bytes / rate; N KiB / rate = "
          f"{args.kib * 1024 / rate:.3f} s)")
    for _ in range(args.runs):
        print(f"figure: pacing largest encoded part {max(map(len, parts))} B")
        print("figure: pacing part limit 960 B")
        elapsed = asyncio.run(via_websocket(parts, args.preset))
        print(f"figure: pacing floor (encoded bytes / rate) {floor:.4f} s")
        print(f"figure: pacing websocket last byte at the simulator {elapsed:.4f} s", flush=True)
        print(f"websocket  {elapsed:.3f} s  ratio {elapsed / floor:.3f}  (goal <= 1.1)")
    elapsed = asyncio.run(via_pacer(parts, args.preset))
    print(f"pacer      {elapsed:.3f} s  (reference only: the bucket alone, the floor by "
          "construction)")
    for _ in range(args.runs):
        ours, base = chunk_speed()
        print(f"figure: pacing chunk 100 KB {ours * 1000:.3f} ms")
        print(f"figure: pacing one json encode of 100 KB {base * 1000:.3f} ms")
    print(f"chunk 100 KB: {ours * 1000:.1f} ms vs one json encode {base * 1000:.2f} ms "
          f"(ratio {ours / base:.0f})")


if __name__ == "__main__":
    main()
