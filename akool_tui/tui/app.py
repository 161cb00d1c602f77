"""The akool-tui Textual app: modes, themes, keymap, palette, client ownership.

Errors never reach the terminal as a traceback (``logs`` has the file they go to):

- a worker that raises (any worker, ``exit_on_error`` or not) ends in
  :meth:`AkoolApp.report_error`: the traceback goes to the log (masked), the error's
  one-line text to a notification, and the app carries on -- the worker is over,
  nothing else is. So does an action (a key, a palette command) that raises.
- any other exception is a bug in the app's own code (a message handler, compose,
  a timer, rendering): Textual stops that widget's message loop after it, so carrying
  on would leave a dead widget. The app ends: the terminal is restored, the process
  prints one line (``akool-tui: unexpected error ...; details in <log>``) and exits 1.
- when the terminal goes away (SIGHUP, a refused write) or SIGTERM comes, the app
  exits within seconds whatever Textual's writer is doing (``lifetime``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import WorkerFailed, WorkerState
from textual.worker_manager import WorkerManager

from .. import logs
from ..api.secrets import mask
from . import textual_fixes
from .commands import ScreenActionsProvider
from .context import AppContext
from .themes import bundled_theme_dir, load_themes, user_theme_dir, with_app_variables
from .work import WorkFailed

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from ..config import Config
    from .lifetime import TerminalWatch


def _up_to_date(screen: Screen) -> Screen:
    """Mark a new mode screen as styled with the current stylesheet (it is: styles are
    applied as its widgets register). Textual 8 otherwise re-parses every stylesheet
    twice whenever a mode's screen is first shown (``App._init_mode``, ``switch_mode``)."""
    screen._css_update_count = screen.app._css_update_count
    return screen


def _sessions():
    from .screens.sessions import SessionsScreen

    return _up_to_date(SessionsScreen())


def _avatars():
    from .screens.avatars import AvatarsScreen

    return _up_to_date(AvatarsScreen())


def _chat():
    from .screens.chat import ChatScreen

    return _up_to_date(ChatScreen())


def _settings():
    from .screens.settings import SettingsScreen

    return _up_to_date(SettingsScreen())


textual_fixes.install()  # partial screen updates write only the changed cells


class _ReportingWorkers(WorkerManager):
    """Textual's worker manager, which also reports the errors of ``exit_on_error=False``
    workers (Textual keeps them in ``worker.error`` and says nothing)."""

    def _remove_worker(self, worker) -> None:
        super()._remove_worker(worker)
        if (worker.state == WorkerState.ERROR and not worker.exit_on_error
                and isinstance(worker.error, Exception)):
            self._app.report_error(worker.error, where=f"worker {worker.name or worker.group}")

