"""A filter's scan of many rows whose search texts are not built yet (no Textual here).

The filter matches a row when the needle is in its search text: the searchable columns'
texts joined by ``"\\x00"`` and casefolded (:meth:`.table_cells.RowTexts.search_text`).
Building those texts for 100 000 rows (a join, a casefold and a dict entry a row) took
~150 ms of CPU, so the first keystroke typed right after a load waited for them. This
scan gives the same answer without them: column by column, a slice of rows at a time,
the column's texts are joined into one string, casefolded and split again in C, and
each is tested for the needle. A needle holds no ``"\\x00"`` (checked by the caller), so
it matches a joined text exactly when it matches one of its column texts; casefolding
maps each character on its own, so folding the joined string folds each text.
The row texts themselves are left to be built at idle (``table_search``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from bisect import bisect_right
from itertools import accumulate, compress, repeat
from operator import or_
from types import NoneType
from typing import TYPE_CHECKING, Any

from .table_rows import default_format

if TYPE_CHECKING:
    from .table_rows import Column, Row

#: rows of one column handled in one step (a few ms at 100 000 rows)
SCAN_SLICE = 20_000
#: a scan this big with at least this many texts missing scans by column
SCAN_FROM = 20_000
#: joins a slice's texts; a text holding it is tested on its own
SEPARATOR = "\x01"
#: fewer matches than one text in this many: found by position in the joined texts
FEW = 32
DIGITS = "0123456789-"


def column_texts(column: Column, rows: Sequence[Row], needle: str = "") -> list[str] | None:
    """The column's text of each row (``Column.text`` of the value), in bulk; None when
    none can hold ``needle`` (whole numbers, and a needle that is not one)."""
    return texts_of(column, column.values_of(rows), needle)


def texts_of(column: Column, values: list[Any], needle: str = "") -> list[str] | None:
    """``Column.text`` of each value, in bulk (None: as :func:`column_texts`). A
    formatter is called once per distinct value (a few durations or statuses among
    100 000 rows)."""
    types = set(map(type, values))
    if column.formatter is not default_format:
        if NoneType not in types:  # (None is "", not formatted)
            try:
                texts = _formatted(column.formatter, values)
            except Exception:  # noqa: BLE001 - ``Column.text`` says what each value gives
                pass
            else:
                return texts if set(map(type, texts)) <= {str} else list(map(str, texts))
        return [column.text(value) for value in values]
    if types <= {str}:
        return values
    if types == {int} and needle:
        # str() of an int is digits and a sign: no need to make 100 000 of them
        return None if needle.strip(DIGITS) else list(map(str, values))
    if NoneType not in types and str not in types:
        return list(map(str, values))
    return ["" if value is None else value if type(value) is str else str(value)
            for value in values]


def _formatted(formatter: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    try:
        distinct = set(values)
    except TypeError:  # unhashable values
        return list(map(formatter, values))
    if len(distinct) * 2 > len(values):
        return list(map(formatter, values))
    texts = {value: formatter(value) for value in distinct}
    return list(map(texts.__getitem__, values))


def matching(texts: list[str], needle: str) -> list[bool] | bytearray | None:
    """Whether each text, casefolded, holds ``needle`` (a needle without SEPARATOR);
    None when none does."""
    joined = SEPARATOR.join(texts)
    folded = joined.casefold()
    count = folded.count(needle)
    if not count:
        return None
    if count * FEW < len(texts) and len(folded) == len(joined):
        # a few matches: found in the joined text. Each character folded to one, so a
        # text's place in it is its place in ``joined``: text i ends before ends[i].
        ends = list(accumulate(map((1).__add__, map(len, texts))))
        hits = bytearray(len(texts))
        at = folded.find(needle)
        while at >= 0:
            hits[bisect_right(ends, at)] = 1
            at = folded.find(needle, at + 1)
        return hits
    parts = folded.split(SEPARATOR)
    if len(parts) != len(texts):  # a text holds the separator
        parts = [text.casefold() for text in texts]
    return list(map(str.__contains__, parts, repeat(needle)))


def scan_rows(rows: dict[str, Row], keys: list[str], columns: Sequence[Column],
              needle: str) -> Iterator[None]:
    """Those of ``keys`` whose rows' search texts hold ``needle`` (a set), a step per
    slice of one column. The rows as they are when it starts (the caller starts over
    if they change meanwhile). Most of the rows: all of them are read, in their memory
    (insertion) order, which is quicker than reading fewer in the order given."""
    if len(keys) * 2 >= len(rows):
        keys, values = list(rows), list(rows.values())
    else:
        keys = [key for key in keys if key in rows]
        values = list(map(rows.__getitem__, keys))
    found: set[str] = set()
    for start in range(0, len(keys), SCAN_SLICE):
        part = values[start : start + SCAN_SLICE]
        hit: Sequence[int] | None = None
        for column in columns:
            texts = column_texts(column, part, needle)
            col = None if texts is None else matching(texts, needle)
            if col is not None:
                hit = col if hit is None else list(map(or_, hit, col))
            yield
        if hit is not None:
            found.update(compress(keys[start : start + SCAN_SLICE], hit))
    return found
