"""The headless CLI, run in-process through ``main(argv)`` against the real simulator."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from akool_tui.api.client import AkoolClient
from akool_tui.cli import main
from akool_tui.core.ids import short_id
from cli_helpers import clean_env  # noqa: F401 - autouse fixture

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(*argv, key="demo") -> (exit code, stdout, stderr)``."""

    def run(*argv: str, key: str | None = "demo") -> tuple[int, str, str]:
        if key is None:
            monkeypatch.delenv("AKOOL_API_KEY", raising=False)
        else:
            monkeypatch.setenv("AKOOL_API_KEY", key)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("akool-tui: ") and "Traceback" not in err
    return lines[0]


def direct(sim, method: str, *args, **kwargs):
    """Call the API with the real client (an independent view of the server)."""

    async def go():
        async with AkoolClient(sim.base_url, api_key="demo") as client:
            return await getattr(client, method)(*args, **kwargs)

    return asyncio.run(go())


def table_rows(out: str) -> list[list[str]]:
    """Data rows of a table (header and summary line left out), split on 2+ spaces."""
    lines = out.strip().split("\n\n")[0].splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines[1:]]


# -- sessions ------------------------------------------------------------------------


def test_sessions_list_table(simulator, cli):
    code, out, err = cli("--base-url", simulator.base_url, "sessions", "list")
    assert code == 0 and err == ""
    header = out.splitlines()[0].split()
    assert header == ["ID", "STATUS", "LEFT", "AVATAR", "CREATED", "STREAM", "DURATION"]
    sessions = direct(simulator, "list_all_sessions")
    rows = table_rows(out)
    assert sorted(r[0] for r in rows) == sorted(short_id(s.id) for s in sessions)  # as on screen
    assert {r[1] for r in rows} <= {"queueing", "live", "closed", "failed"}
    assert any(" ago" in line for line in out.splitlines()[1:])
    open_count = sum(s.is_open for s in sessions)
    assert out.rstrip().endswith(f"{len(sessions)} sessions, {open_count} open")


def test_sessions_list_status_json(simulator, cli):
    code, out, _ = cli("sessions", "list", "--status", "closed", "--json",
                       "--base-url", simulator.base_url)
    assert code == 0
    data = json.loads(out)
    expected = direct(simulator, "list_all_sessions", status=3)
    assert sorted(d["id"] for d in data) == sorted(s.id for s in expected) and data
    assert {(d["status"], d["status_label"]) for d in data} == {(3, "closed")}
    times = [d["create_time"] for d in data]
    assert times == sorted(times, reverse=True)


def test_sessions_create_show_close(simulator, cli):
    url = ("--base-url", simulator.base_url)
    code, out, err = cli(*url, "--json", "sessions", "create", "--avatar",
                         "dvp_Tristan_cloth2_1080P", "--duration", "120",
                         "--stream-type", "livekit", "--mode", "1", "--lang", "en")
    assert code == 0, err
    created = json.loads(out)
    assert created["stream_type"] == "livekit" and created["duration"] == 120
    assert created["credentials"]["livekit_token"].startswith("••••")
    real = direct(simulator, "session_detail", created["id"])
    full_token = real.credentials.get("livekit_token")
    assert full_token and full_token not in out

    code, out, _ = cli(*url, "sessions", "show", created["id"])
    assert code == 0
    assert re.search(rf"^ID:\s+{created['id']}$", out, re.M)
    assert re.search(r"^Stream:\s+livekit$", out, re.M)
    assert re.search(r"^Duration:\s+2m$", out, re.M)
    assert "credentials.livekit_token:" in out and full_token not in out
    assert full_token[-4:] in out

    code, out, _ = cli(*url, "sessions", "close", created["id"])
    assert (code, out.strip()) == (0, f"closed {created['id']}")
    assert direct(simulator, "session_detail", created["id"]).status_label == "closed"


def test_sessions_create_uses_config_defaults(simulator, cli, tmp_path):
    (tmp_path / "config.toml").write_text(
        '[defaults]\nduration = 77\nstream_type = "trtc"\nspeed = 1.1\n')
    code, out, err = cli("--base-url", simulator.base_url, "--json", "sessions", "create")
    assert code == 0, err
    created = json.loads(out)
    assert (created["duration"], created["stream_type"]) == (77, "trtc")
    assert created["avatar_id"] == "dvp_Tristan_cloth2_1080P"
    assert created["credentials"]["trtc_sdk_user_sig"].startswith("••••")


