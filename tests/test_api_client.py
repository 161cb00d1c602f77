"""AkoolClient against the real simulator over loopback HTTP (no mocked transport).

Requests are counted by wrapping the real HTTP transport (:class:`Counting`): every
request it sees really went over the socket to the simulator.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from akool_tui.api import errors
from akool_tui.api.auth import TOKEN_PATH
from akool_tui.api.client import (
    AVATAR_DETAIL,
    AVATAR_LIST,
    LANGUAGE_LIST,
    SESSION_CLOSE,
    SESSION_CREATE,
    SESSION_DETAIL,
    SESSION_LIST,
    AkoolClient,
    ClientEvent,

    check_base_url,
)
from akool_tui.api.args import compact as _compact
from akool_tui.api.envelope import parse_envelope
from akool_tui.api.models import AvatarStatus, Session, SessionStatus

KEY = "sk-test-0123456789abcdef-KEY"
CLIENT_ID = "cid-test-0123456789-ID"
SECRET = "cs-test-0123456789abcdef-SECRET"
CREDS = {"api_key": KEY, "client_id": CLIENT_ID, "client_secret": SECRET}


class Counting(httpx.AsyncBaseTransport):
    """The real loopback transport, counting the requests it sends per path.

    ``after``, when set, runs after each answer (e.g. to change the server's data
    between two pages).
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.paths: Counter[str] = Counter()
        self.after: Callable[[httpx.Request], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        response = await self._inner.handle_async_request(request)
        if self.after is not None:
            await self.after(request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(churn=False, **CREDS)


@pytest.fixture
def big_sim(simulator_factory):
    """Enough sessions and avatars for three pages of 100 each."""
    return simulator_factory(churn=False, sessions=260, avatars=230, **CREDS)


def make(base_url: str, mode: str = "key", **kw) -> tuple[AkoolClient, Counting, list[ClientEvent]]:
    events: list[ClientEvent] = []
    transport = Counting()
    creds = {"api_key": KEY} if mode == "key" else {"client_id": CLIENT_ID, "client_secret": SECRET}
    kw.setdefault("backoff_base", 0.001)
    client = AkoolClient(base_url, transport=transport, on_event=events.append, **{**creds, **kw})
    return client, transport, events


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_no_secret(*objects: object) -> None:
    """No secret in str/repr of the objects nor anywhere in their exception chain."""
    seen: list[object] = []
    for obj in objects:
        while obj is not None and obj not in seen:
            seen.append(obj)
            obj = getattr(obj, "__cause__", None) or getattr(obj, "__context__", None)
    for obj in seen:
        for text in (str(obj), repr(obj)):
            for secret in (KEY, SECRET, CLIENT_ID):
                assert secret not in text, text


# -- endpoints -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["key", "token"])
async def test_every_read_endpoint(sim, mode: str) -> None:
    client, transport, _ = make(sim.base_url, mode)
    async with client:
        avatars = await client.list_avatars(page=1, size=5)
        assert avatars.count >= len(avatars.result) > 0
        first = avatars.result[0]
        detail = await client.avatar_detail(first.avatar_id)
        assert detail.avatar_id == first.avatar_id

        voices = await client.list_voices()
        assert 0 < len(voices.result) <= 10
        assert all(v.voice_id and v.support_stream is not False for v in voices.result)
        named = await client.list_voices(name=voices.result[0].name)
        assert voices.result[0].voice_id in {v.voice_id for v in named.result}

        languages = await client.list_languages()
        assert languages and all(lang.lang_code for lang in languages)

        sessions = await client.list_sessions(size=7)
        assert len(sessions.result) == 7 and sessions.count >= 7
        one = await client.session_detail(sessions.result[0].id)
        assert one.id == sessions.result[0].id
    expected_auth = 1 if mode == "token" else 0
    assert transport.paths[TOKEN_PATH] == expected_auth
    assert client.auth_mode == ("api key" if mode == "key" else "client credentials")


@pytest.mark.parametrize(
    ("stream_type", "keys"),
    [
        ("agora", {"agora_uid", "agora_app_id", "agora_channel", "agora_token"}),
        ("livekit", {"livekit_url", "livekit_token", "livekit_room_name"}),
        ("trtc", {"trtc_sdk_app_id", "trtc_sdk_room_id", "trtc_sdk_user_id", "trtc_sdk_user_sig"}),
    ],
)
async def test_session_create_detail_close(sim, stream_type: str, keys: set[str]) -> None:
    client, _, _ = make(sim.base_url)
    async with client:
        session = await client.create_session(
            duration=60, stream_type=stream_type, language="en", mode_type=1,
            voice_id="", background_url=None, voice_params={},
        )
        assert session.id and session.status in (SessionStatus.QUEUEING, SessionStatus.PROCESSING)
        assert session.stream_type == stream_type
        assert keys <= set(session.credentials.values)
        detail = await client.session_detail(session.id)
        assert detail.id == session.id and detail.is_open
        assert await client.close_session(session.id) is None
        closed = await client.session_detail(session.id)
        assert closed.status is SessionStatus.COMPLETED
        with pytest.raises(errors.SessionClosedError) as info:
            await client.close_session(session.id)
        assert info.value.code == 1219


async def test_avatar_upload_and_status(sim) -> None:
    client, _, _ = make(sim.base_url)
    async with client:
        record = await client.create_avatar(
            "https://example.com/me.mp4", "myAvatar01", name="Me", url_from=1
        )
        assert record.avatar_id == "myAvatar01" and record.id
        status = await client.avatar_upload_status(record.id)
        assert status.id == record.id
        assert status.status in tuple(AvatarStatus)


async def test_get_token_and_lazy_single_fetch_under_concurrency(sim) -> None:
    client, transport, events = make(sim.base_url, "token")
    async with client:
        await asyncio.gather(*(client.list_sessions(size=1) for _ in range(12)))
        assert transport.paths[TOKEN_PATH] == 1
        assert [e.kind for e in events if e.kind != "request"] == ["token"]
        token = await client.get_token()
        assert isinstance(token, str) and len(token) > 8
        assert transport.paths[TOKEN_PATH] == 2
        await client.list_languages()
        assert transport.paths[TOKEN_PATH] == 2
        assert token not in repr(client)


async def test_get_token_needs_client_credentials(sim) -> None:
    client, transport, _ = make(sim.base_url, "key")
    async with client:
        with pytest.raises(errors.MissingCredentialsError):
            await client.get_token()
    assert sum(transport.paths.values()) == 0


# -- auth -------------------------------------------------------------------------------


async def test_reauth_once_on_1101(simulator_factory) -> None:
    sim = simulator_factory(churn=False, token_expiry_calls=3, **CREDS)
    client, transport, events = make(sim.base_url, "token")
    async with client:
        for _ in range(3):
            await client.list_sessions(size=1)
        assert transport.paths[TOKEN_PATH] == 1
        # the token has been used 3 times: the next call meets 1101, renews once, replays
        page = await client.list_sessions(size=1)
        assert len(page.result) == 1
        assert transport.paths[TOKEN_PATH] == 2
        assert transport.paths[SESSION_LIST] == 5
    kinds = [e.kind for e in events if e.kind != "request"]
    assert kinds == ["token", "token", "reauth"] or kinds == ["token", "reauth", "token"]


async def test_reauth_under_concurrency_fetches_one_token(simulator_factory) -> None:
    sim = simulator_factory(churn=False, token_expiry_calls=8, **CREDS)
    client, transport, events = make(sim.base_url, "token")
    async with client:
        for _ in range(8):
            await client.list_languages()  # token 1 is used up
        pages = await asyncio.gather(*(client.list_sessions(size=1) for _ in range(6)))
    assert all(len(p.result) == 1 for p in pages)
    assert transport.paths[TOKEN_PATH] == 2
    assert transport.paths[SESSION_LIST] == 12  # six refused, six replayed
    assert sum(e.kind == "reauth" for e in events) == 6


async def test_replay_refused_again_raises_token_expired(simulator_factory) -> None:
    """Tokens good for one call: six requests share one renewal; only one replay wins."""
    sim = simulator_factory(churn=False, token_expiry_calls=1, **CREDS)
    client, transport, _ = make(sim.base_url, "token")
    async with client:
        await client.list_languages()  # token 1 is used up
        results = await asyncio.gather(
            *(client.list_sessions(size=1) for _ in range(6)), return_exceptions=True
        )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 5 and all(isinstance(r, errors.TokenExpiredError) for r in failed)
    assert transport.paths[TOKEN_PATH] == 2
    assert_no_secret(*failed)


async def test_wrong_api_key_is_1101(sim) -> None:
    client = AkoolClient(sim.base_url, api_key="wrong-key-000000000000")
    async with client:
        with pytest.raises(errors.TokenExpiredError) as info:
            await client.list_sessions()
    assert info.value.code == 1101 and info.value.endpoint == SESSION_LIST


async def test_wrong_client_secret_fails_on_get_token(sim) -> None:
    client = AkoolClient(sim.base_url, client_id=CLIENT_ID, client_secret="not-the-secret-0000")
    async with client:
        with pytest.raises(errors.AuthError) as info:
            await client.list_sessions()
    assert info.value.endpoint == TOKEN_PATH
    assert_no_secret(info.value)


async def test_no_credentials_nothing_sent() -> None:
    client = AkoolClient(f"http://127.0.0.1:{free_port()}")
    assert client.auth_mode == "none"
    async with client:
        with pytest.raises(errors.MissingCredentialsError) as info:
            await client.list_sessions()
    err = info.value
    assert isinstance(err, errors.AuthError) and isinstance(err, errors.ConfigError)
    assert "credentials" in str(err).lower() and SESSION_LIST in str(err)
    half = AkoolClient(f"http://127.0.0.1:{free_port()}", client_id="only-id")
    async with half:
        with pytest.raises(errors.MissingCredentialsError, match="client secret is missing"):
            await half.list_languages()


async def test_server_1102_without_auth_header(sim) -> None:
    """The mapping of the service's own 1102, from a raw unauthenticated request."""
    async with httpx.AsyncClient(base_url=sim.base_url) as raw:
        response = await raw.get(SESSION_LIST)
    with pytest.raises(errors.AuthError) as info:
        parse_envelope(response, SESSION_LIST)
    assert info.value.code == 1102


# -- error mapping --------------------------------------------------------------------------


async def test_business_error_codes(simulator_factory) -> None:
    sim = simulator_factory(churn=False, max_concurrent=1, **CREDS)
    client, _, _ = make(sim.base_url)
    async with client:
        with pytest.raises(errors.ParamError) as bad_id:
            await client.create_avatar("https://example.com/a.mp4", "not-valid!", name="Bad")
        with pytest.raises(errors.ParamError) as bad_duration:
            await client.create_session(duration=0)
        with pytest.raises(errors.NotFoundError) as no_avatar:
            await client.avatar_detail("noSuchAvatar")
        with pytest.raises(errors.NotFoundError) as no_session:
            await client.session_detail("000000000000000000000000")
        open_sessions = await client.list_all_sessions(status=SessionStatus.PROCESSING)
        open_sessions += await client.list_all_sessions(status=SessionStatus.QUEUEING)
        for s in open_sessions:
            await client.close_session(s.id)
        first = await client.create_session(duration=30)
        with pytest.raises(errors.BusyError) as busy:
            await client.create_session(duration=30)
        await client.close_session(first.id)
    assert (bad_id.value.code, bad_duration.value.code) == (1003, 1003)
    assert no_avatar.value.code == 1008
    assert no_session.value.code == 1216
    assert busy.value.code == 1215
    for info in (bad_id, bad_duration, no_avatar, no_session, busy):
        assert str(info.value) and "Traceback" not in str(info.value)
        assert info.value.code is not None and str(info.value.code) in str(info.value)


async def test_local_validation_sends_nothing(sim) -> None:
    client, transport, _ = make(sim.base_url)
    async with client:
        for call in (
            client.session_detail(""),
            client.close_session("  "),
            client.avatar_detail(None),  # type: ignore[arg-type]
            client.create_session(duration="long"),  # type: ignore[arg-type]
            client.list_sessions(page=0),
            client.list_sessions(status="live"),  # type: ignore[arg-type]
            client.create_session(voice_params={"speed": {1, 2}}),  # not JSON
        ):
            with pytest.raises(errors.ParamError):
                await call
    assert sum(transport.paths.values()) == 0


def test_bad_settings_are_config_errors() -> None:
    for url in ("", "ftp://x", "http://example.com", "https://user:pw@example.com", "not a url"):
        with pytest.raises(errors.ConfigError):
            AkoolClient(url, api_key=KEY)
    for kw in ({"timeout": 0}, {"max_retries": -1}, {"concurrency": 0}, {"backoff_base": -1},
               {"api_key": 123}):
        with pytest.raises(errors.ConfigError):
            AkoolClient("http://127.0.0.1:1", **{"api_key": KEY, **kw})
    assert check_base_url("https://openapi.akool.com/") == "https://openapi.akool.com"
    assert check_base_url("http://localhost:8080") == "http://localhost:8080"


def test_compact_leaves_out_empty_optionals() -> None:
    assert _compact({"a": None, "b": "", "c": {}, "d": 0, "e": {"x": None, "y": 1}, "f": {"z": ""}}) == {
        "d": 0,
        "e": {"y": 1},
    }


# -- retries and transport failures --------------------------------------------------------


async def test_get_retries_on_5xx_then_gives_up(simulator_factory) -> None:
    sim = simulator_factory(churn=False, error_rate=1.0, **CREDS)
    client, transport, events = make(sim.base_url, max_retries=3)
    async with client:
        with pytest.raises(errors.HTTPStatusError) as info:
            await client.list_sessions()
    assert info.value.status >= 500 and SESSION_LIST in str(info.value)
    assert transport.paths[SESSION_LIST] == 4
    retries = [e for e in events if e.kind == "retry"]
    assert [e.attempt for e in retries] == [1, 2, 3]
    assert all(0 <= e.delay <= 0.001 * 2 ** (e.attempt - 1) for e in retries)


async def test_create_and_close_are_never_retried(simulator_factory) -> None:
    sim = simulator_factory(churn=False, error_rate=1.0, **CREDS)
    client, transport, events = make(sim.base_url, max_retries=3)
    async with client:
        with pytest.raises(errors.HTTPStatusError):
            await client.create_session()
        with pytest.raises(errors.HTTPStatusError):
            await client.create_avatar("https://example.com/a.mp4", "abc123", name="Any")
        with pytest.raises(errors.HTTPStatusError):
            await client.close_session("abc")
    assert transport.paths[SESSION_CREATE] == 1
    assert sum(transport.paths.values()) == 3
    assert not [e for e in events if e.kind == "retry"]


async def test_retry_recovers_from_intermittent_5xx(simulator_factory) -> None:
    sim = simulator_factory(churn=False, error_rate=0.5, **CREDS)
    client, transport, events = make(sim.base_url, max_retries=12)
    async with client:
        for _ in range(6):
            page = await client.list_sessions(size=3)
            assert len(page.result) == 3
    assert transport.paths[SESSION_LIST] == 6 + len([e for e in events if e.kind == "retry"])


async def test_malformed_bodies_are_protocol_errors(simulator_factory) -> None:
    sim = simulator_factory(churn=False, malformed_rate=1.0, **CREDS)
    client, _, _ = make(sim.base_url, max_retries=0)
    async with client:
        for _ in range(5):
            with pytest.raises(errors.ProtocolError) as info:
                await client.list_sessions()
            assert SESSION_LIST in str(info.value)
            assert_no_secret(info.value)
        with pytest.raises(errors.ProtocolError):
            await client.create_session()


async def test_connection_refused_retries_then_network_error() -> None:
    client, transport, events = make(f"http://127.0.0.1:{free_port()}", max_retries=2)
    async with client:
        with pytest.raises(errors.NetworkError) as info:
            await client.list_avatars()
        with pytest.raises(errors.NetworkError):
            await client.create_session()
    assert "Cannot connect" in str(info.value) and AVATAR_LIST in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert transport.paths[AVATAR_LIST] == 3 and transport.paths[SESSION_CREATE] == 1
    assert [e.attempt for e in events if e.kind == "retry"] == [1, 2]
    assert_no_secret(info.value)


async def test_timeout_is_typed(simulator_factory) -> None:
    sim = simulator_factory(churn=False, latency=1.0, **CREDS)
    client, transport, events = make(sim.base_url, timeout=0.1, max_retries=1)
    async with client:
        with pytest.raises(errors.TimeoutError_) as info:
            await client.list_languages()
    assert isinstance(info.value, errors.NetworkError)
    assert "0.1 s" in str(info.value)
    assert [e.kind for e in events] == ["retry", "request"]
    assert not events[-1].ok and "0.1 s" in events[-1].error_message


# -- pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_list_all_sessions_over_many_pages(big_sim, concurrency: int) -> None:
    client, transport, _ = make(big_sim.base_url, concurrency=concurrency)
    async with client:
        first = await client.list_sessions(page=1, size=100)
        assert first.count >= 260 and first.pages >= 3
        every = await client.list_all_sessions()
        sequential: list[Session] = []
        for n in range(1, first.pages + 1):
            sequential += (await client.list_sessions(page=n, size=100)).result
    ids = [s.id for s in every]
    assert len(ids) == first.count == len(set(ids))
    assert ids == [s.id for s in sequential]  # server order
    assert transport.paths[SESSION_LIST] == 1 + first.pages + first.pages


async def test_list_all_drops_items_shifted_by_new_sessions(simulator_factory) -> None:
    """New sessions appear at the top after page 1 came back: later pages repeat items."""
    sim = simulator_factory(churn=False, sessions=260, max_concurrent=100_000, **CREDS)
    client, transport, _ = make(sim.base_url, concurrency=1)
    async with client:
        before = {s.id for s in await client.list_all_sessions()}
        other, _, _ = make(sim.base_url)

        async def churn(request: httpx.Request) -> None:
            if request.url.path == SESSION_LIST and request.url.params.get("page") == "1":
                transport.after = None
                for _ in range(5):
                    await other.create_session(duration=60)

        transport.after = churn
        async with other:
            every = await client.list_all_sessions()
    ids = [s.id for s in every]
    assert len(ids) == len(set(ids)) == 260
    assert set(ids) == before


async def test_list_all_with_status_filter(big_sim) -> None:
    client, _, _ = make(big_sim.base_url)
    async with client:
        closed = await client.list_all_sessions(status=SessionStatus.COMPLETED)
        total = await client.list_all_sessions()
    assert closed and all(s.status is SessionStatus.COMPLETED for s in closed)
    assert len(closed) == sum(1 for s in total if s.status is SessionStatus.COMPLETED)


async def test_list_all_avatars_and_voices(big_sim) -> None:
    client, _, _ = make(big_sim.base_url)
    async with client:
        avatars = await client.list_all_avatars()
        page = await client.list_avatars()
        voices = await client.list_all_voices()
        voice_page = await client.list_voices(size=10)
    assert page.count > 200
    assert len(avatars) == page.count == len({a.avatar_id for a in avatars})
    assert len(voices) == voice_page.count == len({v.voice_id for v in voices})


# -- secrets --------------------------------------------------------------------------------


async def test_secrets_never_in_client_or_errors(simulator_factory) -> None:
    sim = simulator_factory(churn=False, error_rate=1.0, **CREDS)
    for mode in ("key", "token"):
        client, _, _ = make(sim.base_url, mode, max_retries=0)
        async with client:
            with pytest.raises(errors.AkoolError) as info:
                await client.list_sessions()
        assert_no_secret(client, info.value)
        assert KEY[-4:] in repr(client) or SECRET[-4:] in repr(client)


# -- answers the simulator never gives (a real loopback server with canned bodies) ----


class Canned(ThreadingHTTPServer):
    """Serves queued (status, body) answers per path; the last one repeats."""

    daemon_threads = True

    def __init__(self, answers: dict[str, list[tuple[int, object]]]) -> None:
        super().__init__(("127.0.0.1", 0), CannedHandler)
        self.answers = answers
        self.hits: Counter[str] = Counter()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CannedHandler(BaseHTTPRequestHandler):
    server: Canned

    def _answer(self) -> None:
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        queue = self.server.answers.get(path) or [(404, "not found")]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[Callable[[dict[str, list[tuple[int, object]]]], Canned]]:
    servers: list[Canned] = []

    def start(answers: dict[str, list[tuple[int, object]]]) -> Canned:
        server = Canned(answers)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def ok(data: object = None, **top: object) -> tuple[int, object]:
    return 200, {"code": 1000, "msg": "OK", "data": data, **top}


async def test_wrong_data_shapes(canned) -> None:
    server = canned({
        SESSION_DETAIL: [ok([{"_id": "x"}])],  # a list instead of an object
        AVATAR_DETAIL: [ok(None)],
        SESSION_LIST: [ok({"count": "many", "result": [{"_id": "a"}, 7, "b", None, {"_id": "c"}]})],
        AVATAR_LIST: [ok({"count": 5, "result": {"not": "a list"}})],
        LANGUAGE_LIST: [ok({"lang_list": "en"})],
        SESSION_CLOSE: [ok([])],
        TOKEN_PATH: [(200, {"code": 1000, "msg": "OK", "data": {"token": "in-data"}})],
    })
    client, _, _ = make(server.base_url)
    async with client:
        with pytest.raises(errors.ProtocolError, match=SESSION_DETAIL):
            await client.session_detail("x")
        with pytest.raises(errors.ProtocolError, match=AVATAR_DETAIL):
            await client.avatar_detail("x")
        page = await client.list_sessions()
        assert [s.id for s in page.result] == ["a", "c"] and page.count == 2
        assert await client.list_all_sessions() == page.result
        empty = await client.list_avatars()
        assert empty.result == [] and await client.list_all_avatars() == []
        assert await client.list_languages() == []
        assert await client.close_session("x") is None
    token_client, _, _ = make(server.base_url, "token")
    async with token_client:
        with pytest.raises(errors.ProtocolError, match="without a token"):
            await token_client.list_languages()


async def test_bad_envelopes(canned) -> None:
    server = canned({
        SESSION_DETAIL: [(200, [1, 2]), (200, {"code": "1000", "data": {}}), (200, {"msg": "no code"}),
                         (200, {"code": True}), (200, "")],
    })
    client, _, _ = make(server.base_url, max_retries=0)
    async with client:
        for expected in ("not an object", "integer 'code'", "integer 'code'", "integer 'code'", "not JSON"):
            with pytest.raises(errors.ProtocolError, match=expected):
                await client.session_detail("x")


async def test_reads_retry_on_1005_and_429_but_not_other_codes(canned) -> None:
    server = canned({
        SESSION_LIST: [(200, {"code": 1005, "msg": "too frequent"}), (429, "slow down"),
                       ok({"count": 0, "result": []})],
        SESSION_DETAIL: [(200, {"code": 9999, "msg": "brand new failure"})],
        SESSION_CREATE: [(200, {"code": 1005, "msg": "too frequent"})],
    })
    client, _, events = make(server.base_url)
    async with client:
        assert (await client.list_sessions()).result == []
        with pytest.raises(errors.ApiError) as unknown:
            await client.session_detail("x")
        with pytest.raises(errors.RateLimitError):
            await client.create_session()
    assert server.hits[SESSION_LIST] == 3
    assert server.hits[SESSION_DETAIL] == 1 and server.hits[SESSION_CREATE] == 1
    assert [e.error_message for e in events if e.kind == "retry"][0].startswith("Too many requests")
    assert unknown.value.code == 9999 and "9999" in str(unknown.value) and "brand new failure" in str(unknown.value)


async def test_every_request_reports_its_duration_and_outcome(simulator_factory) -> None:
    """The pulse's API figures come from these: one ``request`` event per request
    (its retries included), with how long it took and how it ended."""
    sim = simulator_factory(churn=False, latency=0.05, **CREDS)
    client, _, events = make(sim.base_url, max_retries=0)
    async with client:
        await client.list_languages()
        with pytest.raises(errors.AkoolError):
            await client.session_detail("nope-not-a-session")
    done = [e for e in events if e.kind == "request"]
    assert [e.ok for e in done] == [True, False]
    assert all(0.05 <= e.duration < 5 for e in done)
    assert done[1].error_message and done[1].endpoint
