"""Table speed: stock DataTable (baseline) vs LiveTable, at 10 000 and 100 000 rows.

Run:  .venv/bin/python bench/table_bench.py [--repeats 3] [--idle 10] [--datatable-100k]
      [--compositor app|stock|fixed]

Every app runs at 120x40 on a headless driver that *renders* (unlike Textual's test
driver, which skips output) and counts the bytes Textual would write to the terminal.

Measured (medians over ``--repeats`` runs):

a. one changed cell on a visible row: CPU ms (``time.process_time`` from the call until
   the resulting screen update is written) and bytes written.  DataTable: ``update_cell``;
   LiveTable: ``update_row`` with one field changed, and ``set_rows``/``set_rows_async``
   of the whole row set with one field changed (what a refresh does).
b. loading 10 000 rows into an empty table: the longest event-loop block, seen by a probe
   task that wakes every 5 ms and records how late it is (and the total load time); and
   the most CPU time this thread spent between two wakes of the probe ("longest block,
   CPU"): on a loaded machine the first also holds the time the process waited for a
   core, which the table cannot shorten. The same for sorts, filters and sliced diffs.
   A sort drops any order a table kept from an earlier sort or sorted ahead, so each
   sorts every row; "sort after idle" is what a user gets a moment after a load (a
   table that sorts its columns ahead at idle takes the order it kept).
c. idle for ``--idle`` seconds with only countdown cells changing once a second: CPU % of
   one core and bytes per second.  DataTable has no live cells, so its countdowns are
   ``update_cell`` calls for the visible rows every second (what a screen would do).
d. a minimal Textual app (one Label) idle for the same time: the floor.

``--compositor`` says which Textual the tables run on: ``stock`` (both tables and the
minimal app on Textual as released), ``fixed`` (all with ``akool_tui.tui.textual_fixes``
installed: partial updates cropped to the changed cells, as the app runs) or ``app``
(LiveTable fixed, DataTable stock: how each would ship; the default). Compare the
tables within one mode: across modes the difference is the compositor, not the table.

DataTable at 100 000 rows is skipped unless ``--datatable-100k`` is given (loading it
takes half a minute, its idle runs minutes).  Each table and size runs in a fresh
interpreter started by this one command, so no heap left by another skews its numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import DataTable, Label

from akool_tui.tui.widgets import Column, LiveTable

SIZE = (120, 40)
#: seconds a fresh load may take to build its search texts at idle before the filter
WARM_WAIT = 3.0
STATUSES = ("queueing", "live", "closed", "failed")


class CountingDriver(HeadlessDriver):
    """A headless driver that lets Textual render, and counts what it would write."""

    bytes_written = 0

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        CountingDriver.bytes_written += len(data.encode("utf-8"))


class BenchApp(App[None]):
    """Hosts one widget; `displayed` is set after every screen update is written."""

    def __init__(self, make_widget: Callable[[], Any]) -> None:
        super().__init__(driver_class=CountingDriver)
        self._make_widget = make_widget
        self.displayed = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield self._make_widget()

        #: ``watch()`` is checked after each screen update until it is true; the time of
        #: that update goes in ``watched`` (the first matches of a filter on screen)
        self.watch: Callable[[], bool] | None = None
        self.watched = 0.0
        self.action_started = 0.0
        #: the same for the end of an action: the first update written once ``until()``
        #: holds (its background work done), its time in ``until_at``
        self.until: Callable[[], bool] | None = None
        self.until_at = 0.0

    def post_display_hook(self) -> None:
        self.displayed.set()
        if self.watch is not None and self.watch():
            self.watch, self.watched = None, time.perf_counter()
        if self.until is not None and self.until():
            self.until, self.until_at = None, time.perf_counter()


# -- data -------------------------------------------------------------------------------

CLOCK = [1_700_000_000.0]


def clock() -> float:
    return CLOCK[0]


def make_row(i: int) -> dict[str, Any]:
    return {
        "id": f"sess{i:08d}",
        "avatar": f"avatar-{i % 97:03d}",
        "status": STATUSES[i % 4],
        "stream": "agora" if i % 3 else "livekit",
        "created": f"2025-01-{1 + i % 28:02d} 12:{i % 60:02d}",
        "duration": 60 + i % 3540,
        "end": CLOCK[0] + 60 + (i * 37) % 3600,
    }


def make_rows(n: int) -> dict[str, dict[str, Any]]:
    return {f"sess{i:08d}": make_row(i) for i in range(n)}


def left_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


COLUMNS = [
    Column("id", "ID", width=14),
    Column("avatar", "Avatar", width=12),
    Column("status", "Status", width=9),
    Column("stream", "Stream", width=8),
    Column("created", "Created", width=17),
    Column("duration", "Duration", width=9, align="right"),
    Column("left", "Left", width=7, align="right", live=True,
           compute=lambda row, now: left_text(row["end"] - now)),
]
DT_COLUMNS = ["id", "avatar", "status", "stream", "created", "duration", "left"]


def dt_row(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c in DT_COLUMNS[:-1]) + (left_text(row["end"] - CLOCK[0]),)


# -- measuring helpers -------------------------------------------------------------------


async def settle(app: BenchApp, quiet: float = 0.15, timeout: float = 60.0) -> None:
    """Wait until no screen update has happened for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.displayed.clear()
        try:
            await asyncio.wait_for(app.displayed.wait(), quiet)
        except TimeoutError:
            return


