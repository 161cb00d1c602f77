"""Trust, part "lifetime": the console ends when its terminal goes away, no traceback
reaches the terminal, the palette and Settings survive fast keys and odd data, and the
status line shows the credentials actually used (issue 9, sections 2, 3 and 6)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tui_helpers import (  # noqa: F401 - fixtures
    isolated_home,
    make_app,
    running,
    screen_text,
    shared_sim,
    wait_for,
    wait_loaded,
)

# -- the status line shows the auth the requests use ---------------------------------------


async def test_status_line_shows_the_bearer_token_when_both_kinds_are_set(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path, client_id=shared_sim.cfg.client_id,
                   client_secret=shared_sim.cfg.client_secret)
    assert app.config.api_key  # both kinds set: the client prefers client credentials
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        assert (await app.ctx.client()).auth_mode == "client credentials"
        status = screen_text(app).splitlines()[-2:]
        shown = "\n".join(status)
        assert "token · client " + shared_sim.cfg.client_id in shown, shown
        assert "api key" not in shown


async def test_status_line_shows_the_api_key_when_it_is_the_only_kind(shared_sim, tmp_path):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        shown = screen_text(app)
        assert "api key ••••" in shown  # masked
        assert "token" not in shown


# -- Settings: a voice in both lists --------------------------------------------------------


def hostile_app(server, **fields):
    from akool_tui.config import Config
    from akool_tui.tui.app import AkoolApp

    cfg = Config(base_url=server.base_url, path=None, refresh_interval=60.0,
                 **{"api_key": "hostile-api-key-0123456789", **fields})
    return AkoolApp(cfg, watch_tty=False)


async def test_a_voice_in_both_lists_is_listed_once_and_can_be_picked(hostile):
    from hostile_server import POISON
    from textual.widgets import OptionList

    from akool_tui.tui.screens.settings import SettingsScreen

    hostile.hostile.body = "dup_voice"  # the same voice id, 4 times in each list
    app = hostile_app(hostile)
    async with running(app) as (pilot, _):
        await app.switch_mode("settings")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await wait_for(pilot, lambda: screen._voices, "voices loaded")
        voice_list = screen.query_one("#voice-list", OptionList)
        assert voice_list.option_count == 2  # the avatar's own voice, and the one voice
        ids = [voice_list.get_option_at_index(i).id for i in range(2)]
        assert all(re.fullmatch(r"[-a-z0-9]+", i or "") for i in ids), ids  # ours, not the server's
        voice_list.focus()
        await pilot.press("down", "enter")
        assert screen._voice == "dup-voice" + POISON  # sent exactly as the server named it
        assert app.is_running


# -- no traceback on the terminal: errors are messages, tracebacks go to the log --------------

API_KEY = "hostile-api-key-0123456789"


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The log set up as ``run_app`` does, in a temporary XDG state folder."""
    from akool_tui import logs

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    secrets: list = []
    path = logs.setup(lambda: [s for source in secrets for s in source()])
    assert path == tmp_path / "state" / "akool-tui" / "akool-tui.log"
    yield path, secrets
    logs.teardown()


async def test_a_failing_worker_is_a_message_and_a_masked_traceback_in_the_log(hostile,
                                                                             log_file):
    """Any worker that raises (exit_on_error or not, async or thread): the app carries on,
    the error's one line (masked, not markup) is a notification, the traceback is in the
    log with every secret masked."""
    from hostile_server import SECRET_TOKEN

    path, secrets = log_file
    app = hostile_app(hostile, api_key=API_KEY, client_id="client-id",
                      client_secret="client-secret-4242")  # requests use a bearer token
    secrets.append(getattr(app, "known_secrets", list))
    leak = (f"lookup failed: {API_KEY} {SECRET_TOKEN} client-secret-4242 "
            '{"accessToken": "camel-case-token-7777"} [/x][bold]')

    async def fails() -> None:
        raise LookupError(leak)

    def fails_in_a_thread() -> None:
        raise LookupError(leak)

    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        assert (await app.ctx.client())._auth.has_token  # the bearer token is held (and known)
        app.screen.run_worker(fails())  # exit_on_error=True: this ended the app before
        app.screen.run_worker(fails(), exit_on_error=False)  # said nothing before
        app.run_worker(fails_in_a_thread, thread=True)
        await wait_for(pilot, lambda: len(messages.notes("error")) >= 3, "3 messages")
        assert app.is_running
        expected = ("LookupError: lookup failed: ••••6789 ••••cdef ••••4242 "
                    '{"accessToken": "••••7777"} [/x][bold]')  # shown as text, not markup
        assert messages.notes("error")[-3:] == [expected] * 3
        await pilot.press("2")  # still working
        await wait_loaded(pilot)
    text = path.read_text()
    assert text.count("Traceback (most recent call last)") >= 3
    assert "LookupError: lookup failed: ••••6789 ••••cdef ••••4242" in text
    for secret in (API_KEY, SECRET_TOKEN, "client-secret-4242", "camel-case-token-7777"):
        assert secret not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


