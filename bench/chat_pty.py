"""Chat, receive to bytes on the terminal: akool-tui's chat screen in a pty against Log anchors.

The simulator runs in this process (a thread) and is instrumented, not changed: each
bot reply part its avatar sends over the websocket stream channel is stamped just
before it is sent. The program under test runs on a pty (120x34) of its own, joined
to a websocket session, and its terminal output is read here and stamped as it
arrives (one clock: ``time.perf_counter``, CLOCK_MONOTONIC, shared by both). The
avatar then speaks a reply of unique words (``k00001 k00002 ...``) at ``--rate`` parts
a second; a part counts as on the terminal when its last word first appears in the
program's output. Nothing else on screen holds those words (the reply is spoken by
the avatar, not typed, so there is no user line echoing them).

Programs, each in its own pty and process, each on its own session:

    akool-tui            the console's chat screen (``t`` on the session's row), whose
                         transcript flushes at most 30 times a second
    Log 30 Hz            a minimal Textual app: the same websocket transport and codec,
                         text appended to Textual's ``Log`` from a 30 Hz buffer (the
                         transcript's own rate), wrapped at words as it is flushed (Log
                         does not wrap)
    Log 20 Hz            the same at 20 Hz

Measured per run: p50 / p95 / max of send -> on the terminal over all parts, and the
program's CPU (/proc utime+stime over the stream, in cores). Printed as
``figure: chat pty <program>: <what> <value> <unit>`` lines; ``--threads`` adds each
thread's CPU (the event loop is ``MainThread``-named after the program, the history's
writer and Textual's driver threads by their names).

Before/after in one sitting: ``--source NAME=DIR`` (repeatable) runs the console from
another source tree too (an older commit's ``git worktree``), as ``akool-tui NAME``, in
turn with this tree's; every console runs as ``python -S`` with ``PYTHONPATH`` = its tree
and this interpreter's site-packages. ``--anchors ""`` leaves the Log anchors out.
``--profile DIR`` samples each console over the stream with py-spy (attached,
non-blocking; it must be installed beside the interpreter) into ``DIR/<program>-<run>.txt``
(raw folded stacks); ``--cprofile DIR`` profiles each console's event loop over the stream
(SIGUSR1 to SIGUSR2) into ``DIR/<program>-<run>.prof`` (no CPU figure: cProfile's own
cost would be in it).

    python bench/chat_pty.py [--seconds 10] [--rate 200] [--runs 3] [--video on|off]
                             [--source NAME=DIR ...] [--anchors 30,20] [--threads]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import re
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from startup_bench import PtyApp, bench_env  # noqa: E402 - bench/ is not a package

from akool_tui.simulator import SimulatorConfig, run_background  # noqa: E402
from akool_tui.simulator.avatar import PIECE_CHARS, SimulatedAvatar  # noqa: E402
from akool_tui.simulator.stream_channel import live_avatars  # noqa: E402
from akool_tui.stream.codec import ChatMessage, decode  # noqa: E402

ROW = re.compile(rb"\b[0-9a-f]{8}\s+(?:queueing|live|closed|failed)\b")
WORD = re.compile(r"k\d{5}")

ANCHOR = '''
import sys
from textual.app import App
from textual.widgets import Log, Static
from akool_tui.stream.codec import ChatMessage, decode
from akool_tui.stream.transport import WebSocketTransport

URL, TOKEN, HZ = sys.argv[1], sys.argv[2], float(sys.argv[3])


class Anchor(App):
    def compose(self):
        yield Static(f"LOG ANCHOR {HZ:g} HZ")
        yield Log()

    def on_mount(self):
        self.buffer = []
        self.column = 0  # Log does not wrap: the buffer is wrapped at words, as it flushes
        self.set_interval(1 / HZ, self.flush)
        self.run_worker(self.read())

    async def read(self):
        transport = WebSocketTransport(URL, TOKEN)
        await transport.connect()
        async for payload in transport.receive():
            msg = decode(payload)
            if isinstance(msg, ChatMessage) and msg.from_ == "bot":
                self.buffer.append(msg.text)

    def flush(self):
        text = "".join(self.buffer)
        cut = text.rfind(" ") + 1  # whole words only: the rest waits for its end
        if not cut:
            return
        self.buffer[:] = [text[cut:]]
        out = []
        for word in text[:cut - 1].split(" "):
            if self.column and self.column + len(word) + 1 > self.size.width - 4:
                out.append("\\n")
                self.column = 0
            elif self.column:
                out.append(" ")
                self.column += 1
            out.append(word)
            self.column += len(word)
        self.query_one(Log).write("".join(out))


Anchor().run()
'''


class Stamps:
    """When each bot part left the simulator: (perf_counter, text)."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []
        original = SimulatedAvatar.__init__
        stamps = self

        def init(self, send, *args, **kwargs):  # noqa: ANN001 - the simulator's signature
            async def stamped(payload: bytes) -> None:
                msg = decode(payload)
                if isinstance(msg, ChatMessage) and msg.from_ == "bot":
                    stamps.sent.append((time.perf_counter(), msg.text))
                await send(payload)

            original(self, stamped, *args, **kwargs)

        SimulatedAvatar.__init__ = init


