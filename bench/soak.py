"""Soak: the dashboard headless against 10 000 sessions with heavy churn, plus a chat
streaming replies continuously, for a bounded time (it stops by itself).

The simulator runs in a separate process (so its own growth -- every churned session
is kept in its history -- does not count against the app). This process runs
:class:`AkoolApp` headless (``run_test``) on the sessions screen with a 1 s refresh,
and in the same event loop a :class:`~akool_tui.conversation.Conversation` on a
websocket session that sends a line as soon as the previous reply has finished.

Printed: RSS after the first load, after a warm-up (``--warmup``: caches, the chat's
first session) and at the end (growth from the warm-up, target <= 5 %), one line
per minute (RSS, CPU of this process and of the simulator as % of one core, table rows,
refresh errors, notifications, replies), and the totals of errors shown.

    python bench/soak.py [--minutes 10] [--sessions 10000] [--churn-interval 0.1]
                         [--reply-chars-per-s 200] [--warmup 60] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from akool_tui.config import Config
from bench.simproc import simulator_process
from akool_tui.conversation import ChannelState, Conversation, ReplyStats
from akool_tui.tui.app import AkoolApp

TARGET_GROWTH = 5.0  # percent
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
#: a reply that does not start finishing within this many seconds ends the chat session
REPLY_TIMEOUT = 10.0
CHAT_LINE = "Tell me something about the weather today, in a few sentences."

SIM_CODE = """
import sys
from akool_tui.simulator.config import SimulatorConfig
from akool_tui.simulator.cli import serve_forever
cfg = SimulatorConfig(seed=5, sessions=int(sys.argv[1]), churn=True,
                      churn_interval=float(sys.argv[2]), reply_chars_per_s=float(sys.argv[3]),
                      max_concurrent=400, queue_delay=0.5)
