"""The secrets scan, extended to the create options: an ElevenLabs api_key (configured,
in a params file, typed in the dialog) and bring-your-own room credentials (a file, the
dialog's fields) never appear in full in CLI output (human and ``--json``), error lines,
exceptions, DEBUG logs, screenshots, notifications or the saved config."""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Iterator

import pytest
from textual.widgets import Checkbox, Input

from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import AkoolError
from akool_tui.api.secrets import forget_secrets
from akool_tui.cli import main
from akool_tui.config import load_config
from akool_tui.simulator import RunningSimulator, SimulatorConfig, run_background
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.screens.common import DetailPane
from akool_tui.tui.screens.new_session import KnowledgeLoaded, NewSessionScreen
from tui_helpers import open_advanced, running, screen_text, wait_for, wait_loaded, wait_message

API_KEY = "AKSECRETKEY-create-4b3a2918"
ELEVEN_CONFIG = "sk_ELEVEN-CONFIG-5f4e3d2c1b0a"
ELEVEN_FILE = "sk_ELEVEN-FILE-0a1b2c3d4e5f"
ELEVEN_TYPED = "sk_ELEVEN-TYPED-9e8d7c6b5a4f"
BYO = {"agora_uid": 4242, "agora_app_id": "APPID-BYO-1122334455", "agora_channel": "ops-room",
       "agora_token": "TOKEN-BYO-aabbccddeeff0011"}
