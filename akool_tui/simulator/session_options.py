"""The options of a session create (spec section 3), checked as AKool checks them.

Every problem is code 1003 with the reason, except a voice id that is not in the
voice list (1008) and a knowledge base that does not exist (1232). Optional fields
sent as ``""``, ``{}``, ``[]`` or ``null`` count as absent.

Decisions where the spec leaves a choice:

- keys that do not belong in ``voice_params`` (for the scene mode), in
  ``turn_detection`` or in ``elevenlabs_settings`` are refused (1003, naming the
  allowed ones), so a misspelt option never goes unnoticed;
- ``prefix_padding_ms`` and ``silence_duration_ms`` are whole numbers from 0 to 10 000;
- with ``scene_mode: fast_dialogue`` a Voice List voice is refused with 1003 (the id
  exists, it is the wrong kind of voice), wherever it is sent;
- with ``elevenlabs_settings`` the voice id is ElevenLabs': it is not looked up in
  the voice list;
- bring-your-own ``credentials`` must have exactly the keys of the answer's credentials
  for the stream type (the TRTC ones under either spelling; they are echoed with the
  OpenAPI names); a ``websocket`` session (the simulator's own channel) cannot bring
  a room. Messages name keys, never the secret values.
"""

from __future__ import annotations

import math
from typing import Any

from . import catalog
from .params import absent, bad, choice, http_url, string, whole_number
from .state import SimError, SimulatorState

SPEED_RANGE = (0.8, 1.2)
TURN_TYPES = ("server_vad", "semantic_vad")
STT_TYPES = ("openai_realtime",)
#: turn_detection fields that only apply with server_vad
SERVER_VAD_ONLY = ("threshold", "prefix_padding_ms", "silence_duration_ms")
MAX_MS = 10_000
NORMAL_KEYS = ("speed", "pron_map", "stt_language", "stt_type", "turn_detection",
               "elevenlabs_settings")
FAST_KEYS = ("voice_id", "stt_language", "turn_detection", "elevenlabs_settings")
ELEVEN_UNIT = ("stability", "similarity_boost", "style")
ELEVEN_KEYS = ("api_key", "model_id", *ELEVEN_UNIT, "use_speaker_boost")

#: the keys of bring-your-own credentials by stream type, and their JSON types
BYO_KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    "agora": {"agora_uid": (int,), "agora_app_id": (str,), "agora_channel": (str,),
              "agora_token": (str,)},
    "livekit": {"livekit_url": (str,), "livekit_token": (str,), "livekit_room_name": (str,),
                "livekit_client_identity": (str,), "livekit_server_identity": (str,)},
    "trtc": {"trtc_sdk_app_id": (int,), "trtc_sdk_room_id": (str, int),
             "trtc_sdk_user_id": (str,), "trtc_sdk_user_sig": (str,)},
}
#: the official demo's TRTC names -> the OpenAPI file's
TRTC_DEMO_NAMES = {"trtc_app_id": "trtc_sdk_app_id", "trtc_room_id": "trtc_sdk_room_id",
                   "trtc_user_id": "trtc_sdk_user_id", "trtc_user_sig": "trtc_sdk_user_sig"}


