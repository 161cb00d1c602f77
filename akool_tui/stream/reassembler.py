"""Reassemble chat parts into messages: by mid, ordered by idx, complete at fin.

Parts can arrive late, twice or out of order, and messages can interleave. The text
so far is always the contiguous prefix (never duplicated nor scrambled). A message
whose gap does not fill within ``timeout`` seconds of its last new part is closed by
:meth:`Reassembler.expire` as *incomplete*: the parts it has are kept, with
:data:`GAP_MARKER` where parts are missing, never silently lost.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .codec import ChatMessage

GAP_MARKER = " [...] "
#: how many finished mids are remembered to ignore their late duplicates
DONE_MEMORY = 2048


@dataclass(frozen=True)
class Update:
    """The state of one message after a part (or an expiry).

    ``delta`` is the text appended to ``text_so_far`` by this update (for
    streaming display); ``changed`` is False for duplicates and ignored parts.
    """

    mid: str
    text_so_far: str
    complete: bool = False
    incomplete: bool = False
    changed: bool = True
    delta: str = ""
    from_: str | None = None

    @property
    def finished(self) -> bool:
        return self.complete or self.incomplete


@dataclass
class _Pending:
    from_: str | None
    last_seen: float
    prefix: str = ""
    next_idx: int = 0
    total: int | None = None
    held: dict[int, str] = field(default_factory=dict)


class Reassembler:
    def __init__(self, timeout: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0, got {timeout}")
        self.timeout = timeout
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._done: OrderedDict[str, Update] = OrderedDict()

    @property
    def pending(self) -> list[str]:
        """Mids of messages still being assembled."""
        return list(self._pending)

    def feed(self, msg: ChatMessage, now: float | None = None) -> Update:
        now = self._clock() if now is None else now
        final = self._done.get(msg.mid)
        if final is not None:
            return replace(final, changed=False, delta="")
        state = self._pending.get(msg.mid)
        if state is None:
            state = self._pending[msg.mid] = _Pending(from_=msg.from_, last_seen=now)
        if not self._accept(state, msg):
            return self._update(msg.mid, state, changed=False)
        state.last_seen = now
        if msg.fin:
            state.total = msg.idx + 1
        state.held[msg.idx] = msg.text
        delta = []
        while state.next_idx in state.held:
            delta.append(state.held.pop(state.next_idx))
            state.next_idx += 1
        text = "".join(delta)
        state.prefix += text
        if state.total is not None and state.next_idx >= state.total:
            return self._finish(Update(msg.mid, state.prefix, complete=True, delta=text,
                                       from_=state.from_))
        return self._update(msg.mid, state, changed=True, delta=text)

    @staticmethod
    def _accept(state: _Pending, msg: ChatMessage) -> bool:
        if msg.idx < state.next_idx or msg.idx in state.held:
            return False  # duplicate
        if state.total is not None and (msg.idx >= state.total or msg.fin):
            return False  # past the end, or a second fin
        return not (msg.fin and state.held and max(state.held) > msg.idx)

    def _update(self, mid: str, state: _Pending, *, changed: bool, delta: str = "") -> Update:
        return Update(mid, state.prefix, changed=changed, delta=delta, from_=state.from_)

    def _finish(self, final: Update) -> Update:
        self._pending.pop(final.mid, None)
        self._done[final.mid] = final
        while len(self._done) > DONE_MEMORY:
            self._done.popitem(last=False)
        return final

    def expire(self, now: float | None = None) -> list[Update]:
        """Close messages with no new part for ``timeout`` seconds, as incomplete."""
        now = self._clock() if now is None else now
        out = []
        for mid, state in list(self._pending.items()):
            if now - state.last_seen < self.timeout:
                continue
            text = self._with_gaps(state)
            out.append(self._finish(Update(mid, text, incomplete=True,
                                           delta=text[len(state.prefix):], from_=state.from_)))
        return out

    @staticmethod
    def _with_gaps(state: _Pending) -> str:
        pieces = [state.prefix]
        expected = state.next_idx
        for idx in sorted(state.held):
            if idx != expected:
                pieces.append(GAP_MARKER)
            pieces.append(state.held[idx])
            expected = idx + 1
        if state.total is None or expected < state.total:
            pieces.append(GAP_MARKER.rstrip())
        return "".join(pieces)