serve_forever(cfg, "127.0.0.1", int(sys.argv[4]))
"""


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Counters:
    """Everything counted during the run (no per-event lists: they would grow RSS)."""

    def __init__(self) -> None:
        self.refresh_failed = 0
        self.error_notes = 0
        self.replies = 0
        self.reply_chars = 0
        self.incomplete = 0
        self.chat_failures = 0  # a live session that did not answer
        self.lines_failed = 0  # lines visibly marked failed (e.g. churn closed the session)
        self.reconnects = 0
        self.chat_sessions = 0
        self.reply_done = asyncio.Event()

    def app_message(self, message) -> None:
        name = type(message).__name__
        if name == "RefreshFailed":
            self.refresh_failed += 1
        elif name == "Notify" and message.notification.severity == "error":
            self.error_notes += 1

    def chat_event(self, event) -> None:
        if isinstance(event, ReplyStats):
            self.replies += 1
            self.reply_chars += event.chars
            self.reply_done.set()
        elif isinstance(event, ChannelState) and str(event.state) == "reconnecting":
            self.reconnects += 1
        elif type(event).__name__ == "Outgoing" and event.status == "failed":
            self.lines_failed += 1
        elif type(event).__name__ == "ChatPart" and event.incomplete:
            self.incomplete += 1


async def chat_forever(base_url: str, counters: Counters) -> None:
    """Chat without pause; churn closes sessions at random, so when the current one
    stops answering (or its channel ends) a new one is created, as an operator would."""
    from akool_tui.api.client import AkoolClient

    async with AkoolClient(base_url, api_key="demo") as client:
        while True:
            session = await client.create_session(duration=3600, stream_type="websocket",
                                                  mode_type=2)
            counters.chat_sessions += 1
            await chat_session(client, session, counters)


async def chat_session(client, session, counters: Counters) -> None:
    """Chat on ``session`` until it stops answering."""
    conv = Conversation(counters.chat_event, mode=2)
    runner = asyncio.create_task(conv.run(session))
    try:
        while conv.transport is None and not runner.done():
            await asyncio.sleep(0.05)
        while conv.alive:
            if not conv.connected:
                await asyncio.sleep(0.1)
                continue
            counters.reply_done.clear()
            await conv.say(CHAT_LINE)
            waited = 0.0
            while not counters.reply_done.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(counters.reply_done.wait(), 1.0)
                waited += 1.0
                if counters.reply_done.is_set():
                    break
                if not (await client.session_detail(session.id)).is_open:
                    return  # churn closed it
                if waited >= REPLY_TIMEOUT:
                    counters.chat_failures += 1  # a live session that does not answer
                    return
    finally:
        await conv.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner


async def soak(args: argparse.Namespace, base_url: str, sim_pid: int) -> dict:
    counters = Counters()
    cfg = Config(base_url=base_url, api_key="demo", refresh_interval=1.0)
    app = AkoolApp(cfg, watch_tty=False)
    report: dict = {"minutes": args.minutes, "sessions": args.sessions,
                    "churn_interval": args.churn_interval, "per_minute": []}
    async with app.run_test(size=(120, 40), message_hook=counters.app_message) as pilot:
        screen = app.screen
        t0 = time.monotonic()
        while not (getattr(screen, "loop", None) and screen.loop.state.last_success
                   and screen.table.row_count >= args.sessions):
            if time.monotonic() - t0 > 120:
                raise SystemExit("the sessions screen did not load")
            await pilot.pause(0.1)
        report["first_load_s"] = round(time.monotonic() - t0, 2)
        report["rss_after_load_mb"] = round(rss_mb(), 1)
        chat = asyncio.create_task(chat_forever(base_url, counters))
        print(f"loaded {screen.table.row_count:,} rows in {report['first_load_s']} s; "
              f"RSS {report['rss_after_load_mb']} MB; warming up {args.warmup:g} s", flush=True)
        warm_end = time.monotonic() + args.warmup
        while time.monotonic() < warm_end:
            await pilot.pause(0.5)
        start = time.monotonic()
        rss0 = rss_mb()
        report["rss_start_mb"] = round(rss0, 1)
        cpu0, sim0 = time.process_time(), cpu_seconds(sim_pid)
        print(f"RSS at start (after warm-up) {rss0:.1f} MB", flush=True)
        print(f"{'min':>4} {'RSS MB':>8} {'app CPU':>8} {'sim CPU':>8} {'rows':>7} "
              f"{'refresh err':>11} {'err notes':>9} {'replies':>8}", flush=True)
        minute = 0
        end = start + args.minutes * 60
        while time.monotonic() < end:
            next_mark = min(end, start + (minute + 1) * 60)
            while time.monotonic() < next_mark:
                await pilot.pause(0.5)
                if chat.done():
                    chat.result()  # surface a crash of the chat loop
            minute += 1
            elapsed = time.monotonic() - (start + (minute - 1) * 60)
            cpu1, sim1 = time.process_time(), cpu_seconds(sim_pid)
            row = {"minute": minute, "rss_mb": round(rss_mb(), 1),
                   "app_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed, 1),
                   "sim_cpu_pct": round(100 * (sim1 - sim0) / elapsed, 1),
                   "rows": screen.table.row_count, "refresh_errors": screen.loop.state.errors,
                   "error_notes": counters.error_notes, "replies": counters.replies}
            cpu0, sim0 = cpu1, sim1
            report["per_minute"].append(row)
            print(f"{minute:>4} {row['rss_mb']:>8.1f} {row['app_cpu_pct']:>7.1f}% "
                  f"{row['sim_cpu_pct']:>7.1f}% {row['rows']:>7,} {row['refresh_errors']:>11} "
                  f"{row['error_notes']:>9} {row['replies']:>8}", flush=True)
        chat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await chat
        rss1 = rss_mb()
        report.update(
            rss_end_mb=round(rss1, 1), rss_growth_pct=round(100 * (rss1 - rss0) / rss0, 2),
            rows_end=screen.table.row_count, refresh_errors=screen.loop.state.errors,
            refresh_failed_messages=counters.refresh_failed, error_notes=counters.error_notes,
            replies=counters.replies, reply_chars=counters.reply_chars,
            incomplete_replies=counters.incomplete, chat_failures=counters.chat_failures,
            lines_marked_failed=counters.lines_failed,
            chat_reconnects=counters.reconnects, chat_sessions=counters.chat_sessions,
            app_running=app.is_running,
        )
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--churn-interval", type=float, default=0.1,
                    help="seconds between simulator churn steps (default 0.1)")
    ap.add_argument("--reply-chars-per-s", type=float, default=200.0,
                    help="how fast the simulated avatar streams its replies (default 200)")
    ap.add_argument("--warmup", type=float, default=60.0,
                    help="seconds of load and chat before the start RSS is taken (default 60)")
    ap.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    args = ap.parse_args(argv)
    if not (0 < args.minutes <= 120 and args.sessions >= 1 and args.churn_interval > 0):
        ap.error("minutes must be in (0, 120], sessions >= 1, churn interval > 0")
    command = lambda port: [sys.executable, "-c", SIM_CODE, str(args.sessions),  # noqa: E731
                            str(args.churn_interval), str(args.reply_chars_per_s), str(port)]
    with simulator_process(command, timeout=120) as (url, child):
        report = asyncio.run(soak(args, url, child.pid))
    growth = report["rss_growth_pct"]
    per_min = report["per_minute"]
    cpu = sum(r["app_cpu_pct"] for r in per_min) / max(1, len(per_min))
    print(f"\nRSS after load {report['rss_after_load_mb']} MB, after warm-up "
          f"{report['rss_start_mb']} MB -> end {report['rss_end_mb']} MB")
    print(f"RSS {report['rss_start_mb']} MB -> {report['rss_end_mb']} MB: growth {growth:+.2f} % "
          f"(target <= {TARGET_GROWTH:g} %: {'ok' if growth <= TARGET_GROWTH else 'OVER'})")
    print(f"app CPU {cpu:.1f} % of a core on average; rows {report['rows_end']:,}; "
          f"refresh errors {report['refresh_errors']}, error notifications {report['error_notes']}")
    print(f"chat: {report['replies']} replies ({report['reply_chars']:,} chars), "
          f"{report['incomplete_replies']} incomplete, {report['chat_failures']} unanswered, "
          f"{report['lines_marked_failed']} lines marked failed (their session closed), "
          f"{report['chat_reconnects']} reconnects, {report['chat_sessions']} sessions "
          "(churn closes them at random)")
    if args.json:
        report["app_cpu_pct_avg"] = round(cpu, 1)
        print(json.dumps(report))
    return 0 if report["app_running"] else 1


if __name__ == "__main__":
    sys.exit(main())
