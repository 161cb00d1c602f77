"""Shared Pilot helpers for the TUI tests: a quiet simulator, an app factory, waits.

Everything here talks to the real simulator over loopback HTTP. Waits poll a
condition with short pauses and a timeout (no fixed sleeps); messages are seen
through ``run_test(message_hook=...)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from akool_tui.config import Config
from akool_tui.simulator import RunningSimulator, SimulatorConfig, run_background
from akool_tui.simulator.clock import SimClock
from akool_tui.tui.app import AkoolApp

#: churn off and a fixed seed: the same sessions and avatars on every run
SIM_DEFAULTS: dict[str, Any] = {"seed": 3, "sessions": 40, "avatars": 12, "churn": False,
                                "max_concurrent": 400}
#: the moment snapshots are taken at (simulator and app clocks both frozen here)
FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SIZE = (120, 34)
#: long enough that only explicit triggers refresh during a test
QUIET_INTERVAL = 60.0


def frozen_sim_clock(at: datetime = FIXED_NOW) -> SimClock:
    """A simulator clock that stands still (``advance`` still moves it)."""
    return SimClock(monotonic=lambda: 0.0, wall=lambda: at.timestamp())


def start_simulator(*, frozen: bool = False, **overrides: Any) -> RunningSimulator:
    cfg = SimulatorConfig(**{**SIM_DEFAULTS, **overrides})
    return run_background(cfg, clock=frozen_sim_clock() if frozen else None)


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[RunningSimulator]:
    """One quiet simulator for a whole test module (tests must tolerate each other's
    sessions: they act on rows they created or look up by id)."""
    sim = start_simulator()
    yield sim
    sim.stop()


#: the two terminal sizes every snapshot is taken at
SNAPSHOT_SIZES = pytest.mark.parametrize("size", [(120, 34), (80, 24)], ids=["120x34", "80x24"])


@pytest.fixture(scope="module")
def frozen_sim() -> Iterator[RunningSimulator]:
    """One simulator per module whose clock stands still at FIXED_NOW (for snapshots)."""
    sim = start_simulator(frozen=True)
    yield sim
    sim.stop()


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Absolute times on screen are local: make local UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def snapshot_app(sim: RunningSimulator, tmp_path: Path, *, demo: bool = True,
                 defaults: Any = None, **fields: Any) -> AkoolApp:
    """An app as ``--demo`` runs it (websocket the default stream type) whose clock stands
    still at FIXED_NOW; ``defaults`` and config fields override."""
    from akool_tui.config import SessionDefaults

    return make_app(sim, tmp_path, demo=demo, interval=5.0, clock=lambda: FIXED_NOW,
                    defaults=defaults or SessionDefaults(stream_type="websocket"), **fields)


async def open_new_session(pilot: Pilot) -> Any:
    """From the loaded sessions screen, open the new-session dialog with its pickers
    loaded and no blinking cursors; return the dialog."""
    from textual.widgets import Input

    from akool_tui.tui.screens.new_session import NewSessionScreen

    await wait_loaded(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewSessionScreen))
    await wait_workers(pilot, "avatars")
    await wait_workers(pilot, "knowledge")
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    return pilot.app.screen


async def open_advanced(pilot: Pilot, modal: Any) -> None:
    """Expand the new-session dialog's Advanced section and wait for its fields (built
    on the first expand)."""
    from textual.widgets import Collapsible

    modal.query_one("#advanced", Collapsible).collapsed = False
    await wait_for(pilot, lambda: modal.advanced.built, what="the Advanced fields")
    await pilot.pause()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user config, themes or credentials from the machine running the tests."""
    home = tmp_path / "xdg"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    for var in ("AKOOL_TUI_CONFIG", "AKOOL_API_KEY", "AKOOL_CLIENT_ID",
                "AKOOL_CLIENT_SECRET", "AKOOL_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


def make_config(sim: RunningSimulator, path: Path | None, *, credentials: bool = True,
                interval: float = QUIET_INTERVAL, **fields: Any) -> Config:
    cfg = Config(base_url=sim.base_url, api_key=sim.cfg.api_key if credentials else "",
                 refresh_interval=interval, path=path, **fields)
    return cfg


def make_app(sim: RunningSimulator, tmp_path: Path, *, credentials: bool = True,
             interval: float = QUIET_INTERVAL, demo: bool = False,
             clock: Callable[[], datetime] | None = None, **fields: Any) -> AkoolApp:
    """An app against ``sim`` whose config file lives in ``tmp_path``."""
    cfg = make_config(sim, tmp_path / "config.toml", credentials=credentials,
                      interval=interval, **fields)
    return AkoolApp(cfg, demo=demo, watch_tty=False, clock=clock)


class Messages:
    """A ``message_hook``: records every message the app dispatches."""

    def __init__(self) -> None:
        self.seen: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.seen.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        return [m for m in self.seen if isinstance(m, kind)]

    def count(self, kind: type[Message]) -> int:
        return sum(1 for m in self.seen if isinstance(m, kind))

    def notes(self, severity: str | None = None) -> list[str]:
        """Texts of every notification posted so far (optionally of one severity)."""
        from textual.notifications import Notify

        return [m.notification.message for m in self.of(Notify)
                if severity is None or m.notification.severity == severity]


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str = "condition", *,
                   timeout: float = 8.0) -> None:
    """Poll ``condition`` between short pauses (the app keeps running)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await pilot.pause(0.02)


async def wait_message(pilot: Pilot, messages: Messages, kind: type[Message], *,
                       after: int, timeout: float = 8.0) -> Any:
    """Wait until more than ``after`` messages of ``kind`` were dispatched and handled."""
    await wait_for(pilot, lambda: messages.count(kind) > after, timeout=timeout,
                   what=kind.__name__)
    await pilot.pause()  # the hook runs before the handler: let the handler finish
    return messages.of(kind)[-1]


async def wait_workers(pilot: Pilot, group: str) -> None:
    """Wait for the app's workers of ``group`` to finish (no sleeping)."""
    for worker in [w for w in pilot.app.workers if w.group == group]:
        await worker.wait()
    await pilot.pause()


