"""A server that keeps a bounded history drops its oldest ended sessions: the table must
not keep them until the next full refetch (minutes apart at 10 000 sessions), and must
not drop a session the server still lists."""

from __future__ import annotations

from akool_tui.api.client import AkoolClient
from akool_tui.core.session_sync import SessionTracker
from akool_tui.core.sessions_tail import MAX_GONE, MIN_TAIL, tail_page_size


def client_for(sim) -> AkoolClient:
    return AkoolClient(sim.base_url, api_key=sim.cfg.api_key, backoff_base=0.01)


async def load(tracker: SessionTracker, client: AkoolClient) -> None:
    while not tracker.loaded:
        tracker.apply(await tracker.fetch(client))


async def server_ids(client: AkoolClient) -> set[str]:
    return {s.id for s in await client.list_all_sessions()}


def start_and_retire(sim, started: int) -> None:
    """``started`` new sessions, then one steady-churn step: as many oldest ended
    sessions retired (the account's count stays the same)."""
    avatar = next(a.avatar_id for a in sim.state.avatars.values() if a.platform == "open")
    for _ in range(started):
        sim.state.create_session(avatar, 60)
    sim.state.churn_step()


async def test_sessions_the_server_retired_leave_on_the_next_incremental_tick(
        simulator_factory):
    sim = simulator_factory(sessions=250, steady_churn=True)
    tracker = SessionTracker()
    async with client_for(sim) as client:
        await load(tracker, client)
        oldest_open = [sid for sid in reversed(tracker.order) if sid in tracker.open_ids][:3]
        start_and_retire(sim, 3)
        listed = await server_ids(client)
        assert len(listed) == 250
        delta = await tracker.fetch(client)
        assert not delta.full  # one page from the old end told which, not every page
        tracker.apply(delta)
        assert set(tracker.sessions) == listed
        assert len(delta.removed) >= 3 and not set(delta.removed) & listed
        assert all(sid in tracker.sessions for sid in oldest_open)  # open ones stay
        # and again, with more sessions started than the first page held
        start_and_retire(sim, 30)
        tracker.apply(await tracker.fetch(client))
        assert set(tracker.sessions) == await server_ids(client)


async def test_a_lower_count_the_old_end_cannot_explain_takes_every_page(simulator_factory):
    sim = simulator_factory(sessions=250)
    tracker = SessionTracker()
    async with client_for(sim) as client:
        await load(tracker, client)
        newest = tracker.order[5]  # not at the old end: the tail page cannot see it go
        with sim.state._lock:  # noqa: SLF001 - a deletion in the middle of the list
            rec = sim.state.sessions.pop(newest)
            sim.state._ordered.remove(rec)  # noqa: SLF001
            for settled in sim.state._settled.values():  # noqa: SLF001
                if rec in settled:
                    settled.remove(rec)
        delta = await tracker.fetch(client)
        assert delta.full
        tracker.apply(delta)
        assert newest not in tracker.sessions and len(tracker.sessions) == 249


def test_the_tail_page_holds_enough_of_the_oldest() -> None:
    for count in [*range(101, 3_000), 9_999, 10_000, 10_007, 100_003]:
        for want in range(MIN_TAIL, MAX_GONE + 1):
            size = tail_page_size(count, want)
            assert size is not None and want <= size <= 100
            assert count % size == 0 or count % size >= want
    assert tail_page_size(40, 20) == 40
