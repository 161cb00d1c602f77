"""``core.fields.ago`` remembers the texts of past ages: the same text humanize gives, for
any age, asked once or again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import humanize
from hypothesis import given
from hypothesis import strategies as st

from akool_tui.core.fields import UNKNOWN, ago

NOW = datetime(2026, 3, 2, 9, 26, tzinfo=UTC)


@given(st.timedeltas(min_value=timedelta(days=-800), max_value=timedelta(days=800)))
def test_ago_reads_as_humanize_says_also_the_second_time(age: timedelta) -> None:
    expected = humanize.naturaltime(age)
    assert ago(NOW - age, NOW) == expected
    assert ago(NOW - age, NOW) == expected
    # another time of the same whole second (the remembered text must still hold)
    assert ago(NOW - age + timedelta(microseconds=1), NOW) == humanize.naturaltime(
        age - timedelta(microseconds=1))


def test_ago_unknown() -> None:
    assert ago(None, NOW) == UNKNOWN and ago(NOW, None) == UNKNOWN