async def test_a_worker_crashing_on_a_hostile_body_leaves_the_app_running(hostile):
    """JSON nested 200 000 deep raised RecursionError in the new-session dialog's worker
    and ended the app with a traceback."""
    hostile.hostile.body, hostile.hostile.only = "nested", "avatar/list"
    app = hostile_app(hostile)
    async with running(app) as (pilot, messages):
        await wait_loaded(pilot)
        await pilot.press("n")  # the dialog loads the avatars: a nested body
        await wait_for(pilot, lambda: "/api/open/v4/liveAvatar/avatar/list"
                       in hostile.hostile.requests, "the avatar list asked")
        await wait_for(pilot, lambda: not any(w.group == "avatars" and w.is_running
                                              for w in app.workers), "the worker done")
        await pilot.pause()
        assert app.is_running and app._exception is None
        await pilot.press("escape")
        await wait_loaded(pilot)


async def test_a_bug_in_a_handler_ends_the_app_with_one_line(shared_sim, tmp_path, log_file,
                                                            capsys):
    """What is not a worker or an action is a bug in the app's own code: Textual stops
    the widget's message loop after it, so the app ends -- with one line, not a
    traceback, and the traceback in the log."""
    from akool_tui.tui.app import finish

    path, _ = log_file
    app = make_app(shared_sim, tmp_path)

    def bug() -> None:
        raise KeyError("no such row [b]")

    with pytest.raises(KeyError):  # run_test() raises it, for tests to see
        async with running(app) as (pilot, _):
            await wait_loaded(pilot)
            app.screen.call_later(bug)
            await wait_for(pilot, lambda: app._exit or not app.is_running or app.crash_line,
                           "the app ending")
    assert app.crash_line == "KeyError: 'no such row [b]'"
    assert finish(app) == 1
    out, err = capsys.readouterr()
    assert err == f"akool-tui: unexpected error: KeyError: 'no such row [b]'; details in {path}\n"
    assert "Traceback" not in out + err
    assert "Traceback (most recent call last)" in path.read_text()


def test_the_log_file_is_private_bounded_and_never_a_symlink(tmp_path, monkeypatch):
    import logging

    from akool_tui import logs

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = logs.log_path()
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere.txt"
    path.symlink_to(target)  # planted: the log must not write through it
    try:
        logs.setup(lambda: ["sk-live-secret-value-9999"])
        logging.getLogger("akool_tui").error("boom sk-live-secret-value-9999")
        assert not target.exists()  # refused, and nothing printed either
        path.unlink()
        path.write_text("")
        path.chmod(0o644)
        logs.setup(lambda: ["sk-live-secret-value-9999"])
        logging.getLogger("akool_tui").error("a 1 MB word: %s", "y" * 1_000_000)  # linear
        for i in range(3000):
            logging.getLogger("akool_tui").error("line %d %s %s", i, "x" * 2000,
                                                 "sk-live-secret-value-9999")
        logs.flush()
        files = sorted(path.parent.iterdir())
        assert [f.name for f in files] == ["akool-tui.log", "akool-tui.log.1",
                                           "akool-tui.log.2", "akool-tui.log.3"]
        assert sum(f.stat().st_size for f in files) <= 4 * logs.MAX_BYTES + 8192
        assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
        assert not any("sk-live-secret-value-9999" in f.read_text() for f in files)
        assert "line 2999" in path.read_text() and "••••9999" in path.read_text()
    finally:
        logs.teardown()


# -- the command palette survives keys typed ahead -----------------------------------------


async def burst(app, *keys: str) -> None:
    """Keys as fast as a typist's buffer delivers them: all queued before the app
    handles the first (``pilot.press`` waits for the app after each one)."""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else {"space": " "}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, app) -> None:
    """Wait until the burst has been handled (the app idle with no input left)."""
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


def crashed(app) -> list[object]:
    """What ended the app or was reported as an unexpected error (none, on a good day)."""
    return [*filter(None, [app._exception, getattr(app, "crash_line", None)]),
            *getattr(app, "unexpected_errors", [])]


