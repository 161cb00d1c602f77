"""The akool-tui Textual app: modes, keymap, client ownership, the first run.

Its parts: :mod:`.modes` (each main screen, made when first shown), :mod:`.app_errors`
(errors never reach the terminal as a traceback: a notification and the log, or one
line on exit for a bug), :mod:`.app_themes` (theme files, the configured theme) and
:mod:`.app_palette` (the palette's screen and demo commands). When the terminal goes away (SIGHUP, a refused write) or SIGTERM comes, the
app exits within seconds whatever Textual's writer is doing (``lifetime``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from .. import logs
from ..api.secrets import mask
from ..core.text import safe
from . import modes, paste_fix, textual_fixes
from .app_errors import ErrorReporting, _ReportingWorkers
from .app_palette import PaletteCommands
from .app_profiles import ProfileSwitching
from .app_themes import AppThemes
from .context import AppContext
from .screens.typeahead import TypeAheadApp
from .work import WorkFailed

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.notifications import SeverityLevel

    from ..config import Config
    from .lifetime import TerminalWatch


textual_fixes.install()  # partial screen updates write only the changed cells
paste_fix.install()  # escape sequences in a paste never press keys


#: the footer shows the screen keys as one compact group ("12345 screens")
SCREENS = Binding.Group("screens", compact=True)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AkoolApp(TypeAheadApp, ErrorReporting, AppThemes, PaletteCommands, ProfileSwitching,
               App):
    """Operator console for AKool Live Avatar sessions."""

    TITLE = "akool-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {modes.screen_actions}
    #: "sessions" is added in on_mount: at start-up the sessions screen is Textual's
    #: default screen (get_default_screen), whose first frame is written as soon as the
    #: app has mounted; a MODES screen is mounted inside Textual's start-up batch and
    #: waits for the next screen-update tick (1/60 s) instead
    MODES = {"avatars": modes.avatars, "chat": modes.chat, "settings": modes.settings,
             "knowledge": modes.knowledge, "pulse": modes.pulse, "history": modes.history}
    SCREEN_NAMES = ("sessions", "avatars", "chat", "settings", "knowledge")
    BINDINGS = [
        Binding("1", "switch_mode('sessions')", "Sessions", id="app.sessions",
                tooltip="Live sessions", group=SCREENS),
        Binding("2", "switch_mode('avatars')", "Avatars", id="app.avatars",
                tooltip="Streaming avatars and uploads", group=SCREENS),
        Binding("3", "switch_mode('chat')", "Chat", id="app.chat",
                tooltip="Talk to a live avatar", group=SCREENS),
        Binding("4", "switch_mode('settings')", "Settings", id="app.settings",
                tooltip="Voice, language, mode, background", group=SCREENS),
        Binding("5", "switch_mode('knowledge')", "Knowledge", id="app.knowledge",
                tooltip="Knowledge bases: prompts, greetings, documents", group=SCREENS),
        Binding("question_mark", "help", "Keys", id="app.help", tooltip="List every key"),
        Binding("P", "pulse", "Pulse", id="app.pulse", show=False,
                tooltip="The account at a glance: sessions, attention, credits, API, uploads"),
        Binding("h", "history", "History", id="app.history", show=False,
                tooltip="Past conversations: search, read with timings, export"),
        Binding("e", "events", "Events", id="app.events", show=False,
                tooltip="What went wrong and what changed during this run, with times"),
        Binding("q", "quit", "Quit", id="app.quit", show=False, tooltip="Leave akool-tui"),
    ]

    def __init__(
        self,
        config: Config,
        *,
        demo: bool = False,
        watch_tty: bool = True,
        clock: Callable[[], datetime] | None = None,
        demo_starter: Callable[[], Config] | None = None,
    ) -> None:
        self.demo = demo or demo_starter is not None
        # Start straight in the sessions mode (Textual reads DEFAULT_MODE in __init__),
        # its screen being the default screen (see MODES); a later switch_mode() would
        # re-parse every stylesheet twice before the first frame. Without credentials
        # the app starts empty and shows the first-run screen.
        self.DEFAULT_MODE = "sessions" if (config.has_credentials or self.demo) else "_default"
        super().__init__()
        #: config, the API client, demo state, the chat hand-off (see context.py);
        #: `--demo`: the simulator starts after the first frame (AppContext.client)
        self.ctx = AppContext(config, demo=self.demo, demo_starter=demo_starter)
        self._clock = clock or _utc_now
        self.ctx.pulse_clock = lambda: self.now().timestamp()
        self._watch_tty = watch_tty
        self._workers = _ReportingWorkers(self)  # every worker's error is reported
        #: errors reported while the app carried on (a notification each)
        self.unexpected_errors: list[BaseException] = []
        #: the one line printed on exit when a bug ended the app
        self.crash_line: str | None = None
        self._terminal_watch: TerminalWatch | None = None
        self.animation_level = "full" if config.ui.animations else "none"
        # themes before the first stylesheet parse: choosing one later re-parses all CSS
        self._theme_problems = self._load_themes()

    def now(self) -> datetime:
        """The time every relative time and countdown is shown against (UTC).

        Tests and snapshots pass a fixed ``clock`` so that "4 minutes ago" is stable.
        """
        return self._clock()

    # -- identity shown in the status line -----------------------------------

    @property
    def endpoint_label(self) -> str:
        url = self.config.base_url
        return url.removeprefix("https://").removeprefix("http://")

    @property
    def auth_label(self) -> str:
        """The credentials requests actually use: with both an API key and client
        credentials set, the client sends the bearer token (``Config.auth_mode``)."""
        cfg = self.config
        mode = self.ctx.auth_mode
        if mode == "client credentials":
            return f"token · client {cfg.client_id}"
        if mode == "api key":
            return f"api key {mask(cfg.api_key)}"
        return "no credentials"

    # -- the one API client (app.ctx) ------------------------------------------

    @property
    def config(self) -> Config:
        return self.ctx.config

    @config.setter
    def config(self, config: Config) -> None:
        self.ctx.config = config

    def on_ready(self) -> None:
        # Textual's first frames are drawn while the app mounts and are not written to
        # the terminal; this runs once the first one that is written has been
        self.call_after_refresh(self.ctx.painted.set)

    def reset_client(self) -> None:
        """Forget the client (credentials changed); the next use builds a new one."""
        old = self.ctx.forget_client()
        if old is not None:
            self.run_worker(old.aclose(), exit_on_error=False)

    def on_work_failed(self, message: WorkFailed) -> None:
        """An API call made with ``work.call_api`` failed: say so (plain text)."""
        self.notify(message.text, severity="error", timeout=6)

    # -- life cycle -----------------------------------------------------------

    def get_default_screen(self) -> Screen:
        return modes.sessions() if self.current_mode == "sessions" else super().get_default_screen()

    def on_mount(self) -> None:
        self.add_mode("sessions", modes.sessions)  # already shown, unless on the first-run path
        for problem in [*self._theme_problems, *self.config.load_warnings]:
            self.notify(safe(problem), severity="warning", timeout=8, markup=False)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
            from .keydoc import keymap_shadows

            for shadow in keymap_shadows(self.config.keymap):
                self.notify(safe(shadow), severity="warning", timeout=12, markup=False)
        if self._watch_tty:
            self._install_tty_watch()
        from . import credits

        credits.install(self)  # the balance and burn rate in the status line
        if self.current_mode == "_default":  # no credentials yet
            from .screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(), self._first_run_done)

    def _first_run_done(self, saved: bool | None) -> None:
        if saved:
            self.reset_client()
            self.switch_mode("sessions")
            from .credits import refresh_credits

            refresh_credits(self)
        else:
            # the CLI's line and exit code for the same situation (a usage error, 2)
            from ..config import NO_CREDENTIALS, config_path

            where = self.config.path or config_path()
            self.exit(2, return_code=2, message=f"akool-tui: {NO_CREDENTIALS.format(path=where)}")

    async def on_unmount(self) -> None:
        await asyncio.to_thread(self.ctx.close_history)  # what is pending gets written
        client = self.ctx.forget_client()
        if client is not None:
            await client.aclose()

    # -- palette, help, terminal ------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification is plain text made safe to paint: they quote server
        messages, ids and names (a session id ``se01[/x]`` parsed as markup crashed the
        app; an escape sequence in one wrote to the terminal). ``markup`` is ignored."""
        from ..core.text import CELL, LINE, safe

        text, title = safe(message, limit=LINE, newlines=True), safe(title, limit=CELL)
        if severity in ("error", "warning"):  # kept in the run's events (`e`)
            self.ctx.events.add(severity, f"{title}: {text}" if title else text)
        super().notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """ctrl+c: how to quit, in plain text (Textual's own hint is markup, which
        :meth:`notify` shows as typed: ``Press [b]ctrl+q[/b] ...``)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit akool-tui.", title="Do you want to quit?")
                return

    # -- leaving a screen with unsaved changes (settings asks first) -----------------

    def leave_then(self, go: Callable[[], object], *, going: str = "leaving") -> None:
        """``go()`` (switch mode, quit) once the screens of this mode that hold unsaved
        changes agree: the settings screen asks save / discard / stay first."""
        for screen in reversed(self.screen_stack):
            ask = getattr(screen, "ask_before_leaving", None)
            if ask is not None:
                ask(go, going=going)
                return
        go()

    async def action_switch_mode(self, mode: str) -> None:
        if mode != self.current_mode:
            self.leave_then(lambda: self.switch_mode(mode), going=f"going to {mode}")

    async def action_quit(self) -> None:
        self.leave_then(self.exit, going="quitting")

    async def run_action(self, action: Any, default_namespace: Any = None,
                         namespaces: Any = None) -> bool:
        """Every key's action, except once the app is ending: keys typed right after
        `q` (as `qe`) opened screens that were never composed (an error in the log)."""
        if self._exit:
            return False
        return await super().run_action(action, default_namespace, namespaces)

    def action_history(self) -> None:
        """The history is a mode of its own, as the pulse is: pushed over a screen it
        stayed on that mode's stack (1-5 left it there, to reappear later)."""
        if self.current_mode != "history":
            self.leave_then(self._open_history, going="opening the history")

    def _open_history(self) -> None:
        self.ctx.history_return = self.current_mode
        self.switch_mode("history")

    def action_pulse(self) -> None:
        """The pulse is a mode of its own: a screen pushed over the sessions screen would
        leave the table behind it ticking, each tick repainting the pulse in full."""
        if self.current_mode != "pulse":
            self.leave_then(self._open_pulse, going="opening the pulse")

    def _open_pulse(self) -> None:
        self.ctx.pulse_return = self.current_mode
        self.switch_mode("pulse")

    def action_events(self) -> None:
        from .screens.events import EventsScreen

        if not isinstance(self.screen, EventsScreen):
            self.push_screen(EventsScreen(self.ctx.events))

    def action_command_palette(self) -> None:
        """Textual's palette, made safe against keys typed ahead (see ``commands``)."""
        from .commands import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, telling the input gate of each key (see ``input_gate``),
        its input thread asleep while nothing is typed (``input_thread``)."""
        from .input_gate import gated_driver
        from .input_thread import waking_driver

        return gated_driver(waking_driver(super().get_driver_class()))

    def _install_tty_watch(self) -> None:
        """Exit when the terminal goes away (SSH drop, tmux killed) or on SIGTERM, within
        seconds whatever Textual's writer is doing (see ``lifetime``)."""
        from .lifetime import TerminalWatch

        self._terminal_watch = TerminalWatch(
            self._tty_gone, terminal_modes=lambda: getattr(self._driver, "attrs_before", None))
        self._terminal_watch.start()

    def _tty_gone(self, code: int) -> None:
        watch = self._terminal_watch
        logs.log.info("exiting (%d): %s", code, watch.reason if watch else "")
        self.exit(code, return_code=code)


