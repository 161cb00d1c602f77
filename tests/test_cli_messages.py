"""What the CLI says to a new user: a refused API key, every wrong create flag at once,
a knowledge base name with control characters, where each config value comes from.
Against the real simulator (no mocks)."""

from __future__ import annotations

import pytest

from akool_tui.cli import main
from cli_helpers import clean_env  # noqa: F401 - autouse fixture


@pytest.fixture
def cli(capsys, monkeypatch):
    def run(*argv: str, key: str | None = "demo") -> tuple[int, str, str]:
        if key is not None:
            monkeypatch.setenv("AKOOL_API_KEY", key)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_wrong_api_key_is_said_in_api_key_words(simulator, cli):
    code, _out, err = cli("--base-url", simulator.base_url, "sessions", "list",
                          key="wrong-key-000000000000")
    assert code == 1
    assert "Invalid API key or client credentials, or an expired token" in err
    assert "sign in again" not in err and "wrong-key-000000000000" not in err


def test_create_lists_every_wrong_flag_at_once(simulator, cli):
    before = set(simulator.state.sessions)
    code, _out, err = cli("--base-url", simulator.base_url, "sessions", "create",
                          "--speed", "5", "--background", "ftp://x", "--mode", "3")
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith("akool-tui: not created: ")
    for flag in ("--speed: expected", "--background: expected", "--mode: expected"):
        assert flag in line, line
    assert set(simulator.state.sessions) == before  # nothing sent


def test_a_knowledge_name_with_control_characters_is_refused(simulator, cli):
    from akool_tui.core.knowledge import check_name

    before = dict(simulator.state.knowledge)
    code, _out, err = cli("--base-url", simulator.base_url, "knowledge", "create",
                          "--name", "Bike\x1b[31m\u202eshop")
    assert code == 2
    assert "--name: a name without control or invisible characters (U+001B at character 5)" \
        in err
    assert dict(simulator.state.knowledge) == before  # nothing sent
    # the console's form checks with the same rule (its fields never let one in)
    assert check_name("Bike\u202eshop") is not None and check_name("Vélo · shop") is None


def test_config_show_notes_every_values_source(cli, tmp_path):
    (tmp_path / "config.toml").write_text(
        'request_deadline = 20.0\n[defaults]\nlanguage = "fr"\n'
        '[keymap]\n"app.quit" = "ctrl+q"\n', encoding="utf-8")
    code, out, _err = cli("config", "show")
    assert code == 0
    values = [line for line in out.splitlines() if " = " in line and not line.startswith("#")]
    assert len(values) > 30
    assert all(line.rsplit("  # ", 1)[-1] in ("default", "file", "env AKOOL_API_KEY")
               and "  # " in line for line in values), values
    noted = dict(line.rsplit("  # ", 1) for line in values)
    assert noted["request_deadline = 20.0"] == "file"
    assert noted['language = "fr"'] == "file" and noted["history = true"] == "default"
    assert noted['"app.quit" = "ctrl+q"'] == "file"
    assert noted['stream_type = "agora"'] == "default"
