"""The app's own palette commands (ctrl+p): "Go to <screen>" for each screen and, in
the demo, switching the simulator's faults on and off (:mod:`akool_tui.core.demo`):
show an audience the backoff, the retry countdown and the recovery, live.

The commands of the current screen's bindings are :mod:`.commands`.
:class:`PaletteCommands` is a part of :class:`~akool_tui.tui.app.AkoolApp` (a mixin
over Textual's ``App``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.message import Message

from .work import call_api

if TYPE_CHECKING:
    from textual.screen import Screen

    from ..config import Config
    from .context import AppContext


@dataclass
class DemoFaultsSet(Message):
    """The demo simulator's fault settings, as it answered a change."""

    faults: dict[str, float]


class PaletteCommands:
    """The app's system commands."""

    SCREEN_NAMES: tuple[str, ...]
    ctx: AppContext
    config: Config
    demo: bool

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode in self.SCREEN_NAMES:
            yield SystemCommand(f"Go to {mode}", f"Switch to the {mode} screen",
                                lambda m=mode: self.leave_then(  # type: ignore[attr-defined]
                                    lambda: self.switch_mode(m), going=f"going to {m}"))
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
        from ..core.demo import DEMO_FAULTS, NO_FAULTS, set_faults

        settings = DEMO_FAULTS[name][1]
        changes = dict(settings) if on else {key: NO_FAULTS[key] for key in settings}
        # once the client is ready, the demo simulator is up (and the config points at it)
        call_api(self, lambda _client: set_faults(self.config, changes),
                 what="change the demo's faults", done=DemoFaultsSet, group="demo-faults",
                 exclusive=False)

    def on_demo_faults_set(self, message: DemoFaultsSet) -> None:
        from ..core.demo import DEMO_FAULTS

        self.ctx.demo_faults = message.faults
        active = [label for label, settings in DEMO_FAULTS.values()
                  if any(self.ctx.demo_faults.get(key) for key in settings)]
        self.notify("Demo simulator: " + ("; ".join(active) if active else "no faults"),
                    title="Faults", severity="warning" if active else "information",
                    timeout=4, markup=False)