def test_close_twice_says_already_closed_and_unknown_exit_1(simulator, cli):
    session = direct(simulator, "create_session", duration=60)
    url = ("--base-url", simulator.base_url)
    assert cli(*url, "sessions", "close", session.id)[0] == 0
    code, out, err = cli(*url, "sessions", "close", session.id)
    assert (code, out.strip(), err) == (0, f"already closed {session.id}", "")  # same outcome
    unknown = "0" * 24  # a full id the service does not know
    code, out, err = cli(*url, "--json", "sessions", "close", "nosuchsession", unknown,
                         session.id)
    assert code == 1
    results = json.loads(out)
    assert results == [
        {"id": "nosuchsession", "closed": False,
         "error": "No session ID starts or ends with 'nosuchsession'"},
        {"id": unknown, "closed": False, "error": results[1]["error"]},
        {"id": session.id, "closed": True, "already_closed": True}]
    assert "1216" in results[1]["error"]
    assert len(err.strip().splitlines()) == 2 and "1216" in err


def test_bulk_close_reports_each_session_and_closes_the_rest(simulator, cli):
    ids = [direct(simulator, "create_session", duration=60).id for _ in range(3)]
    url = ("--base-url", simulator.base_url)
    typed = [ids[0], short_id(ids[1]), ids[2][:20], ids[0], "0" * 24]
    code, out, err = cli(*url, "sessions", "close", *typed)
    assert code == 1  # one failed: the others are closed all the same
    assert out.splitlines() == [f"closed {i}" for i in ids]  # once each, in order
    assert one_error_line(err).endswith("(1216)") or "1216" in err
    assert all(direct(simulator, "session_detail", i).status_label == "closed" for i in ids)


def test_show_and_close_take_a_prefix_or_suffix_as_shown(simulator, cli):
    session = direct(simulator, "create_session", duration=60)
    url = ("--base-url", simulator.base_url)
    for typed in (short_id(session.id), session.id[:20], session.id[-12:]):
        code, out, err = cli(*url, "sessions", "show", typed)
        assert code == 0, err
        assert re.search(rf"^ID:\s+{session.id}$", out, re.M)
    code, out, _ = cli(*url, "--json", "sessions", "show", short_id(session.id))
    assert code == 0 and json.loads(out)["id"] == session.id  # --json as before
    code, out, _ = cli(*url, "sessions", "close", short_id(session.id))
    assert (code, out.strip()) == (0, f"closed {session.id}")


def test_an_ambiguous_id_is_a_usage_error_listing_the_matches(simulator, cli):
    url = ("--base-url", simulator.base_url)
    def closed() -> set[str]:
        return {s.id for s in direct(simulator, "list_all_sessions") if s.status == 3}

    ids, before = [s.id for s in direct(simulator, "list_all_sessions")], closed()
    prefix = next(p for p in (i[:1] for i in ids) if sum(i.startswith(p) for i in ids) >= 2)
    matches = [i for i in ids if i.startswith(prefix)]
    for command in ("show", "close"):
        code, out, err = cli(*url, "sessions", command, prefix)
        assert (code, out) == (2, "")
        line = one_error_line(err)
        assert "matches" in line and matches[0] in line and "type more" in line
    # nothing was closed by the ambiguous close
    assert closed() == before


def test_show_unknown_session_exit_1(simulator, cli):
    url = ("--base-url", simulator.base_url)
    code, out, err = cli(*url, "sessions", "show", "0" * 24)  # a full id: the service says
    assert code == 1 and out == ""
    assert "does not exist" in one_error_line(err) and "1216" in err
    code, out, err = cli(*url, "sessions", "show", "nope")  # shorter: no session matches
    assert code == 1 and out == ""
    assert one_error_line(err) == "akool-tui: No session ID starts or ends with 'nope'"


def test_server_parameter_error_1003(simulator, cli):
    code, _, err = cli("--base-url", simulator.base_url, "sessions", "create", "--lang", "xx")
    assert code == 1
    line = one_error_line(err)
    assert "1003" in line and "xx" in line


def test_busy_1215(simulator_factory, cli):
    sim = simulator_factory(max_concurrent=1)
    url = ("--base-url", sim.base_url)
    assert cli(*url, "sessions", "create", "--duration", "30")[0] == 0
    code, _, err = cli(*url, "sessions", "create", "--duration", "30")
    assert code == 1 and "1215" in one_error_line(err)


def test_bad_credentials_exit_1(simulator, cli):
    code, out, err = cli("--base-url", simulator.base_url, "sessions", "list", key="wrong-key-123456")
    assert code == 1 and out == ""
    line = one_error_line(err)
    assert "1101" in line and "wrong-key-123456" not in err


def test_connection_refused_exit_1(cli):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = cli("--base-url", f"http://127.0.0.1:{port}", "languages", "list")
    assert code == 1 and out == ""
    one_error_line(err)


def test_no_credentials_exit_2(cli):
    code, out, err = cli("sessions", "list", key=None)
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "AKOOL_API_KEY" in line and "akool-tui --demo" in line


