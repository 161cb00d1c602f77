"""The sessions screen's incremental refresh stays identical to the server's list (the
policy itself, core.session_sync.SessionTracker, is tested without Pilot in test_core)."""

from __future__ import annotations

import httpx

from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.refresh import RefreshLoop, RefreshState
from tui_helpers import wait_for


async def test_incremental_refresh_matches_server_after_creates_and_closes(simulator_factory):
    sim = simulator_factory(sessions=250, max_concurrent=200)
    cfg = demo_config(sim)
    cfg.refresh_interval = 1.0
    app = AkoolApp(cfg, demo=True, watch_tty=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.table.row_count == 250)
        headers = {"x-api-key": "demo"}
        async with httpx.AsyncClient(base_url=sim.base_url, headers=headers) as http:
            created = []
            for _ in range(3):
                answer = await http.post("/api/open/v4/liveAvatar/session/create",
                                         json={"avatar_id": "dvp_Tristan_cloth2_1080P",
                                               "duration": 600})
                created.append(answer.json()["data"]["_id"])
            # let the screen see them open, then close two behind its back
            await wait_for(pilot, lambda: all(c in screen.tracker.sessions for c in created))
            for session_id in created[:2]:
                await http.post("/api/open/v4/liveAvatar/session/close", json={"id": session_id})
        await wait_for(pilot, lambda: all(screen.tracker.sessions[c].status_label == "closed"
                                       for c in created[:2]))
        # a partial tick did this, not a full refetch
        assert screen.tracker.ticks_since_full > 0
        server = {s.id: s.status for s in await (await app.ctx.client()).list_all_sessions()}
        assert {k: v.status for k, v in screen.tracker.sessions.items()} == server
        assert screen.table.row_count == len(server) == 253
        assert "253 sessions" in screen.status.build().plain


async def test_refresh_loop_backs_off_after_errors_and_recovers():
    calls: list[str] = []
    outcomes = iter([RuntimeError("boom"), RuntimeError("boom"), "ok"])

    async def fetch():
        calls.append("fetch")
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    results, errors = [], []
    loop = RefreshLoop(fetch, results.append, errors.append, interval=1.0)
    for _ in range(3):
        await loop.tick()
    assert [str(e) for e in errors] == ["boom", "boom"] and results == ["ok"]
    assert loop.state.errors == 2 and loop.state.consecutive_errors == 0


def test_backoff_grows_with_consecutive_errors_and_is_capped():
    state = RefreshState(interval=5.0)
    assert state.delay() == 5.0
    state.consecutive_errors = 1
    first = state.delay()
    state.consecutive_errors = 3
    third = state.delay()
    assert 5.0 <= first <= 10.0 and 20.0 <= third <= 40.0
    state.consecutive_errors = 50
    assert state.delay() <= 60.0
