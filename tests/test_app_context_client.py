"""The console's first callers of ``app.ctx.client()`` (the sessions' refresh, the
credits, a dialog) share one client: each used to make its own (an SSL context and a
connection pool each, ~30 ms of CPU more before the first rows), and all but one were
closed again."""

from __future__ import annotations

import asyncio

from akool_tui.api import client as client_module
from akool_tui.demo import demo_config
from akool_tui.tui.context import AppContext


async def test_concurrent_first_callers_share_one_client(simulator, monkeypatch):
    made = []
    real = client_module.AkoolClient

    class Counted(real):  # a real client, counted
        def __init__(self, *args, **kwargs):
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(client_module, "AkoolClient", Counted)
    ctx = AppContext(demo_config(simulator))
    waiting = [asyncio.create_task(ctx.client()) for _ in range(3)]
    await asyncio.sleep(0)  # all three wait for the first frame
    ctx.painted.set()
    clients = await asyncio.gather(*waiting)
    try:
        assert len(made) == 1
        assert clients[0] is clients[1] is clients[2] is made[0]
        page = await clients[0].list_sessions(page=1, size=5)  # and it works
        assert page.count == 40
    finally:
        for client in made:
            await client.aclose()
