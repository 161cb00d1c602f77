"""LiveTable columns made from the field catalogue (:mod:`akool_tui.core.fields`).

    COLUMNS = columns_from_fields(SESSION_FIELDS, styles={"status": STATUS_STYLES})
    table.set_rows((s.id, row_of(table_fields(SESSION_FIELDS), s)) for s in sessions)

A row holds each table field's value (``Field.get``) under the field's key. A live
field (the text changes with the clock) becomes a live column computing
``field.cell(value, now)`` every second; any other field's cell text is
``field.cell(value, None)``; ``field.sort`` gives the column's sort key. What only the
console knows, the colours, stays here: ``styles`` maps a field key to a
``{value: style}`` map or a ``style(value, row)`` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.fields import Field, table_fields, text_cell
from .widgets.table_model import Column, Row

#: per field key: ``{value: style}`` or ``style(value, row)`` (a Rich style or a style
#: string with theme variables, ``"$status-live bold"``)
Styles = Mapping[str, Mapping[Any, str] | Callable[[Any, Row], Any]]


def _style(spec: Mapping[Any, str] | Callable[[Any, Row], Any] | None):
    if spec is None or callable(spec):
        return spec
    styles = dict(spec)
    return lambda value, _row: styles.get(value)


def column_of(field: Field[Any], *, style: Mapping[Any, str] | Callable[[Any, Row], Any]
              | None = None) -> Column:
    """One LiveTable column for ``field``."""
    key, cell, sort = field.key, field.cell, field.sort
    options: dict[str, Any] = {}
    if field.live:
        options["compute"] = lambda row, now: cell(row.get(key), now)
    elif cell is not text_cell:  # the plain text keeps the table's fast path
        options["formatter"] = lambda value: cell(value, None)
    if sort is not None:
        options["sort_key"] = lambda row: sort(row.get(key))
    return Column(key, field.label, width=field.width, align=field.align, live=field.live,
                  priority=field.priority, style=_style(style), **options)


def columns_from_fields(fields: Sequence[Field[Any]], *, styles: Styles | None = None
                        ) -> list[Column]:
    """The LiveTable columns of the table fields of ``fields``, in order."""
    styles = styles or {}
    return [column_of(f, style=styles.get(f.key)) for f in table_fields(fields)]
