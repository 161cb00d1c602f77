"""The filter's first keystroke on a big table whose search texts are not built yet
(right after a load): it matches the columns' texts without building the rows'
(table_scan), finds exactly the rows a built text would, and costs less than building
the texts did."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import akool_tui.tui.widgets.table_filter as table_filter
import akool_tui.tui.widgets.table_scan as table_scan
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import sortable
from akool_tui.tui.widgets.table_rows import Column
from akool_tui.tui.widgets.table_scan import scan_rows


def broken(value: Any) -> str:
    if value == 3:
        raise ValueError("odd data")
    return f"<{value}>"


COLUMNS = [
    Column("id", "ID"),
    Column("name", "Name"),
    Column("n", "N"),
    Column("fmt", "Fmt", formatter=broken),
    Column("left", "Left", live=True, compute=lambda row, now: "LIVE"),  # not searched
]
ODD = ["Straße", "STRASSE", "İi", "ﬁle", "ΣΑΣ", "a\x01b", "x\x00y", "", "abc", "Ab C", None, 7]


def rows_of(names: list[Any], size: int) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for i in range(size):
        row: dict[str, Any] = {"id": f"k{i:05d}", "name": names[i % len(names)],
                               "n": (i * 7) % 11 if i % 5 else None, "fmt": i % 4}
        if i % 13 == 0:
            del row["name"]  # a row without the key reads as None
        rows[row["id"]] = row
    return rows


def built(model: TableModel, needle: str, keys: list[str]) -> list[str]:
    """What the filter finds through the rows' built search texts."""
    return [key for key in keys if needle in model.texts.search_text(key)]


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=6)), min_size=1,
                      max_size=12),
       pick=st.integers(0, 10_000), cut=st.integers(0, 4), size=st.integers(1, 60))
def test_the_column_scan_finds_what_the_built_texts_find(
        names: list[Any], pick: int, cut: int, size: int) -> None:
    model = TableModel(COLUMNS)
    model.commit(rows_of(names, size), [])
    keys = list(model.rows)
    text = model.texts.search_text(keys[pick % len(keys)])
    needle = text[pick % (len(text) + 1):][: cut + 1]
    if "\x00" in needle or "\x01" in needle:
        return  # the model does not scan by column for these (table_filter._by_column)
    old = table_scan.SCAN_SLICE
    table_scan.SCAN_SLICE = 7  # several slices
    try:
        for subset in (keys, keys[::3]):  # all the rows, or a few in another order
            steps = scan_rows(model.rows, subset, model.texts.searchable, needle)
            try:
                while True:
                    next(steps)
            except StopIteration as done:
                found = done.value
            assert [key for key in subset if key in found] == built(model, needle, subset)
    finally:
        table_scan.SCAN_SLICE = old


def loaded(size: int) -> TableModel:
    model = TableModel(COLUMNS[:3])
    model.commit({f"k{i:06d}": {"id": f"k{i:06d}", "name": f"Avatar-{i % 97:03d}",
                                "n": i % 1000} for i in range(size)}, [])
    for _ in model.rebuild_steps():
        pass
    return model


def shown(model: TableModel) -> list[str]:
    return [model.key_at(i) for i in range(len(model))]


def test_a_cold_first_keystroke_on_a_big_sorted_table_shows_the_matching_rows_in_order():
    model = loaded(30_000)
    model.set_sort("name", reverse=True)
    for _ in model.rebuild_steps(sliced=True):
        pass
    assert not model.texts.search  # right after the load: no text built yet
    model.set_filter("avatar-01", None)  # narrows the sorted order, by column
    for _ in model.rebuild_steps(sliced=True):
        pass
    want = sorted((k for k in model.rows if "avatar-01" in model.rows[k]["name"].casefold()),
                  key=lambda k: (sortable(model.rows[k]["name"], False), int(k[1:])))[::-1]
    assert shown(model) == want and len(want) == 10 * 310
    model.set_filter("avatar-012", None)  # typing on narrows what is shown
    for _ in model.rebuild_steps(sliced=True):
        pass
    assert shown(model) == [k for k in want if model.rows[k]["name"] == "Avatar-012"]
    model.set_filter("", None)
    model.set_sort(None, False)
    model.set_filter("9 ", None)  # spans no column: nothing, as with the built texts
    for _ in model.rebuild_steps(sliced=True):
        pass
    assert shown(model) == []
    model.set_filter("999", lambda key, row: row["n"] % 2 == 1)  # and a row filter
    for _ in model.rebuild_steps(sliced=True):
        pass
    assert shown(model) == [k for k in model.rows
                            if "999" in f"{k}\x00{model.rows[k]['name']}\x00{model.rows[k]['n']}"
                            and model.rows[k]["n"] % 2]


def test_rows_changed_while_a_cold_scan_runs_are_matched_as_they_are_now():
    model = loaded(30_000)
    model.set_filter("avatar-050", None)
    steps = model.rebuild_steps(sliced=True)
    for _ in range(3):
        next(steps)
    model.commit({"k000001": {"id": "k000001", "name": "avatar-050 new", "n": 1}}, ["k000050"])
    for _ in steps:
        pass
    got = shown(model)
    assert "k000001" in got and "k000050" not in got
    assert got == [k for k in model.rows if "avatar-050" in model.rows[k]["name"].casefold()]


def test_the_cold_first_keystroke_costs_less_than_building_the_texts_did():
    """The old first keystroke built every row's search text, then scanned them: it
    cost more CPU than the build alone. The scan by column costs less (measured: ~0.6x
    of the build at 100 000 rows; min of three each, alternated)."""
    model = loaded(60_000)
    keys = list(model.rows)
    filtering, building = [], []
    for _ in range(3):
        model.texts.search.clear()
        model.set_filter("", None)
        for _ in model.rebuild_steps():
            pass
        began = time.process_time()
        model.set_filter("avatar-01", None)
        for _ in model.rebuild_steps(sliced=True):
            pass
        filtering.append(time.process_time() - began)
        assert len(model) == 10 * 619
        model.texts.search.clear()
        began = time.process_time()
        model.texts.fill_search(keys)
        building.append(time.process_time() - began)
    assert min(filtering) < 0.85 * min(building), (filtering, building)


def test_small_or_built_tables_filter_through_the_built_texts():
    model = loaded(30_000)
    model.texts.fill_search(list(model.rows))
    assert not model._by_column(list(model.rows))  # built: scanning them is quicker
    assert not table_filter.SCAN_FROM > 30_000
    small = loaded(500)
    assert not small._by_column(list(small.rows))
