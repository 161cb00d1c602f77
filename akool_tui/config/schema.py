"""The config file's schema: every key, its type and what it accepts
(:mod:`akool_tui.core.validators`), and reading parsed TOML into a
:class:`~.model.Config` with errors that name the file, the line and the key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import session_options as so
from ..core import validators as v
from ..core.text import CELL, safe
from .model import (
    SECRET_KEYS,
    ChatConfig,
    Config,
    ConfigError,
    LlmConfig,
    SessionDefaults,
    VIDEO_MODES,
    UiConfig,
    file_key_paths,
)
from .profiles import RESERVED, color_problem, known_profiles_text, profile_name_problem

# -- schema -------------------------------------------------------------------

Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class _Spec:
    kind: str  # "string" | "boolean" | "integer" | "number"
    check: Check | None = None


_KIND_NAMES = {"string": "a string", "boolean": "true or false",
               "integer": "an integer", "number": "a number"}


def _export_dir_problem(value: str) -> str | None:
    if value and ("\x00" in value or not os.path.isabs(os.path.expanduser(value))):
        return 'an absolute folder (or one starting with ~/), or "" for the default'
    return None


#: the create options' defaults (core.session_options has the rules)
OPTION_SPECS: dict[str, _Spec] = {
    "scene_mode": _Spec("string", lambda x: None if x in so.SCENE_MODES
                        else '"fast_dialogue", or "" for the normal mode'),
    "stt_language": _Spec("string", so.check_stt_language),
    "stt_type": _Spec("string", so.check_stt_type),
    "turn_detection": _Spec("string", so.check_turn_type),
    "turn_threshold": _Spec("number", so.check_unit),
    "turn_prefix_padding_ms": _Spec("integer", so.check_ms),
    "turn_silence_duration_ms": _Spec("integer", so.check_ms),
    "elevenlabs_api_key": _Spec("string"),
    "elevenlabs_model_id": _Spec("string"),
    "elevenlabs_stability": _Spec("number", so.check_unit),
    "elevenlabs_similarity_boost": _Spec("number", so.check_unit),
    "elevenlabs_style": _Spec("number", so.check_unit),
    "elevenlabs_speaker_boost": _Spec("boolean"),
}

_TOP: dict[str, _Spec] = {
    "base_url": _Spec("string", v.validate_base_url),
    "api_key": _Spec("string"),
    "client_id": _Spec("string"),
    "client_secret": _Spec("string"),
    "refresh_interval": _Spec("number", v.validate_refresh_interval),
    "request_deadline": _Spec("number", lambda x: None if 1 <= x <= 3600
                              else "a number of seconds from 1 to 3600"),
    "max_answer_mib": _Spec("integer", lambda x: None if 1 <= x <= 1024
                            else "a whole number of MiB from 1 to 1024"),
    "history": _Spec("boolean"),
    "history_days": _Spec("integer", lambda x: None if 1 <= x <= 36500
                          else "a whole number of days from 1 to 36500"),
    "history_max_mb": _Spec("integer", lambda x: None if 1 <= x <= 1_000_000
                            else "a whole number of MB from 1 to 1000000"),
    "read_only": _Spec("boolean"),
    "color": _Spec("string", lambda x: color_problem(x)),
    "default_profile": _Spec("string", lambda x: x and profile_name_problem(x) or None),
}
#: top-level keys a [profiles.NAME] table may not hold (they are about all profiles)
_NOT_IN_PROFILE = frozenset({"default_profile", "keymap", "profiles"})
_SECTIONS: dict[str, tuple[type, dict[str, _Spec]]] = {
    "ui": (UiConfig, {
        "theme": _Spec("string"),
        "mouse": _Spec("boolean"),
        "animations": _Spec("boolean"),
    }),
    "defaults": (SessionDefaults, {
        "avatar_id": _Spec("string", v.validate_session_avatar_id),
        "duration": _Spec("integer", v.validate_duration),
        "stream_type": _Spec("string", v.validate_stream_type),
        "voice_id": _Spec("string"),
        "language": _Spec("string"),
        "mode_type": _Spec("integer", v.validate_mode_type),
        "background_url": _Spec("string", lambda x: v.validate_http_url(x, allow_empty=True)),
        "speed": _Spec("number", v.validate_speed),
        "knowledge_id": _Spec("string"),
        **OPTION_SPECS,
    }),
    "llm": (LlmConfig, {
        "base_url": _Spec("string", lambda x: x and v.validate_base_url(x) or None),
        "model": _Spec("string"),
        "api_key_env": _Spec("string"),
    }),
    "chat": (ChatConfig, {
        "export_dir": _Spec("string", _export_dir_problem),
        "video_mode": _Spec("string", lambda x: None if x in VIDEO_MODES
                            else "one of " + ", ".join(VIDEO_MODES)),
        "video_fps": _Spec("integer", lambda x: None if 1 <= x <= 30
                           else "frames per second from 1 to 30"),
        "video_panel": _Spec("integer", lambda x: None if 20 <= x <= 200
                             else "a width in cells from 20 to 200"),
    }),
}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


class _Reader:
    """Validates parsed TOML data; knows the file and its text to name lines."""

    def __init__(self, path: Path | None, text: str | None) -> None:
        self.path = path
        self.text = text

    def fail(self, key: str, message: str) -> ConfigError:
        line = find_key_line(self.text, key) if self.text else None
        return ConfigError(message, path=self.path, key=key, line=line)

    def value(self, key: str, spec: _Spec, value: Any) -> Any:
        if not _type_ok(spec.kind, value):
            raise self.fail(key, f"expected {_KIND_NAMES[spec.kind]}, got {_type_name(value)}")
        problem = spec.check(value) if spec.check else None
        if problem:
            raise self.fail(key, f"expected {problem}{_shown(key, value)}")
        return float(value) if spec.kind == "number" else value

    def config(self, data: Mapping[str, Any]) -> Config:
        cfg = Config()
        for key, raw in data.items():
            if key in _TOP:
                setattr(cfg, key, self.value(key, _TOP[key], raw))
            elif key in _SECTIONS:
                setattr(cfg, key, self.section(key, raw))
            elif key == "keymap":
                cfg.keymap = self.keymap(raw)
            elif key == "profiles":
                cfg.profiles = self.profiles(raw)
            else:
                raise self.fail(key, "unknown key" + _known_hint(key, _all_top_keys()))
        cfg.file_keys = file_key_paths(data)
        return cfg

    def section(self, name: str, raw: Any, prefix: str = "") -> Any:
        return _SECTIONS[name][0](**self.section_values(name, raw, prefix))

    def section_values(self, name: str, raw: Any, prefix: str = "") -> dict[str, Any]:
        specs = _SECTIONS[name][1]
        if not isinstance(raw, dict):
            raise self.fail(prefix + name,
                            f"expected a table [{prefix}{name}], got {_type_name(raw)}")
        values = {}
        for key, value in raw.items():
            dotted = f"{prefix}{name}.{key}"
            if key not in specs:
                raise self.fail(dotted, "unknown key" + _known_hint(key, specs))
            values[key] = self.value(dotted, specs[key], value)
        return values

    def profiles(self, raw: Any) -> dict[str, dict[str, Any]]:
        """``[profiles.NAME]`` tables: the top-level keys and sections, checked the same
        way (a profile's values, not yet applied: see :mod:`.profiles`)."""
        if not isinstance(raw, dict):
            raise self.fail("profiles", f"expected tables [profiles.NAME], got {_type_name(raw)}")
        out: dict[str, dict[str, Any]] = {}
        for name, table in raw.items():
            prefix = f"profiles.{name}"
            if problem := profile_name_problem(name):
                raise self.fail(prefix, f"bad profile name: expected {problem}")
            if name in RESERVED:
                raise self.fail(prefix, f"'{name}' is a reserved profile name ('default' is "
                                        "the top-level keys, 'demo' the offline demo's)")
            if not isinstance(table, dict):
                raise self.fail(prefix, f"expected a table [{prefix}], got {_type_name(table)}")
            values: dict[str, Any] = {}
            for key, value in table.items():
                dotted = f"{prefix}.{key}"
                if key in _TOP and key not in _NOT_IN_PROFILE:
                    values[key] = self.value(dotted, _TOP[key], value)
                elif key in _SECTIONS:
                    values[key] = self.section_values(key, value, prefix + ".")
                elif key in _NOT_IN_PROFILE:
                    raise self.fail(dotted, "not allowed in a profile (it is about every "
                                            "profile: set it at the top level)")
                else:
                    known = [k for k in (*_TOP, *_SECTIONS) if k not in _NOT_IN_PROFILE]
                    raise self.fail(dotted, "unknown key" + _known_hint(key, known))
            out[name] = values
        return out

    def keymap(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict):
            raise self.fail("keymap", f"expected a table [keymap], got {_type_name(raw)}")
        for key, value in raw.items():
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"keymap.{key}", "expected a key such as \"ctrl+r\" "
                            f"(several separated by commas), got {_type_name(value)}")
            bad = [k for k in (k.strip() for k in value.split(",")) if not _KEY.fullmatch(k)]
            if bad:
                raise self.fail(f"keymap.{key}", f"expected keys such as \"ctrl+r\", \"f5\" "
                                f"or \"question_mark\" (several separated by commas), got "
                                f"{safe(value, limit=CELL)!r}")
        return dict(raw)


