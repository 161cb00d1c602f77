"""Injected faults: latency, HTTP 5xx and malformed bodies, deterministic under the seed.

Each REST request draws once from a seeded RNG, so the n-th request of a run
meets the same fault for the same seed whatever it asks for. The rates and the
latency can be changed while the simulator runs (``POST /sim/faults``, e.g. from
the demo's command palette).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, PlainTextResponse, Response

from .config import SimulatorConfig

_HTTP_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_HTML_ERROR = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


#: the settings that can change at run time
LIVE_SETTINGS = ("latency", "error_rate", "malformed_rate")


class FaultInjector:
    def __init__(self, cfg: SimulatorConfig) -> None:
        self._cfg = cfg
        self.latency = cfg.latency
        self.error_rate = cfg.error_rate
        self.malformed_rate = cfg.malformed_rate
        self._rng = random.Random(f"faults:{cfg.seed}")
        self._malformed = 0

    def settings(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in LIVE_SETTINGS}

    def check(self, changes: Mapping[str, Any]) -> SimulatorConfig:
        """The config with ``changes``; ValueError when a name is unknown or a value is
        out of the range the simulator accepts."""
        unknown = sorted(set(changes) - set(LIVE_SETTINGS))
        if unknown:
            raise ValueError(f"unknown fault settings {unknown}: use {list(LIVE_SETTINGS)}")
        # the same checks (and messages) as at start-up
        return dataclasses.replace(self._cfg, **{**self.settings(), **changes})

    def update(self, changes: Mapping[str, Any]) -> None:
        """Change some of :data:`LIVE_SETTINGS`; ValueError (nothing changed) when a
        name is unknown or a value is out of the range the simulator accepts."""
        checked = self.check(changes)
        for name in LIVE_SETTINGS:
            setattr(self, name, getattr(checked, name))

    def draw(self) -> Response | None:
        """The fault to answer this request with, or None to answer it normally."""
        if not (self.error_rate or self.malformed_rate):
            return None
        x = self._rng.random()
        if x < self.error_rate:
            status = self._rng.choice(tuple(_HTTP_ERRORS))
            return PlainTextResponse(_HTTP_ERRORS[status], status_code=status)
        if x < self.error_rate + self.malformed_rate:
            self._malformed += 1
            if self._malformed % 2:
                return Response(_HTML_ERROR, status_code=200, media_type="text/html")
            return JSONResponse({"msg": "success", "data": None})
        return None
