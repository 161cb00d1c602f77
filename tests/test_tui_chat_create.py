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


async def test_ctrl_n_on_a_simulator_service_closes_the_unjoinable_session_and_makes_one_it_can_join(
        simulator_factory):
    """Outside the demo, [defaults] stream_type agora makes ctrl+n create livekit; against
    the standalone simulator that room is a simulated one: the session is closed at once
    (it held credits), a websocket one is made and joined, and the next ctrl+n makes
    websocket directly."""
    import dataclasses
    from akool_tui.api.models import SessionStatus

    sim = simulator_factory(sessions=0, queue_delay=0.0)
    config = dataclasses.replace(demo_config(sim), path=None)
    app = AkoolApp(config, demo=False, watch_tty=False)
    app.config.defaults.stream_type = "agora"
    async with app.run_test(size=(120, 34)) as pilot:
        await app.switch_mode("chat")
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.conversation.connected, "connected", timeout=15)
        records = list(sim.state.sessions.values())
        kinds = {rec.id: rec.stream_type for rec in records}
        assert sorted(kinds.values()) == ["livekit", "websocket"]
        (livekit,) = [rec for rec in records if rec.stream_type == "livekit"]
        assert livekit.closed_at is not None  # closed: it holds no credits
        assert screen.conversation.session.stream_type == "websocket"
        errors = [e.text for e in screen.transcript.entries if e.role == "error"]
        assert any(t.startswith(f"Created session {livekit.id[-8:]} (livekit), but it cannot "
                                "be joined here: its LiveKit room is a simulated one")
                   and t.endswith("closed it again (it held credits).") for t in errors)
        await pilot.press("ctrl+n")  # from now on websocket directly
        await wait_for(pilot, lambda: len(sim.state.sessions) == 3, "a third session")
        await wait_for(pilot, lambda: not screen._creating, "created")
        assert sorted(r.stream_type for r in sim.state.sessions.values()) == [
            "livekit", "websocket", "websocket"]
