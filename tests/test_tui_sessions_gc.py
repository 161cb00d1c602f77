"""A big account's full refetch never stops the console for a full garbage collection.

At 100 000 sessions one full collection walked every session (and what the refetch of
1 000 pages allocated meanwhile) for 80-90 ms, in whichever thread tripped it, with the
UI thread waiting: a key pressed then was seen 100-300 ms later. While a big refetch
runs no full collection may start; afterwards the collector's settings are as before.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from akool_tui.tui.screens.base import Refreshed
from tui_helpers import make_app, running, start_simulator, wait_for

#: just over the sessions screen's BIG_TABLE: its full refetch runs in a thread of its own
SESSIONS = 6_000


async def test_a_big_full_refetch_starts_no_full_collection(tmp_path):
    sim = start_simulator(frozen=True, sessions=SESSIONS, max_concurrent=50)
    app = make_app(sim, tmp_path)
    thresholds = gc.get_threshold()
    full: list[Any] = []
    refetched: Any = None

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2 and not refetched():
            full.append(gc.get_threshold())

    gc.collect()  # what earlier tests left is not the app's to walk
    gc.freeze()
    garbage: list[list[list[int]]] = []
    try:
        async with running(app) as (pilot, messages):
            screen = app.screen
            await wait_for(pilot, lambda: screen.table.row_count == SESSIONS
                           and screen.tracker.loaded and not screen.table.pending,
                           "every row", timeout=60)
            refreshed = messages.count(Refreshed)
            refetched = lambda: messages.count(Refreshed) > refreshed  # noqa: E731
            gc.callbacks.append(watch)
            stop = asyncio.Event()

            async def allocate() -> None:
                # the rest of the app allocates meanwhile (here: lists, which the
                # collector tracks); before, this started full collections
                while not stop.is_set():
                    garbage.append([[] for _ in range(2_000)])
                    await asyncio.sleep(0.001)

            allocating = asyncio.create_task(allocate())
            try:
                await pilot.press("ctrl+r")  # a full refetch
                await wait_for(pilot, refetched, "the refetch", timeout=60)
                during = list(full)
                await wait_for(pilot, lambda: not screen.table.pending, "applied", timeout=30)
                # the hold ends in a turn of its own, after the next screen refresh
                await wait_for(pilot, lambda: gc.get_threshold() == thresholds,
                               "the collector back as it was", timeout=10)
            finally:
                stop.set()
                await allocating
                gc.callbacks.remove(watch)
            assert screen.tracker.ticks_since_full == 0  # it was a full refetch
            allocated = sum(len(chunk) for chunk in garbage)
            after = gc.get_threshold()
    finally:
        sim.stop()
        garbage.clear()
        gc.unfreeze()  # the app froze what it loaded: the test process goes on as before
        gc.set_threshold(*thresholds)
    assert allocated >= 20_000, "too little allocated for the check to mean anything"
    assert during == [], f"{len(during)} full collections ran during the refetch"
    assert after == thresholds  # the collector is back as it was
