"""`P`: the pulse -- the account at a glance, from what the app already fetches (a
mode of its own; esc goes back to the screen it was opened from).

Panels: sessions (live / queueing now, a sparkline of the last hour, started and
ended per minute), attention (sessions whose time ran out but are still open, and
those ending within 5 minutes: `x` / `w` show them in the sessions table), credits
(balance, measured burn, sparkline), the API as this app sees it (requests per minute,
p50 / p95, error rate, last error, backoff; sparklines of the last 30 minutes) and
avatar uploads.

Everything comes from :class:`~akool_tui.core.pulse.Pulse` (``app.ctx.pulse``), fed by
the sessions screen's refreshes (they go on while the pulse is open), the client's
events and, here, one slow timer (:data:`SLOW_S`): the credit balance (unless the
app already reads it) and the avatars list. Painting is diff-only: once a second the
view is computed and only the lines and sparklines whose value changed are updated.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Sparkline, Static

from ...core import pulse_text as say
from ...core.pulse import PulseView
from ..widgets.key_bar import KeyBar

#: seconds between the slow reads (credit balance, avatars list)
SLOW_S = 60.0
#: seconds between paints (only what changed is updated)
PAINT_S = 1.0

#: (widget id, the text of a PulseView)
LINES: tuple[tuple[str, Callable[[PulseView], str]], ...] = (
    ("sessions-now", say.sessions_now), ("sessions-rate", say.sessions_rate),
    ("expired", say.expired), ("ending", say.ending),
    ("credits-now", say.credits_now), ("credits-burn", say.burn),
    ("api-rate", lambda v: say.api_rate(v.api)), ("api-latency", lambda v: say.api_latency(v.api)),
    ("api-error", lambda v: say.api_error(v.api)), ("api-backoff", lambda v: say.api_backoff(v.api)),
    ("uploads", say.uploads), ("uploads-failed", say.uploads_failed),
)
#: (sparkline id, its data in a PulseView)
SPARKS: tuple[tuple[str, Callable[[PulseView], Sequence[float]]], ...] = (
    ("live-spark", lambda v: v.live_history), ("credits-spark", lambda v: v.balance_history),
    ("api-req-spark", lambda v: v.requests_history), ("api-p95-spark", lambda v: v.p95_history),
    ("api-err-spark", lambda v: v.errors_history),
)


@dataclass
class SlowRead(Message):
    """The slow timer's reads (None: not read, or it failed)."""

    balance: float | None
    avatars: list | None


def _line(wid: str) -> Static:
    return Static("", id=wid, classes="pulse-line", markup=False)


def _spark(label: str, wid: str) -> Horizontal:
    return Horizontal(Static(label, classes="spark-label", markup=False),
                      Sparkline([], id=wid), classes="spark-row")


