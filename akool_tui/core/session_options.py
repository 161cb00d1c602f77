"""The options of a session create, as this program checks them before sending.

One set of rules for the CLI and the console (spec section 3): ``voice_params``
(speed, stt_language, stt_type, pron_map, turn_detection, elevenlabs_settings),
``scene_mode: fast_dialogue`` with ``e2e_type: openai`` and its preset voices, and
bring-your-own ``credentials`` for the stream type.

Two levels:

- per field, on the text a user typed (``check_*``): ``None`` or what is expected
  ("a number from 0 to 1"), as :mod:`.validators` -- a form shows it as you type;
- per request (:func:`request_problems`): every :class:`Problem` of a whole create
  request, each naming its field (``voice_params.turn_detection.threshold``), so the
  CLI exits 2 with all of them and the dialog refuses to send.

Messages never quote a secret value (an ElevenLabs key, a token): they name the key.
Secret values are remembered for masking (:func:`akool_tui.api.secrets.remember_secret`)
as soon as they are read (:func:`remember_secrets`).

Decisions where the spec leaves a choice: ``prefix_padding_ms`` / ``silence_duration_ms``
are whole milliseconds from 0 to 10 000; a ``pron_map`` holds at most
:data:`PRON_MAX_ENTRIES` entries of at most :data:`PRON_MAX_CHARS` characters each; a
voice that is not one of the ten presets is refused with fast_dialogue unless
``elevenlabs_settings`` is given (the voice is then ElevenLabs'). Options files:
:mod:`.options_files`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.secrets import is_secret_key, remember_secret
from .validators import SPEED_RANGE, _as_float, _as_int, validate_speed

if TYPE_CHECKING:
    from ..api.client import AkoolClient
    from ..api.knowledge import KnowledgeBase

#: the voices of ``scene_mode: fast_dialogue`` (OpenAI's realtime voices)
OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse",
                 "marin", "cedar")
FAST_DIALOGUE = "fast_dialogue"
SCENE_MODES = ("", FAST_DIALOGUE)  # "": the normal mode (scene_mode left out)
E2E_TYPE = "openai"
STT_TYPES = ("openai_realtime",)
TURN_TYPES = ("server_vad", "semantic_vad")
#: turn_detection fields that apply only with server_vad
SERVER_VAD_ONLY = ("threshold", "prefix_padding_ms", "silence_duration_ms")
#: the service's defaults for those (spec section 3)
TURN_DEFAULTS = {"threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500}
MAX_MS = 10_000
PRON_MAX_ENTRIES = 100
PRON_MAX_CHARS = 100
ELEVEN_UNIT = ("stability", "similarity_boost", "style")
ELEVEN_KEYS = ("api_key", "model_id", *ELEVEN_UNIT, "use_speaker_boost")
NORMAL_KEYS = ("speed", "pron_map", "stt_language", "stt_type", "turn_detection",
               "elevenlabs_settings")
FAST_KEYS = ("voice_id", "stt_language", "turn_detection", "elevenlabs_settings")

#: bring-your-own credentials by stream type: key -> (whole number?, secret?)
BYO_FIELDS: dict[str, dict[str, tuple[bool, bool]]] = {
    "agora": {"agora_uid": (True, False), "agora_app_id": (False, True),
              "agora_channel": (False, False), "agora_token": (False, True)},
    "livekit": {"livekit_url": (False, False), "livekit_token": (False, True),
                "livekit_room_name": (False, False), "livekit_client_identity": (False, False),
                "livekit_server_identity": (False, False)},
    "trtc": {"trtc_sdk_app_id": (True, True), "trtc_sdk_room_id": (False, False),
             "trtc_sdk_user_id": (False, False), "trtc_sdk_user_sig": (False, True)},
}
#: the official demo's TRTC names -> the OpenAPI file's (both are read)
TRTC_DEMO_NAMES = {"trtc_app_id": "trtc_sdk_app_id", "trtc_room_id": "trtc_sdk_room_id",
                   "trtc_user_id": "trtc_sdk_user_id", "trtc_user_sig": "trtc_sdk_user_sig"}
MAX_CREDENTIAL_CHARS = 4096

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,2}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a create request: the field's dotted path and what is
    wrong ("expected a number from 0 to 1", "does not apply with semantic_vad")."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _expected(where: str, text: str) -> Problem:
    return Problem(where, f"expected {text}")


# -- one field, as typed ---------------------------------------------------------------


def _blank(text: Any) -> bool:
    return text is None or (isinstance(text, str) and not text.strip())


def check_speed(text: Any) -> str | None:
    return None if _blank(text) else validate_speed(text)


def check_stt_language(text: Any) -> str | None:
    """A language code for speech recognition (``en``, ``en-US``); empty: none."""
    if _blank(text):
        return None
    if not isinstance(text, str) or not _LANGUAGE.fullmatch(text.strip()):
        return "a language code such as en or en-US"
    return None


def check_stt_type(text: Any) -> str | None:
    if _blank(text) or text in STT_TYPES:
        return None
    return "openai_realtime (or nothing)"


def check_turn_type(text: Any) -> str | None:
    if _blank(text) or text in TURN_TYPES:
        return None
    return "server_vad or semantic_vad (or nothing)"


def check_unit(text: Any) -> str | None:
    """A number from 0 to 1 (threshold, ElevenLabs stability...); empty: the default."""
    if _blank(text):
        return None
    f = _as_float(text)
    if f is None or not 0.0 <= f <= 1.0:
        return "a number from 0 to 1"
    return None


def check_ms(text: Any) -> str | None:
    """Whole milliseconds from 0 to 10 000; empty: the default."""
    if _blank(text):
        return None
    n = None if isinstance(text, float) and not text.is_integer() else _as_int(text)
    if n is None or not 0 <= n <= MAX_MS:
        return f"a whole number of ms from 0 to {MAX_MS:,}"
    return None


def check_pron_text(text: Any) -> str | None:
    """A word, or how to say it, in the pronunciation map."""
    if not isinstance(text, str) or not text.strip():
        return "some text (both the word and how to say it)"
    if len(text) > PRON_MAX_CHARS:
        return f"at most {PRON_MAX_CHARS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "text without control characters"
    return None


def check_fast_voice(voice: Any, *, elevenlabs: bool = False) -> str | None:
    """The voice of a fast_dialogue session: one of the ten presets, or (with
    ElevenLabs settings) an ElevenLabs voice id. A Voice List voice is refused."""
    if _blank(voice):
        return None
    if not isinstance(voice, str):
        return "a voice name"
    if elevenlabs or voice.strip() in OPENAI_VOICES:
        return None
    return ("one of the preset voices " + ", ".join(OPENAI_VOICES)
            + " (Voice List voices do not work with fast_dialogue)")


def check_credential(key: str, text: Any) -> str | None:
    """One bring-your-own credential value (``key`` in :data:`BYO_FIELDS`)."""
    whole = any(key in fields and fields[key][0] for fields in BYO_FIELDS.values())
    if _blank(text):
        return "a value"
    if whole:
        n = _as_int(text)
        return None if n is not None and n >= 0 else "a whole number"
    if not isinstance(text, str):
        return "text"
    if len(text) > MAX_CREDENTIAL_CHARS:
        return f"at most {MAX_CREDENTIAL_CHARS:,} characters"
    if key == "livekit_url" and not re.fullmatch(r"(?:wss?|https?)://[^\s/?#]+\S*", text.strip()):
        return "a LiveKit URL such as wss://example.livekit.cloud"
    return None


# -- whole structures ----------------------------------------------------------------


def _number(value: Any, where: str, lo: float, hi: float, found: list[Problem]) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        found.append(_expected(where, f"a number from {lo:g} to {hi:g}"))


def _only(values: Mapping[str, Any], allowed: tuple[str, ...], where: str, why: str,
          found: list[Problem]) -> None:
    for key in values:
        if key not in allowed:
            found.append(Problem(f"{where}.{key}", f"{why or f'is not a {where} option'} "
                                 f"({where} takes {', '.join(allowed)})"))


def _present(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and v != "" and v != {}}


def turn_detection_problems(value: Any, where: str = "voice_params.turn_detection"
                            ) -> list[Problem]:
    found: list[Problem] = []
    if not isinstance(value, Mapping):
        return [_expected(where, "a table with type (server_vad or semantic_vad)")]
    td = _present(value)
    _only(td, ("type", *SERVER_VAD_ONLY), where, "", found)
    kind = td.get("type")
    if kind not in TURN_TYPES:
        found.append(_expected(f"{where}.type", "server_vad or semantic_vad"))
    elif kind != "server_vad":
        for key in SERVER_VAD_ONLY:
            if key in td:
                found.append(Problem(f"{where}.{key}", f"does not apply with {kind} (only "
                                     "with server_vad)"))
    if "threshold" in td:
        _number(td["threshold"], f"{where}.threshold", 0, 1, found)
    for key in ("prefix_padding_ms", "silence_duration_ms"):
        if key in td and (isinstance(td[key], (bool, str)) or check_ms(td[key])):
            found.append(_expected(f"{where}.{key}", f"a whole number of ms from 0 to {MAX_MS:,}"))
    return found


def elevenlabs_problems(value: Any, where: str = "voice_params.elevenlabs_settings"
                        ) -> list[Problem]:
    found: list[Problem] = []
    if not isinstance(value, Mapping):
        return [_expected(where, "a table with api_key, model_id, stability...")]
    es = _present(value)
    _only(es, ELEVEN_KEYS, where, "", found)
    key = es.get("api_key")
    if not isinstance(key, str) or not key.strip():
        found.append(_expected(f"{where}.api_key", "your ElevenLabs API key"))
    if "model_id" in es and (not isinstance(es["model_id"], str) or len(es["model_id"]) > 200):
        found.append(_expected(f"{where}.model_id", "a model id such as eleven_flash_v2_5"))
    for name in ELEVEN_UNIT:
        if name in es:
            _number(es[name], f"{where}.{name}", 0, 1, found)
    if "use_speaker_boost" in es and not isinstance(es["use_speaker_boost"], bool):
        found.append(_expected(f"{where}.use_speaker_boost", "true or false"))
    return found


def pron_map_problems(value: Any, where: str = "voice_params.pron_map") -> list[Problem]:
    if not isinstance(value, Mapping):
        return [_expected(where, "a table mapping words to how to say them")]
    found: list[Problem] = []
    if len(value) > PRON_MAX_ENTRIES:
        found.append(_expected(where, f"at most {PRON_MAX_ENTRIES} words"))
    for n, (word, said) in enumerate(value.items(), 1):
        text = check_pron_text(word) or (check_pron_text(said) if isinstance(said, str)
                                         else "how to say it, as text")
        if text:
            found.append(_expected(f"{where}[{n}]", text))
    return found


def voice_params_problems(value: Any, *, fast: bool) -> list[Problem]:
    """What is wrong with a whole ``voice_params`` (for the normal mode, or for
    fast_dialogue when ``fast``)."""
    where = "voice_params"
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [_expected(where, "a table of voice options")]
    vp = _present(value)
    found: list[Problem] = []
    if fast:
        _only(vp, FAST_KEYS, where, "does not apply with fast_dialogue", found)
    else:
        _only({k: v for k, v in vp.items() if k != "voice_id"}, NORMAL_KEYS, where, "", found)
        if "voice_id" in vp:
            found.append(Problem(f"{where}.voice_id", "is for fast_dialogue only (the voice "
                                 "goes in voice_id)"))
    if "speed" in vp:
        _number(vp["speed"], f"{where}.speed", *SPEED_RANGE, found)
    if "pron_map" in vp:
        found += pron_map_problems(vp["pron_map"])
    if "stt_language" in vp and check_stt_language(vp["stt_language"]):
        found.append(_expected(f"{where}.stt_language", "a language code such as en or en-US"))
    if "stt_type" in vp and vp["stt_type"] not in STT_TYPES:
        found.append(_expected(f"{where}.stt_type", "openai_realtime"))
    if "turn_detection" in vp:
        found += turn_detection_problems(vp["turn_detection"])
    if "elevenlabs_settings" in vp:
        found += elevenlabs_problems(vp["elevenlabs_settings"])
    if fast and "voice_id" in vp and (text := check_fast_voice(
            vp["voice_id"], elevenlabs="elevenlabs_settings" in vp)):
        found.append(_expected(f"{where}.voice_id", text))
    return found


def canonical_credentials(value: Mapping[str, Any], stream_type: str) -> dict[str, Any]:
    """Bring-your-own credentials with the TRTC demo's names read as the OpenAPI
    file's, empty values left out, and whole numbers typed as such."""
    out: dict[str, Any] = {}
    shape = BYO_FIELDS.get(stream_type, {})
    for key, item in value.items():
        key = TRTC_DEMO_NAMES.get(key, key) if stream_type == "trtc" else key
        if item is None or (isinstance(item, str) and not item.strip()):
            continue
        if key in shape and shape[key][0] and isinstance(item, str):
            n = _as_int(item)
            item = n if n is not None else item
        out[key] = item.strip() if isinstance(item, str) else item
    return out


