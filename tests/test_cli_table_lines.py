"""``sessions list``'s table formats each line with one ``%`` and cuts its trailing
spaces only when a line can have some: the same text as formatting each line with
``str.format`` and cutting them, whatever the cells hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from akool_tui.cli.output import TableBuilder
from akool_tui.core.fields import SESSION_FIELDS, table_fields

_CELL = st.text(alphabet=st.sampled_from(list("ab %{}-") + ["\u00e9", "\u6771", "\u2026"]),
                max_size=12)


def reference(builder: TableBuilder, rows: list[tuple[float, tuple[str, ...]]]) -> list[str]:
    """How the table was written before: str.format per line, then rstrip."""
    shown = table_fields(SESSION_FIELDS)
    headers = [f.label.upper() for f in shown]
    ordered = [cells for _, cells in sorted(rows, key=lambda r: r[0], reverse=True)]
    widths = [max([len(h), *(len(c[i]) for c in ordered)]) for i, h in enumerate(headers)]
    template = "  ".join(f"{{:{'>' if f.align == 'right' else '<'}{w}}}"
                         for f, w in zip(shown, widths, strict=True))
    return [template.format(*cells).rstrip() for cells in [headers, *ordered]]


@given(st.lists(st.tuples(st.integers(0, 3).map(float), st.tuples(*[_CELL] * 7)), max_size=9))
@settings(max_examples=300, deadline=None)
def test_lines_are_the_table_formatted_line_by_line(rows) -> None:
    builder = TableBuilder(SESSION_FIELDS, None, key=lambda r: 0, fit=False)
    builder.add_rows(rows)
    expected = reference(builder, rows)
    assert list(builder.lines()) == expected


def test_a_last_cell_ending_in_a_space_is_cut_as_before() -> None:
    builder = TableBuilder(SESSION_FIELDS, None, key=lambda r: 0, fit=False)
    builder.add_rows([(1.0, ("a", "b", "c", "d", "e", "f", "10m ")), (0.0, ("a",) * 7)])
    lines = list(builder.lines())
    assert lines[1].endswith("f           10m") and lines[2].endswith("a              a")
