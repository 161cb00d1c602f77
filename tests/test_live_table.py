"""LiveTable: diff updates, cursor, filter, sort, marks, live columns, 100k rows."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.color import Color
from textual.message import Message
from textual.strip import Strip

from akool_tui.tui.widgets import Column, LiveTable
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import merge_runs
from akool_tui.tui.widgets.table_sync import _drain


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def countdown(row: dict[str, Any], now: float) -> str:
    left = max(0, int(row["end"] - now))
    return f"{left // 60}:{left % 60:02d}"


COLUMNS = [
    Column("id", "ID", width=6),
    Column("name", "Name", max_width=12),
    Column("status", "Status", width=8,
           style=lambda value, row: "$success bold" if value == "live" else None),
    Column("n", "N", width=6, align="right"),
    Column("left", "Left", width=6, align="right", live=True, compute=countdown),
]


def make_row(i: int, **changes: Any) -> dict[str, Any]:
    row = {"id": f"k{i:02d}", "name": f"name {i}", "status": "live" if i % 3 else "closed",
           "n": (i * 7) % 50, "end": 1000 + 60 + i}
    row.update(changes)
    return row


def make_rows(n: int) -> dict[str, dict[str, Any]]:
    return {f"k{i:02d}": make_row(i) for i in range(n)}


class CountingTable(LiveTable):
    """Counts rendered lines, to prove what was (not) repainted."""

    lines_rendered = 0

    def render_line(self, y: int) -> Strip:
        self.lines_rendered += 1
        return super().render_line(y)


class TableApp(App[None]):
    def __init__(self, table: LiveTable) -> None:
        super().__init__()
        self.table = table
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield self.table

    def on_mount(self) -> None:
        self.table.focus()

    def on_live_table_row_highlighted(self, message: LiveTable.RowHighlighted) -> None:
        self.messages.append(message)

    def on_live_table_row_selected(self, message: LiveTable.RowSelected) -> None:
        self.messages.append(message)

    def on_live_table_marks_changed(self, message: LiveTable.MarksChanged) -> None:
        self.messages.append(message)

    def on_live_table_sorted(self, message: LiveTable.Sorted) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        return [message for message in self.messages if isinstance(message, kind)]


def make_app(rows: int = 30, **kwargs: Any) -> TableApp:
    kwargs.setdefault("clock", Clock())
    table = CountingTable(COLUMNS, **kwargs)
    if rows:
        table.set_rows(make_rows(rows))
    return TableApp(table)


def line_text(table: LiveTable, y: int) -> str:
    return table.render_line(y).text


def screen_text(table: LiveTable) -> list[str]:
    return [line_text(table, y) for y in range(table.size.height)]


def visible_keys(table: LiveTable) -> list[str]:
    return [key for i in range(table.visible_row_count) if (key := table.key_at(i))]


SIZE = (80, 12)  # a header and 11 body lines


async def test_first_row_is_highlighted_and_rendered() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.pause()
        assert table.cursor_key == "k00"
        assert [m.key for m in app.of(LiveTable.RowHighlighted)] == ["k00"]
        header, first = line_text(table, 0), line_text(table, 1)
        assert header.split() == ["ID", "Name", "Status", "N", "Left"]
        assert first.split() == ["k00", "name", "0", "closed", "0", "1:00"]


async def test_diff_keeps_cursor_on_same_key_and_removed_rows_vanish() -> None:
    app = make_app(rows=30)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.press(*["down"] * 10)
        assert table.cursor_key == "k10"
        rows = make_rows(30)
        for gone in ("k00", "k01", "k02", "k20"):
            del rows[gone]
        rows["k05"] = make_row(5, status="failed")
        table.set_rows(rows)
        await pilot.pause()
        assert table.cursor_key == "k10"
        assert table.cursor_index == 7
        assert table.row_count == 26
        assert table.get_row("k00") is None and table.get_row("k20") is None
        assert "k00" not in visible_keys(table) and "k20" not in visible_keys(table)
        assert not any("k00" in line or "k01 " in line for line in screen_text(table))
        assert "failed" in line_text(table, 1 + visible_keys(table).index("k05"))
        # The cursor row itself vanishes: the cursor stays at its index, on the next row.
        del rows["k10"]
        table.set_rows(rows)
        await pilot.pause()
        assert table.cursor_key == "k11"
        assert app.of(LiveTable.RowHighlighted)[-1].key == "k11"


async def test_identical_set_rows_repaints_nothing_and_a_change_repaints_one_line() -> None:
    app = make_app(rows=30)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        assert isinstance(table, CountingTable)
        await pilot.pause()
        before = table.lines_rendered
        table.set_rows(make_rows(30))  # equal values, new objects
        table.set_rows(list(make_rows(30).items()))
        await pilot.pause()
        assert table.lines_rendered == before
        rows = make_rows(30)
        rows["k03"] = make_row(3, status="failed")
        table.set_rows(rows)
        await pilot.pause()
        assert table.lines_rendered == before + 1
        rows["k25"] = make_row(25, status="failed")  # below the view
        table.set_rows(rows)
        await pilot.pause()
        assert table.lines_rendered == before + 1
        assert table.get_row("k25")["status"] == "failed"


async def test_update_row_and_remove_row() -> None:
    app = make_app(rows=5)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.update_row("k02", make_row(2, name="renamed"))
        table.update_row("new", make_row(99))
        table.remove_row("k04")
        table.remove_row("unknown")
        await pilot.pause()
        assert visible_keys(table) == ["k00", "k01", "k02", "k03", "new"]
        assert "renamed" in line_text(table, 3)
        with pytest.raises(TypeError):
            table.update_row("k01", ["not", "a", "mapping"])  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            table.set_rows({"k01": 42})  # type: ignore[dict-item]
        with pytest.raises(TypeError):
            table.set_rows([1, 2, 3])  # type: ignore[list-item]


async def test_filter_and_clear() -> None:
    app = make_app(rows=30, no_match_text="No sessions match '{filter}'")
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.filter_text = "NAME 1"  # case-insensitive, over rendered text
        await pilot.pause()
        assert visible_keys(table) == ["k01"] + [f"k{i}" for i in range(10, 20)]
        table.filter_text = "name 12"  # narrowing keeps the order
        await pilot.pause()
        assert visible_keys(table) == ["k12"]
        assert table.cursor_key == "k12"
        table.filter_text = "xyz"
        await pilot.pause()
        assert table.visible_row_count == 0 and table.cursor_key is None
        assert "No sessions match 'xyz'" in line_text(table, 1)
        table.filter_text = ""
        await pilot.pause()
        assert table.visible_row_count == 30
        table.row_filter = lambda key, row: row["status"] == "closed"
        await pilot.pause()
        assert visible_keys(table) == [f"k{i:02d}" for i in range(0, 30, 3)]
        table.filter_text = "name 2"
        await pilot.pause()
        assert visible_keys(table) == ["k21", "k24", "k27"]
        table.filter_text, table.row_filter = "", None
        await pilot.pause()
        assert table.visible_row_count == 30


async def test_empty_table_shows_empty_text() -> None:
    app = make_app(rows=0, empty_text="No sessions")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "No sessions" in line_text(app.table, 1)
        await pilot.press("down", "enter", "space")
        assert app.table.cursor_key is None
        assert not app.of(LiveTable.RowSelected) and not app.table.marked_keys


async def test_sort_by_column_and_reverse() -> None:
    app = make_app(rows=30)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.press("down", "down")
        table.sort_by("n")
        await pilot.pause()
        values = [table.get_row(key)["n"] for key in visible_keys(table)]
        assert values == sorted(values)
        assert table.cursor_key == "k02"
        assert "N ▲" in line_text(table, 0)
        # ties keep insertion order
        keys = visible_keys(table)
        assert keys == sorted(keys, key=lambda key: (table.get_row(key)["n"], key))
        table.sort_by("n", reverse=True)
        await pilot.pause()
        assert visible_keys(table) == list(reversed(keys))
        assert "N ▼" in line_text(table, 0)
        assert table.cursor_key == "k02"
        # an update moves the row to its sorted place
        table.update_row("k05", make_row(5, n=1000))
        await pilot.pause()
        assert visible_keys(table)[0] == "k05"
        table.sort_by(None)
        await pilot.pause()
        assert visible_keys(table)[:3] == ["k00", "k01", "k02"]


async def test_sort_keys_and_header_click() -> None:
    app = make_app(rows=10)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.press("s")
        assert table.sort_column == "id" and not table.sort_reverse
        await pilot.press("s", "S")
        assert table.sort_column == "name" and table.sort_reverse
        assert [(m.column, m.reverse) for m in app.of(LiveTable.Sorted)] == [
            ("id", False), ("name", False), ("name", True)]
        x = line_text(table, 0).index(" N ") + 1  # the "N" header
        await pilot.click(LiveTable, offset=(x, 0))
        assert table.sort_column == "n" and not table.sort_reverse
        await pilot.click(LiveTable, offset=(x, 0))
        assert table.sort_column == "n" and table.sort_reverse


async def test_mixed_types_in_a_sort_column_do_not_crash() -> None:
    app = make_app(rows=6)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.update_row("k01", make_row(1, n="many"))
        table.update_row("k02", make_row(2, n=None))
        table.sort_by("n")
        table.update_row("k03", make_row(3, n="lots"))
        await pilot.pause()
        assert visible_keys(table)[-1] == "k02"  # None sorts last
        assert table.visible_row_count == 6


async def test_marks_with_space() -> None:
    app = make_app(rows=10)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.press("space", "down", "down", "space")
        assert table.marked_keys == {"k00", "k02"}
        assert line_text(table, 1).startswith("●")
        assert not line_text(table, 2).startswith("●")
        await pilot.press("space")
        assert table.marked_keys == {"k00"}
        assert [m.marked for m in app.of(LiveTable.MarksChanged)] == [
            {"k00"}, {"k00", "k02"}, {"k00"}]
        table.remove_row("k00")
        await pilot.pause()
        assert table.marked_keys == frozenset()
        await pilot.press("space")
        table.clear_marks()
        await pilot.pause()
        assert table.marked_keys == frozenset()
        assert app.of(LiveTable.MarksChanged)[-1].marked == frozenset()


async def test_enter_and_click_post_row_selected() -> None:
    app = make_app(rows=10)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        await pilot.press("down", "enter")
        assert [m.key for m in app.of(LiveTable.RowSelected)] == ["k01"]
        await pilot.click(LiveTable, offset=(10, 5))  # line 5 -> row index 4
        assert table.cursor_key == "k04"
        assert len(app.of(LiveTable.RowSelected)) == 1
        await pilot.click(LiveTable, offset=(10, 5))  # the cursor row again: select
        assert [m.key for m in app.of(LiveTable.RowSelected)] == ["k01", "k04"]
        assert [m.key for m in app.of(LiveTable.RowHighlighted)] == ["k00", "k01", "k04"]


async def test_countdown_changes_after_the_clock_advances() -> None:
    clock = Clock()
    app = make_app(rows=30, clock=clock, live_interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        assert isinstance(table, CountingTable)
        await pilot.pause()
        assert line_text(table, 1).split()[-1] == "1:00"
        before = table.lines_rendered
        clock.now += 5
        table.refresh_live()
        await pilot.pause()
        # one repaint per visible line whose countdown changed, nothing else
        assert table.lines_rendered - before == 11
        assert line_text(table, 1).split()[-1] == "0:55"
        assert line_text(table, 2).split()[-1] == "0:56"
        before = table.lines_rendered
        table.refresh_live()  # same time: no text changed, nothing repainted
        await pilot.pause()
        assert table.lines_rendered == before
        clock.now += 10_000
        table.refresh_live()
        await pilot.pause()
        assert line_text(table, 1).split()[-1] == "0:00"


async def test_scroll_stays_on_the_same_rows_when_rows_above_change() -> None:
    app = make_app(rows=60)
    async with app.run_test(size=SIZE) as pilot:
        table = app.table
        table.sort_by("id")
        await pilot.press(*["down"] * 30)
        assert table.cursor_key == "k30"
        shown = screen_text(table)[1:]
        scroll_y = table.scroll_offset.y
        assert scroll_y > 0
        rows = make_rows(60)
        rows.update({f"a{i}": make_row(100 + i, id=f"a{i}") for i in range(5)})  # sort first
        table.set_rows(rows)
        await pilot.pause()
        assert table.cursor_key == "k30"
        assert table.scroll_offset.y == scroll_y + 5
        assert screen_text(table)[1:] == shown


async def test_theme_variables_in_cell_styles() -> None:
    app = make_app(rows=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.table
        strip = table.render_line(2)  # k01 is live: "$success bold"
        live = [seg for seg in strip if seg.text.strip() == "live"]
        assert live and live[0].style is not None and live[0].style.bold
        success = Color.parse(app.theme_variables["success"])
        assert live[0].style.color is not None
        assert live[0].style.color.triplet == success.rich_color.triplet


async def test_100k_rows_load_and_cursor_moves() -> None:
    table = LiveTable(COLUMNS)
    app = TableApp(table)
    rows = {f"r{i:06d}": make_row(i, id=f"r{i:06d}") for i in range(100_000)}
    async with app.run_test(size=SIZE) as pilot:
        await table.set_rows_async(rows)
        await pilot.pause()
        assert table.row_count == 100_000 and table.cursor_key == "r000000"
        await pilot.press("end")
        assert table.cursor_key == "r099999"
        assert table.scroll_offset.y == 100_000 - 11
        await pilot.press("up", "pageup")
        assert table.cursor_key == f"r{99_998 - 11:06d}"
        await pilot.press("home", "pagedown", "down")
        assert table.cursor_key == "r000012"
        assert "name 12 " in screen_text(table)[table.cursor_index - table.scroll_offset.y + 1]
        rows["r000012"] = make_row(12, id="r000012", status="failed")
        del rows["r000000"]
        await table.set_rows_async(rows)
        await pilot.pause()
        assert table.cursor_key == "r000012" and table.row_count == 99_999
        assert "failed" in screen_text(table)[table.cursor_index - table.scroll_offset.y + 1]


async def test_update_during_a_sliced_load_wins_and_set_rows_supersedes_a_load() -> None:
    table = LiveTable(COLUMNS, clock=Clock())
    app = TableApp(table)
    rows = {f"r{i:05d}": make_row(i, id=f"r{i:05d}") for i in range(30_000)}
    async with app.run_test(size=SIZE) as pilot:
        load = asyncio.create_task(table.set_rows_async(rows, budget=0.001))
        while not table.pending:
            await asyncio.sleep(0)
        table.update_row("r00005", make_row(5, id="r00005", status="failed"))
        await load
        assert table.row_count == 30_000 and not table.pending
        assert table.get_row("r00005")["status"] == "failed"
        assert visible_keys(table)[:3] == ["r00005", "r00000", "r00001"]  # insertion order

        table.set_rows({key: rows[key] for key in list(rows)[:5]})
        bigger = {f"s{i:05d}": make_row(i, id=f"s{i:05d}") for i in range(30_000)}
        load = asyncio.create_task(table.set_rows_async(bigger, budget=0.001))
        while not 5 < table.row_count:  # the load is storing rows
            await asyncio.sleep(0.001)
        final = {f"t{i}": make_row(i, id=f"t{i}") for i in range(3)}
        table.set_rows(final)
        await load
        await pilot.pause()
        assert table.row_count == 3 and visible_keys(table) == ["t0", "t1", "t2"]
        assert table.cursor_key == "t0"
        assert [line.split()[0] for line in screen_text(table)[1:4]] == ["t0", "t1", "t2"]


async def test_big_table_sorts_and_filters_in_the_background() -> None:
    table = LiveTable(COLUMNS)
    app = TableApp(table)
    rows = {f"r{i:05d}": make_row(i, id=f"r{i:05d}") for i in range(20_000)}
    async with app.run_test(size=SIZE) as pilot:
        table.set_rows(rows)
        table.sort_by("n", reverse=True)
        assert table.pending
        while table.pending:
            await pilot.pause(0.01)
        values = [table.get_row(table.key_at(i))["n"] for i in range(0, 20_000, 997)]
        assert values == sorted(values, reverse=True)
        table.filter_text = "name 1999"
        while table.pending:
            await pilot.pause(0.01)
        assert sorted(visible_keys(table)) == ["r01999"] + [f"r1999{i}" for i in range(10)]


def test_column_validation() -> None:
    with pytest.raises(ValueError):
        Column("left", "Left", live=True)
    with pytest.raises(ValueError):
        Column("a", "A", align="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Column("a", "A", width=0)
    with pytest.raises(ValueError):
        LiveTable([Column("a", "A"), Column("a", "B")])
    with pytest.raises(ValueError):
        LiveTable([])
    table = LiveTable(COLUMNS)
    with pytest.raises(ValueError):
        table.sort_by("nope")


def test_failing_formatter_falls_back_to_str() -> None:
    column = Column("n", "N", formatter=lambda value: f"{value:.1f}")
    assert column.format(2) == "2.0"
    assert column.format("x") == "x"
    assert column.format(None) == ""


# -- the model: patched order == order rebuilt from scratch ---------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["set", "remove", "sort", "filter", "bulk"]),
        st.integers(0, 15),  # key
        st.one_of(st.none(), st.integers(0, 5)),  # value
        st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_patched_order_matches_a_rebuild(ops: list[tuple[str, int, int | None, bool]]) -> None:
    columns = [Column("k", "K"), Column("v", "V"), Column("w", "W")]
    model = TableModel(columns)
    model.incremental_limit = 4  # exercise both the patching and the rebuilding paths
    for op, key_number, value, flag in ops:
        key = f"k{key_number}"
        if op == "set":
            model.commit({key: {"k": key, "v": value, "w": f"w{value}"}}, [])
        elif op == "remove":
            model.commit({}, [key] if key in model.rows else [])
        elif op == "bulk":
            changes = {f"k{i}": {"k": f"k{i}", "v": (i * (value or 1)) % 4, "w": "x"}
                       for i in range(key_number)}
            removed = [k for k in model.rows if k not in changes] if flag else []
            model.commit(changes, removed)
        elif op == "sort":
            model.set_sort(None if value is None else "vw"[value % 2], flag)
        else:
            model.set_filter("" if value is None else str(value), (
                lambda k, row: row["v"] != 0) if flag else None)
        if model.stale:
            _drain(model.rebuild_steps(sliced=flag))
        patched = [model.key_at(i) for i in range(len(model))]
        _drain(model.rebuild_steps())
        rebuilt = [model.key_at(i) for i in range(len(model))]
        assert patched == rebuilt
        for index, key in enumerate(rebuilt):
            assert model.index_of(key) == index


def test_sliced_sort_of_many_runs_matches_a_plain_sort() -> None:
    columns = [Column("v", "V"), Column("w", "W")]
    sliced, plain = TableModel(columns), TableModel(columns)
    rows = {f"k{i}": {"v": (i * 7919) % 503 if i % 11 else None, "w": f"W{(i * 31) % 97}"}
            for i in range(35_000)}  # several runs of RUN_SIZE, ties and Nones
    for model, is_sliced in ((sliced, True), (plain, False)):
        model.commit(rows, [])
        _drain(model.rebuild_steps())
        model.set_sort("v", False)
        _drain(model.rebuild_steps(sliced=is_sliced))
    keys = sliced.window(0, 35_000)
    assert keys == plain.window(0, 35_000)
    assert keys == sorted(rows, key=lambda k: (rows[k]["v"] is None, rows[k]["v"] or 0,
                                               int(k[1:])))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9)), min_size=1, max_size=6), st.integers(1, 5))
def test_sliced_merge_is_a_stable_merge(runs: list[list[int]], piece: int) -> None:
    """Runs of any sizes, with ties within and across runs, cut into pieces of any size:
    the merge is sorted() of their concatenation (stable: an earlier run wins ties)."""
    values: dict[str, int] = {}
    sorted_runs = []
    for number, run in enumerate(runs):
        keys = [f"r{number}.{i}" for i in range(len(run))]
        values.update(zip(keys, sorted(run)))
        sorted_runs.append((keys, [values[key] for key in keys]))
    steps = merge_runs(sorted_runs, piece)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            merged = done.value
            break
    assert merged == sorted(values, key=values.__getitem__)  # insertion order: run order


def test_the_model_keeps_marks_of_present_rows_only() -> None:
    model = TableModel([Column("k", "K")])
    model.commit({"a": {"k": 1}, "b": {"k": 2}}, [])
    model.toggle_mark("a")
    model.toggle_mark("b")
    model.toggle_mark("b")
    assert model.marks == {"a"} and not model.drop_gone_marks()
    model.commit({}, ["a"])
    assert model.drop_gone_marks() and model.marks == set()


def test_row_texts_tick_reports_only_the_live_cells_whose_text_changed() -> None:
    clock = Clock()
    model = TableModel(COLUMNS, clock)
    model.commit({"k01": make_row(1), "k02": make_row(2, end=2000)}, [])
    texts = model.texts
    assert texts.cells("k01")[:2] == ("k01", "name 1") and texts.cells("k01")[4] == ""
    assert texts.tick(["k01", "k02"], clock()) == [(0, 4), (1, 4)]  # first sight: all
    assert texts.live_cells("k01")[1] == ("1:01",)
    assert texts.tick(["k01", "k02"], clock()) == []  # the same texts: nothing to paint
    assert texts.tick(["k02", "k01"], clock() + 1) == [(0, 4), (1, 4)]
    assert set(texts.live) == {"k01", "k02"}
    assert texts.tick(["k02"], clock() + 1) == [] and set(texts.live) == {"k02"}
    texts.forget_live({"k02"})
    assert texts.live == {}


async def test_a_narrow_table_shows_the_most_important_columns_that_fit() -> None:
    """Too narrow for every column: the most important (lowest priority) ones that fit,
    in their order; clicks, 's' and painting follow what is shown; wider, all of them."""
    priorities = {"id": 1, "name": 5, "status": 2, "n": 4, "left": 3}
    columns = [Column(**{**{f: getattr(c, f) for f in c.__dataclass_fields__},
                         "priority": priorities[c.key]}) for c in COLUMNS]
    table = CountingTable(columns, clock=Clock())
    table.set_rows(make_rows(10))
    app = TableApp(table)
    async with app.run_test(size=(30, 12)) as pilot:
        await pilot.pause()
        assert [c.key for c in table.shown_columns()] == ["id", "status", "left"]
        header = line_text(table, 0)
        assert header.split() == ["ID", "Status", "Left"] and len(header) == 30
        assert line_text(table, 1).split() == ["k00", "closed", "1:00"]
        assert not table.show_horizontal_scrollbar
        await pilot.press("s", "s", "s")  # the columns shown only
        assert [m.column for m in app.of(LiveTable.Sorted)] == ["id", "status", "left"]
        await pilot.click(LiveTable, offset=(header.index("Status") + 1, 0))
        assert table.sort_column == "status"
        await pilot.resize_terminal(80, 12)
        await pilot.pause()
        assert [c.key for c in table.shown_columns()] == ["id", "name", "status", "n", "left"]
        assert [w for w in line_text(table, 0).split() if w != "▲"] == [
            "ID", "Name", "Status", "N", "Left"]


def test_a_sliced_sort_with_a_short_last_run_takes_no_long_step() -> None:
    """100 003 rows: the last run holds 3. Choosing where to cut the runs must not sort
    a sample of every value (one step as long as a whole sort)."""
    from akool_tui.tui.widgets.table_order import RUN_SIZE, sort_steps

    count = 20 * RUN_SIZE + 3
    keys = [f"k{i}" for i in range(count)]
    values = [f"v{(i * 7919) % 100_003:06d}" for i in range(count)]  # all different
    steps = sort_steps(keys, values, True)
    longest = 0.0
    while True:
        started = time.thread_time()
        try:
            next(steps)
        except StopIteration as done:
            ordered = done.value
            break
        longest = max(longest, time.thread_time() - started)
    assert ordered == [key for _, key in sorted(zip(values, keys))]
    # CPU time: a step ~1.5 ms here; sorting a sample of every value made one of ~9 ms
    assert longest < 0.005, f"a step took {longest * 1000:.1f} ms"
