"""The new-session dialog's Advanced section is built on its first expand (the dialog
appeared 2-3x faster without its ~150 widgets), and nothing a user sees changed: while
collapsed, the configured advanced defaults are sent and checked -- a wrong one named by
its field's label in the Fix: line -- and once opened the fields hold those defaults."""

from __future__ import annotations

from textual.widgets import Input, Select

from akool_tui.config import SessionDefaults
from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    open_advanced,
    open_new_session,
    running,
    shared_sim,
    wait_for,
)

ELEVEN_KEY = "sk_eleven_LAZY_0123456789abcdef"
DEFAULTS = dict(stream_type="agora", speed=1.1, stt_language="en", stt_type="openai_realtime",
                turn_detection="server_vad", turn_threshold=0.6,
                turn_silence_duration_ms=700, elevenlabs_api_key=ELEVEN_KEY,
                elevenlabs_model_id="eleven_flash_v2_5", elevenlabs_stability=0.4,
                elevenlabs_speaker_boost=True)


def form_error(modal) -> str:
    return str(modal.query_one("#form-error").render())


async def test_the_collapsed_section_sends_the_configured_defaults(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, defaults=SessionDefaults(**DEFAULTS))
    async with running(app) as (pilot, _):
        modal = await open_new_session(pilot)
        assert not modal.query("#scene") and not modal.query("#turn-threshold")  # not built
        known = set(shared_sim.state.sessions)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not modal, what="the dialog to close")
        (rec,) = [r for sid, r in shared_sim.state.sessions.items() if sid not in known]
        assert rec.voice_params == {
            "speed": 1.1, "stt_language": "en", "stt_type": "openai_realtime",
            "turn_detection": {"type": "server_vad", "threshold": 0.6, "silence_duration_ms": 700},
            "elevenlabs_settings": {"api_key": ELEVEN_KEY, "model_id": "eleven_flash_v2_5",
                                    "stability": 0.4, "use_speaker_boost": True}}

        # opened, the section holds the same defaults
        modal = await open_new_session(pilot)
        await open_advanced(pilot, modal)
        values = {wid: modal.query_one(f"#{wid}").value for wid in (
            "speed", "stt-language", "stt-type", "turn-type", "turn-threshold",
            "turn-silence", "eleven-key", "eleven-model", "eleven-stability", "eleven-boost")}
        assert values == {"speed": "1.1", "stt-language": "en", "stt-type": "openai_realtime",
                          "turn-type": "server_vad", "turn-threshold": "0.6",
                          "turn-silence": "700", "eleven-key": ELEVEN_KEY,
                          "eleven-model": "eleven_flash_v2_5", "eleven-stability": "0.4",
                          "eleven-boost": "on"}
        assert modal.query_one("#turn-threshold").display


async def test_a_wrong_default_is_named_by_its_label_before_the_section_is_built(shared_sim,
                                                                                tmp_path):
    app = make_app(shared_sim, tmp_path, defaults=SessionDefaults(
        turn_detection="server_vad", turn_threshold=1.5, scene_mode="fast_dialogue", speed=9))
    async with running(app) as (pilot, _):
        modal = await open_new_session(pilot)
        known = set(shared_sim.state.sessions)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form_error(modal).startswith("Fix:"), what="Fix: line")
        # the field's label; the speed does not apply to fast_dialogue (hidden, unchecked)
        assert "Threshold (0-1): expected" in form_error(modal)
        assert "Speed" not in form_error(modal) and "turn-threshold" not in form_error(modal)
        assert app.screen is modal and not [s for s in shared_sim.state.sessions
                                            if s not in known]
        # the fast_dialogue default hides the voice id for the preset voices (as before)
        assert not modal.query_one("#voice-group").display

        await open_advanced(pilot, modal)
        threshold = modal.query_one("#turn-threshold", Input)
        assert threshold.value == "1.5"
        threshold.value = "0.5"
        await wait_for(pilot, lambda: not form_error(modal).strip(),
                       what="the Fix: line to follow the fixed value")
        assert modal.query_one("#scene", Select).value == "fast_dialogue"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not modal, what="the dialog to close")