def run_app(config: Config, *, demo: bool = False,
            demo_starter: Callable[[], Config] | None = None) -> int:
    """Run the console; returns the process exit code. With ``demo_starter`` the
    demo simulator starts after the first frame instead of before it.

    Logs go to the log file (``logs``), never to the terminal. When the terminal went
    away (or SIGTERM came) the process ends here, with 129 (143), without the
    interpreter's clean-up: that would flush to a dead terminal, or wait for a writer
    thread stuck on one."""
    from . import lifetime

    app = AkoolApp(config, demo=demo or demo_starter is not None, demo_starter=demo_starter)
    logs.setup(app.known_secrets)
    lifetime.install()
    result = None
    try:
        result = app.run(mouse=config.ui.mouse)
    except Exception as error:  # Textual itself failed (its driver, the event loop)
        logs.log.error("the console failed", exc_info=error)
        if app.crash_line is None:
            app.crash_line = logs.one_line(error, app.known_secrets())
    watch = app._terminal_watch
    if watch is not None:
        if watch.code is not None:
            logs.log.info("exited (%d): %s", watch.code, watch.reason)
            logs.flush()
            os._exit(watch.code)
        watch.stop()
    return finish(app, result)


def finish(app: AkoolApp, result: object = None) -> int:
    """The exit code of a finished app; when a bug ended it, its one line on stderr."""
    if app.crash_line is not None:
        where = logs.current_path()
        detail = f"; details in {where}" if where else ""
        with contextlib.suppress(OSError, ValueError):
            print(f"akool-tui: unexpected error: {app.crash_line}{detail}",
                  file=sys.stderr, flush=True)
        return 1
    return result if isinstance(result, int) else (app.return_code or 0)
