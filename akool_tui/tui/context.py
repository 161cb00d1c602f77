"""What every screen and worker of the console shares, in one object (``app.ctx``).

- the config (credentials, defaults, preferences);
- the one API client, handed out ready to use by :meth:`AppContext.client`: it waits
  for the first frame to be on the terminal, starts the deferred demo simulator in a
  thread (``--demo``), imports httpx in a thread, then builds the client once (and
  imports what the first keys need in another thread, not awaited);
- the demo's state (the faults switched from the palette);
- the run's events (refresh failures and recoveries, errors shown; ``e`` lists them);
- the chat hand-off: the session the chat screen should open (the sessions screen's
  ``t``) and the chat's conversation (the settings screen applies set-params through it);
- the recorded history (:mod:`akool_tui.core.history`), opened at its first use;
- the pulse (:mod:`akool_tui.core.pulse`): the client's request events and the
  screens' refreshes are sampled into it (the pulse screen shows it).

No widget is touched here.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.events import EventLog

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..config import Config
    from ..core.chat.conversation import Conversation
    from ..core.history import HistoryStore
    from ..core.pulse import Pulse


#: what the first rows need once the first frame is painted, imported in a thread while
#: the client is awaited (on the event loop, the first request imported anyio's backend
#: and the first refresh the history's modules, with the first rows waiting)
CLIENT_MODULES = ("akool_tui.api.client", "httpcore._backends.anyio",
                  "anyio._backends._asyncio", "akool_tui.core.sessions",
                  "akool_tui.core.session_sync", "akool_tui.core.history",
                  "akool_tui.core.pulse", "humanize")


def _load_client_modules() -> None:
    for name in CLIENT_MODULES:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:  # a library's inside that moved: imported when used
                if name.startswith("akool_tui"):
                    raise
    from ..api.base import tls_context

    tls_context()  # the CA bundle, made once per process (~40 ms of CPU)


#: what the first keys and the first load's freeze need, imported in a thread of its own
#: once the client's modules are in (while page 1 is on its way): a printable key looks
#: for the filter bar (``screens.common``, ``widgets.safe_input``: Rich tables, modal
#: screens, inputs) and the load's first freeze looks glibc's malloc_trim up (ctypes).
#: On the event loop they held the first key typed with the first rows at 100 000
#: sessions 9-13 ms more (50 ms without byte-compiled modules)
LATER_MODULES = ("akool_tui.tui.screens.common",)


def _load_later_modules() -> None:
    try:
        for name in LATER_MODULES:
            importlib.import_module(name)
        from ..core.memory import release_free_memory

        release_free_memory()  # looks malloc_trim up (ctypes)
    except Exception as error:  # the UI thread imports it when used, as before
        from .. import logs

        logs.log.warning("importing ahead in a thread failed: %r", error)


class AppContext:
    def __init__(self, config: Config, *, demo: bool = False,
                 demo_starter: Callable[[], Config] | None = None) -> None:
        self.config = config
        self.demo = demo or demo_starter is not None
        #: ``--demo``: starts the simulator and returns its config (after the first frame)
        self._demo_starter = demo_starter
        self._demo_lock = threading.Lock()
        self._client: AkoolClient | None = None
        #: held while the client is made: the first callers (the sessions' refresh, the
        #: credits) all wait for one client instead of each making its own
        self._client_lock = asyncio.Lock()
        #: set once the first frame is on the terminal (the app's on_ready)
        self.painted = asyncio.Event()
        #: the demo simulator's faults, as last set from the palette
        self.demo_faults: dict[str, float] = {}
        #: the session the chat screen should open next (set by the sessions screen)
        self.chat_session_id: str | None = None
        #: the chat screen's conversation, while it has one
        self.chat_conversation: Conversation | None = None
        #: what went wrong and what changed during the run (`e` shows it)
        self.events = EventLog()
        #: the history's profile (one database each; the demo has its own)
        self.profile = "demo" if self.demo else config.profile
        #: the profile the app started with, and its config (one-off values and all):
        #: switching back to it from the palette restores it as it was
        self.start_profile, self.start_config = self.profile, config
        self._history: HistoryStore | None = None
        self._history_opened = False
        self._history_warned: HistoryStore | None = None
        #: what the app sees of the account (:attr:`pulse`, made at its first use: the
        #: client's, after the first frame) and the clock it reads (the app's)
        self._pulse: Pulse | None = None
        self.pulse_clock: Callable[[], float] | None = None
        #: the pulse screen is showing: the sessions screen refreshes behind it
        self.pulse_open = False
        #: the mode the pulse's esc goes back to
        self.pulse_return = "sessions"
        #: the mode the history's esc goes back to
        self.history_return = "sessions"
        #: the pulse's jump: the sessions table shows only these ids (label, ids)
        self.sessions_only: tuple[str, tuple[str, ...]] | None = None

    @property
    def pulse(self) -> Pulse:
        """What the app sees of the account; made when first used (its module, ~4 ms of
        imports, is not needed for the first frame: the client thread imports it)."""
        if self._pulse is None:
            from ..core.pulse import Pulse

            self._pulse = Pulse() if self.pulse_clock is None else Pulse(self.pulse_clock)
        return self._pulse

    @pulse.setter
    def pulse(self, pulse: Pulse) -> None:  # (tests: a pulse of fixed samples)
        self._pulse = pulse

    @property
    def history(self) -> HistoryStore | None:
        """The history store (its writer thread opens the database); None when the
        config says ``history = false``."""
        if not self._history_opened:
            self._history_opened = True
            from ..core.history import store_for

            self._history = store_for(self.config, demo=self.demo, profile=self.profile,
                                      secrets=self._history_secrets)
        return self._history

    def history_problem(self) -> str:
        """Once per store: why the history is not recorded (its database could not be
        opened: a read-only HOME, a newer schema), "" while it is or not known yet."""
        store = self._history
        if store is None or store is self._history_warned or not store.ready.is_set():
            return ""
        if store.error:
            self._history_warned = store
        return store.error

    def _history_secrets(self) -> list[str]:
        """Masked in everything recorded (read by the writer thread at each batch):
        the configured credentials and the chat session's (RTC tokens, keys)."""
        chat = self.chat_conversation
        return [self.config.api_key, self.config.client_secret,
                *(chat.secrets() if chat is not None else ())]

    def use_history_profile(self, profile: str) -> None:
        """Record into ``profile``'s history from now on (the old store writes what
        it has and stops in a thread of its own)."""
        old, self._history, self._history_opened = self._history, None, False
        self.profile = profile
        if old is not None:
            threading.Thread(target=old.close, name="history-close", daemon=True).start()

    def record_sessions(self, sessions: list) -> None:
        """A refresh's changed sessions, for their recorded lifecycle."""
        if (store := self.history) is not None:
            store.sessions_seen(sessions)

    def record_closed(self, session_ids: list[str]) -> None:
        """Sessions this app closed (their lifecycle says so)."""
        if (store := self.history) is not None and session_ids:
            store.closed_by_app(session_ids)

    def close_history(self) -> None:
        """Write what is pending and stop the writer (blocks: call it in a thread)."""
        if self._history is not None:
            self._history.close()

    def _ensure_demo(self) -> None:
        """Start the deferred demo simulator once and point the config at it."""
        with self._demo_lock:  # the starter stays set until it is done: "still pending"
            if self._demo_starter is not None:
                self.config = self._demo_starter()
                self._demo_starter = None

    async def client(self) -> AkoolClient:
        """The API client, ready to use. The first call waits for the first frame, then
        imports the client (and what the first rows need) and makes the TLS context in a
        thread, ~150 ms of CPU that would otherwise hold the loop that paints; with
        ``--demo``, meanwhile, it waits for the demo's simulator (in a thread too)."""
        if self._client is not None:
            return self._client
        await self.painted.wait()
        async with self._client_lock:  # one client for every first caller
            if self._client is not None:
                return self._client
            loading = asyncio.to_thread(_load_client_modules)
            if self._demo_starter is not None:  # the demo's simulator process may still
                # be starting: its wait holds no interpreter, the imports go on meanwhile
                await asyncio.gather(loading, asyncio.to_thread(self._ensure_demo))
            else:
                await loading
            threading.Thread(target=_load_later_modules, name="later-imports",
                             daemon=True).start()  # not awaited: nothing waits for it
            from ..api.client import AkoolClient

            # (0.4 ms: the TLS context is made and shared already)
            self._client = AkoolClient(**self.config.client_kwargs(),
                                       on_event=self.pulse.client_event)
            return self._client

    @property
    def auth_mode(self) -> str:
        """The credentials requests use (the client's view once it exists)."""
        return self._client.auth_mode if self._client is not None else self.config.auth_mode

    def forget_client(self) -> AkoolClient | None:
        """Forget the client (credentials changed); returns it for closing. The next
        :meth:`client` builds a new one from the config."""
        old, self._client = self._client, None
        return old
