"""The create options' client-side rules (core.session_options), the options files
(core.options_files), the [defaults] keys and create_request carrying all of it."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from akool_tui.api.secrets import forget_secrets, mask_text
from akool_tui.config import ConfigError, SessionDefaults, parse_config
from akool_tui.core import session_options as so
from akool_tui.core.options_files import (
    MAX_OPTIONS_BYTES,
    OptionsFileError,
    load_credentials_file,
    load_params_file,
)
from akool_tui.core.sessions import create_request

ELEVEN_KEY = "sk_eleven_0123456789abcdef"


def fields(found: list[so.Problem]) -> list[str]:
    return [p.field for p in found]


# -- per field -------------------------------------------------------------------------


@pytest.mark.parametrize(("check", "good", "bad"), [
    (so.check_speed, ["", "0.8", "1.2", "1"], ["0.79", "1.21", "fast", "nan"]),
    (so.check_stt_language, ["", "en", "en-US", "zh_CN", "fil"], ["e", "english!", "12", "en US"]),
    (so.check_stt_type, ["", "openai_realtime"], ["whisper", "OPENAI_REALTIME"]),
    (so.check_turn_type, ["", "server_vad", "semantic_vad"], ["vad", "server"]),
    (so.check_unit, ["", "0", "0.5", "1"], ["-0.1", "1.01", "half", "inf"]),
    (so.check_ms, ["", "0", "300", "10000"], ["-1", "10001", "1.5", "300ms"]),
    (so.check_pron_text, ["AKool", "ay cool"], ["", "  ", "x" * 101, "a\x1bb"]),
])
def test_each_field_check_accepts_and_refuses(check, good, bad) -> None:
    assert [g for g in good if check(g)] == []
    assert [b for b in bad if not check(b)] == []


def test_fast_dialogue_voice_is_a_preset_unless_elevenlabs() -> None:
    assert all(so.check_fast_voice(v) is None for v in so.OPENAI_VOICES)
    assert "preset" in so.check_fast_voice("b3b7dd2f9b3d4c9e")  # a Voice List voice
    assert so.check_fast_voice("21m00Tcm4TlvDq8ikWAM", elevenlabs=True) is None
    assert len(so.OPENAI_VOICES) == 10


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_threshold_is_accepted_exactly_from_0_to_1(x: float) -> None:
    found = so.turn_detection_problems({"type": "server_vad", "threshold": x})
    assert (found == []) == (0.0 <= x <= 1.0)
    assert (so.check_unit(repr(x)) is None) == (0.0 <= x <= 1.0)


@given(st.integers(min_value=-20_000, max_value=20_000))
def test_ms_fields_are_whole_numbers_from_0_to_10000(n: int) -> None:
    found = so.turn_detection_problems({"type": "server_vad", "silence_duration_ms": n,
                                        "prefix_padding_ms": n})
    assert (found == []) == (0 <= n <= so.MAX_MS)


@given(st.dictionaries(st.text(max_size=120), st.text(max_size=120), max_size=120))
def test_pron_map_problems_name_entries_never_crash(value: dict[str, str]) -> None:
    found = so.pron_map_problems(value)
    ok = len(value) <= so.PRON_MAX_ENTRIES and all(
        so.check_pron_text(k) is None and so.check_pron_text(v) is None for k, v in value.items())
    assert (found == []) == ok


# -- whole structures ------------------------------------------------------------------


def test_server_vad_numbers_are_refused_with_semantic_vad() -> None:
    found = so.voice_params_problems({"turn_detection": {"type": "semantic_vad", "threshold": 0.5,
                                                         "silence_duration_ms": 400}}, fast=False)
    assert fields(found) == ["voice_params.turn_detection.threshold",
                             "voice_params.turn_detection.silence_duration_ms"]
    assert "semantic_vad" in found[0].message


def test_elevenlabs_settings_need_a_key_and_never_quote_it() -> None:
    found = so.voice_params_problems({"elevenlabs_settings": {"model_id": "eleven_flash_v2_5",
                                                              "stability": 2}}, fast=False)
    assert fields(found) == ["voice_params.elevenlabs_settings.api_key",
                             "voice_params.elevenlabs_settings.stability"]
    found = so.voice_params_problems({"elevenlabs_settings": {"api_key": ELEVEN_KEY,
                                                              "use_speaker_boost": "yes",
                                                              "colour": ELEVEN_KEY}}, fast=False)
    assert fields(found) == ["voice_params.elevenlabs_settings.colour",
                             "voice_params.elevenlabs_settings.use_speaker_boost"]
    assert ELEVEN_KEY not in " ".join(map(str, found))


def test_fast_dialogue_takes_only_its_keys_and_a_preset_voice() -> None:
    vp = {"voice_id": "b3b7dd2f9b3d4c9e", "speed": 1.1, "stt_language": "en"}
    found = so.voice_params_problems(vp, fast=True)
    assert fields(found) == ["voice_params.speed", "voice_params.voice_id"]
    assert "Voice List" in found[1].message
    assert so.voice_params_problems({"voice_id": "coral", "stt_language": "en"}, fast=True) == []
    # the normal mode has no voice_params.voice_id
    assert fields(so.voice_params_problems({"voice_id": "coral"}, fast=False)) == [
        "voice_params.voice_id"]


@pytest.mark.parametrize(("stream", "creds"), [
    ("agora", {"agora_uid": 7, "agora_app_id": "app0123456789", "agora_channel": "room",
               "agora_token": "tok-0123456789"}),
    ("livekit", {"livekit_url": "wss://x.livekit.cloud", "livekit_token": "tok-0123456789",
                 "livekit_room_name": "r", "livekit_client_identity": "c",
                 "livekit_server_identity": "s"}),
    ("trtc", {"trtc_sdk_app_id": 1400000001, "trtc_sdk_room_id": "r", "trtc_sdk_user_id": "u",
              "trtc_sdk_user_sig": "sig-0123456789"}),
    ("trtc", {"trtc_app_id": "1400000001", "trtc_room_id": "r", "trtc_user_id": "u",
              "trtc_user_sig": "sig-0123456789"}),  # the demo's names, an id typed as text
])
def test_byo_credentials_for_each_stream_type(stream, creds) -> None:
    assert so.credentials_problems(creds, stream) == []
    missing = dict(list(creds.items())[1:])
    assert len(so.credentials_problems(missing, stream)) == 1


def test_byo_credentials_problems_name_keys_not_values() -> None:
    found = so.credentials_problems({"agora_uid": "seven", "agora_app_id": "app0123456789",
                                     "agora_channel": "room", "agora_token": "tok-SECRET-42",
                                     "livekit_token": "tok-OTHER-42"}, "agora")
    assert fields(found) == ["credentials.livekit_token", "credentials.agora_uid"]
    assert "tok-" not in " ".join(map(str, found))
    assert fields(so.credentials_problems({"x": "y"}, "websocket")) == ["credentials"]


def test_request_problems_fast_dialogue_needs_openai_and_no_top_level_voice() -> None:
    found = so.request_problems({"scene_mode": "fast_dialogue", "e2e_type": None,
                                 "voice_id": "coral", "stream_type": "agora"})
    assert fields(found) == ["e2e_type", "voice_id"]
    assert fields(so.request_problems({"e2e_type": "openai", "stream_type": "agora"})) == [
        "e2e_type"]


# -- create_request --------------------------------------------------------------------


def test_create_request_merges_defaults_file_and_flags() -> None:
    d = SessionDefaults(speed=1.1, stt_language="en", turn_detection="server_vad",
                        turn_threshold=0.4, elevenlabs_api_key=ELEVEN_KEY,
                        elevenlabs_model_id="eleven_flash_v2_5")
    req = create_request(d, {"voice_params": {"turn_detection": {"type": "semantic_vad"},
                                              "elevenlabs_settings": {"stability": 0.3},
                                              "pron_map": {"AKool": "ay cool"}},
                             "speed": 0.9})
    assert req["voice_params"] == {
        "speed": 0.9, "stt_language": "en", "turn_detection": {"type": "semantic_vad"},
        "elevenlabs_settings": {"api_key": ELEVEN_KEY, "model_id": "eleven_flash_v2_5",
                                "stability": 0.3},
        "pron_map": {"AKool": "ay cool"}}
    assert so.request_problems(req) == []
    assert "voice_params" not in create_request(SessionDefaults())  # nothing set, nothing sent


def test_create_request_fast_dialogue_moves_the_voice_and_drops_defaults_that_do_not_apply(
) -> None:
    d = SessionDefaults(voice_id="b3b7dd2f9b3d4c9e", speed=1.1, stt_type="openai_realtime",
                        stt_language="en")
    req = create_request(d, {"scene_mode": "fast_dialogue", "voice_id": "coral"})
    assert req["scene_mode"] == "fast_dialogue" and req["e2e_type"] == "openai"
    assert req["voice_id"] is None
    assert req["voice_params"] == {"voice_id": "coral", "stt_language": "en"}
    req = create_request(d, {"scene_mode": "fast_dialogue"})  # the Voice List default: left out
    assert "voice_id" not in req["voice_params"] and so.request_problems(req) == []
    # one the user names is refused, not dropped
    req = create_request(d, {"scene_mode": "fast_dialogue", "voice_id": "b3b7dd2f9b3d4c9e"})
    assert fields(so.request_problems(req)) == ["voice_params.voice_id"]
    assert "scene_mode" not in create_request(
        SessionDefaults(scene_mode="fast_dialogue"), {"scene_mode": ""})


def test_create_request_reads_either_trtc_spelling_and_remembers_the_secrets() -> None:
    forget_secrets()
    req = create_request(SessionDefaults(), {"stream_type": "trtc", "credentials": {
        "trtc_app_id": "1400000001", "trtc_room_id": "room-1", "trtc_user_id": "user-1",
        "trtc_user_sig": "sig-SECRET-987654321"}})
    assert req["credentials"] == {"trtc_sdk_app_id": 1400000001, "trtc_sdk_room_id": "room-1",
                                  "trtc_sdk_user_id": "user-1",
                                  "trtc_sdk_user_sig": "sig-SECRET-987654321"}
    assert "sig-SECRET-987654321" not in mask_text("failed with sig-SECRET-987654321")


# -- config defaults -------------------------------------------------------------------


def test_config_defaults_are_checked_and_the_elevenlabs_key_masked() -> None:
    cfg = parse_config('[defaults]\nturn_detection = "server_vad"\nturn_threshold = 0.6\n'
                       f'elevenlabs_api_key = "{ELEVEN_KEY}"\nscene_mode = "fast_dialogue"\n')
    assert cfg.defaults.turn_threshold == 0.6
    assert ELEVEN_KEY not in repr(cfg) and ELEVEN_KEY not in str(cfg.to_dict(masked=True))
    assert cfg.to_dict(for_file=True)["defaults"]["elevenlabs_api_key"] == ELEVEN_KEY
    assert "elevenlabs_api_key" not in parse_config("").to_dict(for_file=True)["defaults"]
    for bad, said in (('turn_threshold = 2', "0 to 1"), ('turn_detection = "vad"', "server_vad"),
                      ('turn_silence_duration_ms = 20000', "10,000"),
                      ('stt_language = "english!"', "en-US"), ('scene_mode = "fast"', "fast_dia")):
        with pytest.raises(ConfigError) as info:
            parse_config(f"[defaults]\n{bad}\n")
        assert said in str(info.value) and "line 2" in str(info.value)


# -- options files ---------------------------------------------------------------------


def write(path, text: str, mode: int = 0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_params_file_json_or_toml_by_extension_or_content(tmp_path) -> None:
    vp = {"speed": 1.1, "turn_detection": {"type": "server_vad", "threshold": 0.3}}
    assert load_params_file(write(tmp_path / "p.json", json.dumps(vp))).value == vp
    toml = 'speed = 1.1\n[turn_detection]\ntype = "server_vad"\nthreshold = 0.3\n'
    assert load_params_file(write(tmp_path / "p.toml", toml)).value == vp
    assert load_params_file(write(tmp_path / "p.conf", toml)).value == vp
    assert load_params_file(write(tmp_path / "p", json.dumps({"voice_params": vp}))).value == vp


@pytest.mark.parametrize(("name", "text", "said"), [
    ("p.json", '{"speed": 1.1,', "not valid JSON"),
    ("p.toml", "speed = = 1", "not valid TOML (line 1)"),
    ("p.json", "[1, 2]", "expected a table"),
    ("p.json", "\udcff", "not UTF-8"),
])
def test_bad_params_files_say_why(tmp_path, name, text, said) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(OptionsFileError) as info:
        load_params_file(path)
    assert said in str(info.value)


def test_options_files_refuse_huge_files_and_fifos(tmp_path) -> None:
    big = write(tmp_path / "big.json", '{"pron_map": {"a": "' + "b" * MAX_OPTIONS_BYTES + '"}}')
    with pytest.raises(OptionsFileError, match="too large"):
        load_params_file(big)
    for device in ("/dev/zero", "/dev/null"):
        with pytest.raises(OptionsFileError, match="character device"):
            load_credentials_file(device)


def test_options_files_read_pipes_and_never_hang_on_one_nobody_writes(
        tmp_path, monkeypatch) -> None:
    """`--params-file <(jq ...)` and `-` were refused as FIFOs, while `--prompt-file`
    read them but hung for ever on a FIFO nobody wrote (tester 8, F13): one rule now."""
    import threading

    from akool_tui.core import files

    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w", encoding="utf-8") as pipe:  # waits for the reader
            pipe.write('{"speed": 1.1}')

    thread = threading.Thread(target=writer)
    thread.start()
    assert load_params_file(fifo).value == {"speed": 1.1}
    thread.join(5)
    monkeypatch.setattr(files, "PIPE_WAIT", 0.3)
    with pytest.raises(OptionsFileError, match="nothing was written to for 0.3 s"):
        load_credentials_file(fifo)
    with pytest.raises(OptionsFileError, match="no such file"):
        load_credentials_file(tmp_path / "missing.json")


def test_credentials_file_permissions_and_secrets(tmp_path) -> None:
    forget_secrets()
    creds = {"agora_uid": 1, "agora_app_id": "app-SECRET-123456", "agora_channel": "my-room",
             "agora_token": "tok-SECRET-123456"}
    ok = load_credentials_file(write(tmp_path / "c.json", json.dumps(creds)))
    assert ok.value == creds and ok.warnings == []
    assert "tok-SECRET-123456" not in mask_text("oops tok-SECRET-123456")
    readable = load_credentials_file(write(tmp_path / "r.json", json.dumps(creds), 0o644))
    assert "other users can read it" in readable.warnings[0]
    with pytest.raises(OptionsFileError, match="other users can change it"):
        load_credentials_file(write(tmp_path / "w.json", json.dumps(creds), 0o666))
    # a params file without a secret may be shared; with the ElevenLabs key it may not
    assert load_params_file(write(tmp_path / "p.json", '{"speed": 1.1}', 0o666)).warnings == []
    with pytest.raises(OptionsFileError, match="other users can change it"):
        load_params_file(write(tmp_path / "e.json", json.dumps(
            {"elevenlabs_settings": {"api_key": ELEVEN_KEY}}), 0o666))
    assert ELEVEN_KEY not in mask_text(f"key {ELEVEN_KEY}")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=20)
KEYS = st.sampled_from([*so.NORMAL_KEYS, "voice_id", *so.ELEVEN_KEYS, *so.SERVER_VAD_ONLY, "type",
                        *so.BYO_FIELDS["agora"], *so.TRTC_DEMO_NAMES, "x"])


@given(st.dictionaries(KEYS, JSON, max_size=8), st.booleans(),
       st.sampled_from(["agora", "livekit", "trtc", "websocket", "x"]))
def test_any_file_content_gets_problems_never_an_exception(value, fast, stream) -> None:
    """What a params or credentials file may hold (any JSON) is answered with problems,
    each naming a field, and never crashes the check."""
    found = so.request_problems({"scene_mode": "fast_dialogue" if fast else None,
                                 "e2e_type": "openai" if fast else None, "voice_params": value,
                                 "credentials": value, "stream_type": stream})
    assert all(isinstance(p, so.Problem) and p.field and p.message for p in found)


def test_a_true_or_false_credential_is_a_problem_not_a_crash() -> None:
    from akool_tui.core.session_options import credentials_problems

    problems = credentials_problems({"agora_app_id": False, "agora_uid": True, "agora_channel": "c",
                                     "agora_token": "t" * 20}, "agora")
    assert len(problems) == 2, problems  # app id and uid: each named, nothing raised
