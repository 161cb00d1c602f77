"""core/: the rules both front ends share, unit-tested without Textual.

The session tracker, bulk close and upload watch run against the real simulator over
loopback HTTP; the create rule, ids and fields are pure functions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import AkoolError, NotFoundError, ParamError, TimeoutError_
from akool_tui.api.models import Avatar, AvatarStatus, Session, SessionStatus
from akool_tui.config import SessionDefaults
from akool_tui.core import fields
from akool_tui.core.avatars import upload_avatar, watch_upload
from akool_tui.core.ids import AmbiguousIdError, UnknownIdError, resolve_id, short_id
from akool_tui.core.session_sync import FIRST_PAGE_MAX, FIRST_PAGE_MIN, FULL_REFRESH_EVERY, SessionTracker
from akool_tui.core.sessions import (
    close_sessions,
    create_request,
    stream_type_for,
)
from akool_tui.core.validators import validate_avatar_name

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def client_for(sim) -> AkoolClient:
    return AkoolClient(sim.base_url, api_key=sim.cfg.api_key, backoff_base=0.01)


# -- the create rule -------------------------------------------------------------


def test_stream_type_rule_override_then_config_then_chat_joinable() -> None:
    assert stream_type_for("trtc") == "trtc"
    assert stream_type_for("trtc", override="livekit") == "livekit"
    # a session made for the chat must be joinable by this program
    assert stream_type_for("agora", for_chat=True, demo=True) == "websocket"
    assert stream_type_for("agora", for_chat=True) == "livekit"
    assert stream_type_for("livekit", for_chat=True, demo=True) == "livekit"
    assert stream_type_for("websocket", for_chat=True) == "websocket"


def test_create_request_defaults_and_overrides() -> None:
    d = SessionDefaults(avatar_id="av1", duration=300, stream_type="agora", voice_id="",
                        language="en", mode_type=2, background_url="", speed=1.0)
    assert create_request(d) == {
        "avatar_id": "av1", "duration": 300, "voice_id": None, "language": "en",
        "mode_type": 2, "background_url": None, "knowledge_id": None, "stream_type": "agora"}
    assert create_request(SessionDefaults(knowledge_id="kb7"))["knowledge_id"] == "kb7"
    assert create_request(SessionDefaults(knowledge_id="kb7"), {"knowledge_id": ""})["knowledge_id"] is None
    r = create_request(d, {"duration": 60, "voice_id": "v9", "speed": 1.1, "language": None,
                           "knowledge_id": "kb1"}, for_chat=True, demo=True)
    assert r["duration"] == 60 and r["voice_id"] == "v9" and r["language"] == "en"
    assert r["voice_params"] == {"speed": 1.1}
    assert r["knowledge_id"] == "kb1"
    assert r["stream_type"] == "websocket"
    # None (a flag not given) is the default; an optional field left empty is none
    r = create_request(d, {"avatar_id": "", "duration": None, "language": "",
                           "background_url": ""})
    assert (r["avatar_id"], r["duration"], r["language"], r["background_url"]) == (
        "av1", 300, None, None)


# -- ids ----------------------------------------------------------------------------


def test_short_id_and_resolution_by_prefix_or_suffix() -> None:
    ids = ["65f0c2a19886cb4e3b7d2a10", "65f0c2a1aaaaaaaa3b7d2a11", "77f0c2a19886cb4e00000000"]
    assert short_id(ids[0]) == "3b7d2a10"
    assert resolve_id("3b7d2a10", ids) == ids[0]  # what the table shows
    assert resolve_id("77f0", ids) == ids[2]  # a prefix
    assert resolve_id(ids[1], ids) == ids[1]
    with pytest.raises(AmbiguousIdError, match="matches 2 sessions"):
        resolve_id("65f0c2a1", ids)
    with pytest.raises(UnknownIdError):
        resolve_id("zzzz", ids)
    with pytest.raises(ParamError):
        resolve_id("  ", ids)


# -- fields ---------------------------------------------------------------------------


def test_one_duration_format_and_no_negative_durations() -> None:
    assert fields.duration(600) == "10m"
    assert fields.duration(605) == "10m 5s"
    assert fields.duration(3900) == "1h 5m"
    assert fields.duration(-600) == "—"
    assert fields.countdown(timedelta(seconds=-3)) == "0:00 !"
    assert fields.countdown(timedelta(seconds=65)) == "1:05"


def test_session_fields_cells_and_details() -> None:
    s = Session(id="65f0c2a19886cb4e3b7d2a10", status=SessionStatus.PROCESSING,
                stream_type="agora", avatar_id="av1", duration=600,
                create_time=NOW - timedelta(minutes=4))
    table = [f for f in fields.SESSION_FIELDS if f.table]
    assert [f.cell(f.get(s), NOW) for f in table] == [
        "3b7d2a10", "live", "6:00", "av1", "4 minutes ago", "agora", "10m"]
    detail = dict(fields.details(fields.SESSION_FIELDS, s, NOW))
    assert detail["ID"] == s.id  # the detail view shows the whole id
    assert detail["Duration"] == "10m"


def test_a_negative_session_duration_is_invalid_with_no_end() -> None:
    s = Session(id="se1", status=SessionStatus.PROCESSING, duration=-600,
                create_time=NOW - timedelta(minutes=4))
    by_key = {f.key: f for f in fields.SESSION_FIELDS}
    assert by_key["duration"].cell(-600, NOW) == "invalid"  # not "-10m", not "—"
    assert by_key["left"].cell(s, NOW) == fields.UNKNOWN  # not "0:00 !"
    detail = dict(fields.details(fields.SESSION_FIELDS, s, NOW))
    assert detail["Duration"] == "invalid" and "Expires" not in detail


def test_uploaded_avatar_validity_counts_seven_days() -> None:
    a = Avatar(avatar_id="mine", create_time=NOW - timedelta(minutes=5))
    assert fields.validity(a, NOW).startswith("6 days and 23 hours")


# -- the tracker against the simulator -----------------------------------------------


async def test_tracker_follows_the_server_with_few_requests(simulator) -> None:
    tracker = SessionTracker(clock=lambda: 0.0)  # full refetches as quick as can be
    async with client_for(simulator) as client:
        tracker.apply(await tracker.fetch(client))
        assert len(tracker.sessions) == 40
        created = await client.create_session(**create_request(SessionDefaults(stream_type="websocket")))
        some_open = next(iter(tracker.open_ids))
        await client.close_session(some_open)
        delta = await tracker.fetch(client)
        assert not delta.full  # an incremental tick
        changed = {s.id for s in tracker.apply(delta)}
        assert {created.id, some_open} <= changed
        truth = {s.id: s.status for s in await client.list_all_sessions()}
        assert {k: s.status for k, s in tracker.sessions.items()} == truth
        assert some_open not in tracker.open_ids and created.id in tracker.open_ids
        for _ in range(FULL_REFRESH_EVERY):
            delta = await tracker.fetch(client)
            tracker.apply(delta)
            if delta.full:
                break
        assert delta.full  # a full refetch comes at least every FULL_REFRESH_EVERY ticks


async def test_a_burst_larger_than_the_short_first_page_is_seen_in_one_tick(
        simulator_factory) -> None:
    """A quiet account reads a short page 1; more new sessions than it shows (closed
    at once: only the list of all sessions has them) make that tick a full refetch,
    and the next page 1 a long one."""
    sim = simulator_factory(sessions=120, max_concurrent=200)
    tracker = SessionTracker()
    async with client_for(sim) as client:
        while not tracker.loaded:  # page 1, then every page
            tracker.apply(await tracker.fetch(client))
        delta = await tracker.fetch(client)
        assert not delta.full and tracker.first_page == FIRST_PAGE_MIN
        tracker.apply(delta)
        burst = FIRST_PAGE_MIN + 15
        for _ in range(burst):
            made = await client.create_session(**create_request(SessionDefaults()))
            await client.close_session(made.id)
        delta = await tracker.fetch(client)
        assert delta.full and tracker.first_page == FIRST_PAGE_MAX
        tracker.apply(delta)
        truth = {s.id: s.status for s in await client.list_all_sessions()}
    assert len(truth) == 120 + burst
    assert {k: s.status for k, s in tracker.sessions.items()} == truth
    assert tracker.total == len(truth) and tracker.ticks_since_full == 0


async def test_a_full_refetch_keeps_the_objects_of_unchanged_sessions(simulator) -> None:
    tracker = SessionTracker()
    async with client_for(simulator) as client:
        tracker.apply(await tracker.fetch(client))
        before = dict(tracker.sessions)
        changed_id = next(iter(tracker.open_ids))
        await client.close_session(changed_id)
        delta = await tracker.fetch_all(client)
    changed = tracker.apply(delta)
    assert delta.full and [s.id for s in changed] == [changed_id]  # only what changed
    assert all(tracker.sessions[k] is v for k, v in before.items() if k != changed_id)
    assert tracker.sessions[changed_id] is not before[changed_id]
    assert changed_id not in tracker.open_ids and tracker.get(changed_id).status_label == "closed"


async def test_bulk_close_reports_each_session(simulator) -> None:
    async with client_for(simulator) as client:
        live = await client.list_all_sessions(status=SessionStatus.PROCESSING)
        a, b = live[0].id, live[1].id
        await client.close_session(b)
        results = await close_sessions(client, [a, b, a, "0" * 24])
    by_id = {r.id: r for r in results}
    assert len(results) == 3  # duplicates once
    assert by_id[a].closed and not by_id[a].already
    assert by_id[b].closed and by_id[b].already  # closed before: the same outcome
    assert not by_id["0" * 24].closed and isinstance(by_id["0" * 24].error, NotFoundError)


async def test_upload_watch_follows_to_ready(simulator) -> None:
    simulator.state.cfg.avatar_steps = 0.05  # simulated seconds per upload step
    async with client_for(simulator) as client:
        avatar = await client.create_avatar("https://example.com/me.mp4", "corewatch1",
                                            name="Core watch")
        seen = [u.avatar.status async for u in watch_upload(client, avatar, interval=0.02,
                                                            timeout=10)]
    assert seen[-1] is AvatarStatus.SUCCESS
    assert seen[0] in (AvatarStatus.QUEUEING, AvatarStatus.PROCESSING)


async def test_upload_watch_times_out(simulator) -> None:
    simulator.state.cfg.avatar_steps = 10_000
    async with client_for(simulator) as client:
        avatar = await client.create_avatar("https://example.com/me.mp4", "corewatch2",
                                            name="Slow")
        with pytest.raises(TimeoutError_, match="still"):
            async for _ in watch_upload(client, avatar, interval=0.02, timeout=0.2):
                pass


async def test_upload_needs_a_name(simulator) -> None:
    assert validate_avatar_name("Me") is None
    assert validate_avatar_name("  ") == validate_avatar_name(None) == "a name for the avatar"
    async with client_for(simulator) as client:
        with pytest.raises(ParamError, match="name"):
            await upload_avatar(client, "https://example.com/me.mp4", "corenoname", name=" ")
        avatar = await upload_avatar(client, "https://example.com/me.mp4", "corenamed",
                                     name="Named")
    assert avatar.avatar_id == "corenamed" and avatar.name == "Named"
    assert "corenoname" not in simulator.state.avatars


class FlakyStatus:
    """A client whose status checks fail ``failures`` times, then answer ready."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    async def avatar_upload_status(self, record_id: str) -> Avatar:
        if self.failures:
            self.failures -= 1
            raise AkoolError("network down")
        return Avatar(avatar_id="", id=record_id, status=AvatarStatus.SUCCESS)


