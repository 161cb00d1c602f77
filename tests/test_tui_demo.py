"""`akool-tui --demo`: the console paints before the simulator exists, then loads it."""

from __future__ import annotations

import asyncio

from akool_tui.cli import _demo_placeholder
from akool_tui.config import Config
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp


async def test_deferred_demo_starts_once_after_first_frame_and_loads_sessions(simulator_factory):
    started = []

    def starter() -> Config:
        sim = simulator_factory(sessions=30)
        started.append(sim)
        return demo_config(sim)

    app = AkoolApp(_demo_placeholder(Config()), demo_starter=starter, watch_tty=False)
    assert app.demo
    async with app.run_test(size=(120, 34)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while app.screen.query("LiveTable") and app.screen.table.row_count < 30:
            assert loop.time() < deadline, "demo sessions never appeared"
            await pilot.pause(0.05)
        assert len(started) == 1
        assert app.config.base_url == started[0].base_url
        # the client and every later use go to the started simulator, never the placeholder
        page = await app.client.list_sessions(page=1, size=5)
        assert page.count == 30
        assert len(started) == 1