def create_session(base_url: str) -> dict:
    answer = httpx.post(base_url + "/api/open/v4/liveAvatar/session/create",
                        json={"avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 3600,
                              "stream_type": "websocket", "mode_type": 1},
                        headers={"x-api-key": "demo"}, timeout=10).json()
    return answer["data"]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of each thread of ``pid``: ``"name/tid"``."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name, rest = task.joinpath("stat").read_text().split("(", 1)[1].rsplit(")", 1)
        except OSError:  # the thread ended meanwhile
            continue
        fields = rest.split()
        name = "main" if task.name == str(pid) else name
        out[f"{name}/{task.name}"] = (int(fields[11]) + int(fields[12])) / tick
    return out


def measure(app: PtyApp, sim, session_id: str, stamps: Stamps, words: int,
            timeout: float, least: float = 0.99, cprofile: Path | None = None,
            spy: Path | None = None) -> tuple[list[float], float, dict[str, float]]:
    """(latency of each part in ms, CPU cores over the stream, cores per thread name)."""
    wait_until(lambda: live_avatars(sim.state, session_id), 30, "the program to connect")
    app.drain(1.0)  # settle
    avatar = live_avatars(sim.state, session_id)[0]
    text = " ".join(f"k{i:05d}" for i in range(1, words + 1)) + " "  # ends a word
    stamps.sent.clear()
    base = len(app.seen)
    arrivals: list[tuple[int, float]] = []  # (end offset in app.seen, time read)
    cpu = app.cpu_seconds()
    threads = thread_cpu(app.proc.pid)
    if cprofile is not None:
        os.kill(app.proc.pid, signal.SIGUSR1)
    sampler = None
    if spy is not None:  # py-spy attached for the stream alone; it writes on SIGINT
        sampler = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
             str(app.proc.pid), "--nonblocking", "-r", "200", "-f", "raw", "-o", str(spy)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    done = asyncio.run_coroutine_threadsafe(avatar._speak(text), avatar._loop)  # noqa: SLF001
    last = f"k{words:05d}".encode()
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if app._read(0.5):  # noqa: SLF001 - the pty reader of startup_bench
            arrivals.append((len(app.seen), time.perf_counter()))
            if last in app.seen[max(base, len(app.seen) - 65536):]:
                break
    wall = time.perf_counter() - start
    if cprofile is not None:
        os.kill(app.proc.pid, signal.SIGUSR2)
        wait_until(cprofile.exists, 30, "the profile")
    if sampler is not None:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=30)
    cpu = (app.cpu_seconds() - cpu) / wall
    per_thread = {name: (spent - threads.get(name, 0.0)) / wall
                  for name, spent in thread_cpu(app.proc.pid).items()}
    done.result(timeout=30)
    ends = [end for end, _ in arrivals]
    latencies = []
    seen = app.seen
    for sent_at, piece in stamps.sent:
        found = WORD.findall(piece)
        if not found:
            continue
        at = seen.find(found[-1].encode(), base)
        if at < 0:
            continue  # never shown (counted below)
        arrived = arrivals[bisect.bisect_right(ends, at + len(found[-1]) - 1)][1]
        latencies.append((arrived - sent_at) * 1000)
    shown = len(latencies) / max(1, sum(1 for _, p in stamps.sent if WORD.search(p)))
    if shown < least:
        raise SystemExit(f"only {shown:.0%} of the parts reached the terminal")
    return latencies, cpu, per_thread


def children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
            for c in task.joinpath("children").read_text().split()]


LAUNCH = "import sys, runpy; del sys.path[0]; runpy.run_module('akool_tui', run_name='__main__')"
#: --cprofile: the event loop's thread is profiled from SIGUSR1 to SIGUSR2 (the stream)
CPROFILE = """
import cProfile, os, signal, sys, runpy
del sys.path[0]
profile = cProfile.Profile()
signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
def stop(*_):
    profile.disable()
    profile.dump_stats(os.environ["CHAT_PTY_CPROFILE"] + ".part")
    os.replace(os.environ["CHAT_PTY_CPROFILE"] + ".part", os.environ["CHAT_PTY_CPROFILE"])
signal.signal(signal.SIGUSR2, stop)
runpy.run_module('akool_tui', run_name='__main__')
"""


