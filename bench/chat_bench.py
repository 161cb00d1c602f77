"""Chat rendering under a fast stream, and sending on Agora limits.

Run:  .venv/bin/python bench/chat_bench.py [--seconds 30] [--runs 3] [--rate 200]

1. Streaming. A headless app (``App.run_test``, 200x60) receives one bot reply at
   ``--rate`` parts/s for ``--seconds`` s, with 0 and 10 000 prior transcript lines.
   Parts enter through a loopback transport, fed by a timer task on a fixed
   schedule: everything after the wire is the real code path (codec decode,
   reassembler, :class:`~akool_tui.core.chat.conversation.Conversation`, inbox message, the
   chat screen's handler, :class:`~akool_tui.tui.widgets.transcript.Transcript`).
   Variants, in the same run:

   - ``transcript``: the real chat screen of ``AkoolApp`` (demo simulator idle in a
     thread, used only to list sessions);
   - ``log``: baseline, Textual's ``Log`` written from a 20 Hz buffer, fed by the same
     transport, codec and reassembler; ``log30``: the same at the transcript's own flush
     rate (30 Hz), so the latencies compare at one rate;
   - ``markdown``: anchor, Textual's ``Markdown`` fed through ``Markdown.get_stream``
     (its own batching), the same transport, codec and reassembler; prior lines are
     one Markdown paragraph each. With 10 000 prior lines this is a 10 000-paragraph
     Markdown document re-rendered as it grows: what a Markdown widget costs when used
     as a transcript, not a chat widget anyone would ship; it is labelled so.

   What "paint" means here: the first compositor update whose widget shows the part,
   rendered to escape codes into a StringIO in a headless app; not the bytes reaching a
   terminal (no pty, no terminal writes), so it is a lower bound of what a user sees.
   Measured: receive -> paint latency of every part (from the moment the part is put
   on the loopback wire until the first screen update whose widget shows it; the
   update is also rendered to terminal escape codes, as a real terminal would be
   written); CPU = process_time / wall over the stream; keypresses typed into the
   input during the stream, from the key event to the ``Input.Changed`` handler
   (handled) and to the next screen update (painted).
2. Pacing. 10 KiB of text through a loopback transport with the ``agora`` preset
   (real chunker, real pacer, until ``drain()``): seconds vs 10240/5760 and the
   largest part. Goal: <= 1.1x, no part over 960 bytes.

Targets (issue 4): p95 receive->paint <= 100 ms, CPU <= 0.4 core, keypress <= 50 ms,
also with 10 000 prior lines.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import statistics
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.console import Console
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, Log, Markdown

from akool_tui.api.models import Session
from akool_tui.demo import demo_config
from akool_tui.simulator import SimulatorConfig, run_background
from akool_tui.stream import channel
from akool_tui.stream.codec import ChatMessage, encode
from akool_tui.stream.reassembler import Reassembler
from akool_tui.stream.transport import BaseTransport, TransportState
from akool_tui.tui.app import AkoolApp
from akool_tui.tui.widgets.transcript import FLUSH_HZ

SIZE = (200, 60)
MID = "bot-bench"
WORDS = ("the avatar streams this reply in small parts while the operator watches "
         "latency numbers climb or stay flat depending on how the terminal widget "
         "renders each fragment of text").split()
KEY_EVERY = 1.0  # seconds between test keypresses


# -- the wire -------------------------------------------------------------------------


class Loopback(BaseTransport):
    """A transport whose far end is this process: ``feed`` delivers, sends are recorded."""

    def __init__(self, stream_type: str = "websocket") -> None:
        self.stream_type = stream_type
        super().__init__()
        self.sent: list[tuple[float, int]] = []

    async def connect(self) -> None:
        self._set_state(TransportState.CONNECTED)
        self._start_writer()

    async def _send_now(self, payload: bytes) -> None:
        self.sent.append((time.perf_counter(), len(payload)))

    def feed(self, payload: bytes) -> None:
        self._deliver(payload)

    async def close(self) -> None:
        self._end(TransportState.CLOSED, "closed", "closed before sending")


def reply_parts(count: int) -> list[str]:
    """``count`` parts of ~12 characters of a long reply, a paragraph every ~600."""
    parts, word, length = [], 0, 0
    for _ in range(count):
        piece = ""
        while len(piece) < 12:
            piece += WORDS[word % len(WORDS)] + " "
            word += 1
        length += len(piece)
        if length > 600:
            piece, length = piece.rstrip() + ".\n", 0
        parts.append(piece)
    return parts


class Feed:
    """Puts parts on the wire on a fixed schedule; remembers when each went out."""

    def __init__(self, parts: list[str], rate: float) -> None:
        self.parts = parts
        self.rate = rate
        self.sent: deque[tuple[int, float]] = deque()  # (chars so far, perf_counter)
        self.latencies: list[float] = []

    async def run(self, wire: Loopback) -> None:
        start = time.perf_counter()
        total = 0
        last = len(self.parts) - 1
        for i, text in enumerate(self.parts):
            delay = start + i / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            total += len(text)
            wire.feed(encode(ChatMessage(MID, i, i == last, text, "bot")))
            self.sent.append((total, time.perf_counter()))

    def painted(self, shown_chars: int, now: float) -> None:
        while self.sent and self.sent[0][0] <= shown_chars:
            self.latencies.append(now - self.sent.popleft()[1])


def hook_display(app: App, on_paint: Callable[[float], None]) -> None:
    """Render every screen update to escape codes (as a terminal write would) and
    report the moment it is done."""
    original = app._display
    sink = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                   width=SIZE[0], height=SIZE[1], legacy_windows=False)

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is None:
            return
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(sink)
        on_paint(time.perf_counter())

    app._display = display  # type: ignore[method-assign]


class Keys:
    """Keypresses during the stream: key event -> Input.Changed -> next paint."""

    def __init__(self) -> None:
        self.pending: float | None = None
        self.handled: list[float] = []
        self.painted: list[float] = []
        self._waiting_paint: float | None = None

    def hook(self, message: Any) -> None:
        if isinstance(message, Input.Changed) and self.pending is not None:
            self.handled.append(time.perf_counter() - self.pending)
            self._waiting_paint, self.pending = self.pending, None

    def on_paint(self, now: float) -> None:
        if self._waiting_paint is not None:
            self.painted.append(now - self._waiting_paint)
            self._waiting_paint = None

    async def run(self, app: App, seconds: float) -> None:
        end = time.perf_counter() + seconds
        await asyncio.sleep(KEY_EVERY / 2)
        while time.perf_counter() < end - KEY_EVERY / 2:
            self.pending = time.perf_counter()
            app._driver.send_message(events.Key("x", "x"))
            await asyncio.sleep(KEY_EVERY)


# -- variants -------------------------------------------------------------------------


def prior_texts(n: int) -> list[tuple[str, str]]:
    roles = ("user", "bot", "system")
    return [(roles[i % 3], f"earlier line {i}: " + " ".join(WORDS[: 6 + i % 20]))
            for i in range(n)]


class AnchorApp(App):
    """An anchor: a stock widget fed the deltas of the real transport, codec and
    reassembler. Subclasses compose the widget, take each delta, and say how many
    characters of the reply the widget holds (``shown``)."""

    def __init__(self, wire: Loopback) -> None:
        super().__init__()
        self.wire = wire

    def on_mount(self) -> None:
        self.run_worker(self.read, exit_on_error=False)
        self.query_one(Input).focus()

    async def read(self) -> None:
        reassembler = Reassembler()
        await self.wire.connect()
        try:
            async for item in channel.messages(self.wire):
                if isinstance(item, ChatMessage):
                    update = reassembler.feed(item)
                    if update.delta:
                        await self.take(update.delta)
        finally:
            await self.done()

    async def take(self, delta: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    async def done(self) -> None:
        pass

    async def load_prior(self, prior: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def shown(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError


class LogApp(AnchorApp):
    """Baseline: ``Log`` written from a 20 Hz buffer."""

    HZ = 20

    def __init__(self, wire: Loopback) -> None:
        super().__init__(wire)
        self.buffer: list[str] = []
        self.written = 0

    def compose(self) -> ComposeResult:
        yield Log(id="log")
        yield Input(id="input")

    def on_mount(self) -> None:
        self.set_interval(1 / self.HZ, self.flush_buffer)

    async def take(self, delta: str) -> None:
        self.buffer.append(delta)

    def flush_buffer(self) -> None:
        if self.buffer:
            text = "".join(self.buffer)
            self.buffer.clear()
            self.query_one(Log).write(text)
            self.written += len(text)

    async def load_prior(self, prior: int) -> None:
        self.query_one(Log).write_lines([f"{role}: {text}" for role, text in prior_texts(prior)])

    @property
    def shown(self) -> int:
        return self.written


class Log30App(LogApp):
    """Baseline at the transcript's own flush rate (``transcript.FLUSH_HZ``, 30 Hz)."""

    HZ = FLUSH_HZ