SECRETS = {API_KEY, ELEVEN_CONFIG, ELEVEN_FILE, ELEVEN_TYPED, BYO["agora_app_id"],
           BYO["agora_token"]}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    server = run_background(SimulatorConfig(seed=5, sessions=4, avatars=3, churn=False,
                                            api_key=API_KEY, max_concurrent=400))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path, caplog):
    """No remembered secret from an earlier test does the masking here; DEBUG logs on."""
    forget_secrets()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for var in ("AKOOL_TUI_CONFIG", "AKOOL_API_KEY", "AKOOL_CLIENT_ID",
                "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    caplog.set_level(logging.DEBUG)
    yield
    forget_secrets()


def assert_clean(text: str, where: str) -> None:
    flat = re.sub(r"\s+", "", text)
    leaked = sorted(s[:10] + "…" for s in SECRETS if s in text or s in flat)
    assert not leaked, f"{where} shows secrets {leaked}"


def assert_logs_clean(caplog) -> None:
    text = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert_clean(text, "the DEBUG log")


def write(tmp_path, name: str, data: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return str(path)


def test_cli_create_with_planted_keys_shows_none_of_them(sim, tmp_path, capsys, caplog):
    conf = tmp_path / "config.toml"
    conf.write_text(f'api_key = "{API_KEY}"\n[defaults]\nelevenlabs_api_key = "{ELEVEN_CONFIG}"\n')
    conf.chmod(0o600)
    params = write(tmp_path, "vp.json", {"elevenlabs_settings": {"api_key": ELEVEN_FILE,
                                                                 "model_id": "eleven_flash_v2_5"}})
    wrong = write(tmp_path, "wrong.json", {"stt_language": "xx", "elevenlabs_settings": {
        "api_key": ELEVEN_FILE, "stability": 0.5}})
    refused = write(tmp_path, "refused.json", {"speed": 5, "elevenlabs_settings": {
        "api_key": ELEVEN_FILE, "style": 7}})
    creds = write(tmp_path, "room.json", BYO)
    base = ["--config", str(conf), "--base-url", sim.base_url]
    runs = [  # (argv, expected exit)
        (["sessions", "create", "--stream-type", "agora", "--params-file", params,
          "--credentials-file", creds], 0),
        (["sessions", "create", "--stream-type", "livekit"], 0),  # the configured key alone
        (["config", "show"], 0),
        (["sessions", "create", "--params-file", wrong], 1),  # the simulator's 1003
        (["sessions", "create", "--stream-type", "trtc", "--credentials-file", creds], 2),
        (["sessions", "create", "--params-file", refused], 2),  # refused before sending
    ]
    shown = []
    for argv, expected in runs:
        for fmt in ([], ["--json"]):
            code = main([*argv, *base, *fmt])
            out, err = capsys.readouterr()
            assert code == expected, (argv, err)
            shown.append((" ".join(argv + fmt), out + err))
    # the planted values really travelled: the simulator holds them
    stored = [r for r in sim.state.sessions.values() if r.by_api]
    assert any(r.byo_credentials == BYO for r in stored)
    keys = {r.voice_params["elevenlabs_settings"]["api_key"] for r in stored if r.voice_params}
    assert keys == {ELEVEN_FILE, ELEVEN_CONFIG}
    assert any("••••" in text for _, text in shown)
    for what, text in shown:
        assert_clean(text, f"`akool-tui {what}`")
    assert_logs_clean(caplog)


async def test_client_errors_with_planted_keys_mask_them(sim, caplog):
    load_config  # noqa: B018 -- the config's key is remembered on load (test above)
    async with AkoolClient(sim.base_url, api_key=API_KEY) as client:
        from akool_tui.core.sessions import create_request
        from akool_tui.config import SessionDefaults

        request = create_request(SessionDefaults(stream_type="agora"), {
            "voice_params": {"stt_language": "xx",
                             "elevenlabs_settings": {"api_key": ELEVEN_TYPED}},
            "credentials": dict(BYO)})
        with pytest.raises(AkoolError) as info:
            await client.create_session(**request)
    error = info.value
    for text in (str(error), repr(error), "".join(traceback.format_exception(error))):
        assert_clean(text, "an error text")
    assert_logs_clean(caplog)


async def test_console_dialog_with_planted_keys_shows_and_saves_none_of_them(sim, tmp_path,
                                                                             caplog):
    conf = tmp_path / "config.toml"
    conf.write_text(f'refresh_interval = 60.0\n[defaults]\nstream_type = "agora"\n'
                    f'elevenlabs_api_key = "{ELEVEN_CONFIG}"\n')
    conf.chmod(0o600)
    forget_secrets()  # loading the config remembers its key: scan without that help
    cfg = load_config(conf)
    forget_secrets()
    cfg.override("api_key", API_KEY, "env")
    cfg.override("base_url", sim.base_url, "env")
    app = AkoolApp(cfg, watch_tty=False)
    shots: list[tuple[str, str]] = []
    async with running(app) as (pilot, messages):
        screen = await wait_loaded(pilot)
        await pilot.press("n")
        await wait_message(pilot, messages, KnowledgeLoaded, after=0)
        modal = app.screen
        assert isinstance(modal, NewSessionScreen)
        await open_advanced(pilot, modal)
        modal.query_one("#byo", Checkbox).value = True
        await pilot.pause()
        for key, value in BYO.items():
            modal.query_one(f"#byo-{key.replace('_', '-')}", Input).value = str(value)
        key_input = modal.query_one("#eleven-key", Input)
        key_input.value = ELEVEN_TYPED
        for wid in ("#eleven-key", "#byo-agora-token"):
            modal.query_one(wid).focus()
            await pilot.pause()
            shots.append((f"dialog at {wid}", app.export_screenshot()))
        known = set(sim.state.sessions)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        (new,) = [r for sid, r in sim.state.sessions.items() if sid not in known]
        assert new.byo_credentials == BYO
        assert new.voice_params["elevenlabs_settings"]["api_key"] == ELEVEN_TYPED
        await wait_for(pilot, lambda: screen.table.move_cursor_to_key(new.id),
                       what="the new session's row")
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.display and re.search(r"│ Stream\s+agora\b", screen_text(app)),
                       what="the detail pane of the own room")
        shots.append(("detail of the own room", app.export_screenshot()))
        app.theme = "akool-light"  # the app saves the config
        await wait_for(pilot, lambda: 'theme = "akool-light"' in conf.read_text(),
                       what="the config saved")
        notes = "\n".join(messages.notes())
    for name, svg in shots:
        assert_clean(svg, f"the {name} screenshot")
    assert_clean(notes, "the notifications")
    saved = conf.read_text()
    assert 'theme = "akool-light"' in saved
    assert ELEVEN_TYPED not in saved  # typed once, not saved: not kept
    assert ELEVEN_CONFIG in saved  # the one the user saved stays theirs
    assert_logs_clean(caplog)