class PulseScreen(Screen[None]):
    TITLE = "Pulse"
    BINDINGS = [
        Binding("escape", "close", "Back", id="pulse.close", tooltip="Leave the pulse"),
        Binding("x", "show_expired", "Expired", id="pulse.expired",
                tooltip="Show the sessions whose time ran out but are still open (0:00 !) "
                        "in the sessions table"),
        Binding("w", "show_ending", "Ending", id="pulse.ending",
                tooltip="Show the sessions ending within 5 minutes in the sessions table"),
    ]
    DEFAULT_CSS = """
    PulseScreen { background: $background; }
    PulseScreen #pulse-title { height: 1; padding: 0 1; color: $primary; text-style: bold; }
    PulseScreen .pulse-row { height: auto; }
    PulseScreen .pulse-panel { width: 1fr; height: auto; border: round $primary 40%;
                               border-title-color: $primary; padding: 0 1; }
    PulseScreen .pulse-column { width: 1fr; height: auto; }
    PulseScreen .pulse-column .pulse-panel { width: 100%; }
    PulseScreen .pulse-hint { color: $foreground-muted; }
    PulseScreen .pulse-line { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    PulseScreen .spark-row { height: 1; }
    PulseScreen .spark-label { width: 5; color: $foreground-muted; }
    PulseScreen Sparkline { width: 1fr; }
    PulseScreen #expired.-alert { color: $error; text-style: bold; }
    PulseScreen #ending.-alert { color: $warning; }
    PulseScreen #api-error.-alert, PulseScreen #uploads-failed.-alert { color: $error; }
    PulseScreen #api-backoff.-alert { color: $warning; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[str, Any] = {}
        #: lines and sparklines updated since the screen opened (the bench reads it)
        self.repaints = 0
        self._avatars_at: float | None = None
        self._slow_at: float | None = None

    def compose(self) -> ComposeResult:
        yield Static("Pulse · sampled from this app's own refreshes", id="pulse-title",
                     markup=False)
        with Vertical(id="pulse-body"):
            with Horizontal(classes="pulse-row"):
                with Vertical(id="pulse-sessions", classes="pulse-panel") as p:
                    p.border_title = "Sessions (last hour)"
                    yield _line("sessions-now")
                    yield _spark("live", "live-spark")
                    yield _line("sessions-rate")
                with Vertical(id="pulse-attention", classes="pulse-panel") as p:
                    p.border_title = "Attention"
                    yield _line("expired")
                    yield _line("ending")
                    yield Static("x / w: show in the sessions table", markup=False,
                                 classes="pulse-line pulse-hint")
            with Horizontal(classes="pulse-row"):
                with Vertical(classes="pulse-column"):
                    with Vertical(id="pulse-credits", classes="pulse-panel") as p:
                        p.border_title = "Credits"
                        yield _line("credits-now")
                        yield _line("credits-burn")
                        yield _spark("bal", "credits-spark")
                    with Vertical(id="pulse-uploads", classes="pulse-panel") as p:
                        p.border_title = "Avatar uploads"
                        yield _line("uploads")
                        yield _line("uploads-failed")
                with Vertical(id="pulse-api", classes="pulse-panel") as p:
                    p.border_title = "API (sparklines: 30 min)"
                    yield _line("api-rate")
                    yield _line("api-latency")
                    yield _spark("req", "api-req-spark")
                    yield _spark("p95", "api-p95-spark")
                    yield _spark("err", "api-err-spark")
                    yield _line("api-error")
                    yield _line("api-backoff")
        yield KeyBar()

    # -- life cycle --------------------------------------------------------------------

    def on_mount(self) -> None:
        self.paint()
        self.set_interval(PAINT_S, self.paint)
        self._slow()
        self.set_interval(SLOW_S, self._slow)

    def on_screen_resume(self) -> None:
        self.app.ctx.pulse_open = True  # the sessions screen refreshes behind the pulse
        if self._shown:  # back on the pulse: fresh figures at once, a slow read if due
            self.paint()
            self._slow()

    def on_screen_suspend(self) -> None:
        self.app.ctx.pulse_open = False

    def on_unmount(self) -> None:
        self.app.ctx.pulse_open = False

    def action_close(self) -> None:
        self.app.switch_mode(self.app.ctx.pulse_return or "sessions")

    # -- the slow reads (workers; the results go to the pulse in their handlers) -------

    def _slow(self) -> None:
        app = self.app
        if not self.is_current or not (app.config.has_credentials or app.demo):
            return
        now = time.monotonic()
        if self._slow_at is not None and now - self._slow_at < SLOW_S / 2:
            return  # read not long ago (the pulse was left and opened again)
        self._slow_at = now
        watch = getattr(app, "credit_watch", None)  # the status line's reads, if any
        avatars_fresh = self._avatars_at is not None and now - self._avatars_at < SLOW_S / 2
        self.run_worker(self._read(watch is None, not avatars_fresh), name="pulse-slow",
                        group="pulse-slow", exclusive=True, exit_on_error=False)

    async def _read(self, credits: bool, avatars: bool) -> None:
        from ...api.errors import AkoolError

        client = await self.app.ctx.client()
        balance = listed = None
        if credits:
            try:
                balance = await client.credit_balance()
            except AkoolError:
                pass  # the API panel shows the failed request (the client's event)
        if avatars:
            try:
                listed = await client.list_all_avatars()
            except AkoolError:
                pass
        self.post_message(SlowRead(balance, listed))

    def on_slow_read(self, message: SlowRead) -> None:
        pulse = self.app.ctx.pulse
        if message.balance is not None:
            pulse.credits(message.balance)
        if message.avatars is not None:
            pulse.avatars(message.avatars, self.app.now())
            self._avatars_at = time.monotonic()
        self.paint()

    # -- painting: only what changed ---------------------------------------------------

    def _feed_credit_watch(self) -> None:
        watch = getattr(self.app, "credit_watch", None)
        meter = getattr(watch, "meter", None)
        if meter is None or meter.balance is None:
            return
        if self._shown.get("watch-at") != meter.last_at:
            self._shown["watch-at"] = meter.last_at
            self.app.ctx.pulse.credits(meter.balance)

    def paint(self) -> None:
        if not self.is_mounted or not self.is_current:  # another mode is shown
            return
        self._feed_credit_watch()
        view = self.app.ctx.pulse.view()
        for wid, text_of in LINES:
            text = text_of(view)
            if self._shown.get(wid) != text:
                self._shown[wid] = text
                # one line of a fixed size: a repaint of its cells, not a new layout
                # (a layout repaints the whole screen)
                self.query_one(f"#{wid}", Static).update(text, layout=False)
                self.repaints += 1
        for wid, data_of in SPARKS:
            data = tuple(data_of(view))
            if self._shown.get(wid) != data:
                self._shown[wid] = data
                self.query_one(f"#{wid}", Sparkline).data = list(data)
                self.repaints += 1
        alerts = {"expired": bool(view.expired_open), "ending": bool(view.ending_soon),
                  "api-error": bool(view.api.last_error),
                  "api-backoff": view.api.backoff_s is not None,
                  "uploads-failed": bool(view.upload_failed)}
        for wid, on in alerts.items():
            if self._shown.get(f"{wid}-alert") != on:
                self._shown[f"{wid}-alert"] = on
                self.query_one(f"#{wid}").set_class(on, "-alert")

    # -- jumps to the sessions table -----------------------------------------------------

    def _jump(self, ids: tuple[str, ...], label: str) -> None:
        if not ids:
            self.notify(f"No {label} sessions now", timeout=2)
            return
        self.app.ctx.sessions_only = (label, ids)
        self.app.switch_mode("sessions")

    def action_show_expired(self) -> None:
        self._jump(self.app.ctx.pulse.expired_open, "expired but open")

    def action_show_ending(self) -> None:
        self._jump(self.app.ctx.pulse.ending_soon, "ending within 5 min")
