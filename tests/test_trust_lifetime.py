"""Trust, part "lifetime": the console ends when its terminal goes away, no traceback
reaches the terminal, the palette and Settings survive fast keys and odd data, and the
status line shows the credentials actually used (issue 9, sections 2, 3 and 6)."""

from __future__ import annotations

from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_loaded,
)

# -- the status line shows the auth the requests use ---------------------------------------


async def test_status_line_shows_the_bearer_token_when_both_kinds_are_set(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, client_id=shared_sim.cfg.client_id,
                   client_secret=shared_sim.cfg.client_secret)
    assert app.config.api_key  # both kinds set: the client prefers client credentials
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert app.client.auth_mode == "client credentials"
        status = screen_text(app).splitlines()[-2:]
        shown = "\n".join(status)
        assert "token · client " + shared_sim.cfg.client_id in shown, shown
        assert "api key" not in shown


async def test_status_line_shows_the_api_key_when_it_is_the_only_kind(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        shown = screen_text(app)
        assert "api key ••••" in shown  # masked
        assert "token" not in shown
