"""The config's values (no file here): the dataclasses the app reads, the error every
config problem is, and what counts as a secret or a one-off value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..api import errors
from ..api.constants import DEFAULT_AVATAR_ID
from ..api.secrets import mask

DEFAULT_BASE_URL = "https://openapi.akool.com"
APP_DIR = "akool-tui"
CONFIG_FILE = "config.toml"

#: environment variable -> top-level config key it overrides
ENV_OVERRIDES = {
    "AKOOL_API_KEY": "api_key",
    "AKOOL_CLIENT_ID": "client_id",
    "AKOOL_CLIENT_SECRET": "client_secret",
    "AKOOL_BASE_URL": "base_url",
}
SECRET_KEYS = frozenset({"api_key", "client_secret", "elevenlabs_api_key"})
#: where a value set for this run only comes from; such values are never saved
ONE_OFF_SOURCES = frozenset({"env", "flag", "demo"})
#: how the chat screen draws the avatar's video ([chat] video_mode)
VIDEO_MODES = ("auto", "pixels", "truecolor", "256", "off")
#: a config file larger than this is refused (it is a few hundred bytes)
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(errors.ConfigError):
    """The config file (or an override) is unusable. ``str()`` is one clear line."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                str(path) if path else "",
                f"line {line}" if line else "",
                f"key '{key}'" if key else "",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.key = key
        self.line = line


@dataclass
class UiConfig:
    theme: str = "akool-dark"
    mouse: bool = True
    animations: bool = False


@dataclass
class SessionDefaults:
    """What a new session is created with unless the user says otherwise."""

    avatar_id: str = DEFAULT_AVATAR_ID
    duration: int = 600
    stream_type: str = "agora"
    voice_id: str = ""
    language: str = "en"
    mode_type: int = 2
    background_url: str = ""
    speed: float = 1.0
    #: the knowledge base a dialogue session draws on ("": none)
    knowledge_id: str = ""
    #: "" (normal) or "fast_dialogue" (then voice_id is a preset voice: alloy, ash...)
    scene_mode: str = ""
    #: voice_params defaults ("" / None: not sent, the service's default)
    stt_language: str = ""
    stt_type: str = ""
    #: turn_detection type: "", "server_vad" or "semantic_vad"; the three numbers are
    #: sent only with server_vad
    turn_detection: str = ""
    turn_threshold: float | None = None
    turn_prefix_padding_ms: int | None = None
    turn_silence_duration_ms: int | None = None
    #: elevenlabs_settings; the key is a secret, kept here only when the user saves it
    elevenlabs_api_key: str = field(default="", repr=False)
    elevenlabs_model_id: str = ""
    elevenlabs_stability: float | None = None
    elevenlabs_similarity_boost: float | None = None
    elevenlabs_style: float | None = None
    elevenlabs_speaker_boost: bool | None = None


@dataclass
class LlmConfig:
    """An OpenAI-compatible endpoint for bring-your-own-LLM chat."""

    base_url: str = ""
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"


@dataclass
class ChatConfig:
    #: where ctrl+s writes transcripts ("": $XDG_DATA_HOME/akool-tui/exports)
    export_dir: str = ""
    #: the avatar's video in the chat screen: how it is drawn (auto | pixels | truecolor
    #: | 256 | off), frames painted per second at most (1..30), the panel's width in cells
    video_mode: str = "auto"
    video_fps: int = 10
    video_panel: int = 50


def file_key_paths(data: Any) -> set[str]:
    """The keys a config file (or a profile's table) sets: its top-level keys and, for a
    table such as ``[defaults]``, ``"defaults.language"`` for each key in it (what
    :meth:`Config.source_of` calls "file")."""
    keys: set[str] = set()
    for key, value in (data.items() if isinstance(data, dict) else ()):
        keys.add(key)
        if isinstance(value, dict) and key != "profiles":
            keys.update(f"{key}.{inner}" for inner in value)
    return keys


