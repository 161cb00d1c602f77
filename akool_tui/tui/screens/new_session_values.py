"""The new-session dialog's Advanced section as values, without its widgets: each
field's first value from the configured defaults, which groups of fields apply, and the
checked fields' labels and rules. The section (:mod:`.new_session_advanced`) builds its
widgets from these on its first expand and answers from them until then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...config import SessionDefaults
from ...core import session_options as so
from ...core.scene import SceneRules


def _text(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


#: the checked fields a default fills: widget id -> (label, check, the group that must
#: be shown for it to apply, or None). The byo credentials and pronunciations start
#: empty and unshown: nothing to check before the section is built.
CHECKED: dict[str, tuple[str, Any, str | None]] = {
    "speed": ("Speed (0.8-1.2)", so.check_speed, "normal-only"),
    "stt-language": ("STT language", so.check_stt_language, None),
    "turn-threshold": ("Threshold (0-1)", so.check_unit, "server-vad-only"),
    "turn-prefix": ("Prefix padding ms", so.check_ms, "server-vad-only"),
    "turn-silence": ("Silence ms", so.check_ms, "server-vad-only"),
    "eleven-stability": ("Stability (0-1)", so.check_unit, None),
    "eleven-similarity-boost": ("Similarity (0-1)", so.check_unit, None),
    "eleven-style": ("Style (0-1)", so.check_unit, None),
}


def initial_values(d: SessionDefaults) -> dict[str, Any]:
    """Every field's first value (widget id -> value), from the configured defaults."""
    boost = d.elevenlabs_speaker_boost
    values: dict[str, Any] = {
        "scene": d.scene_mode if d.scene_mode in so.SCENE_MODES else "",
        "fast-voice": SceneRules(fast=True).preset_voice(d.voice_id),
        "speed": _text(d.speed),
        "stt-type": d.stt_type if d.stt_type in so.STT_TYPES else "",
        "stt-language": d.stt_language,
        "turn-type": d.turn_detection if d.turn_detection in so.TURN_TYPES else "",
        "turn-threshold": _text(d.turn_threshold),
        "turn-prefix": _text(d.turn_prefix_padding_ms),
        "turn-silence": _text(d.turn_silence_duration_ms),
        "eleven-key": d.elevenlabs_api_key,
        "eleven-save": False,
        "eleven-model": d.elevenlabs_model_id,
        "eleven-stability": _text(d.elevenlabs_stability),
        "eleven-similarity-boost": _text(d.elevenlabs_similarity_boost),
        "eleven-style": _text(d.elevenlabs_style),
        "eleven-boost": "" if boost is None else "on" if boost else "off",
        "byo": False,
    }
    for keys in so.BYO_FIELDS.values():
        values.update((f"byo-{key.replace('_', '-')}", "") for key in keys)
    return values


def groups_shown(values: Callable[[str], Any], stream_type: str) -> dict[str, bool]:
    """Which groups of fields apply (``values``: a field's value by its widget id)."""
    fast = values("scene") == so.FAST_DIALOGUE
    byo = bool(values("byo")) and stream_type in so.BYO_FIELDS
    shown = {"fast-only": fast, "normal-only": not fast,
             "server-vad-only": values("turn-type") == "server_vad"}
    shown.update((f"byo-{stream}", byo and stream == stream_type) for stream in so.BYO_FIELDS)
    return shown
