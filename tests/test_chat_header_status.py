"""The chat's session picker follows the session: a session created with ctrl+n reads
"(queueing)" only until it is live (Pilot against the real simulator)."""

from __future__ import annotations

from akool_tui.core.ids import short_id
from test_tui_chat import SIZE, make_app, open_chat
from tui_helpers import screen_text, wait_for


def picker_line(app, sid: str) -> str:
    return next((line for line in screen_text(app).splitlines()
                 if short_id(sid) in line and "▼" in line), "")


async def test_the_picker_leaves_queueing_once_the_new_session_is_live(simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=3.0)
    app = make_app(sim)
    async with app.run_test(size=SIZE) as pilot:
        chat = await open_chat(pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: chat._session_id is not None, "created")
        sid = chat._session_id
        await wait_for(pilot, lambda: "(queueing)" in picker_line(app, sid), "queueing shown")
        await wait_for(pilot, lambda: sim.state.session_status(sid) == 2, "live on the server",
                       timeout=10)
        await wait_for(pilot, lambda: picker_line(app, sid)
                       and "(queueing)" not in picker_line(app, sid), "the picker follows",
                       timeout=8)
