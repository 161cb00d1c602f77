"""The simulator's media channel end to end over loopback, read by WebSocketMediaSource."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import statistics
import threading

import httpx
import numpy as np
import pytest

from akool_tui.api.models import Session
from akool_tui.simulator import SimulatorConfig, run_background
from akool_tui.simulator.media_background import colour_for, fit, parse_ppm
from akool_tui.simulator.media_face import Face
from akool_tui.stream import channel
from akool_tui.stream.media import AudioLevel, VideoFrame
from akool_tui.stream.media_ws import WebSocketMediaSource, media_source_for, media_url_for
from akool_tui.stream.transport import TransportError, transport_for
from stream_helpers import CLOSE, create_session, until


@pytest.fixture(scope="module")
def sim():
    # replies spoken at 40 characters a second: a reply lasts a few seconds
    cfg = SimulatorConfig(sessions=0, churn=False, reply_chars_per_s=40.0, queue_delay=0.0)
    with run_background(cfg) as running:
        yield running


class Reader:
    """Runs ``source.frames()`` in a task and keeps what arrives."""

    def __init__(self, source: WebSocketMediaSource) -> None:
        self.source = source
        self.items: list[VideoFrame | AudioLevel] = []
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Reader:
        self.task = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for item in self.source.frames():
            self.items.append(item)

    async def __aexit__(self, *exc) -> None:
        await self.source.aclose()
        await asyncio.wait_for(self.task, 5)

    @property
    def frames(self) -> list[VideoFrame]:
        return [i for i in self.items if isinstance(i, VideoFrame)]

    @property
    def levels(self) -> list[AudioLevel]:
        return [i for i in self.items if isinstance(i, AudioLevel)]


def reader(session: Session, query: str = "") -> Reader:
    source = media_source_for(session, query=query)
    assert source is not None
    return Reader(source)


def crop(frame: VideoFrame, box: tuple[int, int, int, int]) -> bytes:
    y0, y1, x0, x1 = box
    return np.frombuffer(frame.rgb, np.uint8).reshape(frame.height, frame.width, 3)[y0:y1, x0:x1].tobytes()


def test_media_url_sits_beside_the_simulators_stream_channel_only():
    assert media_url_for("ws://127.0.0.1:5/sim/stream/abc") == "ws://127.0.0.1:5/sim/media/abc"
    assert media_url_for("wss://h/x/sim/stream/abc?q=1") == "wss://h/x/sim/media/abc?q=1"
    assert media_url_for("wss://openapi.akool.com/ws/stream/abc") is None
    assert media_url_for("") is None and media_url_for(None) is None
    lk = Session.from_api({"_id": "s", "stream_type": "livekit",
                           "credentials": {"livekit_url": "wss://x", "livekit_token": "t" * 20}})
    assert media_source_for(lk) is None


async def test_frames_arrive_at_the_default_size_and_rate(sim):
    async with reader(create_session(sim)) as r:
        await until(lambda: len(r.frames) >= 16, what="16 frames")
    frames = r.frames
    assert {(f.width, f.height, len(f.rgb)) for f in frames} == {(320, 180, 320 * 180 * 3)}
    gaps = [b.ts - a.ts for a, b in zip(frames[3:], frames[4:])]
    assert 0.08 < statistics.median(gaps) < 0.12  # 10 fps
    assert len(r.levels) >= len(frames) and all(lv.level == 0 for lv in r.levels)  # silent


async def test_size_and_rate_from_the_query(sim):
    async with reader(create_session(sim), "width=64&height=36&fps=25&compress=0") as r:
        await until(lambda: len(r.frames) >= 30, what="30 frames")
    assert {(f.width, f.height) for f in r.frames} == {(64, 36)}
    span = r.frames[-1].ts - r.frames[5].ts
    assert 20 <= (len(r.frames) - 6) / span <= 30


async def test_the_mouth_moves_between_audio_start_and_audio_end(sim):
    session = create_session(sim, mode_type=1)
    box = Face(320, 180).mouth_box
    events: list[tuple[str, int]] = []
    async with reader(session, "fps=20") as r:
        transport = transport_for(session)
        await transport.connect()

        async def watch() -> None:
            async for item in channel.messages(transport):
                if getattr(item, "event", None) in ("audio_start", "audio_end"):
                    events.append((item.event, len(r.items)))

        watcher = asyncio.create_task(watch())
        await until(lambda: len(r.frames) >= 10, what="frames before speech")
        await channel.send_chat(transport, "one two three four five six seven eight nine ten "
                                           "eleven twelve")
        await until(lambda: [e for e, _ in events] == ["audio_start", "audio_end"],
                    what="a whole reply")
        n_end = len(r.items)
        await until(lambda: len(r.items) >= n_end + 60, what="frames after speech")
        await transport.close()
        await asyncio.wait_for(watcher, 5)
    # the two sockets are not in step: leave out 8 items (4 ticks, 0.2 s) around each event
    (_, i_start), (_, i_end) = events
    before = [i for i in r.items[:i_start - 8] if isinstance(i, VideoFrame)]
    during = [i for i in r.items[i_start + 8:i_end - 8] if isinstance(i, VideoFrame)]
    after = [i for i in r.items[i_end + 16:] if isinstance(i, VideoFrame)]
    assert len({crop(f, box) for f in before}) == 1  # closed and still
    assert len({crop(f, box) for f in during}) >= 4  # opening and closing
    assert {crop(f, box) for f in after} == {crop(before[0], box)}  # closed again
    levels_during = [i.level for i in r.items[i_start + 8:i_end - 8] if isinstance(i, AudioLevel)]
    assert min(levels_during) > 0.05
    assert all(i.level == 0 for i in r.items[i_end + 16:] if isinstance(i, AudioLevel))


async def test_the_idle_face_looks_around_and_blinks(sim):
    face = Face(320, 180)
    eyes = (int(face._eye_y - face._eye_r[1]), int(face._eye_y + face._eye_r[1]) + 1,
            int(face.cx - face._eye_dx - face._eye_r[0]), int(face.cx + face._eye_dx + face._eye_r[0]) + 1)

    def blinked(f: VideoFrame) -> bool:  # no white of the eye shows
        return bytes((250, 250, 250)) not in crop(f, eyes)

    async with reader(create_session(sim), "fps=20") as r:
        await until(lambda: any(blinked(f) for f in r.frames), timeout=6, what="a blink")
        await until(lambda: len({hashlib.sha1(crop(f, eyes)).digest() for f in r.frames
                                 if not blinked(f)}) >= 3, timeout=6, what="the pupils moving")


async def test_fault_black(sim):
    async with reader(create_session(sim), "fps=20&black=0.5") as r:
        await until(lambda: len(r.frames) >= 20, what="20 frames")
    assert any(f.rgb.count(0) < len(f.rgb) for f in r.frames[:5])
    assert all(f.rgb == bytes(len(f.rgb)) for f in r.frames[14:])


async def test_fault_freeze_sends_identical_frames_with_new_timestamps(sim):
    session = create_session(sim, mode_type=1)
    async with reader(session, "fps=20&freeze=0.3") as r:
        transport = transport_for(session)
        await transport.connect()
        await channel.send_chat(transport, "speaking while frozen changes nothing on screen")
        await until(lambda: len(r.frames) >= 30, what="30 frames")
        await transport.close()
    late = r.frames[10:]
    assert len({f.rgb for f in late}) == 1
    assert len({f.ts for f in late}) == len(late)
    assert any(lv.level > 0 for lv in r.levels)  # the voice goes on


async def test_fault_drop_and_slow(sim):
    async with reader(create_session(sim), "fps=40&drop=0.5&seed=3") as r:
        await until(lambda: len(r.levels) >= 40, what="40 ticks")
    assert 10 <= len(r.frames) <= 30  # about half of 40 ticks
    async with reader(create_session(sim), "fps=40&slow=4") as r:
        await until(lambda: len(r.frames) >= 7, what="7 frames")
    gaps = [b.ts - a.ts for a, b in zip(r.frames[1:], r.frames[2:])]
    assert 0.08 < statistics.median(gaps) < 0.125  # 10 fps instead of 40


async def test_refusals_are_clear_errors(sim):
    session = create_session(sim)
    url = media_url_for(session.credentials.get("ws_url"))
    with pytest.raises(TransportError, match="invalid stream token"):
        await anext(WebSocketMediaSource(url, "wrong-token-0000").frames())
    with pytest.raises(TransportError, match="does not exist"):
        await anext(WebSocketMediaSource(url.rsplit("/", 1)[0] + "/nope", "x" * 12).frames())
    with pytest.raises(TransportError, match="fps must be 1..60"):
        await anext(media_source_for(session, query="fps=500").frames())
    with pytest.raises(TransportError, match="fault drop"):
        await anext(media_source_for(session, query="drop=2").frames())
    token = session.credentials.get("ws_token")
    assert token not in repr(media_source_for(session))


async def test_closing_the_session_ends_the_stream_with_4410(sim):
    session = create_session(sim)
    async with reader(session) as r:
        await until(lambda: len(r.frames) >= 2, what="frames")
        httpx.post(sim.base_url + CLOSE, json={"id": session.id}, headers={"x-api-key": "demo"})
        await until(lambda: r.task.done(), what="the stream to end")
    assert r.source.close_code == 4410


async def test_aclose_releases_the_socket_and_leaves_no_task(sim):
    before = set(asyncio.all_tasks())
    source = media_source_for(create_session(sim))
    r = Reader(source)
    async with r:
        await until(lambda: len(r.frames) >= 2, what="frames")
    assert r.task.done() and source._ws is None
    assert set(asyncio.all_tasks()) - before == set()
    await source.aclose()  # twice is fine


class _PPMHandler(http.server.BaseHTTPRequestHandler):
    image = b""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.image)))
        self.end_headers()
        self.wfile.write(self.image)

    def log_message(self, *args) -> None:
        pass


async def test_background_colour_and_local_image_from_the_session(sim):
    # a colour named by the URL
    async with reader(create_session(sim, background_url="https://example.com/bg/1e90ff.png"),
                      "fps=20") as r:
        await until(lambda: len(r.frames) >= 1, what="a frame")
    assert r.frames[0].rgb[:3] == bytes((0x1E, 0x90, 0xFF))
    # a PPM served on loopback: its pixels, scaled
    img = np.zeros((4, 8, 3), np.uint8)
    img[:, :4] = (200, 10, 10)
    img[:, 4:] = (10, 200, 10)
    _PPMHandler.image = b"P6\n# test\n8 4\n255\n" + img.tobytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PPMHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/bg.ppm"
        async with reader(create_session(sim, background_url=url), "fps=20") as r:
            await until(lambda: r.frames and r.frames[-1].rgb[:3] == bytes((200, 10, 10)),
                        what="the image")
        last = r.frames[-1]
        assert last.rgb[(last.width - 1) * 3:last.width * 3] == bytes((10, 200, 10))
    finally:
        server.shutdown()
        server.server_close()


def test_background_helpers():
    assert colour_for(None) == (28, 38, 58)
    assert colour_for("http://x/y#ff0080") == (255, 0, 128)
    assert colour_for("http://x/a.png") == colour_for("http://x/a.png") != colour_for("http://x/b")
    with pytest.raises(ValueError, match="P6"):
        parse_ppm(b"P3 1 1 255 0 0 0")
    with pytest.raises(ValueError, match="cut short"):
        parse_ppm(b"P6 2 2 255\n\x00")
    big = np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3)
    assert fit(big, 3, 2).tolist() == big[::2, ::2].tolist()


async def test_health_of_the_demo_face_idle_frozen_and_black(sim):
    """The idle face moves enough never to look frozen; the faults are caught."""
    from akool_tui.core.media_health import MediaHealthMonitor

    monitors = {name: MediaHealthMonitor(frozen_after=2.0) for name in ("idle", "freeze", "black")}
    queries = {"idle": "", "freeze": "freeze=0.5", "black": "black=0.5"}
    readers = {name: reader(create_session(sim), query) for name, query in queries.items()}

    async def feed(name: str) -> None:
        async for item in readers[name].source.frames():
            monitors[name].feed(item)
            readers[name].items.append(item)

    tasks = [asyncio.create_task(feed(name)) for name in readers]
    seen: dict[str, set[str]] = {name: set() for name in readers}

    def look() -> bool:
        for name, m in monitors.items():
            seen[name] |= set(m.snapshot().warnings)
        return "video frozen for 2 s" in seen["freeze"] and "black video" in seen["black"]

    await until(look, timeout=8, what="frozen and black warnings")
    await until(lambda: len(readers["idle"].frames) >= 40 and look(), what="4 s of the idle face")
    for r in readers.values():
        await r.source.aclose()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert seen["idle"] == set()
    snap = monitors["idle"].snapshot()
    assert snap.resolution == "320x180" and 8.5 <= snap.received_fps <= 11


async def test_set_params_bgurl_changes_the_background_while_streaming(sim):
    session = create_session(sim)
    async with reader(session, "fps=20") as r:
        await until(lambda: r.frames, what="a frame")
        assert r.frames[-1].rgb[:3] == bytes(colour_for(None))
        transport = transport_for(session)
        await transport.connect()
        await channel.send_set_params(transport, bgurl="https://example.com/studio#ff8800")
        await until(lambda: r.frames[-1].rgb[:3] == bytes((0xFF, 0x88, 0x00)), what="new bg")
        await transport.close()


async def test_without_numpy_the_channel_says_how_to_get_it(sim, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "akool_tui.simulator.media_background")
    with pytest.raises(TransportError, match=r"needs numpy: pip install 'akool-tui\[video\]'"):
        await anext(media_source_for(create_session(sim)).frames())

