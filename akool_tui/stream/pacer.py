"""Token-bucket pacing of data-channel sends, on bytes/s and messages/s.

The buckets start EMPTY: sending N bytes on a fresh pacer takes N / rate seconds,
so a burst right after connecting never exceeds the channel's rate. While idle the
buckets refill up to their burst size, so a short line typed after a pause goes out
at once. Waiters are served in order (a lock), so parts of one message keep order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: a delay this small is float noise, not a wait
_EPSILON = 1e-9


class _Bucket:
    def __init__(self, rate: float, burst: float, now: float) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0, got {rate}")
        if burst <= 0:
            raise ValueError(f"burst must be > 0, got {burst}")
        self.rate = rate
        self.burst = burst
        self.tokens = 0.0
        self.stamp = now

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def take(self, cost: float, now: float) -> float:
        """Take ``cost`` tokens (going into debt if short); returns the seconds to wait."""
        self.refill(now)
        self.tokens -= cost
        return max(0.0, -self.tokens / self.rate)


class Pacer:
    """``await pacer.wait(nbytes)`` before sending a payload of ``nbytes``.

    ``bytes_per_s=None`` means no byte limit, ``msgs_per_s=None`` no message limit.
    A payload is debited at once; when the bucket goes into debt the caller sleeps
    until the debt is paid, so the rate holds for payloads of any size.
    """

    def __init__(
        self,
        bytes_per_s: float | None,
        msgs_per_s: float | None = None,
        *,
        burst_bytes: float | None = None,
        burst_msgs: float = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self._bytes = (
            _Bucket(bytes_per_s, burst_bytes if burst_bytes is not None else bytes_per_s, now)
            if bytes_per_s is not None
            else None
        )
        self._msgs = _Bucket(msgs_per_s, burst_msgs, now) if msgs_per_s is not None else None
        self._lock = asyncio.Lock()

    @property
    def bytes_per_s(self) -> float | None:
        return self._bytes.rate if self._bytes else None

    @property
    def msgs_per_s(self) -> float | None:
        return self._msgs.rate if self._msgs else None

    @property
    def unlimited(self) -> bool:
        return self._bytes is None and self._msgs is None

    def __repr__(self) -> str:
        return f"Pacer(bytes_per_s={self.bytes_per_s}, msgs_per_s={self.msgs_per_s})"

    async def wait(self, nbytes: int) -> None:
        """Return when a payload of ``nbytes`` may be sent, and account for it."""
        if nbytes < 0:
            raise ValueError(f"nbytes must be >= 0, got {nbytes}")
        if self.unlimited:
            return
        async with self._lock:
            now = self._clock()
            delay = 0.0
            for bucket, cost in ((self._bytes, nbytes), (self._msgs, 1)):
                if bucket is not None:
                    delay = max(delay, bucket.take(cost, now))
            if delay > _EPSILON:
                await self._sleep(delay)


@dataclass(frozen=True)
class PacerPreset:
    """Limits of one transport (spec section 4)."""

    bytes_per_s: float | None
    msgs_per_s: float | None = None
    burst_bytes: float | None = None
    max_message_bytes: int = 960

    def make(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> Pacer:
        return Pacer(self.bytes_per_s, self.msgs_per_s, burst_bytes=self.burst_bytes,
                     clock=clock, sleep=sleep)


#: Agora: 1 KB per message (960 kept), about 6 KB/s; TRTC: 8 KB/s and 30 msg/s;
#: LiveKit reliable data is generous (kept at AKool's 960-byte message size);
#: the simulator's websocket channel is not paced.
PRESETS: dict[str, PacerPreset] = {
    "agora": PacerPreset(bytes_per_s=5760, burst_bytes=960),
    "trtc": PacerPreset(bytes_per_s=7680, msgs_per_s=30, burst_bytes=960),
    "livekit": PacerPreset(bytes_per_s=64 * 1024, burst_bytes=16 * 1024),
    "websocket": PacerPreset(bytes_per_s=None),
}


def preset_for(stream_type: str) -> PacerPreset:
    try:
        return PRESETS[stream_type]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ValueError(f"unknown stream type {stream_type!r} (known: {known})") from None


def pacer_for(stream_type: str, **kwargs) -> Pacer:
    """A fresh pacer with the limits of ``stream_type``."""
    return preset_for(stream_type).make(**kwargs)
