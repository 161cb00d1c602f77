"""The simulator's credit balance gives back only what it took: the seeded sessions (open
before the simulator started) took nothing from it, so churn or a user closing one early
refunds nothing, and an idle demo's balance never climbs above where it started.
Against the running simulator over HTTP, simulated time moved by hand."""

from __future__ import annotations

import httpx

from akool_tui.simulator import RunningSimulator

CREDIT = "/api/open/v3/faceswap/quota/info"
CREATE = "/api/open/v4/liveAvatar/session/create"
CLOSE = "/api/open/v4/liveAvatar/session/close"


def api(sim: RunningSimulator) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url, headers={"x-api-key": sim.cfg.api_key})


def balance(client: httpx.Client) -> float:
    body = client.get(CREDIT).json()
    assert body["code"] == 1000, body
    return body["data"]["credit"]


def demo_like(simulator_factory) -> RunningSimulator:
    """As --demo seeds it (open sessions among the history); churn stepped by the test,
    simulated time frozen but for clock.advance."""
    return simulator_factory(sessions=300, max_concurrent=50, time_scale=1e-9)


def test_an_idle_demo_balance_never_rises(simulator_factory):
    sim = demo_like(simulator_factory)
    state = sim.state
    seeded_open = {rec.id for rec in state.open_sessions()}
    assert seeded_open  # the demo starts with live sessions
    with api(sim) as client:
        start = balance(client)
        seen = [start]
        for _ in range(600):  # 50 simulated minutes of background activity
            state.churn_step()
            state.clock.advance(5)
            seen.append(balance(client))
    closed_early = [sid for sid in seeded_open
                    if state.sessions[sid].closed_at is not None]
    assert closed_early, "churn closed none of the seeded sessions: the test proves nothing"
    assert max(seen) <= start, f"the balance rose from {start} to {max(seen)}"


def test_closing_a_seeded_session_refunds_nothing_an_own_session_its_rest(simulator_factory):
    sim = demo_like(simulator_factory)
    seeded = sim.state.open_sessions()[0]
    with api(sim) as client:
        start = balance(client)
        assert client.post(CLOSE, json={"id": seeded.id}).json()["code"] == 1000
        assert balance(client) == start  # it took nothing from this balance
        body = client.post(CREATE, json={"avatar_id": "dvp_Tristan_cloth2_1080P",
                                         "duration": 600}).json()
        assert body["code"] == 1000, body
        assert balance(client) == start - 10  # 1 credit a minute, held at create
        sim.state.clock.advance(300)
        assert client.post(CLOSE, json={"id": body["data"]["_id"]}).json()["code"] == 1000
        assert balance(client) == start - 5  # the unused 5 minutes came back
