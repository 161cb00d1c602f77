"""The pulse screen (`P`) and the chat's health line, against the simulator with faults."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from textual.command import CommandList
from textual.widgets import Static

from akool_tui.core.demo import set_faults
from akool_tui.tui.screens.pulse import PulseScreen
from akool_tui.tui.screens.sessions import SessionsScreen
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    start_simulator,
    table_keys,
    wait_for,
    wait_loaded,
)


def line(screen, wid: str) -> str:
    return str(screen.query_one(f"#{wid}", Static).content)


async def open_pulse(pilot) -> PulseScreen:
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PulseScreen), what="the pulse")
    return pilot.app.screen


async def test_the_pulse_shows_the_apps_own_figures_and_they_move_under_faults(tmp_path):
    sim = start_simulator()
    app = make_app(sim, tmp_path, interval=1.0)
    try:
        async with running(app) as (pilot, _):
            tracker = (await wait_loaded(pilot)).tracker
            await pilot.press("2")  # the avatars screen feeds the uploads panel
            await wait_loaded(pilot)
            screen = await open_pulse(pilot)
            opened = len(sim.state.open_sessions())
            assert len(tracker.open_ids) == opened > 0
            live = tracker.live_count
            await wait_for(pilot, lambda: line(screen, "sessions-now")
                           == f"live {live} · queueing {opened - live}", what="session counts")
            await wait_for(pilot, lambda: re.match(r"[1-9]\d* req/min · errors 0 %",
                                                   line(screen, "api-rate")), what="requests")
            assert re.match(r"p50 \d+ ms · p95 \d+ ms", line(screen, "api-latency"))
            await wait_for(pilot, lambda: line(screen, "credits-now").startswith("balance "),
                           what="the balance (the slow timer's read)")
            assert line(screen, "uploads-failed").startswith(("failed (7 days)", "1 failed"))
            assert line(screen, "api-error") == "last error: none"
            # the sessions screen refreshes behind the pulse (not a request of its own)
            before = app.ctx.pulse.live.__len__()
            await wait_for(pilot, lambda: len(app.ctx.pulse.live) > before + 1,
                           what="sessions samples while the pulse is open")

            await set_faults(app.config, {"error_rate": 1.0})  # every request fails now
            await wait_for(pilot, lambda: "HTTP 5" in line(screen, "api-error"), timeout=20,
                           what="the last error")
            await wait_for(pilot, lambda: screen.query_one("#api-error").has_class("-alert"))
            await wait_for(pilot, lambda: line(screen, "api-backoff").startswith("backoff ")
                           and "none" not in line(screen, "api-backoff"), timeout=20,
                           what="the backoff")
            await wait_for(pilot, lambda: not line(screen, "api-rate").endswith("errors 0 %"),
                           timeout=30, what="the error rate")
            assert max(app.ctx.pulse.view().errors_history) >= 1
            await set_faults(app.config, {"error_rate": 0.0})
    finally:
        sim.stop()


async def test_expired_but_open_sessions_jump_to_the_sessions_table_filtered_on_them(tmp_path):
    sim = start_simulator()
    offset = [timedelta(0)]
    app = make_app(sim, tmp_path, interval=1.0, clock=lambda: datetime.now(UTC) + offset[0])
    try:
        async with running(app) as (pilot, _):
            sessions = await wait_loaded(pilot)
            await pilot.press("ctrl+p", *"pulse")  # the palette reaches it too
            await wait_for(pilot, lambda: any(
                "Pulse" in str(results.get_option_at_index(0).prompt)
                for results in app.screen.query(CommandList) if results.option_count),
                what="the palette's Pulse")
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, PulseScreen), what="pulse")
            screen = app.screen
            assert line(screen, "expired").startswith("0:00 ! none")
            offset[0] = timedelta(hours=30)  # every open session ran out of time
            await wait_for(pilot, lambda: line(screen, "expired").startswith("0:00 ! ")
                           and "none" not in line(screen, "expired"), timeout=10,
                           what="expired sessions")
            expired = set(app.ctx.pulse.expired_open)
            assert expired == {r.id for r in sim.state.open_sessions()}
            assert sessions.table.row_count > len(expired)  # closed ones too
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
            await wait_for(pilot, lambda: set(table_keys(sessions.table)) == expired,
                           what="the table showing the expired sessions only")
            assert "showing expired but open" in sessions.status.build().plain
            await pilot.press("escape")  # every session again
            await wait_for(pilot, lambda: sessions.table.visible_row_count
                           == sessions.table.row_count)
            screen = await open_pulse(pilot)
            await pilot.press("w")  # none ending within 5 minutes: said, no jump
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("escape")  # back where it was opened from
            await wait_for(pilot, lambda: app.screen is sessions)
    finally:
        sim.stop()


# -- the chat's health line -----------------------------------------------------------------


def _health(screen) -> str:
    return str(screen.query_one("#chat-health", Static).content)


def _first_part_ms(text: str) -> float:
    found = re.search(r"1st part (\d+(?:\.\d+)?) (ms|s)", text)
    assert found, text
    value = float(found.group(1))
    return value * 1000 if found.group(2) == "s" else value


async def test_the_chat_health_line_moves_under_stream_latency_and_disconnects(
        simulator_factory):
    from akool_tui.demo import demo_config
    from akool_tui.tui.app import AkoolApp
    from akool_tui.tui.screens.chat import ChatScreen

    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert _health(screen).startswith("1st part - · audio - · fin - · ack -")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.conversation.connected, "connected", timeout=15)
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: "fin -" not in _health(screen), "a first reply",
                       timeout=15)
        fast = _first_part_ms(_health(screen))
        assert fast < 500
        await pilot.press("escape")  # leave the input (the avatar is quiet)
        await set_faults(app.config, {"stream_latency": 0.6})
        screen.chat_input.focus()
        await pilot.press(*"again", "enter")
        await wait_for(pilot, lambda: _first_part_ms(_health(screen)) >= 600,
                       "the slower first part", timeout=15)
        assert re.search(r"1st part \S+ \S+ [▁▂▃▄▅▆▇█]{2}", _health(screen))  # a sparkline
        await set_faults(app.config, {"stream_latency": 0.0, "stream_disconnect": 1.0})
        await pilot.press(*"drop", "enter")
        await wait_for(pilot, lambda: re.search(r"reconnects [1-9]", _health(screen)),
                       "a reconnect counted", timeout=15)
        await set_faults(app.config, {"stream_disconnect": 0.0})


def _status_first(screen) -> str | None:
    found = re.search(r"reply: 1st part ([^,·]+?)(?:,|$| ·)", str(screen.status.render()))
    return found.group(1) if found else None


def _health_first(screen) -> str | None:
    found = re.search(r"1st part (\d+(?:\.\d+)? (?:ms|s))", _health(screen))
    return found.group(1) if found else None


async def test_the_status_line_and_the_health_line_show_the_same_reply_time_when_slow(
        simulator_factory):
    """One reply timing feeds both: under a stream latency fault the chat's status line
    and its health line show the same first-part time for each reply."""
    from akool_tui.demo import demo_config
    from akool_tui.tui.app import AkoolApp
    from akool_tui.tui.screens.chat import ChatScreen

    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=400.0)
    app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.conversation.connected, "connected", timeout=15)
        await set_faults(app.config, {"stream_latency": 0.5})
        seen = []
        for word in ("hello", "again"):
            before = len([e for e in screen.transcript.entries if e.role == "bot"])
            await pilot.press(*word, "enter")
            await wait_for(pilot, lambda: len([e for e in screen.transcript.entries
                                               if e.role == "bot"]) > before
                           and _health_first(screen) is not None
                           and _first_part_ms(_health(screen)) >= 500
                           and _status_first(screen) == _health_first(screen),
                           f"the same first-part time for {word!r}", timeout=15)
            seen.append(_status_first(screen))
            screen.chat_input.focus()
        assert all(value.endswith(("ms", " s")) for value in seen), seen
        await set_faults(app.config, {"stream_latency": 0.0})
