"""The log file: where tracebacks go, masked, instead of the terminal.

``$XDG_STATE_HOME/akool-tui/akool-tui.log`` (``~/.local/state/akool-tui/akool-tui.log``
by default). The folder is created 0700 and the file 0600, never through a symlink;
it is rotated at 1 MiB and three old files are kept (``akool-tui.log.1`` ...), so it
never grows past 4 MiB. The console logs its unexpected errors here (with the
traceback) and, once :func:`setup` ran, so does every library (asyncio, httpx):
nothing is printed on the terminal the app paints.

Every record passes :class:`SecretFilter` first: the secrets the app knows (API key,
client secret, the current bearer token) are masked wherever they appear, and so is
any value written next to a secret-looking key (``api_key=...``, ``"accessToken":
"..."``, ``Authorization: Bearer ...``, ``?token=...``).

No Textual here: the CLI may use it too.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .api.secrets import mask_text

APP_DIR = "akool-tui"
LOG_FILE = "akool-tui.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
#: how long an error's one-line text may be (a notification, the exit line)
LINE_LIMIT = 200

log = logging.getLogger("akool_tui")

SecretSource = Callable[[], Iterable[str | None]]


def log_path(env: dict[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/akool-tui/akool-tui.log``, else ``~/.local/state/...``."""
    env = os.environ if env is None else env  # type: ignore[assignment]
    xdg = env.get("XDG_STATE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "state"
    return base / APP_DIR / LOG_FILE


# -- masking ----------------------------------------------------------------------------------


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every known secret and every secret-shaped part masked (the one
    masking rule: :func:`akool_tui.api.secrets.mask_text`)."""
    return mask_text(text, [s for s in secrets if s])


def one_line(error: BaseException, secrets: Iterable[str | None] = ()) -> str:
    """``"KeyError: 'x'"``: the error's type and the first line of its text, masked and
    cut to :data:`LINE_LIMIT` characters (for a notification or the exit line)."""
    try:
        text = str(error)
    except Exception:  # a hostile __str__
        text = ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    line = scrub(f"{type(error).__name__}: {first}" if first else type(error).__name__,
                 secrets)
    return line if len(line) <= LINE_LIMIT else line[:LINE_LIMIT - 1] + "…"


class SecretFilter(logging.Filter):
    """Masks secrets in a record's message, traceback and stack before it is written.

    ``secrets`` is asked on every record (the credentials may change while the app
    runs: first run, a renewed token).
    """

    def __init__(self, secrets: SecretSource = lambda: ()) -> None:
        super().__init__()
        self._secrets = secrets
        self._formatter = logging.Formatter()

    def known(self) -> list[str | None]:
        try:
            return list(self._secrets())
        except Exception:  # never lose a record to the secret source
            return []

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.known()
        try:
            message = record.getMessage()
        except Exception:  # bad format arguments: keep what there is
            message = str(record.msg)
        record.msg, record.args = scrub(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        record.exc_info = None  # formatted (and masked) above: never again unmasked
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600, never opened through a symlink, regular files
    only."""

    def _open(self):  # type: ignore[override]
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW
        fd = os.open(self.baseFilename, flags, 0o600)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(f"{self.baseFilename} is not a regular file")
            if stat.S_IMODE(info.st_mode) & 0o077:
                os.fchmod(fd, 0o600)
            return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")
        except BaseException:
            os.close(fd)
            raise


_installed: logging.Handler | None = None
_lock = threading.Lock()


def setup(secrets: SecretSource = lambda: (), path: Path | None = None) -> Path | None:
    """Send every log record (WARNING and up; this app's INFO too) to the log file, masked,
    and nothing to the terminal: Python's last-resort handler, warnings and uncaught
    thread exceptions included. Returns the file's path, or None when it cannot be
    written (then records are dropped: never printed on the app's screen)."""
    global _installed
    path = path or log_path()
    root = logging.getLogger()
    with _lock:
        if _installed is not None:
            root.removeHandler(_installed)
            _installed.close()
            _installed = None
        handler: logging.Handler
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                 encoding="utf-8", delay=True)
            written: Path | None = path
        except OSError:
            handler, written = logging.NullHandler(), None
        handler.addFilter(SecretFilter(secrets))
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        _installed = handler
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    logging.captureWarnings(True)
    logging.raiseExceptions = False  # a failing log write is never printed either
    threading.excepthook = _thread_excepthook
    return written


def teardown() -> None:
    """Undo :func:`setup` (tests): the file handler removed, Python's defaults back."""
    global _installed
    with _lock:
        if _installed is not None:
            logging.getLogger().removeHandler(_installed)
            _installed.close()
            _installed = None
    logging.captureWarnings(False)
    logging.raiseExceptions = True
    threading.excepthook = threading.__excepthook__


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread else "?"
    log.error("uncaught exception in thread %s", name,
              exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def flush() -> None:
    """Flush and close the log file (before the process ends without ``atexit``)."""
    with _lock:
        if _installed is not None:
            try:
                _installed.flush()
                _installed.close()
            except Exception:
                pass


def current_path() -> Path | None:
    """The file :func:`setup` writes to, if any."""
    handler = _installed
    return Path(handler.baseFilename) if isinstance(handler, logging.FileHandler) else None


__all__ = ["log", "log_path", "scrub", "one_line", "SecretFilter", "setup", "teardown",
           "flush", "current_path"]
