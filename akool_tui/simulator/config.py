"""Settings of the bundled AKool simulator."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: seeding more than this many sessions is refused (memory and start-up time)
MAX_SEEDED_SESSIONS = 1_000_000
MAX_SEEDED_AVATARS = 10_000
MAX_CREDITS = 10**12

#: shapes of answers the spec says the real service varies in (section 2): the
#: simulator answers one of them, chosen here, so clients can be tested against each
KNOWLEDGE_LIST_SHAPES = ("array", "object")  # data: [...] or {"knowledge_list": [...]}
CLOSE_ANSWERS = ("null", "empty", "detail")  # data: null, {} or {session_id, status, closed_at}
AVATAR_CREATE_SHAPES = ("object", "array")  # data: {...} or [{...}]


@dataclass
class SimulatorConfig:
    """Everything that shapes the simulator's data, timing and injected faults.

    Rates are fractions of requests (0..1); times are seconds. Simulated time runs
    ``time_scale`` times faster than real time.

    With ``steady_churn`` every churn step also retires the oldest closed or failed
    sessions until the account holds no more than ``sessions`` (they vanish from the
    list and their detail answers 1216), so a long run (a soak) keeps a constant
    session count however many sessions churn and clients create.

    Credits: the account starts with ``credits``; a session holds ``credit_rate``
    credits per minute of its ``duration`` at create (refused with 1104 when the
    balance is lower) and gets the unused rest back when it is closed early. Only what
    was taken is given back: the seeded sessions, open before the simulator started,
    took nothing from this balance, so closing one early refunds nothing.

    ``knowledge_list_shape``, ``close_answer`` and ``avatar_create_shape`` pick one of
    the answer shapes the spec tells clients to accept (see the ``*_SHAPES`` tuples).
    """

    seed: int = 1
    sessions: int = 40
    avatars: int = 12
    api_key: str = "demo"
    client_id: str = "demo"
    client_secret: str = "demo"
    latency: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    token_expiry_calls: int | None = None
    max_concurrent: int = 50
    churn: bool = True
    churn_interval: float = 2.0
    steady_churn: bool = False
    time_scale: float = 1.0
    queue_delay: float = 1.5
    avatar_steps: float = 3.0
    reply_chars_per_s: float = 15.0
    credits: float = 10_000.0
    credit_rate: float = 1.0
    knowledge_list_shape: str = "array"
    close_answer: str = "null"
    avatar_create_shape: str = "object"

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("invalid simulator settings: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every setting that is out of range, as short sentences."""
        out: list[str] = []

        def count(name: str, lo: int, hi: int) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                out.append(f"{name} must be a whole number from {lo} to {hi} (got {v!r})")

        def number(name: str, lo: float, hi: float = math.inf, *, open_lo: bool = False) -> None:
            v = getattr(self, name)
            ok = (
                not isinstance(v, bool)
                and isinstance(v, (int, float))
                and math.isfinite(v)
                and (v > lo if open_lo else v >= lo)
                and v <= hi
            )
            if not ok:
                bound = f"above {lo}" if open_lo else f"at least {lo}"
                if hi != math.inf:
                    bound = f"from {lo} to {hi}"
                out.append(f"{name} must be a number {bound} (got {v!r})")

        count("seed", -(2**63), 2**63 - 1)
        count("sessions", 0, MAX_SEEDED_SESSIONS)
        count("avatars", 0, MAX_SEEDED_AVATARS)
        count("max_concurrent", 1, 100_000)
        for name in ("api_key", "client_id", "client_secret"):
            v = getattr(self, name)
            if not isinstance(v, str) or not v.strip():
                out.append(f"{name} must be a non-empty string")
        number("latency", 0.0, 60.0)
        before = len(out)
        number("error_rate", 0.0, 1.0)
        number("malformed_rate", 0.0, 1.0)
        if len(out) == before and self.error_rate + self.malformed_rate > 1.0:
            out.append("error_rate + malformed_rate must not exceed 1")
        if self.token_expiry_calls is not None:
            count("token_expiry_calls", 1, 10**9)
        number("churn_interval", 0.0, open_lo=True)
        number("time_scale", 0.0, open_lo=True)
        number("queue_delay", 0.0)
        number("avatar_steps", 0.0)
        number("reply_chars_per_s", 0.0, open_lo=True)
        number("credits", 0.0, MAX_CREDITS)
        number("credit_rate", 0.0, 1_000_000)
        for name, allowed in (("knowledge_list_shape", KNOWLEDGE_LIST_SHAPES),
                              ("close_answer", CLOSE_ANSWERS),
                              ("avatar_create_shape", AVATAR_CREATE_SHAPES)):
            if getattr(self, name) not in allowed:
                out.append(f"{name} must be one of {', '.join(allowed)} "
                           f"(got {getattr(self, name)!r})")
        return out