def console_argv(py: str, base_url: str, cprofile: Path | None = None) -> list[str]:
    # -S and del sys.path[0]: the tree comes from PYTHONPATH alone (not the cwd, not the
    # venv's editable install)
    launch = os.environ.get("CHAT_PTY_LAUNCH", CPROFILE if cprofile else LAUNCH)
    return [py, "-S", "-c", launch, "--base-url", base_url]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0, help="parts per second")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--video", choices=("on", "off"), default="on",
                        help="the avatar's video panel in the console's chat (default on, "
                             "as a user sees it; off: the transcript's cost alone)")
    parser.add_argument("--source", action="append", default=[], metavar="NAME=DIR",
                        help="also run the console from this source tree, as 'akool-tui NAME'")
    parser.add_argument("--anchors", default="30,20",
                        help="the Log anchors' flush rates in Hz, comma separated ('' = none)")
    parser.add_argument("--threads", action="store_true", help="print each thread's CPU")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample each console over the stream with py-spy into "
                             "DIR/<program>-<run>.txt")
    parser.add_argument("--cprofile", type=Path, metavar="DIR",
                        help="cProfile each console's event loop over the stream only, "
                             "into DIR/<program>-<run>.prof")
    args = parser.parse_args()
    chars_per_s = args.rate * PIECE_CHARS
    words = int(args.seconds * chars_per_s / 7)  # "k00001 " is 7 characters
    stamps = Stamps()
    cfg = SimulatorConfig(seed=3, sessions=0, churn=False, queue_delay=0.0,
                          reply_chars_per_s=chars_per_s)
    py = sys.executable
    purelib = sysconfig.get_paths()["purelib"]
    trees = {"akool-tui": Path(__file__).resolve().parent.parent}
    for spec in args.source:
        name, _, tree = spec.partition("=")
        trees[f"akool-tui {name}"] = Path(tree).resolve()
    anchors = [f"Log {hz.strip()} Hz" for hz in args.anchors.split(",") if hz.strip()]
    for folder in (args.profile, args.cprofile):
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
    print(f"video {args.video}; reply of {words} words (~{words * 7:,} chars) at {args.rate:g} parts/s "
          f"({chars_per_s:g} chars/s, ~{args.seconds:g} s), 120x34 pty, {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp, run_background(cfg) as sim:
        env = {**bench_env(tmp), "AKOOL_API_KEY": "demo"}
        if args.video == "off":
            (Path(tmp) / "akool-tui").mkdir(exist_ok=True)
            (Path(tmp) / "akool-tui" / "config.toml").write_text('[chat]\nvideo_mode = "off"\n')
        anchor = Path(tmp) / "anchor.py"
        anchor.write_text(ANCHOR)
        for run in range(args.runs):
            for name in [*trees, *anchors]:
                session = create_session(sim.base_url)
                sid = session["_id"] if "_id" in session else session["id"]
                profile = cprofile = None
                if name in trees:
                    if args.profile:
                        profile = args.profile / f"{name}-{run + 1}.txt".replace(" ", "-")
                    if args.cprofile:
                        cprofile = (args.cprofile / f"{name}-{run + 1}.prof".replace(" ", "-")
                                    ).resolve()
                    argv = console_argv(py, sim.base_url, cprofile)
                    app_env = {**env, "PYTHONPATH": f"{trees[name]}{os.pathsep}{purelib}"}
                    if cprofile is not None:
                        app_env["CHAT_PTY_CPROFILE"] = str(cprofile)
                else:
                    creds = session["credentials"]
                    argv = [py, str(anchor), creds["ws_url"], creds["ws_token"],
                            name.split()[1]]
                    app_env = env
                with PtyApp(argv, app_env) as app:
                    if name in trees:
                        app.wait_for([ROW], timeout=60)
                        app.drain(0.5)
                        app.send(b"t")  # chat with the selected (newest) session
                    latencies, cpu, per_thread = measure(
                        app, sim, sid, stamps, words, timeout=args.seconds * 4 + 30,
                        least=0.99 if cprofile is None else 0.5,
                        cprofile=cprofile, spy=profile)
                p = statistics.quantiles(latencies, n=100)
                figures = [("p50 send->terminal", statistics.median(latencies), "ms"),
                           ("p95 send->terminal", p[94], "ms"),
                           ("max send->terminal", max(latencies), "ms")]
                if cprofile is None:  # (cProfile's own CPU is not the app's)
                    figures.append(("CPU", cpu, "core"))
                for what, value, unit in figures:
                    print(f"figure: chat pty {name}: {what} {value:.3f} {unit}", flush=True)
                if args.threads and cprofile is None:
                    busy = sorted(per_thread.items(), key=lambda kv: -kv[1])
                    print(f"  threads of {name} (cores): "
                          + ", ".join(f"{n} {c:.3f}" for n, c in busy if c >= 0.001),
                          flush=True)
                httpx.post(sim.base_url + "/api/open/v4/liveAvatar/session/close",
                           json={"id": sid}, headers={"x-api-key": "demo"}, timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
