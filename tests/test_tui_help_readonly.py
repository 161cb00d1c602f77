"""The help screen (`?`) under a read-only profile: the keys the guard refuses stay
listed (pressing one says why it does nothing) but dimmed and marked "(read-only)";
the keys that only look are listed as usual. Against the real simulator."""

from __future__ import annotations

from akool_tui.tui.screens.help import HelpScreen
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_for,
    wait_loaded,
)


async def help_rows(pilot) -> dict[str, tuple[str, str]]:
    """binding id -> (action text, its style) as the help table shows them."""
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
    await pilot.pause()
    table = pilot.app.screen.query_one("#help-table")
    rows = {}
    for i in range(table.row_count):
        _, bid, text = table.get_row_at(i)
        rows[str(bid)] = (str(text), str(getattr(text, "style", "")))
    return rows


async def test_help_marks_refused_keys_in_a_read_only_profile(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, read_only=True, profile="watch")
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        rows = await help_rows(pilot)
        for bid in ("sessions.new", "sessions.close"):
            text, style = rows[bid]
            assert text.endswith("(read-only)") and "dim" in style, (bid, rows[bid])
        text, style = rows["sessions.filter"]
        assert "read-only" not in text and "dim" not in style
        assert "profile 'watch' is read-only" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("2")  # avatars: upload is refused too
        await wait_loaded(pilot)
        rows = await help_rows(pilot)
        assert rows["avatars.upload"][0].endswith("(read-only)")


async def test_help_marks_nothing_in_a_writable_profile(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        rows = await help_rows(pilot)
        assert rows["sessions.new"][0] and not [r for r in rows.values()
                                                if "read-only" in r[0] or "dim" in r[1]]
        assert "read-only" not in screen_text(app)
