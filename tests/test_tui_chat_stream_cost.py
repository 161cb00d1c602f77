"""What the chat screen does per second while a reply streams at 200 parts a second:
counted, not timed (the cost of the chat's CPU, bench/chat_pty.py, came from these)."""

from __future__ import annotations

import asyncio
import time

from akool_tui.simulator.avatar import PIECE_CHARS
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.tui.screens.chat_view import STATS_HZ
from akool_tui.tui.widgets.chat_health import ChatHealthLine
from tui_helpers import chat_with_new_session, wait_for

RATE = 200  # parts a second
SECONDS = 2.0


async def test_a_streaming_reply_lays_nothing_out_and_the_figures_repaint_at_capped_rates(
        simulator_factory, monkeypatch):
    from akool_tui.demo import demo_config
    from akool_tui.tui.app import AkoolApp

    sim = simulator_factory(sessions=0, queue_delay=0.0, reply_chars_per_s=RATE * PIECE_CHARS)
    app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
    async with app.run_test(size=(120, 34)) as pilot:
        screen, session_id = await chat_with_new_session(pilot, sim)
        await pilot.pause(0.5)  # the media, the picker and the health line settle

        counts = {"layouts": 0, "status": 0, "health": 0}

        def counted(name, original):
            def call(*args, **kwargs):
                counts[name] += 1
                return original(*args, **kwargs)
            return call

        monkeypatch.setattr(screen, "_refresh_layout",
                            counted("layouts", screen._refresh_layout))
        status = screen.status
        monkeypatch.setattr(status, "update_status", counted("status", status.update_status))
        health = screen.query_one(ChatHealthLine)
        monkeypatch.setattr(health, "update", counted("health", health.update))

        words = int(SECONDS * RATE * PIECE_CHARS / 7)
        text = " ".join(f"k{i:05d}" for i in range(1, words + 1))
        avatar = live_avatars(sim.state, session_id)[0]
        start = time.monotonic()
        spoken = asyncio.run_coroutine_threadsafe(avatar._speak(text), avatar._loop)  # noqa: SLF001
        last = f"k{words:05d}"
        bot = lambda: [e for e in screen.transcript.entries if e.role == "bot"]  # noqa: E731
        await wait_for(pilot, lambda: bot() and bot()[-1].text.endswith(last),
                       "the whole reply in the transcript", timeout=60)
        elapsed = time.monotonic() - start
        spoken.result(timeout=10)
        # the reply's final figures are shown (its end is written at once)
        await wait_for(pilot, lambda: f"{len(text)} ch" in str(status.render()),
                       "the reply's length on the status line", timeout=10)
        shown = bot()[-1].text

    assert shown == text  # every part, in order
    # no layout of the whole screen per part or per burst (it was ~20 a second)
    assert counts["layouts"] <= 3, counts
    # the status line's reply figures at most STATS_HZ a second, plus its own 1 s tick
    # (it was written at each burst: ~30 a second)
    assert counts["status"] <= (STATS_HZ + 1) * elapsed + 3, (counts, elapsed)
    # the health line checks once a second and repaints only a changed text
    assert counts["health"] <= elapsed + 2, (counts, elapsed)
