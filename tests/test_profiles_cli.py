"""Profiles in the CLI, against two simulators (two base URLs, two keys): every command
goes where its profile says, a read-only profile sends nothing, no secret is printed."""

from __future__ import annotations

import json

import pytest

from akool_tui.cli import main
from cli_helpers import clean_env  # noqa: F401 - autouse fixture


@pytest.fixture(autouse=True)
def data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def two(simulator_factory, tmp_path):
    """Simulators "a" (key-aaaa-1111) and "b" (key-bbbb-2222); profiles "alpha" and
    "beta" point at them, "beta-ro" at b read-only; the top level has no credentials."""
    a = simulator_factory(api_key="key-aaaa-1111", seed=1)
    b = simulator_factory(api_key="key-bbbb-2222", seed=2)
    (tmp_path / "config.toml").write_text(f"""\
[profiles.alpha]
base_url = "{a.base_url}"
api_key = "key-aaaa-1111"

[profiles.beta]
base_url = "{b.base_url}"
api_key = "key-bbbb-2222"
color = "red"

[profiles.beta-ro]
base_url = "{b.base_url}"
api_key = "key-bbbb-2222"
read_only = true
""")
    return a, b


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ids_of(out: str) -> set[str]:
    return {row["id"] for row in json.loads(out)}


def test_each_command_goes_to_its_profiles_service(two, capsys, monkeypatch):
    a, b = two
    code, out, err = run(capsys, "--profile", "alpha", "sessions", "list", "--json")
    assert code == 0, err
    assert ids_of(out) == set(a.state.sessions)
    code, out, err = run(capsys, "sessions", "list", "--json", "--profile", "beta")
    assert code == 0, err
    assert ids_of(out) == set(b.state.sessions) and set(a.state.sessions) != set(b.state.sessions)

    monkeypatch.setenv("AKOOL_PROFILE", "beta")  # the environment chooses
    before_a, before_b = len(a.state.sessions), len(b.state.sessions)
    code, out, err = run(capsys, "--json", "sessions", "create", "--duration", "60")
    assert code == 0, err
    created = json.loads(out)["id"]
    assert created in b.state.sessions and created not in a.state.sessions
    assert (len(a.state.sessions), len(b.state.sessions)) == (before_a, before_b + 1)
    code, out, err = run(capsys, "--profile", "alpha", "sessions", "close", created)
    assert code == 1  # the flag beats AKOOL_PROFILE: alpha's service has no such session
    code, out, err = run(capsys, "sessions", "close", created)
    assert code == 0, err
    assert b.state.session_status(created) == 3


def test_unknown_profile_exits_2_listing_the_known_ones(two, capsys, monkeypatch):
    code, out, err = run(capsys, "--profile", "gamma", "sessions", "list")
    assert code == 2 and out == ""
    assert "unknown profile 'gamma'; known profiles: default, alpha, beta, beta-ro" in err
    monkeypatch.setenv("AKOOL_PROFILE", "nope")
    code, _, err = run(capsys, "sessions", "list")
    assert code == 2 and "unknown profile 'nope' (AKOOL_PROFILE)" in err


def test_a_profile_without_credentials_says_which(two, capsys, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(config.read_text() + '\n[profiles.empty]\nbase_url = "http://127.0.0.1:9"\n')
    code, _, err = run(capsys, "--profile", "empty", "sessions", "list")
    assert code == 2 and "profile 'empty' has no AKool credentials" in err
    assert "[profiles.empty]" in err


@pytest.mark.parametrize(("argv", "what"), [
    (("sessions", "create", "--duration", "60"), "creating sessions"),
    (("sessions", "close", "se"), "closing sessions"),
    (("avatars", "upload", "--url", "https://example.com/v.mp4", "--avatar-id", "ro1",
      "--name", "ro"), "uploading avatars"),
    (("knowledge", "create", "--name", "ro"), "creating, editing and deleting knowledge bases"),
    (("knowledge", "delete", "0123456789abcdef01234567"),
     "creating, editing and deleting knowledge bases"),
])
def test_read_only_profile_refuses_and_sends_nothing(two, capsys, argv, what):
    _, b = two
    sessions = {k: b.state.session_status(k) for k in list(b.state.sessions)}
    avatars = set(b.state.avatars)
    knowledge = set(b.state.knowledge)
    code, out, err = run(capsys, "--profile", "beta-ro", *argv)
    assert code == 2 and out == ""
    assert err.strip() == f"akool-tui: profile 'beta-ro' is read-only: {what} is off"
    assert {k: b.state.session_status(k) for k in list(b.state.sessions)} == sessions
    assert set(b.state.avatars) == avatars
    assert set(b.state.knowledge) == knowledge
    # reading is fine under the same profile
    code, out, err = run(capsys, "--profile", "beta-ro", "sessions", "list", "--json")
    assert code == 0 and ids_of(out) == set(b.state.sessions)


def test_config_show_and_profiles_never_print_a_secret_in_full(two, capsys, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(config.read_text()
                      + '\n[profiles.cc]\nclient_id = "cid"\nclient_secret = "sec-ret-9876"\n')
    for argv in (("config", "show"), ("config", "show", "--json"), ("config", "profiles"),
                 ("config", "profiles", "--json"), ("config", "show", "--profile", "beta")):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        for secret in ("key-aaaa-1111", "key-bbbb-2222", "sec-ret-9876"):
            assert secret not in out + err, (argv, secret)
    code, out, _ = run(capsys, "config", "show", "--profile", "beta-ro")
    assert "# profile: beta-ro (from --profile) -- read-only" in out
    assert "••••2222" in out  # masked, its last 4 shown
    code, out, _ = run(capsys, "config", "profiles", "--json", "--profile", "beta")
    rows = {r["name"]: r for r in json.loads(out)}
    assert list(rows) == ["default", "alpha", "beta", "beta-ro", "cc"]
    assert rows["beta"]["active"] and rows["beta"]["color"] == "#d93f3f"
    assert rows["beta-ro"]["read_only"] and not rows["alpha"]["read_only"]
    assert rows["cc"]["auth"] == "client credentials" and rows["default"]["auth"] == "none"


def test_demo_is_its_own_profile(two, capsys, monkeypatch):
    code, _, err = run(capsys, "--demo", "--profile", "alpha", "sessions", "list")
    assert code == 2 and "--demo and --profile cannot be combined" in err
    monkeypatch.setenv("AKOOL_PROFILE", "beta-ro")  # ignored: the demo is not beta-ro
    code, out, err = run(capsys, "--demo", "--json", "config", "show")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["profile"] == "demo" and not shown["read_only"]
    assert "profiles" not in shown["config"]


def test_history_commands_read_the_profiles_own_database(two, capsys, tmp_path):
    code, out, err = run(capsys, "--profile", "beta", "history", "list", "--json")
    assert code == 0, err
    code, _, err = run(capsys, "--profile", "gamma", "history", "list")
    assert code == 2 and "unknown profile 'gamma'" in err
