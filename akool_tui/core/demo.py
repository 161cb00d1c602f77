"""The demo's faults, switched while it runs (the palette's *Demo: simulate ...*).

The simulator-only ``POST /sim/faults`` changes the running simulator's latency, 5xx
rate and malformed-answer rate, and its stream channel's latency, lost parts and
disconnects; no front end imports the simulator for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config

#: what the demo's command palette can switch on (``POST /sim/faults`` settings)
DEMO_FAULTS: dict[str, tuple[str, dict[str, float]]] = {
    "errors": ("server errors (60 % of requests answer HTTP 5xx)", {"error_rate": 0.6}),
    "slow": ("a slow network (1.5 s per request)", {"latency": 1.5}),
    "malformed": ("malformed answers (20 % of requests)", {"malformed_rate": 0.2}),
    # the chat's stream channel (the chat's health line shows them)
    "stream-slow": ("a slow stream channel (1 s each message)", {"stream_latency": 1.0}),
    "stream-drops": ("lost reply parts (20 % dropped)", {"stream_drop": 0.2}),
    "stream-disconnects": ("stream disconnects (5 % of reply parts)",
                           {"stream_disconnect": 0.05}),
}
NO_FAULTS = {"latency": 0.0, "error_rate": 0.0, "malformed_rate": 0.0,
             "stream_latency": 0.0, "stream_drop": 0.0, "stream_disconnect": 0.0}


async def set_faults(config: Config, changes: dict[str, float]) -> dict[str, float]:
    """Change the running simulator's faults (the simulator-only ``/sim/faults``);
    returns its settings now. Raises an :class:`~akool_tui.api.errors.AkoolError`."""
    import httpx

    from ..api.errors import NetworkError, error_for_code

    try:
        async with httpx.AsyncClient(base_url=config.base_url, timeout=5.0,
                                     headers={"x-api-key": config.api_key}) as http:
            answer = (await http.post("/sim/faults", json=changes)).json()
    except (httpx.HTTPError, ValueError) as err:
        raise NetworkError(f"the demo simulator did not answer: {type(err).__name__}") from None
    if not isinstance(answer, dict) or answer.get("code") != 1000:
        code = answer.get("code", 0) if isinstance(answer, dict) else 0
        raise error_for_code(code if isinstance(code, int) else 0,
                             str(answer.get("msg", "")) if isinstance(answer, dict) else "")
    return answer["data"]
