"""Soak: the dashboard headless against 10 000 sessions with heavy churn, plus a chat
streaming replies continuously, for a bounded time (it stops by itself).

The simulator runs in a separate process (its own memory does not count against the
app). This process runs :class:`AkoolApp` headless (``run_test``) on the sessions
screen with a 1 s refresh. The chat screen is opened once and left running behind it
(as an operator who looked at a chat and went back to the dashboard): its transcript
keeps a bounded scrollback (``MAX_ENTRIES`` entries, about 8 minutes of this chat;
older lines wait for the export in a temporary file), and the soak sends a line to its
conversation as soon as the previous reply has finished. Churn closes chat sessions at random; the soak then
creates a new websocket session and points the chat screen at it.

By default the simulator's churn is *steady*: it retires as many old closed sessions
as churn and the chat start, so the *account* holds ``--sessions`` sessions throughout.
The table holds the server's sessions: those the server retired leave it on the next
incremental tick (one page read from the list's old end, ``core.sessions_tail``), not
at the next full refetch (minutes apart at 10 000 sessions; before that, one 8-minute
run went 10 058 -> 10 777 rows). The report prints the rows at both ends and the growth
per transcript entry added (an upper bound: all of the growth charged to it).
``--growing-history`` keeps every session instead (the table grows by about 1.5 rows a
second).

Printed: RSS after the first load, after a warm-up (``--warmup``: caches, the chat's
first session) and at the end (growth from the warm-up, target <= 5 %), one line per
minute (RSS, CPU of this process and of the simulator as % of one core, table rows,
transcript entries, refresh errors, error notifications, replies), the totals of
errors shown, and the RSS growth per transcript entry added (and per row with
``--growing-history``; an upper bound: all of the growth is charged to each). The
live Python blocks added and the fill of rich's bounded cell-width cache (a cache
that fills, then stays) help tell growth that goes on from growth that stops.

The start and end RSS are each the median of readings over 12 s (FULL_REFRESH_EVERY
ticks of 1 s, the fewest between two full refetches; the full refetch is adaptive, so
such a window holds at most one), taken between refreshes and with the chat streaming,
so neither lands on a peak of the 10 000-session refetch. For information, the RSS after ``malloc_trim``
(glibc) at both ends shows how much of the growth is the allocator's free-but-kept
memory rather than live data.

    python bench/soak.py [--minutes 10] [--sessions 10000] [--churn-interval 0.1]
                         [--reply-chars-per-s 200] [--warmup 60] [--growing-history]
                         [--json] [--tracemalloc [FRAMES]]

``--tracemalloc`` traces Python allocations from the start, snapshots them
after the warm-up and at the end, and prints the allocation sites that grew most
(by file:line, or by a traceback of FRAMES frames). Tracing slows the app down and
adds its own memory, so RSS and CPU of such a run are not comparable to a plain one.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import json
import logging
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.cells import cached_cell_len  # noqa: E402

from akool_tui.api.errors import AkoolError  # noqa: E402
from akool_tui.config import Config  # noqa: E402
from akool_tui.tui.app import AkoolApp  # noqa: E402
from akool_tui.core.sessions import FULL_REFRESH_EVERY  # noqa: E402
from bench.simproc import simulator_process  # noqa: E402

TARGET_GROWTH = 5.0  # percent
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
#: a reply that does not finish within this many seconds ends the chat session
REPLY_TIMEOUT = 10.0
#: the dashboard's refresh interval in the soak (s); FULL_REFRESH_EVERY of them (the
#: fewest ticks between two full refetches) is the window the start and end RSS are
#: taken over
REFRESH_INTERVAL = 1.0
#: a chat session whose channel is not connected within this many seconds is given up
CONNECT_TIMEOUT = 15.0
CHAT_LINE = "Tell me something about the weather today, in a few sentences."
#: allocation-site diffs printed by --tracemalloc
TRACE_TOP = 15

SIM_CODE = """
import sys
from akool_tui.simulator.config import SimulatorConfig
from akool_tui.simulator.cli import serve_forever
cfg = SimulatorConfig(seed=5, sessions=int(sys.argv[1]), churn=True,
                      churn_interval=float(sys.argv[2]), reply_chars_per_s=float(sys.argv[3]),
                      steady_churn=sys.argv[5] == "steady",
                      max_concurrent=400, queue_delay=0.5,
                      credits=1e9)  # an hour of heavy churn never runs the balance out
