"""Where the console's memory is at 100 000 sessions: RSS, glibc's heaps and Python's
own allocator, once loaded and after each full refetch (optionally the top allocation
sites by tracemalloc).

The simulator runs in a process of its own; ``python -m akool_tui`` of this checkout
runs on a pty (as in ``latency_100k.py``) with a SIGUSR1 handler that writes, each time
it is asked: VmRSS / RssAnon, ``mallinfo2`` (glibc heap bytes in use and free: free
bytes still counted in RSS), ``sys._debugmallocstats`` (pymalloc arenas), and with
``--trace`` the top 25 allocation sites (tracemalloc makes the app 2-3x slower).

    python bench/rss_census.py [--sessions 100000] [--refetches 2] [--sorts] [--trace]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import latency_100k as lat  # noqa: E402 - bench/ is not a package
from startup_bench import PtyApp, bench_env, free_port, start_simulator  # noqa: E402

WRAPPER = r'''
import ctypes, gc, os, signal, sys

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

try:
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
except (OSError, AttributeError):
    libc = None

def dump(*_):
    lines = [l.strip() for l in open("/proc/self/status") if l.startswith(("VmRSS", "RssAnon"))]
    out = ["  ".join(lines)]
    if libc is not None:
        m = libc.mallinfo2()
        out.append(f"glibc heaps {m.arena / 1e6:.1f} MB: in use {m.uordblks / 1e6:.1f} MB, free "
                   f"{m.fordblks / 1e6:.1f} MB; mmapped {m.hblkhd / 1e6:.1f} MB")
    r, w = os.pipe()
    saved = os.dup(2)
    os.dup2(w, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(w)
        os.close(saved)
    text = b""
    while chunk := os.read(r, 1 << 16):
        text += chunk
    os.close(r)
    out += ["pymalloc " + l.strip() for l in text.decode().splitlines()
            if "arenas allocated current" in l or "bytes in allocated blocks" in l]
    out.append(f"gc frozen {gc.get_freeze_count()}")
    import tracemalloc
    if tracemalloc.is_tracing():
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:25]:
            out.append(f"  {stat}")
    with open(os.environ["RSS_CENSUS"], "a") as f:
        f.write("\n".join(out) + "\n")

signal.signal(signal.SIGUSR1, dump)
if os.environ.get("RSS_TRACE"):
    import tracemalloc
    tracemalloc.start(1)
sys.argv[0] = "akool-tui"
from akool_tui.launch import main
sys.exit(main())
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--refetches", type=int, default=2)
    parser.add_argument("--sorts", action="store_true",
                        help="after each refetch: the status filter x5 and a whole sort cycle")
    parser.add_argument("--trace", action="store_true", help="tracemalloc's top 25 sites")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        census, wrapper = Path(tmp) / "census.txt", Path(tmp) / "wrapper.py"
        wrapper.write_text(WRAPPER)
        census.write_text("")
        env = {**bench_env(tmp), "COLUMNS": str(lat.COLS), "AKOOL_API_KEY": "demo",
               "RSS_CENSUS": str(census), "PYTHONPATH": str(Path.cwd())}
        if args.trace:
            env["RSS_TRACE"] = "1"
        port = free_port()
        simulator = start_simulator(port, args.sessions)
        try:
            time.sleep(1.0)
            argv = [sys.executable, str(wrapper), "--base-url", f"http://127.0.0.1:{port}"]
            with PtyApp(argv, env) as app:
                watch = lat.Watch(app, simulator.pid)
                watch.sample()
                loaded = f"{args.sessions:,} sessions"
                watch.until(lambda s: loaded in s.status and "loading" not in s.status, 300,
                            "loaded")
                watch.settle()

                def ask(title: str) -> None:
                    size = census.stat().st_size
                    with census.open("a") as f:
                        f.write(f"=== {title}\n")
                    os.kill(app.proc.pid, signal.SIGUSR1)
                    for _ in range(240):  # the app answers between two of its own steps
                        watch.pump(0.5)
                        if census.stat().st_size > size + 60:
                            break

                ask("loaded")
                for n in range(1, args.refetches + 1):
                    app.send(b"\x12")  # ctrl+r: a full refetch
                    watch.pump(1.0)
                    peak = lat.rss_mb(app.proc.pid)
                    while watch.busy():
                        watch.pump(0.25)
                        peak = max(peak, lat.rss_mb(app.proc.pid))
                    if args.sorts:
                        for key, times, wait in ((b"f", 5, 0.6), (b"s", 12, 1.0)):
                            for _ in range(times):
                                app.send(key)
                                watch.pump(wait)
                    watch.settle()
                    ask(f"after full refetch {n} (RSS peak seen during it {peak:.1f} MB)")
        finally:
            simulator.terminate()
            simulator.wait()
        print(census.read_text(), end="")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
