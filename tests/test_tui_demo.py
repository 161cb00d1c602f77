"""`akool-tui --demo`: the console paints before the simulator exists, then loads it."""

from __future__ import annotations

import asyncio

from akool_tui.cli.starters import demo_placeholder as _demo_placeholder
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
        page = await (await app.ctx.client()).list_sessions(page=1, size=5)
        assert page.count == 30
        assert len(started) == 1


async def test_the_palette_switches_the_demo_simulators_faults(simulator_factory):
    import httpx
    from textual.command import CommandList
    from textual.widgets import Input

    from tui_helpers import fill, wait_for

    sim = simulator_factory(sessions=20, churn=False)
    cfg = demo_config(sim)
    cfg.refresh_interval = 1.0
    app = AkoolApp(cfg, demo=True, watch_tty=False)

    def server_error_rate() -> float:
        with httpx.Client(base_url=sim.base_url, headers={"x-api-key": "demo"}) as http:
            return http.get("/sim/faults").json()["data"]["error_rate"]

    async with app.run_test(size=(120, 34)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.table.row_count == 20, "sessions")

        async def palette(command: str) -> None:
            await pilot.press("ctrl+p")
            commands = app.screen.query_one(CommandList)
            await fill(pilot, app.screen.query_one(Input), command)
            await wait_for(pilot, lambda: commands.option_count > 0 and command in str(
                commands.get_option_at_index(0).prompt).lower(), "the search hit")
            await pilot.press("enter")

        await palette("simulate server errors")
        await wait_for(pilot, lambda: app.ctx.demo_faults.get("error_rate") == 0.6, "faults on")
        assert server_error_rate() == 0.6
        # the refresh fails, backs off and says so in the status line
        await wait_for(pilot, lambda: screen.loop.state.consecutive_errors > 0
                       and "errors" in screen.status.build().plain, "errors shown", timeout=15)
        await palette("stop server errors")
        await wait_for(pilot, lambda: app.ctx.demo_faults.get("error_rate") == 0.0, "faults off")
        assert server_error_rate() == 0.0
        screen.loop.trigger()
        await wait_for(pilot, lambda: screen.loop.state.consecutive_errors == 0, "recovered",
                       timeout=15)
        assert screen.table.row_count == 20  # nothing was lost meanwhile
