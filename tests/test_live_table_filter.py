"""The filter of a big LiveTable: search texts built while the table is idle (so that a
keystroke only scans), kept in step with the rows, and the latest text winning."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from akool_tui.tui.widgets import Column, LiveTable, table_sync
from test_live_table import COLUMNS, SIZE, TableApp, make_row, visible_keys
from tui_helpers import wait_for

N = 20_000


class Counted:
    """A formatter that counts its calls (each is one search or cell text built)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> str:
        self.calls += 1
        return str(value)


def counted_columns(counter: Counted) -> list[Column]:
    return [replace(column, formatter=counter) if column.key == "name" else column
            for column in COLUMNS]


def big_rows(n: int = N, **changes: Any) -> dict[str, dict[str, Any]]:
    return {f"r{i:05d}": make_row(i, id=f"r{i:05d}", **changes) for i in range(n)}


async def settled(pilot: Any, table: LiveTable) -> None:
    await wait_for(pilot, lambda: not table.pending, "the table to settle", timeout=20)


async def test_a_big_table_builds_its_search_texts_while_idle() -> None:
    """After a load, with nothing typed, the search texts get built in the background;
    the first keystroke then builds none (before: all 20 000 on that keystroke)."""
    counter = Counted()
    table = LiveTable(counted_columns(counter))
    app = TableApp(table)
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(big_rows())
        await wait_for(pilot, lambda: table.search_ready
                       and len(table._texts.search) == N,
                       "search texts built at idle", timeout=20)
        counter.calls = 0
        table.filter_text = "name 1999"
        await settled(pilot, table)
        await pilot.pause()
        assert sorted(visible_keys(table)) == ["r01999"] + [f"r1999{i}" for i in range(10)]
        assert counter.calls < 50  # the painted cells only, no search text


async def test_a_changed_row_is_found_by_its_new_value_after_the_texts_were_built() -> None:
    table = LiveTable(COLUMNS)
    app = TableApp(table)
    rows = big_rows()
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(rows)
        await wait_for(pilot, lambda: table.search_ready, "search texts", timeout=20)
        # one row by itself, and a refetch that changes many (a sliced diff)
        zebra = make_row(7, id="r00007", name="zebra one")
        table.update_row("r00007", zebra)
        changed = {**rows, "r00007": zebra}
        for i in range(100, 1_100):
            changed[f"r{i:05d}"] = make_row(i, id=f"r{i:05d}", name=f"zebra {i}")
        del changed["r00008"]
        await table.set_rows_async(changed)
        await settled(pilot, table)
        table.filter_text = "zebra"
        await settled(pilot, table)
        found = visible_keys(table)
        assert len(found) == 1 + 1_000 and "r00007" in found and "r00100" in found
        table.filter_text = "name 7"  # the old values are not found any more
        await settled(pilot, table)
        assert "r00007" not in visible_keys(table) and "r00107" not in visible_keys(table)
        table.filter_text = "name 8"
        await settled(pilot, table)
        assert "r00008" not in visible_keys(table)  # removed
        await wait_for(pilot, lambda: table.search_ready, "search texts", timeout=20)
        assert len(table._texts.search) == table.row_count  # none kept for removed rows


async def test_typing_fast_ends_with_the_results_of_the_final_text() -> None:
    table = LiveTable(COLUMNS)
    app = TableApp(table)
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(big_rows())
        table.sort_by("n", reverse=True)
        typed = ""
        for char in "name 199":  # one keystroke per event-loop turn, none waited for
            typed += char
            table.filter_text = typed
            await pilot.pause()
        table.filter_text = "name 19"  # a backspace: the filter widens again
        await settled(pilot, table)
        await pilot.pause()
        keys = visible_keys(table)
        want = {k for k, row in big_rows().items() if "name 19" in row["name"]}
        assert set(keys) == want and len(keys) == len(want)
        values = [table.get_row(key)["n"] for key in keys]
        assert values == sorted(values, reverse=True)  # the sort holds under the filter
        assert table.visible_row_count == len(want)


async def test_the_first_matches_are_on_screen_before_the_whole_scan_ends(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At 60 000 rows sorted backwards, a filter shows a screenful of the first matches
    (in the final order, the cursor on the first) while it still scans the rest.
    (A scan shows them once it has run PREVIEW_AFTER: here at once, whatever the
    machine's speed.)"""
    monkeypatch.setattr(table_sync, "PREVIEW_AFTER", 0.0, raising=False)
    table = LiveTable(COLUMNS)
    app = TableApp(table)
    n = 60_000
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(big_rows(n))
        table.sort_by("id", reverse=True)
        await settled(pilot, table)
        await pilot.pause()
        table.filter_text = "name 1"
        preview: list[str] = []
        while table.pending:  # every event-loop turn while it scans
            count = table.visible_row_count
            if 0 < count < n and not preview:
                preview = [line.split()[0] for line in
                           [table.render_line(y).text for y in range(1, SIZE[1])]]
                assert table.cursor_index == 0 and table.cursor_key == preview[0]
            await asyncio.sleep(0)
        await pilot.pause()
        want = sorted((k for k, row in big_rows(n).items() if "name 1" in row["name"]),
                      reverse=True)
        assert preview, "nothing was shown before the scan ended"
        assert preview == want[:len(preview)]  # the first rows of the final result
        assert visible_keys(table) == want  # then all of them, in order
        assert [line.split()[0] for line in
                [table.render_line(y).text for y in range(1, SIZE[1])]] == preview