serve_forever(cfg, "127.0.0.1", int(sys.argv[4]))
"""


# -- measuring ------------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def busy(screen) -> bool:
    return screen.loop.state.in_flight or screen.table.pending


async def quiet(screen, timeout: float = 10.0) -> None:
    """Wait until no refresh is in flight and the table is not loading."""
    deadline = time.monotonic() + timeout
    while busy(screen) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


async def settled_rss(screen, window: float) -> float:
    """The median RSS over ``window`` seconds (at most one full refetch), sampled between
    refreshes: one reading alone lands anywhere in the cycle of the allocator's
    free-but-kept memory (1-3 MB either way at 10 000 sessions)."""
    samples = []
    deadline = time.monotonic() + window
    while time.monotonic() < deadline or not samples:
        await quiet(screen)
        samples.append(rss_mb())
        await asyncio.sleep(0.25)
    return statistics.median(samples)


def trimmed_rss() -> float | None:
    """RSS after glibc's ``malloc_trim(0)`` returned the heap's free memory (None
    elsewhere): what the process holds without the allocator's slack."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


def trace_snapshot() -> tracemalloc.Snapshot:
    """Python allocations now (after a collection), without tracemalloc's own and the
    import machinery's."""
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces((
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
        tracemalloc.Filter(False, "<unknown>"),
    ))


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def print_trace_diff(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot,
                     frames: int) -> list[dict]:
    """Print the allocation sites that grew most from ``before`` to ``after``."""
    key = "lineno" if frames <= 1 else "traceback"
    stats = sorted(after.compare_to(before, key), key=lambda s: s.size_diff, reverse=True)
    total = sum(s.size_diff for s in stats)
    count = sum(s.count_diff for s in stats)
    print(f"\ntracemalloc: traced Python memory {total / 2**20:+.2f} MB in {count:+,} blocks "
          f"from warm-up to end; top {TRACE_TOP} sites by growth:", flush=True)
    out = []
    for stat in stats[:TRACE_TOP]:
        where = [f"{_short(f.filename)}:{f.lineno}" for f in stat.traceback]
        print(f"{stat.size_diff / 1024:>+10.1f} KiB {stat.count_diff:>+9,} blocks "
              f"(now {stat.size / 1024:,.1f} KiB)  {where[-1]}", flush=True)
        for caller in reversed(where[:-1]):
            print(f"{'':>38}<- {caller}")
        out.append({"site": where, "size_diff": stat.size_diff,
                    "count_diff": stat.count_diff, "size": stat.size})
    return out


