"""At 20 000 sessions the console stays responsive: the first load and a full refetch
never hold the event loop for long (their work is sliced), and a refetch of an
unchanged account keeps every row and Session object as it was.

The probe measures the CPU time the UI thread spends between two turns of the event
loop (``time.thread_time``), not wall time: a loaded machine delays turns without the
app holding the loop, but does not add CPU time to a turn.
"""

from __future__ import annotations

import asyncio
import gc
import time

from akool_tui.tui.screens.base import Refreshed
from tui_helpers import make_app, running, start_simulator, wait_for, wait_message

SESSIONS = 20_000
#: the longest turn allowed (CPU). Before: building 20 000 rows in one handler took
#: 100-150 ms, plus full garbage collections of 50-100 ms each.
LONGEST_TURN = 0.06


class LoopProbe:
    """The longest turn of the event loop, in CPU time of this thread."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.thread_time()
        while True:
            await asyncio.sleep(0)
            now = time.thread_time()
            self.longest = max(self.longest, now - last)
            last = now

    def start(self) -> None:
        self.longest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        return self.longest


async def test_load_and_full_refetch_at_20k_never_hold_the_loop(tmp_path):
    sim = start_simulator(frozen=True, sessions=SESSIONS, max_concurrent=50)
    app = make_app(sim, tmp_path)
    probe = LoopProbe()
    gc.collect()  # what earlier tests left in this process is not the app's to walk
    gc.freeze()
    try:
        async with running(app) as (pilot, messages):
            probe.start()
            screen = app.screen
            await wait_for(pilot, lambda: screen.table.row_count >= 1, "page 1", timeout=20)
            assert screen.table.row_count < SESSIONS  # page 1 is on screen first
            await wait_for(pilot, lambda: screen.table.row_count == SESSIONS
                           and not screen.table.pending, "every row", timeout=60)
            load = probe.stop()

            before = dict(screen.tracker.sessions)
            rows = {key: screen.table.get_row(key) for key in before}
            refreshed = messages.count(Refreshed)
            probe.start()
            await pilot.press("ctrl+r")  # a full refetch
            await wait_message(pilot, messages, Refreshed, after=refreshed, timeout=60)
            await wait_for(pilot, lambda: not screen.table.pending, "applied", timeout=30)
            refetch = probe.stop()
            assert screen.tracker.ticks_since_full == 0  # it was a full refetch
            assert all(screen.tracker.sessions[k] is v for k, v in before.items())
            assert all(screen.table.get_row(k) is row for k, row in rows.items())
    finally:
        sim.stop()
        gc.unfreeze()  # the app froze what it loaded: the test process goes on as before
    print(f"longest turn: load {load * 1000:.0f} ms, refetch {refetch * 1000:.0f} ms")
    assert load < LONGEST_TURN, f"the load held the loop for {load * 1000:.0f} ms"
    assert refetch < LONGEST_TURN, f"the refetch held the loop for {refetch * 1000:.0f} ms"
