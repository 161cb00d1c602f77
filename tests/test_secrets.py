"""No secret in full, anywhere: a scripted session with recognisable fake secrets.

The simulator runs with a recognisable API key and client secret; sessions of every
stream type hand out RTC tokens. Everything a user or a log reader can see is then
scanned for the full value of every secret: CLI output (human and ``--json``), error
texts (str, repr, formatted traceback), reprs of the client, config and records, TUI
screenshots (SVG) of the sessions screen and of the detail pane of each stream type,
DEBUG logs, and the config file the app writes. Last-4 masked forms are allowed.

Covered elsewhere, not repeated: an existing 0644 config becomes 0600 on save
(tests/test_config.py::test_existing_wide_file_becomes_0600); values that came from
the environment are not written (test_config.py::test_env_values_are_not_persisted).
This file checks both again only end to end, through the app's own save.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import stat
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tui_helpers import running, screen_text, type_text, wait_for, wait_loaded

from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import AkoolError, NetworkError, NotFoundError
from akool_tui.api.models import Session
from akool_tui.api.secrets import is_secret_key, mask
from akool_tui.cli import build_parser, main
from akool_tui.config import Config, load_config
from akool_tui.simulator import RunningSimulator, SimulatorConfig, run_background
from akool_tui.stream.channel import messages, send_chat
from akool_tui.stream.codec import ChatMessage
from akool_tui.stream.transport import transport_for
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.common import DetailPane

API_KEY = "AKSECRETKEY-9f8e7d6c5b4a"
CLIENT_ID = "operator-client"
CLIENT_SECRET = "CLIENTSECRET-1a2b3c4d5e6f"
BAD_KEY = "AKBADKEY-00ff11ee22dd33cc"
STREAM_TYPES = ("agora", "livekit", "trtc", "websocket")
SESSION_CREATE = "/api/open/v4/liveAvatar/session/create"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    cfg = SimulatorConfig(seed=11, sessions=6, avatars=4, churn=False, api_key=API_KEY,
                          client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_concurrent=400,
                          queue_delay=0.0, reply_chars_per_s=400.0)
    server = run_background(cfg)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def created(sim) -> dict[str, str]:
    """stream type -> id of a session created with it (raw API answers, an api key)."""
    out = {}
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": API_KEY}) as http:
        for stream_type in STREAM_TYPES:
            body = http.post(SESSION_CREATE, json={"avatar_id": "dvp_Tristan_cloth2_1080P",
                                                    "duration": 900,
                                                    "stream_type": stream_type}).json()
            assert body["code"] == 1000, body
            assert any(is_secret_key(k) for k in body["data"]["credentials"]), body
            out[stream_type] = body["data"]["_id"]
    return out


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for var in ("AKOOL_TUI_CONFIG", "AKOOL_API_KEY", "AKOOL_CLIENT_ID",
                "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def debug_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def all_secrets(sim: RunningSimulator) -> set[str]:
    """Every secret the run knows: ours, the bearer tokens and all RTC credentials."""
    found = {API_KEY, CLIENT_SECRET, BAD_KEY, *sim.state.tokens}
    ctx = sim.state.credentials_context("ws://127.0.0.1")
    found |= {ctx.agora_app_id, str(ctx.trtc_app_id)}
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": API_KEY}) as http:
        page = http.get("/api/open/v4/liveAvatar/session/list",
                        params={"page": 1, "size": 100}).json()["data"]["result"]
    for raw in page:
        found |= {str(v) for k, v in raw["credentials"].items() if is_secret_key(k)}
    found |= {rec.secret for rec in sim.state.sessions.values()}
    assert all(len(s) >= 8 for s in found)
    return found


def assert_clean(text: str, secrets: set[str], where: str) -> None:
    """No secret in ``text``, also across line breaks (wrapped cells) and JSON escapes."""
    flat = re.sub(r"\s+", "", text)
    leaked = sorted(mask(s) for s in secrets if s in text or s in flat)
    assert not leaked, f"{where} shows secrets {leaked}"


def assert_logs_clean(caplog, secrets: set[str]) -> None:
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert_clean(text, secrets, "the DEBUG log")


def pane_text(screen: str) -> str:
    """The right-hand detail pane of a screen, lines joined (wrapped values made whole)."""
    return "".join(line.rsplit("│", 1)[-1].strip() for line in screen.splitlines() if "│" in line)


def svg_text(svg: str) -> str:
    """The visible text of an exported screenshot."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