async def test_upload_watch_backs_off_after_failed_checks() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    start = Avatar(avatar_id="mine", id="rec1", status=AvatarStatus.QUEUEING)
    updates = [u async for u in watch_upload(FlakyStatus(2), start, interval=1.0,
                                             sleep=sleep, clock=lambda: 0.0)]
    assert waits == [1.0, 2.0, 4.0]  # doubled after each failure
    assert [bool(u.error) for u in updates] == [False, True, True, False]
    assert updates[-1].done and updates[-1].avatar.avatar_id == "mine"  # filled in


def test_chat_blocker_says_which_sessions_a_terminal_can_join() -> None:
    import importlib.util

    from akool_tui.api.models import Credentials
    from akool_tui.core.sessions import chat_blocker

    def s(kind: str, **creds: str) -> Session:
        return Session(id="x" * 24, stream_type=kind,
                       credentials=Credentials(stream_type=kind, values=creds))

    assert chat_blocker(s("websocket")) is None
    assert "agora's own SDK" in chat_blocker(s("agora"))
    assert "trtc's own SDK" in chat_blocker(s("trtc"))
    livekit = chat_blocker(s("livekit", livekit_url="wss://x", livekit_token="t" * 20))
    if importlib.util.find_spec("livekit") is None:
        assert "akool-tui[livekit]" in livekit
    else:
        assert livekit is None
        assert "no LiveKit credentials" in chat_blocker(s("livekit"))
        # the simulator's rooms (a reserved domain, never resolves): not tried, said why
        simulated = chat_blocker(s("livekit", livekit_url="wss://akool-sim.livekit.example",
                                   livekit_token="t" * 20))
        assert simulated and "simulated" in simulated
