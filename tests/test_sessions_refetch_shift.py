"""A full refetch while sessions arrive. AKool lists sessions newest first, so a page read
later starts further back; when the pages in flight come back out of order, the sessions
at one page's end are on no page read. Taken for gone, they left the table until the
next full refetch, minutes later (3-11 of 10 000 per refetch in the soak's churn)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from hostile_server import HostileServer

from akool_tui.api.client import AkoolClient
from akool_tui.core.session_sync import MAX_DETAIL_LOOKUPS, SessionTracker
from akool_tui.simulator.app import create_app
from akool_tui.simulator.config import SimulatorConfig
from akool_tui.simulator.state import SimulatorState

LIST = "/api/open/v4/liveAvatar/session/list"


class PagesOutOfOrder:
    """The simulator behind a network that answers page 2 of the full list after page 3,
    with ``arrive`` new sessions started in between (while ``armed``)."""

    def __init__(self, state: SimulatorState, arrive: int) -> None:
        self.app, self.state, self.arrive = create_app(state.cfg, state), state, arrive
        self.armed = False
        self.page3_done = asyncio.Event()
        self.shifted = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not (self.armed and scope["type"] == "http" and scope["path"] == LIST):
            return await self.app(scope, receive, send)
        query = parse_qs(scope["query_string"].decode())
        page = query.get("page", ["1"])[0] if "status" not in query else ""
        if page == "2":
            await asyncio.wait_for(self.page3_done.wait(), 20)
            self.shifted = True
        await self.app(scope, receive, send)
        if page == "3":
            avatar = next(a.avatar_id for a in self.state.avatars.values()
                          if a.platform == "open")
            for _ in range(self.arrive):
                self.state.create_session(avatar, 600)
            self.page3_done.set()


async def refetch_while_sessions_arrive(sessions: int, arrive: int):
    state = SimulatorState(SimulatorConfig(seed=1, sessions=sessions, avatars=12, churn=False,
                                           max_concurrent=1000))
    app = PagesOutOfOrder(state, arrive)
    server = HostileServer(app=app).start()
    try:
        async with AkoolClient(server.base_url, api_key="demo", backoff_base=0.01) as client:
            tracker = SessionTracker()
            tracker.apply(await tracker.fetch_all(client))
            before = set(tracker.sessions)
            app.armed = True
            delta = await tracker.fetch_all(client)
            tracker.apply(delta)
            assert app.shifted  # page 2 came back after page 3, further back
            app.armed = False
            return tracker, before, delta, client, server
    except BaseException:
        server.stop()
        raise


async def test_sessions_on_no_page_read_stay_in_the_table():
    tracker, before, delta, _, server = await refetch_while_sessions_arrive(250, 5)
    server.stop()
    assert len(before) == 250
    assert delta.removed == []
    assert before <= set(tracker.sessions)  # the 5 at page 2's old end too
    assert not tracker.unconfirmed  # each was looked up
    # the old end of the order is still the oldest (the tail check reads it)
    times = [tracker.sessions[sid].create_time for sid in tracker.order]
    assert times == sorted(times, reverse=True)


async def test_more_than_can_be_looked_up_are_kept_once_then_confirmed():
    arrive = MAX_DETAIL_LOOKUPS + 10
    tracker, before, delta, _, server = await refetch_while_sessions_arrive(300, arrive)
    try:
        assert delta.removed == [] and before <= set(tracker.sessions)
        assert len(tracker.unconfirmed) == 10  # kept without a look-up, this once
        async with AkoolClient(server.base_url, api_key="demo", backoff_base=0.01) as client:
            tracker.apply(await tracker.fetch_all(client))  # pages in order now
        assert before <= set(tracker.sessions) and not tracker.unconfirmed
        assert len(tracker.sessions) == 300 + arrive
    finally:
        server.stop()
