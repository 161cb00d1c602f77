"""Keys first: a key typed while a background thread works (a big account's full
refetch) makes that thread wait until the key's frame is on the terminal.

The refetch thread and the UI thread share one interpreter lock. Each time the UI thread
lets it go (every turn of its event loop looks at its file descriptors, every write to
the terminal) the refetch thread takes it and the UI thread waits to get it back, up to
``sys.getswitchinterval()`` (5 ms) a time; a key's way to the screen has many such
turns. So a key waited 50-120 ms during a refetch at 100 000 sessions, with no callback
of the UI thread longer than 25 ms.

The gate: Textual's input thread calls :meth:`InputGate.key` for each key it reads (see
:func:`gated_driver`); the refetch thread calls :meth:`InputGate.wait` between two steps
(each callback and each turn of its event loop: :class:`GatedLoop`; the refetch runs
on one) and, while a key is pending, sleeps
with the lock released until the terminal writer flushed a frame (:meth:`flushed`, from
``lifetime.SafeWriterThread``) and the UI thread has gone quiet since (its CPU clock
stands still over one :data:`STEP`), or :data:`CAP` s passed: a refetch never starves.
:func:`switch_interval` shortens the other waits for the interpreter while a refetch
thread runs. On the UI loop itself, work done in slices (a big load's rows and commit,
the search texts) gives way between two slices the same way (:func:`give_way`).
"""

from __future__ import annotations

import asyncio
import contextlib
import selectors
import sys
import threading
import time
from collections.abc import Callable, Iterator
from time import perf_counter
from typing import Any

#: the longest a refetch waits for one key's frame
CAP = 0.15
#: after a wait cut short by CAP, the refetch runs this long before the gate holds again
#: (keys typed without pause do not stop it)
RUN_AFTER_CAP = 0.05
#: how often a waiting refetch looks whether the frame is out
STEP = 0.001


class InputGate:
    """Input pending, from the key's arrival until its frame is on the terminal."""

    def __init__(self, *, cap: float = CAP, step: float = STEP,
                 run_after_cap: float = RUN_AFTER_CAP,
                 clock: Callable[[], float] = perf_counter) -> None:
        self.cap, self.step, self.run_after_cap, self.clock = cap, step, run_after_cap, clock
        self._lock = threading.Lock()
        self._key_at = 0.0  # when the oldest key not shown yet came (0: none)
        self._flushes = 0  # frames the terminal writer flushed
        self._flushes_at_key = 0  # ... when the newest pending key came
        self._free_until = 0.0  # no wait before this (after a capped wait)
        #: waits so far and the seconds they took (for benches and tests)
        self.waits = 0
        self.waited = 0.0
        #: a thread is waiting at the gate now
        self.waiting = False

    @property
    def pending(self) -> bool:
        return self._key_at != 0.0

    def key(self) -> None:
        """A key arrived (any thread: Textual's input thread)."""
        with self._lock:
            now = self.clock()
            # (the key before it is on the terminal, or it waited for longer than the cap)
            if not self._key_at or self._shown() or now - self._key_at >= self.cap:
                self._key_at = now
            self._flushes_at_key = self._flushes

    def pending_for(self) -> float:
        """Seconds since the oldest key not known to be on the terminal; 0.0 when there
        is none (read on the UI loop by :func:`give_way`)."""
        key_at = self._key_at
        return max(1e-9, self.clock() - key_at) if key_at else 0.0

    def settle(self) -> bool:
        """The UI thread has gone quiet: the keys are done if a frame was flushed since
        the newest one. True when no key is pending any more."""
        with self._lock:
            if self._key_at and self._shown():
                self._key_at = 0.0
            return not self._key_at

    def flushed(self) -> None:
        """The terminal writer flushed what the app wrote (its thread)."""
        with self._lock:
            self._flushes += 1

    def _shown(self) -> bool:
        return self._flushes > self._flushes_at_key

    def wait(self, ui_cpu: Callable[[], float] | None = None) -> float:
        """Sleep (the interpreter released) while a key waits for its frame: until a
        frame was flushed after the key and ``ui_cpu`` (the UI thread's CPU clock)
        stood still over one step, or :attr:`cap` s after the key. Returns the seconds
        waited (0.0 at once when no key is pending: one attribute read)."""
        if not self._key_at:
            return 0.0
        start = self.clock()
        if start < self._free_until:
            return 0.0
        capped = False
        self.waiting = True
        while True:
            with self._lock:
                key_at = self._key_at
            if not key_at:
                break
            if self.clock() - key_at >= self.cap:
                capped = True
                break
            before = ui_cpu() if ui_cpu is not None else 0.0
            time.sleep(self.step)
            if self._shown() and (ui_cpu is None or ui_cpu() - before < self.step / 4):
                break
        now = self.clock()
        self.waiting = False
        with self._lock:
            if self._shown() or capped:
                self._key_at = 0.0
            if capped:
                self._free_until = now + self.run_after_cap
        self.waits += 1
        self.waited += now - start
        return now - start


