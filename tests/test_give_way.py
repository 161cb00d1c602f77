"""Keys first on the UI loop (issue 13: key-to-screen at 100 000 sessions): while a big
table takes its rows in slices, a key typed meanwhile makes the slices wait until the
key's frame is on the terminal, for at most the gate's cap (``input_gate.give_way``).

Before, a slice ran in every turn of the loop the key went through (the driver, the
app, the screen, the table, the screen update): a key waited 60-120 ms during a
100 000-session load with no callback over 20 ms.

No terminal writer runs here: the test says when the key's frame is out
(``GATE.flushed``), as the writer thread does."""

from __future__ import annotations

import asyncio
from time import perf_counter

import pytest

from akool_tui.tui.input_gate import GATE
from akool_tui.tui.widgets import Column, LiveTable
from test_live_table_turns import TableApp

ROWS = 60_000
TIMEOUT = 30.0


def rows() -> dict[str, dict[str, object]]:
    return {f"r{i:06d}": {"id": f"r{i:06d}", "name": f"name {i * 7919 % ROWS}"}
            for i in range(ROWS)}


async def until(pilot, check, what: str) -> None:
    end = perf_counter() + TIMEOUT
    while not check():
        assert perf_counter() < end, f"no {what} within {TIMEOUT} s"
        await pilot.pause(0.001)


@pytest.fixture
def gate():
    GATE.flushed()  # no key from an earlier test is pending
    yield GATE
    GATE.flushed()  # nor from this one


async def start_load(pilot, table: LiveTable) -> asyncio.Task:
    load = asyncio.create_task(table.apply_changes_async(rows()))
    await until(pilot, lambda: 0 < len(table._model.rows), "rows stored")
    return load


async def test_a_key_typed_during_a_big_load_holds_its_slices_until_its_frame_is_out(
        gate, monkeypatch) -> None:
    monkeypatch.setattr(gate, "cap", 60.0)  # (a loaded machine: no cap inside the test)
    table = LiveTable([Column("id", "ID", width=8), Column("name", "Name", width=12)])
    app = TableApp(table)
    async with app.run_test() as pilot:
        load = await start_load(pilot, table)
        gate.key()  # (from Textual's input thread, in the app)
        await pilot.pause(0.03)  # the slice running when the key came ends
        held = len(table._model.rows), table._model.version
        await pilot.pause(0.1)  # the span checked
        assert (len(table._model.rows), table._model.version) == held
        assert not load.done()
        gate.flushed()  # the key's frame is on the terminal: the load goes on
        await until(pilot, lambda: table._model.version != held[1], "load step after the key")
        await asyncio.wait_for(load, TIMEOUT)
        assert table.row_count == ROWS


async def test_a_frame_flushed_while_the_ui_still_works_on_the_key_does_not_end_the_hold(
        gate, monkeypatch) -> None:
    """A frame can go out between the key's arrival and its handling (a countdown's):
    the slices wait until the UI thread has gone quiet too, as the refetch thread does."""
    monkeypatch.setattr(gate, "cap", 60.0)
    table = LiveTable([Column("id", "ID", width=8), Column("name", "Name", width=12)])
    app = TableApp(table)
    busy = True

    async def the_key_handled() -> None:  # the UI thread still works: 3 ms turns
        while busy:
            end = perf_counter() + 0.003
            while perf_counter() < end:
                pass
            await asyncio.sleep(0)

    async with app.run_test() as pilot:
        load = await start_load(pilot, table)
        gate.key()
        work = asyncio.create_task(the_key_handled())
        await pilot.pause(0.03)
        held = table._model.version
        gate.flushed()  # a frame, while the key is still being handled
        await pilot.pause(0.1)
        assert table._model.version == held
        busy = False  # handled: its frame was out (no later one is needed)
        await work
        await until(pilot, lambda: table._model.version != held, "load step after the key")
        await asyncio.wait_for(load, TIMEOUT)
        assert table.row_count == ROWS


async def test_a_key_whose_frame_never_comes_holds_the_load_only_for_the_cap(
        gate, monkeypatch) -> None:
    monkeypatch.setattr(gate, "cap", 0.1)
    table = LiveTable([Column("id", "ID", width=8), Column("name", "Name", width=12)])
    app = TableApp(table)
    async with app.run_test() as pilot:
        load = await start_load(pilot, table)
        gate.key()
        key_at = perf_counter()
        await pilot.pause(0.01)
        held = table._model.version
        await until(pilot, lambda: table._model.version != held, "load step after the key")
        assert perf_counter() - key_at >= 0.09
        await asyncio.wait_for(load, TIMEOUT)
        assert table.row_count == ROWS
