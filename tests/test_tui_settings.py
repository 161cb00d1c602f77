"""The settings screen against the real simulator over loopback (Pilot, no mocks)."""

from __future__ import annotations

import tomllib

import httpx
from textual.pilot import Pilot

from akool_tui.config import Config
from akool_tui.demo import demo_config
from akool_tui.simulator.stream_channel import live_avatars
from akool_tui.tui.app import AkoolApp
from tui_helpers import wait_for
from akool_tui.tui.screens.chat import ChatScreen
from akool_tui.tui.screens.settings import SettingsScreen

SIZE = (120, 34)
CREATE = "/api/open/v4/liveAvatar/session/create"




def create_session(sim) -> str:
    answer = httpx.post(sim.base_url + CREATE, headers={"x-api-key": sim.cfg.api_key}, json={
        "avatar_id": "dvp_Tristan_cloth2_1080P", "duration": 600, "stream_type": "websocket"})
    body = answer.json()
    assert body["code"] == 1000, body
    return body["data"]["_id"]


async def connected_chat(pilot: Pilot, sim) -> tuple[str, ChatScreen]:
    app = pilot.app
    sid = create_session(sim)
    app.ctx.chat_session_id = sid
    await app.switch_mode("chat")
    chat = app.screen
    assert isinstance(chat, ChatScreen)
    await wait_for(pilot, lambda: chat.conversation.connected, "chat connected")
    return sid, chat


async def open_settings(pilot: Pilot) -> SettingsScreen:
    await pilot.app.switch_mode("settings")
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await wait_for(pilot, lambda: screen._voices, "voices loaded")
    return screen


def result(screen: SettingsScreen) -> str:
    return str(screen.query_one("#settings-result").render())


def field_error(screen: SettingsScreen, field: str) -> str:
    return str(screen.query_one(f"#{field}-error").render())


