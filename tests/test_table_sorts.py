"""Sorting by a column again takes the order kept from the last sort by it
(:mod:`akool_tui.tui.widgets.table_sorts`): whatever changed in between, the rows show in
the order a fresh sort gives (ties in insertion order), and the cursor stays on its row."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.tui.widgets.live_table import LiveTable
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import sortable
from akool_tui.tui.widgets.table_rows import Column, Delta
from akool_tui.tui.widgets.table_sync import _drain

COLUMNS = [Column("k", "K"), Column("v", "V"), Column("w", "W")]


def fresh(model: TableModel) -> list[str]:
    """The display order a model built from scratch gives for the same rows, filter and
    sort (rows in insertion order, so ties keep it)."""
    other = TableModel(model.columns)
    other.commit(dict(model.rows), [])
    other.set_filter(model.filter_text, model.row_filter)
    other.set_sort(None if model.sort_column is None else model.sort_column.key,
                   model.reverse)
    _drain(other.rebuild_steps())
    return other.window(0, len(other))


values = st.one_of(st.none(), st.integers(0, 4), st.sampled_from(["a", "B", "b", "c"]))
operations = st.lists(st.tuples(
    st.sampled_from(["set", "remove", "sort", "filter", "bulk", "ahead", "freshen",
                     "between"]),
    st.integers(0, 11), values, st.booleans()), max_size=40)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(1, 6))
def test_a_sort_by_a_kept_order_gives_what_a_fresh_sort_gives(
        ops: list[tuple[str, int, Any, bool]], limit: int) -> None:
    model = TableModel(COLUMNS)
    model.incremental_limit = 3  # both the patching and the rebuilding paths
    model.sorts.limit = limit  # kept orders take changes back in, or are dropped
    for op, number, value, flag in ops:
        key = f"k{number}"
        if op == "set":  # (new keys come after: removed and set again, a key is last)
            model.commit({key: {"k": key, "v": value, "w": f"w{number % 3}"}}, [])
        elif op == "remove":
            model.commit({}, [key] if key in model.rows else [])
        elif op == "bulk":
            changes = {f"k{i}": {"k": f"k{i}", "v": (i * (number or 1)) % 3, "w": "x"}
                       for i in range(number)}
            model.commit(changes, [k for k in model.rows if k not in changes] if flag else [])
        elif op == "sort":
            model.set_sort(None if value is None else "kvw"[hash(str(value)) % 3], flag)
        elif op == "ahead":  # sorted ahead at idle (interrupted by a change if flag)
            steps = model.presort_steps(COLUMNS[number % 3])
            if flag:
                next(steps, None)
                model.commit({"k0": {"k": "k0", "v": value, "w": "w9"}}, [])
            _drain(steps)
        elif op == "freshen":
            model.freshen_kept(1 + number % 3)
        elif op == "between":  # a sort taken between the steps of a sliced change
            steps = model.commit_steps(  # past incremental_limit: in steps, removals first
                {f"k{i}": {"k": f"k{i}", "v": value, "w": f"w{i}"} for i in (1, 3, 5, 7)},
                [key for key in ("k0", "k2") if key in model.rows], Delta())
            next(steps, None)
            model.set_sort("vw"[number % 2], flag)
            _drain(model.rebuild_steps())
            _drain(steps)
        else:
            model.set_filter("" if value is None else str(value),
                             (lambda k, row: row["v"] != 0) if flag else None)
        if model.stale:
            _drain(model.rebuild_steps(sliced=flag))
        assert model.window(0, len(model)) == fresh(model)
        for column in COLUMNS:  # every order kept is every row in that column's order
            if column.key in model.sorts:
                kept = model.sorts.take(column.key, model.rows, model.order_key_by(column))
                assert kept is None or kept == fresh_by(model, column.key)


def fresh_by(model: TableModel, column_key: str) -> list[str]:
    """Every row in ``column_key``'s ascending order, from scratch."""
    other = TableModel(model.columns)
    other.commit(dict(model.rows), [])
    other.set_sort(column_key, False)
    _drain(other.rebuild_steps())
    return other.window(0, len(other))


def test_sorting_by_a_column_again_keeps_its_order_without_sorting() -> None:
    model = TableModel(COLUMNS)
    model.commit({f"k{i}": {"k": f"k{i}", "v": i % 3, "w": str(-i)} for i in range(9)}, [])
    model.set_sort("v", False)
    _drain(model.rebuild_steps())
    assert "v" in model.sorts
    model.set_sort("w", False)
    _drain(model.rebuild_steps())
    model.commit({"k4": {"k": "k4", "v": 9, "w": "0"}}, [])  # k4 moves to the end by v
    model.set_sort("v", False)
    steps = list(model.rebuild_steps(sliced=True))
    assert len(steps) <= 1  # taken, not sorted in slices
    assert model.window(0, 9) == ["k0", "k3", "k6", "k1", "k7", "k2", "k5", "k8", "k4"]


