"""Each column of the sessions table sorts a big table (sliced: runs merged) in the order
its values say, read from the sessions themselves (status labels, time left of the open
ones, times, durations), both ways, with a filter or without."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from akool_tui.api.models import Session, SessionStatus
from akool_tui.core.fields import SESSION_FIELDS
from akool_tui.core.ids import short_id
from akool_tui.tui.screens.sessions import COLUMNS
from akool_tui.tui.screens.sessions_load import SessionRow
from akool_tui.tui.widgets.table_model import TableModel

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
INF = float("inf")


def sessions(count: int) -> list[Session]:
    statuses = [*SessionStatus, None]
    out = []
    for i in range(count):
        created = None if i % 17 == 0 else NOW - timedelta(seconds=(i * 7919) % 9000)
        duration = None if i % 13 == 0 else -10 if i % 29 == 0 else 60 * (i % 50)
        out.append(Session(
            id=f"{(i * 2654435761) % 10**9:012d}{i:04d}", status=statuses[(i * 7) % 5],
            stream_type=("agora", "LiveKit", "", "trtc")[i % 4],
            avatar_id=("Anna", "anna", "", "bob", "Ünal", "Straße")[i % 6],
            duration=duration, create_time=created))
    return out


def left(s: Session) -> float:
    end = s.expires_at if s.is_open else None
    return end.timestamp() if end is not None else INF


EXPECTED = {
    "id": lambda s: short_id(s.id).casefold(),
    "status": lambda s: s.status_label.casefold(),
    "left": left,
    "avatar": lambda s: s.avatar_id.casefold(),
    "created": lambda s: s.create_time.timestamp() if s.create_time else -INF,
    "stream": lambda s: s.stream_type.casefold(),
    "duration": lambda s: s.duration if s.duration is not None else -1,
}


def shown(model: TableModel) -> list[str]:
    return [model.key_at(i) for i in range(len(model))]


def test_every_column_sorts_a_big_table_by_the_sessions_values() -> None:
    found = sessions(12_000)  # more than two runs of a sliced sort
    by_id = {s.id: s for s in found}
    model = TableModel(COLUMNS, clock=lambda: NOW)
    model.commit({s.id: SessionRow(s) for s in found}, [])
    assert {c.key for c in COLUMNS if c.sortable} == set(EXPECTED)
    for needle in ("", "anna"):
        model.set_filter(needle, None)
        for column in COLUMNS:
            want = sorted((s.id for s in found if needle in (
                f"{short_id(s.id)} {s.status_label} {s.avatar_id} {s.stream_type}".casefold())),
                key=lambda sid, key=EXPECTED[column.key]: key(by_id[sid]))  # ties: as added
            for reverse in (False, True):
                model.set_sort(column.key, reverse)
                for _ in model.rebuild_steps(sliced=True):
                    pass
                assert shown(model) == (want[::-1] if reverse else want), (column.key, reverse)
            model.set_sort(None, False)


def test_the_status_column_reads_each_sessions_status_label() -> None:
    status = next(f for f in SESSION_FIELDS if f.key == "status")
    for value in [*SessionStatus, None]:
        session = Session(id="x", status=value)
        assert status.get(session) == session.status_label


def test_the_sessions_columns_read_their_values_in_bulk_as_row_by_row() -> None:
    rows = [SessionRow(s) for s in sessions(300)]
    for column in COLUMNS:
        if column.cell_values is not None:
            assert column.values_of(rows) == [row.get(column.key) for row in rows], column.key
    broken = replace(COLUMNS[0], cell_values=lambda found: 1 / 0)
    assert broken.values_of(rows) == [row.get(broken.key) for row in rows]


def test_a_cold_filter_of_a_big_sessions_table_finds_what_the_built_texts_find() -> None:
    found = sessions(25_000)
    model = TableModel(COLUMNS, clock=lambda: NOW)
    model.commit({s.id: SessionRow(s) for s in found}, [])
    for _ in model.rebuild_steps():
        pass
    for needle in ("anna", "live", "10m", "STRASSE", "0001"):
        model.texts.search.clear()  # right after a load: no text built
        model.set_filter(needle, None)
        for _ in model.rebuild_steps(sliced=True):
            pass
        got = shown(model)
        want = [s.id for s in found if needle.casefold() in model.texts.search_text(s.id)]
        assert got == want and got, needle
        model.set_filter("", None)
        for _ in model.rebuild_steps(sliced=True):
            pass
