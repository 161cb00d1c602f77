"""TableModel's filter passes, interrupted anywhere: whatever keystrokes, sorts and row
changes arrive while a pass runs (and whether or not a preview was shown), the order it
ends with is the rows that match the final text, in the final sort."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_order import sortable
from akool_tui.tui.widgets.table_rows import Column

import akool_tui.tui.widgets.table_filter as table_filter
import akool_tui.tui.widgets.table_model as table_model

COLUMNS = [Column("id", "ID"), Column("name", "Name"), Column("n", "N")]
WORDS = ["ab", "abc", "b", "ca", "bca", "a"]


def row(i: int, word: str) -> dict[str, Any]:
    return {"id": f"k{i:03d}", "name": f"{word} {i % 7}", "n": (i * 7) % 11}


def expected(model: TableModel) -> list[str]:
    needle = model.filter_text.casefold()
    keys = [key for key, r in model.rows.items()
            if needle in "\x00".join(str(r[c.key]) for c in COLUMNS).casefold()]
    if model.sort_column is not None:
        name = model.sort_column.key
        keys.sort(key=lambda key: sortable(model.rows[key][name], False))  # stable: seq
    return keys[::-1] if model.reverse else keys


action = st.one_of(
    st.tuples(st.just("type"), st.sampled_from("abc ")),
    st.tuples(st.just("back"), st.just(None)),
    st.tuples(st.just("sort"), st.sampled_from([None, "name", "n"]), st.booleans()),
    st.tuples(st.just("change"), st.integers(0, 79), st.sampled_from(WORDS)),
    st.tuples(st.just("remove"), st.integers(0, 79)),
    st.tuples(st.just("steps"), st.integers(0, 6), st.booleans()),
)


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=80, max_size=80),
       actions=st.lists(action, max_size=25))
def test_interrupted_filter_passes_end_with_the_final_texts_rows(
        words: list[str], actions: list[tuple[Any, ...]]) -> None:
    table_model.INCREMENTAL_LIMIT = 256
    old_slice = table_filter.SLICE
    table_filter.SLICE = 7  # many small steps for 80 rows
    try:
        model = TableModel(COLUMNS)
        model.commit({f"k{i:03d}": row(i, w) for i, w in enumerate(words)}, [])
        for _ in model.rebuild_steps():
            pass
        text, steps = "", None
        for act in actions:
            kind = act[0]
            if kind == "type":
                text += act[1]
            elif kind == "back":
                text = text[:-1]
            if kind in ("type", "back") and model.set_filter(text, None):
                steps = model.rebuild_steps(sliced=True)  # the running pass is dropped
            elif kind == "sort":
                if model.set_sort(act[1], act[2]):
                    steps = model.rebuild_steps(sliced=True)
            elif kind == "change":
                model.commit({f"k{act[1]:03d}": row(act[1], act[2])}, [])
                if model.stale:
                    steps = model.rebuild_steps(sliced=True)
            elif kind == "remove":
                model.commit({}, [f"k{act[1]:03d}"])
                if model.stale:
                    steps = model.rebuild_steps(sliced=True)
            elif kind == "steps" and steps is not None:
                for _ in range(act[1]):
                    if next(steps, StopIteration) is StopIteration:
                        steps = None
                        break
                    if act[2]:
                        model.take_preview(3)
        if steps is not None:
            for _ in steps:
                pass
        if model.stale:
            for _ in model.rebuild_steps(sliced=True):
                pass
        keys = [model.key_at(i) for i in range(len(model))]
        assert keys == expected(model)
    finally:
        table_filter.SLICE = old_slice