PALETTE_BURSTS = [
    ("ctrl+p", *"go to avatars", "enter", "enter"),  # ScreenStackError
    ("ctrl+p", "pagedown"),  # KeyError in OptionList._move_page
    ("ctrl+p", "pageup", "pagedown", "pagedown", "enter"),
    ("ctrl+p", "escape", "ctrl+p", "enter"),
    ("ctrl+p", *"sett", "enter", "enter", "enter"),
    ("ctrl+p", *"new", "enter", "enter", "escape", "escape"),  # a dialog it opened
    ("ctrl+p", "enter", "ctrl+p", "up", "enter", "ctrl+p", "backspace", "enter", "enter"),
    ("ctrl+p", "down", "enter", "escape", "enter", "1", "ctrl+p", "pagedown", "enter"),
]


@pytest.mark.parametrize("keys", PALETTE_BURSTS, ids=lambda k: " ".join(k))
async def test_palette_survives_keys_typed_ahead(shared_sim, tmp_path, keys):
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        await burst(app, *keys)
        await settle(pilot, app)
        assert app.is_running and not crashed(app)
        assert app.screen_stack  # never popped empty
        while len(app.screen_stack) > 1:  # whatever the keys opened (a dialog, a picker)
            app.pop_screen()
            await pilot.pause()
        await pilot.press("ctrl+p")  # still usable
        await pilot.press(*"go to settings", "enter")
        await wait_for(pilot, lambda: app.current_mode == "settings", "settings")


async def test_palette_random_bursts_never_crash(shared_sim, tmp_path):
    """Seeded random bursts over the palette's and the app's keys (on Textual's own
    palette 16 of 60 such bursts crashed)."""
    import random

    rng = random.Random(9)
    pool = ["ctrl+p"] * 4 + ["enter"] * 4 + ["escape", "pagedown", "pageup", "down", "up",
                                             "g", "o", "s", "1", "2", "backspace"]
    app = make_app(shared_sim, tmp_path)
    async with running(app) as (pilot, _):
        await wait_loaded(pilot)
        for _ in range(25):
            await burst(app, *[rng.choice(pool) for _ in range(rng.randint(3, 9))])
            await settle(pilot, app)
            assert app.is_running and not crashed(app)
            while len(app.screen_stack) > 1:  # back to a main screen for the next burst
                app.pop_screen()
                await pilot.pause()


# -- the process exits when its terminal goes away (a real pty) ----------------------------

#: a tiny shell: it takes the pty as its session's controlling terminal, runs argv as a
#: foreground job in a process group of its own and, like bash, passes SIGHUP on to it
#: (the kernel signals only a session's leader when its terminal hangs up); it exits
#: with the job's status
SHELL = r"""
import os, signal, sys
os.close(os.open(os.ttyname(0), os.O_RDWR))
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.tcsetpgrp(0, os.getpgrp())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execv(sys.argv[1], sys.argv[1:])
signal.signal(signal.SIGHUP, lambda *_: os.kill(pid, signal.SIGHUP))
signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""
#: the app as the session's leader, the pty its controlling terminal (SIGHUP and
#: SIGCONT from the kernel on hang-up)
LEADER = ("import os, sys; os.close(os.open(os.ttyname(0), os.O_RDWR)); "
          "os.execv(sys.argv[1], sys.argv[1:])")
EXIT_WITHIN = 5.0


class Terminal:
    """A pty with ``akool-tui`` in it; a thread reads what it paints until told to stop
    (then the pty's buffer fills up and the app's writes block, as in a stalled SSH
    session or a tmux nobody reads)."""

    def __init__(self, args: list[str], env: dict[str, str], *, cols: int = 120,
                 rows: int = 34, how: str = "shell") -> None:
        master, slave = os.openpty()
        self.master = master
        self.resize(cols, rows)
        argv = [sys.executable, "-m", "akool_tui", *args]
        if how in ("shell", "leader"):  # else: not its controlling terminal, no SIGHUP
            argv = [sys.executable, "-c", SHELL if how == "shell" else LEADER, *argv]
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, env=env, close_fds=True)
        os.close(slave)
        self.pid = self.proc.pid  # the app's (for "shell": set once the job started)
        if how == "shell":
            self.pid = self._job()
        self.output = bytearray()
        self._reading = threading.Event()
        self._reading.set()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _job(self) -> int:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        deadline = time.monotonic() + 10
        while not children.read_text().split():
            assert time.monotonic() < deadline, "the shell did not start its job"
            time.sleep(0.01)
        return int(children.read_text().split()[0])

    def _read(self) -> None:
        while not self._closed:
            if not self._reading.wait(0.05):
                continue
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready and not self._closed:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                self.output += data

    def text(self) -> bytes:
        return bytes(self.output)

    def wait_output(self, needle: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            assert self.proc.poll() is None, f"exited {self.proc.returncode}: {self.tail()}"
            assert time.monotonic() < deadline, f"no {needle!r} in {self.tail()}"
            time.sleep(0.02)

    def tail(self) -> str:
        return repr(bytes(self.output[-600:]))

    def stop_reading(self) -> None:
        self._reading.clear()

    def keys(self, data: bytes) -> None:
        os.write(self.master, data)

    def resize(self, cols: int, rows: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def unread(self) -> int:
        """Bytes painted that nobody has read yet (the pty's buffer)."""
        return struct.unpack("i", fcntl.ioctl(self.master, termios.FIONREAD, b"\0" * 4))[0]

    def hang_up(self) -> float:
        """Close the pty's master side (tmux killed, SSH gone); returns the time."""
        self._closed = True
        self._reader.join()
        at = time.monotonic()
        os.close(self.master)
        return at

    def exit_time(self, since: float) -> tuple[int | None, float]:
        """(exit code, seconds since ``since``), waiting at most EXIT_WITHIN + 5 s."""
        try:
            code = self.proc.wait(EXIT_WITHIN + 5)
        except subprocess.TimeoutExpired:
            code = None
        return code, time.monotonic() - since

    def close(self) -> None:
        for pid in {self.pid, self.proc.pid}:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(5)
        if not self._closed:
            self.hang_up()


@pytest.fixture
def console_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AKOOL_", "PYTEST_", "TEXTUAL"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"),
               TERM="xterm-256color", COLORTERM="truecolor")
    return env