def test_usage_errors_exit_2_one_line(cli):
    for argv in (["sessions"], ["sessions", "list", "--bogus"],
                 ["sessions", "create", "--duration", "0"], ["sessions", "list", "--status", "9"],
                 ["avatars", "upload", "--url", "https://x.example/a.mp4", "--avatar-id", "a_b",
                  "--name", "A"],
                 ["avatars", "upload", "--url", "https://x.example/a.mp4", "--avatar-id", "ab"],
                 ["avatars", "upload", "--url", "https://x.example/a.mp4", "--avatar-id", "ab",
                  "--name", " "],
                 ["--base-url", "http://api.example.com", "languages", "list"],
                 ["--demo", "--base-url", "https://x.example", "sessions", "list"],
                 ["simulator", "--port", "70000"]):
        code, out, err = cli(*argv)
        assert code == 2 and out == "", argv
        one_error_line(err)


def test_bad_config_file_exit_2(cli, tmp_path):
    (tmp_path / "config.toml").write_text("[ui]\ntheme = 'x'\ncolour = 'red'\n")
    code, _, err = cli("sessions", "list")
    line = one_error_line(err)
    assert code == 2 and "config.toml" in line and "line 3" in line and "ui.colour" in line


# -- avatars, voices, languages ---------------------------------------------------------


def test_avatars_list(simulator, cli):
    code, out, _ = cli("--base-url", simulator.base_url, "avatars", "list")
    assert code == 0
    # the columns of the console's table (core.fields.AVATAR_FIELDS)
    assert re.split(r"\s{2,}", out.splitlines()[0]) == [
        "AVATAR ID", "STATUS", "SOURCE", "VALID FOR", "PLATFORM", "NAME", "AVAIL", "GENDER",
        "VOICE"]
    avatars = [*direct(simulator, "list_all_avatars", "open"),
               *direct(simulator, "list_all_avatars", "aigc")]  # both platforms by default
    assert sorted(r[0] for r in table_rows(out)) == sorted(a.avatar_id for a in avatars)
    assert any(re.fullmatch(r"\d days? and \d+ hours?", r[3]) for r in table_rows(out))
    assert out.rstrip().endswith(f"{len(avatars)} avatars")
    code, out, _ = cli("--base-url", simulator.base_url, "avatars", "list", "--json")
    assert len(json.loads(out)) == len(avatars)


def test_avatar_upload_wait_success(simulator_factory, cli, monkeypatch):
    from akool_tui.core import avatars

    sim = simulator_factory(time_scale=20.0)
    watched = []
    real_watch = avatars.watch_upload

    def watch(client, avatar, **kwargs):
        watched.append(kwargs)
        return real_watch(client, avatar, **kwargs)

    monkeypatch.setattr(avatars, "watch_upload", watch)
    code, out, err = cli("--base-url", sim.base_url, "avatars", "upload", "--url",
                         "https://cdn.example.com/me.mp4", "--avatar-id", "myAvatar1",
                         "--name", "Me", "--wait")
    assert code == 0, err
    assert watched == [{"interval": 0.5, "timeout": 600.0}]  # the console's upload watch
    assert re.search(r"^Status:\s+ready$", out, re.M)
    # uploads last 7 days; the wording of the console (core.fields.validity)
    assert re.search(r"^Valid for:\s+(7 days|6 days and 23 hours)$", out, re.M)
    progress = err.strip().splitlines()
    assert progress[-1].startswith("akool-tui: avatar myAvatar1: ready")
    assert len(progress) >= 2  # at least one state before "ready"
    assert direct(sim, "avatar_detail", "myAvatar1").status_label == "ready"


def test_avatar_upload_wait_failure_exit_1(simulator_factory, cli):
    sim = simulator_factory(time_scale=20.0)
    code, out, err = cli("--base-url", sim.base_url, "--json", "avatars", "upload", "--url",
                         "https://unreachable.example/me.mp4", "--avatar-id", "broken1",
                         "--name", "Broken", "--wait")
    assert code == 1
    assert json.loads(out)["status_label"] == "failed"
    assert "failed" in err.strip().splitlines()[-1]


def test_avatar_upload_wait_times_out_exit_1(simulator_factory, cli):
    sim = simulator_factory(time_scale=0.001)  # the upload never finishes
    code, out, err = cli("--base-url", sim.base_url, "avatars", "upload", "--url",
                         "https://cdn.example.com/a.mp4", "--avatar-id", "slow2", "--name", "Slow",
                         "--wait", "--timeout", "0.3")
    assert code == 1 and out == ""
    assert err.startswith("akool-tui: avatar slow2: queueing (0 s)\n")
    assert "still queueing after 0.3 s" in err.strip().splitlines()[-1]