#: the footer shows the four screen keys as one compact group ("1234 screens")
SCREENS = Binding.Group("screens", compact=True)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AkoolApp(App):
    """Operator console for AKool Live Avatar sessions."""

    TITLE = "akool-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreenActionsProvider}
    #: "sessions" is added in on_mount: at start-up the sessions screen is Textual's
    #: default screen (get_default_screen), whose first frame is written as soon as the
    #: app has mounted; a MODES screen is mounted inside Textual's start-up batch and
    #: waits for the next screen-update tick (1/60 s) instead
    MODES = {"avatars": _avatars, "chat": _chat, "settings": _settings}
    SCREEN_NAMES = ("sessions", "avatars", "chat", "settings")
    BINDINGS = [
        Binding("1", "switch_mode('sessions')", "Sessions", id="app.sessions",
                tooltip="Live sessions", group=SCREENS),
        Binding("2", "switch_mode('avatars')", "Avatars", id="app.avatars",
                tooltip="Streaming avatars and uploads", group=SCREENS),
        Binding("3", "switch_mode('chat')", "Chat", id="app.chat",
                tooltip="Talk to a live avatar", group=SCREENS),
        Binding("4", "switch_mode('settings')", "Settings", id="app.settings",
                tooltip="Voice, language, mode, background", group=SCREENS),
        Binding("question_mark", "help", "Keys", id="app.help", tooltip="List every key"),
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

    # -- errors: a message, never a traceback on the terminal ---------------------------

    def known_secrets(self) -> list[str | None]:
        """The secrets masked in the log and in error messages besides those the API
        layer remembers itself (``api.secrets.remember_secret``: the key, the client
        secret and every bearer token it received): the configured credentials."""
        cfg = self.config
        return [cfg.api_key, cfg.client_secret]

    def report_error(self, error: BaseException, *, where: str = "") -> None:
        """An unexpected error the app survives: the traceback to the log, the error's
        one-line text (masked, never markup) to a notification."""
        logs.log.error("unexpected error in %s", where or "the app",
                       exc_info=(type(error), error, error.__traceback__))
        if not self.is_running or self._closing or self._exit:
            return  # ending anyway: the log has it
        self.unexpected_errors.append(error)
        self.notify(logs.one_line(error, self.known_secrets()), title="Unexpected error "
                    "(details in the log)", severity="error", timeout=10, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last stop for every exception (see the module's docstring)."""
        if isinstance(error, WorkerFailed):
            self.report_error(error.error, where="a worker")
            return
        exc_info = (type(error), error, error.__traceback__)
        if self._exit or self._closing:  # a screen still mounting as the app ends
            logs.log.error("error while the app was ending", exc_info=exc_info)
            if self._exception is None:  # run_test() raises it: tests see the bug
                self._exception = error
                self._exception_event.set()
            return
        logs.log.error("a bug ended the app", exc_info=exc_info)
        if self.crash_line is None:
            self.crash_line = logs.one_line(error, self.known_secrets())
        self._return_code = 1
        if self._exception is None:  # run_test() raises it: tests see the bug
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()  # as Textual does, without printing a traceback

    def panic(self, *renderables) -> None:
        """Textual's own fatal errors (its input thread failed): logged, one line, exit."""
        import io

        from rich.console import Console

        text = io.StringIO()
        console = Console(file=text, width=100, color_system=None, legacy_windows=False)
        for renderable in renderables:
            console.print(renderable)
        logs.log.error("Textual panicked:\n%s", text.getvalue())
        if self.crash_line is None:
            self.crash_line = "the terminal's input failed"
        self._return_code = 1
        self._close_messages_no_wait()

    async def _dispatch_action(self, namespace, action_name: str, params) -> bool:
        """An action (a key, a palette command) that raises is reported, not a crash."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.report_error(error, where=f"action {action_name}")
            return True

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
        return _sessions() if self.current_mode == "sessions" else super().get_default_screen()

    def on_mount(self) -> None:
        self.add_mode("sessions", _sessions)  # already shown, unless on the first-run path
        for problem in self._theme_problems:
            self.notify(problem, severity="warning", timeout=8, markup=False)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self._watch_tty:
            self._install_tty_watch()
        if self.current_mode == "_default":  # no credentials yet
            from .screens.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(), self._first_run_done)

    def _first_run_done(self, saved: bool | None) -> None:
        if saved:
            self.reset_client()
            self.switch_mode("sessions")
        else:
            self.exit(1, message="No credentials: set AKOOL_API_KEY or run `akool-tui --demo`.")

    async def on_unmount(self) -> None:
        client = self.ctx.forget_client()
        if client is not None:
            await client.aclose()

    # -- themes -----------------------------------------------------------------

    def _load_themes(self) -> list[str]:
        """Register the theme files and choose the configured theme; returns the
        problems to report once the app runs (a broken file is skipped)."""
        themes, problems = load_themes([bundled_theme_dir(), user_theme_dir()])
        for theme in themes:
            self.register_theme(theme)
        notes = [f"Theme skipped: {problem}" for problem in problems]
        wanted = self.config.ui.theme
        if wanted not in self.available_themes:
            if wanted:
                notes.append(f"Unknown theme {wanted!r}; using akool-dark")
            wanted = "akool-dark"
        self._start_with_theme(wanted)
        return notes

    def _start_with_theme(self, name: str) -> None:
        """Choose the theme before the app runs, doing what ``App._watch_theme`` does
        except its CSS refresh: the stylesheet is first parsed with this theme anyway,
        and that refresh would re-parse every stylesheet before the first frame."""
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.set_class(True, f"-theme-{name}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())  # made in App.__init__

    def get_css_variables(self) -> dict[str, str]:
        return with_app_variables(super().get_css_variables())

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted and theme != self.config.ui.theme:
            self.config.ui.theme = theme
            if not self.demo:
                self._save_config_quietly()

    def _save_config_quietly(self) -> None:
        from ..config import save_config

        try:
            save_config(self.config)
        except Exception as error:  # a read-only home must not crash the app
            self.notify(f"Could not save config: {error}", severity="error", markup=False)

    # -- palette, help, terminal ------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode in self.SCREEN_NAMES:
            yield SystemCommand(f"Go to {mode}", f"Switch to the {mode} screen",
                                lambda m=mode: self.switch_mode(m))
        if self.demo:
            yield from self._demo_fault_commands()

    # -- demo: faults switched from the palette -------------------------------------

    def _demo_fault_commands(self) -> Iterable[SystemCommand]:
        """In the demo, the palette switches the simulator's faults on and off: show an
        audience the backoff, the retry countdown and the recovery, live."""
        from ..core.demo import DEMO_FAULTS

        active = self.ctx.demo_faults
        for name, (label, settings) in DEMO_FAULTS.items():
            on = any(active.get(key) for key in settings)
            verb = "Stop" if on else "Simulate"
            yield SystemCommand(f"Demo: {verb.lower()} {label}",
                                f"{verb} {label} in the demo simulator",
                                lambda n=name, on=on: self.set_demo_fault(n, not on))

    def set_demo_fault(self, name: str, on: bool) -> None:
        """Switch one of the demo's faults (``demo.DEMO_FAULTS``) on or off."""
        from ..core.demo import DEMO_FAULTS, NO_FAULTS

        settings = DEMO_FAULTS[name][1]
        changes = dict(settings) if on else {key: NO_FAULTS[key] for key in settings}
        self.run_worker(self._apply_demo_faults(changes), group="demo-faults",
                        exit_on_error=False)

    async def _apply_demo_faults(self, changes: dict[str, float]) -> None:
        from ..api.errors import AkoolError
        from ..core.demo import DEMO_FAULTS, set_faults

        await self.ctx.client()  # the demo simulator is up
        try:
            self.ctx.demo_faults = await set_faults(self.config, changes)
        except AkoolError as error:
            self.notify(f"Could not change the demo's faults: {error}", severity="error",
                        markup=False)
            return
        active = [label for label, settings in DEMO_FAULTS.values()
                  if any(self.ctx.demo_faults.get(key) for key in settings)]
        self.notify("Demo simulator: " + ("; ".join(active) if active else "no faults"),
                    title="Faults", severity="warning" if active else "information",
                    timeout=4, markup=False)

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
