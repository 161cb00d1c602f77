"""The user's config file: discovery, validation, environment overrides, safe writes.

One TOML file, ``$AKOOL_TUI_CONFIG`` or ``$XDG_CONFIG_HOME/akool-tui/config.toml``
(``~/.config/akool-tui/config.toml`` without XDG). It is read with stdlib
``tomllib`` (a regular file of at most 1 MiB: never a FIFO or a device) and
updated with ``tomlkit``, atomically and with mode 0600 because it may hold an
API key. A save changes only the keys the app changed: the user's comments,
order, formatting and other keys stay, and a symlinked file stays a symlink
(its target is updated)::

    base_url = "https://openapi.akool.com"
    api_key = "..."            # or client_id + client_secret
    refresh_interval = 5.0

    [ui]
    theme = "akool-dark"

    [defaults]                 # what a new session starts with
    duration = 600
    stream_type = "agora"

    [llm]                      # bring-your-own LLM (OpenAI-compatible)
    base_url = "http://127.0.0.1:11434/v1"

    [keymap]                   # binding id -> key
    refresh = "ctrl+r"

    [chat]
    export_dir = "~/transcripts"   # default $XDG_DATA_HOME/akool-tui/exports

Every problem -- malformed TOML, an unknown key, a value of the wrong type or out
of range -- is a :class:`ConfigError` whose message names the file, the line and
the key, and says what is expected. ``AKOOL_API_KEY``, ``AKOOL_CLIENT_ID``,
``AKOOL_CLIENT_SECRET`` and ``AKOOL_BASE_URL`` override the file, as do
``--base-url`` and ``--demo`` (:meth:`Config.override`); none of these one-off
values is ever written back to it. ``[profiles.NAME]`` tables hold further accounts
(:mod:`.profiles`: ``--profile``, ``AKOOL_PROFILE``, ``default_profile``); what the
app saves under a profile goes into that profile's table. No Textual import here.

The package: :mod:`.model` (the values), :mod:`.schema` (keys, types, checks, errors
naming the line) and :mod:`.store` (the file: discovery, loading, saving).
"""

from __future__ import annotations

from .model import (
    APP_DIR,
    CONFIG_FILE,
    DEFAULT_BASE_URL,
    ENV_OVERRIDES,
    MAX_CONFIG_BYTES,
    ONE_OFF_SOURCES,
    SECRET_KEYS,
    ChatConfig,
    Config,
    ConfigError,
    LlmConfig,
    SessionDefaults,
    UiConfig,
)
from .profiles import (
    DEFAULT_PROFILE,
    DEMO_PROFILE,
    PROFILE_ENV,
    profile_color,
    profile_names,
    select_profile,
    text_color_on,
)
from .schema import _SECTIONS, _TOP, find_key_line, parse_config, validate_config
from .store import config_path, load_config, save_config

#: what the CLI and the console say when there are no credentials ({path}: the config file)
NO_CREDENTIALS = (
    "no AKool credentials: set AKOOL_API_KEY (or AKOOL_CLIENT_ID and AKOOL_CLIENT_SECRET), "
    "put them in {path}, or try the offline demo: akool-tui --demo"
)

__all__ = [
    "NO_CREDENTIALS",
    "APP_DIR", "CONFIG_FILE", "DEFAULT_BASE_URL", "ENV_OVERRIDES", "MAX_CONFIG_BYTES",
    "ONE_OFF_SOURCES", "SECRET_KEYS", "_SECTIONS", "_TOP", "ChatConfig", "Config",
    "ConfigError", "DEFAULT_PROFILE", "DEMO_PROFILE", "PROFILE_ENV", "profile_color",
    "profile_names", "select_profile", "text_color_on", "LlmConfig", "SessionDefaults",
    "UiConfig", "config_path",
    "find_key_line", "load_config", "parse_config", "save_config", "validate_config",
]