# -- (a) CLI output -----------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["api key", "client credentials"])
def test_cli_output_with_and_without_json_has_no_secret(sim, created, auth, capsys, monkeypatch,
                                                        tmp_path, caplog):
    conf = tmp_path / "config.toml"
    if auth == "api key":
        conf.write_text(f'api_key = "{API_KEY}"\n')
    else:
        conf.write_text(f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n')
    base = ["--config", str(conf), "--base-url", sim.base_url]
    commands = [["sessions", "list"], ["config", "show"],
                *(["sessions", "show", sid] for sid in created.values()),
                *(["sessions", "create", "--stream-type", st, "--duration", "60"]
                  for st in STREAM_TYPES)]
    shown = []
    for command in commands:
        for fmt in ([], ["--json"]):
            code = main([*command, *base, *fmt])
            out, err = capsys.readouterr()
            assert code == 0, (command, err)
            shown.append((" ".join(command + fmt), out + err))
    # the output really carries the credentials, masked
    assert any("••••" in text for _, text in shown)
    json.loads(shown[1][1])  # sessions list --json is JSON
    secrets = all_secrets(sim)
    for what, text in shown:
        assert_clean(text, secrets, f"`akool-tui {what}`")
    assert_logs_clean(caplog, secrets)


def test_cli_errors_have_no_secret(sim, created, capsys, monkeypatch, caplog):
    monkeypatch.setenv("AKOOL_API_KEY", BAD_KEY)
    outputs = [main(["sessions", "list", "--base-url", sim.base_url]), capsys.readouterr()]
    monkeypatch.setenv("AKOOL_API_KEY", API_KEY)
    outputs += [main(["sessions", "show", "nosuchsession", "--base-url", sim.base_url]),
                capsys.readouterr()]
    outputs += [main(["sessions", "list", "--base-url", "http://127.0.0.1:1"]), capsys.readouterr()]
    codes, texts = outputs[0::2], outputs[1::2]
    assert all(code != 0 for code in codes)
    assert all(t.err.strip() and not t.out for t in texts)
    for t in texts:
        assert_clean(t.err, all_secrets(sim), "CLI error line")
    assert_logs_clean(caplog, all_secrets(sim))


# -- (b) errors and reprs -------------------------------------------------------------------


async def test_client_errors_and_reprs_have_no_secret(sim, created, caplog):
    errors: list[AkoolError] = []
    async with AkoolClient(sim.base_url, api_key=BAD_KEY, max_retries=0) as bad:
        with pytest.raises(AkoolError) as info:
            await bad.list_sessions()
        errors.append(info.value)
    async with AkoolClient(sim.base_url, client_id=CLIENT_ID, client_secret=BAD_KEY) as bad:
        with pytest.raises(AkoolError) as info:
            await bad.list_sessions()
        errors.append(info.value)
    async with AkoolClient(sim.base_url, client_id=CLIENT_ID,
                           client_secret=CLIENT_SECRET) as client:
        with pytest.raises(NotFoundError) as info:  # 1216
            await client.session_detail("nosuchsession")
        errors.append(info.value)
        sessions = [await client.session_detail(sid) for sid in created.values()]
        texts = [repr(client), str(client)]
        texts += [repr(s) + str(s) + repr(s.credentials) for s in sessions]
    async with AkoolClient("http://127.0.0.1:1", api_key=API_KEY, max_retries=0) as gone:
        with pytest.raises(NetworkError) as info:
            await gone.list_sessions()
        errors.append(info.value)
    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
    assert mask(CLIENT_SECRET) in texts[0]  # shown masked, so the scan below is meaningful
    cfg = Config(base_url=sim.base_url, api_key=API_KEY, client_id=CLIENT_ID,
                 client_secret=CLIENT_SECRET)
    texts += [repr(cfg), str(cfg), json.dumps(cfg.to_dict(masked=True))]
    secrets = all_secrets(sim)
    for text in texts:
        assert_clean(text, secrets, "an error text or repr")
    assert_logs_clean(caplog, secrets)


def test_session_records_carry_real_secrets_to_mask(sim, created):
    """The scan is not vacuous: raw answers hold every secret the scanners look for."""
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": API_KEY}) as http:
        raw = [http.get("/api/open/v4/liveAvatar/session/detail", params={"id": sid}).json()
               for sid in created.values()]
    session_secrets = {str(v) for r in raw for k, v in r["data"]["credentials"].items()
                       if is_secret_key(k)}
    assert len(session_secrets) >= len(STREAM_TYPES) + 1
    assert session_secrets <= all_secrets(sim)
    assert any(s in json.dumps(raw) for s in session_secrets)


# -- (c) the TUI and (e) the config file it writes --------------------------------------------


async def test_tui_screens_and_saved_config_have_no_secret(sim, created, tmp_path, monkeypatch,
                                                           caplog):
    conf = tmp_path / "config.toml"
    conf.write_text('refresh_interval = 60.0\n[ui]\ntheme = "akool-dark"\n')
    conf.chmod(0o644)
    monkeypatch.setenv("AKOOL_API_KEY", API_KEY)
    monkeypatch.setenv("AKOOL_BASE_URL", sim.base_url)
    app = AkoolApp(load_config(conf), watch_tty=False)
    shots: list[tuple[str, str]] = []
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        shots.append(("sessions", app.export_screenshot()))
        for stream_type, sid in created.items():
            assert screen.table.move_cursor_to_key(sid)
            await pilot.press("enter")
            pane = screen.query_one(DetailPane)
            await wait_for(pilot, lambda st=stream_type, pane=pane: pane.display and re.search(
                rf"│ stream\s+{st}\b", screen_text(app)), what=f"detail of {stream_type}")
            shots.append((f"detail {stream_type}", app.export_screenshot()))
            shots.append((f"detail pane {stream_type}", pane_text(screen_text(app))))
            assert sid in shots[-1][1], "wrapped values are joined again before the scan"
            await pilot.press("escape")
        await pilot.press("2")  # avatars
        await pilot.pause()
        shots.append(("avatars", app.export_screenshot()))
        app.theme = "akool-light"  # the app saves the config
        await pilot.pause()
    secrets = all_secrets(sim)
    assert any("••••" in svg_text(svg) for name, svg in shots if name.startswith("detail "))
    for name, svg in shots:
        assert_clean(svg_text(svg), secrets, f"the {name} screen")
        assert_clean(svg, secrets, f"the {name} screenshot file")
    saved = conf.read_text()
    assert 'theme = "akool-light"' in saved
    assert_clean(saved, secrets, "the saved config")
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert_logs_clean(caplog, secrets)


async def test_chat_screen_and_its_export_have_no_secret(sim, created, tmp_path, monkeypatch,
                                                          caplog):
    exports = tmp_path / "exports"
    monkeypatch.setenv("AKOOL_TUI_EXPORT_DIR", str(exports))
    app = AkoolApp(Config(base_url=sim.base_url, api_key=API_KEY, refresh_interval=60.0),
                   watch_tty=False)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        assert screen.table.move_cursor_to_key(created["websocket"])
        await pilot.press("t")  # chat with the session under the cursor
        await wait_for(pilot, lambda: getattr(getattr(app.screen, "conversation", None),
                                              "connected", False), what="chat connected")
        chat = app.screen
        await type_text(pilot, "hello avatar")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(e.role == "bot" and e.status == ""
                                          for e in chat.transcript.entries), what="a reply")
        shot = app.export_screenshot()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: exports.is_dir() and len(list(exports.iterdir())) == 2,
                       what="the export")
    secrets = all_secrets(sim)
    assert "hello avatar" in svg_text(shot)
    assert_clean(svg_text(shot), secrets, "the chat screen")
    for path in exports.iterdir():
        assert_clean(path.read_text(encoding="utf-8"), secrets, f"the export {path.name}")
    assert_logs_clean(caplog, secrets)


