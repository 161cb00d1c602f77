"""A 100 000-character argument gets a clear refusal, never "unexpected error" (tester F1)."""

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
