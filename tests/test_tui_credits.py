"""The credit balance and the measured burn rate in the status line (Pilot, against the
real simulator over loopback): read at start, after a create and after a close."""

from __future__ import annotations

import re
import time

from akool_tui.tui.credits import refresh_credits
from akool_tui.tui.status import StatusLine
from tui_helpers import make_app, start_simulator, wait_for, wait_loaded


def status(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def test_balance_in_the_status_line_follows_create_and_close(tmp_path):
    sim = start_simulator(sessions=0, credits=1000.0, credit_rate=6.0)
    try:
        app = make_app(sim, tmp_path)
        async with app.run_test(size=(120, 34)) as pilot:
            await wait_loaded(pilot)
            await wait_for(pilot, lambda: "credits 1,000 · rate …" in status(app),
                           what="balance at start")
            watch = app.credit_watch
            now = [watch.meter.last_at + 1.0]
            watch._clock = lambda: now[0]  # the burn rate against a fake clock
            await pilot.press("n")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "NewSessionScreen",
                           what="dialog")
            await pilot.press("ctrl+s")  # create with the defaults: 600 s hold 60 credits
            await wait_for(pilot, lambda: "credits 940 · " in status(app), what="after create")
            assert "rate …" in status(app)  # 1 s of data is no rate
            now[0] += 599.0  # the next read, 10 minutes after the first: 60 credits spent
            refresh_credits(app)
            await wait_for(pilot, lambda: "credits 940 · 360/h" in status(app),
                           what="rate")
            await pilot.press("c")  # close the new session under the cursor
            await pilot.press("y")
            # the unused time comes back: what the few seconds open cost, well under 1/h
            await wait_for(pilot, lambda: re.search(r"credits 999\.\d+ · 0\.\d+/h",
                                                    status(app)), what="refund after close")
    finally:
        sim.stop()


async def test_the_pulse_shows_the_rate_the_status_line_already_measured(tmp_path):
    """The status line had read the balance for 10 minutes: the pulse, opened now, says
    the same rate at once (it used to say 'measuring' while the status line said 0/h)."""
    sim = start_simulator(sessions=0, credits=1000.0)
    try:
        app = make_app(sim, tmp_path)
        async with app.run_test(size=(120, 34)) as pilot:
            await wait_loaded(pilot)
            await wait_for(pilot, lambda: app.credit_watch.reads >= 1, what="first read")
            now = [time.time() + 1.0]
            app.credit_watch._clock = app.ctx.pulse.clock = lambda: now[0]
            refresh_credits(app)
            await wait_for(pilot, lambda: app.credit_watch.reads >= 2, what="second read")
            now[0] += 600.0
            refresh_credits(app)
            await wait_for(pilot, lambda: "credits 1,000 · 0/h" in status(app), what="rate")
            await pilot.press("P")
            await wait_for(pilot, lambda: app.screen.__class__.__name__ == "PulseScreen",
                           what="pulse")
            await pilot.pause()
            from tui_helpers import screen_text

            shown = screen_text(app)
            assert "measuring" not in shown and "burning 0/h" in shown, shown
    finally:
        sim.stop()
