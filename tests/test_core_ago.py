"""``core.fields.ago`` keeps humanize's texts by what they depend on (the table asks for
every row in view every second): every answer is humanize's own, for every second
around each rounding edge, past and future, and for days up to years."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import humanize
import pytest

from akool_tui.core import fields
from akool_tui.core.fields import UNKNOWN, ago

NOW = datetime(2026, 3, 2, 9, 26, tzinfo=timezone.utc)


def spans() -> list[timedelta]:
    seconds = set(range(0, 7300))  # every second of the first two hours
    for edge in range(0, 2 * 86400 + 1, 30):  # every half minute of two days, +-2 s
        seconds.update(range(max(0, edge - 2), edge + 3))
    seconds.update(range(0, 2 * 86400, 7))
    out = [timedelta(seconds=s, microseconds=m) for s in sorted(seconds) for m in (0, 400_000)]
    out += [timedelta(days=d, seconds=s) for d in range(1, 1200) for s in (0, 43_199, 86_399)]
    return out


@pytest.mark.parametrize("sign", [1, -1])
def test_every_answer_is_humanizes_own(sign):
    fields._AGO.clear()
    for repeat in range(2):  # computed, then from the cache
        for span in spans():
            when = NOW - sign * span
            assert ago(when, NOW) == humanize.naturaltime(NOW - when), (span, sign, repeat)


def test_the_cache_stays_small_and_unknowns_stay_unknown():
    fields._AGO.clear()
    for s in range(0, 30 * 86400, 11):
        ago(NOW - timedelta(seconds=s), NOW)
    assert len(fields._AGO) <= fields._AGO_MAX
    assert ago(None, NOW) == UNKNOWN and ago(NOW, None) == UNKNOWN
    assert ago(datetime.min.replace(tzinfo=timezone.utc),
               datetime.max.replace(tzinfo=timezone.utc)) == UNKNOWN  # humanize overflows
