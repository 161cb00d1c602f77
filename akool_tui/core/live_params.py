"""What set-params can change on a live session besides the voice: speech recognition's
language and turn detection (spec section 4: ``vparams.stt_language``,
``vparams.turn_detection``), checked field by field for a form.

    vparams, problems = turn_detection_params("server_vad", threshold="0.6",
                                              prefix_padding_ms="300",
                                              silence_duration_ms="")

``problems`` maps a field to what it expects; an empty text means the server's default
(the field is left out). ``threshold`` and the two durations apply only with
``server_vad``: with ``semantic_vad`` they are not sent (the form disables them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: turn detection types (``""``: none sent, the session keeps what it has)
TURN_TYPES: tuple[str, ...] = ("server_vad", "semantic_vad")
#: fields that apply only with server_vad, with their defaults (spec section 3)
SERVER_VAD_FIELDS: dict[str, float] = {"threshold": 0.5, "prefix_padding_ms": 300,
                                       "silence_duration_ms": 500}
#: the longest padding / silence accepted (ms): ten seconds of silence is already a
#: conversation that stalls
MAX_MS = 10_000


def check_threshold(text: str) -> str | None:
    """``""`` (the default) or a number from 0 to 1."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return "a number from 0 to 1 (empty: 0.5)"
    if not math.isfinite(value) or not 0 <= value <= 1:
        return "a number from 0 to 1 (empty: 0.5)"
    return None


def check_ms(text: str, default: int) -> str | None:
    """``""`` (the default) or whole milliseconds from 0 to :data:`MAX_MS`."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_MS:
        return f"whole milliseconds from 0 to {MAX_MS} (empty: {default})"
    return None


CHECKS = {
    "threshold": check_threshold,
    "prefix_padding_ms": lambda text: check_ms(text, 300),
    "silence_duration_ms": lambda text: check_ms(text, 500),
}


def turn_detection_params(kind: str, **texts: str) -> tuple[dict[str, Any] | None,
                                                             dict[str, str]]:
    """The ``turn_detection`` object for set-params (None: not sent) and the problems by
    field (empty when all is valid). ``texts``: threshold, prefix_padding_ms,
    silence_duration_ms as typed."""
    if not kind:
        return None, {}
    if kind not in TURN_TYPES:
        return None, {"turn_type": f"one of {', '.join(TURN_TYPES)}"}
    out: dict[str, Any] = {"type": kind}
    if kind != "server_vad":
        return out, {}
    problems = {}
    for name, check in CHECKS.items():
        text = texts.get(name, "").strip()
        problem = check(text)
        if problem:
            problems[name] = problem
        elif text:
            out[name] = float(text) if name == "threshold" else int(text)
    return (None if problems else out), problems


# -- what Apply sends, and what a live session keeps --------------------------------

#: why an emptied background is not sent (spec section 4: set-params leaves out empty
#: keys; the service has no "no background" value)
BACKGROUND_KEPT = ("Background: not sent (a live session cannot drop its background: "
                   "it keeps any it has until it ends)")
LANGUAGE_KEPT = "Language: none is not sent (the session keeps its language)"


@dataclass
class LivePlan:
    """``set-params`` keyword arguments for a form (``Conversation.set_params``) and
    what the session keeps of what the form shows, in words (empty: all is sent)."""

    data: dict[str, Any]
    kept: list[str] = field(default_factory=list)


def live_plan(*, voice: str, language: str, mode: int, background: str,
              speed: float | None, vparams: dict[str, Any], own_voice: str | None = None,
              own_voice_problem: str = "", had_background: bool = True) -> LivePlan:
    """What Apply sends for a form's values. ``voice`` "" is the avatar's own voice:
    it is sent as ``own_voice`` (the avatar record's ``voice_id``) when known, else the
    session keeps its voice and ``own_voice_problem`` says why. ``speed`` None: not
    sent (fast_dialogue). An empty language or background cannot be sent: said (the
    background only when the session is known to have one: ``had_background``)."""
    kept = []
    vid = voice or own_voice or None
    if not vid:
        kept.append(f"Voice: the avatar's own is not sent ({own_voice_problem or 'unknown'}): "
                    "the session keeps its voice")
    if not language:
        kept.append(LANGUAGE_KEPT)
    if not background and had_background:
        kept.append(BACKGROUND_KEPT)
    live = dict(vparams)
    if speed is not None:
        live["speed"] = speed
    return LivePlan({"vid": vid, "lang": language or None, "mode": mode,
                     "bgurl": background or None, "vparams": live}, kept)
