"""The front ends' adapters of the field catalogue: LiveTable columns (console) and
plain-text tables and details (CLI) read the same Field entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from akool_tui.api.models import Session, SessionStatus
from akool_tui.cli.output import record_details, records_table
from akool_tui.core.fields import SESSION_FIELDS, Field, row_of, table_fields
from akool_tui.tui.fields import columns_from_fields

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SESSION = Session(id="65f0c2a19886cb4e3b7d2a10", status=SessionStatus.PROCESSING,
                  stream_type="agora", avatar_id="av1", duration=600,
                  create_time=NOW - timedelta(minutes=4))


def test_columns_follow_the_fields_live_formatted_sorted_and_styled() -> None:
    columns = columns_from_fields(SESSION_FIELDS, styles={"status": {"live": "$status-live"}})
    assert [c.key for c in columns] == [f.key for f in table_fields(SESSION_FIELDS)]
    by_key = {c.key: c for c in columns}
    row = row_of(table_fields(SESSION_FIELDS), SESSION)
    # what the table paints is the field's cell text
    assert by_key["id"].format(row["id"]) == "3b7d2a10"
    assert by_key["duration"].format(row["duration"]) == "10m"
    assert by_key["avatar"].format(row["avatar"]) == "av1"
    # live fields are computed from the row and the clock
    assert by_key["left"].live and by_key["left"].value(row, NOW) == "6:00"
    assert by_key["created"].value(row, NOW) == "4 minutes ago"
    assert not by_key["status"].live and by_key["left"].width == 8
    assert by_key["left"].align == "right"
    # sort keys come from Field.sort, on the row's value
    assert by_key["created"].sort_key(row) == SESSION.create_time.timestamp()
    assert by_key["left"].sort_key(row) == SESSION.expires_at.timestamp()
    # the status colours stay in the console, as a value -> style map
    assert by_key["status"].style("live", row) == "$status-live"
    assert by_key["status"].style("closed", row) is None and by_key["avatar"].style is None


def test_a_new_field_is_one_entry_for_both_front_ends() -> None:
    extra = Field("uid", "User", lambda s: s.uid or "u7", width=4)
    fields = [*SESSION_FIELDS, extra]
    assert columns_from_fields(fields)[-1].label == "User"
    table = records_table(fields, [SESSION], NOW)
    assert table.splitlines()[0].split()[-1] == "USER"
    assert table.splitlines()[1].endswith("u7")
    assert record_details(fields, SESSION, NOW).splitlines()[-1].split() == ["User:", "u7"]


def test_cli_table_and_details_read_the_catalogue() -> None:
    negative = Session(id="se2", status=SessionStatus.PROCESSING, duration=-600,
                       create_time=NOW - timedelta(minutes=4))
    lines = records_table(SESSION_FIELDS, [SESSION, negative], NOW).splitlines()
    assert lines[0].split() == ["ID", "STATUS", "LEFT", "AVATAR", "CREATED", "STREAM",
                                "DURATION"]
    assert lines[1].split()[:3] == ["3b7d2a10", "live", "6:00"]
    assert lines[1].endswith("10m")
    assert lines[2].endswith("invalid") and "-10m" not in lines[2]
    shown = record_details(SESSION_FIELDS, SESSION, NOW,
                           extra=[("credentials.token", "••••abcd")]).splitlines()
    assert shown[0].split() == ["ID:", SESSION.id]  # the whole id in a detail view
    assert "Duration: 10m" in [" ".join(line.split()) for line in shown]
    assert shown[-1].split() == ["credentials.token:", "••••abcd"]
    details = record_details(SESSION_FIELDS, negative, NOW)
    assert "invalid" in details and "Expires" not in details and "Avatar" not in details
