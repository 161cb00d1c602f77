"""CLI tables on a terminal: one very long name (the API takes any length) widened every
row to 256 columns and more (tester 8, F4). Cut to the column's cap with an ellipsis on
a terminal; ids are never cut; a pipe keeps the texts whole, --json has them all."""

from __future__ import annotations

from akool_tui.api.models import Avatar, AvatarStatus
from akool_tui.cli.output import TableBuilder
from akool_tui.core.fields import AVATAR_FIELDS

LONG = "N" * 5_000
AVATAR_ID = "a" * 60


def rows(fit: bool) -> list[str]:
    builder = TableBuilder(AVATAR_FIELDS, None, fit=fit)
    builder.add([Avatar(AVATAR_ID, LONG, status=AvatarStatus.SUCCESS),
                 Avatar("short", "Brand host", status=AvatarStatus.SUCCESS)])
    return list(builder.lines())


def test_on_a_terminal_a_long_name_is_cut_and_ids_stay_whole():
    lines = rows(fit=True)
    assert max(len(line) for line in lines) < 200
    assert AVATAR_ID in lines[1] and "N" * 31 + "\u2026" in lines[1]
    assert "Brand host" in lines[2] and len(lines[2]) < 200


def test_a_pipe_keeps_the_texts_as_before():
    lines = rows(fit=False)
    assert "N" * 256 not in lines[1] and "N" * 200 in lines[1]  # the CELL cut, as before
