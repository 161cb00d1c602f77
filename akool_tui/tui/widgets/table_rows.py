"""The columns and rows of a :class:`~akool_tui.tui.widgets.live_table.LiveTable` (no
Textual here): what a cell's text is, how it is made safe to paint, how a live column
computes its value; the row sets a table accepts, comparing one with the rows held, and
the record of what one update changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Literal

from ...core.text import CELL, safe
from .table_order import SLICE, chunks

Row = Mapping[str, Any]
RowsInput = Mapping[str, Row] | Iterable[tuple[str, Row]]
RowFilter = Callable[[str, Row], bool]


def utc_now() -> datetime:
    """The default clock for live columns."""
    return datetime.now(UTC)


def default_format(value: Any) -> str:
    return value if type(value) is str else str(value)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a :class:`LiveTable`.

    Attributes:
        key: Key of the value in each row mapping (and the column's id).
        label: Header text.
        width: Fixed width in cells, or ``None`` to fit the widest value shown so far
            (between ``min_width`` and ``max_width``).
        align: "left", "center" or "right".
        sort_key: ``sort_key(row)`` gives the value to sort by; ``None`` sorts by the cell
            value (the computed value for live columns).  ``None`` values sort last.
        style: ``style(value, row)`` gives a style for the cell: a Rich ``Style``, a style
            string that may use theme variables (``"$success bold"``,
            ``"$text on $error"``), or ``None``.
        formatter: ``formatter(value)`` gives the cell text (``None`` always shows as "").
        live: The value is computed from the row and the clock, and re-rendered every
            second for the visible rows (countdowns).
        compute: ``compute(row, now)`` for live columns.
        searchable: Whether the filter text looks at this column (default: not live).
        sortable: Whether the column can be sorted by.
        priority: Lower is more important: when the table is too narrow for every
            column, it shows the most important ones that fit (in their order) and
            hides the rest until it is wider again.
        sort_values: Optional, for speed: ``sort_values(rows)`` gives, for a list of
            rows, the list of the values a sort compares (what ``sort_key(row)`` gives,
            or the cell value without one), as one call instead of one per row. It
            must give the same values; if it raises, the rows are read one by one.
        cell_values: Optional, for speed: ``cell_values(rows)`` gives, for a list of
            rows, each one's value of this column (``row.get(key)``) in one call: the
            filter reads 100 000 of them when the search texts are not built. It must
            give the same values; if it raises, the rows are read one by one.
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    max_width: int = 40
    align: Literal["left", "center", "right"] = "left"
    sort_key: Callable[[Row], Any] | None = None
    style: Callable[[Any, Row], Any] | None = None
    formatter: Callable[[Any], str] = default_format
    live: bool = False
    compute: Callable[[Row, Any], Any] | None = None
    searchable: bool | None = None
    sortable: bool = True
    priority: int = 0
    sort_values: Callable[[list[Row]], list[Any]] | None = None
    cell_values: Callable[[list[Row]], list[Any]] | None = None

    def values_of(self, rows: Sequence[Row]) -> list[Any]:
        """Each row's value of this column (``row.get(key)``), in bulk when it can."""
        if self.cell_values is not None:
            try:
                values = self.cell_values(list(rows))
            except Exception:  # noqa: BLE001 - the rows are read one by one instead
                values = None
            if values is not None and len(values) == len(rows):
                return values
        key = self.key
        try:
            return list(map(itemgetter(key), rows))
        except Exception:  # noqa: BLE001 - a row without the key (or an odd mapping)
            return [row.get(key) for row in rows]

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("Column key must not be empty")
        if self.align not in ("left", "center", "right"):
            raise ValueError(f"Column {self.key!r}: align must be left, center or right")
        if self.width is not None and self.width < 1:
            raise ValueError(f"Column {self.key!r}: width must be at least 1")
        if not 1 <= self.min_width <= self.max_width:
            raise ValueError(f"Column {self.key!r}: need 1 <= min_width <= max_width")
        if self.live and self.compute is None:
            raise ValueError(f"Column {self.key!r}: a live column needs compute(row, now)")

    @property
    def is_searchable(self) -> bool:
        return (not self.live) if self.searchable is None else self.searchable

    def text(self, value: Any) -> str:
        """The formatter's text for a value, as it is (what the filter searches);
        a failing formatter falls back to ``str``."""
        if value is None:
            return ""
        if self.formatter is default_format:
            return value if type(value) is str else str(value)
        try:
            return str(self.formatter(value))
        except Exception:  # noqa: BLE001 - odd data from the API must not crash the table
            return str(value)

    def format(self, value: Any) -> str:
        """Cell text for a value: :meth:`text` made safe to paint (values come from the
        API: no control, bidi or invisible character) and at most ``core.text.CELL``
        characters long, so that a 1 MB name is never laid out. ``safe``'s fast path is
        inlined: this runs for the cells of 100 000-row tables."""
        text = self.text(value)
        return text if len(text) <= CELL and text.isprintable() else safe(text, limit=CELL)

    def value(self, row: Row, now: Any) -> Any:
        """The cell value: the row's value, or the computed one for live columns."""
        if self.compute is not None:
            try:
                return self.compute(row, now)
            except Exception:  # noqa: BLE001 - a user callable on API data
                return None
        return row.get(self.key)


def normalise_rows(rows: RowsInput) -> Mapping[str, Row]:
    """Accept a mapping or (key, row) pairs; later pairs win on duplicate keys."""
    if isinstance(rows, Mapping):
        return rows
    try:
        return dict(rows)
    except (TypeError, ValueError) as error:
        raise TypeError(f"rows must be a mapping or (key, row) pairs: {error}") from None


def diff_rows(
    held: Mapping[str, Row], rows: Mapping[str, Row], full: bool, changes: dict[str, Row],
    removed: list[str],
) -> Iterator[None]:
    """Compare ``rows`` with the rows ``held``, without changing anything.

    Fills ``changes`` (key -> the new row, for changed and new keys) and, when
    ``full``, ``removed`` (keys not in ``rows``).  Yields between slices.
    """
    # Work on key lists, not item tuples: 100 000 live tuples would wake the
    # garbage collector's full (slow) generation in the middle of a load.
    get = held.get
    for chunk in chunks(list(rows), SLICE):
        for key in [key for key in chunk if get(key) != rows[key]]:
            row = rows[key]
            if type(row) is not dict and not isinstance(row, Mapping):
                raise TypeError(f"row {key!r} must be a mapping, not {type(row).__name__}")
            changes[key] = row
        yield
    if full:
        for chunk in chunks(list(held), SLICE * 4):
            removed.extend([key for key in chunk if key not in rows])
            yield


class Delta:
    """What one update changed.

    ``old`` maps every changed or added key to its previous row (``None`` when new);
    ``removed`` maps removed keys to their last row; ``moved`` says whether the visible
    order may have changed (rows appeared, vanished or moved).
    """

    __slots__ = ("moved", "old", "removed")

    def __init__(self) -> None:
        self.old: dict[str, Row | None] = {}
        self.removed: dict[str, Row] = {}
        self.moved = False

    def __bool__(self) -> bool:
        return bool(self.old or self.removed or self.moved)
