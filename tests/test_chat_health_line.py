"""The chat's health line fits one row: the transcript above it does not jump a row
when a figure grows or a reconnect is counted (tester pass 3, C2)."""

from __future__ import annotations

import re

from akool_tui.core.chat_health import Figure
from akool_tui.tui.widgets.chat_health import health_text

TREND = (300.0, 400.0, 1300.0, 350.0, 900.0, 420.0, 380.0, 500.0)


def figures(*, audio: float = 600.0, reconnects: float = 0, queued: float = 0) -> list[Figure]:
    return [
        Figure("first", "1st part", "ms", 350.0, TREND),
        Figure("audio", "audio", "ms", audio, TREND),
        Figure("fin", "fin", "ms", 3800.0, TREND),
        Figure("ack", "ack", "ms", 60.0, TREND),
        Figure("reconnects", "reconnects", "", reconnects,
               (0.0,) * 7 + (reconnects,)),
        Figure("queued", "queued", "", queued, (0.0,) * 7 + (queued,)),
    ]


def test_grown_values_stay_on_one_row_at_120_columns():
    text = health_text(figures(audio=138_300.0, reconnects=2), 118)
    assert text.cell_len <= 118
    assert "audio 138.3 s" in text.plain and "reconnects 2" in text.plain
    assert re.search("1st part 350 ms [▁-█]{4}", text.plain)  # the first keeps its trend


def test_a_reconnect_at_80_columns_stays_on_one_row_with_the_first_trend():
    text = health_text(figures(reconnects=1), 78)
    assert text.cell_len <= 78
    assert "reconnects 1" in text.plain
    assert re.search("1st part 350 ms [▁-█]{4}", text.plain)
    assert "queued 0" not in text.plain  # a count at zero is what goes first


def test_queued_lines_are_never_left_out():
    for width in (118, 78, 60):
        assert "queued 3" in health_text(figures(reconnects=1, queued=3), width).plain


def test_a_wide_terminal_shows_every_figure_with_full_trends():
    text = health_text(figures(), 200)
    assert "queued 0" in text.plain and "reconnects 0" in text.plain
    assert text.plain.count("█") >= 4