def test_too_many_changes_drop_the_kept_orders() -> None:
    model = TableModel(COLUMNS)
    model.sorts.limit = 2
    model.commit({f"k{i}": {"k": f"k{i}", "v": i % 3, "w": "x"} for i in range(9)}, [])
    model.set_sort("v", False)
    _drain(model.rebuild_steps())
    model.commit({f"k{i}": {"k": f"k{i}", "v": 5 - i, "w": "x"} for i in range(3)}, [])
    assert "v" not in model.sorts
    model.set_sort("w", False)
    _drain(model.rebuild_steps())
    model.set_sort("v", False)
    _drain(model.rebuild_steps())
    assert model.window(0, 9) == fresh(model)


def test_a_live_column_sorted_by_the_clock_is_never_kept() -> None:
    live = Column("left", "Left", live=True, compute=lambda row, now: row["end"] - now)
    now = [0]
    model = TableModel([Column("k", "K"), live], clock=lambda: now[0])
    model.commit({f"k{i}": {"k": f"k{i}", "end": i} for i in range(5)}, [])
    model.set_sort("left", False)
    _drain(model.rebuild_steps())
    assert "left" not in model.sorts


# -- in the widget: a big table sorts its columns ahead, at idle ------------------------

async def test_a_big_table_sorted_again_shows_a_fresh_sorts_order_with_the_cursor_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user sees: after sorting by one column, then another (changing rows
    meanwhile), then the first again, the rows are in that column's order (ties in
    insertion order), the cursor is on the row it was on, at the same screen line, and
    the values of the column were not read again: its order was sorted ahead at idle."""
    from textual.app import App, ComposeResult

    import akool_tui.tui.widgets.table_presort as table_presort

    monkeypatch.setattr(table_presort, "PRESORT_FROM", 1_000)
    reads: list[str] = []

    def counted(key: str):
        def values(rows: list[Any]) -> list[Any]:
            reads.append(key)
            return [row[key] for row in rows]
        return values

    columns = [Column(key, key.upper(), width=8, sort_values=counted(key))
               for key in ("id", "v", "w")]
    rows = {f"r{i:05d}": {"id": f"r{i:05d}", "v": i % 7, "w": f"w{(i * 37) % 101:03d}"}
            for i in range(6_000)}  # past SYNC_REORDER_LIMIT: sorted in a worker
    table = LiveTable(columns, clock=lambda: 0)

    class Big(App[None]):
        def compose(self) -> ComposeResult:
            yield table

    async with Big().run_test(size=(60, 12)) as pilot:
        table.set_rows(rows)
        table.sort_by("v")

        async def settle(what) -> None:
            deadline = time.monotonic() + 20
            while not what():
                assert time.monotonic() < deadline
                await pilot.pause(0.02)

        await settle(lambda: not table.pending)
        assert table.move_cursor_to_key("r00014")  # v 0, the third of its tie
        line = table.cursor_index - table.scroll_offset.y
        table.sort_by("w")
        await settle(lambda: not table.pending)
        for key in ("r00003", "r00021"):  # v 3 -> 0 and 0 -> 6: they move
            table.update_row(key, {**rows[key], "v": 0 if key == "r00003" else 6})
        await settle(lambda: "id" in table._model.sorts and "v" in table._model.sorts)
        reads.clear()
        table.sort_by("v")
        await settle(lambda: not table.pending)
        assert reads == []  # taken from the order kept, not sorted again
        now = {key: table.get_row(key) for key in rows}
        assert visible_keys(table) == sorted(now, key=lambda key: now[key]["v"])
        assert table.cursor_key == "r00014"
        assert table.cursor_index - table.scroll_offset.y == line
        assert visible_keys(table)[:4] == ["r00000", "r00003", "r00007", "r00014"]


def visible_keys(table: LiveTable) -> list[str]:
    return [key for i in range(table.visible_row_count) if (key := table.key_at(i))]


def test_the_sessions_columns_bulk_sort_values_are_their_sort_keys() -> None:
    """The sessions table reads a column's sort values in bulk (the ids' last characters
    sliced, not cut one call a row): the same values as the column's own sort key, for
    long, short and empty ids."""
    from akool_tui.api.models import Session
    from akool_tui.tui.screens.sessions import COLUMNS as SESSION_COLUMNS
    from akool_tui.tui.screens.sessions_load import SessionRow

    found = [SessionRow(Session(id=sid)) for sid in
             ("65f0c2a19886cb4e3b7d2a10", "12345678", "1234567", "", "Ab_cD-ef9")]
    for column in SESSION_COLUMNS:
        if column.sort_values is not None and column.sort_key is not None:
            assert column.sort_values(found) == [column.sort_key(r) for r in found], column.key