def credentials_problems(value: Any, stream_type: str) -> list[Problem]:
    """What is wrong with bring-your-own ``credentials`` for ``stream_type``."""
    where = "credentials"
    if value is None or value == {}:
        return []
    if not isinstance(value, Mapping):
        return [_expected(where, "a table of credentials")]
    shape = BYO_FIELDS.get(stream_type)
    if shape is None:
        return [Problem(where, f"cannot be brought for stream type {stream_type} (only "
                        f"for {', '.join(BYO_FIELDS)})")]
    creds = canonical_credentials(value, stream_type)
    found = [Problem(f"{where}.{key}", f"is not a {stream_type} credential ({stream_type} "
                     f"takes {', '.join(shape)})") for key in creds if key not in shape]
    for key in shape:
        if key not in creds:
            found.append(_expected(f"{where}.{key}", "a value (all of them or none)"))
        elif isinstance(creds[key], bool):  # JSON true/false is neither a number nor text
            found.append(_expected(f"{where}.{key}", "a whole number" if shape[key][0] else "text"))
        elif text := check_credential(key, creds[key]):
            found.append(_expected(f"{where}.{key}", "a whole number" if shape[key][0] else text))
    return found


def request_problems(request: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a create request (``create_session``'s keyword arguments)."""
    fast = request.get("scene_mode") == FAST_DIALOGUE
    found: list[Problem] = []
    scene = request.get("scene_mode")
    if scene not in (None, *SCENE_MODES):
        found.append(_expected("scene_mode", "fast_dialogue (or nothing)"))
    if fast and request.get("e2e_type") != E2E_TYPE:
        found.append(_expected("e2e_type", "openai with fast_dialogue"))
    if not fast and request.get("e2e_type"):
        found.append(Problem("e2e_type", "applies only with scene_mode fast_dialogue"))
    if fast:
        for key in ("voice_id", "voice_url"):
            if request.get(key):
                found.append(Problem(key, "does not apply with fast_dialogue (the voice goes "
                                     "in voice_params.voice_id)"))
    found += voice_params_problems(request.get("voice_params"), fast=fast)
    found += credentials_problems(request.get("credentials"), str(request.get("stream_type")))
    return found


# -- secrets ---------------------------------------------------------------------------


def remember_secrets(value: Any, *, secret: bool = False) -> None:
    """Remember every secret value in ``value`` (under a secret key, recursively, or
    all of it when ``secret``) so that any log line or error text masks it."""
    for text in secret_values(value, secret=secret):
        remember_secret(text)


def secret_values(value: Any, *, secret: bool = False) -> set[str]:
    """The secret values held in ``value`` (as :func:`remember_secrets` finds them)."""
    out: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            out |= secret_values(item, secret=secret or is_secret_key(str(key)))
    elif isinstance(value, (list, tuple)):
        for item in value:
            out |= secret_values(item, secret=secret)
    elif secret and isinstance(value, (str, int)) and not isinstance(value, bool):
        out.add(str(value))
    return out


# -- knowledge bases to choose from ----------------------------------------------------


async def knowledge_choices(client: AkoolClient) -> list[KnowledgeBase]:
    """Every knowledge base a session can use: yours first, then AKool's."""
    import asyncio

    from ..api.knowledge import FROM_SYSTEM, FROM_USER

    yours, akools = await asyncio.gather(client.list_all_knowledge(source=FROM_USER),
                                         client.list_all_knowledge(source=FROM_SYSTEM))
    seen = {kb.id for kb in yours}
    return [*yours, *(kb for kb in akools if kb.id not in seen)]
