"""The pulse and the chat's health figures, in core (no Textual), with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akool_tui.api.events import ClientEvent
from akool_tui.api.models import Avatar, AvatarStatus, Session, SessionStatus
from akool_tui.core.chat.conversation import (
    Ack,
    ChannelState,
    ChatPart,
    CommandSent,
    Conversation,
    Outgoing,
    Speaking,
)
from akool_tui.core.chat_health import ChatHealth
from akool_tui.core.pulse import Pulse
from akool_tui.core.series import Series, percentile
from akool_tui.stream.codec import CommandAck
from akool_tui.stream.transport import TransportState

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def sess(sid: str, status: SessionStatus, *, age_s: float = 60, duration: int = 600) -> Session:
    return Session(sid, status, "websocket", "av", duration, T0 - timedelta(seconds=age_s))


def test_series_buckets_and_percentiles():
    s = Series(max_age=100, maxlen=10)
    for t in range(20):
        s.add(t, t)
    assert len(s) == 10 and s.latest == 19  # bounded ring
    assert s.buckets(20, 5, 4) == [0, 10, 15, 19]  # (start, end] buckets
    gaps = Series(max_age=100, maxlen=10)
    gaps.add(1, 4)
    gaps.add(12, 6)  # not sampled between: the level carries on, it did not drop to 0
    assert gaps.buckets(20, 5, 4, carry=True) == [4, 4, 6, 6]
    assert gaps.buckets(20, 5, 4) == [4, 0, 6, 0]
    assert percentile([10, 20, 30, 40], 50) == 20 and percentile([], 95) is None
    assert percentile(range(1, 101), 95) == 95


def test_pulse_counts_sessions_started_ended_expired_and_ending_soon():
    clock = Clock(T0.timestamp())
    pulse = Pulse(clock)
    first = [sess("a", SessionStatus.PROCESSING), sess("b", SessionStatus.QUEUEING),
             sess("stuck", SessionStatus.PROCESSING, age_s=700),  # ran out, still open
             sess("soon", SessionStatus.PROCESSING, age_s=400),   # 200 s left
             sess("gone", SessionStatus.COMPLETED)]
    pulse.sessions(first, T0)
    view = pulse.view()
    assert (view.live, view.queueing) == (3, 1)
    assert (view.started_per_min, view.ended_per_min) == (0, 0)  # the first sample: a baseline
    assert view.expired_open == ("stuck",) and view.ending_soon == ("soon",)
    clock.now += 5
    second = [sess("a", SessionStatus.COMPLETED), sess("b", SessionStatus.PROCESSING),
              sess("stuck", SessionStatus.PROCESSING, age_s=705),
              sess("new1", SessionStatus.QUEUEING), sess("new2", SessionStatus.QUEUEING)]
    pulse.sessions(second, T0 + timedelta(seconds=5))
    view = pulse.view()
    assert (view.live, view.queueing) == (2, 2)
    assert (view.started_per_min, view.ended_per_min) == (2, 2)  # new1, new2; a, soon
    assert view.live_history[-1] == 3 and len(view.live_history) == 60
    clock.now += 61  # a minute later the rates are back to 0, the hour's history keeps them
    assert (pulse.view().started_per_min, pulse.view().ended_per_min) == (0, 0)
    assert sum(pulse.view().started_history) == 2


def test_pulse_api_figures_from_the_clients_events():
    clock = Clock(1000.0)
    pulse = Pulse(clock)
    assert pulse.view().api.per_min == 0 and pulse.view().api.p95_ms is None
    for ms in range(10, 110, 10):  # 10 requests, 10..100 ms
        pulse.client_event(ClientEvent("request", "/list", duration=ms / 1000))
    pulse.client_event(ClientEvent("retry", "/api/open/v4/liveAvatar/session/detail", attempt=1, delay=4.0,
                                   error_message="HTTP 503"))
    api = pulse.view().api
    assert api.backoff_s == 4.0 and api.backoff_what == "session/detail"
    assert api.last_error == "session/detail: HTTP 503"
    clock.now += 1.5
    pulse.client_event(ClientEvent("request", "/api/open/v4/liveAvatar/session/detail", duration=2.0, ok=False,
                                   error_message="HTTP 503 again"))
    api = pulse.view().api
    assert api.per_min == 11 and api.p50_ms == pytest.approx(60) and api.p95_ms == 2000
    assert api.error_rate == pytest.approx(1 / 11)
    assert api.last_error == "session/detail: HTTP 503 again"
    assert api.backoff_s is None  # the request it retried has ended
    pulse.client_event(ClientEvent("retry", "/x", attempt=1, delay=2.0, error_message="503"))
    clock.now += 1.5
    assert pulse.view().api.backoff_s == 0.5
    clock.now += 1.5
    assert pulse.view().api.backoff_s is None  # the wait is over
    assert pulse.view().requests_history[-1] == 11
    clock.now += 60
    assert pulse.view().api.per_min == 0 and pulse.view().api.error_rate is None


def test_pulse_credits_burn_and_uploads():
    clock = Clock(T0.timestamp())
    pulse = Pulse(clock)
    pulse.credits(10_000)
    clock.now += 600
    pulse.credits(9_900)
    view = pulse.view()
    assert view.balance == 9_900 and view.burn.per_hour == pytest.approx(600)
    assert view.balance_history[-1] == 9_900
    avatars = [Avatar("up1", "Mine", status=AvatarStatus.PROCESSING, create_time=T0),
               Avatar("bad", status=AvatarStatus.FAILED, create_time=T0 - timedelta(days=2)),
               Avatar("old", status=AvatarStatus.FAILED, create_time=T0 - timedelta(days=9)),
               Avatar("ok", status=AvatarStatus.SUCCESS, create_time=T0)]
    pulse.avatars(avatars, T0)
    view = pulse.view()
    assert view.uploading == ("Mine (up1)",) and view.upload_failed == ("bad",)


def test_chat_health_figures_from_the_conversations_events():
    clock = Clock(50.0)
    conv = Conversation(lambda event: None, clock=clock)  # its reply timings: the one measure
    conv.session = Session("s1", SessionStatus.PROCESSING, "websocket", "av")
    health = ChatHealth(conv, clock=clock)
    emit = conv._emit
    emit(ChannelState(TransportState.CONNECTED))
    emit(Outgoing("m1", "hello", "sent"))
    clock.now += 0.25
    emit(ChatPart("r1", "bot", "Hi"))
    clock.now += 0.15
    emit(Speaking(True))
    clock.now += 0.6
    emit(ChatPart("r1", "bot", "Hi there.", complete=True))
    emit(CommandSent("c1", "interrupt"))
    clock.now += 0.04
    emit(Ack(CommandAck("c1", "interrupt", 1000, "ok"), "interrupt"))
    emit(ChannelState(TransportState.RECONNECTING, "dropped"))
    emit(ChannelState(TransportState.RECONNECTING, "again"))  # the same drop: one reconnect
    emit(ChannelState(TransportState.CONNECTED, "reconnected"))
    emit(ChatPart("r2", "bot", "Half of [...]", incomplete=True))  # parts lost on the way
    figures = {f.name: f for f in health.figures()}
    assert figures["incomplete"].text == "gaps 1"
    assert figures["incomplete"].history[-1] == 1
    assert figures["first"].latest == pytest.approx(250)
    assert figures["audio"].latest == pytest.approx(400)
    assert figures["fin"].latest == pytest.approx(1000)
    assert figures["ack"].latest == pytest.approx(40)
    assert figures["reconnects"].latest == 1 and figures["reconnects"].history[-1] == 1
    assert figures["first"].text == "1st part 250 ms" and figures["ack"].text == "ack 40 ms"
    conv.session = Session("s2", SessionStatus.PROCESSING, "websocket", "av")
    emit(ChannelState(TransportState.CONNECTING))  # another session: fresh figures
    figures = {f.name: f for f in health.figures()}
    assert figures["first"].latest is None and figures["reconnects"].latest == 0
    assert figures["incomplete"].latest == 0
