"""The sessions screen at 100 000 sessions, measured from outside, against a baseline.

The simulator runs in a process of its own (seeded, churn off), started before the
app ("already running"). ``akool-tui --base-url ...`` runs on a real pty (200x34, so
that a toast never covers the status line), as
``python -m akool_tui`` of this checkout. Everything is read from outside: the bytes
the app writes to its terminal, its CPU time and RSS from /proc/PID, and the
simulator's CPU time (a burst of simulator CPU = the app is reading every page, i.e. a
full refetch; incremental ticks read a few small pages and do not show as a burst).

Per run and size (300 sessions as the baseline, then 10 000 and 100 000):

    rows_on_screen   spawn -> the first frame with a session row (id + status)
    loaded           spawn -> the status line shows the full count ("100,000 sessions")
    rss_load         RSS once loaded and settled
    key latency      keys typed while the app works: down+space (marks the next row;
                     the status line's "N marked" is the marker), every ~0.2 s with
                     jitter, from the first row on screen through the rest of the load,
                     then through ``--refetches`` full refetches (each started with
                     ctrl+r), plus the status quick filter (f x5: "Showing <x>
                     sessions") and a whole sort cycle (s until "Created ▼" again).
                     Reported: min / median / p95 / max of key-to-screen, the number of
                     probes typed during a full refetch, and sort-until-painted.
    rss_refetch      RSS after each full refetch (settled): max, and growth vs load
    idle             app CPU % of one core over ONE WHOLE full-refetch cycle: from the
                     start of a full refetch (simulator burst) to the start of the next
                     one, nothing typed (at most ``--idle-max`` s: if no second full
                     refetch comes the window ends there; ``idle_cycle`` says how long
                     it was; a cut window holds the one full refetch and fewer cheap
                     ticks than the whole cycle: an upper bound). From 5 000 sessions
                     on (smaller refetches do not show as a burst).

The idle floor is a minimal Textual app (a label and a footer) over the same kind of
window (``--floor-window`` s).

Output: one line per figure, parseable:

    figure: <name> size=<sessions> min=<v> median=<v> max=<v> unit=<unit> runs=<n>

``name`` is one of rows_on_screen, loaded, rss_load, rss_refetch_max, rss_growth,
latency_min, latency_median, latency_p95, latency_max, probes_in_refetch,
filter_latency_median, sort_until_painted_max, idle_cpu, idle_cycle; ``size`` is the
session count (``minimal`` for the floor app). Each value is the min / median / max of
that figure over the runs (each run gives one value). Lines not starting with
``figure:`` are for people.

    python bench/latency_100k.py [--sizes 300,10000,100000] [--runs 3] [--refetches 3]
                                 [--type-seconds 6] [--idle-max 400] [--skip-idle]
"""

from __future__ import annotations

import argparse
import codecs
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import startup_bench  # noqa: E402 - bench/ is not a package
from startup_bench import (  # noqa: E402
    MINIMAL_APP,
    PtyApp,
    bench_env,
    free_port,
    start_simulator,
)

#: wide enough that a toast (bottom right) never covers the status line's "N marked"
COLS = startup_bench.COLS = 200
ROW = re.compile(r"[0-9a-f]{8}\s+(live|closed|failed|queueing)\b")
PROBE = b"\x1b[B "  # down, space: the next row marked
TICK = os.sysconf("SC_CLK_TCK")
#: simulator CPU (share of a core over SAMPLE s) above which it is serving a full refetch
BURST, SAMPLE = 0.1, 0.25
#: idle is measured from this many sessions on (a smaller full refetch is too short to
#: show as a burst of simulator CPU: the minimal app is the floor instead)
IDLE_FROM = 5000


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


TOKEN = re.compile(r"\x1b\[([0-9;?<>=]*)([ -/]*[@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
                   r"|\x1bP[^\x1b]*\x1b\\|\x1b.|\r|\n|[^\x1b\r\n]+")
ARROW = re.compile(r"(\w+) [\u25b2\u25bc]")
MARKED = re.compile(r"(\d+) marked")


class Screen:
    """Just enough of a terminal to read what is on screen: Textual positions the
    cursor (CSI row;col H) and writes only the changed part of a line."""

    def __init__(self, rows: int = startup_bench.ROWS, cols: int = COLS) -> None:
        self.lines = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.rest = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> None:
        text = self.rest + self.decoder.decode(data)
        cut = text.rfind("\x1b")
        self.rest = ""
        if cut != -1 and not TOKEN.match(text, cut):  # an escape sequence cut in two
            text, self.rest = text[:cut], text[cut:]
        for m in TOKEN.finditer(text):
            token = m.group(0)
            if m.group(2) in ("H", "f"):
                parts = (m.group(1) or "1;1").split(";")
                self.row = int(parts[0] or 1) - 1
                self.col = int(parts[1] or 1) - 1 if len(parts) > 1 else 0
            elif token == "\r":
                self.col = 0
            elif token == "\n":
                self.row += 1
            elif token[0] != "\x1b" and 0 <= self.row < len(self.lines):
                line = self.lines[self.row]
                for ch in token:
                    if self.col < len(line):
                        line[self.col] = ch
                    self.col += 1

    def line(self, n: int) -> str:
        return "".join(self.lines[n])

    def text(self) -> str:
        return "\n".join(map("".join, self.lines))

    @property
    def status(self) -> str:
        return self.line(len(self.lines) - 2)

    def marked(self) -> int:
        m = MARKED.search(self.status)
        return int(m.group(1)) if m else 0

    def sorted_by(self) -> str:
        for n in range(4):
            if m := ARROW.search(self.line(n)):
                return m.group(1)
        return ""