class Counters(logging.Handler):
    """Everything counted during the run (no per-event lists: they would grow RSS).

    Also a logging handler: warnings and errors logged by the app are counted (the
    log is not printed; a headless app has no log file here)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.log_warnings = 0
        self.refresh_failed = 0
        self.error_notes = 0
        self.replies = 0
        self.reply_chars = 0
        self.chat_failures = 0  # a live session that did not answer
        self.connect_failures = 0  # a new session whose channel never connected
        self.chat_sessions = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.log_warnings += 1

    def app_message(self, message) -> None:
        name = type(message).__name__
        if name == "RefreshFailed":
            self.refresh_failed += 1
        elif name == "Notify" and message.notification.severity == "error":
            self.error_notes += 1


# -- the chat behind the dashboard ------------------------------------------------------


async def open_chat(app, pilot):
    """Open the chat screen once and go back to the dashboard; the chat screen stays
    installed (its mode keeps it) and goes on receiving."""
    await app.switch_mode("chat")
    await pilot.pause(0.2)
    chat = app.screen
    await app.switch_mode("sessions")
    await pilot.pause(0.2)
    return chat


async def chat_forever(app, chat, counters: Counters) -> None:
    """Chat without pause; when churn closes the session (or it stops answering) a new
    one is created and the chat screen is pointed at it, as an operator would."""
    client = await app.ctx.client()
    while True:
        try:
            session = await client.create_session(duration=3600, stream_type="websocket",
                                                  mode_type=2)
        except AkoolError:  # e.g. no answer in 30 s on a loaded machine: counted, again
            counters.connect_failures += 1
            await asyncio.sleep(1.0)
            continue
        counters.chat_sessions += 1
        app.ctx.chat_session_id = session.id  # what the sessions screen's `t` sets
        chat.action_refresh_now()  # the chat screen lists open sessions and picks it
        await chat_session(chat, client, session.id, counters)


async def chat_session(chat, client, session_id: str, counters: Counters) -> None:
    """Send a line, wait for the reply to finish in the transcript, repeat, until the
    session stops answering."""
    conv, transcript = chat.conversation, chat.transcript

    def on_session() -> bool:
        return conv.session is not None and conv.session.id == session_id

    deadline = time.monotonic() + CONNECT_TIMEOUT
    while not (on_session() and conv.connected):
        if time.monotonic() > deadline:
            counters.connect_failures += 1
            return
        await asyncio.sleep(0.05)
    while on_session() and conv.alive:
        if not conv.connected:
            await asyncio.sleep(0.1)
            continue
        first = added(transcript)
        await conv.say(CHAT_LINE)
        asked = time.monotonic()
        next_check = asked + 1.0
        while (reply := finished_reply(transcript, first)) is None:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            if now < next_check:
                continue
            next_check = now + 1.0
            try:
                if not (await client.session_detail(session_id)).is_open:
                    return  # churn closed it
            except AkoolError:  # gone, or no answer: a new session
                counters.chat_failures += 1
                return
            if now - asked >= REPLY_TIMEOUT:
                counters.chat_failures += 1  # a live session that does not answer
                return
        counters.replies += 1
        counters.reply_chars += len(reply.text)


def added(transcript) -> int:
    """Entries ever added to the transcript: those in its scrollback and those that
    left it (the oldest go once it holds ``MAX_ENTRIES``)."""
    return getattr(transcript, "dropped", 0) + len(lines_of(transcript))


def lines_of(transcript) -> list:
    """The transcript's entries without its "older lines left" note (if it has one)."""
    return transcript.lines if hasattr(transcript, "lines") else transcript.entries


def finished_reply(transcript, first: int):
    """The avatar's reply among the entries added from the ``first``-th on (counted
    over the whole chat, see :func:`added`), once it is finished."""
    lines = lines_of(transcript)
    for entry in lines[max(0, first - getattr(transcript, "dropped", 0)):]:
        if entry.role == "bot" and entry.status != "streaming":
            return entry
    return None


def transcript_counts(screen) -> dict[str, int]:
    """What the chat showed, counted once at the end: the lines in the scrollback and
    those kept for the export after they left it."""
    from akool_tui.tui.screens.chat_export import entry_record

    spill = getattr(screen, "_spill", None)
    records = [*(spill.records() if spill is not None else ()),
               *map(entry_record, lines_of(screen.transcript))]
    return {
        "transcript_entries": len(records),
        "transcript_in_memory": len(screen.transcript.entries),
        "transcript_chars": sum(len(r["text"]) for r in records),
        "incomplete_replies": sum(1 for r in records if r["status"] == "incomplete"),
        "lines_marked_failed": sum(1 for r in records if r["status"] == "failed"),
        "chat_reconnects": sum(1 for r in records if r["text"].startswith("Reconnecting")),
    }


# -- the run ----------------------------------------------------------------------------