# -- (d) the stream channel ---------------------------------------------------------------------


async def test_chat_over_the_stream_channel_logs_no_token(sim, created, caplog):
    async with AkoolClient(sim.base_url, api_key=API_KEY) as client:
        session: Session = await client.session_detail(created["websocket"])
    transport = transport_for(session)
    assert mask(session.credentials.get("ws_token")) in repr(transport)
    await transport.connect()
    try:
        await send_chat(transport, "hello there")

        async def reply() -> str:
            async for item in messages(transport):
                if isinstance(item, ChatMessage) and item.from_ == "bot" and item.fin:
                    return item.text
            return ""

        await asyncio.wait_for(reply(), 10)
    finally:
        await transport.close()
    texts = [repr(transport), str(transport)]
    secrets = all_secrets(sim)
    for text in texts:
        assert_clean(text, secrets, "the transport repr")
    assert_logs_clean(caplog, secrets)


# -- serve ----------------------------------------------------------------------------------------


def test_serve_binds_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


def test_saved_config_holds_file_secrets_only_with_mode_0600(tmp_path, monkeypatch):
    """A key typed into the file stays there (0600); keys from the environment are never written."""
    conf = tmp_path / "config.toml"
    conf.write_text(f'api_key = "{API_KEY}"\n')
    conf.chmod(0o644)
    monkeypatch.setenv("AKOOL_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AKOOL_CLIENT_SECRET", CLIENT_SECRET)
    from akool_tui.config import save_config

    save_config(load_config(conf))
    text = conf.read_text()
    assert API_KEY in text and CLIENT_SECRET not in text and CLIENT_ID not in text
    assert stat.S_IMODE(Path(conf).stat().st_mode) == 0o600
