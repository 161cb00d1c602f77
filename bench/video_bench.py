"""The cost of the avatar's video in the chat screen.

Run:  .venv/bin/python bench/video_bench.py [--seconds 6] [--runs 3]

1. Scaling. One 1280x720 RGB24 frame (the talking face of tests/video_fakes.py) to a
   60x30-cell panel as half-block cells (:func:`akool_tui.core.video_cells.to_cells`:
   bytes -> array, area-averaged scale, colour codes; truecolor and 256 colours), then
   the widget's strips of every line (what a full repaint builds): ms per frame min /
   median / max over 200 frames, and the share of one core that is at 10 and 25 fps.
2. Terminal bytes. A headless app whose only widget is the 60x30 video panel, painted
   at 10 fps with the talking face (1280x720, mouth opening and closing, the rest of the
   picture unchanged). Every screen update the app sends is rendered to escape codes
   (as its driver would write them; Textual's ``ChopsUpdate`` with the project's
   ``textual_fixes``) and counted: bytes per second with the diff-only repaint, and
   with a full repaint of the panel per frame (the baseline), in the same run.
3. Typing. The real chat screen (``AkoolApp`` against the demo simulator, a websocket
   session connected), a key typed into the input every 0.25 s: key event -> the next
   screen update (p50 / p95 / max), with the talking face at 25 fps painted at 10 fps
   in the panel, and with the panel hidden (``v``), alternated in the same run.

Prints ``figure: name value unit`` lines (and a short table).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from akool_tui.core.video_cells import to_cells  # noqa: E402
from akool_tui.demo import demo_config  # noqa: E402
from akool_tui.simulator import SimulatorConfig, run_background  # noqa: E402
from akool_tui.stream.media import VideoFrame  # noqa: E402
from akool_tui.tui.app import AkoolApp  # noqa: E402
from akool_tui.tui.screens.chat import ChatScreen  # noqa: E402
from akool_tui.tui.screens.chat_media import ChatMedia  # noqa: E402
from akool_tui.tui.widgets.video_cells import VideoCells  # noqa: E402
from video_fakes import FaceSource, talking  # noqa: E402

COLS, ROWS = 60, 30
FPS = 10


def figure(name: str, value: float, unit: str) -> None:
    print(f"figure: {name} {value:.3g} {unit}")


# -- 1. scaling -----------------------------------------------------------------------


def bench_scaling(count: int = 200) -> None:
    frames = talking(1280, 720)
    widget = VideoCells()
    widget._styles = {}
    for palette in ("truecolor", "256"):
        times: list[float] = []
        strip_times: list[float] = []
        for i in range(count):
            f = frames[i % len(frames)]
            start = time.perf_counter()
            cells = to_cells(f, COLS, ROWS, palette)  # type: ignore[arg-type]
            mid = time.perf_counter()
            widget.palette = palette  # type: ignore[assignment]
            with _no_app_style(widget):
                for y in range(ROWS):
                    widget._line(cells.row(y))
            end = time.perf_counter()
            times.append(mid - start)
            strip_times.append(end - start)
        med = statistics.median(times) * 1000
        print(f"scale 1280x720 -> {COLS}x{ROWS} {palette:<9}: min {min(times) * 1000:.2f} "
              f"median {med:.2f} max {max(times) * 1000:.2f} ms; with every line's strip "
              f"median {statistics.median(strip_times) * 1000:.2f} ms")
        figure(f"scale_ms_median_{palette}", med, "ms")
        figure(f"scale_ms_min_{palette}", min(times) * 1000, "ms")
        figure(f"scale_ms_max_{palette}", max(times) * 1000, "ms")
        figure(f"scale_and_strips_ms_median_{palette}",
               statistics.median(strip_times) * 1000, "ms")
        for fps in (10, 25):
            figure(f"core_share_{palette}_{fps}fps",
                   statistics.median(strip_times) * fps, "core")


class _no_app_style:
    """VideoCells outside an app: its base style is plain (no CSS)."""

    def __init__(self, widget: VideoCells) -> None:
        self.widget = widget

    def __enter__(self) -> None:
        from rich.style import Style

        type(self.widget).rich_style = property(lambda w: Style())  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        del type(self.widget).rich_style


# -- 2. bytes to the terminal ---------------------------------------------------------------


class Counter:
    """Every screen update rendered to escape codes, as the driver writes them."""

    def __init__(self, app: App, size: tuple[int, int]) -> None:
        self.bytes = 0
        self.updates = 0
        self.painted_at: float | None = None
        self.sink = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                            width=size[0], height=size[1], legacy_windows=False)
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                text = renderable.render_segments(self.sink)
            else:
                with self.sink.capture() as capture:
                    self.sink.print(renderable, end="")
                text = capture.get()
            self.bytes += len(text.encode())
            self.updates += 1
            self.painted_at = time.perf_counter()

        app._display = display  # type: ignore[method-assign]


class PanelApp(App):
    CSS = "Screen { background: #101010; }"

    def compose(self) -> ComposeResult:
        yield VideoCells()


async def bench_bytes(seconds: float) -> dict[str, float]:
    frames = [VideoFrame(f.width, f.height, f.rgb, 0.0) for f in talking(1280, 720)]
    out: dict[str, float] = {}
    for variant in ("diff", "full", "diff", "full"):
        app = PanelApp()
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            counter = Counter(app, (COLS, ROWS))
            cells = app.query_one(VideoCells)
            cells.paint(frames[-1])
            await pilot.pause(0.2)
            counter.bytes = counter.updates = 0
            count = int(seconds * FPS)
            start = time.perf_counter()
            for i in range(count):
                if variant == "full":
                    cells._cells = None  # as if nothing were on screen: repaint it all
                cells.paint(frames[i % len(frames)])
                await asyncio.sleep(max(0.0, start + (i + 1) / FPS - time.perf_counter()))
            wall = time.perf_counter() - start
            rate = counter.bytes / wall
            out[variant] = min(out.get(variant, rate), rate)
            print(f"bytes {variant:<4}: {rate / 1024:7.1f} KiB/s ({counter.updates} updates, "
                  f"{counter.bytes / max(1, counter.updates):.0f} B each)")
    figure("bytes_per_s_diff_60x30_10fps", out["diff"] / 1024, "KiB/s")
    figure("bytes_per_s_full_60x30_10fps", out["full"] / 1024, "KiB/s")
    figure("bytes_diff_vs_full", out["diff"] / out["full"], "ratio")
    return out


# -- 3. typing latency --------------------------------------------------------------------


async def bench_typing(seconds: float, runs: int) -> None:
    sim = run_background(SimulatorConfig(sessions=0, churn=False, queue_delay=0.0))
    sources: list[FaceSource] = []

    def open_face(session: Any, transport: Any) -> FaceSource:
        sources.append(FaceSource(1280, 720, fps=25))
        return sources[-1]

    ChatMedia.MEDIA_SOURCE = staticmethod(open_face)  # type: ignore[assignment]
    ChatMedia.VIDEO_ENV = {}
    results: dict[str, list[float]] = {"video": [], "no video": []}
    cpus: dict[str, list[float]] = {"video": [], "no video": []}
    try:
        app = AkoolApp(demo_config(sim), demo=True, watch_tty=False)
        async with app.run_test(size=(120, 34)) as pilot:
            counter = Counter(app, (120, 34))
            await app.switch_mode("chat")
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            await pilot.press("ctrl+n")
            deadline = time.monotonic() + 20
            while not (sources and sources[-1].sent > 5) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            panel = screen.video_panel
            assert panel is not None
            for run in range(runs):
                for variant in ("video", "no video"):
                    panel.display = variant == "video"
                    screen.chat_input.focus()
                    screen.chat_input.value = ""
                    await pilot.pause(0.3)
                    painted0 = panel.painted_count
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    lat = await type_keys(app, counter, seconds)
                    cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
                    results[variant].extend(lat)
                    cpus[variant].append(cpu)
                    print(f"  run {run + 1} {variant:<8}: p95 {pct(lat, 95):6.1f} ms, "
                          f"{len(lat)} keys, {panel.painted_count - painted0} frames painted, "
                          f"process CPU {cpu:.2f} core")
    finally:
        sim.stop()
    for variant, lat in results.items():
        name = variant.replace(" ", "_")
        print(f"typing {variant:<8}: p50 {pct(lat, 50):.1f} p95 {pct(lat, 95):.1f} "
              f"max {max(lat):.1f} ms ({len(lat)} keys)")
        figure(f"key_to_screen_p95_{name}", pct(lat, 95), "ms")
        figure(f"key_to_screen_p50_{name}", pct(lat, 50), "ms")
        figure(f"process_cpu_{name}", statistics.median(cpus[variant]), "core")


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[int(p / 100 * (len(ordered) - 1))] if ordered else float("nan")


async def type_keys(app: App, counter: Counter, seconds: float) -> list[float]:
    """Keys into the focused input; ms from the key event to the next screen update
    after the input changed."""
    latencies: list[float] = []
    screen_input = app.screen.query_one(Input)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sent = time.perf_counter()
        before = len(screen_input.value)
        app._driver.send_message(events.Key("x", "x"))
        while len(screen_input.value) == before and time.perf_counter() - sent < 2:
            await asyncio.sleep(0.001)
        # the first update after the change was seen (a paint between the change and
        # seeing it is missed: the figure errs on the slow side)
        counter.painted_at = None
        while counter.painted_at is None and time.perf_counter() - sent < 2:
            await asyncio.sleep(0.001)
        if counter.painted_at is not None:
            latencies.append((counter.painted_at - sent) * 1000)
        await asyncio.sleep(0.25)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bench_scaling()
    asyncio.run(bench_bytes(args.seconds))
    asyncio.run(bench_typing(args.seconds, args.runs))


if __name__ == "__main__":
    main()