async def refresh_now(pilot: Pilot, messages: Messages, *, timeout: float = 8.0) -> Any:
    """Trigger the current screen's refresh loop and wait until the result is applied."""
    from akool_tui.tui.screens.base import Refreshed

    before = messages.count(Refreshed)
    pilot.app.screen.loop.trigger()
    return await wait_message(pilot, messages, Refreshed, after=before, timeout=timeout)


async def wait_loaded(pilot: Pilot, *, timeout: float = 8.0):
    """Wait for the first refresh of the current main screen's table; return the screen."""
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app.screen, "loop", None) is not None
                   and app.screen.loop.state.last_success is not None
                   and not app.screen.table.pending, timeout=timeout, what="first refresh")
    # and the credit balance in the status line (snapshots show it)
    await wait_for(pilot, lambda: getattr(app, "credit_watch", None) is None
                   or app.credit_watch.settled, timeout=timeout, what="credit balance")
    await pilot.pause()
    return app.screen


@contextlib.asynccontextmanager
async def running(app: AkoolApp, size: tuple[int, int] = SIZE
                  ) -> AsyncIterator[tuple[Pilot, Messages]]:
    messages = Messages()
    async with app.run_test(size=size, message_hook=messages) as pilot:
        yield pilot, messages


def screen_text(app: AkoolApp) -> str:
    """What the terminal shows now, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def table_keys(table) -> list[str]:
    """Row keys in display order."""
    return [table.key_at(i) for i in range(table.visible_row_count)]


async def type_text(pilot: Pilot, text: str) -> None:
    """Type into the focused widget, key by key (for short texts: each key waits for idle)."""
    await pilot.press(*(c if c != " " else "space" for c in text))


async def fill(pilot: Pilot, field, text: str) -> None:
    """Focus an Input and set its text at once (a paste); it validates as when typed."""
    field.focus()
    field.value = text
    await pilot.pause()


def open_ids(sim: RunningSimulator) -> list[str]:
    return [rec.id for rec in sim.state.open_sessions()]


async def api_create(sim: RunningSimulator, n: int = 1, duration: int = 600) -> list[str]:
    """Create sessions behind the app's back (another operator, a script)."""
    import httpx

    ids = []
    async with httpx.AsyncClient(base_url=sim.base_url,
                                 headers={"x-api-key": sim.cfg.api_key}) as http:
        for _ in range(n):
            answer = await http.post("/api/open/v4/liveAvatar/session/create",
                                     json={"avatar_id": "dvp_Tristan_cloth2_1080P",
                                           "duration": duration})
            body = answer.json()
            assert body["code"] == 1000, body
            ids.append(body["data"]["_id"])
    await asyncio.sleep(0)
    return ids


async def chat_with_new_session(pilot: Pilot, sim: RunningSimulator) -> tuple[Any, str]:
    """The demo app's chat screen (``pilot.app``) with a new session created by ctrl+n,
    connected and its avatar live in the simulator: (the chat screen, the session id)."""
    from akool_tui.simulator.stream_channel import live_avatars
    from akool_tui.tui.screens.chat import ChatScreen

    await pilot.app.switch_mode("chat")
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen.conversation.connected, "connected", timeout=15)
    session_id = screen.conversation.session.id
    await wait_for(pilot, lambda: live_avatars(sim.state, session_id), "the avatar",
                   timeout=15)
    return screen, session_id