async def soak(args: argparse.Namespace, base_url: str, sim_pid: int) -> dict:
    if args.tracemalloc:  # from the start: objects made before would look like growth later
        tracemalloc.start(args.tracemalloc)  # (traced copies replacing untraced ones)
    counters = Counters()
    logging.getLogger().addHandler(counters)
    cfg = Config(base_url=base_url, api_key="demo", refresh_interval=REFRESH_INTERVAL)
    window = FULL_REFRESH_EVERY * REFRESH_INTERVAL
    app = AkoolApp(cfg, watch_tty=False)
    report: dict = {"minutes": args.minutes, "sessions": args.sessions,
                    "churn_interval": args.churn_interval,
                    "steady_churn": not args.growing_history, "per_minute": []}
    async with app.run_test(size=(120, 40), message_hook=counters.app_message) as pilot:
        screen = app.screen
        t0 = time.monotonic()
        while not (getattr(screen, "loop", None) and screen.loop.state.last_success
                   and screen.tracker.loaded and not screen.table.pending):
            if time.monotonic() - t0 > 120:
                raise SystemExit("the sessions screen did not load")
            await pilot.pause(0.1)
        report["first_load_s"] = round(time.monotonic() - t0, 2)
        report["rss_after_load_mb"] = round(rss_mb(), 1)
        chat_screen = await open_chat(app, pilot)
        transcript = chat_screen.transcript
        chat = asyncio.create_task(chat_forever(app, chat_screen, counters))
        print(f"loaded {screen.table.row_count:,} rows in {report['first_load_s']} s; "
              f"RSS {report['rss_after_load_mb']} MB; warming up {args.warmup:g} s"
              f" ({'steady' if report['steady_churn'] else 'growing'} session count"
              " on the server)",
              flush=True)
        await asyncio.sleep(args.warmup)  # (plain sleeps: the soak must not drive repaints)
        rss0 = await settled_rss(screen, window)
        trim0 = trimmed_rss()
        blocks0, cells0 = sys.getallocatedblocks(), cached_cell_len.cache_info().currsize
        start = time.monotonic()
        rows0, entries0 = screen.table.row_count, added(transcript)
        trace0 = trace_snapshot() if args.tracemalloc else None
        report.update(rss_start_mb=round(rss0, 1), rows_start=rows0,
                      transcript_entries_start=entries0)
        cpu0, sim0 = time.process_time(), cpu_seconds(sim_pid)
        print(f"RSS at start (after warm-up; median over {window:g} s) {rss0:.1f} MB, "
              f"{rows0:,} rows, {entries0:,} transcript entries", flush=True)
        print(f"{'min':>4} {'RSS MB':>8} {'app CPU':>8} {'sim CPU':>8} {'rows':>7} "
              f"{'entries':>7} {'refresh err':>11} {'err notes':>9} {'replies':>8}", flush=True)
        minute = 0
        end = start + args.minutes * 60
        while time.monotonic() < end:
            next_mark = min(end, start + (minute + 1) * 60)
            while time.monotonic() < next_mark:
                await asyncio.sleep(min(0.5, max(0.0, next_mark - time.monotonic())))
                if chat.done():
                    chat.result()  # surface a crash of the chat loop
            minute += 1
            elapsed = time.monotonic() - (start + (minute - 1) * 60)
            cpu1, sim1 = time.process_time(), cpu_seconds(sim_pid)
            row = {"minute": minute, "rss_mb": round(rss_mb(), 1),
                   "app_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed, 1),
                   "sim_cpu_pct": round(100 * (sim1 - sim0) / elapsed, 1),
                   "rows": screen.table.row_count, "transcript_entries": added(transcript),
                   "refresh_errors": screen.loop.state.errors,
                   "error_notes": counters.error_notes, "replies": counters.replies}
            cpu0, sim0 = cpu1, sim1
            report["per_minute"].append(row)
            print(f"{minute:>4} {row['rss_mb']:>8.1f} {row['app_cpu_pct']:>7.1f}% "
                  f"{row['sim_cpu_pct']:>7.1f}% {row['rows']:>7,} "
                  f"{row['transcript_entries']:>7,} {row['refresh_errors']:>11} "
                  f"{row['error_notes']:>9} {row['replies']:>8}", flush=True)
        rss1 = await settled_rss(screen, window)  # the chat still streaming, as at the start
        trim1 = trimmed_rss()
        report.update(python_blocks_added=sys.getallocatedblocks() - blocks0,
                      cell_len_cache=[cells0, cached_cell_len.cache_info().currsize,
                                      cached_cell_len.cache_info().maxsize])
        chat.cancel()
        try:
            await chat
        except asyncio.CancelledError:
            pass
        if trim0 is not None and trim1 is not None:
            report.update(rss_start_trimmed_mb=round(trim0, 1), rss_end_trimmed_mb=round(trim1, 1))
        if trace0 is not None:
            report["tracemalloc_top"] = print_trace_diff(trace0, trace_snapshot(),
                                                         args.tracemalloc)
            tracemalloc.stop()
        report.update(
            rss_end_mb=round(rss1, 1), rss_growth_pct=round(100 * (rss1 - rss0) / rss0, 2),
            rows_end=screen.table.row_count, refresh_errors=screen.loop.state.errors,
            refresh_failed_messages=counters.refresh_failed, error_notes=counters.error_notes,
            replies=counters.replies, reply_chars=counters.reply_chars,
            chat_failures=counters.chat_failures, connect_failures=counters.connect_failures,
            chat_sessions=counters.chat_sessions, log_warnings=counters.log_warnings,
            app_running=app.is_running,
            **transcript_counts(chat_screen),
        )
    return report


