"""Each column's sorted order, kept between sorts (no Textual here).

Sorting 100 000 rows by a column reads every row's value and sorts them: 40-110 ms of
CPU, most of a sort's time until it is painted. The rows change little between two
sorts (a refresh tick touches a few), so the model keeps, for each column it sorted
every row by, that full ascending order (:class:`OrderCache`), and the keys of the rows
that changed since (``dirty``). Sorting by that column again takes the kept order, drops
the changed rows from it and puts them back where their values now belong (a bisect
each): a few ms instead of a sort. A column whose changed rows pass ``DIRTY_LIMIT`` is
dropped, and sorted in full the next time.

The order is the one a full sort gives: ascending by (value as
:func:`.table_order.sortable` orders it, insertion number), so ties keep insertion order.
Columns whose sort value depends on the clock (a live column without its own
``sort_key``) are never kept: their order moves with time. Nor is an order whose values
were of mixed types (compared as text): a sort finds that out again each time.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .table_rows import Column

#: changed rows a kept order takes back in (a bisect and an insertion each, ~30-60 us
#: at 100 000 rows); past this the order is dropped and the next sort sorts in full
DIRTY_LIMIT = 256


def keepable(column: Column) -> bool:
    """Whether ``column``'s order can be kept: its sort values do not depend on the clock."""
    return column.compute is None or column.sort_key is not None


@dataclass(slots=True)
class Kept:
    """One column's full ascending order, and the rows changed since it was made."""

    order: list[str]
    dirty: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Watch:
    """The rows changed while a sort ahead runs (``spoiled``: too many, or every kept
    order was dropped meanwhile)."""

    keys: set[str] = field(default_factory=set)
    spoiled: bool = False


class OrderCache:
    """The kept orders of a model's columns, by column key."""

    def __init__(self, limit: int = DIRTY_LIMIT) -> None:
        self.kept: dict[str, Kept] = {}
        self.limit = limit
        #: columns a sort ahead found values of mixed types in: not sorted ahead again
        #: until the kept orders are dropped (see :mod:`.table_presort`)
        self.mixed: set[str] = set()
        #: the sorts ahead running, each noting the rows changed meanwhile
        self.watches: list[Watch] = []

    def __contains__(self, column_key: str) -> bool:
        return column_key in self.kept

    def clear(self) -> None:
        self.kept.clear()
        self.mixed.clear()
        for watch in self.watches:
            watch.spoiled = True

    def watch(self) -> Watch:
        """Note the rows that change from now on, until :meth:`unwatch` (a sort ahead:
        its order takes them back in when it is used, as a kept order's)."""
        watch = Watch()
        self.watches.append(watch)
        return watch

    def unwatch(self, watch: Watch) -> None:
        self.watches.remove(watch)

    def note(self, changed: Collection[str], removed: Collection[str] = ()) -> None:
        """Rows were added, changed or removed: each kept order takes them back in when
        it is next used (or is dropped if too many changed)."""
        if not (self.kept or self.watches) or not (changed or removed):
            return
        if len(changed) + len(removed) > self.limit:
            self.clear()
            return
        keys = {*changed, *removed}
        for watch in self.watches:
            watch.keys |= keys
            watch.spoiled = watch.spoiled or len(watch.keys) > self.limit
        for column_key, kept in list(self.kept.items()):
            kept.dirty |= keys
            if len(kept.dirty) > self.limit:
                del self.kept[column_key]

    def put(self, column_key: str, order: list[str], dirty: Collection[str] = ()) -> None:
        """``order``: every row, ascending by the column (it is kept, not copied: the
        model may patch it in place as its visible order, which a later take undoes
        and redoes for the rows noted meanwhile); ``dirty``: rows that changed while
        it was sorted (they may be out of place: taken back in like later changes)."""
        self.kept[column_key] = Kept(order, set(dirty))

    def take(self, column_key: str, rows: dict[str, Any],
             order_key: Callable[[str], Any]) -> list[str] | None:
        """The column's full order as the rows are now; None if it is not kept (or the
        changed rows' values no longer compare: then it is dropped).

        ``order_key(key)``: the model's order key of a row for the column."""
        kept = self.kept.get(column_key)
        if kept is None:
            return None
        if not kept.dirty:
            return kept.order
        dirty = kept.dirty
        order = [key for key in kept.order if key not in dirty]
        try:
            for key in dirty:
                if key in rows:
                    insort(order, key, key=order_key)
        except TypeError:  # values of mixed types now: the next sort compares as text
            del self.kept[column_key]
            return None
        self.kept[column_key] = Kept(order)
        return order
