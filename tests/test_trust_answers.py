"""Bad answers never crash, hang or exhaust the machine (issue 9, section 2, API layer).

Every test talks to the hostile server (``tests/hostile_server.py``) over loopback,
or feeds the decoders the same bodies directly. What an operator would notice:

- a JSON body nested 200 000 deep is a clear ProtocolError, not a RecursionError
  that kills the app (and the same for the stream channel, the LLM, the refusal body
  of a WebSocket handshake);
- with client credentials, a traceback formatted with its locals (as Textual does
  on a crash) shows neither the bearer token nor the client secret;
- an answer dripped a byte at a time ends at the call's deadline;
- a gzip bomb is refused without the process growing by the inflated size;
- a server lying about ``count`` or repeating one page gets a handful of requests;
- create times of year 1, 9999, 10**20, 1e308, text... render in any time zone.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from akool_tui.api import errors
from akool_tui.api.client import SESSION_DETAIL, SESSION_LIST, AkoolClient
from akool_tui.api.models import Avatar, Session
from hostile_server import SECRET_TOKEN, run_hostile

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "sk-hostile-0123456789abcdef-APIKEY"
CLIENT_ID = "cid-hostile-0123456789"
CLIENT_SECRET = "cs-hostile-0123456789abcdef-CLIENTSECRET"
TOKEN_PATH = "/api/open/v3/getToken"
#: zones where year 1 / year 9999 used to overflow in astimezone, and the widest offsets
ZONES = ["America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata", "UTC"]


def client(server, mode: str = "key", **kw) -> AkoolClient:
    creds = ({"api_key": API_KEY} if mode == "key"
             else {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    kw.setdefault("max_retries", 0)
    return AkoolClient(server.base_url, **creds, **kw)


def shown_with_locals(exc: BaseException) -> str:
    """``exc`` (with its chain) as the stdlib and Rich (as Textual) print it, locals shown."""
    from rich.console import Console
    from rich.traceback import Traceback

    plain = "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    console = Console(file=io.StringIO(), width=200, record=True, color_system=None)
    console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True,
                                           locals_max_length=5, width=200))
    return plain + "\n" + console.export_text()


def assert_no_secret(text: str) -> None:
    for secret in (SECRET_TOKEN, CLIENT_SECRET, API_KEY):
        assert secret not in text, f"{secret[:12]}… appears in the formatted traceback"


# -- 1. nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["list", "create", "token"])
async def test_an_answer_nested_200000_deep_is_a_protocol_error(hostile, call) -> None:
    hostile.hostile.body = "nested"
    mode = "token" if call == "token" else "key"
    async with client(hostile, mode) as api:
        with pytest.raises(errors.ProtocolError) as info:
            if call == "list":
                await api.list_sessions()
            else:  # "token": the getToken answer is read inside the auth flow
                await api.create_session()
    assert "nested deeper than 64 levels" in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_json_nested_under_the_interpreter_limit_is_refused_too() -> None:
    """600 levels decode with json.loads, then crash the first repr or renderer that
    walks them from a deep stack: refused at the boundary like 200 000."""
    from akool_tui.api.safejson import JSONTooDeep, loads
    from akool_tui.stream import codec

    deep = {"code": 1000, "data": {"credentials": {"note": json.loads("[" * 600 + "]" * 600)}}}
    with pytest.raises(JSONTooDeep):
        loads(json.dumps(deep).encode())
    message = {"v": 2, "type": "mystery", "pld": json.loads("[" * 600 + "]" * 600)}
    assert isinstance(codec.decode(json.dumps(message).encode()), codec.Notice)
    assert isinstance(codec.decode(b'{"v":2,"type":"chat","pld":' + b"[" * 200_000), codec.Notice)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_text = st.text(alphabet='[]{}"\\aé\u2028', max_size=6)
_json = st.recursive(st.none() | st.integers() | _text,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                     max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(value=_json, limit=st.integers(0, 7), encoding=st.sampled_from(["utf-8", "utf-16", "ascii"]))
def test_the_depth_check_is_exact_whatever_the_strings_hold(value, limit, encoding) -> None:
    """Brackets, quotes and backslashes inside strings never fool the byte-level check."""
    from akool_tui.api.safejson import too_deep

    text = json.dumps(value, ensure_ascii=encoding == "ascii")
    data = text.encode("utf-8" if encoding == "ascii" else encoding)
    assert too_deep(data, limit) is (_depth(value) > limit)
    assert too_deep(text, limit) is (_depth(value) > limit)


def test_other_decoders_of_outside_json_survive_deep_nesting() -> None:
    from akool_tui.core.chat.llm import delta_text, error_text
    from akool_tui.stream.transport import _denial_text

    bomb = "[" * 200_000 + "]" * 200_000
    assert delta_text(bomb) == ""
    assert error_text(bomb.encode()).startswith("[[[")
    assert _denial_text(403, bomb.encode()) == "stream channel refused: not allowed (HTTP 403)"


# -- 2. no token or secret in a traceback with locals --------------------------------------


async def test_a_cancelled_call_shows_no_token_in_its_traceback_locals(hostile) -> None:
    """Cancelled while the auth flow reads a dripped answer: the flow's frame is in the
    traceback (its locals used to hold the bearer token in full)."""
    hostile.hostile.body, hostile.hostile.only, hostile.hostile.drip = "slow", "session/detail", 0.2
    async with client(hostile, "token") as api:
        with pytest.raises(TimeoutError) as info:
            await asyncio.wait_for(api.session_detail("se01"), 1.0)
    text = shown_with_locals(info.value)
    assert "async_auth_flow" in text and "used = " in text  # the frame and its locals are there
    assert_no_secret(text)


@pytest.mark.parametrize("where", ["token answer", "data answer"])
async def test_a_protocol_error_inside_the_auth_flow_shows_no_secret(hostile, where) -> None:
    h = hostile.hostile
    if where == "token answer":
        h.body, h.only = "nested", "getToken"
    else:
        h.body, h.only, h.bomb_size = "gzip_bomb", "session/list", 8 * 1024**2
    async with client(hostile, "token", max_body=1024**2) as api:
        with pytest.raises(errors.ProtocolError) as info:
            await api.list_sessions()
    text = shown_with_locals(info.value)
    assert "async_auth_flow" in text
    assert_no_secret(text)


async def test_a_failed_get_token_shows_no_client_secret() -> None:
    """The getToken body (the client secret) used to sit in plain locals of the send path."""
    with run_hostile() as server:
        url = server.base_url
    api = AkoolClient(url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_retries=0)
    async with api:
        with pytest.raises(errors.NetworkError) as info:
            await api.get_token()
    text = shown_with_locals(info.value)
    assert "_send_once" in text
    assert_no_secret(text)


async def test_a_bad_token_from_the_server_is_a_clean_error(hostile) -> None:
    """A token that cannot go into a header (non-ASCII, a header injection) used to
    fail inside httpx with the whole token in the exception and the frame's locals."""
    hostile.hostile.body, hostile.hostile.only = "bad_token", "getToken"
    async with client(hostile, "token") as api:
        with pytest.raises(errors.ProtocolError) as info:
            await api.list_sessions()
    assert "bad token" in str(info.value)
    assert_no_secret(shown_with_locals(info.value))
    assert not any("Injected" in path for path in hostile.hostile.requests)


