"""Arguments a user can get wrong are refused clearly before anything is sent: a
100 000-character ID (it printed "unexpected error"), a negative --timeout (the upload
went out), control characters in text the service stores or says (tester F1, F3-F5)."""

from __future__ import annotations

import pytest

from akool_tui.cli import main

HUGE = "x" * 100_000


@pytest.mark.parametrize("argv, said", [
    (["sessions", "show", HUGE], "The session ID is 100,000 characters long; an ID has at most 512"),
    (["knowledge", "show", HUGE], "The knowledge base ID is 100,000 characters long"),
    (["knowledge", "list", "--name", HUGE], "Cannot encode the request to /api/open/v4/knowledge"),
])
def test_a_huge_argument_is_refused_with_a_clear_message(simulator, capsys, monkeypatch,
                                                         argv, said):
    monkeypatch.setenv("AKOOL_API_KEY", "demo")
    monkeypatch.setenv("AKOOL_TUI_CONFIG", "/nonexistent/akool.toml")
    assert main(["--base-url", simulator.base_url, *argv]) == 1
    err = capsys.readouterr().err
    assert said in err and "unexpected error" not in err and len(err) < 2_000


@pytest.mark.parametrize("timeout", ["-3", "0", "nan", "inf", "1e9"])
def test_a_wait_timeout_that_is_not_a_positive_time_is_refused_before_the_upload(
        simulator, capsys, monkeypatch, timeout):
    monkeypatch.setenv("AKOOL_API_KEY", "demo")
    monkeypatch.setenv("AKOOL_TUI_CONFIG", "/nonexistent/akool.toml")
    argv = ["--base-url", simulator.base_url, "avatars", "upload", "--url",
            "https://example.com/a.mp4", "--avatar-id", "tst7", "--name", "w", "--wait",
            f"--timeout={timeout}"]
    assert main(argv) == 2
    assert "--timeout: expected a number of seconds above 0" in capsys.readouterr().err
    assert main(["--base-url", simulator.base_url, "avatars", "list", "--json"]) == 0
    assert "tst7" not in capsys.readouterr().out  # nothing was uploaded


@pytest.mark.parametrize("argv, said", [
    (["avatars", "upload", "--url", "https://example.com/a.mp4", "--avatar-id", "tst3",
      "--name", "\x1b[31mx"], "--name: expected a name without control or invisible "
                              "characters (U+001B at character 1)"),
    (["knowledge", "create", "--name", "Evil KB", "--prologue", "hi\x1b[2Jthere"],
     "prologue without control or invisible characters (U+001B at character 3)"),
    (["knowledge", "create", "--name", "Evil KB", "--prompt", "be kind\u202eevil"],
     "prompt without control or invisible characters (U+202E at character 8)"),
])
def test_text_the_service_stores_or_says_takes_no_control_characters(simulator, capsys,
                                                                     monkeypatch, argv, said):
    monkeypatch.setenv("AKOOL_API_KEY", "demo")
    monkeypatch.setenv("AKOOL_TUI_CONFIG", "/nonexistent/akool.toml")
    assert main(["--base-url", simulator.base_url, *argv]) == 2
    assert said in capsys.readouterr().err


def test_a_prologue_keeps_its_lines_and_tabs(simulator, capsys, monkeypatch):
    monkeypatch.setenv("AKOOL_API_KEY", "demo")
    monkeypatch.setenv("AKOOL_TUI_CONFIG", "/nonexistent/akool.toml")
    assert main(["--base-url", simulator.base_url, "knowledge", "create", "--name", "Lines",
                 "--prologue", "Hello.\n\tHow can I help?", "--json"]) == 0
    assert "Hello.\\n\\tHow can I help?" in capsys.readouterr().out
