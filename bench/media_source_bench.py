"""The demo media channel's costs: drawing, encoding, bytes, and the frame rate achieved.

Run:  .venv/bin/python bench/media_source_bench.py [--seconds 5] [--size 320x180]

1. Per frame, in process (medians of 200): the numpy face drawn (idle and talking), zlib
   level 1, the codec's encode and decode, and the bytes of a message (raw, zlib idle,
   zlib talking, zlib over a photo-like noisy background).
2. End to end: the simulator in a thread (loopback), WebSocketMediaSource reading
   ``--seconds`` s at 10, 25 and 60 fps: frames received per second (from arrival
   times), bytes per second, and the CPU of the whole process (simulator + client;
   process_time / wall).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import zlib

import httpx
import numpy as np

from akool_tui.api.models import Session
from akool_tui.simulator import SimulatorConfig, run_background
from akool_tui.simulator.media_face import Face, mouth_opening
from akool_tui.stream.media import VideoFrame
from akool_tui.stream.media_codec import decode, encode_frame
from akool_tui.stream.media_ws import media_source_for

CREATE = "/api/open/v4/liveAvatar/session/create"


def ms(fn, n: int = 200) -> float:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def per_frame(width: int, height: int) -> None:
    face = Face(width, height)
    bg = np.empty((height, width, 3), np.uint8)
    bg[:] = (28, 38, 58)
    rng = np.random.default_rng(1)
    noisy = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    idle = face.draw(bg, t=0.0, opening=0.0).tobytes()
    talking = face.draw(bg, t=0.2, opening=0.9).tobytes()
    print(f"frame {width}x{height}")
    print(f"  draw idle     {ms(lambda i: face.draw(bg, t=i / 10, opening=0.0)):.3f} ms")
    print(f"  draw talking  {ms(lambda i: face.draw(bg, t=i / 10, opening=mouth_opening(i / 10, True))):.3f} ms")
    print(f"  draw new bg   {ms(lambda i: Face(width, height).draw(bg, t=0, opening=0), 20):.3f} ms"
          " (once per background)")
    print(f"  zlib -1       {ms(lambda i: zlib.compress(talking, 1)):.3f} ms")
    msg = encode_frame(width, height, talking, 1.0)
    print(f"  encode        {ms(lambda i: encode_frame(width, height, talking, 1.0)):.3f} ms")
    print(f"  decode        {ms(lambda i: decode(msg)):.3f} ms")
    raw = encode_frame(width, height, talking, 1.0, compress=False)
    print(f"  bytes raw     {len(raw)}")
    print(f"  bytes idle    {len(encode_frame(width, height, idle, 1.0))}")
    print(f"  bytes talking {len(msg)}")
    noisy_face = face.draw(noisy, t=0.2, opening=0.9).tobytes()
    print(f"  bytes noise bg {len(encode_frame(width, height, noisy_face, 1.0))} (worst case)")


async def achieved(sim, fps: int, seconds: float, size: tuple[int, int]) -> None:
    body = {"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600, "stream_type": "websocket"}
    answer = httpx.post(sim.base_url + CREATE, json=body, headers={"x-api-key": "demo"}).json()
    session = Session.from_api(answer["data"])
    source = media_source_for(session, query=f"fps={fps}&width={size[0]}&height={size[1]}")
    arrivals: list[float] = []
    nbytes = 0

    async def read() -> None:
        nonlocal nbytes
        async for item in source.frames():
            if isinstance(item, VideoFrame):
                arrivals.append(item.ts)
                nbytes += len(item.rgb)

    task = asyncio.create_task(read())
    await asyncio.sleep(0.5)  # connected and steady
    arrivals.clear()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    n = len(arrivals)
    await source.aclose()
    await task
    span = arrivals[-1] - arrivals[0] if n > 1 else float("nan")
    gaps = sorted(b - a for a, b in zip(arrivals, arrivals[1:]))
    p95 = gaps[int(len(gaps) * 0.95)] * 1000 if gaps else float("nan")
    print(f"  asked {fps:>2} fps: got {(n - 1) / span:5.1f} fps, gap p95 {p95:5.1f} ms,"
          f" CPU {cpu * 100:4.1f} % of a core (simulator + client)")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--size", default="320x180")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    per_frame(width, height)
    with run_background(SimulatorConfig(sessions=0, churn=False)) as sim:
        print(f"end to end over loopback, {width}x{height}, {args.seconds:g} s each")
        for fps in (10, 25, 60):
            await achieved(sim, fps, args.seconds, (width, height))


if __name__ == "__main__":
    asyncio.run(main())