@pytest.mark.parametrize("field", ["api_key", "client_secret"])
def test_a_secret_that_cannot_be_sent_is_refused_without_showing_it(field) -> None:
    secret = API_KEY + "\u00e9"
    creds = {"api_key": secret} if field == "api_key" else {"client_id": CLIENT_ID,
                                                              "client_secret": secret}
    with pytest.raises(errors.ConfigError) as info:
        AkoolClient("http://127.0.0.1:1", **creds)
    assert "printable ASCII" in str(info.value)
    error = info.value.with_traceback(info.value.__traceback__.tb_next)  # not this test's frame
    text = shown_with_locals(error)
    assert "AkoolClient.__init__" in text or "in __init__" in text
    assert API_KEY not in text


# -- 3. overall deadline -----------------------------------------------------------------------


@pytest.mark.parametrize("mode, only", [("key", "session/detail"), ("token", "session/detail"),
                                        ("token", "getToken")])
async def test_an_answer_dripped_byte_by_byte_ends_at_the_deadline(hostile, mode, only) -> None:
    h = hostile.hostile
    h.body, h.only, h.drip = "slow", only, 0.3  # a body of ~900 bytes: 4+ minutes in full
    async with client(hostile, mode, deadline=1.0, timeout=5.0) as api:
        start = time.monotonic()
        with pytest.raises(errors.TimeoutError_) as info:
            await api.session_detail("se01")
        elapsed = time.monotonic() - start
    assert 0.9 <= elapsed < 2.5, elapsed
    assert "within the 1 s deadline" in str(info.value) and SESSION_DETAIL in str(info.value)
    assert info.value.__context__ is None