def _unit(value: Any, name: str, lo: float = 0.0, hi: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        raise bad(f"{name} must be a number from {lo:g} to {hi:g}")
    return value


def _only(values: dict[str, Any], allowed: tuple[str, ...], where: str, why: str = "") -> None:
    extra = sorted(set(values) - set(allowed))
    if extra:
        names = ", ".join(f"{where}.{k}" for k in extra)
        raise bad(f"{names} {'is' if len(extra) == 1 else 'are'} not allowed{why}: "
                  f"{where} takes {', '.join(allowed)}")


def _present(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not absent(v)}


def known_language(code: Any, codes: frozenset[str]) -> bool:
    """A language code of the language list, or a locale of one (``en-US``)."""
    if not isinstance(code, str) or not code.strip():
        return False
    code = code.strip()
    return code in codes or code.split("-", 1)[0].lower() in codes


def turn_detection(value: Any, where: str = "voice_params.turn_detection") -> dict[str, Any]:
    """``{type, threshold, prefix_padding_ms, silence_duration_ms}``; the last three
    only with ``server_vad``. Also used by the stream channel's set-params."""
    if not isinstance(value, dict):
        raise bad(f"{where} must be an object")
    td = _present(value)
    _only(td, ("type", *SERVER_VAD_ONLY), where)
    kind = td.get("type")
    if kind not in TURN_TYPES:
        raise bad(f"{where}.type must be server_vad or semantic_vad (got {kind!r})")
    if kind != "server_vad":
        wrong = [k for k in SERVER_VAD_ONLY if k in td]
        if wrong:
            raise bad(f"{where}.{wrong[0]} only applies with type server_vad (got {kind})")
    if "threshold" in td:
        _unit(td["threshold"], f"{where}.threshold")
    for key in ("prefix_padding_ms", "silence_duration_ms"):
        if key in td:
            ms = whole_number(td[key], f"{where}.{key}", text=False)
            if not 0 <= ms <= MAX_MS:
                raise bad(f"{where}.{key} must be from 0 to {MAX_MS} ms (got {ms})")
    return td


def elevenlabs(value: Any) -> dict[str, Any]:
    where = "voice_params.elevenlabs_settings"
    if not isinstance(value, dict):
        raise bad(f"{where} must be an object")
    es = _present(value)
    _only(es, ELEVEN_KEYS, where)
    key = es.get("api_key")
    if not isinstance(key, str) or not key.strip():
        raise bad(f"{where}.api_key is required (your ElevenLabs API key)")
    if "model_id" in es and not isinstance(es["model_id"], str):
        raise bad(f"{where}.model_id must be a string such as eleven_flash_v2_5")
    for name in ELEVEN_UNIT:
        if name in es:
            _unit(es[name], f"{where}.{name}")
    if "use_speaker_boost" in es and not isinstance(es["use_speaker_boost"], bool):
        raise bad(f"{where}.use_speaker_boost must be true or false")
    return es


def pron_map(value: Any) -> dict[str, str]:
    where = "voice_params.pron_map"
    if not isinstance(value, dict):
        raise bad(f"{where} must be an object mapping words to how to say them")
    for word, said in value.items():
        if not word.strip() or not isinstance(said, str) or not said.strip():
            raise bad(f"{where} must map each word to how to say it (both non-empty "
                      f"text); {word!r} does not")
    return value


def voice_params(value: Any, state: SimulatorState, *, fast: bool) -> dict[str, Any] | None:
    """The checked ``voice_params`` (absent values dropped), or None."""
    if absent(value):
        return None
    if not isinstance(value, dict):
        raise bad("voice_params must be an object")
    vp = _present(value)
    if fast:
        _only(vp, FAST_KEYS, "voice_params", " with scene_mode fast_dialogue")
    else:
        why = " (voice_params.voice_id is for scene_mode fast_dialogue: send voice_id)" \
            if "voice_id" in vp else ""
        _only(vp, NORMAL_KEYS, "voice_params", why)
    if "speed" in vp:
        lo, hi = SPEED_RANGE
        _unit(vp["speed"], "voice_params.speed", lo, hi)
    if "pron_map" in vp:
        pron_map(vp["pron_map"])
    if "stt_language" in vp and not known_language(vp["stt_language"], state.language_codes):
        raise bad(f"voice_params.stt_language {vp['stt_language']!r} is not a language of "
                  "the language list")
    if "stt_type" in vp and vp["stt_type"] not in STT_TYPES:
        raise bad(f"voice_params.stt_type must be openai_realtime (got {vp['stt_type']!r})")
    if "turn_detection" in vp:
        vp["turn_detection"] = turn_detection(vp["turn_detection"])
    if "elevenlabs_settings" in vp:
        vp["elevenlabs_settings"] = elevenlabs(vp["elevenlabs_settings"])
    if fast and "voice_id" in vp:
        _fast_voice(vp["voice_id"], state, eleven="elevenlabs_settings" in vp)
    return vp or None


def _fast_voice(voice_id: Any, state: SimulatorState, *, eleven: bool) -> None:
    presets = ", ".join(catalog.OPENAI_VOICES)
    if not isinstance(voice_id, str):
        raise bad("voice_params.voice_id must be a string")
    if voice_id in state.voice_by_id:
        raise bad(f"voice {voice_id!r} is a Voice List voice: scene_mode fast_dialogue takes "
                  f"one of {presets}")
    if not eleven and voice_id not in catalog.OPENAI_VOICES:
        raise bad(f"voice_params.voice_id must be one of {presets} with scene_mode "
                  f"fast_dialogue (got {voice_id!r})")


def credentials(value: Any, stream_type: str) -> dict[str, Any] | None:
    """Bring-your-own room: the caller's credentials for ``stream_type``, or None."""
    if absent(value):
        return None
    if not isinstance(value, dict):
        raise bad("credentials must be an object")
    if stream_type not in BYO_KEYS:
        raise bad(f"credentials cannot be brought for stream_type {stream_type}: use "
                  f"{', '.join(BYO_KEYS)}")
    creds = {TRTC_DEMO_NAMES.get(k, k) if stream_type == "trtc" else k: v
             for k, v in value.items() if not absent(v)}
    shape = BYO_KEYS[stream_type]
    extra = sorted(set(creds) - set(shape))
    if extra:
        raise bad(f"credentials for {stream_type} do not take {', '.join(extra)}: "
                  f"send {', '.join(shape)}")
    missing = [k for k in shape if k not in creds]
    if missing:
        raise bad(f"credentials for {stream_type} need {', '.join(missing)}")
    for key, types in shape.items():
        v = creds[key]
        if isinstance(v, bool) or not isinstance(v, types) or (isinstance(v, str) and not v.strip()):
            kind = "a whole number" if types == (int,) else "text"
            raise bad(f"credentials.{key} must be {kind}")
    return creds


def parse(body: dict[str, Any], state: SimulatorState, stream_type: str) -> dict[str, Any]:
    """``SessionRecord`` options from a create body (everything but avatar_id, duration
    and stream_type)."""
    options: dict[str, Any] = {}
    scene_mode = string(body, "scene_mode")
    e2e_type = string(body, "e2e_type")
    if scene_mode is not None and scene_mode not in catalog.SCENE_MODES:
        raise bad(f"scene_mode must be fast_dialogue or left out (got {scene_mode!r})")
    fast = scene_mode == "fast_dialogue"
    if fast:
        if e2e_type not in catalog.E2E_TYPES:
            raise bad(f"scene_mode fast_dialogue needs e2e_type openai (got {e2e_type!r})")
        options["scene_mode"], options["e2e_type"] = scene_mode, e2e_type
    elif e2e_type is not None:
        raise bad("e2e_type only applies with scene_mode fast_dialogue")
    vp = voice_params(body.get("voice_params"), state, fast=fast)
    if vp is not None:
        options["voice_params"] = vp
    eleven = vp is not None and "elevenlabs_settings" in vp

    voice_id = string(body, "voice_id")
    if fast:
        for key in ("voice_id", "voice_url"):
            if absent(body.get(key)):
                continue
            if key == "voice_id" and voice_id in state.voice_by_id:
                raise bad(f"voice {voice_id!r} is a Voice List voice: scene_mode "
                          f"fast_dialogue takes one of {', '.join(catalog.OPENAI_VOICES)} "
                          "in voice_params.voice_id")
            raise bad(f"{key} does not apply with scene_mode fast_dialogue: the voice goes "
                      "in voice_params.voice_id")
    elif voice_id is not None:
        if not eleven:  # an ElevenLabs voice id is not in AKool's voice list
            voice = state.voice_by_id.get(voice_id)
            if voice is None:
                raise SimError(1008, f"voice {voice_id!r} not found; see the voice list")
            if not voice["support_stream"]:
                raise bad(f"voice {voice_id!r} does not support streaming "
                          f"({voice['voice_model_name']})")
        options["voice_id"] = voice_id

    language = string(body, "language")
    if language is not None:
        if language not in state.language_codes:
            raise bad(f"language {language!r} is not supported; see the language list")
        options["language"] = language
    if not absent(body.get("mode_type")):
        options["mode_type"] = choice(body["mode_type"], "mode_type", (1, 2))
    for key in ("voice_url", "background_url"):
        url = http_url(body, key)
        if url is not None:
            options[key] = url
    knowledge_id = string(body, "knowledge_id")
    if knowledge_id is not None:
        options["knowledge_id"] = state.knowledge_base(knowledge_id.strip()).oid
    creds = credentials(body.get("credentials"), stream_type)
    if creds is not None:
        options["byo_credentials"] = creds
    return options