async def test_voice_list_has_streaming_voices_of_both_types_and_is_searchable(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        voice_list = screen.query_one("#voice-list")
        ids = {screen._voice_of(voice_list.get_option_at_index(i).id)
               for i in range(voice_list.option_count)}
        assert "clone7f3a9c2e51d84b06" in ids  # cloned (type 1), streams
        assert "en-US-AvaMultilingualNeural" in ids  # AKool (type 2), streams
        assert "en-US-GuyNeural" not in ids and "clone91c0e5a7d3f2b846" not in ids  # no stream
        await pilot.press("ctrl+f", *"german female", "enter")
        shown = [screen._voice_of(voice_list.get_option_at_index(i).id)
                 for i in range(voice_list.option_count)]
        assert shown == ["", "de-DE-KatjaNeural", "clone2b8e4d6f90a13c75"]
        await pilot.press("down", "enter")  # the list has focus after enter in the search
        assert screen._voice == "de-DE-KatjaNeural"
        assert "Katja (de-DE-KatjaNeural)" in str(screen.query_one("#voice-current").render())


async def test_invalid_input_is_shown_at_the_field_and_nothing_is_sent(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        sid, chat = await connected_chat(pilot, simulator)
        (avatar,) = live_avatars(simulator.state, sid)
        before = (avatar.params.bgurl, dict(avatar.params.vparams), avatar.params.lang)
        screen = await open_settings(pilot)
        screen.query_one("#bgurl").value = "ftp://example.com/bg.png"
        screen.query_one("#speed").value = "1.5"
        await pilot.pause()
        assert field_error(screen, "bgurl") == (
            "expected an http(s) URL such as https://example.com/file.mp4")
        assert field_error(screen, "speed") == "expected a number from 0.8 to 1.2"
        await pilot.press("ctrl+t")
        assert result(screen) == "Fix the marked fields: nothing was sent or saved."
        assert screen.focused is screen.query_one("#bgurl")
        await pilot.press("ctrl+s")
        assert result(screen) == "Fix the marked fields: nothing was sent or saved."
        await pilot.pause(0.2)
        assert (avatar.params.bgurl, dict(avatar.params.vparams), avatar.params.lang) == before
        assert app.config.defaults.speed == 1.0 and app.config.defaults.background_url == ""
        assert not any("set-params" in e.text for e in chat.transcript.entries)
        screen.query_one("#speed").value = "0.9"
        await pilot.pause()
        assert field_error(screen, "speed") == ""


async def test_apply_sends_set_params_to_the_chat_session_and_shows_the_ack(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        sid, _chat = await connected_chat(pilot, simulator)
        screen = await open_settings(pilot)
        await pilot.press("ctrl+f", *"henri", "enter", "down", "enter")
        screen.query_one("#lang").value = "fr"
        screen.query_one("#mode").value = 1
        # brackets in a URL (and so in the ack's msg) are text, not markup
        screen.query_one("#bgurl").value = "https://example.com/[/b]studio.jpg"
        screen.query_one("#speed").value = "1.1"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: result(screen).startswith("✓"), "ack")
        assert result(screen).startswith("✓ Applied (1000): updated ")
        (avatar,) = live_avatars(simulator.state, sid)
        p = avatar.params
        assert (p.vid, p.lang, p.mode, p.bgurl, p.vparams) == (
            "fr-FR-HenriNeural", "fr", 1, "https://example.com/[/b]studio.jpg", {"speed": 1.1})
        assert "bgurl=https://example.com/[/b]studio.jpg" in result(screen)
        assert app.ctx.chat_conversation.mode == 1  # the chat follows the acked mode


async def test_apply_without_a_connected_chat_sends_nothing(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("ctrl+t")
        assert result(screen).startswith("No connected chat session")


async def test_save_writes_the_defaults_to_the_config_file(simulator, tmp_path):
    path = tmp_path / "config.toml"
    cfg = Config(base_url=simulator.base_url, api_key=simulator.cfg.api_key, path=path)
    app = AkoolApp(cfg, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        await pilot.press("ctrl+f", *"sofie", "enter", "down", "enter")
        screen.query_one("#lang").value = "sv"
        screen.query_one("#mode").value = 1
        screen.query_one("#bgurl").value = "https://example.com/bg.mp4"
        screen.query_one("#speed").value = "0.85"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result(screen).startswith("✓ Saved"), "saved")
        assert str(path) in result(screen)
    defaults = tomllib.loads(path.read_text())["defaults"]
    assert {k: defaults[k] for k in ("voice_id", "language", "mode_type", "background_url",
                                     "speed")} == {
        "voice_id": "sv-SE-SofieNeural", "language": "sv", "mode_type": 1,
        "background_url": "https://example.com/bg.mp4", "speed": 0.85}


async def test_save_in_demo_mode_keeps_the_defaults_in_memory_only(simulator, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#speed").value = "1.2"
        await pilot.press("ctrl+s")
        assert result(screen).startswith("✓ Demo: kept as the defaults of new sessions")
        assert app.config.defaults.speed == 1.2
        assert app.config.defaults.stream_type == "websocket"
    assert not list(tmp_path.rglob("*.toml"))


def test_field_validator_wraps_a_core_validator():
    from akool_tui.core.validators import validate_speed
    from akool_tui.tui.validation import FieldValidator

    check = FieldValidator(validate_speed)
    assert check.validate("1.1").is_valid
    result = check.validate("1.5")
    assert not result.is_valid and result.failure_descriptions == ["a number from 0.8 to 1.2"]
    fixed = FieldValidator(validate_speed, failure_description="a speed")
    assert fixed.validate("fast").failure_descriptions == ["a speed"]


async def test_an_invalid_field_is_marked_by_textuals_validation(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        speed = screen.query_one("#speed")
        speed.value = "2"
        await pilot.pause()
        assert speed.has_class("-invalid") and not speed.is_valid
        speed.value = " 1.2 "  # blanks around are ignored
        await pilot.pause()
        assert speed.is_valid and field_error(screen, "speed") == ""


async def test_the_result_is_shown_beside_the_buttons_until_the_next_edit(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        label = screen.query_one("#settings-result")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert result(screen).startswith("No connected chat session")
        assert label.parent is screen.query_one("#settings-buttons")
        apply, save = screen.query_one("#apply").region, screen.query_one("#save").region
        assert label.region.y == apply.y and label.region.x >= save.right
        assert label.region.width > 0 and label.region.bottom <= screen.region.bottom
        # a value set to what it already is, or a search, is no edit
        screen.query_one("#speed").value = screen.query_one("#speed").value
        await pilot.press("ctrl+f", "a")
        await pilot.pause()
        assert result(screen).startswith("No connected chat session")
        screen.query_one("#speed").value = "1.1"  # an edit
        await wait_for(pilot, lambda: result(screen) == "", "result cleared")
        await pilot.press("ctrl+s")
        assert result(screen).startswith("✓ Demo: kept")
        screen.query_one("#mode").value = 1
        await wait_for(pilot, lambda: result(screen) == "", "result cleared by the mode")


async def test_down_in_the_voice_search_moves_into_the_results(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        voice_list = screen.query_one("#voice-list")
        await pilot.press("ctrl+f", *"katja", "down")
        assert screen.focused is voice_list
        await pilot.press("down", "enter")
        assert screen._voice == "de-DE-KatjaNeural"


async def test_a_search_without_a_match_says_so(simulator):
    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        voice_list = screen.query_one("#voice-list")
        await pilot.press("ctrl+f", *"xyz[b]")
        await pilot.pause()
        assert voice_list.option_count == 2
        line = voice_list.get_option_at_index(1)
        assert line.disabled and str(line.prompt) == "No voice matches 'xyz[b]'"
        assert "No voice matches 'xyz[b]'" in voice_list.render_line(1).text
        await pilot.press("down", "down", "down", "enter")  # the line cannot be picked
        assert screen._voice == ""
        await pilot.press("ctrl+f", "backspace", "backspace", "backspace")
        await pilot.pause()
        assert "No voice matches" not in " ".join(
            str(voice_list.get_option_at_index(i).prompt)
            for i in range(voice_list.option_count))


async def test_a_long_voice_name_ends_in_an_ellipsis_within_the_list(simulator):
    from akool_tui.api.models import Voice
    from akool_tui.tui.screens.settings import CatalogLoaded

    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot)
        voice_list = screen.query_one("#voice-list")
        long = Voice(voice_id="v-" + "x" * 300, name="Maximiliane " * 20, locale="de-DE",
                     gender="Female", type=2, support_stream=True)
        short = Voice(voice_id="de-DE-KatjaNeural", name="Katja", type=2)
        screen.post_message(CatalogLoaded([long, short], []))
        await wait_for(pilot, lambda: voice_list.option_count == 3, "new catalog")
        width = voice_list.scrollable_content_region.width
        first = voice_list.render_line(1).text.rstrip()
        # no model known: "-" in the model column
        assert first.startswith("Maximiliane Max… de-DE  F AKool  -               v-xxx")
        assert first.endswith("…") and len(first) <= width
        # one line per voice: the next voice is on the next line
        assert voice_list.render_line(2).text.startswith("Katja ")


async def test_a_paste_longer_than_the_field_takes_is_refused_whole_not_cut(simulator):
    """A 200 000-character paste into the background field was cut to 4 095 characters
    and an ellipsis without a word, then saved and sent as that other URL (tester 8, F2)."""
    from textual import events

    from akool_tui.core.text import FIELD

    app = AkoolApp(demo_config(simulator), demo=True, watch_tty=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_settings(pilot)
        field = screen.query_one("#bgurl")
        field.value = "https://example.com/bg.png"
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste("https://ex.example/" + "a" * 200_000))
        await wait_for(pilot, lambda: app._notifications, "a notice")
        assert field.value == "https://example.com/bg.png"
        (note,) = app._notifications
        assert f"at most {FIELD:,}" in note.message and "unchanged" in note.message
        # what fits is pasted, as always
        field.value = ""
        field.post_message(events.Paste("https://ex.example/" + "b" * 3_000))
        await wait_for(pilot, lambda: field.value, "pasted")
        assert field.value == "https://ex.example/" + "b" * 3_000