class Watch:
    """The app on its pty plus the simulator's CPU: reads output while it waits."""

    def __init__(self, app: PtyApp, sim_pid: int) -> None:
        self.app, self.sim = app, sim_pid
        self.screen = Screen()
        self.fed = 0
        self.samples: list[tuple[float, float]] = []  # (time, simulator cpu)

    def sample(self) -> None:
        self.samples.append((time.perf_counter(), cpu_of(self.sim)))

    def busy(self) -> bool:
        """Whether the simulator served a full refetch over the last sample."""
        if len(self.samples) < 2:
            return False
        (t0, c0), (t1, c1) = self.samples[-2], self.samples[-1]
        return (c1 - c0) / max(1e-3, t1 - t0) > BURST

    def read(self, seconds: float) -> None:
        self.app.drain(seconds)
        self.screen.feed(self.app.seen[self.fed:])
        self.fed = len(self.app.seen)

    def pump(self, seconds: float) -> None:
        """Read output for ``seconds``, sampling the simulator's CPU."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.read(min(SAMPLE, left))
            self.sample()

    def until(self, check, timeout: float, what: str) -> float:
        """Seconds from now until ``check(screen)`` holds."""
        start = time.perf_counter()
        while not check(self.screen):
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"no {what} within {timeout} s: {self.screen.text()!r}")
            self.read(0.002)
        return time.perf_counter() - start

    def settle(self, quiet: float = 2.0, timeout: float = 120.0) -> None:
        """Wait until the simulator has been quiet (no full refetch) for ``quiet`` s."""
        end = time.perf_counter() + timeout
        calm_since = time.perf_counter()
        while time.perf_counter() < end:
            self.pump(SAMPLE)
            if self.busy():
                calm_since = time.perf_counter()
            elif time.perf_counter() - calm_since >= quiet:
                return


class Probe:
    """down+space: the next row's mark toggles, so the status line's "N marked" moves."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.latencies: list[float] = []
        self.in_refetch = 0

    def one(self) -> float:
        before = self.watch.screen.marked()
        self.watch.app.send(PROBE)
        seconds = self.watch.until(lambda screen: screen.marked() != before, 30, "mark")
        self.watch.sample()
        if self.watch.busy():
            self.in_refetch += 1
        self.latencies.append(seconds)
        if os.environ.get("LATENCY_DEBUG") and seconds > 0.1:
            print(f"  slow probe {seconds * 1000:.0f} ms, status {self.watch.screen.status!r}")
        return seconds

    def for_seconds(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.one()
            self.watch.pump(random.uniform(0.1, 0.3))


def one_run(argv: list[str], env: dict[str, str], sim_pid: int, sessions: int,
            args: argparse.Namespace) -> dict[str, float]:
    out: dict[str, float] = {}
    with PtyApp(argv, env) as app:
        watch = Watch(app, sim_pid)
        watch.sample()
        watch.until(lambda screen: ROW.search(screen.text()), 60, "a session row")
        out["rows_on_screen"] = time.perf_counter() - app.started
        probe = Probe(watch)
        loaded = f"{sessions:,} sessions"
        # probes through the rest of the load ("100 of 100,000 sessions (loading)" first)
        while loaded not in watch.screen.status or "loading" in watch.screen.status:
            probe.one()
            watch.pump(random.uniform(0.1, 0.3))
        out["loaded"] = time.perf_counter() - app.started
        watch.settle()
        out["rss_load"] = rss_mb(app.proc.pid)
        rss_after: list[float] = []
        sorts: list[float] = []
        filters: list[float] = []
        for _ in range(args.refetches):
            app.send(b"\x12")  # ctrl+r: a full refetch
            probe.for_seconds(args.type_seconds)
            for label in ("live", "queueing", "closed", "failed", "all"):
                app.send(b"f")
                filters.append(watch.until(
                    lambda screen, label=label: ("showing" not in screen.status) if label == "all"
                    else f"showing {label}" in screen.status, 30, f"filter {label}"))
                watch.pump(0.2)
            for _ in range(12):  # one whole sort cycle, back to Created (newest first)
                column = watch.screen.sorted_by()
                app.send(b"s")
                sorts.append(watch.until(
                    lambda screen, column=column: screen.sorted_by() not in ("", column), 60,
                    "sort"))
                probe.one()
                if watch.screen.sorted_by() == "Created":
                    break
            watch.settle()
            rss_after.append(rss_mb(app.proc.pid))
        lat = sorted(probe.latencies)
        if args.refetches:
            out.update(
                latency_min=lat[0] * 1000, latency_median=statistics.median(lat) * 1000,
                latency_p95=lat[int(0.95 * (len(lat) - 1))] * 1000, latency_max=lat[-1] * 1000,
                probes_in_refetch=probe.in_refetch,
                filter_latency_median=statistics.median(filters) * 1000,
                sort_until_painted_max=max(sorts) * 1000,
                rss_refetch_max=max(rss_after), rss_growth=rss_after[-1] - out["rss_load"])
        if not args.skip_idle and sessions >= IDLE_FROM:
            out.update(idle(watch, args.idle_max))
    return out


def idle(watch: Watch, limit: float) -> dict[str, float]:
    """CPU % over one whole full-refetch cycle (start to start), nothing typed."""
    app = watch.app
    watch.settle(quiet=1.0)
    t0, cpu0 = time.perf_counter(), cpu_of(app.proc.pid)
    app.send(b"\x12")  # ctrl+r: a full refetch now (the cycle starts with one)
    while not watch.busy() and time.perf_counter() - t0 < limit:
        watch.pump(SAMPLE)
    if time.perf_counter() - t0 > 30:  # no burst after ctrl+r: a natural one starts it
        t0, cpu0 = time.perf_counter() - SAMPLE, cpu_of(app.proc.pid)
    watch.settle(quiet=2.0)  # the end of this refetch (a lull inside it is not the end)
    # what ctrl+r's own refresh wrote (its "Refreshing…" notice) ends here
    settled_at, settled_t = len(app.seen), time.perf_counter()
    while time.perf_counter() - t0 < limit:
        watch.pump(SAMPLE)
        if watch.busy():  # the next full refetch started: one whole cycle
            break
    t1, cpu1 = time.perf_counter() - SAMPLE, cpu_of(app.proc.pid)
    return {"idle_cpu": (cpu1 - cpu0) / (t1 - t0) * 100, "idle_cycle": t1 - t0,
            "_settled_at": settled_at, "_settled_s": t1 - settled_t}


def floor_idle(env: dict[str, str], tmp: str, window: float) -> float:
    minimal = Path(tmp) / "minimal_app.py"
    minimal.write_text(MINIMAL_APP)
    with PtyApp([sys.executable, str(minimal)], env) as app:
        app.wait_for([b"MINIMAL FIRST PAINT"])
        app.drain(2.0)
        cpu = app.cpu_seconds()
        app.drain(window)
        return (app.cpu_seconds() - cpu) / window * 100


UNITS = {"rows_on_screen": "s", "loaded": "s", "rss_load": "MB", "rss_refetch_max": "MB",
         "rss_growth": "MB", "probes_in_refetch": "count", "idle_cpu": "%", "idle_cycle": "s"}


def report(size: str, runs: list[dict[str, float]]) -> None:
    for name in (n for n in runs[0] if not n.startswith("_")):  # "_": for idle_bench
        values = [r[name] for r in runs]
        print(f"figure: {name} size={size} min={min(values):.3f} "
              f"median={statistics.median(values):.3f} max={max(values):.3f} "
              f"unit={UNITS.get(name, 'ms')} runs={len(values)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,10000,100000",
                        help="session counts, the baseline first (default 300,10000,100000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--refetches", type=int, default=3)
    parser.add_argument("--type-seconds", type=float, default=6.0,
                        help="probes typed after each ctrl+r (default 6)")
    parser.add_argument("--idle-max", type=float, default=400.0)
    parser.add_argument("--floor-window", type=float, default=20.0)
    parser.add_argument("--skip-idle", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"{args.runs} runs of each size")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**bench_env(tmp), "COLUMNS": str(COLS)}
        if not args.skip_idle:
            floors = [floor_idle(env, tmp, args.floor_window) for _ in range(args.runs)]
            report("minimal", [{"idle_cpu": f} for f in floors])
        first = True
        for sessions in [int(size) for size in args.sizes.split(",")]:
            port = free_port()
            simulator = start_simulator(port, sessions)
            argv = [sys.executable, "-m", "akool_tui", "--base-url", f"http://127.0.0.1:{port}"]
            try:
                if first:  # one untimed start: the first process after a cold start reads
                    # its modules from disk (4.5-5.8 s to rows at 300 sessions, against
                    # 1.3 s at 10 000), which would make the baseline the slowest size
                    one_run(argv, {**env, "AKOOL_API_KEY": "demo"}, simulator.pid, sessions,
                            argparse.Namespace(**{**vars(args), "refetches": 0,
                                                  "skip_idle": True}))
                    first = False
                runs = [one_run(argv, {**env, "AKOOL_API_KEY": "demo"}, simulator.pid,
                                sessions, args) for _ in range(args.runs)]
            finally:
                simulator.terminate()
                simulator.wait()
            report(str(sessions), runs)
            sys.stdout.flush()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
