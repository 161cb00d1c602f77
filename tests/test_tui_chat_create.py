"""The chat's ctrl+n runs the create check the dialog and the CLI run (simulator, Pilot)."""

from __future__ import annotations

from akool_tui.demo import demo_config
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.chat import ChatScreen
from tui_helpers import wait_for


async def test_ctrl_n_with_defaults_the_check_refuses_says_why_and_creates_nothing(
        simulator_factory):
    sim = simulator_factory(sessions=0, queue_delay=0.0)
    app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
    # an ElevenLabs model without its key: the server would answer 1003
    app.config.defaults.elevenlabs_model_id = "eleven_multilingual_v2"
    async with app.run_test(size=(120, 34)) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        before = set(sim.state.sessions)
        await pilot.press("ctrl+n")
        errors = lambda: [e.text for e in screen.transcript.entries if e.role == "error"]
        await wait_for(pilot, errors, "the refusal")
        (error,) = errors()
        assert error == ("Could not create a session: Fix: voice_params.elevenlabs_settings."
                         "api_key: expected your ElevenLabs API key (the [defaults] in the "
                         "config)")
        await pilot.pause()
        assert set(sim.state.sessions) == before  # nothing was sent
        assert not screen._creating and screen.conversation.session is None
        # with the key given the same ctrl+n creates and connects
        app.config.defaults.elevenlabs_api_key = "sk_el_" + "x" * 24
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.conversation.connected, "connected", timeout=15)
        assert len(set(sim.state.sessions) - before) == 1
