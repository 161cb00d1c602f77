"""Sorting a :class:`~akool_tui.tui.widgets.table_model.TableModel`'s visible order in
steps (no Textual here).

The model's work is written as generators of steps so that the widget can run it at
once or in slices that yield to the event loop; a sort of 100 000 rows is sorted runs
merged pairwise, each merge in slices, so that no step blocks for long.
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
#: A sliced rebuild sorts runs of this many rows, then merges them pairwise.
RUN_SIZE = 5_000


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge(
    first: list[str], second: list[str], key: Callable[[str], Any], step: int = RUN_SIZE,
) -> Iterator[None]:
    """Stable merge of two sorted lists (``first`` wins ties), a slice per step.

    Each step sorts a piece made of a stretch of each list that belongs together (found
    with bisect); timsort merges such a piece of two sorted runs in one pass, in C.
    """
    out: list[str] = []
    a = b = 0
    while a < len(first):
        a_end = min(a + step, len(first))
        b_end = (len(second) if a_end == len(first)
                 else bisect_left(second, key(first[a_end]), b, key=key))
        if b_end - b > step:  # a long stretch of ``second`` comes first: cut it
            b_end = b + step
            a_end = bisect_right(first, key(second[b_end]), a, a_end, key=key)
        piece = first[a:a_end] + second[b:b_end]
        piece.sort(key=key)
        out.extend(piece)
        a, b = a_end, b_end
        yield
    out.extend(second[b:])
    return out


def sortable(value: Any, as_text: bool) -> tuple[Any, ...]:
    """The order of one value: ``None`` last, text case-insensitive.

    ``TableModel._sorted`` orders whole lists the same way without the tuples.
    """
    if value is None:
        return (1,)
    if as_text:
        return (0, str(value).casefold())
    return (0, value.casefold() if type(value) is str else value)


def sort_steps(keys: list[str], normal: dict[str, Any], sliced: bool) -> Iterator[None]:
    """``keys`` sorted by ``normal[key]``, stably (ties keep the order given: the
    insertion order the model's (value, seq) order key expects). ``sliced``: in runs of
    ``RUN_SIZE`` merged pairwise, a step each, so that no step takes long."""
    key = normal.__getitem__
    if not sliced or len(keys) <= RUN_SIZE:
        keys.sort(key=key)
        return keys
    # Sort runs, then merge them two by two, each merge in slices.
    runs = []
    for start in range(0, len(keys), RUN_SIZE):
        runs.append(sorted(keys[start : start + RUN_SIZE], key=key))
        yield
    while len(runs) > 1:
        merged = []
        for index in range(0, len(runs) - 1, 2):
            merged.append((yield from merge(runs[index], runs[index + 1], key)))
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    return runs[0]


def _normalise(chunk: Sequence[str], raws: list[Any], as_text: bool, normal: dict[str, Any],
               nones: list[str]) -> None:
    """One slice's values as :func:`sortable` orders them (``None`` set aside)."""
    for key, raw in zip(chunk, raws, strict=True):
        if raw is None:
            nones.append(key)
        elif as_text:
            normal[key] = str(raw).casefold()
        else:
            normal[key] = raw.casefold() if type(raw) is str else raw


def sorted_keys(
    keys: list[str], rows: Mapping[str, Row], column: Column,
    value: Callable[[Row], Any], as_text: bool, sliced: bool,
    mixed: Callable[[], None],
) -> Iterator[None]:
    """``keys`` (in seq order) sorted by ``column`` like :func:`sortable` would, ties by
    seq; ``value(row)`` is the value sorted by. Values of mixed types are compared as
    text (``mixed()`` is called: from then on the model compares them so too)."""
    plain = column.sort_key is None and column.compute is None
    get, name = rows.get, column.key
    normal: dict[str, Any] = {}
    nones: list[str] = []
    for chunk in chunks(keys, SLICE):
        if plain:  # the common case, without a call per row
            raws = [None if (row := get(key)) is None else row.get(name) for key in chunk]
        else:
            raws = [None if (row := get(key)) is None else value(row) for key in chunk]
        types = set(map(type, raws))
        if not as_text and types == {str}:  # the common case, in C
            normal.update(zip(chunk, map(str.casefold, raws)))
        elif not as_text and str not in types and NoneType not in types:
            normal.update(zip(chunk, raws))
        else:
            _normalise(chunk, raws, as_text, normal, nones)
        yield
    rest = list(normal)
    try:
        ordered = yield from sort_steps(rest, normal, sliced)
    except TypeError:  # values of mixed types: compare them as text
        mixed()
        text = {key: str(value(rows[key])).casefold() for key in rest if key in rows}
        ordered = yield from sort_steps(list(text), text, sliced)
    return ordered + nones
