"""Time AkoolClient.list_all_sessions() against a bare httpx loop measured in the same run.

The simulator runs in a process of its own (``--in-process``: a background thread of
this one, sharing its GIL, as before) with N sessions and an added latency L per
request. The floor is *measured*: a bare ``httpx.AsyncClient`` loop fetches the same
pages with the same concurrency (page 1, then C in flight), reads the bodies and
builds nothing; runs of the two alternate. Each run prints
``figure: fetch <name> <seconds> s``; the medians and ratio follow.

For reference, the client fetches page 1, then the other pages with at most C
requests in flight, so the best possible time is about

    floor = ceil(pages / C) * L        (pages fetched in waves of C)

Because page 1 must come back before the others are known, the strict floor is
(1 + ceil((pages - 1) / C)) * L; both are printed, with the one-by-one floor
pages * L for reference. Ratios are measured / floor.

    python bench/fetch_sessions.py [--sessions 10000] [--latency 0.05] [--concurrency 8] [--runs 5]

(the computed floors are printed too, for reference, not as the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from akool_tui.api.client import MAX_PAGE_SIZE, SESSION_LIST, AkoolClient  # noqa: E402
from akool_tui.simulator import SimulatorConfig, run_background  # noqa: E402
from bench.simproc import simulator_process  # noqa: E402


async def bare(client: httpx.AsyncClient, concurrency: int) -> int:
    """The same pages with the same concurrency, bodies read, nothing built."""
    first = await client.get(SESSION_LIST, params={"page": 1, "size": MAX_PAGE_SIZE})
    pages = math.ceil(first.json()["data"]["count"] / MAX_PAGE_SIZE)
    todo = iter(range(2, pages + 1))
    size = len(first.content)

    async def worker() -> None:
        nonlocal size
        for page in todo:
            answer = await client.get(SESSION_LIST, params={"page": page, "size": MAX_PAGE_SIZE})
            answer.raise_for_status()
            size += len(answer.content)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return size


async def measure(base_url: str, concurrency: int, runs: int,
                  expected: int) -> tuple[list[float], list[float]]:
    """(client times, bare-loop times), runs alternating."""
    times: list[float] = []
    floors: list[float] = []
    limits = httpx.Limits(max_connections=max(16, 2 * concurrency),
                          max_keepalive_connections=max(8, concurrency))
    async with AkoolClient(base_url, api_key="demo", concurrency=concurrency) as client, \
            httpx.AsyncClient(base_url=base_url, headers={"x-api-key": "demo"},
                              limits=limits) as raw:
        await client.list_sessions(size=1)  # warm the connections
        await raw.get(SESSION_LIST, params={"page": 1, "size": 1})
        for _ in range(runs):
            start = time.perf_counter()
            await bare(raw, concurrency)
            floors.append(time.perf_counter() - start)
            print(f"figure: fetch bare httpx loop {floors[-1]:.4f} s", flush=True)
            start = time.perf_counter()
            sessions = await client.list_all_sessions()
            times.append(time.perf_counter() - start)
            print(f"figure: fetch list_all_sessions {times[-1]:.4f} s", flush=True)
            if len(sessions) != expected or len({s.id for s in sessions}) != expected:
                raise SystemExit(f"wrong result: {len(sessions)} sessions, expected {expected}")
    return times, floors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--in-process", action="store_true",
                    help="run the simulator in a thread of this process (shares its GIL)")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.latency < 0 or args.concurrency < 1 or args.runs < 1:
        ap.error("sessions, concurrency and runs must be >= 1 and latency >= 0")

    if not args.in_process:
        command = lambda port: [sys.executable, "-m", "akool_tui.simulator",  # noqa: E731
                                "--port", str(port), "--no-churn", "--sessions",
                                str(args.sessions), "--latency", str(args.latency)]
        with simulator_process(command) as (base_url, _):
            times, measured = asyncio.run(measure(base_url, args.concurrency, args.runs,
                                                  args.sessions))
    else:
        config = SimulatorConfig(seed=1, sessions=args.sessions, churn=False, latency=args.latency)
        with run_background(config) as sim:
            times, measured = asyncio.run(measure(sim.base_url, args.concurrency, args.runs,
                                                  args.sessions))

    pages = math.ceil(args.sessions / MAX_PAGE_SIZE)
    median = statistics.median(times)
    floors = {
        "floor (waves)": math.ceil(pages / args.concurrency) * args.latency,
        "strict floor (page 1, then waves)": (1 + math.ceil((pages - 1) / args.concurrency)) * args.latency,
        "sequential floor": pages * args.latency,
    }
    where = "in-process" if args.in_process else "separate process"
    print(f"sessions={args.sessions} pages={pages} latency={args.latency:g}s "
          f"concurrency={args.concurrency} runs={args.runs} simulator={where}")
    print(f"runs (s): {' '.join(f'{t:.3f}' for t in times)}")
    print(f"{'measured median':<34} {median:8.3f} s")
    bare_median = statistics.median(measured)
    print(f"{'bare httpx loop median (floor)':<34} {bare_median:8.3f} s   "
          f"ratio {median / bare_median:.2f}")
    for name, value in floors.items():
        ratio = f"ratio {median / value:.2f}" if value else "(no latency)"
        print(f"{name:<34} {value:8.3f} s   {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
