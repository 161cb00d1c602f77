"""The new-session dialog's knowledge chooser and Advanced section, driven with Pilot
against the real simulator: fields shown by scene mode, turn type and stream type, a
wrong value gets its message and nothing is sent, a good create reaches the simulator
with the right body (checked in what the simulator stored)."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select

from akool_tui.config import SessionDefaults
from akool_tui.tui.screens.new_session import AvatarsLoaded, KnowledgeLoaded, NewSessionScreen
from akool_tui.tui.screens.new_session_advanced import PronRow
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    open_advanced,
    running,
    shared_sim,
    wait_for,
    wait_loaded,
    wait_message,
)

ELEVEN_KEY = "sk_eleven_DIALOG_0123456789"


async def open_dialog(pilot, messages, *, expand: bool = True) -> NewSessionScreen:
    before = messages.count(KnowledgeLoaded)
    await pilot.press("n")
    await wait_message(pilot, messages, AvatarsLoaded, after=0)
    await wait_message(pilot, messages, KnowledgeLoaded, after=before)
    modal = pilot.app.screen
    assert isinstance(modal, NewSessionScreen)
    if expand:
        await open_advanced(pilot, modal)
    return modal


def shown(modal, wid: str) -> bool:
    """Visible as the user sees it: the widget and every group around it displayed."""
    node = modal.query_one(f"#{wid}")
    return node.display and all(a.display for a in node.ancestors if a is not modal.app)


async def set_value(pilot, modal, wid: str, value) -> None:
    widget = modal.query_one(f"#{wid}")
    widget.value = value
    await pilot.pause()


def new_sessions(sim, known: set[str]) -> list:
    return [r for sid, r in sim.state.sessions.items() if sid not in known]


async def refused(pilot, modal) -> None:
    """ctrl+s with a problem: the form says "Fix: ..." (found before anything is sent)."""
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: str(modal.query_one("#form-error").render()).startswith("Fix:"),
                   what="the form's Fix: line")


async def create(pilot, modal, app) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: app.screen is not modal, what="the dialog to close")


async def test_fields_show_and_hide_by_turn_type_scene_mode_and_stream(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, demo=True)  # the simulator's websocket offered too
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        assert not shown(modal, "turn-threshold")
        await set_value(pilot, modal, "turn-type", "server_vad")
        assert all(shown(modal, w) for w in ("turn-threshold", "turn-prefix", "turn-silence"))
        await set_value(pilot, modal, "turn-type", "semantic_vad")
        assert not any(shown(modal, w) for w in ("turn-threshold", "turn-prefix", "turn-silence"))

        assert shown(modal, "voice") and shown(modal, "speed") and not shown(modal, "fast-voice")
        await set_value(pilot, modal, "scene", "fast_dialogue")
        assert shown(modal, "fast-voice") and not shown(modal, "voice")
        assert not shown(modal, "speed") and not shown(modal, "stt-type")
        assert shown(modal, "stt-language")
        await set_value(pilot, modal, "eleven-key", ELEVEN_KEY)  # ElevenLabs' voice: typed
        assert shown(modal, "voice") and not shown(modal, "fast-voice")
        assert modal.query_one("#eleven-key", Input).password

        await set_value(pilot, modal, "stream", "agora")
        assert not shown(modal, "byo-agora-token")
        modal.query_one("#byo", Checkbox).value = True
        await pilot.pause()
        assert shown(modal, "byo-agora-token") and not shown(modal, "byo-livekit-url")
        assert modal.query_one("#byo-agora-token", Input).password
        assert not modal.query_one("#byo-agora-channel", Input).password
        await set_value(pilot, modal, "stream", "livekit")
        assert shown(modal, "byo-livekit-url") and not shown(modal, "byo-agora-token")
        await set_value(pilot, modal, "stream", "websocket")
        assert modal.query_one("#byo", Checkbox).disabled
        assert not shown(modal, "byo-livekit-url")


async def test_a_wrong_value_gets_its_message_and_nothing_is_sent(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        known = set(shared_sim.state.sessions)
        await set_value(pilot, modal, "turn-type", "server_vad")
        modal.query_one("#turn-threshold", Input).focus()
        await pilot.press("1", ".", "5")
        error = modal.query_one("#turn-threshold-error")
        assert error.display and "from 0 to 1" in str(error.render())
        await refused(pilot, modal)
        assert app.screen is modal and new_sessions(shared_sim, known) == []
        assert "Threshold (0-1): expected" in str(modal.query_one("#form-error").render())

        # a wrong value in a field that stops applying stops counting at once
        await set_value(pilot, modal, "turn-type", "semantic_vad")
        assert not str(modal.query_one("#form-error").render()).strip()
        await set_value(pilot, modal, "turn-type", "server_vad")
        await set_value(pilot, modal, "turn-threshold", "0.5")
        await set_value(pilot, modal, "scene", "fast_dialogue")
        await set_value(pilot, modal, "speed", "9")  # hidden with fast_dialogue
        # an ElevenLabs model without a key: only the whole request shows it
        await set_value(pilot, modal, "eleven-model", "eleven_flash_v2_5")
        await refused(pilot, modal)
        form = str(modal.query_one("#form-error").render())
        assert "elevenlabs_settings.api_key" in form and "speed" not in form
        assert app.screen is modal and new_sessions(shared_sim, known) == []

        # a pron_map row with no pronunciation (the normal mode)
        await set_value(pilot, modal, "eleven-model", "")
        await set_value(pilot, modal, "scene", "")
        await set_value(pilot, modal, "speed", "1.1")
        modal.query_one("#pron-add").press()
        await wait_for(pilot, lambda: len(modal.query(PronRow)) == 1)
        row = modal.query_one(PronRow)
        await set_value(pilot, modal, f"pron-word-{row.n}", "AKool")
        await refused(pilot, modal)
        assert "Pronunciation 1, how to say it: expected" in str(
            modal.query_one("#form-error").render())  # the words on screen, not pron-said-0
        assert app.screen is modal and new_sessions(shared_sim, known) == []


async def test_a_good_create_reaches_the_simulator_with_every_option(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    kb = next(kb for kb in shared_sim.state.knowledge.values() if kb.source == 1)  # AKool's
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        options = [str(v) for _, v in modal.query_one("#knowledge", Select)._options]
        assert "" in options and kb.oid in options  # "none", and AKool's own too
        known = set(shared_sim.state.sessions)
        for wid, value in (("stream", "agora"), ("knowledge", kb.oid), ("speed", "1.1"),
                           ("stt-language", "en"), ("stt-type", "openai_realtime"),
                           ("turn-type", "server_vad"), ("turn-threshold", "0.6"),
                           ("turn-silence", "700"), ("eleven-key", ELEVEN_KEY),
                           ("eleven-model", "eleven_flash_v2_5"), ("eleven-stability", "0.4"),
                           ("eleven-boost", "on"), ("voice", "21m00Tcm4TlvDq8ikWAM")):
            await set_value(pilot, modal, wid, value)
        modal.query_one("#pron-add").press()
        await wait_for(pilot, lambda: len(modal.query(PronRow)) == 1)
        row = modal.query_one(PronRow)
        await set_value(pilot, modal, f"pron-word-{row.n}", "AKool")
        await set_value(pilot, modal, f"pron-said-{row.n}", "ay cool")
        await create(pilot, modal, app)
        (rec,) = new_sessions(shared_sim, known)
        assert rec.knowledge_id == kb.oid and rec.voice_id == "21m00Tcm4TlvDq8ikWAM"
        assert rec.voice_params == {
            "speed": 1.1, "stt_language": "en", "stt_type": "openai_realtime",
            "pron_map": {"AKool": "ay cool"},
            "turn_detection": {"type": "server_vad", "threshold": 0.6, "silence_duration_ms": 700},
            "elevenlabs_settings": {"api_key": ELEVEN_KEY, "model_id": "eleven_flash_v2_5",
                                    "stability": 0.4, "use_speaker_boost": True}}
        assert app.config.defaults.elevenlabs_api_key == ""  # not saved: not asked to


async def test_fast_dialogue_sends_the_preset_voice_in_voice_params(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path,
                   defaults=SessionDefaults(voice_id="b3b7dd2f9b3d4c9e"))
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        known = set(shared_sim.state.sessions)
        await set_value(pilot, modal, "scene", "fast_dialogue")
        await set_value(pilot, modal, "fast-voice", "marin")
        await create(pilot, modal, app)
        (rec,) = new_sessions(shared_sim, known)
        assert (rec.scene_mode, rec.e2e_type, rec.voice_id) == ("fast_dialogue", "openai", None)
        assert rec.voice_params == {"voice_id": "marin"}


async def test_bring_your_own_livekit_room(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        known = set(shared_sim.state.sessions)
        await set_value(pilot, modal, "stream", "livekit")
        modal.query_one("#byo", Checkbox).value = True
        await pilot.pause()
        await set_value(pilot, modal, "byo-livekit-url", "not a url")
        assert "LiveKit URL" in str(modal.query_one("#byo-livekit-url-error").render())
        await refused(pilot, modal)
        assert app.screen is modal and new_sessions(shared_sim, known) == []
        own = {"livekit_url": "wss://mine.livekit.cloud", "livekit_token": "tok-LK-0123456789",
               "livekit_room_name": "my-room", "livekit_client_identity": "me",
               "livekit_server_identity": "avatar"}
        for key, value in own.items():
            await set_value(pilot, modal, f"byo-{key.replace('_', '-')}", value)
        await create(pilot, modal, app)
        (rec,) = new_sessions(shared_sim, known)
        assert rec.stream_type == "livekit" and rec.byo_credentials == own


async def test_the_elevenlabs_key_is_saved_only_when_asked(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        modal = await open_dialog(pilot, messages)
        await set_value(pilot, modal, "eleven-key", ELEVEN_KEY)
        modal.query_one("#eleven-save", Checkbox).value = True
        await pilot.pause()
        await create(pilot, modal, app)
        path = tmp_path / "config.toml"
        await wait_for(pilot, lambda: path.exists() and ELEVEN_KEY in path.read_text())
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert not any(ELEVEN_KEY in note for note in messages.notes())
