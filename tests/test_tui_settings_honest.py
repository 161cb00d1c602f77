"""The settings screen says what it does (tester 8): a read-only profile is not offered
Apply and Save (F5); Apply resets what the form resets, or says it cannot (F16); the
configured scene mode and defaults are what the form starts from (F9). Pilot against the
simulator over loopback."""

from __future__ import annotations

from textual.widgets import Button

from akool_tui.config import load_config
from akool_tui.tui.app import AkoolApp
from test_tui_settings import SIZE, open_settings
from tui_helpers import isolated_home  # noqa: F401 (an autouse fixture)


def app_for(tmp_path, sim, extra: str = "", *, read_only: bool = False) -> AkoolApp:
    path = tmp_path / "config.toml"
    path.write_text(f"""\
refresh_interval = 60.0

[profiles.prod]
base_url = "{sim.base_url}"
api_key = "{sim.cfg.api_key}"
read_only = {str(read_only).lower()}
{extra}""")
    return AkoolApp(load_config(path, env={}, profile="prod"), watch_tty=False)


async def test_a_read_only_profile_is_not_offered_apply_and_save(simulator, tmp_path):
    app = app_for(tmp_path, simulator, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        buttons = [str(b.label) for b in screen.query(Button)]
        assert not any("Apply" in label or "Save" in label for label in buttons)
        assert "read-only" in str(screen.query_one("#settings-read-only").render())
        await pilot.press("ctrl+s")  # still refused, with the reason
        await pilot.pause()
        assert app.config.path.read_text().count("[defaults]") == 0


async def test_a_writable_profile_has_both_buttons(simulator, tmp_path):
    app = app_for(tmp_path, simulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert {b.id for b in screen.query(Button)} >= {"apply", "save"}
        assert not screen.query("#settings-read-only")