def test_avatar_upload_existing_id_1222(simulator, cli):
    existing = direct(simulator, "list_all_avatars")
    official = next(a for a in existing if re.fullmatch(r"[a-zA-Z0-9]+", a.avatar_id))
    code, _, err = cli("--base-url", simulator.base_url, "avatars", "upload", "--url",
                       "https://cdn.example.com/x.mp4", "--avatar-id", official.avatar_id,
                       "--name", "Dup")
    assert code == 1 and "1222" in one_error_line(err)


def test_voices_and_languages(simulator, cli):
    url = ("--base-url", simulator.base_url)
    code, out, _ = cli(*url, "voices", "list")
    voices = direct(simulator, "list_all_voices", 2)
    assert code == 0 and sorted(r[0] for r in table_rows(out)) == sorted(x.voice_id for x in voices)
    code, out, _ = cli(*url, "voices", "list", "--type", "1", "--json")
    assert code == 0 and all(v["type"] == 1 for v in json.loads(out))
    code, out, _ = cli(*url, "languages", "list", "--json")
    languages = direct(simulator, "list_languages")
    assert [x["lang_code"] for x in json.loads(out)] == [x.lang_code for x in languages]
    code, out, _ = cli(*url, "languages", "list")
    assert out.splitlines()[0].split() == ["CODE", "LANGUAGE"]


# -- config, demo, console fallback -------------------------------------------------------


def test_config_path_and_show_masks_secrets(cli, tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text('client_id = "me"\nclient_secret = "file-secret-abcdef123"\n')
    code, out, _ = cli("config", "path")
    assert (code, out.strip()) == (0, str(path))
    code, out, _ = cli("config", "show", key="env-key-0000009876")
    assert code == 0
    assert "file-secret-abcdef123" not in out and "env-key-0000009876" not in out
    assert 'client_secret = "••••f123"  # file' in out
    assert 'api_key = "••••9876"  # env AKOOL_API_KEY' in out
    assert "# auth: client credentials" in out
    code, out, _ = cli("config", "show", "--json", key="env-key-0000009876")
    data = json.loads(out)
    assert data["config"]["api_key"] == "••••9876" and data["sources"]["api_key"] == "env"
    assert "file-secret-abcdef123" not in out


def test_ctrl_c_exits_130(simulator_factory, cli):
    sim = simulator_factory(time_scale=0.001)  # the upload never finishes
    done = threading.Event()

    def interrupt() -> None:
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    try:
        code, _, err = cli("--base-url", sim.base_url, "avatars", "upload", "--url",
                           "https://cdn.example.com/a.mp4", "--avatar-id", "slow1", "--name", "Slow",
                           "--wait")
    finally:
        done.set()
        timer.cancel()
    assert code == 130
    assert err.strip().splitlines()[-1] == "akool-tui: interrupted"


def test_demo_sessions_list_prints_table(cli, tmp_path):
    # the user's (here: wrong) credentials are not used in demo mode
    code, out, err = cli("sessions", "list", "--demo", key="wrong-key-123456")
    assert code == 0, err
    assert out.splitlines()[0].split()[:2] == ["ID", "STATUS"]
    assert len(table_rows(out)) == 300
    assert not (tmp_path / "config.toml").exists()  # demo writes nothing


def test_no_command_without_tty_prints_sessions(simulator, cli):
    code, out, _ = cli("--base-url", simulator.base_url)
    assert code == 0 and out.splitlines()[0].startswith("ID")


@pytest.mark.parametrize("port", ["65536", "-1"])
def test_serve_rejects_bad_port(cli, port):
    # 0 is not one: it asks for any free port (test_trust_serve)
    code, _, err = cli("serve", "--port", port)
    assert code == 2 and "port" in one_error_line(err)


def test_help_runs_in_a_subprocess_without_textual():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKOOL")}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "akool_tui", "--help"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: akool-tui")
    for command in ("sessions", "avatars", "voices", "languages", "config", "simulator", "serve"):
        assert command in proc.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
    assert imported.isdisjoint({"textual", "httpx", "uvicorn", "starlette"}), imported


def test_demo_commands_that_change_state_say_the_simulator_is_fresh_each_time(capsys) -> None:
    """`--demo` starts a simulator per command: a created session is gone at the next
    command, and the command says so instead of letting the user find out."""
    from akool_tui.cli import main

    assert main(["--demo", "sessions", "create", "--duration", "60"]) == 0
    err = capsys.readouterr().err
    assert "fresh simulator" in err and "nothing it creates or closes is kept" in err
    assert main(["--demo", "sessions", "list", "--status", "live"]) == 0
    assert "fresh simulator" not in capsys.readouterr().err  # read-only: nothing to forget