async def cpu_and_bytes(app: BenchApp, action: Callable[[], Any]) -> tuple[float, int]:
    """CPU ms and bytes from ``action()`` until its screen update is written."""
    await settle(app)
    gc.collect()
    app.displayed.clear()
    bytes0, cpu0 = CountingDriver.bytes_written, time.process_time()
    result = action()
    if asyncio.iscoroutine(result):
        await result
    try:
        await asyncio.wait_for(app.displayed.wait(), 0.5)
    except TimeoutError:
        pass  # nothing to paint
    cpu = time.process_time() - cpu0
    await settle(app)  # count any trailing update too
    return cpu * 1000, CountingDriver.bytes_written - bytes0


async def longest_block(
    app: BenchApp, action: Callable[[], Any], busy: Callable[[], bool] = lambda: False,
) -> tuple[float, float, float, float]:
    """(longest event-loop block ms, total wall ms, CPU ms, the CPU time of this thread in
    that longest-CPU block, ms) while ``action`` runs and paints. The last is the block
    without what a loaded machine adds (the process waiting for a core).

    ``busy()`` tells whether background work started by the action is still running.
    """
    await settle(app)
    gc.collect()
    stop = asyncio.Event()
    worst = [0.0, 0.0]

    async def probe() -> None:
        while not stop.is_set():
            started, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.005)
            worst[0] = max(worst[0], time.perf_counter() - started - 0.005)
            worst[1] = max(worst[1], time.thread_time() - cpu)

    probe_task = asyncio.create_task(probe())
    await asyncio.sleep(0.02)
    started, cpu0 = time.perf_counter(), time.process_time()
    app.action_started = started
    # painted: the first update written once the background work is done (a quick one
    # can end and paint within one poll of busy(): waiting for the next update then
    # waited for an update that never came)
    done = [False]  # the action (awaited here if it is a coroutine) returned
    app.until, app.until_at = (lambda: done[0] and not busy()), 0.0
    result = action()
    if asyncio.iscoroutine(result):
        await result
    done[0] = True
    while busy():
        await asyncio.sleep(0.001)
    waited = time.perf_counter()
    while app.until is not None and time.perf_counter() - waited < 0.5:
        app.displayed.clear()
        try:
            await asyncio.wait_for(app.displayed.wait(), 0.5)
        except TimeoutError:
            pass
    app.until = None
    total = (app.until_at or time.perf_counter()) - started
    cpu = time.process_time() - cpu0
    await settle(app)
    stop.set()
    await probe_task
    return worst[0] * 1000, total * 1000, cpu * 1000, worst[1] * 1000


