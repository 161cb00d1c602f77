"""Keys first during a big refetch (issue 13: key-to-screen at 100 000 sessions): a key
typed while the refetch thread works makes that thread wait, with the interpreter
released, until the key's frame is on the terminal (``tui/input_gate``)."""

from __future__ import annotations

import asyncio
import io
import sys
import threading
import time
from time import perf_counter

from textual import events
from textual.drivers.headless_driver import HeadlessDriver

from akool_tui.core.session_sync import SessionTracker
from akool_tui.tui.input_gate import GatedLoop, InputGate, gated_driver, switch_interval
from akool_tui.tui.lifetime import SafeWriterThread
from akool_tui.tui.screens.sessions_load import Apart

TIMEOUT = 10.0


def poll(check, what: str, timeout: float = TIMEOUT) -> None:
    end = perf_counter() + timeout
    while not check():
        assert perf_counter() < end, f"no {what} within {timeout} s"
        time.sleep(0.001)


class Stepper:
    """A refetch stand-in: a thread whose event loop (on the gated selector) takes
    small steps and notes when each ran; ``ui_cpu`` is the UI thread's clock the gate
    reads (it stands still unless ``busy``), and tells when the gate is waiting."""

    def __init__(self, gate: InputGate) -> None:
        self.steps: list[float] = []
        self.stop = False
        self.ui_clock = 0.0
        self.busy = False
        self.gate_looked = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(gate,), daemon=True)
        self.thread.start()
        poll(lambda: len(self.steps) > 10, "steps")

    def ui_cpu(self) -> float:
        self.gate_looked.set()
        if self.busy:
            self.ui_clock += 1.0  # the UI thread still works: its frame is not done
        return self.ui_clock

    def _run(self, gate: InputGate) -> None:
        async def work() -> None:
            while not self.stop:
                self.steps.append(perf_counter())
                await asyncio.sleep(0)

        with asyncio.Runner(loop_factory=lambda: GatedLoop(gate, self.ui_cpu)) as r:
            r.run(work())

    def close(self) -> None:
        self.stop = True
        self.thread.join(TIMEOUT)


def test_a_key_stops_the_refetch_until_its_frame_is_written() -> None:
    gate = InputGate(cap=60.0)
    stepper = Stepper(gate)
    try:
        stepper.busy = True  # the UI thread handles the key
        gate.key()
        poll(stepper.gate_looked.is_set, "wait at the gate")
        held = len(stepper.steps)
        time.sleep(0.05)  # the span checked: no refetch step in it
        assert len(stepper.steps) == held
        gate.flushed()  # a frame is out, but the UI thread still works (a second update)
        time.sleep(0.02)
        assert len(stepper.steps) == held
        stepper.busy = False  # quiet: the key's frame is done
        flushed_at = perf_counter()
        poll(lambda: len(stepper.steps) > held, "the refetch going on")
        assert stepper.steps[held] >= flushed_at
        assert not gate.pending and gate.waits >= 1
    finally:
        stepper.close()


def test_a_frame_written_before_the_key_does_not_open_the_gate() -> None:
    gate = InputGate(cap=60.0)
    gate.flushed()  # a countdown frame, before the key
    stepper = Stepper(gate)
    try:
        gate.key()
        poll(stepper.gate_looked.is_set, "wait at the gate")
        held = len(stepper.steps)
        time.sleep(0.03)
        assert len(stepper.steps) == held and gate.pending
        gate.flushed()
        poll(lambda: len(stepper.steps) > held, "the refetch going on")
    finally:
        stepper.close()


def test_a_key_whose_frame_never_comes_holds_the_refetch_only_for_the_cap() -> None:
    gate = InputGate(cap=0.1, run_after_cap=0.05)
    stepper = Stepper(gate)
    try:
        gate.key()
        key_at = perf_counter()
        poll(lambda: gate.waits >= 1, "the capped wait")
        poll(lambda: stepper.steps[-1] > key_at + 0.1, "the refetch going on")
        assert not gate.pending
        # keys without pause: after a capped wait the refetch runs a while at full speed
        gate.key()
        resumed = perf_counter()
        poll(lambda: stepper.steps[-1] > resumed + 0.02, "steps right after")
    finally:
        stepper.close()


def test_no_key_no_wait() -> None:
    gate = InputGate()
    assert gate.wait(lambda: 0.0) == 0.0 and gate.waits == 0


async def test_the_driver_marks_keys_and_the_writer_marks_frames() -> None:
    gate = InputGate(cap=60.0)
    posted = []

    class App:  # what Driver.process_message reads of the app
        async def _post_message(self, message: events.Event) -> None:
            posted.append(message)

    driver = gated_driver(HeadlessDriver, gate)(App())  # type: ignore[arg-type]
    driver.process_message(events.Resize.from_dimensions((80, 24), None))
    assert not gate.pending  # not a key
    driver.process_message(events.Key("x", "x"))
    await asyncio.sleep(0.01)
    assert gate.pending and len(posted) == 2  # and the key still goes to the app
    assert gate.pending
    writer = SafeWriterThread(io.StringIO())
    writer.on_flush = gate.flushed
    writer.start()
    writer.write("frame")
    writer.stop()
    assert gate.wait(lambda: 0.0) > 0 and not gate.pending


def test_a_full_refetch_in_its_thread_waits_for_a_pending_key(simulator_factory) -> None:
    """``Apart.fetch_all`` (a big account's full refetch) runs on the gated loop."""
    sim = simulator_factory(sessions=300)
    gate = InputGate(cap=60.0)
    apart = Apart(gate)
    tracker = SessionTracker()
    kwargs = {"base_url": sim.base_url, "api_key": sim.cfg.api_key}
    gate.key()
    done = threading.Event()
    thread = threading.Thread(target=lambda: (apart.fetch_all(tracker, kwargs), done.set()),
                              daemon=True)
    thread.start()
    try:
        poll(lambda: gate.waiting, "the refetch at the gate")
        time.sleep(0.2)
        assert not done.is_set()  # 300 sessions take ~30 ms when nobody types
        gate.flushed()
        assert done.wait(TIMEOUT)
        assert gate.waits >= 1 and not gate.pending
    finally:
        apart.cancel()
        thread.join(TIMEOUT)


def test_the_switch_interval_is_short_only_while_a_refetch_thread_runs() -> None:
    before = sys.getswitchinterval()
    with switch_interval(0.0005):
        with switch_interval(0.001):  # a second refetch: the shortest holds
            assert sys.getswitchinterval() == 0.0005
        assert sys.getswitchinterval() == 0.0005
    assert sys.getswitchinterval() == before


def test_a_full_refetch_thread_shortens_the_switch_interval(simulator_factory) -> None:
    sim = simulator_factory(sessions=300)
    seen: list[float] = []
    gate = InputGate()
    apart = Apart(gate)
    before = sys.getswitchinterval()

    def ui_cpu_spy() -> float:  # the gate reads it while the refetch runs
        seen.append(sys.getswitchinterval())
        return 0.0

    apart._ui_cpu = ui_cpu_spy
    gate.key()
    gate.flushed()  # the frame is out: the first wait ends at once
    apart.fetch_all(SessionTracker(), {"base_url": sim.base_url, "api_key": sim.cfg.api_key})
    assert seen and max(seen) < before
    assert sys.getswitchinterval() == before
