"""Profiles in the config file: parsing, which one is used, validation, saving."""

from __future__ import annotations

import pytest

from akool_tui.config import ConfigError, load_config, save_config
from akool_tui.config.profiles import profile_color
from akool_tui.core.readonly import ReadOnlyProfile, ensure_writable, refusal

TEXT = """\
api_key = "top-key-0000"
refresh_interval = 7.0
default_profile = "staging"

[defaults]
duration = 300

[profiles.staging]
base_url = "http://127.0.0.1:9"
api_key = "staging-key-1111"
color = "teal"

[profiles.prod]
client_id = "prod-client"
client_secret = "prod-secret-2222"
read_only = true
color = "#c00"

[profiles.prod.defaults]
duration = 120

[profiles.prod.ui]
theme = "akool-light"
"""


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text(TEXT)
    return p


def test_precedence_flag_env_default_profile_top_level(path, tmp_path):
    assert load_config(path, env={}).profile == "staging"  # default_profile
    assert load_config(path, env={"AKOOL_PROFILE": "prod"}).profile == "prod"  # env
    flagged = load_config(path, env={"AKOOL_PROFILE": "prod"}, profile="staging")
    assert flagged.profile == "staging"  # the flag beats the environment
    top = load_config(path, env={}, profile="default")
    assert (top.profile, top.api_key) == ("default", "top-key-0000")
    plain = tmp_path / "plain.toml"
    plain.write_text('api_key = "k"\n')
    assert load_config(plain, env={}).profile == "default"  # no profiles at all


def test_a_profile_inherits_preferences_but_never_the_connection(path):
    staging = load_config(path, env={}, profile="staging")
    assert (staging.base_url, staging.api_key) == ("http://127.0.0.1:9", "staging-key-1111")
    assert staging.refresh_interval == 7.0 and staging.defaults.duration == 300
    assert not staging.read_only
    prod = load_config(path, env={}, profile="prod")
    assert prod.base_url == "https://openapi.akool.com"  # not inherited, not staging's
    assert prod.api_key == ""  # the top-level key is not sent on prod's behalf
    assert prod.auth_mode == "client credentials"
    assert prod.defaults.duration == 120 and prod.ui.theme == "akool-light"
    assert prod.read_only and prod.color == "#c00"


def test_environment_overrides_the_profile_and_is_never_saved(path):
    cfg = load_config(path, env={"AKOOL_API_KEY": "env-key-9999"}, profile="staging")
    assert cfg.api_key == "env-key-9999"
    cfg.refresh_interval = 3.0
    save_config(cfg)
    text = path.read_text()
    assert "env-key-9999" not in text
    again = load_config(path, env={}, profile="staging")
    assert again.api_key == "staging-key-1111" and again.refresh_interval == 3.0
    assert load_config(path, env={}, profile="default").refresh_interval == 7.0


def test_a_save_under_a_profile_changes_that_profile_only(path):
    cfg = load_config(path, env={}, profile="staging")
    cfg.defaults.duration = 900
    save_config(cfg)
    assert load_config(path, env={}, profile="staging").defaults.duration == 900
    assert load_config(path, env={}, profile="default").defaults.duration == 300
    assert load_config(path, env={}, profile="prod").defaults.duration == 120
    assert "prod-secret-2222" in path.read_text()  # the rest of the file kept as it was


def test_unknown_profile_names_the_known_ones(path):
    with pytest.raises(ConfigError, match=r"unknown profile 'nope'; known profiles: "
                                          r"default, prod, staging"):
        load_config(path, env={}, profile="nope")
    with pytest.raises(ConfigError, match=r"unknown profile 'x' \(AKOOL_PROFILE\)"):
        load_config(path, env={"AKOOL_PROFILE": "x"})
    with pytest.raises(ConfigError, match="offline demo"):
        load_config(path, env={}, profile="demo")


@pytest.mark.parametrize(("text", "message"), [
    ('default_profile = "ghost"\n', "line 1, key 'default_profile': no profile 'ghost'"),
    ('[profiles.a]\nread_only = "yes"\n', "line 2, key 'profiles.a.read_only': expected "
                                          "true or false"),
    ('[profiles.a]\ncolor = "chartreuse-ish"\n', "key 'profiles.a.color': expected \"#rrggbb\""),
    ('[profiles.a]\napi_kye = "k"\n', "unknown key (did you mean 'api_key'?)"),
    ('[profiles.a]\ndefault_profile = "a"\n', "not allowed in a profile"),
    ('[profiles.a.keymap]\nrefresh = "r"\n', "not allowed in a profile"),
    ('[profiles.a.defaults]\nduration = 0\n', "key 'profiles.a.defaults.duration'"),
    ('[profiles.default]\napi_key = "k"\n', "reserved profile name"),
    ('[profiles.demo]\napi_key = "k"\n', "reserved profile name"),
    ('[profiles."bad name"]\napi_key = "k"\n', "bad profile name"),
    ('profiles = 3\n', "expected tables [profiles.NAME]"),
])
def test_validation_names_the_key_and_what_is_expected(tmp_path, text, message):
    p = tmp_path / "config.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(p, env={})
    assert message in str(caught.value)


def test_a_secret_in_a_bad_profile_value_is_not_quoted(tmp_path):
    p = tmp_path / "config.toml"
    p.write_text('[profiles.a]\napi_key = 12345678\n')
    with pytest.raises(ConfigError) as caught:
        load_config(p, env={})
    assert "12345678" not in str(caught.value)


def test_read_only_refuses_every_mutating_action_and_config_writes(path):
    prod = load_config(path, env={}, profile="prod")
    assert refusal(prod, "sessions.close") == "profile 'prod' is read-only: closing sessions is off"
    with pytest.raises(ReadOnlyProfile, match="uploading avatars is off"):
        ensure_writable(prod, "avatars.upload")
    before = path.read_text()
    prod.refresh_interval = 2.0
    with pytest.raises(ReadOnlyProfile, match="'prod' is read-only: saving the config is off"):
        save_config(prod)
    assert path.read_text() == before
    staging = load_config(path, env={}, profile="staging")
    assert refusal(staging, "sessions.close") is None
    ensure_writable(staging, "sessions.create")
    with pytest.raises(KeyError):
        refusal(staging, "sessions.explode")  # a typo in a guard is a bug, found at once


def test_profile_colours(path):
    assert profile_color("prod", "#c00") == "#cc0000"
    assert profile_color("x", "Teal") == "#2a9d8f"
    assert profile_color("staging") == profile_color("staging")  # stable per name
    assert len({profile_color(n) for n in ("a", "b", "c", "d", "e", "f", "g")}) > 2