class MarkdownApp(AnchorApp):
    """Anchor: Textual's ``Markdown`` widget fed by its ``MarkdownStream``."""

    prior_chars = 0
    stream = None  # Markdown.get_stream(...), made at the first delta

    def compose(self) -> ComposeResult:
        yield Markdown(id="markdown")
        yield Input(id="input")

    async def take(self, delta: str) -> None:
        if self.stream is None:
            self.stream = Markdown.get_stream(self.query_one(Markdown))
        await self.stream.write(delta)

    async def done(self) -> None:
        if self.stream is not None:
            await self.stream.stop()

    async def load_prior(self, prior: int) -> None:
        markdown = self.query_one(Markdown)
        if prior:
            await markdown.update("\n\n".join(f"**{role}**: {text}"
                                               for role, text in prior_texts(prior)) + "\n\n")
        self.prior_chars = len(markdown.source)

    @property
    def shown(self) -> int:
        return len(self.query_one(Markdown).source) - self.prior_chars


async def run_anchor(kind: type[AnchorApp], parts: list[str], rate: float,
                     prior: int) -> dict[str, float]:
    wire = Loopback()
    app = kind(wire)
    keys = Keys()
    async with app.run_test(size=SIZE, message_hook=keys.hook) as pilot:
        await app.load_prior(prior)
        await pilot.pause(0.3)
        feed = Feed(parts, rate)
        hook_display(app, lambda now: (feed.painted(app.shown, now), keys.on_paint(now)))
        return await measure(app, feed, wire, keys, rate, lambda: app.shown)


