"""What every screen and worker of the console shares, in one object (``app.ctx``).

- the config (credentials, defaults, preferences);
- the one API client, handed out ready to use by :meth:`AppContext.client`: it waits
  for the first frame to be on the terminal, starts the deferred demo simulator in a
  thread (``--demo``), imports httpx in a thread, then builds the client once;
- the demo's state (the faults switched from the palette);
- the run's events (refresh failures and recoveries, errors shown; ``e`` lists them);
- the chat hand-off: the session the chat screen should open (the sessions screen's
  ``t``) and the chat's conversation (the settings screen applies set-params through it).

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


class AppContext:
    def __init__(self, config: Config, *, demo: bool = False,
                 demo_starter: Callable[[], Config] | None = None) -> None:
        self.config = config
        self.demo = demo or demo_starter is not None
        #: ``--demo``: starts the simulator and returns its config (after the first frame)
        self._demo_starter = demo_starter
        self._demo_lock = threading.Lock()
        self._client: AkoolClient | None = None
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

    def _ensure_demo(self) -> None:
        """Start the deferred demo simulator once and point the config at it."""
        with self._demo_lock:  # the starter stays set until it is done: "still pending"
            if self._demo_starter is not None:
                self.config = self._demo_starter()
                self._demo_starter = None

    async def client(self) -> AkoolClient:
        """The API client, ready to use. The first call waits for the first frame, then
        starts the demo simulator and imports the client in threads: either takes
        ~100-300 ms of CPU, and a thread shares the GIL with the loop that paints."""
        if self._client is not None:
            return self._client
        await self.painted.wait()
        if self._demo_starter is not None:  # waits if another worker is starting it
            await asyncio.to_thread(self._ensure_demo)
        if "akool_tui.api.client" not in sys.modules:
            await asyncio.to_thread(importlib.import_module, "akool_tui.api.client")
        if self._client is None:
            from ..api.client import AkoolClient

            # in a thread too: httpx builds an SSL context, ~45 ms of CPU
            client = await asyncio.to_thread(AkoolClient, **self.config.client_kwargs())
            if self._client is None:
                self._client = client
            else:  # another worker was quicker
                await client.aclose()
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