# -- 4. answer size cap ---------------------------------------------------------------------

_MEASURE = r"""
import asyncio, json, sys
from akool_tui.api.client import AkoolClient

def hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

async def main(url, mode):
    creds = ({"api_key": "k" * 20} if mode == "key"
             else {"client_id": "cid-0123456789", "client_secret": "cs-0123456789abcdef"})
    async with AkoolClient(url, max_body=4 * 1024**2, max_retries=0, **creds) as api:
        await api.list_languages()      # warm: imports, connection, token
        before = hwm_kib()
        try:
            await api.list_sessions()
            error = message = None
        except Exception as exc:
            error, message = type(exc).__name__, str(exc)
        print(json.dumps({"error": error, "message": message,
                          "grew_mib": (hwm_kib() - before) / 1024}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (VmHWM)")
@pytest.mark.parametrize("body, mode", [("gzip_bomb", "key"), ("gzip_bomb2", "key"),
                                        ("gzip_bomb", "token")])
def test_a_gzip_bomb_is_refused_in_bounded_memory(body, mode) -> None:
    """256 MiB inflated from ~260 KB (or ~1 KB gzipped twice), cap 4 MiB: a clear
    error, and the process's peak memory grows by a few MiB, not by the bomb."""
    bomb = 256 * 1024**2
    with run_hostile(poison="", body=body, only="session/list", bomb_size=bomb) as server:
        done = subprocess.run([sys.executable, "-c", _MEASURE, server.base_url, mode], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["error"] == "ProtocolError", result
    assert "more than 4 MiB" in result["message"] and SESSION_LIST in result["message"]
    assert result["grew_mib"] < 32, result  # the bomb is 256 MiB; the cap 4 MiB


async def test_a_plain_answer_over_the_cap_is_refused(hostile) -> None:
    h = hostile.hostile
    h.body, h.only, h.huge = "huge_strings", "avatar/list", 3_000_000
    async with client(hostile, max_body=1024**2) as api:
        with pytest.raises(errors.ProtocolError, match="more than 1 MiB"):
            await api.list_avatars()
        h.huge = 1_000  # the same client, a normal answer: fine
        assert len((await api.list_avatars()).result) == 6


# -- 5. pagination -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["huge_count", "repeat_page"])
async def test_a_lying_count_costs_a_handful_of_requests(hostile, body) -> None:
    h = hostile.hostile
    h.body = body
    async with client(hostile) as api:
        sessions = await asyncio.wait_for(api.list_all_sessions(), 20)
    assert len({s.id for s in sessions}) == 12  # all there is
    assert len(h.requests) <= 1 + 12 + 8, len(h.requests)  # page 1, the items, one wave


async def test_a_list_that_never_ends_stops_at_the_page_ceiling(hostile, monkeypatch) -> None:
    import akool_tui.api.base as client_module

    monkeypatch.setattr(client_module, "MAX_PAGES", 40, raising=False)
    h = hostile.hostile
    h.body = "endless_pages"
    async with client(hostile) as api:
        with pytest.raises(errors.ProtocolError) as info:
            await asyncio.wait_for(api.list_all_sessions(), 20)
    assert "did not end after 40 pages" in str(info.value) and "incomplete" in str(info.value)
    assert len(h.requests) <= 40 + 8, len(h.requests)


def run_cli(server, monkeypatch, capsys, tmp_path, *args: str) -> tuple[int, str, str]:
    from akool_tui.cli import main

    for var in ("AKOOL_TUI_CONFIG", "AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("AKOOL_API_KEY", API_KEY)
    code = main(["--base-url", server.base_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_what_a_repeating_server_has(hostile, tmp_path) -> None:
    """A subprocess with a time limit: the CLI used to page on for 10**9 / 12 pages."""
    hostile.hostile.poison, hostile.hostile.body = "", "repeat_page"
    env = {**os.environ, "AKOOL_API_KEY": API_KEY, "XDG_CONFIG_HOME": str(tmp_path)}
    env.pop("AKOOL_TUI_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "akool_tui", "--base-url", hostile.base_url,
                           "sessions", "list"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert "12 sessions" in done.stdout and len(hostile.hostile.requests) <= 21


# -- 6. dates ------------------------------------------------------------------------------


@pytest.fixture
def zone() -> Iterator:
    """``zone(name)`` sets the process's local time zone (TZ + tzset); restored after."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def render_everywhere(record: Session | Avatar, set_zone) -> None:
    """What the renderers do with a record's times, in every zone of ZONES."""
    from akool_tui.cli import output
    from akool_tui.core import fields
    from akool_tui.core.fields import SESSION_FIELDS
    from akool_tui.core.fields import when as _when
    from akool_tui.tui.screens.sessions import COLUMNS, session_row

    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    for name in ZONES:
        set_zone(name)
        times = [record.create_time]
        if isinstance(record, Session):
            times.append(record.expires_at)
            record.time_left(now)
            output.records_table(SESSION_FIELDS, [record], now)
            output.record_details(SESSION_FIELDS, record, now)
            row = session_row(record)  # the console's cells, live ones too
            [c.format(c.value(row, now)) for c in COLUMNS]
        else:
            times.append(record.valid_until())
            # what the avatars table, its detail pane and the CLI all render
            fields.cells(fields.AVATAR_FIELDS, record, now)
            fields.details(fields.AVATAR_FIELDS, record, now)
        output.dumps(record)
        for t in times:
            _when(t, now)
            if t is None:
                continue
            assert t.tzinfo is not None
            for shift in (timedelta(0), timedelta(days=30), -timedelta(days=30)):
                (t + shift).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            (now - t).total_seconds(), t.timestamp()


_ISO = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([None, UTC])).map(lambda d: d.isoformat())
_TIMES = (st.integers(-(10**22), 10**22) | st.floats(allow_nan=True, allow_infinity=True)
          | st.sampled_from([-62135596800000, 253402300799999, 253402300799, "9999-12-31T23:59:59+14:00",
                             "0001-01-01T00:00:00-12:00", "soon", "", " 1767225600000 ", 0, -1])
          | _ISO | st.integers(-(10**22), 10**22).map(str))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_TIMES, duration=st.integers(-(10**12), 10**12) | st.none())
def test_any_timestamp_renders_in_any_zone(value, duration, zone) -> None:
    from akool_tui.api.models import EARLIEST, LATEST

    session = Session.from_api({"_id": "s", "status": 2, "create_time": value, "duration": duration})
    avatar = Avatar.from_api({"avatar_id": "a", "from": 3, "create_time": value})
    for t in (session.create_time, session.expires_at, avatar.create_time, avatar.valid_until()):
        assert t is None or EARLIEST < t < LATEST
    render_everywhere(session, zone)
    render_everywhere(avatar, zone)


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Pacific/Kiritimati"])
def test_cli_lists_and_shows_sessions_with_absurd_dates(hostile, monkeypatch, capsys, tmp_path,
                                                        zone, tz) -> None:
    zone(tz)
    hostile.hostile.poison, hostile.hostile.body = "", "bad_dates"
    code, out, err = run_cli(hostile, monkeypatch, capsys, tmp_path, "sessions", "list")
    assert (code, err) == (0, ""), err
    assert "12 sessions" in out
    code, out, err = run_cli(hostile, monkeypatch, capsys, tmp_path, "sessions", "show", "se00")
    assert (code, err) == (0, ""), err
    code, out, err = run_cli(hostile, monkeypatch, capsys, tmp_path, "--json", "sessions", "list")
    assert code == 0 and [s["create_time"] for s in json.loads(out)].count(None) == 12


async def test_the_detail_pane_shows_absurd_dates_as_unknown(hostile, tmp_path, zone,
                                                             monkeypatch) -> None:
    from akool_tui.config import Config
    from akool_tui.tui.app import AkoolApp
    from akool_tui.tui.screens.common import DetailPane
    from tui_helpers import running, screen_text, wait_for, wait_loaded

    for var in ("AKOOL_TUI_CONFIG", "AKOOL_API_KEY", "AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    zone("Pacific/Kiritimati")
    hostile.hostile.poison, hostile.hostile.body = "", "bad_dates"
    cfg = Config(base_url=hostile.base_url, api_key=API_KEY, refresh_interval=60.0,
                 path=tmp_path / "config.toml")
    app = AkoolApp(cfg, watch_tty=False)
    async with running(app) as (pilot, _):
        screen = await wait_loaded(pilot)
        assert screen.table.visible_row_count == 12
        await pilot.press("enter")
        pane = screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.display, what="the detail pane")
        for _ in range(12):  # every row: year 1, 9999, 10**20, -10**20, "soon", 1e308
            await pilot.press("down")
            await pilot.pause()
        assert app.is_running
        # the pane shows the last session; a date it cannot place is left out
        assert re.search(r"│ Status\s+\w", screen_text(app))


# -- 7. the limits in the config file ---------------------------------------------------------


def test_the_limits_come_from_the_config_file(tmp_path) -> None:
    from akool_tui.config import ConfigError, load_config, save_config

    path = tmp_path / "config.toml"
    path.write_text('api_key = "k-0123456789"\nrequest_deadline = 7.5\nmax_answer_mib = 2\n')
    cfg = load_config(path, env={})
    kwargs = cfg.client_kwargs()
    assert (kwargs["deadline"], kwargs["max_body"]) == (7.5, 2 * 1024 * 1024)
    api = AkoolClient(**kwargs)
    assert (api.deadline, api.max_body) == (7.5, 2 * 1024 * 1024)
    asyncio.run(api.aclose())
    save_config(cfg)
    assert "request_deadline = 7.5" in path.read_text()
    defaults = tmp_path / "defaults.toml"
    save_config(load_config(defaults, env={}))
    assert "request_deadline" not in defaults.read_text()  # defaults are not written out
    for line, key in (("request_deadline = 0\n", "request_deadline"),
                      ("request_deadline = 'soon'\n", "request_deadline"),
                      ("max_answer_mib = 0\n", "max_answer_mib"),
                      ("max_answer_mib = 1.5\n", "max_answer_mib")):
        path.write_text(line)
        with pytest.raises(ConfigError, match=f"line 1, key '{key}'"):
            load_config(path, env={})
