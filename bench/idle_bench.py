"""Idle cost of the sessions screen at 10 000 sessions against a minimal Textual app.

Each program runs on its own pty (120x34). The simulator (10 000 seeded sessions,
churn off) runs in a process of its own, so only the app's CPU is counted. After
the table has loaded and settled, the app is left alone for a window of 10 s; the
app's CPU time (/proc utime+stime) and the bytes it writes to the terminal are
measured over the window. Nothing changes on the server: only the countdowns (and
"N seconds ago" of the newest rows) tick on screen.

    akool-tui live     the default: refresh every 5 s (2 incremental refreshes per window)
    akool-tui paused   refresh paused with `p`: the countdown ticks alone
    minimal            a Textual app with a label and a footer: the floor

Each write (a cursor move and the text after it) is also classified: a countdown
("59:53", "0:00 !"), a relative time ("7 seconds ago"), the status line's refresh age
("refreshed 3 seconds ago", and the rest of that line when its length changed), or
anything else. "Other" writes per second show what is sent beyond the time-driven
cells.

Target (issue 3): idle < 1 % of a core, bytes only for the countdown cells.

    python bench/idle_bench.py [--runs 3] [--window 10] [--sessions 10000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup_bench import (  # noqa: E402 - bench/ is not a package
    MINIMAL_APP,
    PtyApp,
    bench_env,
    free_port,
    start_simulator,
)

SETTLE = 3.0


MOVE = re.compile(rb"\x1b\[\d+;\d+H")
ESCAPES = re.compile(rb"\x1b\[[0-9;:?]*[A-Za-z]|\r|\n")
KINDS = {
    "countdown": re.compile(r"\s*(\d+:)?\d+:\d\d( !)?\s*"),
    "relative time": re.compile(r"\s*(\S+ \S+ ago|just now|now)\s*"),
    "refresh age": re.compile(r"refreshed .*"),
}


def classify(output: bytes) -> dict[str, int]:
    """Writes in ``output`` per kind (a write: a cursor move and the text after it)."""
    counts = dict.fromkeys([*KINDS, "other"], 0)
    for run in MOVE.split(output)[1:]:
        text = ESCAPES.sub(b"", run).decode(errors="replace")
        if not text:
            continue
        kind = next((name for name, pattern in KINDS.items() if pattern.fullmatch(text)),
                    "other")
        counts[kind] += 1
    return counts


def idle(app: PtyApp, window: float) -> tuple[float, float, float]:
    """(CPU % of one core, bytes written per second, writes per second that are not
    time-driven cells) over ``window`` seconds."""
    app.drain(SETTLE)
    cpu = app.cpu_seconds()
    start = len(app.seen)
    written = app.drain(window)
    kinds = classify(app.seen[start:])
    return ((app.cpu_seconds() - cpu) / window * 100, written / window,
            kinds["other"] / window)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    loaded = f"{args.sessions:,} sessions".encode()

    results: dict[str, list[tuple[float, float, float]]] = {"minimal": [], "akool-tui live": [],
                                                     "akool-tui paused": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(tmp)
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        port = free_port()
        simulator = start_simulator(port, args.sessions)
        app_argv = [sys.executable, "-m", "akool_tui", "--base-url", f"http://127.0.0.1:{port}"]
        app_env = {**env, "AKOOL_API_KEY": "demo"}
        try:
            for _ in range(args.runs):
                with PtyApp([sys.executable, str(minimal)], env) as app:
                    app.wait_for([b"MINIMAL FIRST PAINT"])
                    results["minimal"].append(idle(app, args.window))
                with PtyApp(app_argv, app_env) as app:
                    app.wait_for([loaded], timeout=60)
                    results["akool-tui live"].append(idle(app, args.window))
                    app.send(b"p")
                    app.wait_for([b"PAUSED"])
                    results["akool-tui paused"].append(idle(app, args.window))
        finally:
            simulator.terminate()
            simulator.wait()

    def median(name: str, index: int) -> float:
        return statistics.median(r[index] for r in results[name])

    floor_cpu, floor_bytes = median("minimal", 0), median("minimal", 1)
    print(f"idle for {args.window:g} s at {args.sessions:,} sessions (120x34, churn off), "
          f"median of {args.runs} runs")
    print(f"  {'':18} {'CPU % of a core':>16} {'bytes/s':>10} {'other writes/s':>15}"
          "   vs minimal")
    for name in results:
        cpu, written, other = median(name, 0), median(name, 1), median(name, 2)
        ratio = f"{cpu / floor_cpu:5.1f}x CPU" if floor_cpu else "   n/a"
        extra = f"+{written - floor_bytes:,.0f} B/s" if name != "minimal" else ""
        print(f"  {name:18} {cpu:16.2f} {written:10.0f} {other:15.1f}   {ratio} {extra}")
    print(f"  target: < 1 % of a core -> "
          f"{'OK' if median('akool-tui live', 0) < 1 else 'OVER'} (live), "
          f"{'OK' if median('akool-tui paused', 0) < 1 else 'OVER'} (paused)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
