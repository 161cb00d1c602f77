"""The settings screen says what it does (tester 8): a read-only profile is not offered
Apply and Save (F5); Apply resets what the form resets, or says it cannot (F16); the
configured scene mode and defaults are what the form starts from (F9). Pilot against the
simulator over loopback."""

from __future__ import annotations

import tomllib

import httpx
from textual.widgets import Button, Input, Select

from akool_tui.config import load_config
from akool_tui.core.session_options import OPENAI_VOICES
from akool_tui.core.sessions import create_request, unused_defaults
from akool_tui.demo import demo_config
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.tui.app import AkoolApp
from test_tui_settings import CREATE, SIZE, connected_chat, open_settings, result
from tui_helpers import isolated_home, wait_for  # noqa: F401 (an autouse fixture)


def app_for(tmp_path, sim, extra: str = "", *, read_only: bool = False) -> AkoolApp:
    path = tmp_path / "config.toml"
    path.write_text(f"""\
refresh_interval = 60.0
{extra}
[profiles.prod]
base_url = "{sim.base_url}"
api_key = "{sim.cfg.api_key}"
read_only = {str(read_only).lower()}
""")
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


async def test_apply_resets_the_voice_to_the_avatars_own_and_says_the_background_stays(
        simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        sid, _chat = await connected_chat(pilot, simulator)
        (avatar,) = live_avatars(simulator.state, sid)
        own = simulator.state.avatars["dvp_Tristan_cloth2_1080P"].voice_id
        screen = await open_settings(pilot)
        await pilot.press("ctrl+f", *"henri", "enter", "down", "enter")
        screen.query_one("#bgurl", Input).value = "https://img.example/bg.png"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "first ack")
        assert (avatar.params.vid, avatar.params.bgurl) == (
            "fr-FR-HenriNeural", "https://img.example/bg.png")
        assert "not sent" not in result(screen)
        # back to the avatar's own voice and no background, as the form shows
        await pilot.press("ctrl+f", "enter", "up", "enter")
        assert "the avatar's own" in str(screen.query_one("#voice-current").render())
        screen.query_one("#bgurl", Input).value = ""
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "second ack")
        assert avatar.params.vid == own != "fr-FR-HenriNeural"  # sent: the voice is reset
        assert f"vparams.vid={own}" in result(screen)
        # the background cannot be dropped live: said, in the warning's colour
        assert avatar.params.bgurl == "https://img.example/bg.png"
        assert "Background: not sent (a live session cannot drop its background" \
            in result(screen)
        assert screen.query_one("#settings-result").has_class("-warning")


async def test_apply_with_no_background_ever_set_says_nothing_about_it(simulator):
    """The amber "Background: not sent" came on every Apply while the field was empty,
    though the session never had a background (tester 8, F16 follow-up): it is said
    only when there is one to keep."""
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    assert not app.config.defaults.background_url
    async with app.run_test(size=SIZE) as pilot:
        await connected_chat(pilot, simulator)
        screen = await open_settings(pilot)
        assert screen.query_one("#bgurl", Input).value == ""
        for n in (1, 2):
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: result(screen).startswith("✓"), f"ack {n}")
            assert "Background" not in result(screen)
            assert not screen.query_one("#settings-result").has_class("-warning")
            screen.query_one("#settings-result").update("")


async def test_an_avatar_without_a_voice_of_its_own_keeps_the_voice_and_says_so(simulator):
    simulator.state.avatars["dvp_Tristan_cloth2_1080P"].voice_id = ""
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        sid, _chat = await connected_chat(pilot, simulator)
        screen = await open_settings(pilot)
        screen.query_one("#bgurl", Input).value = "https://img.example/bg.png"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "ack")
        (avatar,) = live_avatars(simulator.state, sid)
        assert avatar.params.bgurl == "https://img.example/bg.png"
        assert "Voice: the avatar's own is not sent (avatar dvp_Tristan_cloth2_1080P has no " \
            "voice of its own on record): the session keeps its voice" in result(screen)
        assert "Background" not in result(screen)


FAST = """
[defaults]
scene_mode = "fast_dialogue"
voice_id = "alloy"
stt_language = "en-US"
turn_detection = "server_vad"
turn_threshold = 0.6
turn_silence_duration_ms = 700
"""


def fast_session(sim) -> str:
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600, "stream_type": "websocket",
        "scene_mode": "fast_dialogue", "e2e_type": "openai",
        "voice_params": {"voice_id": "alloy"}})
    assert answer.json()["code"] == 1000, answer.text
    return answer.json()["data"]["_id"]


async def test_under_fast_dialogue_settings_offers_the_presets_and_no_speed(simulator,
                                                                            tmp_path):
    app = app_for(tmp_path, simulator, FAST)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert "fast_dialogue" in str(screen.query_one("#scene-hint").render())
        voices = screen.query_one("#voice-list")
        shown = [screen._voice_of(voices.get_option_at_index(i).id)
                 for i in range(voices.option_count)]
        assert shown == ["", *OPENAI_VOICES]  # no Voice List voice to pick
        assert str(voices.get_option_at_index(0).prompt) == "(the service's default preset)"
        assert not screen.query_one("#speed-row").display
        await wait_for(pilot, lambda: "languages" in screen.status.build().plain, "catalog")
        assert len(screen._voices) == len(OPENAI_VOICES)  # the catalog did not replace them
        await pilot.press("ctrl+f", *"echo", "enter", "down", "down", "enter")
        assert screen._voice == "echo"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "saved")
        saved = tomllib.loads(app.config.path.read_text())["profiles"]["prod"]["defaults"]
        assert saved["voice_id"] == "echo" and "speed" not in saved
        assert "not saved" not in result(screen)  # STT / turns are the configured ones
        # a new session from the CLI's rule drops nothing
        request = create_request(app.config.defaults)
        assert unused_defaults(app.config.defaults, request) == []
        assert request["voice_params"]["voice_id"] == "echo"


async def test_a_voice_list_voice_under_fast_dialogue_is_said_not_to_be_sent(simulator,
                                                                             tmp_path):
    app = app_for(tmp_path, simulator, FAST.replace('"alloy"', '"fr-FR-HenriNeural"'))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        assert "fr-FR-HenriNeural: not sent with fast_dialogue" in str(
            screen.query_one("#voice-current").render())


async def test_stt_and_turns_start_from_the_configured_defaults_and_apply_them(simulator,
                                                                              tmp_path):
    app = app_for(tmp_path, simulator, FAST)
    async with app.run_test(size=SIZE) as pilot:
        sid = fast_session(simulator)
        app.ctx.chat_session_id = sid
        await app.switch_mode("chat")
        await wait_for(pilot, lambda: app.ctx.chat_conversation is not None
                       and app.ctx.chat_conversation.connected, "chat connected")
        screen = await open_settings(pilot)
        assert screen.query_one("#stt-lang", Select).value == "en-US"
        assert screen.query_one("#turn-type", Select).value == "server_vad"
        assert [screen.query_one(f"#{n}", Input).value for n in
                ("threshold", "prefix_padding_ms", "silence_duration_ms")] == ["0.6", "", "700"]
        await pilot.press("ctrl+t")  # at once: the user's values, not the service's
        await wait_for(pilot, lambda: result(screen).startswith(("✓", "✗")), "ack")
        (avatar,) = live_avatars(simulator.state, sid)
        assert avatar.params.vid == "alloy"
        assert avatar.params.vparams == {
            "stt_language": "en-US",
            "turn_detection": {"type": "server_vad", "threshold": 0.6,
                               "silence_duration_ms": 700}}  # no speed with fast_dialogue
