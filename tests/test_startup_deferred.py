"""What the console's first frame does not wait for: the pulse's module (its figures
start with the first refresh, on the app's clock) and humanize (the first relative
times come with the first rows and the first refresh's age). Checked in a process of its own
(this one has imported everything)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import asyncio, sys
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
import akool_tui.tui.screens.sessions

def clock():  # an hour behind: not the pulse's own default (time.time)
    return datetime.now(timezone.utc) - timedelta(hours=1)

async def main():
    sim = SimpleNamespace(base_url=sys.argv[1], cfg=SimpleNamespace(api_key=sys.argv[2]))
    app = AkoolApp(demo_config(sim), watch_tty=False, clock=clock)
    before = [m for m in ("akool_tui.core.pulse", "humanize") if m in sys.modules]
    async with app.run_test(size=(120, 34)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while app.screen.table.row_count == 0 or not len(app.ctx.pulse.live):
            assert loop.time() < deadline, "no rows"
            await pilot.pause(0.02)
        skew = abs(app.ctx.pulse.clock() - app.now().timestamp())
        print("LOADED", before, app.ctx.pulse.live.latest is not None, skew < 60)

asyncio.run(main())
"""


def test_the_pulse_is_made_after_the_first_frame_on_the_apps_clock(simulator):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AKOOL", "TEXTUAL"))}
    done = subprocess.run([sys.executable, "-c", PROBE, simulator.base_url,
                           simulator.cfg.api_key], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    assert line == "LOADED [] True True", line
