"""The sessions table sorts by the same values whichever way it reads them: in bulk
(``Column.sort_values``, the fast path) or row by row (each column's ``sort_key`` or
cell value), for sessions with odd or missing fields too; and a table whose bulk
reading fails or is gone still sorts right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from akool_tui.api.models import Session, SessionStatus
from akool_tui.tui.screens.sessions import COLUMNS
from akool_tui.tui.screens.sessions_load import SessionRow
from akool_tui.tui.widgets.table_model import TableModel
from akool_tui.tui.widgets.table_rows import Column

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def odd_sessions() -> list[Session]:
    """Every status (and none), missing and out-of-range times and durations, ties."""
    sessions = []
    statuses = [*SessionStatus, None]
    for i in range(400):
        created = None if i % 17 == 0 else NOW - timedelta(seconds=(i * 7919) % 5000)
        duration = (None if i % 13 == 0 else -10 if i % 29 == 0
                    else 10**12 if i % 31 == 0 else 60 * (i % 7))
        sessions.append(Session(
            id=f"s{i:04d}", status=statuses[i % len(statuses)],
            stream_type=("agora", "livekit", "", "trtc")[i % 4],
            avatar_id=("Anna", "anna", "", "bob", "Ünal")[i % 5],
            duration=duration, create_time=created))
    return sessions


def per_row(column: Column, row: SessionRow) -> object:
    """What the table reads for one row without the bulk path."""
    if column.sort_key is not None:
        return column.sort_key(row)
    return row.get(column.key)


def test_every_column_reads_the_same_values_in_bulk_as_row_by_row() -> None:
    rows = [SessionRow(s) for s in odd_sessions()]
    bulk = [column for column in COLUMNS if column.sort_values is not None]
    # every column but a live one sorted by the clock reads in bulk
    assert {column.key for column in bulk} == {
        "id", "status", "left", "avatar", "created", "stream", "duration"}
    for column in bulk:
        assert column.sort_values(rows) == [per_row(column, row) for row in rows], column.key


def sorted_ids(columns: list[Column], rows: dict[str, SessionRow], key: str,
               reverse: bool) -> list[str]:
    model = TableModel(columns, clock=lambda: NOW)
    model.commit(rows, [])
    model.set_sort(key, reverse)
    for _ in model.rebuild_steps(sliced=True):
        pass
    return [model.key_at(i) for i in range(len(model))]


def test_a_sort_in_bulk_gives_the_order_of_a_sort_row_by_row() -> None:
    sessions = odd_sessions()  # 400 sessions, many ties: the order of ties shows
    rows = {s.id: SessionRow(s) for s in sessions}
    without = [Column(c.key, c.label, sort_key=c.sort_key, compute=c.compute, live=c.live)
               for c in COLUMNS]
    for column in COLUMNS:
        for reverse in (False, True):
            assert (sorted_ids(COLUMNS, rows, column.key, reverse)
                    == sorted_ids(without, rows, column.key, reverse)), column.key


def test_a_failing_or_short_bulk_reading_falls_back_to_row_by_row() -> None:
    rows = {f"k{i:05d}": {"v": (i * 31) % 97} for i in range(12_000)}  # sliced: 12 runs

    def broken(found: list) -> list:
        raise RuntimeError("odd data")

    expected = sorted(rows, key=lambda k: (rows[k]["v"], k))
    for bulk in (broken, lambda found: [0] * (len(found) - 1)):
        assert sorted_ids([Column("v", "V", sort_values=bulk)], rows, "v", False) == expected


def test_a_sort_after_a_row_changed_uses_its_new_value() -> None:
    sessions = {s.id: s for s in odd_sessions()}
    model = TableModel(COLUMNS, clock=lambda: NOW)
    model.commit({sid: SessionRow(s) for sid, s in sessions.items()}, [])
    model.set_sort("avatar", False)
    for _ in model.rebuild_steps(sliced=True):
        pass
    moved = Session(id="s0001", status=SessionStatus.COMPLETED, avatar_id="ÿÿ last")  # after "Ünal"
    model.commit({"s0001": SessionRow(moved)}, [])
    model.set_sort("duration", False)
    model.set_sort("avatar", False)
    for _ in model.rebuild_steps(sliced=True):
        pass
    assert model.key_at(len(model) - 1) == "s0001"


def test_the_status_quick_filter_keeps_the_rows_whose_status_reads_its_label() -> None:
    from akool_tui.tui.screens.sessions import STATUS_FILTERS
    from akool_tui.tui.screens.sessions_load import status_filter

    rows = {s.id: SessionRow(s) for s in odd_sessions()}
    for label in (*STATUS_FILTERS[1:], "unknown"):
        keep = status_filter(label)
        kept = {key for key, row in rows.items() if keep(key, row)}
        assert kept == {key for key, row in rows.items() if row["status"] == label}, label
        assert kept or label == "unknown"