@pytest.fixture
def terminals():
    started: list[Terminal] = []

    def start(*args, **kwargs) -> Terminal:
        started.append(Terminal(*args, **kwargs))
        return started[-1]

    yield start
    for term in started:
        term.close()


def painted(term: Terminal) -> None:
    """The first frame with the demo's sessions is on the terminal."""
    term.wait_output(b"refreshed")


def main_thread_waits_on_a_lock(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/wchan").read_text().startswith("futex")
    except OSError:
        return False


def paint_until_stalled(term: Terminal) -> None:
    """Stop reading and make the app paint big frames (switch screens, resize) until the
    pty's buffer is full, then keep going until Textual's queue is full behind its
    blocked writer thread and the app waits on it."""
    term.stop_reading()
    deadline = time.monotonic() + 30
    keys = b"1234"
    i = 0
    while term.unread() < 4000:  # Linux keeps 4 KiB for the reader; the rest waits
        assert time.monotonic() < deadline, f"the buffer did not fill ({term.unread()})"
        before = term.unread()
        term.keys(keys[i % 4:i % 4 + 1])  # another screen: a full frame
        if i % 4 == 3:
            term.resize(300 - i % 7, 100 - i % 5)
        i += 1
        step = time.monotonic() + 0.5
        while term.unread() == before and time.monotonic() < step:  # painted, or busy
            time.sleep(0.005)
    # frames queue up behind the blocked write until Textual's queue is full and the
    # app's main thread waits on it (seen in /proc: asleep on a futex, not in epoll)
    blocked_since = None
    j = 0
    while blocked_since is None or time.monotonic() - blocked_since < 0.3:
        assert time.monotonic() < deadline, "the app never blocked on its writer"
        if main_thread_waits_on_a_lock(term.pid):
            blocked_since = blocked_since or time.monotonic()
        else:
            blocked_since = None
            term.keys(keys[j % 4:j % 4 + 1])
            j += 1
        time.sleep(0.02)
    assert term.proc.poll() is None


def report(case: str, code: int | None, seconds: float) -> None:
    print(f"\n[lifetime] {case}: exit {code} after {seconds:.2f}s", file=sys.stderr)


def test_exits_when_the_terminal_closes_while_idle(terminals, console_env):
    term = terminals(["--demo"], console_env)
    painted(term)
    code, seconds = term.exit_time(term.hang_up())
    report("idle, pty closed", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129  # 128 + SIGHUP, as a shell reports a hung-up job


def test_exits_when_the_terminal_closes_while_painting_heavily(terminals, console_env):
    """The 45-minute hang: writer blocked on a full pty, Textual's queue full, the
    shutdown waiting on ``Queue.put`` for ever."""
    term = terminals(["--demo"], console_env, cols=300, rows=100)
    painted(term)
    paint_until_stalled(term)
    code, seconds = term.exit_time(term.hang_up())
    report("painting heavily, pty full, then closed", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129


def test_exits_when_the_terminal_closes_while_the_app_is_busy_for_seconds(terminals,
                                                                          console_env):
    """A flood of resizes at 300x100 keeps the app busy rendering for seconds: its
    orderly exit waits behind them, the watchdog does not. (The app is the session's
    leader here: SIGHUP and SIGCONT straight from the kernel.)"""
    term = terminals(["--demo"], console_env, cols=300, rows=100, how="leader")
    painted(term)
    term.stop_reading()
    for i in range(300):
        term.keys(b"1234"[i % 4:i % 4 + 1])
        term.resize(300 - i % 7, 100 - i % 5)
        time.sleep(0.01)
    code, seconds = term.exit_time(term.hang_up())
    report("busy with a backlog of resizes, pty closed", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129


def test_exits_when_the_terminal_closes_while_the_chat_streams(terminals, console_env):
    term = terminals(["--demo"], console_env)
    painted(term)
    term.keys(b"3")  # the chat screen
    term.wait_output(b"create one")
    term.keys(b"\x0e")  # ctrl+n: a new session, connected
    term.wait_output(b"Connected.")
    term.keys(b"tell me a long story about the sea\r")
    term.wait_output(b"speaking")  # the avatar's answer streams in
    code, seconds = term.exit_time(term.hang_up())
    report("chat streaming, pty closed", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129


def test_exits_on_sighup_while_the_terminal_is_stalled(terminals, console_env):
    """SIGHUP alone (the pty still open, nobody reading it: a dead SSH connection)."""
    term = terminals(["--demo"], console_env, cols=300, rows=100)
    painted(term)
    paint_until_stalled(term)
    at = time.monotonic()
    os.kill(term.pid, signal.SIGHUP)
    code, seconds = term.exit_time(at)
    report("SIGHUP, pty stalled", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129


def test_exits_when_a_terminal_it_does_not_control_closes(terminals, console_env):
    """No SIGHUP at all (not its controlling terminal): the refused write ends it."""
    term = terminals(["--demo"], console_env, how="detached")
    painted(term)
    code, seconds = term.exit_time(term.hang_up())
    report("not the controlling terminal (no SIGHUP), pty closed", code, seconds)
    assert code is not None and seconds < EXIT_WITHIN, f"still running after {seconds:.1f}s"
    assert code == 129


def test_sigterm_exits_and_gives_the_terminal_back(terminals, console_env):
    term = terminals(["--demo"], console_env)
    painted(term)
    at = time.monotonic()
    os.kill(term.pid, signal.SIGTERM)
    code, seconds = term.exit_time(at)
    report("SIGTERM, terminal read", code, seconds)
    assert code == 143 and seconds < EXIT_WITHIN
    deadline = time.monotonic() + 5
    while b"\x1b[?1049l" not in term.text():  # the main screen back (what the reader got)
        assert time.monotonic() < deadline, term.tail()
        time.sleep(0.02)
    tail = term.text()[term.text().rindex(b"\x1b[?1049l"):]
    assert b"\x1b[?25h" in tail  # the cursor shown again
    assert b"Traceback" not in term.text()


def test_no_traceback_reaches_the_terminal_when_a_worker_fails(terminals, console_env, hostile):
    """The real console in a pty, a hostile server answering the new-session dialog's
    avatar list with JSON nested 200 000 deep: before, the worker's RecursionError
    ended the app and printed a traceback on the terminal."""
    hostile.hostile.body, hostile.hostile.only = "nested", "avatar/list"
    env = dict(console_env, AKOOL_API_KEY=API_KEY)
    term = terminals(["--base-url", hostile.base_url], env)
    term.wait_output(b"refreshed")
    term.keys(b"n")  # the new-session dialog loads the avatars
    deadline = time.monotonic() + 20
    while "/api/open/v4/liveAvatar/avatar/list" not in hostile.hostile.requests:
        assert time.monotonic() < deadline and term.proc.poll() is None, term.tail()
        time.sleep(0.02)
    start = len(term.output)
    # the error, shown: the API layer now answers it with a clean error the dialog shows
    # ("Could not list avatars (... nested deeper than 64 levels)"); before, a worker crash
    while not any(s in term.text()[start:] for s in (b"rror", b"nested deeper", b"not list")):
        assert term.proc.poll() is None, f"the app ended: {term.tail()}"
        assert time.monotonic() < deadline, term.tail()
        time.sleep(0.02)
    assert term.proc.poll() is None
    term.keys(b"\x11")  # ctrl+q: quit, from the dialog too
    assert term.proc.wait(10) == 0
    assert b"Traceback" not in term.text()
    log = Path(console_env["XDG_STATE_HOME"]) / "akool-tui" / "akool-tui.log"
    assert not log.exists() or API_KEY not in log.read_text()