def watching(app: BenchApp, table: LiveTable, action: Callable[[], Any]) -> Callable[[], Any]:
    """``action``, watching for the first screen update that shows filtered rows."""

    def run() -> Any:
        app.watched = 0.0
        app.watch = lambda: 0 < table.visible_row_count < table.row_count
        return action()

    return run


def first_matches(app: BenchApp, table: LiveTable, block: tuple[float, ...]) -> tuple[float, ...]:
    """``block`` with the ms from the keystroke to the first matches on screen."""
    app.watch = None
    return (*block, (app.watched - app.action_started) * 1000 if app.watched else block[1])


async def idle_cost(app: BenchApp, seconds: float, tick: Callable[[], None] | None) -> tuple[float, float]:
    """(CPU % of one core, bytes per second) over ``seconds`` with the clock running."""
    await settle(app)
    gc.collect()
    bytes0, cpu0, wall0 = CountingDriver.bytes_written, time.process_time(), time.perf_counter()
    end = wall0 + seconds
    while (now := time.perf_counter()) < end:
        await asyncio.sleep(min(1.0, end - now))
        CLOCK[0] += 1.0
        if tick is not None:
            tick()
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return 100 * cpu / wall, (CountingDriver.bytes_written - bytes0) / wall


# -- scenarios ----------------------------------------------------------------------------


def new_datatable() -> DataTable:
    table: DataTable = DataTable(cursor_type="row")
    for key in DT_COLUMNS:
        table.add_column(key, key=key)
    return table


def new_livetable(live_interval: float = 1.0) -> LiveTable:
    return LiveTable(COLUMNS, clock=clock, live_interval=live_interval)


async def run_app(make: Callable[[], Any], body: Callable[[BenchApp], Awaitable[Any]]) -> Any:
    app = BenchApp(make)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        await pilot.pause()
        return await body(app)


def changed(rows: dict[str, dict[str, Any]], key: str, n: int) -> dict[str, Any]:
    row = dict(rows[key])
    row["status"] = STATUSES[(STATUSES.index(row["status"]) + 1 + n) % 4]
    rows[key] = row
    return row


async def bench_datatable(n: int, repeats: int, idle: float) -> dict[str, Any]:
    rows = make_rows(n)
    out: dict[str, Any] = {}

    async def body(app: BenchApp) -> None:
        table = app.query_one(DataTable)
        blocks = []
        for _ in range(repeats if n == 10_000 else 1):
            table.clear()
            await settle(app)
            blocks.append(await longest_block(
                app, lambda: table.add_rows(dt_row(r) for r in rows.values())))
        out["load_block"] = [b[0] for b in blocks]
        out["load_total"] = [b[1] for b in blocks]
        table.clear()
        table.add_rows(dt_row(r) for r in rows.values())
        await settle(app)
        visible = list(table.rows)[:30]
        results = []
        for i in range(repeats * 2):
            row_key = visible[5 + i % 20]
            status = STATUSES[i % 4]
            results.append(await cpu_and_bytes(
                app, lambda k=row_key, v=status: table.update_cell(k, "status", v)))
        out["cell_cpu"] = [r[0] for r in results]
        out["cell_bytes"] = [r[1] for r in results]

        def tick() -> None:
            for index, row_key in enumerate(visible[:38]):
                table.update_cell(row_key, "left", left_text(
                    rows[f"sess{index:08d}"]["end"] - CLOCK[0]))

        idles = [await idle_cost(app, idle, tick) for _ in range(repeats)]
        out["idle_cpu"] = [r[0] for r in idles]
        out["idle_bps"] = [r[1] for r in idles]

    await run_app(new_datatable, body)
    return out


