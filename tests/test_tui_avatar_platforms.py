"""The avatars screen lists both platforms (the open API's and AKool's web app's), each
row saying which; against the real simulator over loopback (Pilot)."""

from __future__ import annotations

import asyncio

from akool_tui.api.client import AkoolClient
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_loaded,
)


async def test_avatars_screen_shows_open_and_web_app_avatars_with_their_platform(
        shared_sim, tmp_path):
    client = AkoolClient(base_url=shared_sim.base_url, api_key=shared_sim.cfg.api_key)
    try:
        mine, web = await asyncio.gather(client.list_all_avatars("open"),
                                         client.list_all_avatars("aigc"))
    finally:
        await client.aclose()
    assert mine and web
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        await pilot.press("2")
        screen = await wait_loaded(pilot)
        keys = set(screen._avatars)
        assert {a.avatar_id for a in [*mine, *web]} <= keys
        assert screen.record(web[0].avatar_id).platform == "aigc"
        assert screen.record(mine[0].avatar_id).platform == "open"
        text = screen_text(app)
        assert "Platform" in text and "web app" in text and "open API" in text
        assert f"({len(web)} from the web app)" in screen.status.build().plain
