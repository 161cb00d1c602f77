"""``sessions create`` with every option flag, over loopback against the simulator:
what the simulator stored, refusals (exit 2, nothing created) and the simulator's own
1003 reasons for what slips past the client's checks."""

from __future__ import annotations

import json
import os

import pytest

from akool_tui.cli import main
from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - autouse fixture

ELEVEN_KEY = "sk_eleven_PLANTED_0123456789"


@pytest.fixture
def cli(capsys, simulator):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--base-url", simulator.base_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def made(simulator) -> list:
    """The sessions created through the API, as the simulator stored them."""
    return [r for r in simulator.state.sessions.values() if r.by_api]


def write(tmp_path, name: str, data, mode: int = 0o600) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    os.chmod(path, mode)
    return str(path)


def create(cli, *argv: str) -> tuple[int, dict | None, str]:
    code, out, err = cli("--json", "sessions", "create", "--stream-type", "websocket", *argv)
    return code, json.loads(out) if code == 0 else None, err


def test_params_file_toml_reaches_the_simulator(cli, simulator, tmp_path) -> None:
    params = write(tmp_path, "vp.toml", 'speed = 1.1\nstt_language = "en"\n'
                   'stt_type = "openai_realtime"\n[pron_map]\nAKool = "ay cool"\n'
                   '[turn_detection]\ntype = "server_vad"\nthreshold = 0.6\n'
                   'prefix_padding_ms = 200\nsilence_duration_ms = 700\n')
    code, session, err = create(cli, "--params-file", params)
    assert code == 0, err
    (rec,) = made(simulator)
    assert rec.id == session["id"]
    assert rec.voice_params == {"speed": 1.1, "stt_language": "en", "stt_type": "openai_realtime",
                                "pron_map": {"AKool": "ay cool"},
                                "turn_detection": {"type": "server_vad", "threshold": 0.6,
                                                   "prefix_padding_ms": 200,
                                                   "silence_duration_ms": 700}}


def test_speed_flag_wins_over_the_params_file(cli, simulator, tmp_path) -> None:
    params = write(tmp_path, "vp.json", {"speed": 1.2, "stt_language": "fr"})
    assert create(cli, "--params-file", params, "--speed", "0.9")[0] == 0
    assert made(simulator)[0].voice_params == {"speed": 0.9, "stt_language": "fr"}


def test_knowledge_by_full_id_and_by_suffix(cli, simulator) -> None:
    kb = next(iter(simulator.state.knowledge.values())) if hasattr(
        simulator.state, "knowledge") else None
    assert kb is not None
    assert create(cli, "--knowledge", kb.oid)[0] == 0
    assert create(cli, "--knowledge", kb.oid[-8:])[0] == 0
    assert [r.knowledge_id for r in made(simulator)] == [kb.oid, kb.oid]
    # no such knowledge base: exit 1, as `knowledge show zzzzzz` and the service's own
    # 1232 for a full id (it was 2, a usage error: tester 8, F17)
    code, _, err = create(cli, "--knowledge", "zzzzzz")
    assert code == 1 and "--knowledge: No knowledge base ID starts or ends with 'zzzzzz'" \
        in err and len(made(simulator)) == 2


def test_fast_dialogue_with_a_preset_voice(cli, simulator) -> None:
    code, _, err = create(cli, "--scene-mode", "fast_dialogue", "--voice", "coral")
    assert code == 0, err
    (rec,) = made(simulator)
    assert (rec.scene_mode, rec.e2e_type, rec.voice_params, rec.voice_id) == (
        "fast_dialogue", "openai", {"voice_id": "coral"}, None)


def test_fast_dialogue_refuses_a_voice_list_voice_before_sending(cli, simulator) -> None:
    voice = next(v for v in simulator.state.voice_by_id)
    code, out, err = create(cli, "--scene-mode", "fast_dialogue", "--voice", voice)
    assert code == 2 and out is None
    assert "voice_params.voice_id" in err and "Voice List" in err
    assert made(simulator) == []


