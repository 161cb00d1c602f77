"""A full refetch keeps one Session object per row: the one the table holds."""

from __future__ import annotations

from tui_helpers import make_app, refresh_now, running, shared_sim, wait_loaded  # noqa: F401


async def test_a_full_refetch_keeps_one_object_per_unchanged_session(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        table, tracker = screen.table, screen.tracker
        before = dict(tracker.sessions)
        open_id = next(sid for sid, s in before.items() if s.is_open)
        shared_sim.state.close_session(open_id)  # one session changes on the server
        tracker.request_full()  # the next tick refetches everything
        await refresh_now(pilot, messages)
        await pilot.pause()
        assert not table.pending
        for sid, session in tracker.sessions.items():
            assert table.get_row(sid)["left"] is session  # one copy, shared with the table
        unchanged = [sid for sid in before if sid != open_id and sid in tracker.sessions]
        assert unchanged and all(tracker.sessions[sid] is before[sid] for sid in unchanged)
        assert tracker.sessions[open_id] is not before[open_id]  # the changed one is new
        assert not tracker.sessions[open_id].is_open