#: a key as Textual names it: modifiers, then one character or a key's name
_KEY = re.compile(r"((ctrl|alt|shift|meta|super|hyper)\+)*([^\s,]|[a-z][a-z0-9_]*)")


def _shown(key: str, value: Any) -> str:
    """``", got <value>"`` unless the value may hold a secret (keys, URLs with user info)."""
    if key.split(".")[-1] in SECRET_KEYS or (isinstance(value, str) and "@" in value):
        return ""
    return f", got {value!r}"


def _all_top_keys() -> list[str]:
    return [*_TOP, *_SECTIONS, "keymap", "profiles"]


def _known_hint(key: str, known) -> str:
    from difflib import get_close_matches

    close = get_close_matches(key, list(known), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return " (known keys: " + ", ".join(known) + ")"


# -- locating a key's line in the text -----------------------------------------

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN_RE = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+))*)\s*=""")
_PART_RE = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*""")


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART_RE.findall(text))


def find_key_line(text: str | None, dotted_key: str) -> int | None:
    """The 1-based line defining ``dotted_key`` (``"defaults.duration"``), or None.

    Follows ``[table]`` headers and dotted keys; falls back to the first line
    assigning the last part of the key (inline tables).
    """
    if not text:
        return None
    want = tuple(dotted_key.split("."))
    table: tuple[str, ...] = ()
    fallback = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == want:
                return number
            continue
        assign = _ASSIGN_RE.match(line)
        if assign:
            key = table + _split_key(assign.group(1))
            if key == want or want[: len(key)] == key and len(key) < len(want) and "{" in line:
                return number
        if fallback is None and re.search(
            r"""(^|[\s{,."'])["']?""" + re.escape(want[-1]) + r"""["']?\s*=""", line
        ):
            fallback = number
    return fallback


# -- parsing and checking -------------------------------------------------------


def parse_config(text: str, path: Path | None = None) -> Config:
    """Parse and validate TOML text (no environment overrides)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, path) from None
    reader = _Reader(path, text)
    cfg = reader.config(data)
    cfg.path = path
    wanted = cfg.default_profile
    if wanted and wanted != "default" and wanted not in cfg.profiles:
        raise reader.fail("default_profile", f"no profile '{wanted}' in the file; "
                          f"{known_profiles_text(cfg)}")
    return cfg


def _toml_error(exc: tomllib.TOMLDecodeError, path: Path | None) -> ConfigError:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    if line is None:
        m = re.search(r"line (\d+)", message)
        line = int(m.group(1)) if m else None
    # "Invalid value (at line 3, column 7)" -> "invalid TOML: Invalid value (column 7)"
    message = re.sub(r"\(at line \d+, column (\d+)\)", r"(column \1)", message)
    message = re.sub(r"\(at line \d+\)", "", message).strip()
    return ConfigError(f"invalid TOML: {message}", path=path, line=line)


def validate_config(cfg: Config) -> None:
    """Raise :class:`ConfigError` if ``cfg`` holds a value the file could not."""
    _Reader(cfg.path, None).config(cfg.to_dict())
