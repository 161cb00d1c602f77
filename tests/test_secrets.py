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
from hostile_server import SECRET_TOKEN, Hostile
from hostile_server import session as hostile_session
from tui_helpers import running, screen_text, type_text, wait_for, wait_loaded

from akool_tui.api.client import AkoolClient
from akool_tui.api.errors import AkoolError, NetworkError, NotFoundError
from akool_tui.api.models import Session
from akool_tui.api.secrets import (
    MaskingFilter,
    is_secret_key,
    mask,
    mask_text,
    masked_mapping,
    remember_secret,
)
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
                rf"│ Stream\s+{st}\b", screen_text(app)), what=f"detail of {stream_type}")
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


# -- (f) masking by any key spelling, inside lists and URLs, and by known value ---------------


@pytest.mark.parametrize("key", ["accessToken", "clientSecret", "apiKey", "livekitToken",
                                 "AGORA_TOKEN", "x-api-key", "X-Api-Key", "client-secret",
                                 "trtcUserSig", "UserSig", "sdkAppId", "refresh_token",
                                 "Authorization", "password", "APIKey"])
def test_secret_keys_are_found_in_every_spelling(key):
    value = "s3cr3t-value-ABCDEFGH-7788"
    shown = masked_mapping({key: value, "name": "visible"})
    assert shown == {key: "••••7788", "name": "visible"}


@pytest.mark.parametrize("key", ["token_type", "auth_mode", "id", "name", "expires_in", "app_id",
                                 "keymap", "voice_id"])
def test_ordinary_keys_stay_visible(key):
    assert masked_mapping({key: "plain value"}) == {key: "plain value"}


def test_secrets_inside_lists_and_nested_records_are_masked():
    data = {"iceServers": [{"urls": "turn:turn.example.invalid", "username": "operator",
                            "credential": "turn-pass-0000-1111"},
                           {"urls": ["stun:a", "stun:b"], "clientSecret": "cs-2222-3333-4444"}],
            "tokens": ["first-token-5555", "second-token-6666"],
            "outer": {"inner": [{"accessToken": "at-7777-8888-9999"}]}}
    shown = masked_mapping(data)
    assert shown["iceServers"][0] == {"urls": "turn:turn.example.invalid",
                                      "username": "operator", "credential": "••••1111"}
    assert shown["iceServers"][1] == {"urls": ["stun:a", "stun:b"], "clientSecret": "••••4444"}
    assert shown["tokens"] == ["••••5555", "••••6666"]
    assert shown["outer"] == {"inner": [{"accessToken": "••••9999"}]}


@pytest.mark.parametrize("url, shown", [
    ("wss://rtc.example.invalid/rtc?access_token=eyJhbGciOi-1234&room=r1",
     "wss://rtc.example.invalid/rtc?access_token=••••1234&room=r1"),
    ("https://user:pa55word-9876@host.example.invalid/path",
     "https://••••9876@host.example.invalid/path"),
    ("https://u:p@host.example.invalid", "https://••••@host.example.invalid"),
    ("https://cdn.example.invalid/v.mp4?token=tk-000011112222&w=1",
     "https://cdn.example.invalid/v.mp4?token=••••2222&w=1"),
    ("https://cdn.example.invalid/a.png?Expires=1&sig=abcdefabcdef4321",
     "https://cdn.example.invalid/a.png?Expires=1&sig=••••4321"),
    ("https://s3.example.invalid/o?X-Amz-Signature=deadbeefcafe0042",
     "https://s3.example.invalid/o?X-Amz-Signature=••••0042"),
    ("https://app.example.invalid/cb#access_token=frag-token-5150&state=ok",
     "https://app.example.invalid/cb#access_token=••••5150&state=ok"),
])
def test_tokens_inside_urls_are_masked(url, shown):
    assert mask_text(url) == shown
    assert masked_mapping({"server_url": url, "list": [url]}) == {"server_url": shown,
                                                                  "list": [shown]}


@pytest.mark.parametrize("text", [
    "page 2 of 10, code=1008 (12:30:00) at https://openapi.akool.com/api/open/v4?page=2",
    "Basic information", "token=None", "the avatar dvp_Tristan_cloth2_1080P",
])
def test_free_text_without_secrets_is_unchanged(text):
    assert mask_text(text) == text


