"""LiveTable.apply_changes / apply_changes_async: a partial delta (the rows named are
added, replaced or removed; every other row stays as it is), at once or in slices."""

from __future__ import annotations

import asyncio

from akool_tui.tui.widgets import LiveTable
from test_live_table import COLUMNS, SIZE, Clock, TableApp, make_row, screen_text, visible_keys


async def test_apply_changes_touches_only_the_rows_named() -> None:
    table = LiveTable(COLUMNS, clock=Clock())
    app = TableApp(table)
    async with app.run_test(size=SIZE) as pilot:
        table.set_rows({f"k{i:02d}": make_row(i) for i in range(6)})
        kept = table.get_row("k01")
        table.apply_changes({"k02": make_row(2, name="renamed"), "new": make_row(99)},
                            ["k04", "unknown"])
        await pilot.pause()
        assert visible_keys(table) == ["k00", "k01", "k02", "k03", "k05", "new"]
        assert table.get_row("k01") is kept  # not named: left as it was
        assert "renamed" in screen_text(table)[3]


async def test_a_sliced_delta_into_a_big_table_keeps_the_rest_and_yields() -> None:
    table = LiveTable(COLUMNS, clock=Clock())
    app = TableApp(table)
    rows = {f"r{i:05d}": make_row(i, id=f"r{i:05d}") for i in range(30_000)}
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(rows)
        table.sort_by("n")
        while table.pending:
            await asyncio.sleep(0)
        turns = 0
        changes = {f"r{i:05d}": make_row(i, id=f"r{i:05d}", n=-1) for i in range(0, 30_000, 3)}
        changes.update({f"x{i:05d}": make_row(i, id=f"x{i:05d}", n=-2) for i in range(5_000)})
        applying = asyncio.create_task(table.apply_changes_async(changes, ["r00001"],
                                                                 budget=0.001))
        while not applying.done():
            turns += 1
            await asyncio.sleep(0)
        await pilot.pause()
        assert turns > 10  # it yielded to the event loop many times
        assert table.row_count == 30_000 + 5_000 - 1 and not table.pending
        assert table.get_row("r00002") is rows["r00002"]
        keys = visible_keys(table)
        assert keys[:5_000] == [f"x{i:05d}" for i in range(5_000)]  # n=-2 first, in order
        assert {table.get_row(k)["n"] for k in keys[5_000:15_000]} == {-1}
        assert "r00001" not in keys