async def bench_livetable(n: int, repeats: int, idle: float) -> dict[str, Any]:
    rows = make_rows(n)
    out: dict[str, Any] = {}

    def record(name: str, samples: list[tuple[float, ...]], *fields: str) -> None:
        for index, field_name in enumerate(fields):
            if field_name:
                out[f"{name}_{field_name}"] = [sample[index] for sample in samples]

    async def body(app: BenchApp) -> None:
        table = app.query_one(LiveTable)
        busy = lambda: table.pending
        sync, sliced = [], []
        for _ in range(repeats):
            if n == 10_000:
                table.set_rows({})
                sync.append(await longest_block(app, lambda: table.set_rows(rows)))
            table.set_rows({})
            sliced.append(await longest_block(app, lambda: table.set_rows_async(rows)))
        record("load", sync, "block", "total")
        record("load_async", sliced, "block", "total", "", "block_cpu")
        table.set_rows(rows)
        table.focus()
        await settle(app)
        visible = [table.key_at(i) for i in range(30)]
        one, full = [], []
        for i in range(repeats * 2):
            key = visible[5 + i % 20]
            one.append(await cpu_and_bytes(
                app, lambda k=key, n=i: table.update_row(k, changed(rows, k, n))))
            key = visible[6 + i % 20]
            changed(rows, key, i)
            full.append(await cpu_and_bytes(app, lambda: table.set_rows(rows)))
        record("cell", one, "cpu", "bytes")
        record("diff", full, "cpu", "bytes")
        sliced_diff = []
        for i in range(repeats):
            changed(rows, visible[7 + i], i)
            sliced_diff.append(await longest_block(app, lambda: table.set_rows_async(rows)))
        record("diff_async", sliced_diff, "block", "total", "cpu", "block_cpu")
        record("same", [await cpu_and_bytes(app, lambda: table.set_rows(rows))
                        for _ in range(repeats)], "cpu", "bytes")
        # a different column each time, and no order kept from an earlier sort or sorted
        # ahead at idle (a tree that keeps them), so every run really sorts 100k rows
        model = table._model
        if hasattr(model, "sorts"):
            table._stop_presorting()
            table._presort_soon = lambda: None
        sort = []
        for i in range(repeats):
            if hasattr(model, "sorts"):
                model.sorts.clear()
            sort.append(await longest_block(
                app, lambda c=("avatar", "created")[i % 2]: table.sort_by(c), busy))
        record("sort", sort, "block", "total", "cpu", "block_cpu")
        # what a user gets after a moment of idle: a tree that sorts the columns ahead
        # (at idle, after a load or a change) takes the order it kept; one that does not
        # sorts 100k rows, as above
        kept = []
        if hasattr(model, "sorts"):
            del table._presort_soon
        for i in range(repeats):
            column = ("avatar", "created")[(i + repeats) % 2]  # not the column sorted last
            if hasattr(model, "sorts"):
                table._presort_soon()  # (a table under PRESORT_FROM rows starts none)
                waited = time.perf_counter()
                while (column not in model.sorts and table._presort_worker is not None
                       and time.perf_counter() - waited < WARM_WAIT):
                    await asyncio.sleep(0.01)
            kept.append(await longest_block(app, lambda c=column: table.sort_by(c), busy))
        record("sort_kept", kept, "block", "total", "cpu", "block_cpu")
        filt = []
        for _ in range(repeats):
            table.filter_text = ""
            while busy():
                await asyncio.sleep(0.01)
            table._model.texts.search.clear()  # measure the first keystroke, cold
            filt.append(first_matches(app, table, await longest_block(
                app, watching(app, table, lambda: setattr(table, "filter_text", "avatar-01")),
                busy)))
        record("filter", filt, "block", "total", "cpu", "block_cpu", "first")
        table.filter_text = ""
        while busy():
            await asyncio.sleep(0.01)
        # The first keystroke after a fresh load and a moment of idle (what a user does):
        # a table that builds its search texts at idle has them by then; one that does
        # not (an older tree) builds them on the keystroke, as in the cold case.
        warm, ready = [], []
        for _ in range(repeats):
            table.set_rows({})
            await table.set_rows_async(rows)
            loaded = time.perf_counter()
            while busy() or not getattr(table, "search_ready", False):
                if time.perf_counter() - loaded > WARM_WAIT:
                    break
                await asyncio.sleep(0.01)
            ready.append((time.perf_counter() - loaded) * 1000)
            await asyncio.sleep(0.2)  # idle a moment, as a user would before typing
            warm.append(first_matches(app, table, await longest_block(
                app, watching(app, table, lambda: setattr(table, "filter_text", "avatar-01")),
                busy)))
            table.filter_text = ""
            while busy():
                await asyncio.sleep(0.01)
        record("filter_warm", warm, "block", "total", "cpu", "block_cpu", "first")
        out["search_ready"] = ready

    await run_app(lambda: new_livetable(live_interval=3600), body)

    async def idle_body(app: BenchApp) -> None:
        table = app.query_one(LiveTable)
        table.set_rows(rows)
        table.focus()
        idles = [await idle_cost(app, idle, None) for _ in range(repeats)]
        record("idle", idles, "cpu", "bps")

    await run_app(new_livetable, idle_body)
    return out


