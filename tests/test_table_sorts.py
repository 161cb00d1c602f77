"""Sorting by a column again takes the order kept from the last sort by it
(:mod:`akool_tui.tui.widgets.table_sorts`): whatever changed in between, the rows show in
the order a fresh sort gives (ties in insertion order), and the cursor stays on its row."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.tui.widgets.live_table import LiveTable
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import sortable
from akool_tui.tui.widgets.table_rows import Column
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
    st.sampled_from(["set", "remove", "sort", "filter", "bulk"]),
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
        else:
            model.set_filter("" if value is None else str(value),
                             (lambda k, row: row["v"] != 0) if flag else None)
        if model.stale:
            _drain(model.rebuild_steps(sliced=flag))
        assert model.window(0, len(model)) == fresh(model)


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
