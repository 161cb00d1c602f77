"""One create rule (core.sessions.create_request) in the three places a session is
created: ``sessions create`` in the CLI, the console's new-session dialog and the
chat's ctrl+n. The configured ``[defaults] stream_type`` is honoured by all three; a
session made for the chat must be one the chat can join."""

from __future__ import annotations

import json

import pytest

from akool_tui.cli import main as cli_main
from akool_tui.config import SessionDefaults
from akool_tui.core.sessions import create_request
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.screens.new_session import AvatarsLoaded, NewSessionScreen
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    wait_for,
    wait_loaded,
    wait_message,
)


def new_sessions(sim, known: set[str]) -> list:
    return [r for sid, r in sim.state.sessions.items() if sid not in known]


@pytest.mark.parametrize("configured", ["trtc", "livekit"])
def test_cli_create_follows_the_configured_stream_type(configured, simulator, capsys,
                                                       monkeypatch, tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[defaults]\nstream_type = "{configured}"\n')
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(path))
    monkeypatch.setenv("AKOOL_API_KEY", simulator.cfg.api_key)
    code = cli_main(["--base-url", simulator.base_url, "--json", "sessions", "create"])
    out, err = capsys.readouterr()
    assert code == 0, err
    expected = create_request(SessionDefaults(stream_type=configured))["stream_type"]
    assert json.loads(out)["stream_type"] == expected == configured


@pytest.mark.parametrize(("configured", "for_chat"), [("trtc", "websocket"),
                                                      ("livekit", "livekit")])
async def test_dialog_and_ctrl_n_follow_the_configured_stream_type(
        configured, for_chat, simulator, tmp_path) -> None:
    """The dialog (in --demo too) starts on the configured type (it used to force
    websocket in the demo); ctrl+n keeps a joinable configured type (it used to force
    websocket in the demo and livekit elsewhere) and replaces one the chat cannot join."""
    defaults = SessionDefaults(stream_type=configured)
    assert create_request(defaults, for_chat=True, demo=True)["stream_type"] == for_chat
    app = make_app(simulator, tmp_path, demo=True, defaults=defaults)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        known = set(simulator.state.sessions)
        await pilot.press("n")
        await wait_message(pilot, messages, AvatarsLoaded, after=0)
        dialog = app.screen
        assert isinstance(dialog, NewSessionScreen)
        assert dialog.query_one("#stream").value == configured
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: new_sessions(simulator, known), what="the dialog's session")
        (made,) = new_sessions(simulator, known)
        assert made.stream_type == configured

        known = set(simulator.state.sessions)
        await app.switch_mode("chat")
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: new_sessions(simulator, known), what="ctrl+n's session")
        made = new_sessions(simulator, known)[0]
        assert made.stream_type == for_chat
        if for_chat == "livekit":  # the simulator's LiveKit rooms are simulated ones: the
            # session is closed again at once (it held credits) and a websocket one made
            await wait_for(pilot, lambda: len(new_sessions(simulator, known)) == 2,
                           what="the websocket session instead")
            assert made.closed_at is not None
            assert new_sessions(simulator, known)[1].stream_type == "websocket"
        await pilot.pause(0.2)
        assert app.is_running  # a livekit session without the SDK is an error shown, no crash