@pytest.mark.parametrize(("params", "said"), [
    ({"speed": 2}, "voice_params.speed: expected a number from 0.8 to 1.2"),
    ({"turn_detection": {"type": "semantic_vad", "threshold": 0.5}},
     "threshold: does not apply with semantic_vad"),
    ({"turn_detection": {"type": "server_vad", "silence_duration_ms": 10001}}, "0 to 10,000"),
    ({"elevenlabs_settings": {"model_id": "eleven_flash_v2_5"}}, "api_key: expected your Eleven"),
    ({"stt_type": "whisper"}, "stt_type: expected openai_realtime"),
    ({"pron_map": {"AKool": ""}}, "pron_map[1]"),
    ({"colour": "red"}, "voice_params.colour: is not a voice_params option"),
])
def test_wrong_params_exit_2_and_nothing_is_created(cli, simulator, tmp_path, params, said) -> None:
    code, _, err = create(cli, "--params-file", write(tmp_path, "vp.json", params))
    assert code == 2 and said in err and "Traceback" not in err
    assert made(simulator) == []


def test_credentials_file_brings_the_room_under_either_trtc_spelling(cli, simulator,
                                                                     tmp_path) -> None:
    creds = write(tmp_path, "c.toml", 'trtc_app_id = 1400000001\ntrtc_room_id = "room-7"\n'
                  'trtc_user_id = "avatar-7"\ntrtc_user_sig = "sig-SECRET-0123456789"\n')
    code, out, err = cli("--json", "sessions", "create", "--stream-type", "trtc",
                         "--credentials-file", creds)
    assert code == 0, err
    (rec,) = made(simulator)
    assert rec.byo_credentials["trtc_sdk_room_id"] == "room-7"
    assert "sig-SECRET-0123456789" not in out + err


def test_credentials_problems_exit_2(cli, simulator, tmp_path) -> None:
    partial = write(tmp_path, "c.json", {"agora_uid": 1, "agora_token": "tok-SECRET-01234567"})
    code, _, err = cli("sessions", "create", "--stream-type", "agora",
                       "--credentials-file", partial)
    assert code == 2 and "credentials.agora_app_id" in err and "tok-SECRET" not in err
    shared = write(tmp_path, "w.json", {"agora_uid": 1}, mode=0o666)
    code, _, err = cli("sessions", "create", "--credentials-file", shared)
    assert code == 2 and "other users can change it" in err
    code, _, err = cli("sessions", "create", "--credentials-file", str(tmp_path / "nope.json"))
    assert code == 2 and "no such file" in err
    assert made(simulator) == []


def test_a_readable_credentials_file_warns_and_is_used(cli, simulator, tmp_path) -> None:
    creds = write(tmp_path, "c.json", {"agora_uid": 7, "agora_app_id": "app-SECRET-0123456",
                                       "agora_channel": "mine", "agora_token": "tok-SECRET-0123"},
                  mode=0o644)
    code, out, err = cli("--json", "sessions", "create", "--stream-type", "agora",
                         "--credentials-file", creds)
    assert code == 0 and "other users can read it" in err
    assert made(simulator)[0].byo_credentials["agora_channel"] == "mine"
    assert "tok-SECRET-0123" not in out + err and "app-SECRET-0123456" not in out + err


def test_what_slips_past_the_client_gets_the_simulators_1003(cli, simulator, tmp_path) -> None:
    # a language code of the right shape that the service does not speak
    code, _, err = create(cli, "--params-file", write(tmp_path, "vp.json", {"stt_language": "xx"}))
    assert code == 1 and "1003" in err and "stt_language" in err
    # bring-your-own credentials on the simulator's own channel
    creds = write(tmp_path, "c.json", {"agora_uid": 1})
    code, _, err = cli("sessions", "create", "--stream-type", "websocket",
                       "--credentials-file", creds)
    assert code == 2 and "websocket" in err
    assert made(simulator) == []


def test_help_lists_the_new_flags(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["sessions", "create", "--help"])
    out = capsys.readouterr().out
    assert all(flag in out for flag in ("--knowledge", "--params-file", "--scene-mode",
                                        "--credentials-file"))


def test_configured_defaults_that_fast_dialogue_leaves_out_are_named(cli, simulator, tmp_path,
                                                                     monkeypatch) -> None:
    conf = tmp_path / "config.toml"
    voice = next(iter(simulator.state.voice_by_id))
    conf.write_text(f'[defaults]\nspeed = 1.1\nvoice_id = "{voice}"\nstt_language = "en"\n')
    monkeypatch.setenv("AKOOL_TUI_CONFIG", str(conf))
    code, _, err = create(cli, "--scene-mode", "fast_dialogue")
    assert code == 0, err
    assert "[defaults] speed does not apply with fast_dialogue" in err
    assert "[defaults] voice_id does not apply" in err
    assert made(simulator)[0].voice_params == {"stt_language": "en"}
