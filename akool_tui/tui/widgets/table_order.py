"""Sorting a :class:`~akool_tui.tui.widgets.table_model.TableModel`'s visible order in
steps (no Textual here).

The model's work is written as generators of steps so that the widget can run it at
once or in slices that yield to the event loop; a sort of 100 000 rows is sorted runs
merged in one pass, a slice of rows a step, so that no step blocks for long.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import NoneType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .table_rows import Column, Row

#: Rows handled between two yields of a step generator.
SLICE = 1000
#: A sliced rebuild sorts runs of this many rows, then merges them (:func:`merge_runs`).
RUN_SIZE = 5_000


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sortable(value: Any, as_text: bool) -> tuple[Any, ...]:
    """The order of one value: ``None`` last, text case-insensitive.

    ``TableModel._sorted`` orders whole lists the same way without the tuples.
    """
    if value is None:
        return (1,)
    if as_text:
        return (0, str(value).casefold())
    return (0, value.casefold() if type(value) is str else value)


def sort_steps(keys: list[str], values: list[Any], sliced: bool) -> Iterator[None]:
    """``keys`` sorted by their ``values`` (the same positions), stably: ties keep the
    order given (the insertion order the model's (value, seq) order key expects).

    Sorted through the values' positions, never through a dict: looking 100 000 keys
    up in a dict, in sorted (so random) memory order, cost more than sorting them.
    ``sliced``: in runs of ``RUN_SIZE`` (a step each) merged in one pass by
    :func:`merge_runs`, so that no step takes long."""
    if not sliced or len(keys) <= RUN_SIZE:
        return _by_values(keys, values)
    runs = []
    for start in range(0, len(keys), RUN_SIZE):
        run_values = values[start : start + RUN_SIZE]
        order = sorted(range(len(run_values)), key=run_values.__getitem__)
        run_keys = keys[start : start + RUN_SIZE]
        runs.append((list(map(run_keys.__getitem__, order)),
                     list(map(run_values.__getitem__, order))))
        yield
    return (yield from merge_runs(runs))


def _by_values(keys: list[str], values: list[Any]) -> list[str]:
    """``keys`` in the (stable) order of their ``values``."""
    return list(map(keys.__getitem__, sorted(range(len(values)), key=values.__getitem__)))


#: values sampled from each run to choose where :func:`merge_runs` cuts
SAMPLES_PER_RUN = 16


def merge_runs(runs: list[tuple[list[str], list[Any]]], piece: int = RUN_SIZE
               ) -> Iterator[None]:
    """Stable merge of sorted runs of (keys, their values), an earlier run winning
    ties, about ``piece`` rows a step, in one pass.

    The values are cut at pivots sampled from the runs: a step takes, from every run,
    the stretch below the next pivot (found with bisect) and sorts them together
    (timsort merges sorted stretches in C), then the stretches equal to the pivot,
    which are in order as they are. Each row is sorted once more, not once per level of
    a pairwise merge (at 100 000 rows that cost 2.5-5x a plain sort).
    """
    if len(runs) == 1:
        return runs[0][0]
    total = sum(len(keys) for keys, _ in runs)
    if not total:
        return []
    # (a short last run is sampled at the others' stride: not every value of them all)
    stride = max(1, max(len(keys) for keys, _ in runs) // SAMPLES_PER_RUN)
    sample = sorted([value for _, values in runs for value in values[::stride]])
    every = max(1, len(sample) * piece // total)
    out: list[str] = []
    starts = [0] * len(runs)
    last: Any = _NONE
    for pivot in sample[every::every]:
        if last is not _NONE and not last < pivot:
            continue  # the same pivot again: its rows went with the first
        last = pivot
        below_keys: list[str] = []
        below_values: list[Any] = []
        equal: list[str] = []
        for index, (keys, values) in enumerate(runs):
            start = starts[index]
            low = bisect_left(values, pivot, start)
            high = bisect_right(values, pivot, low)
            below_keys += keys[start:low]
            below_values += values[start:low]
            equal += keys[low:high]
            starts[index] = high
        out += _by_values(below_keys, below_values)
        out += equal
        yield
    rest_keys: list[str] = []
    rest_values: list[Any] = []
    for index, (keys, values) in enumerate(runs):
        rest_keys += keys[starts[index]:]
        rest_values += values[starts[index]:]
    out += _by_values(rest_keys, rest_values)
    return out


_NONE = object()


def _normalise(chunk: Sequence[str], raws: list[Any], as_text: bool, keys: list[str],
               values: list[Any], nones: list[str]) -> None:
    """One slice's values as :func:`sortable` orders them (``None`` set aside)."""
    for key, raw in zip(chunk, raws, strict=True):
        if raw is None:
            nones.append(key)
            continue
        keys.append(key)
        if as_text:
            values.append(str(raw).casefold())
        else:
            values.append(raw.casefold() if type(raw) is str else raw)


def _bulk_values(bulk: Callable[[list[Row]], list[Any]], chunk: Sequence[str],
                 rows: Mapping[str, Row], found: list[Row] | None) -> list[Any] | None:
    """A slice's sort values from the column's ``sort_values``, or None (then read
    row by row) if a row is gone or it failed. ``found``: the slice's rows, if known."""
    if found is None:
        if not all(map(rows.__contains__, chunk)):
            return None
        found = list(map(rows.__getitem__, chunk))
    try:
        values = bulk(found)
    except Exception:  # noqa: BLE001 - the row by row reading says what each row gives
        return None
    return values if len(values) == len(found) else None


def sorted_keys(
    keys: list[str], rows: Mapping[str, Row], column: Column,
    value: Callable[[Row], Any], as_text: bool, sliced: bool,
    mixed: Callable[[], None], every: list[Row] | None = None,
) -> Iterator[None]:
    """``keys`` (in seq order) sorted by ``column`` like :func:`sortable` would, ties by
    seq; ``value(row)`` is the value sorted by. Values of mixed types are compared as
    text (``mixed()`` is called: from then on the model compares them so too).
    ``every``: the rows of ``keys``, in that order, when the caller has them (a sort of
    every row: looking 100 000 keys up again cost 30-45 ms)."""
    plain = column.sort_key is None and column.compute is None
    get, name = rows.get, column.key
    kept: list[str] = []
    values: list[Any] = []
    nones: list[str] = []
    bulk = column.sort_values
    for start in range(0, len(keys), SLICE):
        chunk = keys[start : start + SLICE]
        found = None if every is None else every[start : start + SLICE]
        raws = None if bulk is None else _bulk_values(bulk, chunk, rows, found)
        if raws is None and plain:  # the common case, without a call per row
            raws = [None if (row := get(key)) is None else row.get(name) for key in chunk]
        elif raws is None:
            raws = [None if (row := get(key)) is None else value(row) for key in chunk]
        types = set(map(type, raws))
        if not as_text and types == {str}:  # the common case, in C
            kept += chunk
            values += map(str.casefold, raws)
        elif not as_text and str not in types and NoneType not in types:
            kept += chunk
            values += raws
        else:
            _normalise(chunk, raws, as_text, kept, values, nones)
        yield
    try:
        ordered = yield from sort_steps(kept, values, sliced)
    except TypeError:  # values of mixed types: compare them as text
        mixed()
        kept = [key for key in kept if key in rows]
        text = [str(value(rows[key])).casefold() for key in kept]
        ordered = yield from sort_steps(kept, text, sliced)
    return ordered + nones