async def bench_minimal(repeats: int, idle: float) -> dict[str, Any]:
    async def body(app: BenchApp) -> dict[str, Any]:
        idles = [await idle_cost(app, idle, None) for _ in range(repeats)]
        return {"idle_cpu": [r[0] for r in idles], "idle_bps": [r[1] for r in idles]}

    return await run_app(lambda: Label("idle"), body)


# -- report ---------------------------------------------------------------------------------


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def med(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "skipped"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "B/s":
        return f"{value:,.0f} B/s"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:,.1f} ms"


def ratio(ours: float | None, base: float | None) -> str:
    if ours is None or base is None or base == 0:
        return "-"
    return f"{ours / base:.3f}x"


SCENARIOS: dict[str, Callable[[int, int, float], Awaitable[dict[str, Any]]]] = {
    "DataTable": bench_datatable,
    "LiveTable": bench_livetable,
    "minimal": lambda n, repeats, idle: bench_minimal(repeats, idle),
}


def run_scenario(name: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter, so no heap left by another skews it."""
    print(f"{name} {n:,} rows ...", file=sys.stderr, flush=True)
    command = [sys.executable, __file__, "--scenario", f"{name}:{n}",
               "--repeats", str(args.repeats), "--idle", str(args.idle),
               "--compositor", args.compositor]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{name} {n} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0, help="idle seconds per run")
    parser.add_argument("--datatable-100k", action="store_true")
    parser.add_argument("--write", type=Path, help="append the report (markdown) to this file")
    parser.add_argument("--compositor", choices=("app", "stock", "fixed"), default="app",
                        help="stock or fixed Textual for both tables (default app: "
                             "LiveTable fixed, DataTable stock)")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # NAME:ROWS, in a child
    args = parser.parse_args()
    if args.scenario:
        name, n = args.scenario.split(":")
        if args.compositor == "fixed" or (args.compositor == "app" and name == "LiveTable"):
            from akool_tui.tui import textual_fixes

            textual_fixes.install()  # as akool_tui.tui.app does (a fresh interpreter each)
        out = asyncio.run(SCENARIOS[name](int(n), args.repeats, args.idle))
        print(json.dumps(out))
        return

    report = Report()
    sizes = (10_000, 100_000)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        if n == 10_000 or args.datatable_100k:
            results["DataTable", n] = run_scenario("DataTable", n, args)
        results["LiveTable", n] = run_scenario("LiveTable", n, args)
    floor = run_scenario("minimal", 0, args)

    report.add(f"Tables, {date.today().isoformat()}: `{' '.join([Path(sys.executable).name, *sys.argv])}`")
    report.add(f"(medians of {args.repeats} runs, {SIZE[0]}x{SIZE[1]}, idle {args.idle:g} s per run, "
               f"compositor {args.compositor})")
    report.add()
    report.add("| measure | rows | DataTable | LiveTable | ratio (ours / baseline) | target |")
    report.add("|---|---|---|---|---|---|")
    metrics = [
        ("one changed cell: CPU", "cell_cpu", "ms", "<= 10 ms"),
        ("one changed cell: bytes written", "cell_bytes", "B", "<= 2 KB"),
        ("refresh diff (set_rows, 1 change): CPU", "diff_cpu", "ms", ""),
        ("refresh diff (set_rows, 1 change): bytes", "diff_bytes", "B", ""),
        ("refresh diff (set_rows_async, 1 change): longest block", "diff_async_block", "ms",
         "<= 50 ms"),
        ("refresh diff (set_rows_async, 1 change): longest block, CPU", "diff_async_block_cpu",
         "ms", ""),
        ("refresh diff (set_rows_async, 1 change): CPU", "diff_async_cpu", "ms", ""),
        ("identical set_rows: CPU", "same_cpu", "ms", ""),
        ("identical set_rows: bytes", "same_bytes", "B", "0"),
        ("load rows: longest block (sync)", "load_block", "ms", ""),
        ("load rows: total (sync)", "load_total", "ms", ""),
        ("load rows: longest block (set_rows_async)", "load_async_block", "ms", "<= 50 ms"),
        ("load rows: longest block, CPU (set_rows_async)", "load_async_block_cpu", "ms", ""),
        ("load rows: total (set_rows_async)", "load_async_total", "ms", ""),
        ("sort by a text column: longest block", "sort_block", "ms", "<= 50 ms"),
        ("sort by a text column: longest block, CPU", "sort_block_cpu", "ms", ""),
        ("sort by a text column: until painted", "sort_total", "ms", "~100 ms"),
        ("sort by a text column: CPU", "sort_cpu", "ms", ""),
        ("sort after idle (orders sorted ahead, if kept): longest block", "sort_kept_block",
         "ms", "<= 50 ms"),
        ("sort after idle (orders sorted ahead, if kept): until painted", "sort_kept_total",
         "ms", "~100 ms"),
        ("sort after idle (orders sorted ahead, if kept): CPU", "sort_kept_cpu", "ms", ""),
        ("filter, first keystroke (cold): longest block", "filter_block", "ms", "<= 50 ms"),
        ("filter, first keystroke (cold): longest block, CPU", "filter_block_cpu", "ms", ""),
        ("filter, first keystroke (cold): first matches painted", "filter_first", "ms",
         "~100 ms"),
        ("filter, first keystroke (cold): until painted", "filter_total", "ms", "~100 ms"),
        ("filter, first keystroke (cold): CPU", "filter_cpu", "ms", ""),
        ("filter after a load and idle: longest block", "filter_warm_block", "ms", "<= 50 ms"),
        ("filter after a load and idle: longest block, CPU", "filter_warm_block_cpu", "ms", ""),
        ("filter after a load and idle: first matches painted", "filter_warm_first", "ms",
         "~100 ms"),
        ("filter after a load and idle: until painted", "filter_warm_total", "ms", "~100 ms"),
        ("filter after a load and idle: CPU", "filter_warm_cpu", "ms", ""),
        ("search texts built at idle, after the load (wall)", "search_ready", "ms", ""),
        ("idle, countdowns only: CPU", "idle_cpu", "%", "< 1 %"),
        ("idle, countdowns only: bytes/s", "idle_bps", "B/s", "countdown cells only"),
    ]
    for label, metric, unit, target in metrics:
        for n in sizes:
            base = med(results.get(("DataTable", n), {}).get(metric))
            ours = med(results["LiveTable", n].get(metric))
            if base is None and ours is None:
                continue
            # the sync/async load is the same operation for DataTable (it has no async load)
            if metric == "load_async_block" and base is None:
                base = med(results.get(("DataTable", n), {}).get("load_block"))
            if metric == "load_async_total" and base is None:
                base = med(results.get(("DataTable", n), {}).get("load_total"))
            report.add(f"| {label} | {n:,} | {fmt(base, unit)} | {fmt(ours, unit)} | "
                       f"{ratio(ours, base)} | {target} |")
    report.add(f"| minimal app idle (floor): CPU | - | - | {fmt(med(floor['idle_cpu']), '%')} | - | - |")
    report.add(f"| minimal app idle (floor): bytes/s | - | - | "
               f"{fmt(med(floor['idle_bps']), 'B/s')} | - | - |")
    if not args.datatable_100k:
        report.add()
        report.add("DataTable at 100 000 rows skipped (loading it takes half a minute; "
                   "`--datatable-100k` runs it).")
    if args.write:
        with args.write.open("a") as out:
            out.write("\n".join(report.lines) + "\n")


if __name__ == "__main__":
    main()
