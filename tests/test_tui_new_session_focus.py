"""The new-session dialog at 80x24 walked with tab, as a keyboard user does: the fields
in the order they are shown (the Advanced section's title after the knowledge base, then
its fields when it is open, then Create and Cancel), the dialog's body no tab stop, and
every field in view when it has the focus -- not hidden behind the docked buttons."""

from __future__ import annotations


from akool_tui.config import SessionDefaults
from akool_tui.tui.screens.common import DialogFoot
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    open_advanced,
    open_new_session,
    running,
    shared_sim,
    wait_for,
)

SMALL = (80, 24)


def name(widget) -> str:
    return widget.id or type(widget).__name__


async def walk(pilot, stop_at: str = "avatar", limit: int = 80,
               places: dict[str, tuple[bool, int, int]] | None = None) -> list[str]:
    """Tab until ``stop_at`` has the focus; each field must be in view when focused.
    ``places`` gets where each stands in the dialog: (in the foot, row, column)."""
    app = pilot.app
    body = app.screen.query_one("#new-session")
    foot = app.screen.query_one(DialogFoot)
    order: list[str] = []
    for _ in range(limit):
        await pilot.press("tab")
        widget = app.focused
        in_foot = foot in widget.ancestors
        # scrolled clear of the docked foot (the scroll may take a refresh)
        await wait_for(pilot, lambda w=widget: in_foot or (
            body.content_region.contains_region(w.region)
            and not foot.region.overlaps(w.region)), f"{name(widget)} in view", timeout=3)
        order.append(name(widget))
        if places is not None:
            places[order[-1]] = (in_foot, widget.region.y + round(body.scroll_y),
                                 widget.region.x)
        if order[-1] == stop_at:
            return order
    raise AssertionError(f"never reached {stop_at}: {order}")


async def test_tab_follows_the_fields_and_shows_each_at_80x24(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, demo=True,
                   defaults=SessionDefaults(stream_type="agora"))
    async with running(app, size=SMALL) as (pilot, _):
        modal = await open_new_session(pilot)
        assert name(app.focused) == "duration"
        assert modal.query_one("#new-session").scroll_y == 0  # the title stays in view
        order = await walk(pilot)
        assert order == ["stream", "mode", "voice", "language", "background", "knowledge",
                         "CollapsibleTitle", "create", "cancel", "avatar"], order


async def test_the_open_advanced_section_is_walked_in_order(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, demo=True,
                   defaults=SessionDefaults(stream_type="agora", turn_detection="server_vad"))
    async with running(app, size=SMALL) as (pilot, _):
        modal = await open_new_session(pilot)
        await open_advanced(pilot, modal)
        modal.query_one("#byo").value = True  # own room: its credentials show too
        await pilot.pause()
        modal.query_one("#avatar").focus()
        await pilot.pause()
        places: dict[str, tuple[bool, int, int]] = {}
        order = await walk(pilot, stop_at="cancel", places=places)
        advanced = order[order.index("CollapsibleTitle") + 1:order.index("create")]
        for wid in ("scene", "speed", "turn-threshold", "turn-silence", "eleven-key",
                    "eleven-boost", "byo", "byo-agora-token"):
            assert wid in advanced, (wid, order)
        # as they stand top to bottom (left to right on a row), the docked buttons last
        assert order == sorted(order, key=places.__getitem__), order
