"""A big table sorts, filters and loads in slices that hand the event loop back, and
keys typed meanwhile are handled before the work ends.

Timing a turn of the loop is not robust on a busy 2-core machine, so the first test
makes the work itself slow and regular: a sort key that takes 5 us a row (a slice of
1 000 rows: 5 ms). The table must hand the loop back after every such slice (before:
it ran 10 ms of slices per turn, so two). The second checks the result: 100 000 rows
of mixed-case text, numbers and blanks sort as a plain sort would.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.app import App, ComposeResult

from akool_tui.tui.widgets import Column, LiveTable
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import SLICE
from akool_tui.tui.widgets.table_sync import _drain

ROWS = 100_000
#: what one row's sort key costs in the first test (a busy wait, in wall time)
KEY_COST = 5e-6


def make_rows() -> dict[str, dict[str, Any]]:
    return {f"r{i:06d}": {"id": f"r{i:06d}",
                          "name": f"{'Nm' if i % 2 else 'nm'} {i * 7919 % ROWS}",
                          "status": ("live", "closed", None)[i % 3], "n": i * 31 % 997}
            for i in range(ROWS)}


class TableApp(App[None]):
    def __init__(self, table: LiveTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        self.table.focus()


class SlowKey:
    """A sort key that costs :data:`KEY_COST` a row, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, row: Any) -> str:
        self.calls += 1
        end = time.perf_counter() + KEY_COST
        while time.perf_counter() < end:
            pass
        return row["name"]


class TurnProbe:
    """The most sort-key calls between two turns of the event loop."""

    def __init__(self, key: SlowKey) -> None:
        self.key = key
        self.most = 0

    async def run(self) -> None:
        last = self.key.calls
        while True:
            await asyncio.sleep(0)
            self.most = max(self.most, self.key.calls - last)
            last = self.key.calls


async def test_a_slow_sort_hands_the_loop_back_after_every_slice_and_keys_go_through() -> None:
    key = SlowKey()
    columns = [Column("id", "ID", width=8), Column("name", "Name", width=12, sort_key=key),
               Column("n", "N", width=6, align="right")]
    table = LiveTable(columns)
    async with TableApp(table).run_test(size=(60, 12)) as pilot:
        table.set_rows(make_rows())
        second = table.key_at(1)
        probe = TurnProbe(key)
        watching = asyncio.create_task(probe.run())
        try:
            table.sort_by("name")
            assert table.pending  # 100 000 rows sort in the background
            # typed while it sorts (pilot.press would wait for the app to be idle, i.e.
            # for the sort's end): handled while the sort still runs
            pilot.app.simulate_key("down")
            deadline = time.monotonic() + 30
            while table.cursor_key != second and time.monotonic() < deadline:
                await asyncio.sleep(0)
            assert table.cursor_key == second
            assert table.pending
            deadline = time.monotonic() + 60
            while table.pending and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        finally:
            watching.cancel()
        assert not table.pending
        assert key.calls >= ROWS
        assert table.cursor_key == second  # the cursor stays on its row after the sort
        names = [table.get_row(table.key_at(i))["name"] for i in range(0, ROWS, 997)]
        assert names == sorted(names, key=str.casefold)
    assert probe.most <= SLICE, f"{probe.most} rows' keys in one turn of the event loop"


def test_100k_rows_of_text_numbers_and_blanks_sort_like_a_plain_sort() -> None:
    rows = make_rows()
    model = TableModel([Column("name", "Name"), Column("status", "Status"), Column("n", "N")])
    model.commit(rows, [])
    _drain(model.rebuild_steps(sliced=True))
    seq = {key: i for i, key in enumerate(rows)}
    for column in ("name", "status", "n"):
        model.set_sort(column, False)
        _drain(model.rebuild_steps(sliced=True))
        present = [k for k in rows if rows[k][column] is not None]
        blank = [k for k in rows if rows[k][column] is None]

        def value(key: str, column: str = column) -> Any:
            raw = rows[key][column]
            return raw.casefold() if isinstance(raw, str) else raw

        expected = sorted(present, key=lambda k: (value(k), seq[k])) + blank
        assert model.order == expected, column
