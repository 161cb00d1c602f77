"""Switching profile from the palette without restarting (``[profiles.NAME]`` in the
config, :mod:`akool_tui.config.profiles`).

"Profile: switch to NAME" for every other profile of the config. A switch shows a
placeholder screen, removes every screen of every mode (the chat screen closes its
conversation's channel as it unmounts), points the app at the profile's config (a new
API client, the profile's history database, its theme), and opens the screen the user
was on again: fresh screens, so every table reloads from the other account. The
profile the app started with keeps its one-off values (``AKOOL_API_KEY``,
``--base-url``); another profile is the file's table as written. ``--demo`` is a
profile of its own and offers no switch.

:class:`ProfileSwitching` is a part of :class:`~akool_tui.tui.app.AkoolApp`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Static

if TYPE_CHECKING:
    from ..config import Config
    from .context import AppContext

#: the placeholder mode shown while the screens are replaced
SWITCHING_MODE = "_profile_switch"


class ProfileSwitchScreen(Screen):
    DEFAULT_CSS = """
    ProfileSwitchScreen { align: center middle; }
    ProfileSwitchScreen > Static { width: auto; padding: 1 2; border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Switching profile…", markup=False)


class ProfileSwitching:
    """The app's profile commands and the switch itself."""

    ctx: AppContext
    config: Config
    demo: bool

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
        if self.demo or self.current_mode.startswith("_"):  # type: ignore[attr-defined]
            return
        from ..config import profile_names

        cfg = self.config
        for name in profile_names(cfg) if cfg.profiles else ():
            if name != cfg.profile:
                yield SystemCommand(f"Profile: switch to {name}",
                                    f"Reload every screen against the profile {name}",
                                    lambda n=name: self.switch_profile(n))

    def switch_profile(self, name: str) -> None:
        """Use the profile ``name`` from now on (in a worker: see the module)."""
        app: Any = self
        app.run_worker(self._switch_profile(name), name="profile-switch",
                       group="profile-switch", exclusive=True, exit_on_error=False)

    def _profile_config(self, name: str) -> Config:
        configs = self.__dict__.setdefault("_profile_configs", {})
        configs.setdefault(self.ctx.start_profile, self.ctx.start_config)
        if name not in configs:
            from ..config import load_config

            configs[name] = load_config(self.config.path, env={}, profile=name,
                                        env_overrides=False)
        return configs[name]

    async def _switch_profile(self, name: str) -> None:
        app: Any = self
        if self.demo:
            app.notify("The demo is a profile of its own: restart without --demo to use "
                       "your profiles", severity="warning")
            return
        from ..api.errors import ConfigError
        from ..config import DEFAULT_PROFILE

        try:
            new = await asyncio.to_thread(self._profile_config, name)
        except ConfigError as error:
            app.notify(f"Profile {name}: {error}", severity="error", timeout=8)
            return
        if not new.has_credentials:
            where = "at the top level of the config file" if name == DEFAULT_PROFILE \
                else f"in [profiles.{name}]"  # "default" is the top level, not a table
            app.notify(f"Profile {name} has no AKool credentials: set api_key (or client_id "
                       f"and client_secret) {where}; still on {self.config.profile}",
                       severity="error", timeout=8)
            return
        back_to = app.current_mode if not app.current_mode.startswith("_") else "sessions"
        if SWITCHING_MODE not in app._modes:  # kept: removing it races a quit at the end
            app.add_mode(SWITCHING_MODE, ProfileSwitchScreen)
        await app.switch_mode(SWITCHING_MODE)
        factories = {mode: factory for mode, factory in app._modes.items()
                     if not mode.startswith("_")}
        for mode in factories:  # unmounting, the chat screen closes its channel
            await app.remove_mode(mode)
        self.ctx.chat_session_id = None
        self.config = new
        app.reset_client()  # the old client is closed in a worker of its own
        self.ctx.use_history_profile(new.profile)
        if new.ui.theme in app.available_themes and app.theme != new.ui.theme:
            app.theme = new.ui.theme  # (the new config has it already: nothing is saved)
        for mode, factory in factories.items():
            app.add_mode(mode, factory)
        await app.switch_mode(back_to)
        where = app.endpoint_label
        note = f"Profile {name}: {where}" + (" (read-only)" if new.read_only else "")
        self.ctx.events.add("info", note)
        app.notify(note, timeout=4)
