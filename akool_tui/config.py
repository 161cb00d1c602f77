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
values is ever written back to it. No Textual import here.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .core import validators as v
from .api import errors
from .api.constants import DEFAULT_AVATAR_ID
from .api.secrets import mask
from .core.files import UnsafeFile, read_regular

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
SECRET_KEYS = frozenset({"api_key", "client_secret"})
#: where a value set for this run only comes from; such values are never saved
ONE_OFF_SOURCES = frozenset({"env", "flag", "demo"})
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
    ui: UiConfig = field(default_factory=UiConfig)
    defaults: SessionDefaults = field(default_factory=SessionDefaults)
    llm: LlmConfig = field(default_factory=LlmConfig)
    chat: ChatConfig = field(default_factory=ChatConfig)
    keymap: dict[str, str] = field(default_factory=dict)
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
        """Where a top-level value came from: ``"env"``, ``"flag"``, ``"demo"``, ``"file"``
        or ``"default"``."""
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
        for key, default in (("request_deadline", 30.0), ("max_answer_mib", 32)):
            value = getattr(self, key)
            if not for_file or value != default or key in self.file_keys:  # no clutter in files
                top[key] = value
        for name in ("ui", "defaults", "llm"):
            section = getattr(self, name)
            top[name] = {f.name: getattr(section, f.name) for f in fields(section)}
        top["chat"] = {f.name: getattr(self.chat, f.name) for f in fields(self.chat)}
        top["keymap"] = dict(self.keymap)
        return top

    def __repr__(self) -> str:
        return (
            f"Config(base_url={self.base_url!r}, api_key={mask(self.api_key)!r}, "
            f"client_id={self.client_id!r}, client_secret={mask(self.client_secret)!r}, "
            f"refresh_interval={self.refresh_interval!r}, ui={self.ui!r}, "
            f"defaults={self.defaults!r}, llm={self.llm!r}, keymap={self.keymap!r}, "
            f"path={self.path!r})"
        )

    __str__ = __repr__


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
}
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
    }),
    "llm": (LlmConfig, {
        "base_url": _Spec("string", lambda x: x and v.validate_base_url(x) or None),
        "model": _Spec("string"),
        "api_key_env": _Spec("string"),
    }),
    "chat": (ChatConfig, {
        "export_dir": _Spec("string", _export_dir_problem),
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
            else:
                raise self.fail(key, "unknown key" + _known_hint(key, _all_top_keys()))
        cfg.file_keys = set(data)
        return cfg

    def section(self, name: str, raw: Any) -> Any:
        cls, specs = _SECTIONS[name]
        if not isinstance(raw, dict):
            raise self.fail(name, f"expected a table [{name}], got {_type_name(raw)}")
        values = {}
        for key, value in raw.items():
            dotted = f"{name}.{key}"
            if key not in specs:
                raise self.fail(dotted, "unknown key" + _known_hint(key, specs))
            values[key] = self.value(dotted, specs[key], value)
        return cls(**values)

    def keymap(self, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict):
            raise self.fail("keymap", f"expected a table [keymap], got {_type_name(raw)}")
        for key, value in raw.items():
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"keymap.{key}", "expected a key such as \"ctrl+r\" "
                            f"(several separated by commas), got {_type_name(value)}")
        return dict(raw)


def _shown(key: str, value: Any) -> str:
    """``", got <value>"`` unless the value may hold a secret (keys, URLs with user info)."""
    if key.split(".")[-1] in SECRET_KEYS or (isinstance(value, str) and "@" in value):
        return ""
    return f", got {value!r}"


def _all_top_keys() -> list[str]:
    return [*_TOP, *_SECTIONS, "keymap"]


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


# -- discovery, loading, saving ---------------------------------------------------


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$AKOOL_TUI_CONFIG``, else ``$XDG_CONFIG_HOME/akool-tui/config.toml``,
    else ``~/.config/akool-tui/config.toml``."""
    env = os.environ if env is None else env
    explicit = env.get("AKOOL_TUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    xdg = env.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / APP_DIR / CONFIG_FILE


def _read_text(path: Path) -> str | None:
    """The file's text, or None when there is no file. Only a regular file of at most
    :data:`MAX_CONFIG_BYTES` is read: a FIFO, a device or a huge file is an error."""
    try:
        data = read_regular(path, limit=MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None
    except UnsafeFile as exc:
        raise ConfigError(f"{exc}; the config must be a TOML file", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}",
                          path=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError("the file is not valid UTF-8", path=path, line=line) from None


def parse_config(text: str, path: Path | None = None) -> Config:
    """Parse and validate TOML text (no environment overrides)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, path) from None
    cfg = _Reader(path, text).config(data)
    cfg.path = path
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


def load_config(path: Path | str | None = None, env: Mapping[str, str] | None = None, *,
                missing_ok: bool = True) -> Config:
    """The config from ``path`` (default :func:`config_path`) with environment overrides.

    A missing file gives the defaults, unless ``missing_ok`` is false (a path the user
    named with ``--config``). Raises :class:`ConfigError`.
    """
    env = os.environ if env is None else env
    path = Path(path).expanduser() if path is not None else config_path(env)
    text = _read_text(path)
    if text is None and not missing_ok:
        raise ConfigError("no such config file", path=path)
    cfg = parse_config(text, path) if text is not None else Config(path=path)
    cfg.path = path
    for var, key in ENV_OVERRIDES.items():
        value = env.get(var, "").strip()
        if not value:
            continue
        if key == "base_url":
            problem = v.validate_base_url(value)
            if problem:
                raise ConfigError(f"{var}: expected {problem}{_shown(key, value)}")
        cfg.override(key, value, "env")
    cfg.saved_items = _file_items(cfg)
    return cfg