def per_item(report: dict) -> str:
    """RSS growth per row and per transcript entry added (each an upper bound: all of
    the growth is charged to it). With a steady session count the rows grow only
    until a full refetch drops the retired ones, so a per-row figure is made only when
    they grew by more than 1 %."""
    grown = (report["rss_end_mb"] - report["rss_start_mb"]) * 2**20
    items = [("transcript entry", report["transcript_entries"]
              - report["transcript_entries_start"])]
    rows = report["rows_end"] - report["rows_start"]
    if not report["steady_churn"] or rows > report["rows_start"] / 100:
        items.insert(0, ("row", rows))
    parts = []
    for label, added in items:
        if added > 0:
            parts.append(f"{grown / added / 1024:,.2f} KiB per {label} added ({added:+,})")
        else:
            parts.append(f"{label}s {added:+,}")
    return "; ".join(parts)


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
    ap.add_argument("--growing-history", action="store_true",
                    help="the simulator keeps every churned session (the table grows) "
                         "instead of retiring old ones")
    ap.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    ap.add_argument("--tracemalloc", type=int, nargs="?", const=1, default=0, metavar="FRAMES",
                    help="print the allocation sites that grew from warm-up to end "
                         "(grouped by file:line, or by FRAMES-deep tracebacks)")
    args = ap.parse_args(argv)
    if not (0 < args.minutes <= 120 and args.sessions >= 1 and args.churn_interval > 0):
        ap.error("minutes must be in (0, 120], sessions >= 1, churn interval > 0")
    if not 0 <= args.tracemalloc <= 50:
        ap.error("--tracemalloc FRAMES must be from 1 to 50")
    history = "growing" if args.growing_history else "steady"
    command = lambda port: [sys.executable, "-c", SIM_CODE, str(args.sessions),  # noqa: E731
                            str(args.churn_interval), str(args.reply_chars_per_s), str(port),
                            history]
    with simulator_process(command, timeout=120) as (url, child):
        report = asyncio.run(soak(args, url, child.pid))
    growth = report["rss_growth_pct"]
    per_min = report["per_minute"]
    cpu = sum(r["app_cpu_pct"] for r in per_min) / max(1, len(per_min))
    print(f"\nRSS after load {report['rss_after_load_mb']} MB, after warm-up "
          f"{report['rss_start_mb']} MB -> end {report['rss_end_mb']} MB")
    print(f"RSS {report['rss_start_mb']} MB -> {report['rss_end_mb']} MB: growth {growth:+.2f} % "
          f"(target <= {TARGET_GROWTH:g} %: {'ok' if growth <= TARGET_GROWTH else 'OVER'})")
    if "rss_start_trimmed_mb" in report:
        t0, t1 = report["rss_start_trimmed_mb"], report["rss_end_trimmed_mb"]
        print(f"without the allocator's free memory (malloc_trim): {t0} MB -> {t1} MB, "
              f"{100 * (t1 - t0) / t0:+.2f} %")
    c0, c1, cmax = report["cell_len_cache"]
    print(f"live Python blocks {report['python_blocks_added']:+,}; rich's bounded cell-width "
          f"cache {c0:,} -> {c1:,} of {cmax:,} entries")
    print(f"rows {report['rows_start']:,} -> {report['rows_end']:,} ({history} session count on the server), "
          f"transcript entries {report['transcript_entries_start']:,} -> "
          f"{report['transcript_entries']:,} ({report['transcript_in_memory']:,} in memory): "
          f"{per_item(report)}")
    print(f"app CPU {cpu:.1f} % of a core on average; "
          f"refresh errors {report['refresh_errors']}, error notifications {report['error_notes']}, "
          f"warnings logged {report['log_warnings']}")
    print(f"chat: {report['replies']} replies ({report['reply_chars']:,} chars), "
          f"{report['incomplete_replies']} incomplete, {report['chat_failures']} unanswered, "
          f"{report['lines_marked_failed']} lines marked failed (their session closed), "
          f"{report['chat_reconnects']} reconnects, {report['chat_sessions']} sessions "
          f"({report['connect_failures']} never connected; churn closes them at random)")
    if args.json:
        report["app_cpu_pct_avg"] = round(cpu, 1)
        print(json.dumps(report))
    return 0 if report["app_running"] else 1


if __name__ == "__main__":
    sys.exit(main())
