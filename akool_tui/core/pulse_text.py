"""What the pulse screen says, as plain text from a :class:`~.pulse.PulseView` (no
Textual): one function per line, so the screen only compares strings and repaints the
lines that changed. Ids are shown short (:func:`~.ids.short_id`); every outside string
is made safe (:func:`~.text.safe`).
"""

from __future__ import annotations

from datetime import datetime

from .credits import burn_text, credits_text
from .ids import short_id
from .pulse import ApiFigures, PulseView
from .text import CELL, LINE, safe

#: ids listed on an attention line before "+N"
LISTED = 3


def _ids(ids: tuple[str, ...]) -> str:
    shown = ", ".join(safe(short_id(i), limit=CELL) for i in ids[:LISTED])
    return shown + (f" +{len(ids) - LISTED}" if len(ids) > LISTED else "")


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f} ms"


def sessions_now(v: PulseView) -> str:
    if not v.sampled:
        return "waiting for the first sessions refresh…"
    return f"live {v.live} · queueing {v.queueing}"


def sessions_rate(v: PulseView) -> str:
    return f"started {v.started_per_min}/min · ended {v.ended_per_min}/min"


def expired(v: PulseView) -> str:
    n = len(v.expired_open)
    if not n:
        return "0:00 ! none open past their time"
    return f"0:00 ! {n} open past time: {_ids(v.expired_open)}"


def ending(v: PulseView) -> str:
    n = len(v.ending_soon)
    if not n:
        return "none ending within 5 min"
    return f"{n} ending within 5 min: {_ids(v.ending_soon)}"


def credits_now(v: PulseView) -> str:
    if v.balance is None:
        return "balance not read yet"
    return f"balance {credits_text(v.balance)}"


def burn(v: PulseView) -> str:
    if v.balance is None:
        return ""
    text = burn_text(v.burn)
    return "burn rate … (measuring)" if v.burn.per_hour is None else f"burning {text}"


def api_rate(a: ApiFigures) -> str:
    errors = "-" if a.error_rate is None else f"{a.error_rate * 100:.0f} %"
    return f"{a.per_min} req/min · errors {errors}"


def api_latency(a: ApiFigures) -> str:
    return f"p50 {_ms(a.p50_ms)} · p95 {_ms(a.p95_ms)}"


def api_error(a: ApiFigures) -> str:
    if not a.last_error:
        return "last error: none"
    when = ""
    if a.last_error_at is not None:
        when = datetime.fromtimestamp(a.last_error_at).strftime("%H:%M:%S") + " "  # local
    return f"last error {when}{safe(a.last_error, limit=LINE)}"


def api_backoff(a: ApiFigures) -> str:
    if a.backoff_s is None:
        return "backoff: none"
    return f"backoff {a.backoff_s:.0f} s: {safe(a.backoff_what, limit=CELL)}"


def uploads(v: PulseView) -> str:
    if not v.avatars_seen:
        return "uploads: not listed yet"
    if not v.uploading:
        return "uploads in progress: none"
    return f"{len(v.uploading)} uploading: " + ", ".join(safe(n, limit=CELL)
                                                         for n in v.uploading[:LISTED])


def uploads_failed(v: PulseView) -> str:
    if not v.avatars_seen:
        return ""
    if not v.upload_failed:
        return "failed (7 days): none"
    return f"{len(v.upload_failed)} failed (7 days): " + ", ".join(
        safe(n, limit=CELL) for n in v.upload_failed[:LISTED])