def validate_config(cfg: Config) -> None:
    """Raise :class:`ConfigError` if ``cfg`` holds a value the file could not."""
    _Reader(cfg.path, None).config(cfg.to_dict())


def _flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, (*prefix, key)))
        else:
            out[(*prefix, key)] = value
    return out


def _one_off(cfg: Config, key: tuple[str, ...]) -> bool:
    return len(key) == 1 and cfg.source_of(key[0]) in ONE_OFF_SOURCES


def _file_items(cfg: Config) -> dict[tuple[str, ...], Any]:
    """What the file should say, key path -> value, without one-off (env/flag/demo) values."""
    return {key: value for key, value in _flatten(cfg.to_dict(for_file=True)).items()
            if not _one_off(cfg, key)}


def _items_of_text(text: str | None) -> dict[tuple[str, ...], Any]:
    """What a file says, over the defaults (for a config built in code)."""
    items = _file_items(Config())
    if text:
        try:
            items.update(_flatten(tomllib.loads(text)))
        except tomllib.TOMLDecodeError:
            pass
    return items


def _resolve_target(target: Path) -> Path:
    """The file to replace: a symlink's final target (the link itself stays)."""
    if not target.is_symlink():
        return target
    real = Path(os.path.realpath(target))
    if real.is_symlink():
        raise ConfigError("is a symlink that does not resolve (a loop?); not saved",
                          path=target)
    return real


def _edit(doc: Any, changes: Mapping[tuple[str, ...], Any],
          removals: list[tuple[str, ...]], target: Path) -> None:
    """Set and remove keys in a tomlkit document, keeping everything else as it is."""
    import tomlkit

    def table_of(key: tuple[str, ...], create: bool) -> Any:
        container = doc
        for depth, part in enumerate(key[:-1]):
            if part not in container:
                if not create:
                    return None
                container[part] = tomlkit.table()
            container = container[part]
            if not isinstance(container, dict):
                raise ConfigError(f"expected a table [{'.'.join(key[:depth + 1])}] in the file; "
                                  "not saved", path=target)
        return container

    for key, value in changes.items():
        table_of(key, True)[key[-1]] = value
    for key in removals:
        table = table_of(key, False)
        if table is not None and key[-1] in table:
            del table[key[-1]]


def _lookup(data: Mapping[str, Any], key: tuple[str, ...]) -> Any:
    for part in key:
        if not isinstance(data, Mapping) or part not in data:
            return _MISSING
        data = data[part]
    return data


_MISSING = object()


def save_config(cfg: Config, path: Path | str | None = None) -> Path:
    """Write what the app changed in ``cfg`` into the file, atomically, mode 0600.

    Only the keys whose value differs from what the file held when it was read (or
    last written) are set, or removed (a cleared credential); the rest of the file --
    comments, order, formatting, keys this version does not know -- stays as the user
    wrote it, and a change made to the file by hand meanwhile is kept. Values set for
    this run only (environment, ``--base-url``, ``--demo``: :meth:`Config.override`)
    are never written. The result is checked by reading it back, written to a
    temporary file (created 0600, never through a symlink) in the same directory,
    fsynced and renamed over the target, so a reader sees the old file or the new one,
    never half of one. When the path is a symlink its target is replaced and the link
    stays.
    """
    import tomlkit

    target = Path(path).expanduser() if path is not None else (cfg.path or config_path())
    validate_config(cfg)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write the config: {exc.strerror or exc}", path=target) from None
    real = _resolve_target(target)
    text = _read_text(real)
    try:
        doc = tomlkit.parse(text) if text else tomlkit.document()
    except Exception as exc:  # tomlkit's ParseError, or worse on a strange file
        raise ConfigError(f"the file is not valid TOML now ({exc}); fix it, then save again "
                          "(not saved)", path=target) from None
    same_file = cfg.saved_items is not None and cfg.path is not None and (
        Path(cfg.path).expanduser() == target)
    before = cfg.saved_items if same_file else _items_of_text(text)
    wanted = _file_items(cfg)
    changes = {key: value for key, value in wanted.items()
               if before.get(key, _MISSING) != value or type(before.get(key)) is not type(value)}
    removals = [key for key in before if key not in wanted and not _one_off(cfg, key)]
    try:
        _edit(doc, changes, removals, target)
        payload = tomlkit.dumps(doc)
        written = tomllib.loads(payload)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(f"cannot write the config: {exc}", path=target) from None
    if any(_lookup(written, key) != value for key, value in changes.items()) or any(
            _lookup(written, key) is not _MISSING for key in removals):
        raise ConfigError("cannot update the file without changing what else it says; "
                          "not saved", path=target)
    _write_atomically(real, payload.encode("utf-8"), shown=target)
    cfg.path = target
    cfg.file_keys = set(written)
    cfg.saved_items = wanted
    return target


def _write_atomically(target: Path, payload: bytes, *, shown: Path) -> None:
    """``payload`` into ``target`` (mode 0600) through a temporary file and a rename."""
    directory = target.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigError(f"cannot write the config: {exc.strerror or exc}", path=shown) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ConfigError(f"cannot write the config: {exc.strerror or exc}",
                              path=shown) from None
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
