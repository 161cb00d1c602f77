"""Time AkoolClient.list_all_sessions() against the simulator's page-count x latency floor.

The simulator runs in this process (background thread) with N sessions and an added
latency L per request. The client fetches page 1, then the other pages with at most
C requests in flight, so the best possible time is about

    floor = ceil(pages / C) * L        (pages fetched in waves of C)

Because page 1 must come back before the others are known, the strict floor is
(1 + ceil((pages - 1) / C)) * L; both are printed, with the one-by-one floor
pages * L for reference. Ratios are measured / floor.

    python bench/fetch_sessions.py [--sessions 10000] [--latency 0.05] [--concurrency 8] [--runs 5]

In-process, the simulator's CPU work shares the interpreter (and its GIL) with the
client; ``--server-process`` runs it as a separate process instead, which shows
what the client alone costs.
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

from akool_tui.api.client import MAX_PAGE_SIZE, AkoolClient  # noqa: E402
from akool_tui.simulator import SimulatorConfig, run_background  # noqa: E402
from bench.simproc import simulator_process  # noqa: E402


async def measure(base_url: str, concurrency: int, runs: int, expected: int) -> list[float]:
    times: list[float] = []
    async with AkoolClient(base_url, api_key="demo", concurrency=concurrency) as client:
        await client.list_sessions(size=1)  # warm the connection
        for _ in range(runs):
            start = time.perf_counter()
            sessions = await client.list_all_sessions()
            times.append(time.perf_counter() - start)
            if len(sessions) != expected or len({s.id for s in sessions}) != expected:
                raise SystemExit(f"wrong result: {len(sessions)} sessions, expected {expected}")
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--server-process", action="store_true",
                    help="run the simulator as a separate process instead of a thread")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.latency < 0 or args.concurrency < 1 or args.runs < 1:
        ap.error("sessions, concurrency and runs must be >= 1 and latency >= 0")

    if args.server_process:
        command = lambda port: [sys.executable, "-m", "akool_tui.simulator",  # noqa: E731
                                "--port", str(port), "--no-churn", "--sessions",
                                str(args.sessions), "--latency", str(args.latency)]
        with simulator_process(command) as (base_url, _):
            times = asyncio.run(measure(base_url, args.concurrency, args.runs, args.sessions))
    else:
        config = SimulatorConfig(seed=1, sessions=args.sessions, churn=False, latency=args.latency)
        with run_background(config) as sim:
            times = asyncio.run(measure(sim.base_url, args.concurrency, args.runs, args.sessions))

    pages = math.ceil(args.sessions / MAX_PAGE_SIZE)
    median = statistics.median(times)
    floors = {
        "floor (waves)": math.ceil(pages / args.concurrency) * args.latency,
        "strict floor (page 1, then waves)": (1 + math.ceil((pages - 1) / args.concurrency)) * args.latency,
        "sequential floor": pages * args.latency,
    }
    where = "separate process" if args.server_process else "in-process"
    print(f"sessions={args.sessions} pages={pages} latency={args.latency:g}s "
          f"concurrency={args.concurrency} runs={args.runs} simulator={where}")
    print(f"runs (s): {' '.join(f'{t:.3f}' for t in times)}")
    print(f"{'measured median':<34} {median:8.3f} s")
    for name, value in floors.items():
        ratio = f"ratio {median / value:.2f}" if value else "(no latency)"
        print(f"{name:<34} {value:8.3f} s   {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
