"""Config file: discovery, validation messages, env overrides, safe atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from akool_tui.core import validators as v
from akool_tui.config import (
    Config,
    ConfigError,
    LlmConfig,
    SessionDefaults,
    UiConfig,
    config_path,
    find_key_line,
    load_config,
    save_config,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- discovery -------------------------------------------------------------------


def test_config_path_prefers_explicit_then_xdg_then_home(tmp_path):
    assert config_path({"AKOOL_TUI_CONFIG": str(tmp_path / "x.toml"),
                        "XDG_CONFIG_HOME": "/nope"}) == tmp_path / "x.toml"
    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "akool-tui" / "config.toml"
    assert config_path({}) == Path.home() / ".config" / "akool-tui" / "config.toml"


def test_missing_file_gives_defaults(tmp_path):
    cfg = load_config(tmp_path / "absent.toml", env={})
    assert cfg.base_url == "https://openapi.akool.com"
    assert cfg.defaults == SessionDefaults()
    assert cfg.ui == UiConfig() and cfg.llm == LlmConfig() and cfg.keymap == {}
    assert not cfg.has_credentials and cfg.auth_mode == "none"
    assert cfg.path == tmp_path / "absent.toml"


def test_load_config_uses_env_config_path(tmp_path):
    path = write(tmp_path / "c.toml", "refresh_interval = 2\n")
    assert load_config(env={"AKOOL_TUI_CONFIG": str(path)}).refresh_interval == 2.0


# -- round trip and permissions ------------------------------------------------


def full_config(path: Path) -> Config:
    return Config(
        base_url="http://127.0.0.1:8765",
        api_key="key-0123456789abcdef",
        client_id="client-1",
        client_secret="secret-0123456789",
        refresh_interval=2.5,
        ui=UiConfig(theme="akool-light", mouse=False, animations=True),
        defaults=SessionDefaults(avatar_id="myAvatar1", duration=120, stream_type="livekit",
                                 voice_id="v1", language="fr", mode_type=1,
                                 background_url="https://example.com/bg.png", speed=1.1),
        llm=LlmConfig(base_url="http://localhost:11434/v1", model="llama3", api_key_env="MY_KEY"),
        keymap={"refresh": "ctrl+r", "pause": "p,space"},
        path=path,
    )


def test_round_trip_and_mode_0600_on_create(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    original = full_config(path)
    assert save_config(original) == path
    assert mode(path) == 0o600
    loaded = load_config(path, env={})
    assert loaded == original
    assert loaded.auth_mode == "client credentials"
    assert loaded.client_kwargs() == {"base_url": "http://127.0.0.1:8765", "api_key": None,
                                      "client_id": "client-1", "client_secret": "secret-0123456789",
                                      "deadline": 30.0, "max_body": 32 * 1024 * 1024}


def test_existing_wide_file_becomes_0600(tmp_path):
    path = write(tmp_path / "config.toml", 'api_key = "old-key-000000"\n')
    os.chmod(path, 0o644)
    cfg = load_config(path, env={})
    cfg.api_key = "new-key-111111"
    save_config(cfg)
    assert mode(path) == 0o600
    assert load_config(path, env={}).api_key == "new-key-111111"


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = write(tmp_path / "config.toml", 'api_key = "old-key-000000"\n')
    before = path.read_bytes()
    cfg = load_config(path, env={})
    cfg.api_key = "new-key-111111"

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ConfigError, match="No space left on device") as info:
        save_config(cfg)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_invalid_config_is_never_written(tmp_path):
    path = write(tmp_path / "config.toml", 'api_key = "old-key-000000"\n')
    cfg = load_config(path, env={})
    cfg.defaults.duration = 0
    with pytest.raises(ConfigError, match="defaults.duration"):
        save_config(cfg)
    assert path.read_text() == 'api_key = "old-key-000000"\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


# -- environment overrides ---------------------------------------------------------


ENV = {
    "AKOOL_API_KEY": "env-key-999999999",
    "AKOOL_CLIENT_ID": "env-client",
    "AKOOL_CLIENT_SECRET": "env-secret-88888888",
    "AKOOL_BASE_URL": "http://127.0.0.1:9999",
}


def test_env_overrides_file(tmp_path):
    path = write(tmp_path / "config.toml",
                 'base_url = "https://a.example"\napi_key = "file-key-1111111"\n')
    cfg = load_config(path, env=ENV)
    assert (cfg.api_key, cfg.client_id, cfg.client_secret, cfg.base_url) == (
        ENV["AKOOL_API_KEY"], ENV["AKOOL_CLIENT_ID"], ENV["AKOOL_CLIENT_SECRET"],
        ENV["AKOOL_BASE_URL"])
    assert cfg.source_of("api_key") == "env"
    assert cfg.source_of("refresh_interval") == "default"


def test_env_values_are_not_persisted(tmp_path):
    path = write(tmp_path / "config.toml",
                 'base_url = "https://a.example"\napi_key = "file-key-1111111"\n')
    cfg = load_config(path, env=ENV)
    cfg.refresh_interval = 9.0
    save_config(cfg)
    text = path.read_text()
    for value in ENV.values():
        assert value not in text
    reloaded = load_config(path, env={})
    assert reloaded.api_key == "file-key-1111111"
    assert reloaded.base_url == "https://a.example"
    assert reloaded.client_id == "" and reloaded.client_secret == ""
    assert reloaded.refresh_interval == 9.0


def test_value_set_explicitly_over_env_is_persisted(tmp_path):
    path = tmp_path / "config.toml"
    cfg = load_config(path, env={"AKOOL_API_KEY": "env-key-999999999"})
    cfg.api_key = "typed-in-the-ui-123"
    save_config(cfg)
    assert load_config(path, env={}).api_key == "typed-in-the-ui-123"


def test_env_base_url_must_be_https(tmp_path):
    with pytest.raises(ConfigError, match="AKOOL_BASE_URL.*https"):
        load_config(tmp_path / "none.toml", env={"AKOOL_BASE_URL": "http://api.example.com"})


# -- bad files --------------------------------------------------------------------


def test_malformed_file_names_file_and_line(tmp_path):
    path = write(tmp_path / "config.toml", 'api_key = "k"\n\n[ui]\ntheme = \n')
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert str(path) in message and "line 4" in message and "invalid TOML" in message
    assert info.value.line == 4 and "\n" not in message


def test_not_utf8_names_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b'api_key = "k"\ntheme = "\xff"\n')
    with pytest.raises(ConfigError, match="line 2.*UTF-8"):
        load_config(path, env={})


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ConfigError, match="directory"):
        load_config(tmp_path, env={})


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('api_key = "k"\nrefresh = 3\n', "refresh", 2),
        ('# c\n[ui]\ntheme = "x"\ncolour = "red"\n', "ui.colour", 4),
        ('[defaults]\nduration = 60\n\n[defaults_extra]\n', "defaults_extra", 4),
        ('[llm]\nmodel = "m"\n[defaults]\nmodel = "m"\n', "defaults.model", 4),
        ('defaults.avatar = "x"\n', "defaults.avatar", 1),
    ],
)
def test_unknown_key_names_key_and_line(tmp_path, text, key, line):
    path = write(tmp_path / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert info.value.key == key and info.value.line == line
    message = str(info.value)
    assert str(path) in message and f"'{key}'" in message and f"line {line}" in message
    assert "unknown key" in message


def test_unknown_key_suggests_close_match(tmp_path):
    path = write(tmp_path / "config.toml", "[ui]\nthem = 'x'\n")
    with pytest.raises(ConfigError, match="did you mean 'theme'"):
        load_config(path, env={})


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("refresh_interval = 0.5\n", "refresh_interval", "at least 1"),
        ("refresh_interval = 'fast'\n", "refresh_interval", "a number"),
        ("[defaults]\nduration = 0\n", "defaults.duration", "1 to 3600"),
        ("[defaults]\nduration = 3601\n", "defaults.duration", "1 to 3600"),
        ("[defaults]\nduration = 60.5\n", "defaults.duration", "an integer"),
        ("[defaults]\nmode_type = 3\n", "defaults.mode_type", "1 (retelling) or 2"),
        ("[defaults]\nstream_type = 'webrtc'\n", "defaults.stream_type", "agora, livekit, trtc"),
        ("[defaults]\nspeed = 1.5\n", "defaults.speed", "0.8 to 1.2"),
        ("[defaults]\nspeed = true\n", "defaults.speed", "a number"),
        ("[defaults]\nbackground_url = 'ftp://x/y'\n", "defaults.background_url", "http(s) URL"),
        ("[defaults]\navatar_id = 'has space'\n", "defaults.avatar_id", "without spaces"),
        ("[ui]\ntheme = 3\n", "ui.theme", "a string"),
        ("[ui]\nmouse = 'yes'\n", "ui.mouse", "true or false"),
        ("ui = 3\n", "ui", "a table"),
        ("[keymap]\nrefresh = 5\n", "keymap.refresh", "ctrl+r"),
        ("base_url = 'http://api.example.com'\n", "base_url", "https"),
        ("base_url = 'openapi.akool.com'\n", "base_url", "https URL"),
        ("base_url = 'https://u:p@api.example.com'\n", "base_url", "user name"),
        ("base_url = 'https://api.example.com/?x=1'\n", "base_url", "query"),
        ("[llm]\nbase_url = 'http://10.0.0.5/v1'\n", "llm.base_url", "https"),
    ],
)
def test_bad_values_name_key_line_and_expectation(tmp_path, text, key, expected):
    path = write(tmp_path / "config.toml", "# my config\n" + text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert info.value.key == key
    assert info.value.line == text.count("\n") + 1
    assert str(path) in message and expected in message and f"'{key}'" in message


def test_secret_values_are_not_echoed_in_errors(tmp_path):
    path = write(tmp_path / "config.toml", "api_key = 123456789123\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "123456789123" not in str(info.value) and "a string" in str(info.value)
    path = write(tmp_path / "config.toml", "base_url = 'https://me:hunter2@api.example.com'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.3.4.5", "http://localhost:1/x", "http://[::1]:9",
     "https://openapi.akool.com", "https://10.0.0.1"],
)
def test_allowed_base_urls(tmp_path, url):
    path = write(tmp_path / "config.toml", f'base_url = "{url}"\n')
    assert load_config(path, env={}).base_url == url


def test_repr_masks_secrets():
    cfg = Config(api_key="key-0123456789abcdef", client_secret="secret-0123456789")
    text = repr(cfg) + str(cfg)
    assert "0123456789abcdef" not in text and "secret-0123456789" not in text
    assert "cdef" in text
    shown = cfg.to_dict(masked=True)
    assert shown["api_key"].endswith("cdef") and "0123" not in shown["api_key"]


def test_auth_mode_and_client_kwargs():
    cfg = Config(api_key="key-0123456789")
    assert cfg.auth_mode == "api key" and cfg.has_credentials
    assert cfg.client_kwargs()["api_key"] == "key-0123456789"
    assert not Config(client_id="only-id").has_credentials


def test_find_key_line_handles_tables_dotted_and_inline_keys():
    text = 'a = 1\n[ui]\ntheme = "x"\n[defaults]\n"speed" = 1\nllm.model = "m"\nkeymap = { q = "x" }\n'
    assert find_key_line(text, "ui.theme") == 3
    assert find_key_line(text, "defaults.speed") == 5
    assert find_key_line(text, "defaults.llm.model") == 6
    assert find_key_line(text, "defaults.keymap.q") == 7
    assert find_key_line(text, "nothing") is None


# -- validators (shared with the TUI forms) ---------------------------------------


def test_validators_accept_typed_and_text_values():
    assert v.validate_duration("600") is None and v.validate_duration(1) is None
    assert v.validate_duration("abc") and v.validate_duration(True) and v.validate_duration(0)
    assert v.validate_speed("0.8") is None and v.validate_speed("nan") and v.validate_speed(1.3)
    assert v.validate_mode_type("1") is None and v.validate_mode_type(3)
    assert v.validate_avatar_id("abc123") is None
    assert v.validate_avatar_id("dvp_Tristan") and v.validate_avatar_id("")
    assert v.validate_session_avatar_id("dvp_Tristan_cloth2_1080P") is None
    assert v.validate_stream_type("websocket") is None and v.validate_stream_type("x")
    assert v.validate_http_url("https://a.b/c.mp4") is None
    assert v.validate_http_url("https://a.b:99999/") and v.validate_http_url("file:///x")
    assert v.validate_http_url("", allow_empty=True) is None


@pytest.mark.parametrize("url, said", [
    ("https://ex.example/bg 图片.png", "spaces (write a space as %20)"),
    ("https://ex.example/a\u00a0b", "spaces"),
    ('https://ex.example/"quote".png', 'the character "'),
    ("https://ex.example/a\\b.png", "the character \\"),
    ("https://ex.example/aaaa\u2026", "an ellipsis"),
    ("https://ex.example/a\u202eb.png", "control or invisible characters"),
])
def test_an_url_with_what_no_url_holds_is_refused_as_typed(url, said):
    """Spaces and quotes passed the http(s) check: the service found out, and the user
    from the avatar's missing background (tester 8, F3)."""
    problem = v.validate_http_url(url)
    assert problem and said in problem


def test_what_urls_do_hold_passes():
    for url in ("https://ex.example/%E5%9B%BE.png?a=1&b={2}#x", "https://ex.example/图片.png",
                "http://127.0.0.1:8080/a_b-c~d.mp4"):
        assert v.validate_http_url(url) is None, url
    assert v.validate_refresh_interval(1) is None and v.validate_refresh_interval(0.9)
    assert v.is_loopback_host("127.0.0.9") and v.is_loopback_host("::1")
    assert not v.is_loopback_host("10.0.0.1") and not v.is_loopback_host("example.com")