@dataclass
class Config:
    base_url: str = DEFAULT_BASE_URL
    api_key: str = ""
    client_id: str = ""
    client_secret: str = ""
    refresh_interval: float = 5.0
    #: seconds one API call may take in all; bytes one answer may decode to
    request_deadline: float = 30.0
    max_answer_mib: int = 32
    #: record conversations and session lifecycles (core.history); kept this many
    #: days and at most this many MB (applied when the console starts)
    history: bool = True
    history_days: int = 30
    history_max_mb: int = 200
    ui: UiConfig = field(default_factory=UiConfig)
    defaults: SessionDefaults = field(default_factory=SessionDefaults)
    llm: LlmConfig = field(default_factory=LlmConfig)
    chat: ChatConfig = field(default_factory=ChatConfig)
    keymap: dict[str, str] = field(default_factory=dict)
    #: a profile that may look but never change the account (core.readonly)
    read_only: bool = False
    #: the status line's colour for this profile ("": one picked from the name)
    color: str = ""
    #: the profile used when neither --profile nor AKOOL_PROFILE names one
    default_profile: str = ""
    #: the profile these values are ("default": the top-level keys; "demo": --demo)
    profile: str = "default"
    #: name -> the validated [profiles.NAME] table (see config.profiles)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what chose ``profile``: "--profile", "AKOOL_PROFILE", "default_profile" or ""
    profile_source: str = field(default="", repr=False, compare=False)
    #: the file this was loaded from (None: built in code, e.g. demo mode)
    path: Path | None = None
    #: key -> value set for this run only (environment, flag, demo): never written back
    env_values: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: key -> the file's own value for keys the environment overrode
    file_values: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: top-level keys the file defined
    file_keys: set[str] = field(default_factory=set, repr=False, compare=False)
    #: key -> "env", "flag" or "demo" for the keys in ``env_values``
    override_sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: what the file held as last read or written (see :func:`save_config`); None:
    #: built in code, the file is read at save time instead
    saved_items: dict[tuple[str, ...], Any] | None = field(default=None, repr=False,
                                                         compare=False)
    #: what the user should know about the file as read (it holds secrets others can read)
    load_warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key or (self.client_id and self.client_secret))

    @property
    def auth_mode(self) -> str:
        """``"client credentials"``, ``"api key"`` or ``"none"`` (as ``AkoolClient.auth_mode``).

        When both are set the client credentials (a bearer token) win, as
        ``Authorization`` wins over ``x-api-key`` on the service.
        """
        if self.client_id and self.client_secret:
            return "client credentials"
        if self.api_key:
            return "api key"
        return "none"

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :class:`akool_tui.api.client.AkoolClient`."""
        token = self.auth_mode == "client credentials"
        return {
            "base_url": self.base_url,
            "api_key": None if token or not self.api_key else self.api_key,
            "client_id": self.client_id if token else None,
            "client_secret": self.client_secret if token else None,
            "deadline": self.request_deadline,
            "max_body": self.max_answer_mib * 1024 * 1024,
        }

    def override(self, key: str, value: str, source: str) -> None:
        """Use ``value`` for top-level ``key`` for this run only (``source`` is ``"env"``,
        ``"flag"`` or ``"demo"``): :func:`save_config` never writes it, and keeps the
        file's own value."""
        if key in self.file_keys and key not in self.env_values:
            self.file_values[key] = getattr(self, key)
        self.env_values[key] = value
        self.override_sources[key] = source
        setattr(self, key, value)

    def source_of(self, key: str) -> str:
        """Where a value came from: ``"env"``, ``"flag"``, ``"demo"``, ``"file"`` or
        ``"default"``; ``key`` is top-level or in a table (``"defaults.language"``)."""
        if key in self.env_values and getattr(self, key) == self.env_values[key]:
            return self.override_sources.get(key, "env")
        if key in self.file_keys:
            return "file"
        return "default"

    def to_dict(self, *, masked: bool = False, for_file: bool = False) -> dict[str, Any]:
        """The config as TOML-shaped data.

        ``masked``: secrets reduced to their last 4 characters (for display).
        ``for_file``: what :func:`save_config` writes -- values that came from
        the environment are replaced by the file's own (or left out), and empty
        credentials are left out.
        """
        top: dict[str, Any] = {}
        for key in ("base_url", "api_key", "client_id", "client_secret"):
            value = getattr(self, key)
            if for_file and key in self.env_values and value == self.env_values[key]:
                if key not in self.file_values:
                    continue
                value = self.file_values[key]
            if for_file and key != "base_url" and not value:
                continue
            top[key] = mask(value) if masked and key in SECRET_KEYS else value
        top["refresh_interval"] = self.refresh_interval
        for key, default in (("request_deadline", 30.0), ("max_answer_mib", 32),
                             ("history", True), ("history_days", 30), ("history_max_mb", 200),
                             ("read_only", False), ("color", ""), ("default_profile", "")):
            value = getattr(self, key)
            if not for_file or value != default or key in self.file_keys:  # no clutter in files
                top[key] = value
        for name in ("ui", "defaults", "llm"):
            section = getattr(self, name)
            # None: not set (TOML has no null); secrets masked for display, and an
            # empty one left out of the file
            top[name] = {f.name: mask(value) if masked and value and f.name in SECRET_KEYS
                         else value for f in fields(section)
                         if (value := getattr(section, f.name)) is not None
                         and not (for_file and f.name in SECRET_KEYS and not value)}
        top["chat"] = {f.name: getattr(self.chat, f.name) for f in fields(self.chat)}
        top["keymap"] = dict(self.keymap)
        return top

    def __repr__(self) -> str:
        return (
            f"Config(base_url={self.base_url!r}, api_key={mask(self.api_key)!r}, "
            f"client_id={self.client_id!r}, client_secret={mask(self.client_secret)!r}, "
            f"refresh_interval={self.refresh_interval!r}, ui={self.ui!r}, "
            f"defaults={self.defaults!r}, llm={self.llm!r}, keymap={self.keymap!r}, "
            f"profile={self.profile!r}, read_only={self.read_only!r}, path={self.path!r})"
        )

    __str__ = __repr__
