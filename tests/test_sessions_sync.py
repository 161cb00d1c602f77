"""Keeping 100 000 sessions in sync cheaply: unchanged records stay the objects already
held, a refetch applies only what changed, the first load shows page 1 first, the full
refetch gets rarer as it gets dearer, and what users see change still shows in one tick.
"""

from __future__ import annotations

from akool_tui.api.client import AkoolClient
from akool_tui.api.models import Session
from akool_tui.core.session_sync import (
    FIRST_LOAD_PAGE,
    FULL_COST_FACTOR,
    FULL_REFRESH_EVERY,
    FULL_REFRESH_MAX_GAP,
    SessionTracker,
)
from tui_helpers import start_simulator

RECORD = {"_id": "7c9f3bc49ef89f78e776a5cf", "uid": 439563, "type": 2, "status": 2,
          "stream_type": "agora", "avatar_id": "dvp_Rafael_cloth1_1080P", "duration": 3600,
          "create_time": 1795965380961,
          "credentials": {"agora_uid": 384404, "agora_app_id": "a6a3", "agora_channel": "c",
                          "agora_token": "007eJx"}}


def client_for(sim) -> AkoolClient:
    return AkoolClient(sim.base_url, api_key=sim.cfg.api_key, backoff_base=0.01)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def load(tracker: SessionTracker, client: AkoolClient) -> None:
    while not tracker.loaded:
        tracker.apply(await tracker.fetch(client))


def test_an_unchanged_record_is_the_session_already_held() -> None:
    held = Session.from_api(RECORD)
    with Session.reusing({held.id: held}):
        assert Session.from_api(dict(RECORD)) is held
        changes = {"status": 3, "duration": 60, "type": 1, "uid": 7, "avatar_id": "x",
                   "stream_type": "trtc", "create_time": 1795965380962,
                   "credentials": {**RECORD["credentials"], "agora_token": "new"}}
        for key, value in changes.items():
            fresh = Session.from_api({**RECORD, key: value})
            assert fresh is not held and fresh != held, key  # every change is seen
        unknown = Session.from_api({**RECORD, "extra_field": 1})  # kept, as it was
        assert unknown is not held and unknown.extra == {"extra_field": 1}
        # odd but equal shapes are built, never taken for another record
        assert Session.from_api({**RECORD, "status": "2"}) == held
        assert Session.from_api({**RECORD, "_id": "other"}).id == "other"
    assert Session.from_api(dict(RECORD)) is not held  # only inside the block


async def test_a_full_refetch_of_an_unchanged_account_applies_nothing(simulator_factory):
    sim = simulator_factory(sessions=250)
    tracker = SessionTracker()
    async with client_for(sim) as client:
        await load(tracker, client)
        before = dict(tracker.sessions)
        delta = await tracker.fetch_all(client)
    assert delta.full and delta.sessions == []
    assert tracker.apply(delta) == [] and delta.removed == []
    assert len(tracker.sessions) == 250
    assert all(tracker.sessions[k] is v for k, v in before.items())


async def test_the_first_load_shows_the_newest_page_then_every_page(simulator_factory):
    sim = simulator_factory(sessions=250)
    tracker = SessionTracker()
    async with client_for(sim) as client:
        first = await tracker.fetch(client)
        assert not first.full and first.more and first.total == 250
        newest = [s.id for s in (await client.list_sessions(page=1, size=FIRST_LOAD_PAGE)).result]
        assert [s.id for s in first.sessions] == newest
        tracker.apply(first)
        assert not tracker.loaded and len(tracker.sessions) == FIRST_LOAD_PAGE
        rest = await tracker.fetch(client)
        assert rest.full and len(rest.sessions) == 250 - FIRST_LOAD_PAGE  # page 1 reused
        tracker.apply(rest)
    assert tracker.loaded and len(tracker.sessions) == 250


async def test_the_full_refetch_waits_longer_when_it_costs_more(simulator_factory):
    sim = simulator_factory(sessions=120)
    clock = Clock()
    tracker = SessionTracker(clock=clock)
    async with client_for(sim) as client:
        await load(tracker, client)
        tracker.full_cost = 0.3  # a 10 000-session account: minutes apart, not 1
        assert tracker.full_gap == 0.3 * FULL_COST_FACTOR >= 120
        for _ in range(FULL_REFRESH_EVERY + 2):  # 70 s of 5 s ticks: all incremental
            clock.now += 5
            delta = await tracker.fetch(client)
            assert not delta.full
            tracker.apply(delta)
        clock.now = tracker.full_at + tracker.full_gap
        assert (await tracker.fetch(client)).full
        tracker.full_cost = 0.01  # a small account: every FULL_REFRESH_EVERY ticks
        tracker.apply(await tracker.fetch_all(client))
        ticks = 0
        while not (delta := await tracker.fetch(client)).full:
            tracker.apply(delta)
            ticks += 1
        assert ticks == FULL_REFRESH_EVERY - 1
        tracker.full_cost = 600.0  # however dear, at most FULL_REFRESH_MAX_GAP apart
        tracker.apply(await tracker.fetch_all(client))
        clock.now += FULL_REFRESH_MAX_GAP
        assert (await tracker.fetch(client)).full
        tracker.apply(await tracker.fetch_all(client))
        tracker.request_full()  # ctrl+r
        assert (await tracker.fetch(client)).full


async def test_sessions_closed_or_expired_elsewhere_show_in_one_tick() -> None:
    """The bound: a change to an open session shows on the next tick, whenever the
    next full refetch is due."""
    sim = start_simulator(frozen=True, sessions=60)
    try:
        clock = Clock()
        tracker = SessionTracker(clock=clock)
        async with client_for(sim) as client:
            await load(tracker, client)
            tracker.full_cost = 2.0  # the next full refetch is 600 s away
            live = sorted(tracker.open_ids)
            assert len(live) >= 3
            await client.close_session(live[0])  # closed by someone else
            clock.now += 5
            delta = await tracker.fetch(client)
            assert not delta.full
            tracker.apply(delta)
            assert tracker.sessions[live[0]].status_label == "closed"
            sim.state.clock.advance(24 * 3600)  # every open session runs out
            clock.now += 5
            tracker.apply(await tracker.fetch(client))
            assert not tracker.open_ids
            assert all(tracker.sessions[sid].status_label == "closed" for sid in live)
    finally:
        sim.stop()