async def run_transcript(parts: list[str], rate: float, prior: int) -> dict[str, float]:
    sim = run_background(SimulatorConfig(sessions=0, avatars=0, churn=False))
    try:
        cfg = demo_config(sim)
        cfg.refresh_interval = 3600.0
        app = AkoolApp(cfg, demo=True, watch_tty=False)
        keys = Keys()
        async with app.run_test(size=SIZE, message_hook=keys.hook) as pilot:
            await app.switch_mode("chat")
            screen = app.screen
            await pilot.pause(0.3)
            transcript = screen.transcript
            for role, text in prior_texts(prior):
                transcript.add(role, text)
            transcript.flush()
            wire = Loopback()
            conv = screen.conversation
            conv.transport_factory = lambda session, **_: wire
            screen.run_worker(partial(conv.run, Session(id="bench", stream_type="websocket")),
                              exit_on_error=False)
            await pilot.pause(0.3)
            screen.chat_input.focus()

            def shown() -> int:
                entry = transcript.get(f"in:{MID}")
                return entry.shown_text_len if entry is not None else 0

            feed = Feed(parts, rate)
            hook_display(app, lambda now: (feed.painted(shown(), now), keys.on_paint(now)))
            return await measure(app, feed, wire, keys, rate, shown)
    finally:
        sim.stop()


async def measure(app: App, feed: Feed, wire: Loopback, keys: Keys, rate: float,
                  shown: Callable[[], int]) -> dict[str, float]:
    seconds = len(feed.parts) / rate
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    key_task = asyncio.create_task(keys.run(app, seconds))
    await feed.run(wire)
    total = feed.sent[-1][0] if feed.sent else 0
    deadline = time.perf_counter() + 5
    while feed.sent and time.perf_counter() < deadline:  # the last parts' paint
        await asyncio.sleep(0.01)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await key_task
    lat = sorted(feed.latencies)
    return {
        "parts": len(feed.parts), "painted": len(lat), "chars": total, "shown": shown(),
        "p50_ms": 1000 * statistics.median(lat) if lat else float("nan"),
        "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))] if lat else float("nan"),
        "max_ms": 1000 * lat[-1] if lat else float("nan"),
        "cpu": cpu / wall,
        "key_ms": 1000 * max(keys.handled) if keys.handled else float("nan"),
        "key_paint_ms": 1000 * max(keys.painted) if keys.painted else float("nan"),
        "keys": len(keys.handled),
    }


