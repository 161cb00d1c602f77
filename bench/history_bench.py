"""The history's write cost while a reply streams at 200 parts/s.

Run:  .venv/bin/python bench/history_bench.py [--seconds 10] [--rate 200] [--reply-parts 400]

A :class:`~akool_tui.core.chat.conversation.Conversation` (no transport) is fed chat
parts on a fixed schedule inside an asyncio loop, through its own path (reassembler,
``emit``, observers), with and without a
:class:`~akool_tui.core.history.recorder.ConversationRecorder` on a real
:class:`~akool_tui.core.history.HistoryStore` (its writer thread, SQLite in a
temporary folder, FTS index). Each variant runs the same schedule:

- ``ui_us_per_part``: time spent in the recorder per part, on the loop's thread
  (what the console's UI thread pays), mean and p99;
- ``cpu_core``: process CPU / wall over the run (loop + writer thread), with and
  without recording; the difference per part is the whole cost of recording;
- ``long reply``: the same with one reply growing for the whole run (the writer
  rewrites it -- and its text index -- every batch).

Prints ``figure: name value unit`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from akool_tui.api.models import Session, SessionStatus
from akool_tui.core.chat.conversation import Conversation, Outgoing
from akool_tui.core.history import HistoryStore
from akool_tui.core.history.recorder import ConversationRecorder
from akool_tui.stream.codec import ChatMessage


class Timed:
    """Wraps the recorder: the time each call takes (on the loop's thread)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.times: list[float] = []

    def __call__(self, event) -> None:
        t = time.perf_counter()
        self.inner(event)
        self.times.append(time.perf_counter() - t)


async def stream(conv: Conversation, seconds: float, rate: float, reply_parts: int) -> int:
    """Feed parts on a fixed schedule; returns how many were fed."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    n = 0
    reply = 0
    idx = 0
    total = int(seconds * rate)
    while n < total:
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if idx == 0:
            conv._emit(Outgoing(f"m{reply}", f"question {reply}", "sent"))
        last = idx == reply_parts - 1 or n == total - 1
        conv._handle(ChatMessage(f"r{reply}", idx, last, f"word{idx % 10} ", "bot"))
        n += 1
        idx += 1
        if last:
            reply, idx = reply + 1, 0
    return n


def run(seconds: float, rate: float, reply_parts: int, record: bool) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="history-bench-"))
    conv = Conversation(lambda event: None)
    conv.session = Session("bench-session", SessionStatus.PROCESSING, "websocket", "av")
    store = timed = None
    if record:
        store = HistoryStore(folder / "bench.sqlite3")
        store.ready.wait(10)
        recorder = ConversationRecorder(store, conv)
        conv.observers.remove(recorder)
        timed = Timed(recorder)
        conv.observers.append(timed)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    parts = asyncio.run(stream(conv, seconds, rate, reply_parts))
    if store is not None:
        store.flush(30)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    out = {"parts": parts, "cpu_core": cpu / wall, "cpu_s": cpu, "wall_s": wall}
    if store is not None and timed is not None:
        store.close()
        times = sorted(timed.times)
        out["ui_us_mean"] = statistics.fmean(times) * 1e6
        out["ui_us_p99"] = times[int(len(times) * 0.99)] * 1e6
        out["db_bytes"] = sum(p.stat().st_size for p in folder.iterdir())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--reply-parts", type=int, default=400,
                        help="parts per reply (400 = a 2 s reply at 200 parts/s)")
    a = parser.parse_args()
    print(f"# {a.rate:g} parts/s for {a.seconds:g} s, pid {os.getpid()}")
    for label, parts in (("", a.reply_parts), ("long_reply_", int(a.seconds * a.rate))):
        off = run(a.seconds, a.rate, parts, record=False)
        on = run(a.seconds, a.rate, parts, record=True)
        extra_us = (on["cpu_s"] - off["cpu_s"]) / on["parts"] * 1e6
        print(f"figure: history_{label}ui_per_part_mean {on['ui_us_mean']:.1f} us")
        print(f"figure: history_{label}ui_per_part_p99 {on['ui_us_p99']:.1f} us")
        print(f"figure: history_{label}cpu_without {off['cpu_core']:.3f} core")
        print(f"figure: history_{label}cpu_with {on['cpu_core']:.3f} core")
        print(f"figure: history_{label}cpu_per_part {extra_us:.1f} us")
        print(f"figure: history_{label}db_size {on['db_bytes'] / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
