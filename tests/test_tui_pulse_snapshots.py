"""SVG snapshots of the pulse screen (120x34, 80x24) and of the chat's health line.

Fixed data: the pulse is built from samples at fixed times and frozen (nothing the
app does afterwards changes it), the app's clock stands still at FIXED_NOW, and the
health line's conversation runs on an injected clock. Update with ``--snapshot-update``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.app import App, ComposeResult

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
from akool_tui.core.pulse import Pulse, PulseView
from akool_tui.stream.codec import CommandAck
from akool_tui.stream.transport import TransportState
from akool_tui.tui.screens.pulse import PulseScreen
from akool_tui.tui.widgets.chat_health import ChatHealthLine
from tui_helpers import (  # noqa: F401 - fixtures
    FIXED_NOW,
    SNAPSHOT_SIZES as SIZES,
    frozen_sim,
    isolated_home,
    snapshot_app,
    utc,
    wait_for,
    wait_loaded,
)


class FrozenPulse(Pulse):
    """A pulse whose view no longer moves (samples after ``freeze`` are ignored)."""

    def freeze(self) -> None:
        self._frozen = Pulse.view(self)

    def view(self, now: float | None = None) -> PulseView:
        return self._frozen

    def sessions(self, *args, **kw) -> None:
        pass

    def client_event(self, event) -> None:
        pass

    def credits(self, balance: float) -> None:
        pass

    def avatars(self, *args, **kw) -> None:
        pass


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fixed_pulse() -> FrozenPulse:
    """An hour of a busy account, sampled every minute."""
    end = FIXED_NOW.timestamp()
    clock = Clock(end - 3600)
    pulse = FrozenPulse(clock)
    for minute in range(61):
        clock.now = end - 3600 + minute * 60
        now = FIXED_NOW - timedelta(seconds=end - clock.now)
        n_live = 3 + (minute % 17) // 3
        sessions = [Session(f"65f0c2{minute // 7:02d}{i:02d}a1b2c3d4e5f6a7b8", SessionStatus.PROCESSING,
                            "websocket", "av", 1800, now - timedelta(seconds=60 * i))
                    for i in range(n_live)]
        sessions += [Session("65f0c9e1d2c3b4a5968778e1", SessionStatus.QUEUEING, "websocket", "av",
                             600, now)]
        if minute >= 40:  # one stuck session (ran out 0:00 !) and one about to end
            sessions.append(Session("65f0a11b2c3d4e5f60718e2a", SessionStatus.PROCESSING,
                                    "websocket", "av", 60, FIXED_NOW - timedelta(hours=2)))
            sessions.append(Session("65f0b7c8d9e0f1a2b3c4d91f", SessionStatus.PROCESSING,
                                    "websocket", "av", 600, FIXED_NOW - timedelta(seconds=420)))
        Pulse.sessions(pulse, sessions, now)
        Pulse.credits(pulse, 12_000 - minute * 6.5)
        for n in range(4 + minute % 9):
            Pulse.client_event(pulse, ClientEvent("request", "/api/open/v4/liveAvatar/session/list",
                                                  duration=0.02 + 0.01 * ((minute + n) % 11)))
        if minute in (22, 23, 51):
            Pulse.client_event(pulse, ClientEvent(
                "request", "/api/open/v4/liveAvatar/session/list", duration=1.5, ok=False,
                error_message="HTTP 503 Service Unavailable"))
    clock.now = end - 2
    Pulse.client_event(pulse, ClientEvent("retry", "/api/open/v4/liveAvatar/session/list",
                                          attempt=1, delay=6.0,
                                          error_message="HTTP 503 Service Unavailable"))
    Pulse.avatars(pulse, [
        Avatar("upload1", "Brand host", status=AvatarStatus.PROCESSING, create_time=FIXED_NOW),
        Avatar("upload2", "Spring promo", status=AvatarStatus.FAILED,
               create_time=FIXED_NOW - timedelta(days=2)),
        Avatar("ready", status=AvatarStatus.SUCCESS, create_time=FIXED_NOW)], FIXED_NOW)
    clock.now = end
    pulse.freeze()
    return pulse


async def pulse_screen(pilot) -> None:
    await wait_loaded(pilot)
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PulseScreen))
    await pilot.pause()


@SIZES
def test_pulse_screen(snap_compare, frozen_sim, tmp_path, utc, size):
    app = snapshot_app(frozen_sim, tmp_path)
    app.ctx.pulse = fixed_pulse()
    assert snap_compare(app, terminal_size=size, run_before=pulse_screen)


class HealthApp(App):
    """The chat's health line alone, after a conversation on an injected clock."""

    CSS = "Screen { align: center bottom; }"

    def compose(self) -> ComposeResult:
        self.conv = Conversation(lambda event: None)
        self.conv.session = Session("s1", SessionStatus.PROCESSING, "websocket", "av")
        yield ChatHealthLine(self.conv, id="chat-health")

    def on_mount(self) -> None:
        line = self.query_one(ChatHealthLine)
        clock = Clock(100.0)
        line.health.clock = self.conv._clock = clock  # the conversation times the replies
        emit = self.conv._emit
        emit(ChannelState(TransportState.CONNECTED))
        for n, (first, audio, fin) in enumerate([(0.3, 0.5, 4.0), (0.4, 0.7, 5.2),
                                                 (1.3, 1.5, 6.1), (0.35, 0.6, 3.8)]):
            start = clock.now
            emit(Outgoing(f"m{n}", "hello", "sent"))
            clock.now = start + first
            emit(ChatPart(f"r{n}", "bot", "Hi"))
            clock.now = start + audio
            emit(Speaking(True))
            clock.now = start + fin
            emit(ChatPart(f"r{n}", "bot", "Hi there.", complete=True))
            emit(Speaking(False))
            emit(CommandSent(f"c{n}", "interrupt"))
            clock.now += 0.03 + 0.01 * n
            emit(Ack(CommandAck(f"c{n}", "interrupt", 1000, "ok"), "interrupt"))
            clock.now += 10
        emit(ChannelState(TransportState.RECONNECTING, "dropped"))
        emit(ChannelState(TransportState.CONNECTED, "reconnected"))
        emit(ChatPart("r9", "bot", "Cut [...]", incomplete=True))
        line.check()


@pytest.mark.parametrize("size", [(80, 4), (120, 3)], ids=["80", "120"])
def test_chat_health_line(snap_compare, size):
    assert snap_compare(HealthApp(), terminal_size=size)
