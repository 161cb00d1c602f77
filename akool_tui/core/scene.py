"""What the configured scene mode lets a new session have: one rule for the create
request (:func:`.sessions.create_request`), the new-session dialog and the settings
screen, so that none of them offers what another then drops.

    rules = scene_rules(config.defaults)
    rules.fast          # scene_mode fast_dialogue
    rules.presets       # the voices to choose from: the ten presets, or None (the Voice List)
    rules.speed         # whether a speed applies (not with fast_dialogue)
    rules.voice_problem("fr-FR-HenriNeural")   # why a voice will not be sent, or None

With fast_dialogue (spec section 3) the voice is one of OpenAI's ten presets (with
ElevenLabs settings it is an ElevenLabs voice id, typed), and ``speed``, ``pron_map``
and ``stt_type`` do not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .session_options import FAST_DIALOGUE, OPENAI_VOICES, check_fast_voice

#: the ``voice_params`` keys that do not apply with fast_dialogue
FAST_DROPS = ("speed", "pron_map", "stt_type")


@dataclass(frozen=True)
class SceneRules:
    fast: bool = False
    #: ElevenLabs settings are configured (with fast_dialogue the voice is then theirs)
    elevenlabs: bool = False

    @property
    def presets(self) -> tuple[str, ...] | None:
        """The voices to choose from: fast_dialogue's presets, or None (the Voice List;
        with fast_dialogue and ElevenLabs, a voice id typed)."""
        return OPENAI_VOICES if self.fast and not self.elevenlabs else None

    @property
    def speed(self) -> bool:
        return "speed" not in FAST_DROPS or not self.fast

    def voice_problem(self, voice: str) -> str | None:
        """Why ``voice`` will not be sent to a new session (None: it will, or none)."""
        if not self.fast:
            return None
        return check_fast_voice(voice, elevenlabs=self.elevenlabs)

    def preset_voice(self, voice: str) -> str:
        """``voice`` when it is one of the presets, else "" (the service's default)."""
        return voice if self.presets and voice in self.presets else ""


def scene_rules(defaults: Any) -> SceneRules:
    """The rules of the configured defaults' scene mode."""
    from .sessions import default_voice_params

    return SceneRules(fast=getattr(defaults, "scene_mode", "") == FAST_DIALOGUE,
                      elevenlabs="elevenlabs_settings" in default_voice_params(defaults))
