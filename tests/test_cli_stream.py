"""``sessions list`` at scale: written as the pages arrive (``--json`` an array,
``--jsonl`` a line per session), and a CLI that starts without the heavy modules."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from akool_tui.api.client import AkoolClient
from akool_tui.cli import main
from cli_helpers import clean_env_with_key as clean_env  # noqa: F401 - autouse fixture

REPO = Path(__file__).resolve().parents[1]


def all_sessions(sim, **kw):
    async def go():
        async with AkoolClient(sim.base_url, api_key="demo") as client:
            return await client.list_all_sessions(**kw)

    return asyncio.run(go())


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKOOL_")}
    return {**env, "AKOOL_API_KEY": "demo", "AKOOL_TUI_CONFIG": "/nonexistent/akool.toml"}


def test_jsonl_and_json_hold_every_session_of_many_pages_in_server_order(simulator_factory,
                                                                         capsys):
    sim = simulator_factory(sessions=450)
    expected = [s.id for s in all_sessions(sim)]
    assert main(["--base-url", sim.base_url, "sessions", "list", "--jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == expected  # one object a line
    assert main(["--base-url", sim.base_url, "sessions", "list", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in records] == expected
    assert {"status_label", "time_left", "credentials"} <= set(records[0])
    assert main(["--base-url", sim.base_url, "sessions", "list", "--json", "--status", "4"]) == 0
    failed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in failed] == [s.id for s in all_sessions(sim, status=4)]


def test_an_empty_listing_is_an_empty_array_and_no_lines(simulator_factory, capsys):
    sim = simulator_factory(sessions=0)
    assert main(["--base-url", sim.base_url, "sessions", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--base-url", sim.base_url, "sessions", "list", "--jsonl"]) == 0
    assert capsys.readouterr().out == ""


def test_jsonl_escapes_every_control_character(hostile, capsys, monkeypatch):
    monkeypatch.setenv("AKOOL_API_KEY", "demo-key-123456")
    code = main(["--base-url", hostile.base_url, "sessions", "list", "--jsonl"])
    out = capsys.readouterr().out
    assert code == 0 and out
    for line in out.splitlines():
        json.loads(line)
        assert line.isprintable(), repr(line)


def test_the_first_sessions_are_printed_before_the_last_page_is_fetched(simulator_factory):
    """A slow service: the first page reaches the pipe while later pages are still on
    their way (before, nothing was printed until all 20 pages were in)."""
    sim = simulator_factory(sessions=2_000, latency=0.4)
    child = subprocess.Popen([sys.executable, "-m", "akool_tui", "--base-url", sim.base_url,
                              "sessions", "list", "--jsonl"], cwd=REPO, env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(child.stdout.readline())
        still_running = child.poll() is None
        rest = child.stdout.read().splitlines()
        assert child.wait(60) == 0, child.stderr.read()
    finally:
        child.kill()
    assert first["id"] and still_running
    assert len(rest) == 1_999


def test_a_closed_stdin_prints_the_sessions_table_and_a_closed_stdout_one_line(simulator):
    """From cron or with `<&-` the standard streams can be closed (None in Python):
    both used to end in "unexpected error (AttributeError)"."""
    argv = [sys.executable, "-m", "akool_tui", "--base-url", simulator.base_url]
    no_stdin = subprocess.run(argv, cwd=REPO, env=child_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60,
                              preexec_fn=lambda: os.close(0))
    assert no_stdin.returncode == 0, no_stdin.stderr
    assert no_stdin.stdout.startswith("ID ") and not no_stdin.stderr
    no_stdout = subprocess.run([*argv, "sessions", "list"], cwd=REPO, env=child_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               timeout=60, preexec_fn=lambda: os.close(1))
    assert no_stdout.returncode == 1
    assert no_stdout.stderr == "akool-tui: standard output is closed\n"


def test_the_table_is_sorted_newest_first_with_a_summary(simulator_factory, capsys):
    sim = simulator_factory(sessions=250)
    sessions = all_sessions(sim)
    assert main(["--base-url", sim.base_url, "sessions", "list"]) == 0
    out = capsys.readouterr().out
    table, summary = out.rstrip().split("\n\n")
    assert len(table.splitlines()) == 251
    assert summary == f"250 sessions, {sum(s.is_open for s in sessions)} open"


# -- start-up ------------------------------------------------------------------------------

#: not needed to print help: the event loop, the HTTP client, the console, the command
#: modules (and the field catalogue and humanize they bring)
HEAVY = ("asyncio", "httpx", "textual", "rich", "akool_tui.cli.sessions", "akool_tui.core.fields",
         "humanize")


@pytest.mark.parametrize("argv", [["--help"], ["sessions", "list", "--help"], ["--version"],
                                  ["sessions", "create", "--duration", "0"]])
def test_the_cli_starts_without_asyncio_httpx_or_textual(argv):
    probe = ("import sys\nfrom akool_tui.launch import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe, *argv], cwd=REPO, env=child_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip().splitlines()[-1] == "LOADED []", done.stdout + done.stderr


def test_a_network_command_does_not_load_a_console_library(simulator_factory):
    """httpx's package imports its own command-line tool (rich, click, pygments: 50-90 ms
    of every CLI command) when they are installed; the CLI never loads it."""
    sim = simulator_factory(sessions=3)
    probe = ("import sys\nfrom akool_tui.launch import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print('LOADED', [m for m in ('httpx', 'rich', 'click', 'pygments', 'textual')"
             " if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe, "--base-url", sim.base_url,
                           "sessions", "list", "--json"], cwd=REPO,
                          env={**child_env(), "AKOOL_API_KEY": "demo"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip().splitlines()[-1] == "LOADED ['httpx']", done.stdout + done.stderr
    assert done.stdout.count('"status_label"') == 3  # the command did list


def test_a_params_file_can_be_piped_in(simulator):
    """`--params-file -` with the JSON on standard input (and `<(jq ...)` alike) was
    refused as "a FIFO (named pipe), not a regular file" (tester 8, F13)."""
    done = subprocess.run(
        [sys.executable, "-m", "akool_tui", "--base-url", simulator.base_url, "--json",
         "sessions", "create", "--stream-type", "websocket", "--params-file", "-"],
        input='{"speed": 1.1}', cwd=REPO, env=child_env(), capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    assert simulator.state.sessions[created["id"]].voice_params == {"speed": 1.1}
