"""Profiles: several accounts in one config file, one of them used per run.

::

    default_profile = "staging"      # used when neither --profile nor AKOOL_PROFILE says

    [profiles.prod]
    api_key = "..."                  # or client_id + client_secret
    base_url = "https://openapi.akool.com"
    read_only = true                 # look, never change (core.readonly)
    color = "red"                    # the status line's badge

    [profiles.prod.defaults]         # any top-level section, as at the top level
    duration = 300

The top-level keys are the profile named ``default``. A profile inherits the
preferences of the top level (refresh interval, ``[ui]``, ``[defaults]``, ``[llm]``,
``[chat]``, the keymap) and overrides what it sets; its connection -- ``base_url``
and the credentials -- is never inherited: a staging profile without a key sends no
production key to the staging URL. ``default_profile``, ``[keymap]`` and
``[profiles]`` belong to the top level only. ``demo`` is the ``--demo`` profile and
``default`` the top level: neither can be a ``[profiles.NAME]`` table.

Which profile: ``--profile`` > ``$AKOOL_PROFILE`` > ``default_profile`` > the top
level. No Textual import here.
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from typing import TYPE_CHECKING, Any

from .model import DEFAULT_BASE_URL, ConfigError, file_key_paths

if TYPE_CHECKING:
    from .model import Config

DEFAULT_PROFILE = "default"
DEMO_PROFILE = "demo"
RESERVED = frozenset({DEFAULT_PROFILE, DEMO_PROFILE})
PROFILE_ENV = "AKOOL_PROFILE"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
#: what a profile never takes from the top level
CONNECTION_KEYS = ("base_url", "api_key", "client_id", "client_secret")

#: colour names the config accepts (besides "#rrggbb" and "#rgb")
COLOR_NAMES: dict[str, str] = {
    "red": "#d93f3f", "orange": "#e07b24", "yellow": "#d6b52c", "green": "#3f9f4f",
    "teal": "#2a9d8f", "cyan": "#35a7c9", "blue": "#3f6fd9", "purple": "#8a55d0",
    "magenta": "#c0449b", "pink": "#e27aa6", "brown": "#9a6a3f", "gray": "#8a8a8a",
    "grey": "#8a8a8a", "white": "#eeeeee",
}
#: the colours a profile gets from its name when it sets none (red is left out: a
#: user marks production red; a hash should not)
_HASH_COLORS = ("blue", "teal", "purple", "orange", "cyan", "green", "magenta", "brown")
_HEX_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def profile_name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        return ("1-32 letters, digits, '_', '.' or '-', starting with a letter or digit"
                f", got {name!r}"[:120])
    return None


def color_problem(value: str) -> str | None:
    if not value or value.lower() in COLOR_NAMES or _HEX_RE.fullmatch(value):
        return None
    return ('"#rrggbb", "#rgb" or one of ' + ", ".join(n for n in COLOR_NAMES if n != "grey")
            + ' ("": picked from the name)')


def profile_color(name: str, color: str = "") -> str:
    """The profile's colour as ``#rrggbb``: the configured one, else one from its name
    (the same name always gets the same colour)."""
    if color:
        if color.lower() in COLOR_NAMES:
            return COLOR_NAMES[color.lower()]
        if len(color) == 4:
            return "#" + "".join(c * 2 for c in color[1:]).lower()
        return color.lower()
    return COLOR_NAMES[_HASH_COLORS[zlib.crc32(name.encode()) % len(_HASH_COLORS)]]


def text_color_on(background: str) -> str:
    """Black or white, whichever reads on ``background`` (``#rrggbb``)."""
    r, g, b = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#ffffff"


def profile_names(cfg: Config) -> list[str]:
    """Every profile the file defines, ``default`` (the top level) first."""
    return [DEFAULT_PROFILE, *sorted(cfg.profiles)]


def known_profiles_text(cfg: Config) -> str:
    return "known profiles: " + ", ".join(profile_names(cfg))


def wanted_profile(cfg: Config, flag: str | None, env: Any) -> tuple[str, str]:
    """(name, where it came from): ``--profile`` > ``$AKOOL_PROFILE`` > the file's
    ``default_profile`` > the top level."""
    if flag:
        return flag, "--profile"
    from_env = (env.get(PROFILE_ENV) or "").strip()
    if from_env:
        return from_env, PROFILE_ENV
    if cfg.default_profile:
        return cfg.default_profile, "default_profile"
    return DEFAULT_PROFILE, ""


def select_profile(cfg: Config, name: str, *, source: str = "--profile") -> Config:
    """``cfg`` (the file's top level) with the profile ``name`` applied: a new Config
    (``cfg`` itself for ``default``). Raises :class:`ConfigError` naming the known
    profiles when there is no such profile."""
    if name == DEFAULT_PROFILE:
        cfg.profile = DEFAULT_PROFILE
        return cfg
    if name == DEMO_PROFILE:
        raise ConfigError("profile 'demo' is the offline demo's own: run akool-tui --demo")
    if name not in cfg.profiles:
        where = "" if source == "--profile" else f" ({source})"
        raise ConfigError(f"unknown profile '{name}'{where}; {known_profiles_text(cfg)}",
                          path=cfg.path)
    data = cfg.profiles[name]
    new = dataclasses.replace(
        cfg, keymap=dict(cfg.keymap), profiles=dict(cfg.profiles), profile=name,
        read_only=False, color="", env_values={}, file_values={}, override_sources={},
        **{key: "" for key in CONNECTION_KEYS})
    new.base_url = DEFAULT_BASE_URL
    for key, value in data.items():
        if isinstance(value, dict):
            setattr(new, key, dataclasses.replace(getattr(cfg, key), **value))
        else:
            setattr(new, key, value)
    new.file_keys = (set(cfg.file_keys) - set(CONNECTION_KEYS)) | file_key_paths(data)
    return new