# -- pacing ---------------------------------------------------------------------------


async def agora_10k() -> dict[str, float]:
    text = ("The avatar reads this sentence aloud. " * 300)[:10240]
    wire = Loopback("agora")
    await wire.connect()
    start = time.perf_counter()
    await channel.send_chat(wire, text)
    await wire.drain()
    elapsed = time.perf_counter() - start
    await wire.close()
    sizes = [size for _, size in wire.sent]
    floor = 10240 / 5760
    return {"seconds": elapsed, "floor": floor, "ratio": elapsed / floor,
            "encoded_ratio": elapsed / (sum(sizes) / 5760),
            "bytes": sum(sizes), "parts": len(sizes), "largest": max(sizes)}


# -- main -----------------------------------------------------------------------------

RUNNERS = {"transcript": run_transcript, "log": partial(run_anchor, LogApp),
           "log30": partial(run_anchor, Log30App),
           "markdown": partial(run_anchor, MarkdownApp)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="stream length (default 30)")
    parser.add_argument("--rate", type=float, default=200.0, help="parts per second (200)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians reported")
    parser.add_argument("--prior", default="0,10000", help="prior transcript lines, comma list")
    parser.add_argument("--variants", default="transcript,log,log30,markdown",
                        help="comma list of: " + ", ".join(RUNNERS))
    ns = parser.parse_args()
    priors = [int(x) for x in ns.prior.split(",") if x.strip()]
    variants = [v.strip() for v in ns.variants.split(",") if v.strip()]
    parts = reply_parts(int(ns.seconds * ns.rate))
    print(f"stream: {len(parts)} parts at {ns.rate:g}/s ({ns.seconds:g} s, "
          f"{sum(map(len, parts))} chars), {SIZE[0]}x{SIZE[1]}, {ns.runs} run(s), medians")
    results: dict[tuple[str, int], list[dict[str, float]]] = {}
    for run in range(ns.runs):
        for prior in priors:
            for variant in variants:
                r = asyncio.run(RUNNERS[variant](parts, ns.rate, prior))
                results.setdefault((variant, prior), []).append(r)
                print(f"  run {run + 1} {variant:<10} prior {prior:>5}: p95 {r['p95_ms']:6.1f} ms"
                      f"  cpu {r['cpu']:.2f}  key {r['key_ms']:5.1f} ms"
                      f"  painted {r['painted']}/{r['parts']}", flush=True)
    print()
    print(f"{'variant':<11} {'prior':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'cpu':>5} {'key ms':>7} {'key->paint':>10}  vs target (100 ms, 0.4, 50 ms)")
    medians: dict[tuple[str, int], dict[str, float]] = {}
    for (variant, prior), rs in results.items():
        m = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        medians[(variant, prior)] = m
        print(f"{variant:<11} {prior:>6} {m['p50_ms']:7.1f} {m['p95_ms']:7.1f} {m['max_ms']:7.1f} "
              f"{m['cpu']:5.2f} {m['key_ms']:7.1f} {m['key_paint_ms']:10.1f}  "
              f"{m['p95_ms'] / 100:.2f}x {m['cpu'] / 0.4:.2f}x {m['key_ms'] / 50:.2f}x")
    for prior in priors:
        t = medians.get(("transcript", prior))
        for anchor in ("log", "log30", "markdown"):
            b = medians.get((anchor, prior))
            if t and b:
                print(f"transcript / {anchor} at prior {prior}: "
                      f"p95 {t['p95_ms'] / b['p95_ms']:.2f}x, cpu {t['cpu'] / b['cpu']:.2f}x")
    pace = [asyncio.run(agora_10k()) for _ in range(ns.runs)]
    m = {k: statistics.median(p[k] for p in pace) for k in pace[0]}
    print(f"\nagora 10 KiB: {m['seconds']:.3f} s vs 10240/5760 = {m['floor']:.3f} s -> "
          f"{m['ratio']:.3f}x (goal <= 1.1x); vs the encoded bytes / 5760 = "
          f"{m['encoded_ratio']:.3f}x; {int(m['parts'])} parts, {int(m['bytes'])} B, "
          f"largest {int(m['largest'])} B (goal <= 960)")


if __name__ == "__main__":
    main()