def test_known_secret_values_are_masked_in_any_text():
    remember_secret("known-value-ABCDEF-3141")
    remember_secret("demo")  # too short to remember: ordinary words stay readable
    assert mask_text("refused key known-value-ABCDEF-3141 (code 1101)") == \
        "refused key ••••3141 (code 1101)"
    assert mask_text("run akool-tui --demo") == "run akool-tui --demo"
    assert mask_text('{"note": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig42"}') == \
        '{"note": "Bearer ••••ig42"}'
    assert mask_text("Foo(token='ab-cd-ef-gh-0007', n=1) {'apiKey': 'k-0000-1111-0008'}") == \
        "Foo(token='••••0007', n=1) {'apiKey': '••••0008'}"
    # a record's own secrets are masked where a sibling field echoes them
    shown = masked_mapping({"agora_token": "echoed-token-2718", "note": "yours: echoed-token-2718"})
    assert shown == {"agora_token": "••••2718", "note": "yours: ••••2718"}


def test_mask_keeps_its_format():
    assert mask("abcdefgh1234") == "••••1234"
    assert mask("short") == "••••"
    assert mask("") == "" and mask(None) == ""
    assert mask(mask("abcdefgh1234")) == "••••1234"  # masking twice keeps the last 4


def test_error_messages_and_logs_never_echo_a_known_secret(caplog):
    remember_secret(API_KEY)
    error = AkoolError(f"refused: the key {API_KEY} is not valid", server_msg=f"key {API_KEY}")
    assert API_KEY not in str(error) + repr(error) + error.server_msg
    assert mask(API_KEY) in str(error)
    handler = logging.StreamHandler(stream := __import__("io").StringIO())
    handler.addFilter(MaskingFilter())
    log = logging.getLogger("akool_tui.test_masking")
    log.addHandler(handler)
    try:
        log.warning("sending %s to %s", API_KEY, "wss://h/rtc?access_token=lk-tok-000099")
        try:
            raise ValueError(f"boom with {API_KEY}")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert "boom with" in written and "Traceback" in written
    assert API_KEY not in written and "lk-tok-000099" not in written
    assert mask(API_KEY) in written


@pytest.mark.parametrize("auth", ["api key", "client credentials"])
def test_hostile_server_token_never_shown_in_full(hostile, auth, capsys, monkeypatch):
    """The hostile server hands out SECRET_TOKEN as the bearer token and in every credential
    spelling: agora_token, livekitToken, a list of ICE servers, a URL's access_token and
    free text; `sessions show` / `sessions list`, human and --json, never show it in full."""
    if auth == "api key":
        monkeypatch.setenv("AKOOL_API_KEY", API_KEY)
    else:
        monkeypatch.setenv("AKOOL_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("AKOOL_CLIENT_SECRET", CLIENT_SECRET)
    base = ["--base-url", hostile.base_url]
    outputs = []
    for command in (["sessions", "show", "se00"], ["sessions", "list"]):
        for fmt in ([], ["--json"]):
            assert main([*command, *fmt, *base]) == 0
            out, err = capsys.readouterr()
            outputs.append(out + err)
    assert SECRET_TOKEN in json.dumps(hostile_session(Hostile()))  # the server does send it
    assert mask(SECRET_TOKEN) in outputs[0] and mask(SECRET_TOKEN) in outputs[1]
    assert "iceServers" in outputs[1] and "server_url" in outputs[0]
    for text in outputs:
        assert_clean(text, {SECRET_TOKEN, API_KEY, CLIENT_SECRET}, "the hostile session")
    # an error message quoting the configured secret or the bearer token is masked too
    echoed = API_KEY if auth == "api key" else f"{CLIENT_SECRET} {SECRET_TOKEN}"
    hostile.hostile.poison = f" (echo {echoed})"
    hostile.hostile.body, hostile.hostile.only = "error", "session/list"
    assert main(["sessions", "list", *base]) != 0
    out, err = capsys.readouterr()
    assert "echo" in err
    assert_clean(out + err, {SECRET_TOKEN, API_KEY, CLIENT_SECRET}, "the error line")


# -- the one-pass masking of flat mappings (credentials) ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.sampled_from(["agora_token", "agora_app_id", "agora_channel", "agora_uid", "url",
                         "livekit_token", "trtc_sdk_user_sig", "note", "apiKey", "password"])
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40),
                    st.builds(lambda a, b: f"{a}?token={b}", st.text(max_size=8), st.text(max_size=12)))


@given(st.dictionaries(_KEYS, _VALUES, max_size=8))
@settings(max_examples=300, deadline=None)
def test_flat_credentials_are_masked_exactly_as_the_general_walk_masks_them(data) -> None:
    from akool_tui.api import secrets

    fast = secrets.masked_flat(data)
    assert fast is not None
    found: set[str] = set()
    secrets._collect(data, False, found)
    known = tuple(sorted(found, key=len, reverse=True))
    walked = {k: secrets._masked(v, secrets.is_secret_key(k), known) for k, v in data.items()}
    assert fast == walked