class GatedSelector(selectors.DefaultSelector):  # type: ignore[misc, valid-type]
    """A selector that first waits at the gate: each turn of its event loop."""

    def __init__(self, gate: InputGate, ui_cpu: Callable[[], float] | None) -> None:
        super().__init__()
        self._gate, self._ui_cpu = gate, ui_cpu

    def select(self, timeout: float | None = None) -> Any:
        self._gate.wait(self._ui_cpu)
        return super().select(timeout)


class GatedLoop(asyncio.SelectorEventLoop):
    """An event loop (for a worker thread) that waits at ``gate`` before each callback
    it runs (each step of a task: between two pages of a refetch, not only between two
    turns of the loop, which could run several pages) and each turn."""

    def __init__(self, gate: InputGate, ui_cpu: Callable[[], float] | None) -> None:
        super().__init__(GatedSelector(gate, ui_cpu))
        self._gate_wait = lambda: gate.wait(ui_cpu)

    def call_soon(self, callback: Callable[..., Any], *args: Any,
                  context: Any = None) -> asyncio.Handle:
        return super().call_soon(self._gated, callback, *args, context=context)

    def _gated(self, callback: Callable[..., Any], *args: Any) -> None:
        self._gate_wait()
        callback(*args)


#: how often a slice of UI work that gives way to a key looks whether its frame is out
GIVE_WAY_STEP = 0.002


async def give_way(gate: InputGate | None = None) -> None:
    """Between two slices of work on the UI loop (a big load's rows, the table's commit,
    the search texts): yield once and, while a key typed less than the gate's
    :attr:`~InputGate.cap` ago has no frame on the terminal yet, sleep in short steps
    (until a frame was flushed since the key and the UI thread spent next to no CPU
    over one step: as the refetch thread's :meth:`InputGate.wait`).

    A key goes through several turns of the loop (the driver, the app, the screen, the
    table, the screen update); a slice queued in each of them made a key wait 60-120 ms
    during a 100 000-session load with no callback over 20 ms."""
    gate = GATE if gate is None else gate
    await asyncio.sleep(0)
    while 0.0 < gate.pending_for() < gate.cap:
        before = time.thread_time()  # this thread's: the UI's
        await asyncio.sleep(GIVE_WAY_STEP)
        # done once a frame is out since the key and the UI thread has gone quiet: a
        # frame flushed before the key was handled (a countdown's) is not the key's
        if time.thread_time() - before < GIVE_WAY_STEP / 4 and gate.settle():
            return


_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextlib.contextmanager
def switch_interval(seconds: float) -> Iterator[None]:
    """``sys.setswitchinterval(seconds)`` while inside (nested and threaded uses keep
    the shortest until the last one leaves, then the old value comes back).

    A thread that wants the interpreter waits up to the switch interval (5 ms) for the
    one that holds it; the UI thread lets it go at every turn of its event loop and
    every write, so each of a key's many turns could wait 5 ms for a refetch thread.
    Forced switches happen only while another thread waits: an idle UI costs none."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
        _switch_users += 1
        sys.setswitchinterval(min(seconds, sys.getswitchinterval()))
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


#: the app's one gate (keys from its terminal; its refetch threads wait on it)
GATE = InputGate()


def gated_driver(base: type[Any], gate: InputGate = GATE) -> type[Any]:
    """``base`` (a Textual driver class) telling ``gate`` of each key it reads."""
    from textual import events

    class Gated(base):  # type: ignore[misc, valid-type]
        def process_message(self, message: Any) -> None:
            if isinstance(message, (events.Key, events.Paste)):
                gate.key()
            super().process_message(message)

    Gated.__name__ = Gated.__qualname__ = f"Gated{base.__name__}"
    return Gated
