"""Under a read-only profile the chat does not offer what it would refuse: no "create one
(ctrl+n)" in its hints, its picker or the note a line typed without a session gets."""

from __future__ import annotations

import pytest
from tui_helpers import (
    isolated_home,  # noqa: F401 (an autouse fixture)
    running,
    screen_text,
    start_simulator,
    type_text,
    wait_for,
)

from akool_tui.config import load_config
from akool_tui.tui.app import AkoolApp

pytestmark = pytest.mark.asyncio


@pytest.fixture
def sim():
    running_sim = start_simulator(sessions=0, api_key="key-cccc-3333")
    yield running_sim
    running_sim.stop()


def app_for(tmp_path, sim, read_only: bool) -> AkoolApp:
    path = tmp_path / "config.toml"
    path.write_text(f"""\
refresh_interval = 60.0

[profiles.prod]
base_url = "{sim.base_url}"
api_key = "key-cccc-3333"
read_only = {str(read_only).lower()}
""")
    return AkoolApp(load_config(path, env={}, profile="prod"), watch_tty=False)


@pytest.mark.parametrize("read_only", [True, False])
async def test_the_chat_offers_creating_a_session_only_when_it_may(sim, tmp_path, read_only):
    app = app_for(tmp_path, sim, read_only)
    async with running(app) as (pilot, messages):
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ChatScreen")
        chat = app.screen
        await wait_for(pilot, lambda: "No open sessions" in screen_text(app), "listed")
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "No session: pick one" in screen_text(app), "the note")
        shown = "\n".join(e.text for e in chat.transcript.entries) + screen_text(app)
        assert ("create one" in shown) is not read_only
        assert ("ctrl+n" in shown or "^n" in shown) is not read_only
        assert "Pick a live session (ctrl+o)" in shown
