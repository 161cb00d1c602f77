"""Idle cost of the pulse screen beside the sessions screen, in the same run.

One akool-tui on its own pty (120x34) against the simulator in a process of its own
(``--sessions`` seeded sessions, churn off, so only the app's CPU is counted). In each
run the app loads the sessions table, is left alone for ``--window`` seconds (the
sessions screen idle), then `P` opens the pulse and it is left alone again (the pulse
idle). Over each window: the app's CPU time (/proc utime+stime, % of one core) and the
bytes it writes to the terminal per second.

While the pulse is open the sessions screen keeps refreshing behind it (that is
where the pulse's session figures come from), so the pulse's figure includes those
refreshes; it adds no request of its own beyond its slow timer (credits, avatars, once
a minute, the first at its opening -- before the window starts).

    python bench/pulse_bench.py [--runs 3] [--window 10] [--sessions 10000]

Prints min / median / max, and per run ``figure: pulse idle <sessions screen|pulse
open>: <CPU|bytes/s> <value> <unit>`` lines. A window of the length asked may or may
not hold the sessions screen's full refetch (it is adaptive, a minute or more apart at
10 000 sessions), in either screen: the two figures compare the cheap ticks, and a run
whose window caught the full refetch shows as that run's max.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup_bench import PtyApp, bench_env, free_port, start_simulator  # noqa: E402

SETTLE = 3.0


def idle(app: PtyApp, window: float) -> tuple[float, float]:
    """(CPU % of one core, bytes written per second) over ``window`` seconds."""
    app.drain(SETTLE)
    cpu = app.cpu_seconds()
    written = app.drain(window)
    return (app.cpu_seconds() - cpu) / window * 100, written / window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    loaded = f"{args.sessions:,} sessions".encode()
    results: dict[str, list[tuple[float, float]]] = {"sessions": [], "pulse": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**bench_env(tmp), "AKOOL_API_KEY": "demo"}
        port = free_port()
        simulator = start_simulator(port, args.sessions)
        argv = [sys.executable, "-m", "akool_tui", "--base-url", f"http://127.0.0.1:{port}"]
        try:
            for _ in range(args.runs):
                with PtyApp(argv, env) as app:
                    app.wait_for([loaded], timeout=60)
                    results["sessions"].append(idle(app, args.window))
                    app.send(b"P")
                    app.wait_for([b"Pulse \xc2\xb7 sampled", b"req/min"])
                    app.drain(2.0)  # the slow timer's first reads (credits, avatars)
                    results["pulse"].append(idle(app, args.window))
        finally:
            simulator.terminate()
            simulator.wait()

    print(f"idle for {args.window:g} s at {args.sessions:,} sessions (120x34, churn off, "
          f"refresh every 5 s), {args.runs} runs: min / median / max")
    for name, rows in results.items():
        for index, (label, unit) in enumerate((("CPU", "% of a core"), ("bytes", "B/s"))):
            values = [r[index] for r in rows]
            print(f"  {name:9} {label:5} {min(values):9.2f} {statistics.median(values):9.2f} "
                  f"{max(values):9.2f}  {unit}")
    label = {"sessions": "sessions screen", "pulse": "pulse open"}
    for name, rows in results.items():  # one line per run: run_all takes min / median / max
        for cpu, written in rows:
            print(f"figure: pulse idle {label[name]}: CPU {cpu:.3f} %")
            print(f"figure: pulse idle {label[name]}: bytes/s {written:.1f} B/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
