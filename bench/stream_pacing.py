"""Sending 10 KB on Agora limits: measured time vs the rate floor, and the largest part.

Run:  /work/venv/bin/python bench/stream_pacing.py [--kib 10] [--preset agora]

1. ``pacer``: chunk the text (960-byte messages) and wait on the preset's pacer with the
   real clock, as the transport's writer does.
2. ``websocket``: the same parts through a WebSocketTransport paced with the preset,
   to the bundled simulator over loopback (connect excluded; until ``drain()``).

floor = total encoded bytes / preset bytes per second (and >= N KiB / rate).
Goal: measured <= 1.1 x floor, every part <= 960 bytes. Also prints how long
chunking 100 KB of mixed text takes against json-encoding it once (the linear floor).
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
        elapsed = time.perf_counter() - start
        await transport.close()
        return elapsed


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
    args = ap.parse_args()
    parts = parts_for(args.kib)
    total = sum(map(len, parts))
    rate = preset_for(args.preset).bytes_per_s
    floor = total / rate
    print(f"{args.kib} KiB text -> {len(parts)} parts, {total} bytes encoded, "
          f"largest part {max(map(len, parts))} B (limit 960)")
    print(f"floor {floor:.3f} s  (N KiB / rate = {args.kib * 1024 / rate:.3f} s)")
    for name, run in (("pacer", via_pacer), ("websocket", via_websocket)):
        elapsed = asyncio.run(run(parts, args.preset))
        print(f"{name:10s} {elapsed:.3f} s  ratio {elapsed / floor:.3f}  (goal <= 1.1)")
    ours, base = chunk_speed()
    print(f"chunk 100 KB: {ours * 1000:.1f} ms vs one json encode {base * 1000:.2f} ms "
          f"(ratio {ours / base:.0f})")


if __name__ == "__main__":
    main()
