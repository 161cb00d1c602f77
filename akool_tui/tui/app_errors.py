"""How the console reports errors: a message, never a traceback on the terminal.

- a worker that raises (any worker, ``exit_on_error`` or not) ends in
  :meth:`ErrorReporting.report_error`: the traceback goes to the log (masked), the
  error's one-line text to a notification, and the app carries on -- the worker is
  over, nothing else is. So does an action (a key, a palette command) that raises.
- any other exception is a bug in the app's own code (a message handler, compose, a
  timer, rendering): Textual stops that widget's message loop after it, so carrying on
  would leave a dead widget. The app ends: the terminal is restored, the process prints
  one line (``akool-tui: unexpected error ...; details in <log>``) and exits 1.

:class:`ErrorReporting` is a part of :class:`~akool_tui.tui.app.AkoolApp` (a mixin over
Textual's ``App``: it overrides Textual's last stops for exceptions).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.worker import WorkerFailed, WorkerState
from textual.worker_manager import WorkerManager

from .. import logs

if TYPE_CHECKING:
    from ..config import Config


class _ReportingWorkers(WorkerManager):
    """Textual's worker manager, which also reports the errors of ``exit_on_error=False``
    workers (Textual keeps them in ``worker.error`` and says nothing)."""

    def _remove_worker(self, worker) -> None:
        super()._remove_worker(worker)
        if (worker.state == WorkerState.ERROR and not worker.exit_on_error
                and isinstance(worker.error, Exception)):
            self._app.report_error(worker.error, where=f"worker {worker.name or worker.group}")


class ErrorReporting:
    """The app's error reporting (see the module's docstring)."""

    config: Config
    unexpected_errors: list[BaseException]
    crash_line: str | None

    def known_secrets(self) -> list[str | None]:
        """The secrets masked in the log and in error messages besides those the API
        layer remembers itself (``api.secrets.remember_secret``: the key, the client
        secret and every bearer token it received): the configured credentials and
        ElevenLabs key."""
        cfg = self.config
        return [cfg.api_key, cfg.client_secret, cfg.defaults.elevenlabs_api_key]

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
